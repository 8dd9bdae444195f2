from django import forms
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin

from . import rules
from .models import PaymentKind
from .rules import IncomeKind, PostType

MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class PaymentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(PaymentKind.REGULAR, _("Dues (monthly or quarterly)")), PaymentKind.choices[2]],
    )
    to_month = forms.DateField(
        label=_("Paid up to (month)"), required=False, widget=MONTH, input_formats=MONTH_FORMATS
    )
    amount = forms.DecimalField(
        label=_("Amount of a voluntary payment"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=_(
            "Dues are computed from the assessment; 1000 yuan or more of a voluntary "
            "payment goes to the Central Committee (R37)."
        ),
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class AssessmentForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2008, max_value=2100)
    income_kind = forms.ChoiceField(label=_("Kind of income"), choices=IncomeKind.choices)
    post_type = forms.ChoiceField(
        label=_("Post type"), choices=[("", "—"), *PostType.choices], required=False
    )
    farmer_amount = forms.DecimalField(
        label=_("Farmer's monthly amount (0.20–1.00)"), required=False, decimal_places=2
    )
    quarterly = forms.BooleanField(label=_("Pays quarterly (branch consent)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keys = sorted({k for pt in PostType.values for k in rules.component_keys("salaried", pt)})
        keys += ["received_this_month", "quarter_net_income", "pension"]
        self.component_keys = keys
        for key in keys:
            self.fields[f"c_{key}"] = forms.DecimalField(
                label=rules.ITEM_LABELS.get(key, key),
                required=False,
                min_value=0,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
            )

    def components(self) -> dict:
        return {
            k: str(self.cleaned_data[f"c_{k}"])
            for k in self.component_keys
            if self.cleaned_data.get(f"c_{k}") is not None
        }


class ReassessmentForm(AssessmentForm):
    """A change of income within the year (R36): from a month, with the reason."""

    valid_from = forms.DateField(
        label=_("Applies from (month)"), widget=MONTH, input_formats=MONTH_FORMATS
    )
    reason = forms.CharField(label=_("Reason for the re-assessment"), max_length=300)
    field_order = ["valid_from", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["year"]
        self.order_fields(self.field_order)


class ReductionForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2008, max_value=2100)
    monthly_amount = forms.DecimalField(
        label=_("Reduced monthly amount (0 waives)"), min_value=0, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason (the branch's discussion)"), max_length=300)
