"""Service pioneers (SPEC §5): a district selection from nomination to announcement, and every
refusal: a nominee who is not a full member, an out-of-scope review, phases out of order, an
unanswered objection blocking the announcement. The ranking combines the normalized vote share
and the committee score with the selection's weights."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gangwan.activities.models import Activity
from gangwan.core.audit import history_for
from gangwan.core.notifications import ConsoleSmsGateway
from gangwan.core.scopes import scope_for
from gangwan.pioneers import polls, services
from gangwan.pioneers.models import Nomination, Phase, Pioneer, Review
from tests import factories as f


class PioneersWorld:
    """The conftest district with a branch in 高塘 and one in 青峙, their secretaries, a district
    admin, a district reviewer, a street admin of 小港 and a reviewer of another district."""

    def __init__(self, d):
        self.d = d
        self.gaotang_branch = f.organization(
            "高塘社区第一支部", "branch", d.gaotang, d.gaotang_committee
        )
        self.qingzhi_branch = f.organization(
            "青峙社区第一支部", "branch", d.qingzhi, d.qingzhi_committee
        )
        self.officer = f.member(self.gaotang_branch, "陈建国")  # the police officer
        self.gaotang_full = [f.member(self.gaotang_branch) for _ in range(3)]
        self.probationary = f.member(self.gaotang_branch, "李新", status="probationary")
        self.qingzhi_full = [f.member(self.qingzhi_branch) for _ in range(3)]
        self.admin = f.user("pioneers_admin", "district_admin", region=d.district)
        self.reviewer = f.user("pioneers_reviewer", "reviewer", region=d.district)
        self.reviewer2 = f.user("pioneers_reviewer2", "reviewer", region=d.district)
        self.gaotang_sec = f.user("gaotang_sec", "secretary", organization=self.gaotang_branch)
        self.qingzhi_sec = f.user("qingzhi_sec", "secretary", organization=self.qingzhi_branch)
        self.street_admin = f.user("xiaogang_admin", "street_admin", region=d.xiaogang)
        self.zhenhai = f.district("镇海区")
        self.outsider_reviewer = f.user("zhenhai_reviewer", "reviewer", region=self.zhenhai)
        self.outsider_admin = f.user("zhenhai_admin", "district_admin", region=self.zhenhai)

    def scope(self, user):
        return scope_for(user)

    def selection(self, quota=2, **kw):
        now = timezone.now()
        s = services.selection_create(
            actor=self.admin,
            scope=self.scope(self.admin),
            title="2013年度区域党员服务先锋评选",
            region=self.d.district,
            quota=quota,
            nominations_close_on=timezone.localdate() + dt.timedelta(days=1),
            review_close_on=timezone.localdate() + dt.timedelta(days=2),
            vote_opens_at=kw.pop("vote_opens_at", now + dt.timedelta(days=3)),
            vote_closes_at=kw.pop("vote_closes_at", now + dt.timedelta(days=10)),
            **kw,
        )
        return services.selection_open(actor=self.admin, selection=s)

    def nominate(self, s, member, sec=None, org=None, **kw):
        sec = sec or (
            self.gaotang_sec if member.organization == self.gaotang_branch else self.qingzhi_sec
        )
        return services.nomination_submit(
            actor=sec,
            scope=self.scope(sec),
            selection=s,
            organization=org or member.organization,
            nominee=member,
            deeds=kw.pop("deeds", "十五年如一日照顾辖区孤儿。"),
            opinion=kw.pop("opinion", "支部委员会一致同意推荐。"),
            **kw,
        )

    def review(self, n, score, decision="approve", reviewer=None):
        return services.review_submit(
            actor=reviewer or self.reviewer,
            nomination=n,
            decision=decision,
            score=score,
            reason="事迹突出" if decision == "approve" else "事迹不够突出",
        )

    def to_voting(self, quota=2):
        """A selection whose review concluded: officer 90, two more approved, one rejected."""
        s = self.selection(quota=quota)
        noms = [
            self.nominate(s, self.officer),
            self.nominate(s, self.gaotang_full[0]),
            self.nominate(s, self.qingzhi_full[0]),
            self.nominate(s, self.qingzhi_full[1]),
        ]
        services.selection_start_review(actor=self.admin, selection=s)
        for n, score in zip(noms[:3], (90, 80, 60), strict=True):
            self.review(n, score)
        self.review(noms[3], 40, "reject")
        services.selection_start_vote(actor=self.admin, selection=s)
        return s, noms

    def cast(self, s, noms_votes: dict):
        """Ballots through the voting app's services, one voter each, during the vote."""
        from gangwan.voting import services as voting

        poll = polls.poll_of(s)
        when = s.vote_opens_at + dt.timedelta(hours=1)
        i = 0
        for n, count in noms_votes.items():
            n.refresh_from_db()
            for _ in range(count):
                i += 1
                voting.ballot_cast(
                    poll=poll, voter_key=f"voter-{n.pk}-{i}", choices=[n.candidate_id], now=when
                )

    def rank(self, s):
        return services.selection_rank(
            actor=self.admin, selection=s, now=s.vote_closes_at + dt.timedelta(minutes=1)
        )


@pytest.fixture(autouse=True)
def _english():
    # Refusals are checked by their English text; the UI's default language is Chinese.
    with translation.override("en"):
        yield


@pytest.fixture
def world(district):
    return PioneersWorld(district)


def test_the_2013_selection_from_nomination_to_announcement(world):
    s, noms = world.to_voting(quota=2)
    s.refresh_from_db()
    assert s.phase == Phase.VOTING and s.poll_id
    states = dict(Nomination.objects.values_list("nominee__name", "state"))
    assert states["陈建国"] == "approved"
    assert sorted(states.values()).count("rejected") == 1
    poll = polls.poll_of(s)
    assert poll.owner_ref == f"pioneers.selection:{s.pk}"
    assert sorted(poll.candidates.values_list("ref", flat=True)) == sorted(
        f"pioneers.nomination:{n.pk}" for n in noms[:3]
    )
    world.cast(s, {noms[0]: 8, noms[1]: 2, noms[2]: 10})
    world.rank(s)
    proposed = list(s.nominations.filter(proposed=True).order_by("rank"))
    assert [n.nominee.name for n in proposed][0] == "陈建国"
    assert len(proposed) == 2
    services.selection_start_notice(actor=world.admin, selection=s, starts_on=dt.date(2013, 6, 3))
    s.refresh_from_db()
    # Monday 3 June + 5 working days → Friday 7 June.
    assert (s.notice_starts_on, s.notice_ends_on) == (dt.date(2013, 6, 3), dt.date(2013, 6, 7))
    services.selection_announce(actor=world.admin, selection=s, today=dt.date(2013, 6, 10))
    s.refresh_from_db()
    assert s.phase == Phase.ANNOUNCED
    assert (
        list(Pioneer.objects.order_by("rank").values_list("member__name", flat=True))[0] == "陈建国"
    )
    assert [e.action for e in history_for(s)].count("pioneers.selection.announced") == 1


def test_ranking_weights_the_normalized_vote_share_and_the_committee_score():
    rows = [(1, 100, Decimal("60")), (2, 50, Decimal("100")), (3, 0, Decimal("95"))]
    # 0.4 × votes/100 + 0.6 × score/100
    ranked = services.ranking_compute(
        rows=rows, vote_weight=Decimal("0.40"), committee_weight=Decimal("0.60")
    )
    assert [(r.nomination_id, r.combined) for r in ranked] == [
        (2, Decimal("0.8000")),  # 0.4 × 0.5 + 0.6 × 1.0
        (1, Decimal("0.7600")),  # 0.4 × 1.0 + 0.6 × 0.6
        (3, Decimal("0.5700")),  # 0.4 × 0   + 0.6 × 0.95
    ]
    # Weigh the vote more and the vote leader wins.
    ranked = services.ranking_compute(
        rows=rows, vote_weight=Decimal("0.70"), committee_weight=Decimal("0.30")
    )
    assert [r.nomination_id for r in ranked] == [1, 2, 3]
    assert [r.rank for r in ranked] == [1, 2, 3]


def test_ranking_breaks_ties_by_committee_score_then_votes():
    rows = [(1, 10, Decimal("50")), (2, 0, Decimal("90")), (3, 10, Decimal("50"))]
    ranked = services.ranking_compute(
        rows=rows, vote_weight=Decimal("0.50"), committee_weight=Decimal("0.50")
    )
    # 1 and 3: 0.75; 2: 0.45. Equal 1 and 3 keep the earlier nomination first.
    assert [r.nomination_id for r in ranked] == [1, 3, 2]


def test_the_ranking_of_a_selection_uses_its_weights(world):
    s, noms = world.to_voting(quota=1)
    world.cast(s, {noms[0]: 2, noms[1]: 1, noms[2]: 10})
    world.rank(s)
    by_name = {n.nominee.name: n for n in s.nominations.filter(state="approved")}
    officer = by_name["陈建国"]
    # 0.4 × 2/10 + 0.6 × 0.90 = 0.62; 青峙: 0.4 × 1 + 0.6 × 0.60 = 0.76
    assert officer.combined_score == Decimal("0.6200")
    leader = s.nominations.get(rank=1)
    assert leader.nominee == world.qingzhi_full[0] and leader.proposed
    assert leader.combined_score == Decimal("0.7600") and leader.votes == 10


def test_weights_must_add_up_to_one_and_the_vote_cannot_be_the_sole_basis(world):
    with pytest.raises(ValidationError) as e:
        world.selection(vote_weight="1.00", committee_weight="0.00")
    assert "vote_weight" in e.value.message_dict
    with pytest.raises(ValidationError):
        world.selection(vote_weight="0.50", committee_weight="0.60")


def test_a_probationary_member_cannot_be_nominated(world):
    s = world.selection()
    with pytest.raises(ValidationError) as e:
        world.nominate(s, world.probationary)
    assert "not a full member" in str(e.value)
    assert not Nomination.objects.exists()


def test_a_former_member_cannot_be_nominated(world):
    m = world.gaotang_full[2]
    m.archived_on = dt.date(2012, 1, 1)
    m.save()
    with pytest.raises(ValidationError):
        world.nominate(world.selection(), m)


def test_an_organization_nominates_only_its_own_members(world):
    s = world.selection()
    with pytest.raises(ValidationError) as e:
        world.nominate(s, world.qingzhi_full[0], sec=world.gaotang_sec, org=world.gaotang_branch)
    assert "not a member" in str(e.value)


def test_a_secretary_cannot_nominate_for_another_organization(world):
    s = world.selection()
    with pytest.raises(PermissionDenied):
        world.nominate(s, world.qingzhi_full[0], sec=world.gaotang_sec)


def test_one_nominee_is_nominated_once(world):
    s = world.selection()
    world.nominate(s, world.officer)
    with pytest.raises(ValidationError) as e:
        world.nominate(s, world.officer)
    assert "already nominated" in str(e.value)


def test_a_reviewer_of_another_district_is_refused(world):
    s = world.selection()
    n = world.nominate(s, world.officer)
    services.selection_start_review(actor=world.admin, selection=s)
    for outsider in (
        world.outsider_reviewer,
        world.outsider_admin,
        world.street_admin,
        world.gaotang_sec,
    ):
        with pytest.raises(PermissionDenied):
            world.review(n, 90, reviewer=outsider)
    assert not Review.objects.exists()
    world.review(n, 90, reviewer=world.admin)  # a district admin of this district reviews
    world.review(n, 85)
    assert Review.objects.count() == 2


def test_a_review_needs_a_reason_and_a_score_within_0_and_100(world):
    s = world.selection()
    n = world.nominate(s, world.officer)
    services.selection_start_review(actor=world.admin, selection=s)
    with pytest.raises(ValidationError) as e:
        services.review_submit(
            actor=world.reviewer, nomination=n, decision="approve", score=101, reason=" "
        )
    assert set(e.value.message_dict) == {"score", "reason"}
    world.review(n, 70)
    world.review(n, 75)  # the same reviewer changes its mind: still one review
    assert list(Review.objects.values_list("score", flat=True)) == [75]


def test_phases_out_of_order_are_refused(world):
    s = world.selection()
    n = world.nominate(s, world.officer)
    with pytest.raises(ValidationError, match="out of order"):
        world.review(n, 90)  # still nominating
    with pytest.raises(ValidationError, match="out of order"):
        services.selection_start_vote(actor=world.admin, selection=s)
    with pytest.raises(ValidationError, match="out of order"):
        services.selection_announce(actor=world.admin, selection=s)
    with pytest.raises(ValidationError, match="out of order"):
        services.selection_open(actor=world.admin, selection=s)
    services.selection_start_review(actor=world.admin, selection=s)
    with pytest.raises(ValidationError, match="out of order"):
        world.nominate(s, world.gaotang_full[0])  # nominations have closed
    s.refresh_from_db()
    assert s.phase == Phase.REVIEWING


def test_the_vote_cannot_start_before_every_nomination_is_reviewed(world):
    s = world.selection()
    a = world.nominate(s, world.officer)
    world.nominate(s, world.gaotang_full[0])
    services.selection_start_review(actor=world.admin, selection=s)
    world.review(a, 90)
    with pytest.raises(ValidationError, match="Not reviewed"):
        services.selection_start_vote(actor=world.admin, selection=s)
    s.refresh_from_db()
    assert s.phase == Phase.REVIEWING and s.poll_id is None


def test_ranking_waits_for_the_vote_to_close(world):
    s, _n = world.to_voting()
    with pytest.raises(ValidationError, match="closes at"):
        services.selection_rank(
            actor=world.admin, selection=s, now=s.vote_closes_at - dt.timedelta(seconds=1)
        )


def test_an_unanswered_objection_blocks_the_announcement(world, django_capture_on_commit_callbacks):
    s, noms = world.to_voting(quota=2)
    world.cast(s, {noms[0]: 3})
    world.rank(s)
    services.selection_start_notice(actor=world.admin, selection=s, starts_on=dt.date(2013, 6, 3))
    officer = s.nominations.get(nominee=world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        obj = services.objection_submit(
            selection=s, nomination=officer, text="请核实其事迹中的年份。", phone="13912345678"
        )
    text = [t for p, t in ConsoleSmsGateway.outbox if p == "13912345678"][-1]
    services.objection_verify(objection=obj, code=re.search(r"\d{6}", text).group())
    with pytest.raises(ValidationError, match="not answered"):
        services.selection_announce(actor=world.admin, selection=s, today=dt.date(2013, 6, 10))
    s.refresh_from_db()
    assert s.phase == Phase.ON_NOTICE and not Pioneer.objects.exists()
    services.objection_answer(
        actor=world.admin,
        scope=world.scope(world.admin),
        objection=obj,
        answer="经核实，事迹属实。",
    )
    services.selection_announce(actor=world.admin, selection=s, today=dt.date(2013, 6, 10))
    assert Pioneer.objects.count() == 2


def test_an_unverified_objection_does_not_block(world):
    s, noms = world.to_voting(quota=2)
    world.rank(s)
    services.selection_start_notice(actor=world.admin, selection=s, starts_on=dt.date(2013, 6, 3))
    services.objection_submit(
        selection=s, nomination=s.nominations.get(rank=1), text="无理由", phone="13912345670"
    )
    services.selection_announce(actor=world.admin, selection=s, today=dt.date(2013, 6, 10))
    assert Pioneer.objects.count() == 2


def test_the_announcement_waits_for_the_notice_to_end(world):
    s, _n = world.to_voting()
    world.rank(s)
    services.selection_start_notice(actor=world.admin, selection=s, starts_on=dt.date(2013, 6, 3))
    with pytest.raises(ValidationError, match="runs until 2013-06-07"):
        services.selection_announce(actor=world.admin, selection=s, today=dt.date(2013, 6, 7))


def test_an_objection_out_of_the_notice_or_about_someone_not_proposed_is_refused(world):
    s, noms = world.to_voting(quota=1)
    with pytest.raises(ValidationError, match="out of order"):
        services.objection_submit(selection=s, nomination=noms[0], text="x", phone="13912345678")
    world.rank(s)
    services.selection_start_notice(actor=world.admin, selection=s)
    not_proposed = s.nominations.filter(proposed=False).first()
    with pytest.raises(ValidationError):
        services.objection_submit(
            selection=s, nomination=not_proposed, text="x", phone="13912345678"
        )


def test_working_days_skip_weekends():
    assert services.add_working_days(dt.date(2013, 6, 7), 5) == dt.date(2013, 6, 13)  # Fri→Thu
    assert services.add_working_days(dt.date(2013, 6, 8), 5) == dt.date(2013, 6, 14)  # Sat→Fri


def test_learning_activities_link_to_a_pioneer(world):
    s, noms = world.to_voting(quota=1)
    world.rank(s)
    services.selection_start_notice(actor=world.admin, selection=s, starts_on=dt.date(2013, 6, 3))
    services.selection_announce(actor=world.admin, selection=s, today=dt.date(2013, 6, 10))
    pioneer = Pioneer.objects.get()
    learning = Activity.objects.create(
        organization=world.qingzhi_branch,
        kind="exemplar_learning",
        held_on=dt.date(2013, 7, 1),
        topic="听看评讲：学习身边的服务先锋",
    )
    meeting = Activity.objects.create(
        organization=world.qingzhi_branch,
        kind="general_meeting",
        held_on=dt.date(2013, 7, 2),
        topic="支部党员大会",
    )
    sec = world.qingzhi_sec
    with pytest.raises(ValidationError):
        services.learning_link(actor=sec, scope=world.scope(sec), pioneer=pioneer, activity=meeting)
    with pytest.raises(PermissionDenied):
        services.learning_link(
            actor=world.gaotang_sec,
            scope=world.scope(world.gaotang_sec),
            pioneer=pioneer,
            activity=learning,
        )
    link = services.learning_link(
        actor=sec, scope=world.scope(sec), pioneer=pioneer, activity=learning
    )
    assert list(pioneer.learnings.all()) == [link]


def test_ranking_waits_for_the_poll_when_its_closing_time_is_later(world):
    s, noms = world.to_voting()
    poll = polls.poll_of(s)
    type(poll).objects.filter(pk=poll.pk).update(closes_at=s.vote_closes_at + dt.timedelta(days=2))
    with pytest.raises(ValidationError, match="closes at"):
        services.selection_rank(
            actor=world.admin, selection=s, now=s.vote_closes_at + dt.timedelta(minutes=1)
        )
    s.refresh_from_db()
    assert s.phase == Phase.VOTING


def test_ranking_recounts_the_ballots_instead_of_trusting_live_counters(world):
    from gangwan.voting.models import Tally

    s, noms = world.to_voting(quota=1)
    world.cast(s, {noms[1]: 3, noms[0]: 1})
    # The live counters drift (e.g. a lost update): the officer appears to lead.
    n0 = Nomination.objects.get(pk=noms[0].pk)
    Tally.objects.filter(candidate_id=n0.candidate_id, shard=0).update(votes=1000)
    world.rank(s)
    ranked = {n.pk: n for n in s.nominations.filter(state="approved")}
    assert ranked[noms[0].pk].votes == 1 and ranked[noms[1].pk].votes == 3
    assert "voting.poll_recount" in {e.action for e in history_for(polls.poll_of(s))}


def test_a_refused_nomination_leaves_no_photo_files(world, settings, tmp_path, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gangwan.pioneers.models import NominationPhoto
    from tests.test_pioneers_views import PNG

    settings.MEDIA_ROOT = tmp_path
    s = world.selection()

    def photos():
        return [SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png") for i in range(2)]

    saves = {"n": 0}
    real_save = NominationPhoto.save

    def failing_save(self, *a, **kw):  # the second photo's row cannot be saved
        saves["n"] += 1
        if saves["n"] == 2:
            raise ValidationError("storage refused")
        return real_save(self, *a, **kw)

    monkeypatch.setattr(NominationPhoto, "save", failing_save)
    with pytest.raises(ValidationError):
        world.nominate(s, world.officer, photos=photos())
    assert not Nomination.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    # The same with photos added to an existing nomination.
    monkeypatch.setattr(NominationPhoto, "save", real_save)
    n = world.nominate(s, world.officer)
    saves["n"] = 0
    monkeypatch.setattr(NominationPhoto, "save", failing_save)
    with pytest.raises(ValidationError):
        services.nomination_photos_add(
            actor=world.gaotang_sec,
            scope=world.scope(world.gaotang_sec),
            nomination=n,
            photos=photos(),
        )
    assert n.photos.count() == 0
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
