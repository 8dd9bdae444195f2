"""R17 as a rule function: the share of excellent grades (WARN above one third)."""

from __future__ import annotations

from fractions import Fraction

from django.utils.translation import gettext as _

from gangwan.core.errors import Finding

# "优秀" is normally at most a third of the members graded (R17: "一般", so a warning, not a cap).
EXCELLENT_SHARE_MAX = Fraction(1, 3)


def excellent_over_share(*, excellent: int, graded: int) -> bool:
    return graded > 0 and Fraction(excellent, graded) > EXCELLENT_SHARE_MAX


def r17_excellent_share(*, excellent: int, graded: int) -> list[Finding]:
    if not excellent_over_share(excellent=excellent, graded=graded):
        return []
    return [
        Finding(
            "R17",
            "warn",
            _(
                "R17: %(n)s of %(total)s graded members are excellent, more than a third; "
                "normally at most a third are."
            )
            % {"n": excellent, "total": graded},
        )
    ]
