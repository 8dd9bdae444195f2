import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin
from gangwan.members.models import MemberStatus

from .models import TransferDirection, TransferState

DATE = {"type": "date"}


def _date(label, required=True, **kw):
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"), **kw
    )


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month input), cleaned to the month's first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"})

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        try:
            return dt.datetime.strptime(value[:7], "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, dt.date) else value


class TransferFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Name or letter no."), required=False, max_length=60)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *TransferState.choices], required=False
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", _("All")), *TransferDirection.choices], required=False
    )
    side = forms.ChoiceField(
        label=_("Side"),
        choices=[("", _("All")), ("outgoing", _("Sent by us")), ("incoming", _("Addressed to us"))],
        required=False,
    )


class TransferCreateForm(BootstrapMixin, forms.Form):
    """A member of ours leaves: to another organization in the system, or out of it."""

    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[
            (TransferDirection.INTERNAL, _("To an organization in the system")),
            (TransferDirection.OUT, _("Out of the system (e.g. another district)")),
        ],
        initial=TransferDirection.INTERNAL,
    )
    to_organization = forms.ModelChoiceField(
        label=_("Receiving organization"),
        queryset=None,
        required=False,
        help_text=_("Search by name above when it is not listed."),
    )
    to_text = forms.CharField(
        label=_("Receiving organization outside the system, with its region"),
        max_length=200,
        required=False,
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = organizations


class IncomingForm(BootstrapMixin, forms.Form):
    """A member arrives from outside the system with a letter."""

    to_organization = forms.ModelChoiceField(label=_("Receiving organization"), queryset=None)
    from_text = forms.CharField(
        label=_("Sending organization, with its region"),
        max_length=200,
        help_text=_("As printed on the letter, e.g. 中共成都市武侯区玉林街道工作委员会 (四川省)."),
    )
    incoming_name = forms.CharField(label=_("Full name"), max_length=60)
    incoming_id_number = forms.CharField(label=_("ID number"), max_length=18)
    incoming_phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    incoming_status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices)
    incoming_joined_on = _date(_("Joined the Party on"), required=False)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = organizations


class IssueForm(BootstrapMixin, forms.Form):
    issued_on = _date(_("Issued on"))
    dues_paid_until = MonthField(
        label=_("Dues paid up to (month)"),
        required=False,
        help_text=_("Filled from the member's dues record when there is one."),
    )

    def __init__(self, *args, incoming=False, **kwargs):
        kwargs.setdefault("initial", {"issued_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if incoming:
            self.fields["letter_no"] = forms.CharField(
                label=_("Letter no. (as printed)"), max_length=60
            )
            self.fields["valid_until"] = _date(_("Valid until"), required=False)
            self.fields["letter_no"].widget.attrs["class"] = "form-control"
            self.fields["valid_until"].widget.attrs["class"] = "form-control"


class ReceiveForm(BootstrapMixin, forms.Form):
    received_on = _date(_("Received on"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReceiptForm(BootstrapMixin, forms.Form):
    returned_on = _date(_("Receipt returned on"))


class ReturnForm(BootstrapMixin, forms.Form):
    returned_on = _date(_("Returned on"))
    reason = forms.CharField(
        label=_("Reason for returning"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class RevokeForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExpireForm(BootstrapMixin, forms.Form):
    pass


class LetterRevealForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why must the full ID number be printed?"), min_length=4, max_length=200
    )
