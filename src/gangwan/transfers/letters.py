"""Letter numbers (介绍信编号): per issuing committee and year, e.g. 北仑组转〔2026〕0012号.

A counter row per issuer and year is incremented with UPDATE … SET last = last + 1 inside the
issuing transaction: the row stays locked until that transaction ends, so concurrent issues queue
and get consecutive numbers; unique constraints on the transfer back this up.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gangwan.organizations.models import Organization

from .base import ISSUING_KINDS
from .models import LetterCounter

_PARTY = re.compile(r"^(中国共产党|中共)")
_BODY = (
    "工作委员会",
    "委员会",
    "党工委",
    "党委",
    "党总支",
    "总支部",
    "党支部",
    "支部",
    "区委",
    "县委",
    "市委",
)
_PLACE = ("街道", "社区", "区", "县", "镇", "乡", "村", "市")


def letter_short_name(name: str) -> str:
    """ "中共北仑区委" → "北仑", "新碶街道党工委" → "新碶", "高塘社区党委" → "高塘"."""
    s = _PARTY.sub("", name.strip())
    for suffix in _BODY:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    for suffix in _PLACE:
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            s = s[: -len(suffix)]
            break
    return s[:10]


def letter_number(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}〔{year}〕{seq:04d}号"


def letter_issuer(organization: Organization) -> Organization:
    """Letters are issued by the grassroots committee: the organization itself or its nearest
    ancestor that is a committee or working committee."""
    if organization.kind in ISSUING_KINDS:
        return organization
    issuer = organization.ancestors().filter(kind__in=ISSUING_KINDS).order_by("-depth").first()
    return issuer or organization


def _counter(issuer: Organization, year: int) -> LetterCounter:
    counter = LetterCounter.objects.filter(organization=issuer, year=year).first()
    if counter is not None:
        return counter
    base = letter_short_name(issuer.name) or str(issuer.pk)
    for prefix in (f"{base}组转", f"{base}{issuer.pk}组转"):
        try:
            with transaction.atomic():
                return LetterCounter.objects.create(
                    organization=issuer, year=year, prefix=prefix, last=0
                )
        except IntegrityError:
            # Another request made this issuer's counter first, or another issuer has the prefix.
            counter = LetterCounter.objects.filter(organization=issuer, year=year).first()
            if counter is not None:
                return counter
    raise ValidationError(_("No letter number could be given; try again."))


def letter_next_number(issuer: Organization, year: int) -> tuple[str, int]:
    """The next letter number of `issuer` in `year`. The UPDATE takes the counter row's lock until
    the issuing transaction ends, so concurrent issues get consecutive numbers, never the same."""
    counter = _counter(issuer, year)
    LetterCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    prefix, seq = LetterCounter.objects.filter(pk=counter.pk).values_list("prefix", "last").get()
    return letter_number(prefix, year, seq), seq
