from django import forms
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin
from gangwan.members.models import MemberStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ArrivalForm(BootstrapMixin, forms.Form):
    """What an arriving floating member tells the station, at the counter or on the portal."""

    name = forms.CharField(
        label=_("Full name"), max_length=60, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices)
    joined_on = forms.DateField(
        label=_("Joined the Party on"),
        widget=DATE,
        required=False,
        help_text=_("Required for a probationary member: probation lasts a year from it."),
    )
    origin_organization_name = forms.CharField(
        label=_("Origin organization"),
        max_length=150,
        help_text=_("The Party organization that holds the membership at home."),
    )
    origin_region_name = forms.CharField(
        label=_("Origin region"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Guang'an, Sichuan")}),
    )
    certificate_no = forms.CharField(
        label=_("Activity certificate no."),
        max_length=40,
        required=False,
        help_text=_("Of the floating member activity certificate, if one was issued."),
    )
    left_origin_on = forms.DateField(label=_("Left the origin on"), widget=DATE, required=False)
    arrived_on = forms.DateField(label=_("Arrived here on"), widget=DATE)
    skills = forms.CharField(
        label=_("Skills"),
        max_length=200,
        required=False,
        help_text=_("Separate them with commas, e.g. electrician, mediation."),
    )
    on_call = forms.BooleanField(
        label=_("On call: the community may call on me whenever it needs"), required=False
    )
    on_call_hours = forms.CharField(
        label=_("When you can be called"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. weekends, weekday evenings")}),
    )


class PlacementForm(BootstrapMixin, forms.Form):
    """Where the station places the member: by the placement rule (left empty) or by choice."""

    home_organization = forms.ModelChoiceField(label=_("Place in"), queryset=None, required=False)
    unit = forms.ModelChoiceField(label=_("Unit (employer)"), queryset=None, required=False)

    def __init__(self, *args, options=None, default=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["home_organization"]
        field.queryset = options
        field.empty_label = (
            _("By the placement rule: %(org)s") % {"org": default}
            if default
            else _("Choose an organization")
        )
        field.required = default is None
        self.fields["unit"].queryset = units


class CounterForm(ArrivalForm, PlacementForm):
    """Registration at the station's counter: the arrival, the placement and the member's unit."""

    field_order = [*ArrivalForm.base_fields, "home_organization", "unit"]


class RejectForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class FirstActivityForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("Date of the first organizational life"), widget=DATE)
    what = forms.CharField(
        label=_("Which activity"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. theme Party day of the branch")}),
    )


class CertificateReviewForm(BootstrapMixin, forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE, required=False)


class StationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    region = forms.ModelChoiceField(label=_("Community or village"), queryset=None)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Station phone"), max_length=30, required=False)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE, required=False)

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class StaffForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("User name of the staff member"), max_length=150)


class FloatingFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Name or origin"), required=False)
    station = forms.ModelChoiceField(
        label=_("Service station"), queryset=None, required=False, empty_label=_("All")
    )
    home = forms.ChoiceField(
        label=_("Home"),
        required=False,
        choices=[("", _("All")), ("found", _("Home found")), ("pending", _("No home yet"))],
    )

    def __init__(self, *args, stations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
