from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gangwan.core.forms import BootstrapMixin
from gangwan.core.tree import subtree_q
from gangwan.core.validators import validate_phone
from gangwan.members.models import Member
from gangwan.organizations.models import Organization
from gangwan.units.models import ENTERPRISE_KINDS, Unit

from .models import (
    BrandCategory,
    EmployeeEvent,
    ProblemCategory,
    ProblemStatus,
    ServiceBrand,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def administered_organizations(scope):
    return scope.organizations(Organization.objects.filter(dissolved_on__isnull=True)).order_by(
        "path"
    )


def area_units(brand: ServiceBrand, enterprises_only: bool = False):
    """Units where the brand's organization works: its region's subtree. Only administrators of
    the brand's organization reach the forms that offer them (a regional branch serves the
    enterprises of its area, including those no organization covers yet)."""
    qs = Unit.objects.filter(
        subtree_q([brand.organization.region.path], "region__path"), is_operating=True
    )
    if enterprises_only:
        qs = qs.filter(kind__in=ENTERPRISE_KINDS)
    return qs.order_by("name")


class BrandFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All"))] + BrandCategory.choices
    )


class BrandForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ServiceBrand
        fields = [
            "name",
            "category",
            "organization",
            "partners",
            "description",
            "started_on",
            "ended_on",
            "is_public",
        ]
        widgets = {"started_on": DATE, "ended_on": DATE, "description": forms.Textarea({"rows": 4})}

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = administered_organizations(scope)
        self.fields["organization"].queryset = orgs
        self.fields["partners"].queryset = orgs
        self.fields["partners"].required = False
        self.fields["partners"].widget.attrs["size"] = 6


class RecordForm(BootstrapMixin, forms.Form):
    served_on = forms.DateField(label=_("Date"), widget=DATE)
    title = forms.CharField(label=_("What was done"), max_length=200)
    served_unit = forms.ModelChoiceField(label=_("Served unit"), queryset=None, required=False)
    served_text = forms.CharField(
        label=_("Served residents or others"),
        max_length=200,
        required=False,
        help_text=_("E.g. residents of 芙蓉社区; needed when no unit was served."),
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members who served"), queryset=None, required=False
    )
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_digits=7, decimal_places=1)
    summary = forms.CharField(
        label=_("Details"), widget=forms.Textarea({"rows": 3}), required=False
    )
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea({"rows": 2}), required=False
    )
    feedback = forms.CharField(
        label=_("Feedback of those served"), widget=forms.Textarea({"rows": 2}), required=False
    )

    def __init__(self, *args, scope, brand: ServiceBrand, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["served_unit"].queryset = area_units(brand)
        self.fields["members"].queryset = scope.members(
            Member.objects.filter(subtree_q([brand.organization.path], "organization__path"))
        ).order_by("name")
        self.fields["members"].widget.attrs["size"] = 6


class ProblemForm(BootstrapMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Enterprise"), queryset=None)
    category = forms.ChoiceField(label=_("Category"), choices=ProblemCategory.choices)
    text = forms.CharField(label=_("Problem"), widget=forms.Textarea({"rows": 4}))
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)

    def __init__(self, *args, scope, brand: ServiceBrand, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = area_units(brand, enterprises_only=True)


class ProblemFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("problem", "Status"),
        required=False,
        choices=[("", _("All"))] + ProblemStatus.choices,
    )


class ProblemActionForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    handler = forms.CharField(label=_("Handled by"), max_length=100, required=False)
    resolution = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea({"rows": 3}), required=False
    )
    referred_to = forms.CharField(label=_("Referred to"), max_length=150, required=False)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0, max_digits=7, decimal_places=1, required=False
    )


class EventForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = EmployeeEvent
        fields = [
            "title",
            "host_unit",
            "description",
            "starts_at",
            "place",
            "capacity",
            "registration_open",
            "is_public",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea({"rows": 3}),
        }

    def __init__(self, *args, scope, brand: ServiceBrand, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_unit"].queryset = area_units(brand, enterprises_only=True)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class RegistrationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=60)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput({"inputmode": "tel", "autocomplete": "tel"}),
    )
    employer = forms.CharField(label=_("Employer"), max_length=150, required=False)

    def clean_phone(self):
        try:
            return validate_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class PublicRegistrationForm(RegistrationForm):
    consent = forms.BooleanField(
        label=_(
            "I agree that the organizers process my name and phone to run this event and to "
            "tell me about my place."
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = _("We send a verification code to this number.")
