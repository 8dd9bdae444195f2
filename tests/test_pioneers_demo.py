"""The pioneers' story in the demo district (demo/story_pioneers.py): the finished 2013 selection
with its 30 pioneers — the police officer who cared for orphans for 15 years among them — and a
realistic turnout whose live counts equal the ballots; and an open selection with an open poll."""

import pytest

from gangwan.demo.services import demo_load
from gangwan.pioneers import polls
from gangwan.pioneers.models import Phase, Pioneer, Selection
from gangwan.pioneers.services import ranking_compute


@pytest.fixture
def demo(db):
    demo_load(seed=2013, scale=0.05)


def test_the_2013_selection_announced_30_pioneers_with_the_police_officer(demo):
    s = Selection.objects.get(title="2013年度区域党员服务先锋评选")
    assert s.phase == Phase.ANNOUNCED and s.quota == 30
    assert Pioneer.objects.filter(selection=s).count() == 30
    officer = Pioneer.objects.get(selection=s, nomination__headline__contains="孤儿")
    assert "十五年" in officer.nomination.deeds
    assert officer.learnings.count() >= 1
    assert s.objections.filter(answered_at__isnull=True).count() == 0
    assert s.notice_ends_on > s.notice_starts_on and s.announced_on > s.notice_ends_on


def test_the_demo_turnout_is_consistent_and_the_ranking_reproducible(demo):
    from gangwan.voting.models import Ballot, BallotChoice
    from gangwan.voting.services import counts_from_ballots, live_counts

    s = Selection.objects.get(title="2013年度区域党员服务先锋评选")
    poll = polls.poll_of(s)
    ballots = Ballot.objects.filter(poll=poll)
    assert ballots.count() >= 400
    assert BallotChoice.objects.filter(ballot__poll=poll).count() > ballots.count()
    assert counts_from_ballots(poll) == live_counts(poll)
    days = polls.turnout_by_day(selection=s)
    assert len(days) >= 5
    votes = polls.votes_by_nomination(selection=s)
    approved = list(s.nominations.filter(state="approved"))
    ranked = ranking_compute(
        rows=[(n.pk, votes.get(n.pk, 0), n.committee_score) for n in approved],
        vote_weight=s.vote_weight,
        committee_weight=s.committee_weight,
    )
    assert [r.nomination_id for r in ranked] == list(
        s.nominations.filter(state="approved").order_by("rank").values_list("pk", flat=True)
    )


def test_an_open_selection_has_an_open_poll_to_try(demo):
    s = Selection.objects.get(phase=Phase.VOTING)
    poll = polls.poll_of(s)
    assert poll.is_open() and poll.candidates.count() >= 6
    assert poll.owner_ref == f"pioneers.selection:{s.pk}"
