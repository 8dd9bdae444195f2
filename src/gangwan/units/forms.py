from django import forms
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin

from .models import UnitKind


class UnitForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("18 characters (GB 32100); checked when saved."),
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=None)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    employees = forms.IntegerField(label=_("Employees"), min_value=0, initial=0)
    has_union = forms.BooleanField(label=_("Has a trade union"), required=False)
    union_founded_on = forms.DateField(
        label=_("Union founded on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    instructor_name = forms.CharField(
        label=_("Party-building instructor"), max_length=60, required=False
    )
    is_operating = forms.BooleanField(label=_("Operating"), required=False, initial=True)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class UnitFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Name or credit code"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *UnitKind.choices], required=False
    )
