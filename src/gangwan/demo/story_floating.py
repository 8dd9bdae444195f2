"""Floating members and their service stations in the demo district (seed 1.1–1.3, SPEC §2).

- Stations: 高塘社区 (新碶街道, where the seed's story is told), 向家村 (home of the "新向家人"
  floating members' branch), 大港社区, and in every other street the area with the most newcomers.
  Staff accounts `station_gaotang` and `station_xiangjia` (password DEMO_PASSWORD).
- A Floating record for each of the plan's floating members (1,551 at full scale): origin from the
  province and city of the ID number, arrivals over the past two years, about 85 % with a home found
  10–90 days after arriving (median about 35), the rest waiting (some beyond the 30 days of the
  follow-up list, R22); activity certificates for about 40 %, some overdue for review (R23).
- The seed's member: the 60-year-old from Sichuan in 高塘社区's regional branch (account `member`)
  found his home seven weeks after arriving, and is on call for the community.
- A few registrations from the portal wait for the stations of 高塘社区 and 向家村.

Dates follow the day of loading (plan.today) so that the lists have content on any day; draws come
from a generator of this story's own, so the plan's stream stays as it was.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from gangwan.core.audit import audit_record
from gangwan.core.models import Role, RoleAssignment, User
from gangwan.floating.models import (
    Floating,
    RegisteredVia,
    SelfRegistration,
    SelfRegistrationStatus,
    ServiceStation,
)
from gangwan.members.models import Member

from .names import ORIGIN_AREAS
from .people import People
from .plan import REFERENCE_DATE, Plan
from .services import DEMO_PASSWORD

BATCH = 1000
# City of the ID number's area code (after the test prefix 99), as an origin region.
CITIES = {
    "5101": "四川省成都市",
    "5107": "四川省绵阳市",
    "5113": "四川省南充市",
    "3401": "安徽省合肥市",
    "3412": "安徽省阜阳市",
    "3413": "安徽省宿州市",
    "4101": "河南省郑州市",
    "4115": "河南省信阳市",
    "3601": "江西省南昌市",
    "3611": "江西省上饶市",
    "4201": "湖北省武汉市",
    "4211": "湖北省黄冈市",
    "4301": "湖南省长沙市",
    "4305": "湖南省邵阳市",
    "5201": "贵州省贵阳市",
    "5224": "贵州省毕节市",
    "5001": "重庆市万州区",
    "5002": "重庆市开州区",
    "3701": "山东省济南市",
    "3713": "山东省临沂市",
    "3201": "江苏省南京市",
    "3208": "江苏省淮安市",
    "5301": "云南省昆明市",
    "6201": "甘肃省兰州市",
}
PROVINCE_SHORT = {
    "51": "川",
    "34": "皖",
    "41": "豫",
    "36": "赣",
    "42": "鄂",
    "43": "湘",
    "52": "黔",
    "50": "渝",
    "37": "鲁",
    "32": "苏",
    "53": "滇",
    "62": "甘",
}
TOWNS = "龙泉 石桥 白马 青山 新华 双河 金桥 永安 太平 三合 高峰 清水 柳林 马鞍 黄土 安乐".split()
VILLAGES = "红星 团结 五里 长岭 桂花 新民 杨柳 和平 水口 胜利 联合 大湾 松林 花园".split()
ACTIVITIES = ["主题党日", "支部党员大会", "党课", "党小组会", "组织生活会"]
STAFF = [
    ("station_gaotang", "高塘社区", "高塘社区服务站·王丽"),
    ("station_xiangjia", "向家村", "向家村服务站·陈海"),
]


def _origin(rng: random.Random, id_number: str) -> tuple[str, str, str]:
    """(origin organization, origin region, province short name) from the ID number's area."""
    region = CITIES.get(id_number[2:6], "四川省成都市")
    city = region.split("省")[-1] if "省" in region else region
    town, village = rng.choice(TOWNS), rng.choice(VILLAGES)
    kind = rng.random()
    if kind < 0.6:
        org = f"中共{city}{town}镇{village}村支部委员会"
    elif kind < 0.85:
        org = f"中共{city}{town}镇委员会"
    else:
        org = f"中共{city}{town}街道{village}社区委员会"
    return org, region, PROVINCE_SHORT.get(id_number[2:4], "川")


def _stations(plan: Plan, rng: random.Random) -> dict[str, ServiceStation]:
    """Stations by area path: the seed's three areas, then one per remaining street."""
    wanted = [plan.named[n] for n in ("高塘社区", "向家村", "大港社区")]
    streets = {a.street.path for a in wanted}
    for area in sorted(plan.areas, key=lambda a: (-a.region.newcomers, a.region.path)):
        if area.street.path not in streets:
            wanted.append(area)
            streets.add(area.street.path)
    stations = {}
    for area in wanted:
        opened = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
        stations[area.region.path] = ServiceStation(
            name=f"{area.region.name}流动党员服务站",
            region=area.region,
            address=f"{area.street.name}{area.region.name}党群服务中心",
            phone=f"0574-86{rng.randrange(10**6):06d}",
            opened_on=dt.date(2012, 5, 1) if area.region.name == "高塘社区" else opened,
        )
    ServiceStation.objects.bulk_create(list(stations.values()))
    return stations


def _station_for(member: Member, stations: dict, by_street: dict) -> ServiceStation | None:
    region = member.home_organization.region
    if region.path in stations:
        return stations[region.path]
    parent = region.parent if region.level in ("community", "village") else region
    return by_street.get(parent.path) if parent is not None else None


def _certificate(rng, short, arrived, today):
    if rng.random() >= 0.4:
        return "", None
    number = f"{short}流证{arrived.year}-{rng.randrange(1, 10**5):05d}"
    if rng.random() < 0.8:  # reviewed within the year (or at arrival, for the newly arrived)
        reviewed = max(arrived, today - dt.timedelta(days=rng.randint(10, 340)))
    elif (today - arrived).days > 380:  # overdue
        reviewed = arrived + dt.timedelta(days=rng.randint(0, (today - arrived).days - 370))
    else:
        reviewed = None  # never reviewed since the station took it in
    return number, reviewed


def _floating(plan: Plan, rng: random.Random, m: Member, station) -> Floating:
    today = plan.today
    org, region, short = _origin(rng, m.id_number)
    arrived = today - dt.timedelta(days=rng.randint(3, 730))
    left = arrived - dt.timedelta(days=rng.randint(1, 40))
    placed = min(today, arrived + dt.timedelta(days=rng.randint(0, 6)))
    home_found = None
    if rng.random() < 0.9:
        days = max(int(rng.triangular(10, 90, 14)), (placed - arrived).days + 1)
        if arrived + dt.timedelta(days=days) <= today:
            home_found = arrived + dt.timedelta(days=days)
    number, reviewed = _certificate(rng, short, arrived, today)
    via = RegisteredVia.SELF_SERVICE if rng.random() < 0.2 else RegisteredVia.COUNTER
    return Floating(
        member=m,
        origin_organization_name=org,
        origin_region_name=region,
        left_origin_on=left,
        certificate_no=number,
        certificate_reviewed_on=reviewed,
        arrived_on=arrived,
        station=station,
        placed_on=placed,
        home_found_on=home_found,
        first_activity=rng.choice(ACTIVITIES) if home_found else "",
        registered_via=via,
    )


def _sichuan(plan: Plan, station: ServiceStation) -> Floating:
    """The seed's story: home found seven weeks after he arrived at 高塘社区 (1.1)."""
    m = plan.named["sichuan_member"]
    found = plan.today - dt.timedelta(days=60)
    arrived = found - dt.timedelta(days=49)
    return Floating(
        member=m,
        origin_organization_name="中共广安市广安区浓洄街道长岭村支部委员会",
        origin_region_name="四川省广安市",
        left_origin_on=arrived - dt.timedelta(days=12),
        certificate_no=f"川流证{arrived.year}-00815",
        certificate_reviewed_on=arrived,
        arrived_on=arrived,
        station=station,
        placed_on=arrived + dt.timedelta(days=2),
        home_found_on=found,
        first_activity="区域综合党支部主题党日",
        registered_via=RegisteredVia.COUNTER,
    )


def _staff(plan: Plan, users: dict) -> list[str]:
    taken = set(
        User.objects.filter(username__in=[u for u, _, _ in STAFF]).values_list(
            "username", flat=True
        )
    )
    password = next((u.password for u in users.values() if u.password), None)
    password = password or make_password(DEMO_PASSWORD)
    made = []
    for username, area_name, display in STAFF:
        if username in taken:  # an account the demo did not make is left alone
            continue
        user = User.objects.create(username=username, password=password, display_name=display)
        RoleAssignment.objects.create(
            user=user, role=Role.STATION_STAFF, region=plan.named[area_name].region
        )
        users[username] = user
        made.append(username)
    return made


def _self_registrations(plan: Plan, rng: random.Random, stations: dict) -> list[SelfRegistration]:
    people = People(rng, REFERENCE_DATE)
    people.ids = {m.id_number for m in plan.members}
    people.phones = {m.phone for m in plan.members}
    rows = []
    for area_name, n in (("高塘社区", 3), ("向家村", 2)):
        station = stations[plan.named[area_name].region.path]
        for _ in range(n):
            province = rng.choice(sorted(ORIGIN_AREAS))
            area = rng.choice(ORIGIN_AREAS[province])
            gender = "male" if rng.random() < 0.7 else "female"
            birth = REFERENCE_DATE - dt.timedelta(days=int(rng.triangular(23, 58, 35) * 365.25))
            number = people.id_number(area, birth, gender)
            org, region, _short = _origin(rng, number)
            arrived = plan.today - dt.timedelta(days=rng.randint(2, 20))
            rows.append(
                SelfRegistration(
                    station=station,
                    name=people.name(gender, birth, local=False),
                    id_number=number,
                    phone=people.phone(),
                    phone_verified_at=timezone.now(),
                    origin_organization_name=org,
                    origin_region_name=region,
                    arrived_on=arrived,
                    left_origin_on=arrived - dt.timedelta(days=rng.randint(1, 15)),
                    skills=rng.choice(["电工", "驾驶", "厨师", "财会", "电脑维修", "护理", ""]),
                    on_call=rng.random() < 0.6,
                    on_call_hours=rng.choice(["周末", "工作日晚上", "随时", ""]),
                    status=SelfRegistrationStatus.PENDING,
                )
            )
    SelfRegistration.objects.bulk_create(rows)
    return rows


def load(plan: Plan, users: dict) -> None:
    rng = random.Random(f"{plan.seed}:floating")
    stations = _stations(plan, rng)
    by_street = {}
    for station in stations.values():
        by_street.setdefault(station.region.parent.path, station)
    gaotang = stations[plan.named["高塘社区"].region.path]
    sichuan = plan.named["sichuan_member"]
    records = [_sichuan(plan, gaotang)]
    for m in plan.members:
        if m.is_floating and m is not sichuan:
            records.append(_floating(plan, rng, m, _station_for(m, stations, by_street)))
    Floating.objects.bulk_create(records, batch_size=BATCH)
    # He put himself on call for the community ("只要社区需要，随时听候调用").
    on_call = {"on_call": True, "on_call_hours": "随时", "skills": "水电维修、调解邻里纠纷"}
    fields = {f.name for f in Member._meta.concrete_fields}
    Member.objects.filter(pk=sichuan.pk).update(**{k: v for k, v in on_call.items() if k in fields})
    pending = _self_registrations(plan, rng, stations)
    staff = _staff(plan, users)
    audit_record(
        actor=None,
        action="demo.load.floating",
        obj=plan.named["district"],
        after={
            "stations": len(stations),
            "floating": len(records),
            "home_found": sum(1 for r in records if r.home_found_on),
            "self_registrations": len(pending),
            "staff": staff,
        },
    )
