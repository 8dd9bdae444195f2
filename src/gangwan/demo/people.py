"""Invented people and identifiers for the demo: names, ID numbers, phones, credit codes.

ID numbers are valid GB 11643 numbers whose area code starts with the test prefix 99, which no
real person has; birth date and gender are read back from them. Credit codes are valid GB 32100
codes (with a GB 11714 organization code inside). All draws come from the generator's own
random.Random, so the same seed gives the same people.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from itertools import accumulate

from gangwan.core.validators import CREDIT_CHARS, credit_code_check_char, id_number_check_char

from . import names

ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
# Characters allowed in an organization-code body that also fit a credit code.
ORG_CODE_CHARS = [c for c in CREDIT_CHARS if c != "X"]
# Registration authority + kind, the first two characters of a credit code (GB 32100).
CREDIT_PREFIX = {
    "private_enterprise": "91",
    "state_enterprise": "91",
    "foreign_enterprise": "91",
    "agency": "11",
    "institution": "12",
    "social_organization": "51",
    "village": "54",
    "community": "55",
}


def org_code_check_char(body8: str) -> str:
    """GB 11714 check character of an 8-character organization code body."""
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True)
    )
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class Weighted:
    """Draw keys of a {key: weight} mapping (in the mapping's written order, so draws are stable)."""

    def __init__(self, weights: dict):
        self.keys = list(weights)
        self.cum = list(accumulate(weights.values()))

    def draw(self, rng: random.Random):
        return self.keys[bisect(self.cum, rng.random() * self.cum[-1])]


class People:
    """Makes unique ID numbers, phones and credit codes, and plausible names and dates."""

    def __init__(self, rng: random.Random, reference: dt.date):
        self.rng = rng
        self.reference = reference
        self.local_surnames = Weighted(names.SURNAMES_LOCAL)
        self.national_surnames = Weighted(names.SURNAMES_NATIONAL)
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.credit_codes: set[str] = set()

    # --- people ------------------------------------------------------------------------------
    def name(self, gender: str, birth: dt.date, local: bool = True) -> str:
        surnames = self.local_surnames if local else self.national_surnames
        era = 0 if birth.year < 1965 else 1 if birth.year < 1985 else 2
        while True:
            name = surnames.draw(self.rng) + self.rng.choice(names.GIVEN[(gender, era)])
            if name not in names.FORBIDDEN_FULL_NAMES:
                return name

    def id_number(self, area: str, birth: dt.date, gender: str) -> str:
        for _ in range(1000):
            seq = self.rng.randrange(0, 500) * 2 + (1 if gender == "male" else 0)
            first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number
        raise RuntimeError("no free ID number left for this area, birth date and gender")

    def phone(self) -> str:
        while True:
            p = self.rng.choice(names.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if p not in self.phones:
                self.phones.add(p)
                return p

    def joined_on(self, birth: dt.date, *, latest: dt.date) -> dt.date:
        """A joining date between the 18th birthday (often later) and `latest`."""
        earliest = add_years(birth, 18 + int(self.rng.random() * 8))
        if earliest >= latest:
            earliest = add_years(birth, 18)
        if earliest >= latest:
            return latest
        return earliest + dt.timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    # --- units -------------------------------------------------------------------------------
    def credit_code(self, kind: str, area_code: str = "330206") -> str:
        prefix = CREDIT_PREFIX[kind]
        while True:
            if prefix == "91" and self.rng.random() < 0.55:
                body = "MA2" + "".join(self.rng.choice(ORG_CODE_CHARS) for _ in range(5))
            elif prefix == "91":
                body = self.rng.choice("0367") + "".join(
                    self.rng.choice("0123456789") for _ in range(7)
                )
            elif prefix in ("54", "55"):
                body = "ME" + "".join(self.rng.choice(ORG_CODE_CHARS) for _ in range(6))
            else:
                body = "00" + "".join(self.rng.choice("0123456789") for _ in range(6))
            first17 = prefix + area_code + body + org_code_check_char(body)
            code = first17 + credit_code_check_char(first17)
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code
