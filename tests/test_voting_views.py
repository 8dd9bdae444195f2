"""The back office of public votes: scopes, polls, candidates, recount, invalidation, flags, export;
the administration API's scope checks."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gangwan.core.models import AuditEntry, Role
from gangwan.voting import services
from gangwan.voting.models import Flag, Invalidation, Poll
from tests import factories as f


@pytest.fixture
def people(district):
    return {
        "admin": f.user(role=Role.DISTRICT_ADMIN, region=district.district),
        "street": f.user(role=Role.STREET_ADMIN, region=district.xinqi),
        "other_street": f.user(role=Role.STREET_ADMIN, region=district.xiaogang),
        "secretary": f.user(role=Role.SECRETARY, organization=district.gaotang_committee),
    }


def _poll(actor, region=None, **kw):
    now = timezone.now()
    poll = services.poll_create(
        title=kw.pop("title", "先锋投票"),
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        max_choices=2,
        actor=actor,
        region=region,
        **kw,
    )
    cands = [services.candidate_add(poll=poll, name=f"候选{i}", actor=actor) for i in range(3)]
    return poll, cands


def test_nav_menu_for_administrators_only(client, people):
    client.force_login(people["admin"])
    assert 'id="gw-nav-voting"' in client.get("/").content.decode()
    client.force_login(people["secretary"])
    assert 'id="gw-nav-voting"' not in client.get("/").content.decode()


def test_poll_list_is_scoped_with_bounded_queries(
    client, people, district, django_assert_max_num_queries
):
    district_poll, _ = _poll(people["admin"], title="全区投票")
    street_poll, _ = _poll(people["admin"], region=district.xinqi, title="新碶投票")
    other_poll, _ = _poll(people["admin"], region=district.xiaogang, title="小港投票")
    for i in range(5):
        _poll(people["admin"], region=district.gaotang, title=f"高塘{i}")
    client.force_login(people["street"])
    with django_assert_max_num_queries(12):
        body = client.get(reverse("voting:list")).content.decode()
    assert "新碶投票" in body and "高塘0" in body
    assert "全区投票" not in body and "小港投票" not in body
    assert client.get(reverse("voting:detail", args=[other_poll.pk])).status_code == 404
    assert client.get(reverse("voting:detail", args=[district_poll.pk])).status_code == 404
    assert client.get(reverse("voting:detail", args=[street_poll.pk])).status_code == 200
    client.force_login(people["admin"])
    body = client.get(reverse("voting:list")).content.decode()
    assert "全区投票" in body and "小港投票" in body


def test_out_of_scope_users_cannot_review_recount_invalidate_or_export(client, people, district):
    poll, (a, *_) = _poll(people["admin"], region=district.xinqi)
    ballot = services.ballot_cast(poll=poll, voter_key="k", choices=[a])
    flag = Flag.objects.create(
        poll=poll,
        kind="network",
        key="1.2.3.0/24",
        start=ballot.cast_at,
        end=ballot.cast_at,
        count=1,
    )
    client.force_login(people["other_street"])
    for name, args, method in [
        ("voting:detail", [poll.pk], "get"),
        ("voting:edit", [poll.pk], "get"),
        ("voting:flags", [poll.pk], "get"),
        ("voting:ballots", [poll.pk], "get"),
        ("voting:export", [poll.pk], "get"),
        ("voting:recount", [poll.pk], "post"),
        ("voting:flags_scan", [poll.pk], "post"),
        ("voting:flag_review", [poll.pk, flag.pk], "post"),
        ("voting:invalidate", [poll.pk], "post"),
        ("voting:candidate_add", [poll.pk], "post"),
    ]:
        r = getattr(client, method)(reverse(name, args=args), {"reason": "x", "ballot": ballot.pk})
        assert r.status_code == 404, name
    client.force_login(people["secretary"])
    assert client.get(reverse("voting:list")).status_code == 403
    assert client.get(reverse("voting:detail", args=[poll.pk])).status_code == 403
    assert not Invalidation.objects.exists()
    flag.refresh_from_db()
    assert flag.status == "open"


def test_admin_creates_a_poll_adds_candidates_and_sees_results(client, people, district):
    client.force_login(people["admin"])
    now = timezone.localtime()
    r = client.post(
        reverse("voting:create"),
        {
            "title": "2013 区域党员服务先锋",
            "description": "",
            "region": "",
            "opens_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "max_choices": 3,
            "results_visibility": "live",
        },
    )
    assert r.status_code == 302, r.content.decode()
    poll = Poll.objects.get()
    assert poll.max_choices == 3 and poll.region is None
    r = client.post(
        reverse("voting:candidate_add", args=[poll.pk]), {"name": "王警官", "text": "事迹"}
    )
    assert r.status_code == 302
    assert poll.candidates.get().name == "王警官"
    services.ballot_cast(poll=poll, voter_key="k", choices=[poll.candidates.get()])
    body = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert 'id="gw-valid">1<' in body
    # A street admin may not make a district-wide poll.
    client.force_login(people["street"])
    r = client.post(
        reverse("voting:create"),
        {
            "title": "x",
            "region": "",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "max_choices": 1,
            "results_visibility": "after_close",
        },
    )
    assert r.status_code == 200 and Poll.objects.count() == 1


def test_recount_invalidate_and_export(client, people):
    poll, (a, b, _) = _poll(people["admin"])
    ballots = [services.ballot_cast(poll=poll, voter_key=f"k{i}", choices=[a]) for i in range(3)]
    services.ballot_cast(poll=poll, voter_key="kb", choices=[a, b])
    client.force_login(people["admin"])
    r = client.post(reverse("voting:recount", args=[poll.pk]), follow=True)
    assert "agree" in r.content.decode() or "一致" in r.content.decode()
    r = client.post(
        reverse("voting:invalidate", args=[poll.pk]), {"ballot": ballots[0].pk, "reason": ""}
    )
    assert not Invalidation.objects.exists()
    client.post(
        reverse("voting:invalidate", args=[poll.pk]),
        {"ballot": ballots[0].pk, "reason": "同一人多号"},
    )
    assert Invalidation.objects.get().reason == "同一人多号"
    assert AuditEntry.objects.filter(action="voting.ballot_invalidate").count() == 1
    r = client.get(reverse("voting:export", args=[poll.pk]))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[1][2] == a.name and rows[1][3] == 3
    assert rows[-1][3] == 1  # invalidated
    assert rows[-2][3] == 3  # valid


def test_flags_review_from_the_back_office(client, people, settings):
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "voting.flag_network_ballots": 3,
    }
    poll, (a, *_) = _poll(people["admin"])
    for i in range(3):
        services.ballot_cast(poll=poll, voter_key=f"k{i}", choices=[a], ip=f"8.8.8.{i}")
    client.force_login(people["admin"])
    client.post(reverse("voting:flags_scan", args=[poll.pk]))
    flag = Flag.objects.get()
    body = client.get(reverse("voting:flags", args=[poll.pk])).content.decode()
    assert "8.8.8.0/24" in body
    client.post(
        reverse("voting:flag_review", args=[poll.pk, flag.pk]),
        {"action": "invalidate", "reason": "同一网段"},
    )
    assert Invalidation.objects.count() == 3
    assert services.live_counts(poll) == services.counts_from_ballots(poll)
    assert client.get(reverse("voting:ballots", args=[poll.pk])).status_code == 200


def test_admin_api_is_scoped(client, people, district):
    poll, (a, *_) = _poll(people["admin"], region=district.xinqi)
    ballot = services.ballot_cast(poll=poll, voter_key="k", choices=[a])
    client.force_login(people["other_street"])
    base = "/api/v1/voting/admin"
    assert client.get(f"{base}/polls").json() == []
    assert client.get(f"{base}/polls/{poll.pk}/results").status_code == 403
    assert client.post(f"{base}/polls/{poll.pk}/recount").status_code == 403
    assert client.get(f"{base}/polls/{poll.pk}/flags").status_code == 403
    r = client.post(
        f"{base}/ballots/{ballot.pk}/invalidate", {"reason": "x"}, content_type="application/json"
    )
    assert r.status_code == 403
    client.force_login(people["secretary"])
    assert client.get(f"{base}/polls").status_code == 403
    client.force_login(people["street"])
    assert [p["id"] for p in client.get(f"{base}/polls").json()] == [poll.pk]
    r = client.get(f"{base}/polls/{poll.pk}/results").json()
    assert r["valid"] == 1 and r["recount_agrees"] is True
    assert client.post(f"{base}/polls/{poll.pk}/recount").json() == {"agreed": True, "ballots": 1}
    r = client.post(
        f"{base}/ballots/{ballot.pk}/invalidate",
        {"reason": "核实"},
        content_type="application/json",
    )
    assert r.status_code == 204
    assert Invalidation.objects.filter(ballot=ballot).count() == 1


def test_dashboard_panel_shows_open_polls_in_scope(client, people, district):
    poll, (a, *_) = _poll(people["admin"], region=district.xinqi, title="新碶先锋投票")
    services.ballot_cast(poll=poll, voter_key="k", choices=[a])
    client.force_login(people["street"])
    body = client.get("/").content.decode()
    assert 'id="gw-panel-voting"' in body and "新碶先锋投票" in body
    client.force_login(people["other_street"])
    assert "新碶先锋投票" not in client.get("/").content.decode()


def test_a_poll_owned_by_another_app_cannot_be_edited_from_the_voting_back_office(client, people):
    poll, (a, *_) = _poll(people["admin"], owner_ref="pioneers.selection:7")
    client.force_login(people["admin"])
    closes_at = poll.closes_at
    r = client.post(
        reverse("voting:edit", args=[poll.pk]),
        {
            "title": "改",
            "description": "",
            "opens_at": "2013-01-01 00:00",
            "closes_at": "2030-01-01 00:00",
            "max_choices": 1,
            "results_visibility": "always",
        },
    )
    assert r.status_code == 302
    poll.refresh_from_db()
    assert poll.title == "先锋投票" and poll.closes_at == closes_at
    client.post(reverse("voting:candidate_add", args=[poll.pk]), {"name": "外人"})
    client.post(reverse("voting:candidate_remove", args=[poll.pk, a.pk]))
    assert sorted(poll.candidates.values_list("name", flat=True)) == ["候选0", "候选1", "候选2"]
    body = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert 'id="gw-poll-owned"' in body and reverse("voting:edit", args=[poll.pk]) not in body


def test_export_of_a_poll_titled_with_sheet_forbidden_characters(client, people):
    poll, (a, *_) = _poll(people["admin"], title="2013/2014 评选: 第一轮?")
    services.candidate_update(candidate=a, name="=HYPERLINK(1)", actor=people["admin"])
    client.force_login(people["admin"])
    r = client.get(reverse("voting:export", args=[poll.pk]))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    names = [row[2] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(1)" in names
