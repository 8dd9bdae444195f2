"""R10/R11/R19 thresholds of organizational life as pure functions."""

from gangwan.activities import rules


def test_r10_quorum_needs_more_than_half_of_voting_members():
    assert not rules.general_meeting_quorum(voting_present=5, voting_expected=10)
    assert rules.general_meeting_quorum(voting_present=6, voting_expected=10)
    assert rules.general_meeting_quorum(voting_present=6, voting_expected=11)
    assert not rules.general_meeting_quorum(voting_present=0, voting_expected=0)


def test_r10_motion_passes_against_those_who_should_attend_not_present():
    # 20 should attend, 12 present: 8 yes of 12 present is a majority of those present, not enough.
    assert not rules.motion_passes(yes=8, voting_expected=20)
    assert not rules.motion_passes(yes=10, voting_expected=20)
    assert rules.motion_passes(yes=11, voting_expected=20)


def test_r10_exempt_members_leave_the_base_r19():
    c = rules.counts([("present", True)] * 4 + [("exempt", True)] * 3 + [("absent", True)] * 3)
    assert (c.expected, c.voting_expected, c.voting_present) == (7, 7, 4)
    assert rules.quorum_of("general_meeting", c) == (True, 4, 7)


def test_r10_members_without_a_vote_do_not_count_for_the_quorum():
    c = rules.counts([("present", False)] * 5 + [("present", True)] * 2 + [("absent", True)] * 3)
    assert (c.present, c.voting_present, c.voting_expected) == (7, 2, 5)
    assert rules.quorum_of("general_meeting", c)[0] is False


def test_r11_committee_meeting_needs_more_than_half_of_committee_members():
    assert not rules.committee_quorum(present=2, expected=4)
    assert rules.committee_quorum(present=3, expected=5)
    c = rules.counts([("present", True)] * 2 + [("on_leave", True)] * 3)
    assert rules.quorum_of("committee_meeting", c) == (False, 2, 5)


def test_votes_may_not_exceed_voters_present():
    assert rules.votes_fit(yes=3, no=1, abstain=1, voting_present=5)
    assert not rules.votes_fit(yes=3, no=2, abstain=1, voting_present=5)
    assert rules.pass_threshold(20) == 11 and rules.pass_threshold(7) == 4
