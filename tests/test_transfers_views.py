"""Transfers in the back office: each side does its own steps, everyone else gets 404 or 403, the
lists stay flat in queries, and the printed letter carries the member's name and letter number
with the ID number masked unless revealed with a reason."""

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from gangwan.core.models import AuditEntry, RoleAssignment
from gangwan.members.models import Member
from gangwan.transfers import services
from gangwan.transfers.models import Transfer
from tests import factories as f
from tests.test_transfers_services import DUES, TODAY, World

OUT = "OUT-OF-SCOPE"


@pytest.fixture
def w(district):
    world = World(district)
    member_user = f.user("dangyuan")
    world.li.user = member_user
    world.li.save()
    RoleAssignment.objects.create(user=member_user, role="member")
    world.users["member"] = member_user
    world.users["reviewer"] = f.user("pingshen", "reviewer")
    return world


def login(client, w, who):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(w.users[who])
    return client


def pdf_text(content: bytes) -> str:
    assert shutil.which("pdftotext"), (
        "poppler-utils (pdftotext) is needed: apt-get install poppler-utils"
    )
    out = subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True, timeout=60
    )
    return out.stdout.decode()


# --- the story through the pages --------------------------------------------------------------
def test_a_secretary_sends_a_member_and_the_receiver_takes_him_in(client, w):
    login(client, w, "sender")
    page = client.get(reverse("transfers:create") + f"?member={w.zhang.pk}&find=青峙")
    assert page.status_code == 200 and "青峙化工党支部" in page.content.decode()
    resp = client.post(
        reverse("transfers:create") + f"?member={w.zhang.pk}",
        {"member": w.zhang.pk, "direction": "internal", "to_organization": w.qingzhi_branch.pk},
    )
    t = Transfer.objects.get(member=w.zhang)
    assert resp.status_code == 302 and resp["Location"] == reverse("transfers:detail", args=[t.pk])
    # The receiver does not see drafts.
    login(client, w, "receiver")
    assert client.get(reverse("transfers:detail", args=[t.pk])).status_code == 404
    login(client, w, "sender")
    detail = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert 'id="gw-action-issue"' in detail and 'id="gw-action-receive"' not in detail
    resp = client.post(
        reverse("transfers:action", args=[t.pk, "issue"]),
        {"issued_on": TODAY.isoformat(), "dues_paid_until": DUES.strftime("%Y-%m")},
    )
    assert resp.status_code == 302
    t.refresh_from_db()
    assert t.state == "issued" and t.letter_no.startswith("高塘组转")
    # The sender cannot receive on the receiver's behalf.
    assert client.post(reverse("transfers:action", args=[t.pk, "receive"]), {}).status_code == 403
    login(client, w, "receiver")
    incoming = client.get(reverse("transfers:list") + "?side=incoming").content.decode()
    assert "张海波" in incoming
    detail = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert 'id="gw-action-receive"' in detail and 'id="gw-action-issue"' not in detail
    assert client.get(reverse("transfers:letter", args=[t.pk])).status_code == 403
    resp = client.post(
        reverse("transfers:action", args=[t.pk, "receive"]), {"received_on": TODAY.isoformat()}
    )
    assert resp.status_code == 302
    w.zhang.refresh_from_db()
    assert w.zhang.organization == w.qingzhi_branch
    resp = client.post(
        reverse("transfers:action", args=[t.pk, "receipt"]), {"returned_on": TODAY.isoformat()}
    )
    assert resp.status_code == 302
    t.refresh_from_db()
    assert (t.state, t.receipt_returned_on) == ("received", TODAY)


def test_refusals_come_back_as_form_errors(client, w):
    t = w.issued()
    login(client, w, "receiver")
    resp = client.post(
        reverse("transfers:action", args=[t.pk, "return"]),
        {"returned_on": TODAY.isoformat(), "reason": " "},
    )
    assert resp.status_code == 200
    assert "This field is required" in resp.content.decode() or "R21" in resp.content.decode()
    resp = client.post(
        reverse("transfers:action", args=[t.pk, "receive"]),
        {"received_on": (TODAY - dt.timedelta(days=400)).isoformat()},
    )
    assert resp.status_code == 200 and "after it is issued" in resp.content.decode()
    t.refresh_from_db()
    assert t.state == "issued"


def test_a_receiver_records_an_arrival_from_outside(client, w):
    login(client, w, "receiver")
    number = f.id_number(dt.date(1966, 3, 8))
    resp = client.post(
        reverse("transfers:create") + "?direction=in",
        {
            "to_organization": w.qingzhi_branch.pk,
            "from_text": "中共成都市武侯区玉林街道工作委员会（四川省）",
            "incoming_name": "王建国",
            "incoming_id_number": number,
            "incoming_status": "full",
        },
    )
    t = Transfer.objects.get(direction="in")
    assert resp.status_code == 302
    detail = client.get(reverse("transfers:detail", args=[t.pk])).content.decode()
    assert number not in detail and t.incoming_id_number_masked in detail
    client.post(
        reverse("transfers:action", args=[t.pk, "issue"]),
        {
            "issued_on": TODAY.isoformat(),
            "dues_paid_until": DUES.strftime("%Y-%m"),
            "letter_no": "武组转〔2026〕31号",
        },
    )
    client.post(
        reverse("transfers:action", args=[t.pk, "receive"]), {"received_on": TODAY.isoformat()}
    )
    assert Member.objects.get(name="王建国").organization == w.qingzhi_branch
    # A secretary cannot record an arrival for an organization outside its scope.
    resp = client.post(
        reverse("transfers:create") + "?direction=in",
        {
            "to_organization": w.gaotang_branch.pk,
            "from_text": "外地",
            "incoming_name": "某某",
            "incoming_id_number": f.id_number(),
            "incoming_status": "full",
        },
    )
    assert resp.status_code == 200 and Transfer.objects.filter(direction="in").count() == 1


# --- scope matrix -------------------------------------------------------------------------------
@pytest.fixture
def scoped(w):
    """A transfer between two organizations of 新碶 (both OUT of 小港's scope), one in each state
    worth opening, and the users who must not see them."""
    d = w.d
    out_unit = f.unit(d.gaotang, f"{OUT}物业公司")
    out_branch = f.organization(
        f"{OUT}物业党支部", "branch", d.gaotang, d.gaotang_committee, units=[out_unit]
    )
    out_member = f.member(out_branch, name=f"{OUT}周敏")
    draft = w.draft(member=out_member, to=d.gaotang_committee)
    issued = w.issued(member=f.member(out_branch, name=f"{OUT}吴刚"), to=d.gaotang_committee)
    return {"draft": draft, "issued": issued}


def _urls(t):
    return [
        reverse("transfers:detail", args=[t.pk]),
        reverse("transfers:letter", args=[t.pk]),
        *[
            reverse("transfers:action", args=[t.pk, a])
            for a in ("issue", "receive", "receipt", "return", "revoke", "expire")
        ],
        reverse("transfers:create") + f"?member={t.member_id}",
    ]


@pytest.mark.parametrize("role", ["receiver", "receiver_street", "bystander", "reviewer", "member"])
def test_out_of_scope_transfers_do_not_exist_for_other_roles(client, w, scoped, role):
    login(client, w, role)
    before = AuditEntry.objects.count()
    for t in scoped.values():
        for url in _urls(t):
            resp = client.get(url)
            assert resp.status_code in (403, 404), (role, url, resp.status_code)
            assert OUT not in resp.content.decode()
            resp = client.post(url, {"reason": "窥探他人信息", "issued_on": TODAY.isoformat()})
            assert resp.status_code in (403, 404), (role, url, resp.status_code)
    assert AuditEntry.objects.count() == before
    for t in scoped.values():
        t.refresh_from_db()
    assert (scoped["draft"].state, scoped["issued"].state) == ("draft", "issued")


LISTS = ["transfers:list", "transfers:expired", "transfers:receipts_overdue", "transfers:export"]


@pytest.mark.parametrize("role", ["receiver", "receiver_street", "bystander", "reviewer", "member"])
def test_lists_and_exports_hold_no_out_of_scope_rows(client, w, scoped, role):
    Transfer.objects.filter(pk=scoped["issued"].pk).update(valid_until=TODAY - dt.timedelta(days=1))
    login(client, w, role)
    for name in LISTS:
        resp = client.get(reverse(name))
        assert resp.status_code in (200, 403), (role, name)
        if name == "transfers:export" and resp.status_code == 200:
            rows = list(load_workbook(io.BytesIO(resp.content)).active.values)
            assert len(rows) == 1  # the header only
        assert OUT not in resp.content.decode(errors="ignore")
    expected = 403 if role in ("reviewer", "member") else 200
    assert client.get(reverse("transfers:list")).status_code == expected


def test_the_sending_street_sees_its_own_rows_in_lists_and_export(client, w, scoped):
    Transfer.objects.filter(pk=scoped["issued"].pk).update(valid_until=TODAY - dt.timedelta(days=1))
    login(client, w, "sender_street")
    assert f"{OUT}吴刚" in client.get(reverse("transfers:expired")).content.decode()
    assert f"{OUT}周敏" in client.get(reverse("transfers:list")).content.decode()
    rows = list(
        load_workbook(io.BytesIO(client.get(reverse("transfers:export")).content)).active.values
    )
    assert {r[1] for r in rows[1:]} == {f"{OUT}周敏", f"{OUT}吴刚"}
    assert AuditEntry.objects.filter(action="transfer.export").count() == 1


def test_the_receiver_lists_letters_addressed_to_it_but_not_the_senders_drafts(client, w):
    w.draft(member=w.li)
    w.issued()
    login(client, w, "receiver")
    page = client.get(reverse("transfers:list")).content.decode()
    assert "张海波" in page and "李秀英" not in page


def test_receipts_overdue_page_lists_the_late_receipts(client, w):
    t = w.issued(issued_on=TODAY - dt.timedelta(days=80))
    services.transfer_receive(
        actor=w.receiver, transfer=t, received_on=TODAY - dt.timedelta(days=70)
    )
    login(client, w, "receiver")
    assert "张海波" in client.get(reverse("transfers:receipts_overdue")).content.decode()
    login(client, w, "bystander")
    assert "张海波" not in client.get(reverse("transfers:receipts_overdue")).content.decode()


def test_the_transfer_list_takes_the_same_queries_for_3_and_30_rows(client, w):
    login(client, w, "sender")

    def grow(n):
        for _ in range(n):
            w.issued(member=f.member(w.gaotang_branch))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("transfers:list")).status_code == 200
        return len(ctx.captured_queries)

    grow(3)
    small = count()
    grow(27)
    assert count() == small
    for name in ("transfers:expired", "transfers:receipts_overdue"):
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse(name))
        assert len(ctx.captured_queries) <= small


# --- the letter -----------------------------------------------------------------------------------
def test_the_letter_prints_three_parts_with_the_id_number_masked(client, w):
    t = w.issued()
    login(client, w, "sender")
    resp = client.get(reverse("transfers:letter", args=[t.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    text = pdf_text(resp.content)
    for part in ("存根", "中国共产党党员组织关系介绍信", "回执"):
        assert part in text
    compact = text.replace("\n", "").replace(" ", "")
    assert "张海波" in text and t.letter_no in compact
    assert w.zhang.id_number not in compact and w.zhang.id_number_masked in compact
    assert "青峙化工党支部" in compact and "高塘五金党支部" in compact
    assert f"党费已交到{t.dues_paid_until.year}年{t.dues_paid_until.month}月" in compact
    entry = AuditEntry.objects.get(action="transfer.letter.print")
    assert entry.after == {"letter_no": t.letter_no, "id_number": "masked"}


def test_the_full_id_number_is_printed_only_with_a_logged_reason(client, w):
    t = w.issued()
    login(client, w, "sender")
    resp = client.post(reverse("transfers:letter", args=[t.pk]), {"reason": "x"})
    assert resp.status_code == 302  # too short: refused, nothing printed
    assert not AuditEntry.objects.filter(action="transfer.letter.print").exists()
    resp = client.post(reverse("transfers:letter", args=[t.pk]), {"reason": "接收方要求核对身份"})
    assert resp.status_code == 200
    assert w.zhang.id_number in pdf_text(resp.content).replace("\n", "")
    assert AuditEntry.objects.get(action="member.reveal.id_number").reason == "接收方要求核对身份"
    assert AuditEntry.objects.get(action="transfer.letter.print").after["id_number"] == "full"
