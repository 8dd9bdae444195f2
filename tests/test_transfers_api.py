"""Transfers in the JSON API (/api/v1/transfers): scoped like the back office, the same state
machine and refusals (422 with a message), the wrong side's step refused (403), out of scope 404."""

import datetime as dt

import pytest

from gangwan.core.models import AuditEntry, RoleAssignment
from gangwan.core.tokens import api_token_create
from gangwan.members.models import Member
from gangwan.transfers.models import Transfer
from tests import factories as f
from tests.test_api import Api
from tests.test_transfers_services import DUES, TODAY, World


@pytest.fixture
def w(district):
    world = World(district)
    member_user = f.user("dangyuan")
    world.li.user = member_user
    world.li.save()
    RoleAssignment.objects.create(user=member_user, role="member")
    world.users["member"] = member_user
    world.users["reviewer"] = f.user("pingshen", "reviewer")
    world.tokens = {
        who: api_token_create(actor=u, user=u, name="手机")[1] for who, u in world.users.items()
    }
    return world


def api(w, who) -> Api:
    return Api(w.tokens[who])


def test_a_transfer_travels_through_the_api(w):
    sender, receiver = api(w, "sender"), api(w, "receiver")
    resp = sender.post(
        "/transfers",
        {"direction": "internal", "member": w.zhang.pk, "to_organization": w.qingzhi_branch.pk},
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    pk = body["id"]
    assert (body["state"], body["member"]["name"], body["actions"]) == (
        "draft",
        "张海波",
        ["issue", "revoke"],
    )
    assert receiver.get(f"/transfers/{pk}").status_code == 404  # drafts stay with the sender
    resp = sender.post(f"/transfers/{pk}/issue", {"dues_paid_until": DUES.isoformat()})
    assert resp.status_code == 200, resp.content
    assert resp.json()["letter_no"].startswith("高塘组转")
    assert resp.json()["valid_until"] is not None
    assert sender.post(f"/transfers/{pk}/receive", {}).status_code == 403  # the receiver's step
    assert receiver.get(f"/transfers/{pk}").json()["actions"] == ["receive", "return"]
    resp = receiver.post(f"/transfers/{pk}/receive", {"received_on": TODAY.isoformat()})
    assert resp.status_code == 200 and resp.json()["state"] == "received"
    w.zhang.refresh_from_db()
    assert w.zhang.organization == w.qingzhi_branch
    resp = receiver.post(f"/transfers/{pk}/receipt", {})
    assert resp.json()["receipt_returned_on"] == TODAY.isoformat()
    actions = AuditEntry.objects.filter(object_id=str(pk), action__startswith="transfer.")
    assert {a.action for a in actions} == {
        "transfer.create",
        "transfer.issue",
        "transfer.receive",
        "transfer.receipt",
    }
    assert {a.actor.username for a in actions} == {"gaotang_sec", "qingzhi_sec"}


def test_refusals_answer_422_with_the_rule(w):
    sender, receiver = api(w, "sender"), api(w, "receiver")
    t = w.issued(issued_on=TODAY - dt.timedelta(days=120))
    resp = receiver.post(f"/transfers/{t.pk}/receive", {})
    assert resp.status_code == 422 and resp.json()["detail"][0].startswith("received_on: R24")
    resp = receiver.post(f"/transfers/{t.pk}/return", {"reason": ""})
    assert resp.status_code == 422 and "R21" in resp.json()["detail"][0]
    resp = sender.post(f"/transfers/{t.pk}/issue", {"dues_paid_until": DUES.isoformat()})
    assert resp.status_code == 403  # not a draft: issuing is not among the sender's steps now
    resp = sender.post(
        "/transfers",
        {"direction": "internal", "member": w.zhang.pk, "to_organization": w.qingzhi_branch.pk},
    )
    assert resp.status_code == 422 and "open transfer" in resp.json()["detail"][0]
    resp = sender.post("/transfers", {"direction": "out", "member": w.li.pk})
    assert resp.status_code == 422 and resp.json()["detail"][0].startswith("to_text:")
    assert sender.post(f"/transfers/{t.pk}/expire", {}).json()["state"] == "expired"


def test_an_arrival_from_outside_through_the_api(w):
    receiver = api(w, "receiver")
    number = f.id_number(dt.date(1970, 2, 3), "female")
    resp = receiver.post(
        "/transfers",
        {
            "direction": "in",
            "to_organization": w.qingzhi_branch.pk,
            "from_text": "中共重庆市万州区某某镇委员会（重庆市）",
            "incoming": {"name": "陈丽", "id_number": number, "status": "probationary"},
        },
    )
    assert resp.status_code == 422  # a probationary member's joining date is on the letter
    assert resp.json()["detail"][0].startswith("incoming_joined_on:")
    resp = receiver.post(
        "/transfers",
        {
            "direction": "in",
            "to_organization": w.qingzhi_branch.pk,
            "from_text": "中共重庆市万州区某某镇委员会（重庆市）",
            "incoming": {
                "name": "陈丽",
                "id_number": number,
                "status": "probationary",
                "joined_on": (TODAY - dt.timedelta(days=200)).isoformat(),
            },
        },
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["member"] is None and body["person_name"] == "陈丽"
    assert number not in resp.content.decode()
    pk = body["id"]
    resp = receiver.post(
        f"/transfers/{pk}/issue",
        {"letter_no": "万组转〔2026〕8号", "dues_paid_until": DUES.isoformat()},
    )
    assert resp.status_code == 200, resp.content
    resp = receiver.post(f"/transfers/{pk}/receive", {})
    assert resp.status_code == 200, resp.content
    chen = Member.objects.get(name="陈丽")
    assert (chen.organization, chen.status, chen.gender) == (
        w.qingzhi_branch,
        "probationary",
        "female",
    )
    # Someone else's organization cannot be named as the receiver.
    resp = receiver.post(
        "/transfers",
        {
            "direction": "in",
            "to_organization": w.gaotang_branch.pk,
            "from_text": "外地",
            "incoming": {"name": "某某", "id_number": f.id_number(), "status": "full"},
        },
    )
    assert resp.status_code == 422


# --- scope -------------------------------------------------------------------------------------
SEEN = {
    # who: (sees the issued letter 高塘→青峙, sees the draft 高塘→青峙)
    "district": (True, True),
    "sender": (True, True),
    "sender_street": (True, True),
    "receiver": (True, False),
    "receiver_street": (True, False),
    "bystander": (False, False),
}


@pytest.mark.parametrize("who", list(SEEN))
def test_list_and_detail_are_cut_to_the_scope(w, who):
    issued, draft = w.issued(), w.draft(member=w.li)
    client = api(w, who)
    resp = client.get("/transfers")
    assert resp.status_code == 200
    ids = {row["id"] for row in resp.json()["items"]}
    sees_issued, sees_draft = SEEN[who]
    assert (issued.pk in ids, draft.pk in ids) == (sees_issued, sees_draft)
    assert (client.get(f"/transfers/{issued.pk}").status_code == 200) == sees_issued
    assert (client.get(f"/transfers/{draft.pk}").status_code == 200) == sees_draft
    assert client.get("/transfers/999999").status_code == 404


@pytest.mark.parametrize("who", ["bystander", "receiver_street"])
def test_out_of_scope_steps_answer_404_and_change_nothing(w, who):
    draft, issued = w.draft(member=w.li), w.issued()
    client = api(w, who)
    before = AuditEntry.objects.count()
    for path, data in (
        (f"/transfers/{draft.pk}/issue", {"dues_paid_until": DUES.isoformat()}),
        (f"/transfers/{draft.pk}/revoke", {"reason": "撤回"}),
    ):
        assert client.post(path, data).status_code == 404
    if who == "bystander":
        for step, data in (
            ("receive", {}),
            ("return", {"reason": "不收"}),
            ("revoke", {"reason": "撤"}),
        ):
            assert client.post(f"/transfers/{issued.pk}/{step}", data).status_code == 404
    else:  # the receiving street sees the letter but may not revoke it
        assert client.post(f"/transfers/{issued.pk}/revoke", {"reason": "撤"}).status_code == 403
    resp = client.post(
        "/transfers",
        {"direction": "internal", "member": w.zhang.pk, "to_organization": w.qingzhi_branch.pk},
    )
    assert resp.status_code == 422  # the member is not in this scope
    assert AuditEntry.objects.count() == before
    assert set(Transfer.objects.values_list("state", flat=True)) == {"draft", "issued"}


@pytest.mark.parametrize("who", ["reviewer", "member"])
def test_roles_without_structure_access_get_403(w, who):
    t = w.issued()
    client = api(w, who)
    assert client.get("/transfers").status_code == 403
    assert client.get(f"/transfers/{t.pk}").status_code == 403
    assert client.post(f"/transfers/{t.pk}/receive", {}).status_code == 403
    assert (
        client.post(
            "/transfers", {"direction": "out", "member": w.li.pk, "to_text": "x"}
        ).status_code
        == 403
    )


def test_anonymous_gets_401(w):
    t = w.issued()
    assert Api().get("/transfers").status_code == 401
    assert Api().post(f"/transfers/{t.pk}/receive", {}).status_code == 401


def test_list_filters_and_query_count(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(w, "district")
    for _ in range(3):
        w.issued(member=f.member(w.gaotang_branch))
    w.draft(member=w.li)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/transfers").status_code == 200
        return len(ctx.captured_queries)

    count()  # the token's last use is written once a minute: not part of the list's queries
    small = count()
    for _ in range(20):
        w.issued(member=f.member(w.gaotang_branch))
    assert count() == small
    assert client.get("/transfers", {"state": "draft"}).json()["count"] == 1
    assert client.get("/transfers", {"direction": "in"}).json()["count"] == 0
    assert client.get("/transfers", {"q": "李秀英"}).json()["count"] == 1
    assert client.get("/transfers", {"side": "sideways"}).status_code == 422
