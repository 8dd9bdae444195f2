"""Demo story: the district's 15 regional service brands (seed 2.5) with a year of service records,
the enterprise advisory group's problems in every state (each closure a service record), and
the union of 三星重工's matchmaking events for single employees (seed 2.4): last 七夕's with
300+ registrations and attendance, and an upcoming one whose 300 places are taken and whose
waiting list is open on the portal.

Brands hang on the seed's named areas where the plan has them (高塘社区, 大港社区, 芙蓉社区, 青峙社区,
向家村) and otherwise on the first organizations of a street, so the story holds at any scale.
Everything is written with bulk_create; dates follow plan.today."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from gangwan.brands.models import (
    EmployeeEvent,
    EnterpriseProblem,
    Registration,
    ServiceBrand,
    ServiceRecord,
)
from gangwan.core.audit import audit_record
from gangwan.organizations.models import Organization
from gangwan.units.models import ENTERPRISE_KINDS

from . import names
from .people import Weighted
from .plan import Plan

# (name, category, area, which organization of the area, started, description)
BRANDS = [
    (
        "企业顾问团",
        "serve_enterprises",
        "大港社区",
        "regional",
        (2010, 9, 1),
        "律师、会计师、退休干部党员组成顾问团，为区域内企业解决融资、用工、审批等难题。",
    ),
    (
        "星期六雇员",
        "serve_enterprises",
        "大港社区",
        "regional",
        (2011, 4, 2),
        "机关和社区党员每周六到企业“上班”，帮企业理台账、办手续、做职工服务。",
    ),
    (
        "向日葵工程",
        "socialize_party_building",
        "高塘社区",
        "own",
        (2009, 6, 1),
        "党员结对外来务工人员子女，课后辅导、暑期托管，让新北仑人的孩子向阳成长。",
    ),
    (
        "一员双岗",
        "two_posts",
        "高塘社区",
        "own",
        (2011, 1, 1),
        "在职党员在单位岗位争先、在社区岗位服务，8小时以外认领社区服务岗。",
    ),
    (
        "新向家人服务队",
        "serve_public",
        "向家村",
        "floating",
        (2012, 3, 1),
        "流动党员组成服务队，随时听候村里调用，参与环境整治和邻里调解。",
    ),
    (
        "红色管家",
        "serve_public",
        "芙蓉社区",
        "own",
        (2010, 5, 1),
        "党员楼道长当好居民的管家：代办、巡查、调解一条龙。",
    ),
    (
        "港湾驿站",
        "socialize_party_building",
        "高塘社区",
        "own",
        (2012, 7, 1),
        "流动党员服务站的延伸：报到、找“娘家”、过组织生活。",
    ),
    (
        "和谐共建议事会",
        "socialize_party_building",
        "青峙社区",
        "own",
        (2011, 9, 1),
        "社区与驻区企业共商共建，议事、共享场地、共办活动。",
    ),
    (
        "职工之家",
        "serve_enterprises",
        "青峙社区",
        "own",
        (2012, 5, 18),
        "帮助驻区企业建工会、办实事，为职工办联谊、培训和维权服务。",
    ),
    (
        "银龄互助",
        "serve_public",
        "芙蓉社区",
        "own",
        (2010, 10, 1),
        "老党员结对空巢老人，定期探访、代购、陪诊。",
    ),
    (
        "企业服务直通车",
        "serve_enterprises",
        "大港社区",
        "regional",
        (2012, 2, 1),
        "街道部门联络员进企业，现场受理、限时办结。",
    ),
    (
        "邻里守望",
        "serve_public",
        "向家村",
        "own",
        (2011, 6, 1),
        "本地党员与新村民结对，治安巡逻、邻里互助。",
    ),
    (
        "党员先锋岗",
        "two_posts",
        "大港社区",
        "samsung",
        (2011, 11, 1),
        "企业党员亮身份、设岗位，在生产一线和社区服务中当先锋。",
    ),
    (
        "绿色家园",
        "serve_public",
        "芙蓉社区",
        "own",
        (2012, 4, 22),
        "党员带头垃圾分类、河道认养和绿化养护。",
    ),
    (
        "青春红帆",
        "socialize_party_building",
        "青峙社区",
        "own",
        (2012, 5, 4),
        "青年党员带动企业青年职工参与志愿服务和联谊交友。",
    ),
]

WORK = {
    "serve_enterprises": [
        "上门走访企业，收集用工需求",
        "政策宣讲：小微企业税费减免",
        "协助企业办理消防验收材料",
        "组织专场招聘会",
        "帮企业梳理安全生产台账",
        "劳动合同法律咨询",
    ],
    "serve_public": [
        "楼道环境整治",
        "走访慰问困难群众",
        "邻里纠纷调解",
        "义诊义剪进社区",
        "夜间治安巡逻",
        "为空巢老人代购代办",
    ],
    "socialize_party_building": [
        "外来务工子女课业辅导",
        "流动党员报到座谈",
        "社企共建议事会",
        "职工读书会",
        "暑期托管班",
        "新北仑人融入讲座",
    ],
    "two_posts": [
        "认领社区服务岗：周末值班",
        "在职党员进社区服务",
        "岗位技能带徒",
        "社区文明劝导",
        "一线安全巡查",
        "志愿者服务日",
    ],
}
OUTCOMES = ["问题当场解决", "服务对象满意", "形成长效机制", "已跟踪回访", "需求已对接相关部门"]
FEEDBACK = ["很及时，谢谢党员同志！", "解决了我们的大难题", "希望以后多来", "服务很贴心", ""]
RESIDENTS = ["{area}居民", "{area}外来务工家庭", "{area}空巢老人", "{area}新村民"]
PROBLEMS = [
    ("financing", "流动资金紧张，银行授信难"),
    ("labour", "旺季招工难，缺熟练技术工人"),
    ("permits", "厂房扩建审批周期长"),
    ("infrastructure", "厂区门口道路破损，货车进出困难"),
    ("policy", "不了解高新技术企业认定政策"),
    ("labour", "外来职工子女入学难"),
    ("other", "职工通勤公交班次少"),
    ("permits", "环评手续不清楚"),
]
REFERRED_TO = ["区人力社保局", "区发改局", "街道城管科", "区教育局", "区交通局"]


def _org(plan: Plan, area_name: str, which: str, fallback: list[Organization]):
    info = plan.named.get(area_name)
    if which == "samsung":
        leaf = plan.named.get("samsung_branch")
        return leaf if leaf is not None and leaf.pk else _org(plan, area_name, "regional", fallback)
    if which == "floating":
        branch = plan.named.get("floating_branch")
        return (
            branch if branch is not None and branch.pk else _org(plan, area_name, "own", fallback)
        )
    if info is not None:
        org = getattr(info, which, None) or info.own or info.regional
        if org is not None and org.pk:
            return org
    return fallback.pop(0) if fallback else None


def load(plan: Plan, users: dict) -> None:
    rng = random.Random(f"{plan.seed}:brands")
    today = plan.today
    fallback = [o for o in plan.organizations if o.pk and o.depth <= 2 and o.dissolved_on is None]
    if not fallback:
        return
    brands: list[ServiceBrand] = []
    for name, category, area, which, started, description in BRANDS:
        org = _org(plan, area, which, fallback) or fallback[0]
        brands.append(
            ServiceBrand(
                name=name,
                category=category,
                organization_id=org.pk,
                description=description,
                started_on=dt.date(*started),
                is_public=True,
            )
        )
    ServiceBrand.objects.bulk_create(brands)
    orgs = {o.pk: o for o in plan.organizations if o.pk}
    members_of = defaultdict(list)
    for m in plan.members:
        if m.pk and not m.is_floating:
            members_of[m.organization_id].append(m.pk)
    by_path: dict[str, list] = defaultdict(list)
    for u in plan.units:
        if u.pk and u.is_operating:
            by_path[u.region.path].append(u)

    def area_units(org, enterprises=False):
        path = org.region.path
        out = [u for p, us in by_path.items() if p.startswith(path) for u in us]
        return [u for u in out if u.kind in ENTERPRISE_KINDS] if enterprises else out

    def org_members(org):
        found = list(members_of.get(org.pk, []))
        for o in plan.child_orgs.get(org.path, []):
            found += members_of.get(o.pk, [])
        return found

    records, record_members = [], []
    start = today - dt.timedelta(days=365)
    for brand in brands:
        org = orgs[brand.organization_id]
        units = area_units(org, enterprises=brand.category == "serve_enterprises")
        people = org_members(org)
        area = org.region.name
        for _ in range(rng.randint(40, 90)):
            day = start + dt.timedelta(days=rng.randint(0, 364))
            unit = rng.choice(units) if units and rng.random() < 0.6 else None
            records.append(
                ServiceRecord(
                    brand=brand,
                    served_on=day,
                    title=rng.choice(WORK[brand.category]),
                    served_unit=unit,
                    served_text="" if unit else rng.choice(RESIDENTS).format(area=area),
                    hours=Decimal(rng.choice([1, 1.5, 2, 2, 3, 4, 6, 8])),
                    outcome=rng.choice(OUTCOMES),
                    feedback=rng.choice(FEEDBACK),
                )
            )
            if people:
                record_members.append(rng.sample(people, min(len(people), rng.randint(1, 4))))
            else:
                record_members.append([])
    problems, closures = _problems(plan, rng, brands, orgs, area_units)
    ServiceRecord.objects.bulk_create(records + [r for _p, r in closures], batch_size=1000)
    for p, r in closures:
        p.record_id = r.pk
    EnterpriseProblem.objects.bulk_update([p for p, _r in closures], ["record"], batch_size=500)
    through = ServiceRecord.members.through
    through.objects.bulk_create(
        [
            through(servicerecord_id=r.pk, member_id=m)
            for r, ms in zip(records, record_members, strict=True)
            for m in ms
        ],
        batch_size=2000,
    )
    events = _matchmaking(plan, rng, brands, orgs)
    audit_record(
        actor=None,
        action="demo.brands",
        obj=plan.named["district"],
        after={
            "brands": len(brands),
            "records": len(records) + len(closures),
            "problems": len(problems),
            "registrations": events,
        },
    )


def _problems(plan, rng, brands, orgs, area_units):
    """The advisory groups' problems over the year: open, in hand, solved and referred."""
    today = plan.today
    problems, closures = [], []
    for brand in brands:
        if brand.category != "serve_enterprises":
            continue
        units = area_units(orgs[brand.organization_id], enterprises=True)
        if not units:
            continue
        n = 18 if brand.name == "企业顾问团" else 6
        for i in range(n):
            category, text = rng.choice(PROBLEMS)
            reported = today - dt.timedelta(days=rng.randint(3, 330))
            status = ["open", "in_hand", "solved", "solved", "solved", "referred"][i % 6]
            p = EnterpriseProblem(
                brand=brand,
                unit=rng.choice(units),
                category=category,
                text=text,
                status=status,
                reported_on=reported,
                handler=rng.choice(["顾问团 陈律师", "顾问团 王会计师", "联络员 李明", ""]),
            )
            if status != "open":
                p.taken_on = min(today, reported + dt.timedelta(days=rng.randint(0, 3)))
            if status in ("solved", "referred"):
                p.closed_on = min(today, p.taken_on + dt.timedelta(days=rng.randint(2, 25)))
                if status == "solved":
                    p.resolution = rng.choice(
                        ["协调银行授信", "对接专场招聘会", "并联审批限时办结", "协调部门现场解决"]
                    )
                else:
                    p.referred_to = rng.choice(REFERRED_TO)
            problems.append(p)
    EnterpriseProblem.objects.bulk_create(problems)
    for p in problems:
        if p.closed_on:
            closures.append(
                (
                    p,
                    ServiceRecord(
                        brand=p.brand,
                        served_on=p.closed_on,
                        title=f"企业难题：{p.text[:60]}",
                        summary=p.text,
                        served_unit=p.unit,
                        hours=Decimal(rng.choice([2, 3, 4, 6])),
                        outcome=p.resolution or f"已转交{p.referred_to}。",
                        source_ref=f"brands.problem:{p.pk}",
                    ),
                )
            )
    return problems, closures


def _matchmaking(plan, rng, brands, orgs) -> int:
    """三星重工's union: last 七夕's event (310 registered for 300 places, attendance taken) and
    the next one, full with a waiting list, open for sign-up on the portal."""
    home = next((b for b in brands if b.name == "职工之家"), brands[0])
    samsung = next((u for u in plan.units if u.pk and u.name.startswith("三星重工")), None)
    org = orgs[home.organization_id]
    today = plan.today
    qixi = dt.date(today.year if today >= dt.date(today.year, 8, 29) else today.year - 1, 8, 29)
    tz = timezone.get_current_timezone()
    past = EmployeeEvent.objects.create(
        organization_id=org.pk,
        brand=home,
        host_unit=samsung,
        title="三星重工工会“七夕”鹊桥会",
        description="工会成立后为职工办的第一件实事：为大龄单身青年职工牵线搭桥。",
        starts_at=dt.datetime.combine(qixi, dt.time(18, 30), tzinfo=tz),
        place="青峙社区文化礼堂",
        capacity=300,
        registration_open=False,
        is_public=False,
    )
    upcoming = EmployeeEvent.objects.create(
        organization_id=org.pk,
        brand=home,
        host_unit=samsung,
        title="金秋联谊会：单身青年职工交友活动",
        description="驻区企业工会联合举办，欢迎区域内单身青年职工报名；名额已满时可排队候补。",
        starts_at=dt.datetime.combine(today + dt.timedelta(days=21), dt.time(14, 0), tzinfo=tz),
        place="大港社区党群服务中心",
        capacity=300,
    )
    employers = [samsung.name if samsung else "三星重工", "宁波大港模具有限公司", "北仑港务公司"]
    phones = rng.sample(range(10_000_000, 99_999_999), 700)
    surnames = Weighted(names.SURNAMES_NATIONAL)
    regs = []
    for event, n, start in (
        (past, 326, qixi - dt.timedelta(days=30)),
        (upcoming, 318, today - dt.timedelta(days=12)),
    ):
        for i in range(n):
            at = dt.datetime.combine(
                start + dt.timedelta(days=i * 10 // n), dt.time(9, 0), tzinfo=tz
            ) + dt.timedelta(minutes=i)
            confirmed = i < event.capacity
            regs.append(
                Registration(
                    event=event,
                    name=surnames.draw(rng)
                    + rng.choice(names.GIVEN[(rng.choice(["male", "female"]), 2)]),
                    phone=f"139{phones.pop():08d}",
                    employer=rng.choice(employers),
                    status="confirmed" if confirmed else "waiting",
                    attended=event is past and confirmed and rng.random() < 0.93,
                    created_at=at,
                )
            )
    Registration.objects.bulk_create(regs, batch_size=500)
    # created_at is auto_now_add: set the arrival times the story gives.
    Registration.objects.bulk_update(regs, ["created_at"], batch_size=500)
    return len(regs)
