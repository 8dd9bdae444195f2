"""Activities in the API: scoped lists and details, recording with attendance exceptions."""

import datetime as dt

import pytest

from gangwan.activities import services
from gangwan.activities.models import Activity
from gangwan.core.tokens import api_token_create
from tests import factories as f
from tests.test_api import Api

OUT = "OUT-OF-SCOPE"
YESTERDAY = dt.date.today() - dt.timedelta(days=1)


@pytest.fixture
def w(district):
    d = district
    out_branch = f.organization(f"{OUT}党支部", "branch", d.gaotang, d.gaotang_committee)
    f.member(out_branch)
    out_activity = services.activity_record(
        actor=None, organization=out_branch, kind="lecture", held_on=YESTERDAY, topic=f"{OUT}党课"
    )
    in_branch = f.organization("青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee)
    ms = [f.member(in_branch) for _ in range(4)]
    sec = f.user("sec", role="secretary", organization=d.qingzhi_committee)
    reviewer = f.user("rev", role="reviewer")
    return {
        "out_branch": out_branch,
        "out_activity": out_activity,
        "in_branch": in_branch,
        "ms": ms,
        "sec": Api(api_token_create(actor=sec, user=sec, name="t")[1]),
        "reviewer": Api(api_token_create(actor=reviewer, user=reviewer, name="t")[1]),
    }


def test_create_with_exceptions_and_read_back(w):
    ms = w["ms"]
    body = {
        "organization": w["in_branch"].pk,
        "kind": "general_meeting",
        "held_on": YESTERDAY.isoformat(),
        "topic": "党员大会",
        "exceptions": [{"member": ms[0].pk, "status": "on_leave", "reason": "病假"}],
        "decisions": [{"motion": "甲", "yes": 3}],
    }
    resp = w["sec"].post("/activities", body)
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["quorum"]["present"] == 3 and data["quorum"]["valid"] is True
    assert data["decisions"][0]["passed"] is True
    listed = w["sec"].get("/activities").json()
    assert [a["topic"] for a in listed["items"]] == ["党员大会"]


def test_refusals(w):
    ms = w["ms"]
    body = {
        "organization": w["in_branch"].pk,
        "kind": "general_meeting",
        "held_on": YESTERDAY.isoformat(),
        "topic": "x",
        "decisions": [{"motion": "甲", "yes": 5}],
    }
    assert w["sec"].post("/activities", body).status_code == 422
    body = {**body, "decisions": [], "exceptions": [{"member": ms[0].pk, "status": "on_leave"}]}
    assert w["sec"].post("/activities", body).status_code == 422
    assert (
        w["sec"].post("/activities", {**body, "organization": w["out_branch"].pk}).status_code
        == 422
    )
    assert not Activity.objects.filter(organization=w["in_branch"]).exists()


def test_scope(w):
    assert w["sec"].get(f"/activities/{w['out_activity'].pk}").status_code == 404
    assert OUT not in w["sec"].get("/activities").content.decode()
    assert w["reviewer"].get("/activities").status_code == 403
    assert w["reviewer"].get(f"/activities/{w['out_activity'].pk}").status_code == 403
    assert Api().get("/activities").status_code == 401
