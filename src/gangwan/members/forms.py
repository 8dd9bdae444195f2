from django import forms
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin

from .models import MemberStatus


class MemberForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=60)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        help_text=_("18 characters; birth date and gender are read from it."),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices)
    joined_on = forms.DateField(
        label=_("Joined the Party on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    home_organization = forms.ModelChoiceField(
        label=_("Home organization (organizational life)"),
        queryset=None,
        required=False,
        help_text=_("Leave empty when it is the same organization."),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    is_floating = forms.BooleanField(label=_("Floating member"), required=False)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, homes=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_organization"].queryset = homes
        self.fields["unit"].queryset = units


class RevealForm(BootstrapMixin, forms.Form):
    field = forms.ChoiceField(
        choices=[("id_number", _("ID number")), ("phone", _("Mobile phone"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(label=_("Why do you need the full value?"), max_length=200)


class MemberFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Name, full ID number or phone"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *MemberStatus.choices], required=False
    )
