"""R45's arithmetic, kept pure so tests can name each boundary: the score of a sheet, the stars
of a score by the band, the 5★ share, one step up, and the end of the public notice."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from gangwan.core.errors import Finding

TWO = Decimal("0.01")


def _d(value) -> Decimal:
    return Decimal(str(value or 0))


def sheet_total(criteria, points: dict) -> Decimal:
    """Sum of points × weight over the scored and innovation criteria, each capped at its max."""
    total = Decimal(0)
    for c in criteria:
        if c.kind == "veto":
            continue
        p = min(max(_d(points.get(str(c.pk))), Decimal(0)), _d(c.max_points))
        total += p * _d(c.weight)
    return total.quantize(TWO, ROUND_HALF_UP)


def stars_for(
    score, *, bands, vetoed: bool = False, innovation: bool = True, needs_innovation: bool = True
) -> int:
    """The stars a score earns: the highest band whose minimum it reaches. A veto item gives 0
    (one-strike veto); five stars also need points on the innovation item."""
    if vetoed:
        return 0
    score = _d(score)
    for stars, minimum in sorted(bands, key=lambda b: -b[0]):
        if score >= _d(minimum):
            if stars == 5 and needs_innovation and not innovation:
                continue
            return int(stars)
    return 0


def blend(reviewer_average, satisfaction, weight_percent: int, max_total) -> Decimal:
    """The final score: the reviewers' average, blended with satisfaction (0–100, scaled to the
    scheme's maximum) by its weight. No satisfaction figure → the weight counts as 0."""
    avg = _d(reviewer_average)
    if satisfaction is None or not weight_percent:
        return avg.quantize(TWO, ROUND_HALF_UP)
    w = Decimal(weight_percent) / 100
    sat = _d(satisfaction) * _d(max_total) / 100
    return (avg * (1 - w) + sat * w).quantize(TWO, ROUND_HALF_UP)


def five_star_cap(share_percent: int, assessed: int) -> int:
    return math.floor(assessed * share_percent / 100)


def five_star_finding(*, stars: int, share_percent: int, assessed: int, held: int):
    """R45: five stars only while the year's five-star awards stay within the share cap of the
    organizations assessed that year in the district."""
    if stars != 5:
        return None
    cap = five_star_cap(share_percent, assessed)
    if held + 1 > cap:
        return Finding(
            "R45",
            "hard",
            _(
                "R45: the five-star share is capped at %(share)s%% of the %(assessed)s "
                "organizations assessed this year, that is %(cap)s; %(held)s already hold five "
                "stars."
            )
            % {"share": share_percent, "assessed": assessed, "cap": cap, "held": held},
        )
    return None


def one_step_finding(*, stars: int, previous: int | None):
    """R45: stars rise at most one step over the previous rating (they may fall any number)."""
    if previous is None or stars <= previous + 1:
        return None
    return Finding(
        "R45",
        "hard",
        _(
            "R45: stars go up one step at a time: the base holds %(prev)s stars, so at most "
            "%(max)s can be awarded."
        )
        % {"prev": previous, "max": previous + 1},
    )


def notice_end(start: dt.date, days: int, working_days: bool) -> dt.date:
    """The last day of a notice of `days` days from `start` (inclusive); working days skip
    Saturdays and Sundays."""
    if not working_days:
        return start + dt.timedelta(days=days - 1)
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == days:
                return day
        day += dt.timedelta(days=1)
