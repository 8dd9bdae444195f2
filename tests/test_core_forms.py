"""FastSelect renders what Django's Select renders: the same options, escaped, one selected."""

import re

from django import forms

from gangwan.core.forms import FastSelect

CHOICES = [("", "All"), ("1", "<b>高塘</b>"), ("2", "青峙 & 大港")]


class _Form(forms.Form):
    fast = forms.ChoiceField(choices=CHOICES, widget=FastSelect, required=False)
    slow = forms.ChoiceField(choices=CHOICES, required=False)


def _options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>[^<]*</option>", re.sub(r"\s+(?=<)", "", html))


def test_fast_select_renders_the_same_options_as_select():
    form = _Form({"fast": "2", "slow": "2"})
    fast, slow = str(form["fast"]), str(form["slow"])
    assert _options(fast) == _options(slow)
    assert '<option value="2" selected>青峙 &amp; 大港</option>' in fast
    assert "&lt;b&gt;高塘&lt;/b&gt;" in fast and "<b>" not in fast
    assert 'name="fast"' in fast and 'id="id_fast"' in fast
