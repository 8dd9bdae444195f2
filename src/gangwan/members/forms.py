from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin

from .models import ArchiveReason, Education, MemberStatus

# ISO dates, which <input type="date"> needs whatever the language formats dates as.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberForm(BootstrapMixin, forms.Form):
    """Registering a member (`editing=False`) or changing one's record (`editing=True`: the ID
    number and phone are left empty and kept unless a new value is typed, so the form never shows
    them in the clear)."""

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
        widget=DATE,
        help_text=_("For a probationary member, probation ends a year later."),
    )
    full_on = forms.DateField(
        label=_("Full member since"),
        required=False,
        widget=DATE,
        help_text=_("The date of conversion; empty for probationary members."),
    )
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    education = forms.ChoiceField(
        label=_("Education"), choices=[("", "—"), *Education.choices], required=False
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    post = forms.CharField(label=_("Post in the unit"), max_length=60, required=False)
    home_organization = forms.ModelChoiceField(
        label=_("Home organization (organizational life)"),
        queryset=None,
        required=False,
        help_text=_("Leave empty when it is the same organization."),
    )
    is_floating = forms.BooleanField(label=_("Floating member"), required=False)
    skills = forms.CharField(
        label=_("Skills"),
        max_length=200,
        required=False,
        help_text=_("Separated by commas, e.g. electrician, driving, first aid."),
    )
    on_call = forms.BooleanField(label=_("On call (can be called on at any time)"), required=False)
    on_call_hours = forms.CharField(
        label=_("On-call hours"),
        max_length=60,
        required=False,
        help_text=_("e.g. weekends, evenings."),
    )
    community_post = forms.CharField(
        label=_("Post in the community (one member, two posts)"), max_length=60, required=False
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, homes=None, units=None, editing=False, masked=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_organization"].queryset = homes
        self.fields["unit"].queryset = units
        if editing:
            masked = masked or {}
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _(
                "Now %(masked)s. Leave empty to keep it; type the full number to correct it."
            ) % {"masked": masked.get("id_number", "")}
            self.fields["phone"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": masked.get("phone") or "—"
            }

    def clean(self):
        from .services import PROBATIONARY_NEEDS_JOINED

        d = super().clean()
        if d.get("status") == MemberStatus.PROBATIONARY and not d.get("joined_on"):
            self.add_error("joined_on", PROBATIONARY_NEEDS_JOINED())
        return d


class RevealForm(BootstrapMixin, forms.Form):
    field = forms.ChoiceField(
        choices=[("id_number", _("ID number")), ("phone", _("Mobile phone"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(label=_("Why do you need the full value?"), max_length=200)


YES_NO = [("", _("All")), ("1", _("Yes")), ("0", _("No"))]


def limit_organization_choices(field, shown, selected) -> None:
    """Accept any organization of `field.queryset`, but list only `shown` (the committees and
    general branches: the roots of subtrees worth filtering by) and the one selected."""
    rows = list(shown)
    if selected is not None and all(o.pk != selected.pk for o in rows):
        rows.append(selected)
    top = min((o.depth for o in rows), default=1)
    field.widget.choices = [("", field.empty_label)] + [
        (o.pk, "　" * (o.depth - top) + o.name) for o in rows
    ]


class MemberFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("Name, unit, last 4 of ID or phone, or a full number"),
        required=False,
        max_length=60,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *MemberStatus.choices], required=False
    )
    floating = forms.ChoiceField(label=_("Floating"), choices=YES_NO, required=False)
    on_call = forms.ChoiceField(label=_("On call"), choices=YES_NO, required=False)
    organization = forms.ModelChoiceField(
        label=_("Organization (with those under it)"),
        queryset=None,
        required=False,
        empty_label=_("All"),
    )
    archived = forms.BooleanField(label=_("Former members"), required=False)

    def __init__(self, *args, organizations=None, shown=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        value = self.data.get("organization", "")
        self.selected = organizations.filter(pk=value).first() if str(value).isdigit() else None
        limit_organization_choices(self.fields["organization"], shown, self.selected)

    def filters(self) -> dict:
        """Keyword arguments for selectors.member_list (invalid input filters nothing)."""
        d = self.cleaned_data if self.is_valid() else {}
        flag = {"1": True, "0": False}
        return {
            "q": d.get("q", ""),
            "status": d.get("status", ""),
            "organization": d.get("organization"),
            "floating": flag.get(d.get("floating", "")),
            "on_call": flag.get(d.get("on_call", "")),
            "archived": bool(d.get("archived")),
        }


class ArchiveForm(BootstrapMixin, forms.Form):
    archived_on = forms.DateField(label=_("Date"), widget=DATE)
    archive_reason = forms.ChoiceField(
        label=_("Why the member leaves the roll"), choices=ArchiveReason.choices
    )
    note = forms.CharField(
        label=_("Details"),
        max_length=200,
        required=False,
        help_text=_("e.g. the receiving organization, the decision's document number."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"archived_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


MAX_UPLOAD = 20 * 1024 * 1024


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an .xlsx file (Excel 2007 or later)."))
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."))
        return f


class ExportRevealForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need full ID numbers and phones?"), min_length=4, max_length=200
    )


class InactiveFilterForm(BootstrapMixin, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization (with those under it)"),
        queryset=None,
        required=False,
        empty_label=_("All"),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", _("From the warning on")), ("escalate", _("Escalated only"))],
        required=False,
    )
    condition = forms.ChoiceField(
        label=_("Condition"),
        choices=[("", _("Either")), ("life", _("No organizational life")), ("dues", _("No dues"))],
        required=False,
    )

    def __init__(self, *args, organizations=None, shown=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        value = self.data.get("organization", "")
        self.selected = organizations.filter(pk=value).first() if str(value).isdigit() else None
        limit_organization_choices(self.fields["organization"], shown, self.selected)
