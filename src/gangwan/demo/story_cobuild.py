"""Demo story: regional co-building (SPEC §6, seed 3.4) — the three lists of the demo district.

The seed's three exchanges go through the services (so they are audited and notified as in life):
- 芙蓉社区 had no kindergarten: members proposed it, the harmony council deliberated and voted, 吉利
  funded it, it was built and opened (done, on the portal, with a parent's feedback);
- a community near 宁波钢铁 (霞浦街道) dredged its river with nowhere to put the silt: 宁波钢铁's members offered
  a site, and the community in return brought residents to see the steelworks' environmental
  equipment (one exchange of two linked matches);
- 三星重工's old gateball team lacked a field and opponents: 高塘社区's field was claimed and an old
  on-call member of 高塘 brought his team.
Around them, a year of needs, resources, matches, councils and projects across the district is
bulk-inserted from the labelled pairs' texts (needs posted over the last 12 months, in every
state, with the days to match and to done that the dashboard reports)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from gangwan.cobuild import projects, services
from gangwan.cobuild.models import (
    Council,
    CouncilSeat,
    Match,
    MatchHow,
    Need,
    NeedState,
    PosterKind,
    Project,
    ProjectStatus,
    Resource,
)
from gangwan.cobuild.quality import labelled
from gangwan.core.audit import audit_record
from gangwan.members.models import Member
from gangwan.organizations.models import Organization
from gangwan.regions.models import Region
from gangwan.units.models import Unit

GEELY = "宁波吉利汽车制造有限公司"
STEEL = "宁波钢铁有限公司"
SAMSUNG = "三星重工（宁波）有限公司"
BATCH = 2000


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def load(plan, users) -> None:
    if "芙蓉社区" not in plan.named or GEELY not in plan.named:
        return
    rng = random.Random(f"{plan.seed}:cobuild")
    today = plan.today
    actor = users.get("district_admin")
    areas = [a for a in plan.areas if a.own is not None]
    regions = {
        r.path: r
        for r in Region.objects.filter(path__in=[a.region.path for a in areas]).select_related(
            "parent"
        )
    }
    orgs = {
        o.path: o
        for o in Organization.objects.filter(path__in=[a.own.path for a in areas]).select_related(
            "region"
        )
    }
    enterprises: dict[int, list[Unit]] = {}
    for u in Unit.objects.filter(
        region_id__in=[r.pk for r in regions.values()], kind__endswith="enterprise"
    ):
        enterprises.setdefault(u.region_id, []).append(u)
    counts = _year(plan, rng, today, areas, regions, orgs, enterprises)
    _kindergarten(plan, actor, today, regions, orgs)
    _silt(plan, actor, today, areas, regions, orgs)
    _gateball(plan, actor, today, regions, orgs)
    audit_record(
        actor=None,
        action="demo.load.cobuild",
        obj=plan.named["district"],
        after={**counts, "needs": Need.objects.count(), "projects": Project.objects.count()},
    )


def _unit(plan, name: str) -> Unit:
    return Unit.objects.get(credit_code=plan.named[name][0].credit_code)


def _person(rng) -> str:
    return rng.choice("王李张陈周胡邬应贺俞戚乐忻竺郭") + rng.choice(
        ["建国", "秀英", "国华", "海波", "丽君", "志刚", "雅琴", "伟明", "红霞", "立新"]
    )


def _year(plan, rng, today, areas, regions, orgs, enterprises) -> dict:
    """A year of needs, resources, matches and projects, bulk-inserted."""
    pairs = labelled()["pairs"]
    n_resources = plan.scaled(160, minimum=20)
    n_needs = plan.scaled(320, minimum=40)
    resources = []
    for _ in range(n_resources):
        p = rng.choice(pairs)["resource"]
        area = rng.choice(areas)
        region = regions[area.region.path]
        units = enterprises.get(region.pk) or []
        holder_unit = rng.choice(units) if units and rng.random() < 0.6 else None
        text = p["text"].split("：", 1)[-1]
        resources.append(
            Resource(
                title=text[:24],
                text=text,
                category=p["category"],
                kind=p["kind"],
                capacity=rng.choice(["", "每月一次", "50人", "10万元", "周末", "200平方米"]),
                region=region,
                holder_kind="enterprise" if holder_unit else "organization",
                holder_unit=holder_unit,
                holder_organization=None if holder_unit else orgs[area.own.path],
                available_until=rng.choice(
                    [None, None, today + dt.timedelta(days=rng.randint(30, 400))]
                ),
                created_at=_at(today - dt.timedelta(days=rng.randint(200, 400))),
            )
        )
    Resource.objects.bulk_create(resources, batch_size=BATCH)
    by_category: dict[str, list[Resource]] = {}
    for r in resources:
        by_category.setdefault(r.category, []).append(r)

    needs, states = [], []
    for _ in range(n_needs):
        pair = rng.choice(pairs)
        p = pair["need"]
        area = rng.choice(areas)
        region = regions[area.region.path]
        text = p["text"].replace(p["area"], region.name)
        posted = today - dt.timedelta(days=rng.randint(1, 365))
        roll = rng.random()
        state = (
            NeedState.DONE
            if roll < 0.35
            else NeedState.IN_PROJECT
            if roll < 0.5
            else NeedState.MATCHED
            if roll < 0.7
            else NeedState.CLOSED
            if roll < 0.75
            else NeedState.OPEN
        )
        matched = posted + dt.timedelta(days=rng.randint(1, 21))
        done = matched + dt.timedelta(days=rng.randint(14, 120))
        if state != NeedState.OPEN and matched >= today:
            state = NeedState.OPEN
        if state == NeedState.DONE and done >= today:
            state = NeedState.IN_PROJECT
        kind = rng.choice(
            [PosterKind.COMMUNITY, PosterKind.COMMUNITY, PosterKind.RESIDENT, PosterKind.ENTERPRISE]
        )
        needs.append(
            Need(
                title=text.split("，")[0][:40],
                text=text,
                category=p["category"],
                region=region,
                urgency=rng.choice(["low", "normal", "normal", "high"]),
                poster_kind=kind,
                poster_name=region.name if kind == PosterKind.COMMUNITY else "居民",
                state=state,
                closed_reason="已由其他渠道解决" if state == NeedState.CLOSED else "",
                posted_at=_at(posted, 9),
                matched_at=_at(matched)
                if state in (NeedState.MATCHED, NeedState.IN_PROJECT, NeedState.DONE)
                else None,
                done_at=_at(done, 17) if state == NeedState.DONE else None,
                closed_at=_at(matched) if state == NeedState.CLOSED else None,
            )
        )
        states.append(area)
    Need.objects.bulk_create(needs, batch_size=BATCH)

    matches, new_projects, links = [], [], []
    for need, area in zip(needs, states, strict=True):
        if need.state not in (NeedState.MATCHED, NeedState.IN_PROJECT, NeedState.DONE):
            continue
        pool = by_category.get(need.category) or resources
        same = [r for r in pool if r.region.parent_id == need.region.parent_id] or pool
        resource = rng.choice(same)
        matches.append(
            Match(
                need=need,
                resource=resource,
                how=MatchHow.CLAIM,
                score=round(rng.uniform(0.5, 0.9), 3),
            )
        )
        if need.state in (NeedState.IN_PROJECT, NeedState.DONE):
            done = need.state == NeedState.DONE
            project = Project(
                title=need.title[:60],
                summary=need.text,
                region=need.region,
                organization=orgs[area.own.path],
                funder=resource.holder_unit,
                budget=Decimal(rng.choice([0, 5000, 20000, 80000, 300000])) or None,
                served_text=f"{need.region.name}的居民",
                hours=Decimal(rng.randint(8, 200)) if done else None,
                status=ProjectStatus.DONE if done else ProjectStatus.UNDERWAY,
                starts_on=need.matched_at.date(),
                completed_on=need.done_at.date() if done else None,
                created_at=need.matched_at,
            )
            new_projects.append(project)
            links.append((project, need, resource))
    Match.objects.bulk_create(matches, batch_size=BATCH)
    Project.objects.bulk_create(new_projects, batch_size=BATCH)
    Project.needs.through.objects.bulk_create(
        [Project.needs.through(project_id=p.pk, need_id=n.pk) for p, n, _r in links],
        batch_size=BATCH,
    )
    Project.resources.through.objects.bulk_create(
        [Project.resources.through(project_id=p.pk, resource_id=r.pk) for p, _n, r in links],
        batch_size=BATCH,
    )
    # Harmony councils in a dozen residential communities (芙蓉's comes with its story).
    councils = []
    for area in rng.sample(areas, min(12, len(areas))):
        if area.region.kind != "residential" or area.region.name == "芙蓉社区":
            continue
        region = regions[area.region.path]
        councils.append(
            Council(
                region=region, name=f"{region.name}和谐理事会", established_on=dt.date(2023, 3, 1)
            )
        )
    Council.objects.bulk_create(councils)
    seats = []
    for c in councils:
        for i, constituency in enumerate(
            ["residents", "residents", "residents", "enterprises", "organizations", "organizations"]
        ):
            seats.append(
                CouncilSeat(
                    council=c,
                    name=_person(rng),
                    constituency=constituency,
                    term_starts=dt.date(2023, 3, 1),
                    term_ends=dt.date(2026, 2, 28) if i else dt.date(2025, 2, 28),
                )
            )
    CouncilSeat.objects.bulk_create(seats)
    return {
        "resources_bulk": len(resources),
        "needs_bulk": len(needs),
        "matches_bulk": len(matches),
        "projects_bulk": len(new_projects),
        "councils_bulk": len(councils),
    }


def _backdate(need: Need, posted: dt.date, matched: dt.date | None, done: dt.date | None) -> None:
    Need.objects.filter(pk=need.pk).update(
        posted_at=_at(posted, 9),
        matched_at=_at(matched) if matched else None,
        done_at=_at(done, 17) if done else None,
    )


def _kindergarten(plan, actor, today, regions, orgs) -> None:
    """芙蓉社区: members propose, the council deliberates, 吉利 funds, the kindergarten opens."""
    area = plan.named["芙蓉社区"]
    furong, committee = regions[area.region.path], orgs[area.own.path]
    geely = _unit(plan, GEELY)
    fund = services.resource_offer(
        actor=actor,
        title="吉利出资捐建普惠性幼儿园",
        text="企业出资捐建社区普惠性幼儿园，承担土建和教学设备费用",
        category="childcare",
        kind="funding",
        region=geely.region,
        holder_kind="enterprise",
        holder_unit=geely,
        capacity="300万元",
        skills="幼儿园, 捐建",
    )
    need = services.need_post(
        actor=actor,
        title="芙蓉社区没有幼儿园，孩子入园难",
        text="芙蓉社区适龄儿童一百多名，附近没有公办幼儿园，家长每天跨街道接送。"
        "社区党员提议建一所普惠性幼儿园。",
        category="childcare",
        region=furong,
        urgency="high",
        poster_kind="community",
        poster_name="芙蓉社区居委会",
    )
    services.need_claim(actor=actor, need=need, resource=fund, note="吉利汽车愿意出资捐建")
    council = projects.council_create(
        actor=actor, region=furong, name="芙蓉社区和谐理事会", established_on=dt.date(2023, 3, 1)
    )
    people = [
        ("陈秀英", "residents", "居民代表"),
        ("王建国", "residents", "老党员"),
        ("李海波", "enterprises", GEELY),
        ("周丽君", "organizations", "芙蓉社区党委"),
        ("胡志刚", "organizations", "芙蓉社区居委会"),
        ("应雅琴", "residents", "家长代表"),
        ("贺伟明", "enterprises", "芙蓉社区商户联合会"),
    ]
    seats = [
        projects.council_seat_add(
            actor=actor,
            council=council,
            name=name,
            constituency=c,
            affiliation=aff,
            term_starts=dt.date(2023, 3, 1),
            term_ends=dt.date(2026, 2, 28) + dt.timedelta(days=366 * 2),
        )
        for name, c, aff in people
    ]
    posted = today - dt.timedelta(days=300)
    meeting = projects.meeting_record(
        actor=actor,
        council=council,
        held_on=posted + dt.timedelta(days=12),
        place="芙蓉社区议事厅",
        present=seats[:6],
    )
    item = projects.deliberation_add(
        actor=actor,
        meeting=meeting,
        title="建设芙蓉社区普惠性幼儿园",
        proposal="社区党员提议：利用社区闲置用房改建幼儿园，请辖区企业出资支持。",
        need=need,
        proposed_by=seats[1],
    )
    projects.deliberation_decide(
        actor=actor,
        deliberation=item,
        record="理事会充分讨论：吉利汽车表示愿意出资捐建，社区提供用房并负责日常管理，年内开工。",
        decision="adopted",
        votes_for=6,
        votes_against=0,
        abstentions=0,
        project={
            "title": "芙蓉社区普惠性幼儿园",
            "summary": "吉利汽车出资捐建，社区提供用房，招收适龄儿童一百二十名。",
            "region": furong,
            "organization": committee,
            "funder": geely,
            "budget": Decimal("3000000"),
            "served_text": "芙蓉社区的适龄儿童和家长",
            "resources": [fund],
            "starts_on": posted + dt.timedelta(days=12),
        },
    )
    project = Project.objects.get(deliberation=item)
    for title, offset in [("设计方案通过", 40), ("主体结构完工", 150), ("竣工验收", 230)]:
        m = projects.milestone_add(
            actor=actor, project=project, title=title, due_on=posted + dt.timedelta(days=offset)
        )
        projects.milestone_done(
            actor=actor,
            milestone=m,
            done_on=posted + dt.timedelta(days=offset - 3),
            evidence=f"{title}：现场照片和验收记录已存档",
        )
    opened = posted + dt.timedelta(days=245)
    projects.project_complete(
        actor=actor, project=project, completed_on=opened, hours=Decimal("360")
    )
    _backdate(need, posted, posted + dt.timedelta(days=12), opened)
    projects.feedback_submit(
        project=project,
        phone="13957400001",
        rating=5,
        comment="孩子在家门口上幼儿园了，感谢吉利和社区！",
    )


def _silt(plan, actor, today, areas, regions, orgs) -> None:
    """霞浦: the river's silt goes to 宁钢's idle yard; residents visit the steelworks in return."""
    steel = Unit.objects.select_related("region__parent").get(
        credit_code=plan.named[STEEL][0].credit_code
    )
    residential = [a for a in areas if a.region.kind == "residential"]
    near = [a for a in residential if a.street.path == steel.region.parent.path]
    if not residential:
        return
    area = (near or residential)[0]
    community, committee = regions[area.region.path], orgs[area.own.path]
    steel_org = (
        Organization.objects.filter(units=steel, dissolved_on__isnull=True).order_by("path").first()
    )
    site = services.resource_offer(
        actor=actor,
        title="宁钢厂区闲置堆场可接收清淤淤泥",
        text="宁钢党员找到厂区内约两万平方米闲置堆场，可作为河道清淤淤泥临时堆放和晾晒场地",
        category="environment",
        kind="site",
        region=steel.region,
        holder_kind="enterprise",
        holder_unit=steel,
        capacity="两万平方米",
        skills="淤泥, 堆放, 场地",
    )
    visit = services.resource_offer(
        actor=actor,
        title=f"{community.name}组织居民参观团",
        text="社区组织居民代表参观企业，了解企业环保设施",
        category="environment",
        kind="people",
        region=community,
        holder_kind="organization",
        holder_organization=committee,
        skills="居民, 参观",
    )
    silt = services.need_post(
        actor=actor,
        title="河道清淤淤泥无处堆放",
        text=f"{community.name}内河清淤，清出淤泥约八千立方米无处堆放，工程停滞，急需临时堆放场地",
        category="environment",
        region=community,
        urgency="critical",
        poster_kind="community",
        poster_name=community.name,
    )
    tour = services.need_post(
        actor=actor,
        title="希望居民实地了解宁钢环保设施",
        text="周边居民对钢铁企业环保有疑虑，企业希望组织居民参观脱硫除尘和污水处理环保设备",
        category="environment",
        region=steel.region,
        urgency="normal",
        poster_kind="enterprise",
        poster_name=STEEL,
        poster_unit=steel,
    )
    services.exchange_record(
        actor=actor,
        title="淤泥堆场换居民参观：宁钢与社区的双向共建",
        pairs=[(silt, site), (tour, visit)],
        note="宁钢党员为社区找到淤泥堆场；社区组织居民参观宁钢环保设备。",
    )
    posted = today - dt.timedelta(days=200)
    if steel_org is not None:
        p = projects.project_create(
            actor=actor,
            title=f"{community.name}河道清淤与宁钢环保开放日",
            summary="淤泥运至宁钢闲置堆场晾晒处置；社区组织八十名居民参观宁钢环保设备。",
            region=community,
            organization=steel_org,
            funder=steel,
            served_text=f"{community.name}的居民",
            needs=[silt, tour],
            resources=[site, visit],
            starts_on=posted + dt.timedelta(days=3),
        )
        done = posted + dt.timedelta(days=60)
        projects.project_complete(actor=actor, project=p, completed_on=done, hours=Decimal("240"))
        _backdate(silt, posted, posted + dt.timedelta(days=3), done)
        _backdate(tour, posted + dt.timedelta(days=1), posted + dt.timedelta(days=3), done)


def _gateball(plan, actor, today, regions, orgs) -> None:
    """三星重工's old gateball team: 高塘社区's field, and an old member's team as opponents."""
    gaotang = plan.named["高塘社区"]
    dagang = plan.named["大港社区"]
    if SAMSUNG not in plan.named:
        return
    samsung = _unit(plan, SAMSUNG)
    field = services.resource_offer(
        actor=actor,
        title="高塘社区门球场",
        text="社区标准门球场，每周二、四上午开放，欢迎老年门球队训练和交流比赛",
        category="venues",
        kind="venue",
        region=regions[gaotang.region.path],
        holder_kind="organization",
        holder_organization=orgs[gaotang.own.path],
        skills="门球, 场地",
    )
    old = (
        Member.objects.filter(
            organization__path__startswith=gaotang.own.path, archived_on__isnull=True
        )
        .order_by("birth_date")
        .first()
    )
    if old is not None:
        Member.objects.filter(pk=old.pk).update(
            on_call=True, skills="门球、调解邻里纠纷", on_call_hours="工作日上午"
        )
    need = services.need_post(
        actor=actor,
        title="退休职工门球队缺少训练场地和对手",
        text="三星重工退休职工门球队十二人，一直没有固定训练场地，也找不到对手切磋比赛",
        category="venues",
        region=Region.objects.get(path=dagang.region.path),
        urgency="normal",
        poster_kind="enterprise",
        poster_name=SAMSUNG,
        poster_unit=samsung,
    )
    services.need_claim(actor=actor, need=need, resource=field, note="每周二上午借用门球场")
    if old is not None:
        services.need_claim(
            actor=actor,
            need=need,
            member=old,
            how=MatchHow.DISPATCH,
            note="老党员门球队每月与三星门球队交流比赛",
        )
    posted = today - dt.timedelta(days=90)
    _backdate(need, posted, posted + dt.timedelta(days=6), None)
