from django import forms
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin, FastSelect

from .models import ActivityKind, AttendanceStatus

DECISION_ROWS = 3


class ActivityFilterForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("All kinds")), *ActivityKind.choices]
    )
    organization = forms.ModelChoiceField(
        label=_("organization"),
        required=False,
        queryset=None,
        empty_label=_("All"),
        widget=FastSelect,
    )
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class ActivityForm(BootstrapMixin, forms.Form):
    """The record of one activity; the attendance grid, decisions and files are read beside it."""

    organization = forms.ModelChoiceField(label=_("organization"), queryset=None)
    kind = forms.ChoiceField(label=_("kind"), choices=ActivityKind.choices)
    party_group = forms.ModelChoiceField(label=_("Party group"), queryset=None, required=False)
    held_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.TimeField(
        label=_("time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    topic = forms.CharField(label=_("topic"), max_length=200)
    host = forms.CharField(label=_("host"), max_length=60, required=False)
    recorder = forms.CharField(label=_("recorder"), max_length=60, required=False)
    minutes = forms.CharField(
        label=_("minutes"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("partner organizations"),
        queryset=None,
        required=False,
        help_text=_("Other organizations of the same area taking part in the joint activity."),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organizations, groups, partners=None, editing=False, **kwargs):
        """`partners`: the organizations that may join (a joint activity only), else None."""
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partners"]
        else:
            self.fields["partners"].queryset = partners
        if editing:
            for name in ("organization", "kind", "party_group"):
                del self.fields[name]
        else:
            self.fields["organization"].queryset = organizations
            self.fields["party_group"].queryset = groups


def attendance_from_post(data, member_ids) -> dict:
    """The exceptions of the grid: member id → (status, reason) for those not present."""
    out = {}
    for pk in member_ids:
        status = data.get(f"status-{pk}", AttendanceStatus.PRESENT)
        if status != AttendanceStatus.PRESENT:
            out[pk] = (status, data.get(f"reason-{pk}", ""))
    return out


def decisions_from_post(data) -> list[dict]:
    out = []
    for i in range(DECISION_ROWS):
        row = {
            k: data.get(f"decision-{i}-{k}", "").strip() for k in ("motion", "yes", "no", "abstain")
        }
        if not row["motion"]:
            continue
        for k in ("yes", "no", "abstain"):
            row[k] = int(row[k]) if row[k].isdigit() else 0
        out.append(row)
    return out


class PartyGroupForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name of the group"), max_length=100)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    leader = forms.ModelChoiceField(label=_("Group leader"), queryset=None, required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["leader"].queryset = members
