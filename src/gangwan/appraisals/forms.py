from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin
from gangwan.members.models import MemberStatus

from .models import AppraisalGrade

NO_GRADE = ""


def default_year() -> int:
    """Appraisals of a year are often held early the next year."""
    today = timezone.localdate()
    return today.year - 1 if today.month <= 3 else today.year


class RoundForm(BootstrapMixin, forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label=_("Organization"))
    year = forms.IntegerField(label=_("Year appraised"), min_value=2000, max_value=2100)
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations


class RoundFilterForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class GradeForm(BootstrapMixin, forms.Form):
    """One select per member taking part: full members default to "qualified", probationary
    members have no grade to choose (R17)."""

    reason = forms.CharField(
        label=_("Reason (more than a third excellent)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, members, existing: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.rows = []
        grades = [(NO_GRADE, "—"), *AppraisalGrade.choices]
        for m in self.members:
            name = f"grade_{m.pk}"
            if m.status == MemberStatus.PROBATIONARY:
                field = forms.ChoiceField(
                    choices=[(NO_GRADE, "—")], required=False, label=m.name, disabled=True
                )
                field.initial = NO_GRADE
            else:
                field = forms.ChoiceField(choices=grades, required=False, label=m.name)
                field.initial = existing.get(m.pk) or AppraisalGrade.QUALIFIED
            field.widget.attrs.update({"class": "form-select form-select-sm", "data-member": m.pk})
            self.fields[name] = field
            self.rows.append((m, name))

    def bound_rows(self):
        return [(m, self[name]) for m, name in self.rows]

    def grades(self) -> dict[int, str | None]:
        return {m.pk: (self.cleaned_data.get(name) or None) for m, name in self.rows}
