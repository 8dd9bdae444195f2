from django import forms
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin

from .models import Poll, ResultsVisibility


class PhoneForm(BootstrapMixin, forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    captcha_answer = forms.CharField(
        label=_("Answer"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, captcha: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not captcha:
            del self.fields["captcha_answer"]
            del self.fields["captcha_token"]
        else:
            self.fields["captcha_answer"].required = True


class CodeForm(BootstrapMixin, forms.Form):
    phone = forms.CharField(widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Verification code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ChooseForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    choices = forms.TypedMultipleChoiceField(
        label=_("Your choice"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, poll: Poll, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        candidates = list(candidates)
        self.fields["choices"].candidates = candidates
        self.fields["choices"].choices = [(c.pk, c.name) for c in candidates]
        self.fields["choices"].error_messages["required"] = _("Choose at least one candidate.")

    def clean_choices(self):
        chosen = self.cleaned_data["choices"]
        if len(chosen) > self.poll.max_choices:
            raise forms.ValidationError(
                _("Choose at most %(n)s candidates.") % {"n": self.poll.max_choices}
            )
        return chosen


class PollForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Poll
        fields = [
            "title",
            "description",
            "region",
            "opens_at",
            "closes_at",
            "max_choices",
            "per_day",
            "results_visibility",
            "captcha",
        ]
        widgets = {
            "opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self.fields["region"].queryset = regions
        self.fields["results_visibility"].choices = ResultsVisibility.choices


class CandidateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.ImageField(label=_("Photo"), required=False)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class NoteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
