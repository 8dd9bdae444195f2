"""R48 (three lists, all CONFIG) as the co-building app applies it: public posts are verified,
rate-limited and moderated; duplicates are refused; abusive wording is held; the need's states,
the council's votes and the project's completion refuse what does not hold."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gangwan.cobuild import projects, services
from gangwan.cobuild.models import Moderation, Need, NeedState
from gangwan.core.models import PhoneChallenge
from tests.test_cobuild_story import CobuildWorld, last_code, public_post

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(district):
    return CobuildWorld(district)


@pytest.fixture
def captured(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def _age_codes():
    """Codes to one phone are at least a minute apart: let a minute pass."""
    PhoneChallenge.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))


def _post(world, **kw):
    _age_codes()
    args = dict(
        actor=None,
        title="小区路灯坏了",
        text="芙蓉社区三号楼前路灯坏了两个月，晚上出行不安全",
        category="safety",
        region=world.furong,
        urgency="normal",
        poster_kind="resident",
        poster_name="赵先生",
        phone="13957419999",
        public=True,
    )
    args.update(kw)
    return services.need_post(**args)


def test_r48_a_duplicate_post_same_phone_near_identical_text_is_refused(world, captured):
    with captured(execute=True):
        _post(world)
    with pytest.raises(ValidationError) as exc:
        _post(world, text="芙蓉社区三号楼前路灯坏了两个月了，晚上出行很不安全！")
    assert exc.value.code == "duplicate"
    # Another text from the same phone, or the same text from another phone, is fine.
    with captured(execute=True):
        _post(world, title="楼道堆物", text="五号楼楼道堆满杂物，存在消防隐患，希望清理")
        _post(world, phone="13957418888")
    assert Need.objects.count() == 3


def test_r48_a_duplicate_is_refused_on_the_portal_with_a_message(world, captured):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert public_post(client, captured, world).status_code == 302
    _age_codes()
    again = public_post(Client(HTTP_ACCEPT_LANGUAGE="en"), captured, world)
    assert again.status_code == 422
    assert "already posted this need" in again.content.decode()
    assert Need.objects.count() == 1


def test_r48_abusive_wording_is_held_for_moderation_not_published(world, captured):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    resp = public_post(
        client,
        captured,
        world,
        title="物业就是骗子",
        text="物业收了钱不干活，全是骗子，路灯坏了两个月没人修",
        category="safety",
    )
    assert resp.status_code == 302
    client.post(reverse("cobuild_public:verify"), {"code": last_code("13957410001")})
    need = Need.objects.get()
    assert need.moderation == Moderation.HELD and "骗子" in need.moderation_note
    assert client.get(reverse("cobuild_public:thanks")).context["held"] is True
    assert client.get(reverse("cobuild_public:need", args=[need.pk])).status_code == 404
    # The moderator rejects it with a note; the poster is told.
    with pytest.raises(ValidationError):
        services.need_moderate(actor=world.admin, need=need, approve=False, note="")
    with captured(execute=True):
        services.need_moderate(
            actor=world.admin, need=need, approve=False, note="请文明用语后重新发布"
        )
    need.refresh_from_db()
    assert need.moderation == Moderation.REJECTED


def test_r48_public_posts_are_rate_limited_per_phone(world, captured, settings):
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "R48.needs_per_phone_per_day": 2,
    }
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for i, text in enumerate(
        ["路灯坏了需要维修的问题", "楼道堆物有消防隐患的问题", "健身器材损坏需要更换"]
    ):
        resp = public_post(client, captured, world, title=f"问题{i}", text=text, category="safety")
        if i < 2:
            assert resp.status_code == 302
        _age_codes()
    assert resp.status_code == 429 and "posted 2 needs today" in resp.content.decode()
    assert Need.objects.count() == 2


def test_a_wrong_code_keeps_the_need_unverified(world, captured):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    public_post(client, captured, world)
    code = last_code("13957410001")
    wrong = "000000" if code != "000000" else "111111"
    resp = client.post(reverse("cobuild_public:verify"), {"code": wrong})
    assert resp.status_code == 422
    assert Need.objects.get().moderation == Moderation.UNVERIFIED


def test_photos_must_be_images_and_at_most_three(world, captured):
    with pytest.raises(ValidationError):
        _post(world, photos=[SimpleUploadedFile("a.txt", b"hello world, not an image")])
    with pytest.raises(ValidationError):
        _post(world, photos=[SimpleUploadedFile(f"{i}.png", PNG) for i in range(4)])
    with captured(execute=True):
        need = _post(world, photos=[SimpleUploadedFile("a.png", PNG)])
    assert need.photos.get().content_type == "image/png"


def test_need_states_refuse_what_does_not_follow(world):
    need = _post(world, actor=world.admin, public=False, phone="")
    with pytest.raises(ValidationError):
        services.need_transition(actor=world.admin, need=need, to=NeedState.DONE)
    with pytest.raises(ValidationError):
        services.need_close(actor=world.admin, need=need, reason=" ")
    services.need_close(actor=world.admin, need=need, reason="已由物业解决")
    with pytest.raises(ValidationError):
        services.need_claim(actor=world.admin, need=need, resource=world.gateball_field)


def test_unpublished_needs_cannot_be_claimed(world, captured):
    with captured(execute=True):
        need = _post(world)
    with pytest.raises(ValidationError):
        services.need_claim(actor=world.admin, need=need, resource=world.gateball_field)


def _council(world, n=5):
    c = projects.council_create(
        actor=world.admin,
        region=world.furong,
        name="芙蓉社区和谐理事会",
        established_on=dt.date(2024, 1, 1),
    )
    seats = [
        projects.council_seat_add(
            actor=world.admin,
            council=c,
            name=f"理事{i}",
            constituency="residents",
            term_starts=dt.date(2024, 1, 1),
            term_ends=dt.date(2026, 12, 31) if i else dt.date(2024, 6, 30),
        )
        for i in range(n)
    ]
    return c, seats


def test_one_council_per_community_and_only_serving_members_attend(world):
    c, seats = _council(world)
    with pytest.raises(ValidationError):
        projects.council_create(
            actor=world.admin, region=world.furong, name="again", established_on=dt.date(2024, 1, 1)
        )
    with pytest.raises(ValidationError):
        projects.council_create(
            actor=world.admin,
            region=world.d.xinqi,
            name="street",
            established_on=dt.date(2024, 1, 1),
        )
    with pytest.raises(ValidationError) as exc:  # seat 0's term ended in June 2024
        projects.meeting_record(
            actor=world.admin, council=c, held_on=dt.date(2025, 3, 1), present=seats
        )
    assert "理事0" in str(exc.value)


def test_votes_over_the_members_present_are_refused(world):
    c, seats = _council(world)
    meeting = projects.meeting_record(
        actor=world.admin, council=c, held_on=dt.date(2025, 3, 1), present=seats[1:4]
    )
    item = projects.deliberation_add(
        actor=world.admin, meeting=meeting, title="建幼儿园", proposal="党员提议建幼儿园"
    )
    for votes in [(3, 1, 0), (2, 0, 2)]:
        with pytest.raises(ValidationError):
            projects.deliberation_decide(
                actor=world.admin,
                deliberation=item,
                record="讨论",
                decision="adopted",
                votes_for=votes[0],
                votes_against=votes[1],
                abstentions=votes[2],
            )
    with pytest.raises(ValidationError):  # 1 of 3 is no majority
        projects.deliberation_decide(
            actor=world.admin,
            deliberation=item,
            record="讨论",
            decision="adopted",
            votes_for=1,
            votes_against=1,
            abstentions=1,
        )
    projects.deliberation_decide(
        actor=world.admin,
        deliberation=item,
        record="讨论通过",
        decision="adopted",
        votes_for=2,
        votes_against=1,
        abstentions=0,
        project={
            "title": "芙蓉社区幼儿园",
            "region": world.furong,
            "organization": world.furong_committee,
            "funder": world.geely,
        },
    )
    item.refresh_from_db()
    assert item.project.funder == world.geely
    with pytest.raises(ValidationError):  # decided once
        projects.deliberation_decide(
            actor=world.admin,
            deliberation=item,
            record="x",
            decision="rejected",
            votes_for=0,
            votes_against=3,
            abstentions=0,
        )


def test_a_project_is_completed_once_not_in_the_future_and_feedback_only_when_done(world):
    p = projects.project_create(
        actor=world.admin, title="p", region=world.furong, organization=world.furong_committee
    )
    with pytest.raises(ValidationError):
        projects.feedback_submit(project=p, phone="13957410009", rating=5)
    with pytest.raises(ValidationError):
        projects.project_complete(
            actor=world.admin, project=p, completed_on=timezone.localdate() + dt.timedelta(days=1)
        )
    projects.project_complete(actor=world.admin, project=p, completed_on=timezone.localdate())
    with pytest.raises(ValidationError):
        projects.project_complete(actor=world.admin, project=p, completed_on=timezone.localdate())
    projects.feedback_submit(project=p, phone="13957410009", rating=4, comment="好")
    with pytest.raises(ValidationError) as exc:
        projects.feedback_submit(project=p, phone="13957410009", rating=1)
    assert exc.value.code == "twice"
    hidden = projects.feedback_submit(project=p, phone="13957410010", rating=1, comment="骗子")
    assert hidden.is_hidden


def test_every_change_is_audited(world, captured):
    from gangwan.core.models import AuditEntry

    with captured(execute=True):
        need = _post(world)
    assert AuditEntry.objects.filter(action="cobuild.need.post", object_id=str(need.pk)).exists()
    entry = AuditEntry.objects.get(action="cobuild.need.post", object_id=str(need.pk))
    assert "13957419999" not in str(entry.after)  # the phone appears masked


def test_r48_feedback_requests_are_rate_limited_per_network_address(world, captured, settings):
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "R48.needs_per_ip_per_hour": 1,  # feedback allows 4 × this per hour
    }
    p = projects.project_create(
        actor=world.admin, title="p", region=world.furong, organization=world.furong_committee
    )
    projects.project_complete(actor=world.admin, project=p, completed_on=timezone.localdate())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("cobuild_public:project", args=[p.pk])
    statuses = []
    for i in range(5):
        with captured(execute=True):
            resp = client.post(url, {"rating": "5", "comment": "", "phone": f"1395741000{i}"})
        statuses.append(resp.status_code)
    assert statuses == [302, 302, 302, 302, 422]
    assert "Too many requests" in resp.content.decode()
