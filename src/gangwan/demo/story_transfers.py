"""Transfers of the organizational relationship in the demo district (SPEC §2, R20, R21, R24).

A year of letters across the district, dated back from the day of loading (plan.today):
- received within the system (most with their receipt back; a few receipts overdue, R24);
- issued and in transit, the member still on the sender's roll (R21), a few to other districts;
- lapsed letters (R24): some still marked issued (the worker has not run), some marked expired;
- members who arrived from other provinces (received), and a few letters from outside in transit;
- members who left for other districts and are now former members; one returned, one revoked,
  a few drafts.
The plan's members stay where the plan put them: a received transfer is written as the history of
a member's current place (from another organization or province to where the member is now), so
the structure digest holds. Only members leaving the system change: they are archived (the digest
does not include that). Rows are bulk-inserted; letter numbers follow the issuing committee and
year (the counters are set to the last number given).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from gangwan.core.audit import audit_record
from gangwan.members.models import Member
from gangwan.organizations.models import BRANCH_KINDS, Organization, OrganizationKind
from gangwan.organizations.rules import add_months
from gangwan.transfers.models import LetterCounter, Transfer, TransferState
from gangwan.transfers.services import (
    ISSUING_KINDS,
    letter_number,
    letter_short_name,
    transfer_rule,
)

from .names import ORIGIN_AREAS

# Where members come from and go to outside the district: organization and region, as letters name them.
OUTSIDE = {
    "四川": [
        "中共成都市武侯区玉林街道工作委员会（四川省成都市）",
        "中共绵阳市涪城区城郊街道委员会（四川省绵阳市）",
    ],
    "安徽": ["中共阜阳市颍州区鼓楼街道工作委员会（安徽省阜阳市）"],
    "河南": ["中共信阳市浉河区老城街道工作委员会（河南省信阳市）"],
    "江西": ["中共上饶市信州区东市街道工作委员会（江西省上饶市）"],
    "湖北": ["中共黄冈市黄州区东湖街道工作委员会（湖北省黄冈市）"],
    "湖南": ["中共邵阳市双清区小江湖街道工作委员会（湖南省邵阳市）"],
    "贵州": ["中共毕节市七星关区市东街道工作委员会（贵州省毕节市）"],
    "重庆": ["中共重庆市万州区高笋塘街道工作委员会（重庆市）"],
    "山东": ["中共临沂市兰山区兰山街道工作委员会（山东省临沂市）"],
    "江苏": ["中共徐州市鼓楼区黄楼街道工作委员会（江苏省徐州市）"],
    "云南": ["中共昭通市昭阳区凤凰街道工作委员会（云南省昭通市）"],
    "甘肃": ["中共天水市秦州区大城街道工作委员会（甘肃省天水市）"],
}
NEARBY = [
    "中共宁波市鄞州区首南街道工作委员会（浙江省宁波市）",
    "中共宁波市镇海区招宝山街道工作委员会（浙江省宁波市）",
    "中共杭州市西湖区文新街道工作委员会（浙江省杭州市）",
    "中共上海市浦东新区张江镇委员会（上海市）",
]
PROVINCE_OF_AREA = {code: prov for prov, codes in ORIGIN_AREAS.items() for code in codes}
RETURN_REASONS = ["该同志未到我单位报到", "介绍信抬头有误，请重新开具"]
REVOKE_REASONS = ["党员工作调动取消", "党员改变去向，另行开具"]


class _Story:
    def __init__(self, plan):
        self.plan = plan
        self.today = plan.today
        self.rng = random.Random(plan.seed * 104729 + 24)
        self.months = transfer_rule("R24.letter_valid_months")
        self.rows: list[Transfer] = []
        self.created: list[dt.date] = []
        self.archive: list[tuple[Member, dt.date, str]] = []
        self.used: set[int] = set()
        self.issuer_of: dict[str, Organization] = {}
        # Branch-level organizations with enough members to lend one, and office holders to skip.
        office_holders = {id(o.member) for o in plan.offices}
        self.senders = [
            o
            for o in plan.organizations
            if o.kind in BRANCH_KINDS
            and o.kind != OrganizationKind.TEMPORARY_BRANCH
            and len(plan.direct_members.get(o.path, ())) >= 5
        ]
        self.pool = {
            o.path: [
                m
                for m in plan.direct_members[o.path]
                if id(m) not in office_holders and not m.is_floating and m.pk
            ]
            for o in self.senders
        }
        gaotang = plan.named.get("高塘社区")
        own = getattr(gaotang, "own", None)
        self.gaotang = [o for o in self.senders if own is not None and o.path.startswith(own.path)]

    # --- picking ----------------------------------------------------------------------------
    def member(self, orgs=None, origin: bool = False):
        orgs = orgs or self.senders
        for _ in range(200):
            org = self.rng.choice(orgs)
            choices = [
                m
                for m in self.pool.get(org.path, ())
                if id(m) not in self.used and (not origin or m.id_number[:6] in PROVINCE_OF_AREA)
            ]
            if choices:
                m = self.rng.choice(choices)
                self.used.add(id(m))
                return m, org
        return None, None

    def other_org(self, org):
        for _ in range(50):
            other = self.rng.choice(self.senders)
            if other.path != org.path:
                return other
        return None

    def issuer(self, org) -> Organization:
        if org.path not in self.issuer_of:
            node = org
            while node is not None and node.kind not in ISSUING_KINDS:
                node = node.parent
            self.issuer_of[org.path] = node or org
        return self.issuer_of[org.path]

    def day(self, lo: int, hi: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(lo, hi))

    # --- writing ----------------------------------------------------------------------------
    def add(self, *, issued_on: dt.date | None, drafted: dt.date | None = None, **fields):
        t = Transfer(**fields)
        if issued_on is not None:
            t.issued_on = issued_on
            t.valid_until = add_months(issued_on, self.months)
            t.dues_paid_until = add_months(issued_on.replace(day=1), -self.rng.choice((0, 0, 1)))
        self.rows.append(t)
        self.created.append(drafted or (issued_on - dt.timedelta(days=self.rng.randint(0, 3))))
        return t

    def internal(self, state: str, issued_on, m, frm, to, **extra):
        return self.add(
            issued_on=issued_on,
            member=m,
            direction="internal",
            state=state,
            from_organization=frm,
            to_organization=to,
            issuing_organization=self.issuer(frm) if issued_on else None,
            **extra,
        )

    def number_letters(self) -> None:
        """Letter numbers per issuing committee and year, in issue order; counters to match."""
        seq: dict[tuple[int, int], int] = defaultdict(int)
        prefixes: dict[int, str] = {}
        taken: set[str] = set(LetterCounter.objects.values_list("prefix", flat=True))
        issued = [t for t in self.rows if t.issuing_organization is not None]
        for t in sorted(issued, key=lambda t: (t.issued_on, self.rows.index(t))):
            issuer = t.issuing_organization
            if issuer.pk not in prefixes:
                base = letter_short_name(issuer.name) or str(issuer.pk)
                prefix = f"{base}组转" if f"{base}组转" not in taken else f"{base}{issuer.pk}组转"
                prefixes[issuer.pk] = prefix
                taken.add(prefix)
            key = (issuer.pk, t.issued_on.year)
            seq[key] += 1
            t.letter_year, t.letter_seq = t.issued_on.year, seq[key]
            t.letter_no = letter_number(prefixes[issuer.pk], t.issued_on.year, seq[key])
        LetterCounter.objects.bulk_create(
            [
                LetterCounter(organization_id=pk, year=year, prefix=prefixes[pk], last=last)
                for (pk, year), last in seq.items()
            ]
        )


def load(plan, users) -> None:
    s = _Story(plan)
    if len(s.senders) < 4:
        return
    n = max(1, round(plan.scale * 4))  # 4 of each kind in the full district, at least 1

    # Received within the system: the member is now where the letter took him.
    for i in range(n * 4):
        m, to = s.member()
        frm = s.other_org(to) if m else None
        if frm is None:
            break
        issued_on = s.day(40, 330)
        received_on = issued_on + dt.timedelta(days=s.rng.randint(3, 30))
        overdue = i % 4 == 1  # one in four: the receipt has not gone back (R24)
        s.internal(
            "received",
            issued_on,
            m,
            frm,
            to,
            received_on=received_on,
            receipt_returned_on=None
            if overdue
            else received_on + dt.timedelta(days=s.rng.randint(2, 25)),
        )

    # Issued and in transit (R21: still on the sender's roll); the first from 高塘社区.
    for i in range(n * 2):
        m, frm = s.member(s.gaotang if i == 0 and s.gaotang else None)
        to = s.other_org(frm) if m else None
        if to is None:
            break
        s.internal("issued", s.day(2, 70), m, frm, to)
    # Lapsed letters (R24): half still marked issued, half marked expired.
    for i in range(max(2, n)):
        m, frm = s.member(s.gaotang if i == 0 and s.gaotang else None)
        to = s.other_org(frm) if m else None
        if to is None:
            break
        issued_on = s.day(100, 200)
        marked = i % 2 == 1
        s.internal(
            "expired" if marked else "issued",
            issued_on,
            m,
            frm,
            to,
            expired_on=add_months(issued_on, s.months) + dt.timedelta(days=1) if marked else None,
        )

    # Arrived from other provinces (received): members born elsewhere, now here.
    for _ in range(n * 2):
        m, to = s.member(origin=True)
        if m is None:
            break
        province = PROVINCE_OF_AREA[m.id_number[:6]]
        issued_on = s.day(30, 330)
        received_on = issued_on + dt.timedelta(days=s.rng.randint(5, 40))
        s.add(
            issued_on=issued_on,
            member=m,
            direction="in",
            state="received",
            from_text=s.rng.choice(OUTSIDE[province]),
            to_organization=to,
            letter_no=f"外省组转〔{issued_on.year}〕{s.rng.randint(10, 400):04d}号",
            received_on=received_on,
            receipt_returned_on=received_on + dt.timedelta(days=s.rng.randint(3, 20)),
        )
    # Letters from outside in transit: the person is not on any roll here yet.
    people = plan.people
    for i in range(n):
        province = s.rng.choice(sorted(OUTSIDE))
        area = s.rng.choice(ORIGIN_AREAS[province])
        gender = "male" if s.rng.random() < 0.7 else "female"
        birth = dt.date(s.rng.randint(1968, 2000), s.rng.randint(1, 12), s.rng.randint(1, 28))
        to = s.gaotang[0] if i == 0 and s.gaotang else s.rng.choice(s.senders)
        issued_on = s.day(3, 40)
        s.add(
            issued_on=issued_on,
            direction="in",
            state="issued",
            from_text=s.rng.choice(OUTSIDE[province]),
            to_organization=to,
            letter_no=f"外省组转〔{issued_on.year}〕{s.rng.randint(10, 400):04d}号",
            incoming_name=people.name(gender, birth, local=False),
            incoming_id_number=people.id_number(area, birth, gender),
            incoming_phone=people.phone(),
            incoming_status="full",
            incoming_joined_on=dt.date(birth.year + s.rng.randint(20, 26), 7, 1),
        )

    # Left for another district: received (now former members) and in transit.
    for i in range(n):
        m, frm = s.member()
        if m is None:
            break
        issued_on = s.day(20, 300)
        received = i % 2 == 0
        received_on = issued_on + dt.timedelta(days=s.rng.randint(7, 35)) if received else None
        t = s.add(
            issued_on=issued_on,
            member=m,
            direction="out",
            state="received" if received else "issued",
            from_organization=frm,
            to_text=s.rng.choice(NEARBY),
            issuing_organization=s.issuer(frm),
            received_on=received_on,
            receipt_returned_on=received_on,
        )
        if received:
            s.archive.append((m, received_on, t))

    # One returned, one revoked, a few drafts.
    m, frm = s.member()
    if m is not None and (to := s.other_org(frm)) is not None:
        issued_on = s.day(30, 90)
        s.internal(
            "returned",
            issued_on,
            m,
            frm,
            to,
            returned_on=issued_on + dt.timedelta(days=12),
            return_reason=RETURN_REASONS[0],
        )
    m, frm = s.member()
    if m is not None and (to := s.other_org(frm)) is not None:
        issued_on = s.day(30, 90)
        s.internal(
            "revoked",
            issued_on,
            m,
            frm,
            to,
            revoked_on=issued_on + dt.timedelta(days=9),
            revoke_reason=REVOKE_REASONS[0],
        )
    for _ in range(n):
        m, frm = s.member()
        to = s.other_org(frm) if m else None
        if to is None:
            break
        s.internal("draft", None, m, frm, to, drafted=s.day(0, 6))

    s.number_letters()
    Transfer.objects.bulk_create(s.rows, batch_size=500)
    tz = timezone.get_current_timezone()
    for t, day in zip(s.rows, s.created, strict=True):
        t.created_at = dt.datetime.combine(day, dt.time(9, 30), tzinfo=tz)
    Transfer.objects.bulk_update(s.rows, ["created_at"], batch_size=500)
    for m, on, t in s.archive:
        note = f"转往{t.to_text}，介绍信{t.letter_no}"[:200]
        Member.objects.filter(pk=m.pk).update(
            archived_on=on, archive_reason="transferred_out", archive_note=note
        )
    audit_record(
        actor=None,
        action="demo.transfers",
        obj=plan.named["district"],
        after={state: sum(1 for t in s.rows if t.state == state) for state in TransferState.values},
    )
