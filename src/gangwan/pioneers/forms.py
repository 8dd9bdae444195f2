from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin
from gangwan.core.validators import validate_phone

from .models import ReviewDecision


class SelectionForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=None)
    quota = forms.IntegerField(label=_("Quota"), min_value=1, max_value=1000, initial=30)
    nominations_close_on = forms.DateField(
        label=_("Nominations close on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    review_close_on = forms.DateField(
        label=_("Review closes on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    vote_opens_at = forms.DateTimeField(
        label=_("Vote opens at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    vote_closes_at = forms.DateTimeField(
        label=_("Vote closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    vote_weight = forms.DecimalField(
        label=_("Weight of the public vote"), min_value=0, max_value=1, decimal_places=2
    )
    committee_weight = forms.DecimalField(
        label=_("Weight of the committee score"), min_value=0, max_value=1, decimal_places=2
    )

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultiplePhotoField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.organization.name} · {obj.get_status_display()}"


class NominationForm(BootstrapMixin, forms.Form):
    organization = forms.ModelChoiceField(label=_("Nominating organization"), queryset=None)
    nominee = MemberChoiceField(label=_("Nominee"), queryset=None)
    headline = forms.CharField(label=_("Headline"), max_length=120, required=False)
    deeds = forms.CharField(label=_("Deeds"), widget=forms.Textarea(attrs={"rows": 6}))
    opinion = forms.CharField(
        label=_("Opinion of the nominating organization"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = MultiplePhotoField(label=_("Photos"), required=False)

    def __init__(self, *args, organizations=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["nominee"].queryset = members


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(BootstrapMixin, forms.Form):
    starts_on = forms.DateField(
        label=_("Notice starts on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class AnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))


class LearningForm(BootstrapMixin, forms.Form):
    activity = forms.ModelChoiceField(label=_("Learning activity"), queryset=None)

    def __init__(self, *args, activities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities


class ObjectionForm(BootstrapMixin, forms.Form):
    nomination = forms.ModelChoiceField(label=_("About"), queryset=None)
    text = forms.CharField(
        label=_("Your objection"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        help_text=_("We send a verification code to this number; it is never published."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, proposed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nomination"].queryset = proposed
        self.fields["nomination"].label_from_instance = lambda n: n.nominee.name

    def clean_phone(self):
        try:
            return validate_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
