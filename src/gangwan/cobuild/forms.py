from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gangwan.core.forms import BootstrapMixin
from gangwan.core.validators import validate_phone

from .models import (
    Category,
    Constituency,
    Decision,
    HolderKind,
    NeedState,
    PosterKind,
    ProjectStatus,
    ResourceKind,
    Urgency,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        parent = obj.parent.name if obj.parent_id else ""
        return f"{parent} {obj.name}".strip()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _phone(value: str) -> str:
    try:
        return validate_phone(value)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None


class NeedForm(BootstrapMixin, forms.Form):
    """A need posted in the back office by a community, an organization or an enterprise."""

    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    region = AreaChoiceField(label=_("Area"), queryset=None)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="normal")
    poster_kind = forms.ChoiceField(
        label=_("Posted by"),
        choices=[c for c in PosterKind.choices if c[0] != PosterKind.RESIDENT],
    )
    poster_name = forms.CharField(label=_("Name of the community, organization or enterprise"))
    phone = forms.CharField(label=_("Contact phone"), required=False, max_length=20)
    photos = MultipleFileField(label=_("Photos (up to 3)"))

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = areas

    def clean_phone(self):
        v = self.cleaned_data["phone"].strip()
        return _phone(v) if v else ""


class PublicNeedForm(BootstrapMixin, forms.Form):
    """A need posted on the portal by a resident (or an enterprise, an organization)."""

    poster_kind = forms.ChoiceField(
        label=_("I am"), choices=PosterKind.choices, initial=PosterKind.RESIDENT
    )
    poster_name = forms.CharField(label=_("Your name (or your unit's)"), max_length=120)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("We send a verification code to this number. It is never shown in full."),
    )
    region = AreaChoiceField(label=_("Community or village"), queryset=None)
    category = forms.ChoiceField(
        label=_("What is it about?"), choices=[("", _("Choose…")), *Category.choices]
    )
    title = forms.CharField(label=_("Your need in one line"), max_length=120)
    text = forms.CharField(
        label=_("Describe it"),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=10,
        max_length=2000,
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="normal")
    photos = MultipleFileField(label=_("Photos (up to 3, optional)"))
    consent = forms.BooleanField(
        label=_(
            "I agree that the community and the Party organizations of the district process "
            "my phone number to handle this need and to tell me how it goes."
        )
    )

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = areas
        self.fields["region"].empty_label = _("Choose where the need is")

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])


class CodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class NeedFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *NeedState.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    moderation = forms.ChoiceField(
        label=_("Moderation"),
        required=False,
        choices=[
            ("", _("Any")),
            ("pending", _("Awaiting moderation")),
            ("held", _("Held: wording to check")),
            ("approved", _("Published")),
            ("rejected", pgettext_lazy("moderation", "Rejected")),
        ],
    )


class ModerateForm(BootstrapMixin, forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Publish")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note to the poster"), required=False, max_length=300)


class ClaimForm(BootstrapMixin, forms.Form):
    resource = forms.IntegerField(required=False, widget=forms.HiddenInput)
    member = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class CloseForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for closing"), max_length=300)


class ResourceForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    capacity = forms.CharField(label=_("Capacity"), required=False, max_length=120)
    skills = forms.CharField(
        label=_("Skills and keywords"),
        required=False,
        max_length=200,
        help_text=_("Separated by commas, e.g. 门球, 场地"),
    )
    region = AreaChoiceField(label=_("Area"), queryset=None)
    holder_kind = forms.ChoiceField(label=_("Offered by"), choices=HolderKind.choices)
    holder_unit = forms.ModelChoiceField(label=_("Enterprise"), queryset=None, required=False)
    holder_organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=None, required=False
    )
    holder_member = forms.ModelChoiceField(label=_("Member"), queryset=None, required=False)
    available_until = forms.DateField(label=_("Available until"), required=False, widget=DATE)

    def __init__(self, *args, areas=None, units=None, organizations=None, members=None, **kw):
        super().__init__(*args, **kw)
        self.fields["region"].queryset = areas
        self.fields["holder_unit"].queryset = units
        self.fields["holder_organization"].queryset = organizations
        self.fields["holder_member"].queryset = members


class ResourceFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ResourceKind.choices]
    )


class ExchangeForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title of the exchange"), max_length=200)
    first_need = forms.ModelChoiceField(label=_("First need"), queryset=None)
    first_resource = forms.ModelChoiceField(
        label=_("Resource meeting the first need"), queryset=None
    )
    second_need = forms.ModelChoiceField(label=_("Need in return"), queryset=None)
    second_resource = forms.ModelChoiceField(
        label=_("Resource meeting the need in return"), queryset=None
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, needs=None, resources=None, **kw):
        super().__init__(*args, **kw)
        for f in ("first_need", "second_need"):
            self.fields[f].queryset = needs
        for f in ("first_resource", "second_resource"):
            self.fields[f].queryset = resources


class CouncilForm(BootstrapMixin, forms.Form):
    region = AreaChoiceField(label=_("Community"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=120)
    established_on = forms.DateField(label=_("Established on"), widget=DATE)

    def __init__(self, *args, areas=None, **kw):
        super().__init__(*args, **kw)
        self.fields["region"].queryset = areas


class SeatForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    constituency = forms.ChoiceField(label=_("Represents"), choices=Constituency.choices)
    affiliation = forms.CharField(label=_("Unit or organization"), required=False, max_length=150)
    term_starts = forms.DateField(label=_("Term starts"), widget=DATE)
    term_ends = forms.DateField(label=_("Term ends"), widget=DATE)


class MeetingForm(BootstrapMixin, forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    place = forms.CharField(label=_("Place"), required=False, max_length=120)
    present = forms.ModelMultipleChoiceField(
        label=_("Present"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, seats=None, **kw):
        super().__init__(*args, **kw)
        self.fields["present"].queryset = seats


class AgendaForm(BootstrapMixin, forms.Form):
    need = forms.ModelChoiceField(label=_("Need"), queryset=None, required=False)
    title = forms.CharField(label=_("Agenda item"), required=False, max_length=200)
    proposal = forms.CharField(
        label=pgettext_lazy("council", "Proposal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    proposed_by = forms.ModelChoiceField(label=_("Proposed by"), queryset=None, required=False)

    def __init__(self, *args, needs=None, seats=None, **kw):
        super().__init__(*args, **kw)
        self.fields["need"].queryset = needs
        self.fields["proposed_by"].queryset = seats


class DecideForm(BootstrapMixin, forms.Form):
    record = forms.CharField(
        label=_("Deliberation record"), widget=forms.Textarea(attrs={"rows": 3})
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[c for c in Decision.choices if c[0] != "pending"]
    )
    votes_for = forms.IntegerField(label=_("For"), min_value=0, initial=0)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, initial=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)
    create_project = forms.BooleanField(label=_("Create a project"), required=False)
    project_title = forms.CharField(label=_("Project title"), required=False, max_length=150)
    organization = forms.ModelChoiceField(
        label=_("Owner organization"), queryset=None, required=False
    )
    funder = forms.ModelChoiceField(label=_("Funder"), queryset=None, required=False)
    budget = forms.DecimalField(label=_("Budget (yuan)"), required=False, min_value=0)

    def __init__(self, *args, organizations=None, units=None, **kw):
        super().__init__(*args, **kw)
        self.fields["organization"].queryset = organizations
        self.fields["funder"].queryset = units

    def clean(self):
        d = super().clean()
        if d.get("create_project") and d.get("decision") == Decision.ADOPTED:
            if not d.get("project_title"):
                self.add_error("project_title", _("Give the project a title."))
            if not d.get("organization"):
                self.add_error("organization", _("Choose the owner organization."))
        return d


class ProjectForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    region = AreaChoiceField(label=_("Area"), queryset=None)
    organization = forms.ModelChoiceField(label=_("Owner organization"), queryset=None)
    funder = forms.ModelChoiceField(label=_("Funder"), queryset=None, required=False)
    budget = forms.DecimalField(label=_("Budget (yuan)"), required=False, min_value=0)
    served_text = forms.CharField(label=_("Beneficiaries"), required=False, max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    needs = forms.ModelMultipleChoiceField(label=_("Needs"), queryset=None, required=False)
    resources = forms.ModelMultipleChoiceField(label=_("Resources"), queryset=None, required=False)

    def __init__(
        self, *args, areas=None, organizations=None, units=None, needs=None, resources=None, **kw
    ):
        super().__init__(*args, **kw)
        self.fields["region"].queryset = areas
        self.fields["organization"].queryset = organizations
        self.fields["funder"].queryset = units
        self.fields["needs"].queryset = needs
        self.fields["resources"].queryset = resources


class ProjectFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=pgettext_lazy("project", "Status"),
        required=False,
        choices=[("", _("All")), *ProjectStatus.choices],
    )


class MilestoneForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=150)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class MilestoneDoneForm(BootstrapMixin, forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(BootstrapMixin, forms.Form):
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE)
    hours = forms.DecimalField(label=_("Volunteer hours"), required=False, min_value=0)


class FeedbackForm(BootstrapMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(str(i), "★" * i) for i in range(5, 0, -1)],
        coerce=int,
        initial="5",
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("One feedback per person: we verify your phone with a code."),
    )

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])
