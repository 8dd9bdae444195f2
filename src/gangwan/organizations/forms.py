from django import forms
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin

from .models import OfficeRole, OrganizationKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReasonField(forms.CharField):
    def __init__(self, **kw):
        super().__init__(
            label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}), **kw
        )


class OrganizationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganizationKind.choices)
    parent = forms.ModelChoiceField(label=_("Superior organization"), queryset=None, required=False)
    region = forms.ModelChoiceField(label=_("Area"), queryset=None)
    units = forms.ModelMultipleChoiceField(
        label=_("Units covered"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The first unit ticked, or the primary unit below, is the organization's own unit."
        ),
    )
    primary_unit = forms.ModelChoiceField(label=_("Primary unit"), queryset=None, required=False)
    established_on = forms.DateField(label=_("Established on"), widget=DATE, required=False)
    document_no = forms.CharField(label=_("Approval document no."), max_length=60, required=False)
    reason = ReasonField()

    def __init__(self, *args, parents=None, regions=None, units=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["region"].queryset = regions
        self.fields["units"].queryset = units
        self.fields["primary_unit"].queryset = units
        if editing:
            del self.fields["parent"]


class MoveForm(BootstrapMixin, forms.Form):
    new_parent = forms.ModelChoiceField(label=_("New superior organization"), queryset=None)
    reason = ReasonField()

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents


class DissolveForm(BootstrapMixin, forms.Form):
    dissolved_on = forms.DateField(label=_("Dissolved on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OfficeForm(BootstrapMixin, forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)
    role = forms.ChoiceField(label=_("Office"), choices=OfficeRole.choices)
    started_on = forms.DateField(label=_("From"), widget=DATE)
    reason = ReasonField()

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class OfficeEndForm(BootstrapMixin, forms.Form):
    ended_on = forms.DateField(label=_("Until"), widget=DATE)


class TermForm(BootstrapMixin, forms.Form):
    started_on = forms.DateField(label=_("Term starts (election day)"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Term ends"),
        widget=DATE,
        required=False,
        help_text=_(
            "Leave empty for the regular length: 3 years for branches, 5 for committees and village/community organizations (R8)."
        ),
    )
    reason = ReasonField()


class OrganizationFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *OrganizationKind.choices], required=False
    )
