from django import forms
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin

from .models import IncubationState

# ISO format: a type=date input shows nothing for a localized value (e.g. "2026年1月1日").
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

STATE_FILTERS = [("open", _("Under way")), *IncubationState.choices]


class IncubationFilterForm(BootstrapMixin, forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=STATE_FILTERS, required=False)


class ProposeForm(BootstrapMixin, forms.Form):
    proposal_text = forms.CharField(
        label=_("Proposal"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Why the unit should set up its own branch: its full members, who could be secretary, "
            "how the unit supports it. The superior committee replies within a month (R7)."
        ),
    )


class DecideForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.HiddenInput,  # given by the button pressed
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when declining; a declined proposal is final."),
    )


class EstablishForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name of the new branch"), max_length=150)
    established_on = forms.DateField(label=_("Established on"), widget=DATE)
    document_no = forms.CharField(label=_("Approval document no."), max_length=60, required=False)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
