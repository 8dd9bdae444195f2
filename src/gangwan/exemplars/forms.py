from django import forms
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin

from .models import Batch, CriterionKind


class BatchForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Batch
        fields = ["name", "year", "quota", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class NominateForm(BootstrapMixin, forms.Form):
    organization = forms.ModelChoiceField(queryset=None, label=_("organization"))
    description = forms.CharField(
        label=_("what it does"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organizations, **kw):
        super().__init__(*args, **kw)
        self.fields["organization"].queryset = organizations


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (type and size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return super().clean(data, initial)


class BaseForm(BootstrapMixin, forms.Form):
    description = forms.CharField(
        label=_("what it does"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    photos = MultipleFileField(label=_("photos"), required=False)
    caption = forms.CharField(label=_("caption"), required=False, max_length=120)


class OpenAssessmentForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)


class SchemeForm(BootstrapMixin, forms.Form):
    band5 = forms.DecimalField(label=_("five stars from (points)"), min_value=0)
    band4 = forms.DecimalField(label=_("four stars from"), min_value=0)
    band3 = forms.DecimalField(label=_("three stars from"), min_value=0)
    band2 = forms.DecimalField(label=_("two stars from"), min_value=0)
    five_star_needs_innovation = forms.BooleanField(
        label=_("five stars need points on the innovation item"), required=False
    )
    five_star_share = forms.IntegerField(
        label=_("five-star share cap (%)"), min_value=0, max_value=100
    )
    one_step_up = forms.BooleanField(label=_("one step up a year"), required=False)
    cycle_months = forms.IntegerField(label=_("review cycle (months)"), min_value=1, max_value=60)
    reviewers_needed = forms.IntegerField(label=_("reviewers needed"), min_value=1, max_value=9)
    satisfaction_weight = forms.IntegerField(
        label=_("satisfaction weight (%)"), min_value=0, max_value=100
    )
    notice_days = forms.IntegerField(label=_("public notice (days)"), min_value=1, max_value=30)
    notice_working_days = forms.BooleanField(label=_("notice counts working days"), required=False)


class CriterionForm(BootstrapMixin, forms.Form):
    """A row of the scheme's table; a row without a title is left out."""

    title = forms.CharField(label=_("title"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=CriterionKind.choices, required=False)
    max_points = forms.DecimalField(
        label=_("maximum points"), min_value=0, max_digits=5, decimal_places=1, required=False
    )
    weight = forms.DecimalField(
        label=_("weight"), min_value=0, max_digits=4, decimal_places=2, required=False
    )

    def row(self) -> dict | None:
        d = getattr(self, "cleaned_data", None) or {}
        if not d.get("title") or d.get("DELETE"):
            return None
        return {
            "title": d["title"],
            "kind": d.get("kind") or CriterionKind.SCORED,
            "max_points": d.get("max_points") or 0,
            "weight": d.get("weight") if d.get("weight") is not None else 1,
        }


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True)


class AnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 2}))
    upheld = forms.BooleanField(label=_("upheld"), required=False)


class AwardForm(BootstrapMixin, forms.Form):
    stars = forms.IntegerField(label=_("stars"), min_value=0, max_value=5)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("Your objection"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    name = forms.CharField(label=_("name (optional)"), max_length=40, required=False)
