from django import forms
from django.utils.translation import gettext_lazy as _

from gangwan.core.forms import BootstrapMixin

from .models import CHILD_LEVELS, RegionKind, RegionLevel


class RegionForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=RegionLevel.choices)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "—"), *RegionKind.choices],
        required=False,
        help_text=_("For communities and villages."),
    )
    code = forms.CharField(label=_("Code (GB/T 2260)"), max_length=12, required=False)
    residents = forms.IntegerField(
        label=_("Registered residents"), min_value=0, initial=0, required=False
    )
    newcomers = forms.IntegerField(
        label=_("Floating residents"), min_value=0, initial=0, required=False
    )

    def __init__(self, *args, parent=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["level"]
        elif parent is not None:
            allowed = CHILD_LEVELS[parent.level]
            self.fields["level"].choices = [c for c in RegionLevel.choices if c[0] in allowed]


class RegionMoveForm(BootstrapMixin, forms.Form):
    new_parent = forms.ModelChoiceField(label=_("New parent region"), queryset=None)

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents
