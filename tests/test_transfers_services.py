"""Transfers of the organizational relationship (SPEC §2; R20, R21, R24): the state machine.

The story: 张海波 works at 宁波高塘五金有限公司 in 高塘社区 (新碶街道) and his relationship is held by its
branch. He takes a job at 青峙化工 in 小港街道: 高塘社区党委 issues a letter, he stays on the
高塘 roll while the letter travels (R21), and 青峙化工党支部 receives him. Others leave for Chengdu
(out of the system) or arrive from Sichuan (into the system).
"""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from gangwan.core.models import AuditEntry
from gangwan.core.scopes import Scope
from gangwan.members.models import Member
from gangwan.transfers import services
from gangwan.transfers.models import LetterCounter, Transfer, TransferState
from gangwan.transfers.selectors import letters_expired, receipts_overdue, transfer_figures
from tests import factories as f

TODAY = timezone.localdate()
DUES = TODAY.replace(day=1)
EVERYTHING = Scope(everything=True)


class World:
    """The conftest district with a branch on each side, a member to move and users per side."""

    def __init__(self, d):
        self.d = d
        self.gaotang_unit = f.unit(d.gaotang, "宁波高塘五金有限公司")
        self.qingzhi_unit = f.unit(d.qingzhi, "宁波青峙化工有限公司")
        self.gaotang_branch = f.organization(
            "高塘五金党支部", "branch", d.gaotang, d.gaotang_committee, units=[self.gaotang_unit]
        )
        self.qingzhi_branch = f.organization(
            "青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee, units=[self.qingzhi_unit]
        )
        self.zhang = f.member(self.gaotang_branch, "张海波", unit=self.gaotang_unit)
        self.li = f.member(self.gaotang_branch, "李秀英", unit=self.gaotang_unit, gender="female")
        self.users = {
            "sender": f.user("gaotang_sec", "secretary", organization=d.gaotang_committee),
            "sender_street": f.user("xinqi", "street_admin", region=d.xinqi),
            "receiver": f.user("qingzhi_sec", "secretary", organization=d.qingzhi_committee),
            "receiver_street": f.user("xiaogang", "street_admin", region=d.xiaogang),
            "bystander": f.user("dagang_sec", "secretary", organization=d.dagang_regional),
            "district": f.user("beilun", "district_admin", region=d.district),
        }
        self.sender = self.users["sender"]
        self.receiver = self.users["receiver"]

    def draft(self, member=None, to=None, **kw) -> Transfer:
        return services.transfer_create(
            actor=self.sender,
            direction=kw.pop("direction", "internal"),
            member=member or self.zhang,
            to_organization=to or self.qingzhi_branch,
            **kw,
        )

    def issued(self, member=None, issued_on=None, **kw) -> Transfer:
        t = self.draft(member, **kw)
        issued_on = issued_on or TODAY
        return services.transfer_issue(
            actor=self.sender, transfer=t, issued_on=issued_on, dues_paid_until=issued_on
        )

    def arrival(self, **kw) -> Transfer:
        fields = {
            "to_organization": self.qingzhi_branch,
            "from_text": "中共成都市武侯区玉林街道工作委员会（四川省成都市）",
            "incoming_name": "王建国",
            "incoming_id_number": f.id_number(dt.date(1966, 3, 8)),
            "incoming_status": "full",
            "incoming_joined_on": dt.date(1990, 7, 1),
        }
        if "incoming_id_number" in kw:
            fields["incoming_joined_on"] = None  # another person: another history
        fields.update(kw)
        return services.transfer_create(actor=self.receiver, direction="in", **fields)


@pytest.fixture
def w(district):
    return World(district)


def months_later(d, n):
    from gangwan.organizations.rules import add_months

    return add_months(d, n)


# --- the happy paths -----------------------------------------------------------------------------
def test_a_draft_is_issued_with_a_numbered_letter_valid_for_three_months(w):
    t = w.draft()
    assert (t.state, t.from_organization, t.letter_no) == ("draft", w.gaotang_branch, "")
    issued_on = TODAY - dt.timedelta(days=3)
    services.transfer_issue(
        actor=w.sender, transfer=t, issued_on=issued_on, dues_paid_until=issued_on.replace(day=1)
    )
    t.refresh_from_db()
    assert t.state == "issued"
    assert t.issuing_organization == w.d.gaotang_committee  # the grassroots committee issues
    assert t.letter_no == f"高塘组转〔{issued_on.year}〕0001号"
    assert t.valid_until == months_later(issued_on, 3)  # R24 CONFIG 3 months
    assert t.dues_paid_until == issued_on.replace(day=1)  # the month, as its first day
    assert list(
        AuditEntry.objects.filter(object_id=str(t.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["transfer.create", "transfer.issue"]


def test_r24_validity_follows_the_region_setting(w, settings):
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "R24.letter_valid_months": 6,
    }
    t = w.issued()
    assert t.valid_until == months_later(TODAY, 6)


def test_r21_the_member_stays_on_the_senders_roll_while_in_transit(w):
    t = w.issued()
    w.zhang.refresh_from_db()
    assert (w.zhang.organization, w.zhang.home_organization) == (w.gaotang_branch, w.gaotang_branch)
    assert w.zhang in w.gaotang_branch.members.all()
    assert not w.qingzhi_branch.members.exists()
    assert t.state == "issued"


def test_receipt_moves_the_member_within_the_system_in_one_audited_step(w):
    t = w.issued()
    services.transfer_receive(actor=w.receiver, transfer=t, received_on=TODAY)
    w.zhang.refresh_from_db()
    assert (w.zhang.organization, w.zhang.home_organization) == (w.qingzhi_branch, w.qingzhi_branch)
    t.refresh_from_db()
    assert (t.state, t.received_on, t.receipt_returned_on) == ("received", TODAY, None)
    move = AuditEntry.objects.get(action="member.update", object_id=str(w.zhang.pk))
    assert move.actor == w.receiver
    assert move.after["organization_id"] == w.qingzhi_branch.pk
    assert AuditEntry.objects.filter(action="transfer.receive", object_id=str(t.pk)).exists()


def test_a_refused_move_leaves_the_transfer_issued(w, monkeypatch):
    t = w.issued()
    from gangwan.members import services as member_services

    def refuse(**kw):
        raise ValidationError("refused by the members' service")

    monkeypatch.setattr(member_services, "member_update", refuse)
    with pytest.raises(ValidationError):
        services.transfer_receive(actor=w.receiver, transfer=t)
    t.refresh_from_db()
    assert t.state == "issued" and t.received_on is None


def test_the_receipt_goes_back_and_overdue_receipts_are_listed(w):
    t = w.issued(issued_on=TODAY - dt.timedelta(days=60))
    services.transfer_receive(
        actor=w.receiver, transfer=t, received_on=TODAY - dt.timedelta(days=45)
    )
    assert list(receipts_overdue(scope=EVERYTHING)) == [t]  # R24: more than a month ago
    assert transfer_figures(scope=EVERYTHING)["receipts_overdue"] == 1
    with pytest.raises(ValidationError, match="after the member is received"):
        services.transfer_receipt_return(
            actor=w.receiver, transfer=t, returned_on=TODAY - dt.timedelta(days=50)
        )
    services.transfer_receipt_return(actor=w.receiver, transfer=t)
    assert t.receipt_returned_on == TODAY
    assert not receipts_overdue(scope=EVERYTHING).exists()
    with pytest.raises(ValidationError, match="already been recorded"):
        services.transfer_receipt_return(actor=w.receiver, transfer=t)


def test_a_member_leaving_the_system_is_archived_when_the_receipt_arrives(w):
    t = w.draft(
        direction="out", to=None, to_text="中共杭州市西湖区文新街道工作委员会（浙江省杭州市）"
    )
    assert t.to_organization is None
    services.transfer_issue(actor=w.sender, transfer=t, dues_paid_until=DUES)
    w.zhang.refresh_from_db()
    assert w.zhang.archived_on is None  # R21: still ours while the letter travels
    services.transfer_receive(actor=w.sender, transfer=t, received_on=TODAY)
    w.zhang.refresh_from_db()
    assert w.zhang.archived_on == TODAY
    assert w.zhang.archive_reason == "transferred_out"
    assert "文新街道" in w.zhang.archive_note and t.letter_no in w.zhang.archive_note
    assert w.zhang.organization == w.gaotang_branch  # kept as a former member of the sender
    t.refresh_from_db()
    assert (t.state, t.receipt_returned_on) == ("received", TODAY)


def test_a_member_arriving_from_outside_is_created_on_receipt(w):
    t = w.arrival(incoming_phone="13905742211")
    assert t.member is None and t.incoming_id_number_masked.startswith("9902")
    services.transfer_issue(
        actor=w.receiver,
        transfer=t,
        letter_no="武组转〔2026〕0031号",
        issued_on=TODAY - dt.timedelta(days=10),
        dues_paid_until=DUES,
    )
    assert t.letter_no == "武组转〔2026〕0031号" and t.issuing_organization is None
    assert not Member.objects.filter(name="王建国").exists()  # not ours until received
    services.transfer_receive(actor=w.receiver, transfer=t)
    wang = Member.objects.get(name="王建国")
    assert (wang.organization, wang.home_organization, wang.status) == (
        w.qingzhi_branch,
        w.qingzhi_branch,
        "full",
    )
    assert wang.phone == "13905742211" and wang.birth_date == dt.date(1966, 3, 8)
    t.refresh_from_db()
    assert t.member == wang
    assert t.incoming_id_number == "" and t.incoming_phone == ""  # kept once, on the member


def test_an_arrival_of_a_current_member_is_refused(w):
    with pytest.raises(ValidationError, match="already a member in the system"):
        w.arrival(incoming_id_number=w.zhang.id_number)


def test_a_former_member_arriving_again_is_put_back_on_the_roll(w):
    former = f.member(w.gaotang_branch, "赵德明", archived_on=dt.date(2020, 5, 1))
    t = w.arrival(incoming_name="赵德明", incoming_id_number=former.id_number)
    services.transfer_issue(
        actor=w.receiver, transfer=t, letter_no="外〔2026〕1号", dues_paid_until=DUES
    )
    services.transfer_receive(actor=w.receiver, transfer=t)
    former.refresh_from_db()
    assert (former.archived_on, former.organization) == (None, w.qingzhi_branch)
    assert t.member == former


# --- refusals ------------------------------------------------------------------------------------
def test_only_one_open_transfer_per_member(w):
    w.draft()
    with pytest.raises(ValidationError, match="already has an open transfer"):
        w.draft(to=w.d.qingzhi_committee)
    with pytest.raises(ValidationError, match="already open"):
        number = f.id_number()
        w.arrival(incoming_id_number=number)
        w.arrival(incoming_id_number=number)


def test_drafts_are_refused_without_a_proper_counterpart(w):
    with pytest.raises(ValidationError, match="already held there"):
        w.draft(to=w.gaotang_branch)
    with pytest.raises(ValidationError, match="Name the receiving organization"):
        w.draft(direction="out", to=None)
    with pytest.raises(ValidationError, match="Name the sending organization"):
        w.arrival(from_text="  ")
    with pytest.raises(ValidationError) as exc:
        w.arrival(incoming_id_number="330206198506010000")
    assert "incoming_id_number" in exc.value.message_dict
    w.qingzhi_branch.dissolved_on = TODAY
    w.qingzhi_branch.save()
    with pytest.raises(ValidationError, match="dissolved"):
        w.draft()
    archived = f.member(w.gaotang_branch, archived_on=TODAY)
    with pytest.raises(ValidationError, match="archived member"):
        w.draft(member=archived, to=w.d.qingzhi_committee)


def test_issuing_needs_the_dues_month_and_a_date_not_in_the_future(w, monkeypatch):
    t = w.draft()
    with pytest.raises(ValidationError) as exc:
        services.transfer_issue(actor=w.sender, transfer=t)
    assert "dues_paid_until" in exc.value.message_dict
    with pytest.raises(ValidationError, match="future"):
        services.transfer_issue(
            actor=w.sender, transfer=t, issued_on=TODAY + dt.timedelta(days=1), dues_paid_until=DUES
        )
    # The paid-up month comes from the member's dues record when the record has one.
    if any(fl.name == "dues_paid_until" for fl in Member._meta.fields):
        Member.objects.filter(pk=w.zhang.pk).update(dues_paid_until=DUES)
    else:
        monkeypatch.setattr(Member, "dues_paid_until", DUES, raising=False)
    services.transfer_issue(actor=w.sender, transfer=t)
    assert t.dues_paid_until == DUES and t.state == "issued"


def _in_state(w, state: str) -> Transfer:
    if state == "draft":
        return w.draft()
    t = w.issued(issued_on=TODAY - dt.timedelta(days=100))
    if state == "received":
        services.transfer_receive(
            actor=w.receiver, transfer=t, received_on=TODAY - dt.timedelta(days=90)
        )
    elif state == "returned":
        services.transfer_return(actor=w.receiver, transfer=t, reason="本单位无此岗位")
    elif state == "expired":
        services.transfer_expire(actor=w.sender, transfer=t)
    elif state == "revoked":
        services.transfer_revoke(actor=w.sender, transfer=t, reason="党员改变去向")
    assert t.state == state
    return t


STEPS = {
    "issue": lambda w, t: services.transfer_issue(actor=w.sender, transfer=t, dues_paid_until=DUES),
    "receive": lambda w, t: services.transfer_receive(actor=w.receiver, transfer=t),
    "return": lambda w, t: services.transfer_return(actor=w.receiver, transfer=t, reason="无此人"),
    "revoke": lambda w, t: services.transfer_revoke(actor=w.sender, transfer=t, reason="撤回"),
    "expire": lambda w, t: services.transfer_expire(actor=w.sender, transfer=t),
    "receipt": lambda w, t: services.transfer_receipt_return(actor=w.receiver, transfer=t),
}
ALLOWED = {
    "draft": {"issue", "revoke"},
    "issued": {"receive", "return", "revoke", "expire"},
    "received": {"receipt"},
    "returned": set(),
    "expired": set(),
    "revoked": set(),
}
REFUSAL = {
    "issue": "Only a draft can be issued",
    "receive": "Only an issued letter can be received",
    "return": "Only an issued letter can be returned",
    "revoke": "Only a draft or an issued letter can be revoked",
    "expire": "Only an issued letter can expire",
    "receipt": "A receipt is returned only for a received transfer",
}


@pytest.mark.parametrize("state", list(ALLOWED))
@pytest.mark.parametrize("step", list(STEPS))
def test_every_transition_is_allowed_or_refused_with_a_clear_message(w, state, step):
    t = _in_state(w, state)
    before = AuditEntry.objects.count()
    if step in ALLOWED[state]:
        if step == "receive":  # a letter of 100 days has lapsed (R24): received while still valid
            t.valid_until = TODAY
            t.save()
        STEPS[step](w, t)
        assert AuditEntry.objects.filter(action__startswith="transfer.").count() > 0
        assert AuditEntry.objects.count() > before
    else:
        with pytest.raises(ValidationError) as exc:
            STEPS[step](w, t)
        assert REFUSAL[step] in exc.value.messages[0]
        assert str(TransferState(state).label) in exc.value.messages[0]
        assert AuditEntry.objects.count() == before
        t.refresh_from_db()
        assert t.state == state


def test_r24_an_expired_letter_is_not_received(w):
    t = w.issued(issued_on=TODAY - dt.timedelta(days=120))
    with pytest.raises(ValidationError, match="R24"):
        services.transfer_receive(actor=w.receiver, transfer=t)
    # Received on a day the letter was still valid (recorded late): accepted.
    services.transfer_receive(
        actor=w.receiver, transfer=t, received_on=TODAY - dt.timedelta(days=100)
    )
    assert t.state == "received"


def test_r21_a_transfer_is_not_returned_without_cause(w):
    t = w.issued()
    with pytest.raises(ValidationError, match="R21"):
        services.transfer_return(actor=w.receiver, transfer=t, reason=" ")
    services.transfer_return(actor=w.receiver, transfer=t, reason="该同志未到岗")
    w.zhang.refresh_from_db()
    assert (t.state, t.return_reason, w.zhang.organization) == (
        "returned",
        "该同志未到岗",
        w.gaotang_branch,
    )


def test_revoking_needs_a_reason_and_frees_the_member_for_a_new_transfer(w):
    t = w.issued()
    with pytest.raises(ValidationError, match="reason"):
        services.transfer_revoke(actor=w.sender, transfer=t, reason="")
    services.transfer_revoke(actor=w.sender, transfer=t, reason="党员改去宁波市区工作")
    assert (t.state, t.revoked_on) == ("revoked", TODAY)
    again = w.draft(to=w.d.qingzhi_committee)
    assert again.state == "draft"


def test_a_member_moved_meanwhile_cannot_be_received(w):
    t = w.issued()
    Member.objects.filter(pk=w.zhang.pk).update(organization=w.d.gaotang_committee)
    with pytest.raises(ValidationError, match="R21"):
        services.transfer_receive(actor=w.receiver, transfer=t)


# --- expiry ----------------------------------------------------------------------------------------
def test_expiry_marks_lapsed_letters_once_and_lists_them(w):
    old = w.issued(issued_on=TODAY - dt.timedelta(days=120))
    fresh = w.issued(member=w.li, issued_on=TODAY - dt.timedelta(days=10))
    assert list(letters_expired(scope=EVERYTHING)) == [old]  # computed before the worker runs
    assert transfer_figures(scope=EVERYTHING)["letters_expired"] == 1
    with pytest.raises(ValidationError, match="valid until"):
        services.transfer_expire(actor=w.sender, transfer=fresh)
    assert services.transfer_expire_due(today=TODAY) == 1
    assert services.transfer_expire_due(today=TODAY) == 0  # idempotent
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, old.expired_on, fresh.state) == ("expired", TODAY, "issued")
    assert AuditEntry.objects.filter(action="transfer.expire").count() == 1
    assert list(letters_expired(scope=EVERYTHING)) == [old]  # the member is still ours
    w.zhang.refresh_from_db()
    assert w.zhang.organization == w.gaotang_branch
    # A new letter for the same member is possible once the old one expired.
    assert w.draft().state == "draft"


# --- letter numbers ------------------------------------------------------------------------------
def test_letter_numbers_are_sequential_per_issuer_and_year(w):
    a = w.issued(issued_on=dt.date(TODAY.year - 1, 12, 30))
    b = w.issued(member=w.li, issued_on=TODAY)
    year = TODAY.year
    assert a.letter_no == f"高塘组转〔{year - 1}〕0001号"
    assert b.letter_no == f"高塘组转〔{year}〕0001号"
    c = w.issued(member=f.member(w.gaotang_branch), issued_on=TODAY)
    assert (c.letter_no, c.letter_seq) == (f"高塘组转〔{year}〕0002号", 2)
    # Another committee numbers its own letters; a name that shortens the same gets a distinct prefix.
    twin = f.organization("高塘社区党委", "committee", w.d.qingzhi, w.d.xiaogang_wc)
    other = services.transfer_issue(
        actor=w.sender,
        transfer=w.draft(member=f.member(twin), to=w.qingzhi_branch),
        dues_paid_until=DUES,
    )
    assert other.letter_no == f"高塘{twin.pk}组转〔{year}〕0001号"
    assert len(set(Transfer.objects.values_list("letter_no", flat=True))) == 4


def test_letter_short_names():
    assert services.letter_short_name("中共北仑区委") == "北仑"
    assert services.letter_short_name("新碶街道党工委") == "新碶"
    assert services.letter_short_name("高塘社区党委") == "高塘"
    assert (
        services.letter_short_name("中共宁波高塘五金有限公司支部委员会") == "宁波高塘五金有限公司"
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_consecutive_numbers(district):
    w = World(district)
    drafts = [w.draft(member=f.member(w.gaotang_branch)) for _ in range(6)]
    # SQLite's in-memory test database serializes writers itself; PostgreSQL runs them at once.
    threads_ok = connection.vendor == "postgresql"
    errors, barrier = [], threading.Barrier(len(drafts) if threads_ok else 1)

    def issue(t):
        try:
            barrier.wait(timeout=10)
            services.transfer_issue(actor=None, transfer=t, dues_paid_until=DUES)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    if threads_ok:
        threads = [threading.Thread(target=issue, args=(t,)) for t in drafts]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    else:
        for t in drafts:
            services.transfer_issue(actor=None, transfer=t, dues_paid_until=DUES)
    assert errors == []
    seqs = sorted(Transfer.objects.values_list("letter_seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert LetterCounter.objects.get().last == 6
