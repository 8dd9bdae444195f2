"""Quorum and pass thresholds of organizational life (R10, R11, R19), as pure functions.

The base is always the expected base (应到): members expected at the meeting, less those exempt
from attendance (R19). Only voting members (R23: full members, not activity-certificate holders
at an inflow organization) count for a general meeting's quorum and its motions.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import ActivityKind, AttendanceStatus


@dataclass(frozen=True)
class Counts:
    expected: int  # 应到: expected members less the exempt
    present: int  # 实到
    on_leave: int
    absent: int
    exempt: int
    voting_expected: int  # voting members who should attend
    voting_present: int


def counts(rows) -> Counts:
    """`rows`: iterables of (status, has_vote), e.g. attendance records."""
    n = {s: 0 for s in AttendanceStatus.values}
    ve = vp = 0
    for status, has_vote in rows:
        n[status] += 1
        if has_vote and status != AttendanceStatus.EXEMPT:
            ve += 1
            if status == AttendanceStatus.PRESENT:
                vp += 1
    expected = n["present"] + n["on_leave"] + n["absent"]
    return Counts(expected, n["present"], n["on_leave"], n["absent"], n["exempt"], ve, vp)


def more_than_half(part: int, whole: int) -> bool:
    return whole > 0 and 2 * part > whole


def general_meeting_quorum(*, voting_present: int, voting_expected: int) -> bool:
    """R10: a general meeting may vote with more than half of its voting members present."""
    return more_than_half(voting_present, voting_expected)


def motion_passes(*, yes: int, voting_expected: int) -> bool:
    """R10: a motion passes when yes-votes exceed half of the voting members who SHOULD attend."""
    return more_than_half(yes, voting_expected)


def committee_quorum(*, present: int, expected: int) -> bool:
    """R11: a committee meeting is valid with more than half of the committee members present."""
    return more_than_half(present, expected)


def votes_fit(*, yes: int, no: int, abstain: int, voting_present: int) -> bool:
    """A decision's counts may not exceed the voting members present."""
    return yes + no + abstain <= voting_present


def pass_threshold(whole: int) -> int:
    """The smallest number that is more than half of `whole`."""
    return whole // 2 + 1


def quorum_of(kind: str, c: Counts) -> tuple[bool | None, int, int]:
    """(valid?, present counted, base) for kinds with a quorum rule; (None, …) otherwise."""
    if kind == ActivityKind.COMMITTEE_MEETING:
        return committee_quorum(present=c.present, expected=c.expected), c.present, c.expected
    if kind == ActivityKind.GENERAL_MEETING:
        valid = general_meeting_quorum(
            voting_present=c.voting_present, voting_expected=c.voting_expected
        )
        return valid, c.voting_present, c.voting_expected
    return None, c.present, c.expected
