from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin
from gangwan.core.validators import validate_phone
from gangwan.floating.forms import ArrivalForm


class StationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        street = obj.region.parent.name if obj.region.parent_id else ""
        return f"{street} {obj.region.name} · {obj.name}".strip()


class FindAHomeForm(ArrivalForm):
    """The public "find a home" form: the arrival, the station, and consent to the processing."""

    station = StationChoiceField(label=_("Service station (community)"), queryset=None)
    consent = forms.BooleanField(
        label=_(
            "I agree that the service station and the Party organizations of this district "
            "process these data to register me and to keep in touch."
        )
    )
    field_order = ["station", *ArrivalForm.base_fields, "consent"]

    def __init__(self, *args, stations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        self.fields["station"].empty_label = _("Choose the community where you live")
        self.fields["name"].label = _("Your full name")
        self.fields["phone"].help_text = _("We send a verification code to this number.")

    def clean_phone(self):
        try:
            return validate_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class CodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )
