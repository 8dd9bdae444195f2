from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import throttle


class BootstrapMixin:
    """Give widgets Bootstrap's classes so every form looks the same without per-field markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(w, forms.CheckboxSelectMultiple):
                css = ""
            elif isinstance(w, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                w.attrs["class"] = (w.attrs.get("class", "") + " " + css).strip()


class ThrottledLoginForm(BootstrapMixin, AuthenticationForm):
    """The login form, refusing further tries after repeated failures (per account and address)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed attempts. Wait 15 minutes and try again, or ask your administrator."
        ),
    }

    def clean(self):
        username = self.data.get("username", "")
        ip = throttle.client_ip(self.request) if self.request else ""
        if throttle.is_locked(username, ip):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.record_failure(username, ip)
            raise
        throttle.reset(username, ip)
        return cleaned


class ReasonMixin(BootstrapMixin, forms.Form):
    """A reason field shown when a rule warns (RULES.md WARN): the change needs a stated reason."""

    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name of the token"), max_length=60)


class AuditFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Object"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    actor = forms.CharField(label=_("User"), required=False)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class FastSelect(forms.Select):
    """A <select> rendered in Python rather than through a template per option: a filter over a
    district's 1,600 organizations renders in a few milliseconds instead of ~60 (the markup is
    the same: escaped values and labels, the selected option marked)."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.forms.utils import flatatt
        from django.utils.html import format_html, format_html_join

        selected = {str(v) for v in self.format_value(value)}
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(v), " selected" if str(v) in selected else "", label)
                for v, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)
