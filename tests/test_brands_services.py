"""Service brands: the enterprise advisory group of 大港社区 tracks an enterprise's problem to
closure (each closure a service record), the union's matchmaking event fills up and keeps a
waiting list, and a finished co-building project counts as a brand's service record."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from gangwan.brands import services
from gangwan.brands.models import (
    EmployeeEvent,
    EnterpriseProblem,
    Registration,
    ServiceRecord,
)
from gangwan.core import events
from gangwan.core.models import AuditEntry
from gangwan.core.notifications import ConsoleSmsGateway
from tests import factories as f

TODAY = dt.date.today()


class BrandsWorld:
    """The conftest district plus: 企业顾问团 of 大港社区's regional branch (serving enterprises),
    一员双岗 of 高塘社区党委 with 大港 as partner, 向日葵工程 of 青峙社区党委, an enterprise in
    each community, 三星重工 with its union, and a user per role."""

    def __init__(self, d):
        self.d = d
        self.dagang_unit = f.unit(d.dagang, "宁波大港模具有限公司", employees=260)
        self.samsung = f.unit(
            d.qingzhi,
            "三星重工（宁波）有限公司",
            kind="foreign_enterprise",
            employees=3200,
            has_union=True,
            union_founded_on=dt.date(2012, 5, 18),
        )
        self.gaotang_unit = f.unit(d.gaotang, "宁波高塘五金有限公司")
        self.advisory = services.brand_create(
            actor=None,
            name="企业顾问团",
            category="serve_enterprises",
            organization=d.dagang_regional,
            description="为区域内企业解决融资、用工、审批等难题。",
            started_on=dt.date(2011, 3, 1),
        )
        self.two_posts = services.brand_create(
            actor=None,
            name="一员双岗",
            category="two_posts",
            organization=d.gaotang_committee,
            partners=[d.dagang_regional],
            started_on=dt.date(2012, 1, 1),
        )
        self.sunflower = services.brand_create(
            actor=None,
            name="向日葵工程",
            category="socialize_party_building",
            organization=d.qingzhi_committee,
            started_on=dt.date(2010, 6, 1),
        )
        self.member = f.member(d.dagang_regional, "朱红明")
        self.users = {
            "district_admin": f.user("beilun", "district_admin", region=d.district),
            "xinqi_admin": f.user("xinqi", "street_admin", region=d.xinqi),
            "dagang_secretary": f.user("dagang", "secretary", organization=d.dagang_regional),
            "gaotang_secretary": f.user("gaotang", "secretary", organization=d.gaotang_committee),
            "qingzhi_secretary": f.user("qingzhi", "secretary", organization=d.qingzhi_committee),
            "reviewer": f.user("pingshen", "reviewer"),
        }

    def problem(self, **kw) -> EnterpriseProblem:
        return services.problem_report(
            actor=None,
            brand=kw.pop("brand", self.advisory),
            unit=kw.pop("unit", self.dagang_unit),
            category=kw.pop("category", "labour"),
            text=kw.pop("text", "招工难：旺季缺少熟练模具工30名"),
            reported_on=kw.pop("reported_on", TODAY - dt.timedelta(days=10)),
        )

    def event(self, capacity=2, **kw) -> EmployeeEvent:
        return services.event_create(
            actor=None,
            organization=kw.pop("organization", self.d.qingzhi_committee),
            brand=kw.pop("brand", self.sunflower),
            host_unit=kw.pop("host_unit", self.samsung),
            title=kw.pop("title", "七夕鹊桥会"),
            starts_at=kw.pop("starts_at", timezone.now() + dt.timedelta(days=20)),
            place=kw.pop("place", "青峙社区文化礼堂"),
            capacity=capacity,
            **kw,
        )


@pytest.fixture
def world(district):
    return BrandsWorld(district)


def _register(event, n, start=0):
    return [
        services.registration_create(
            actor=None, event=event, name=f"职工{i}", phone=f"1390000{i:04d}", employer="三星重工"
        )
        for i in range(start, start + n)
    ]


# --- the problem's state machine ---------------------------------------------------------------
def test_a_problem_goes_open_in_hand_solved_and_its_closure_is_a_service_record(world):
    p = world.problem()
    assert p.status == "open" and p.record is None
    p = services.problem_transition(
        actor=None,
        problem=p,
        action="take",
        handler="顾问团 李律师",
        on=TODAY - dt.timedelta(days=8),
    )
    assert (p.status, p.handler, p.taken_on) == (
        "in_hand",
        "顾问团 李律师",
        TODAY - dt.timedelta(days=8),
    )
    assert ServiceRecord.objects.count() == 0
    p = services.problem_transition(
        actor=None,
        problem=p,
        action="solve",
        resolution="对接人社局专场招聘会，招到28名模具工",
        hours=Decimal("6.5"),
        members=[world.member],
    )
    assert p.status == "solved" and p.closed_on == TODAY and p.days_to_close == 10
    record = p.record
    assert record.brand == world.advisory and record.served_unit == world.dagang_unit
    assert record.hours == Decimal("6.5") and list(record.members.all()) == [world.member]
    assert record.source_ref == f"brands.problem:{p.pk}" and "28名" in record.outcome
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"brand.problem.report", "brand.problem.take", "brand.problem.solve"} <= actions


def test_an_open_problem_can_be_referred_at_once_and_that_closure_is_a_record_too(world):
    p = services.problem_transition(
        actor=None, problem=world.problem(), action="refer", referred_to="区发改局"
    )
    assert p.status == "referred" and "区发改局" in p.record.outcome
    assert p.taken_on == p.closed_on == TODAY


@pytest.mark.parametrize(
    "path, action",
    [
        ([], "solve"),  # open cannot be solved without being taken in hand
        (["take"], "take"),
        (["refer"], "take"),
        (["take", "solve"], "refer"),
        (["take", "solve"], "solve"),
        (["refer"], "refer"),
    ],
)
def test_transitions_the_state_does_not_allow_are_refused(world, path, action):
    p = world.problem()
    for step in path:
        p = services.problem_transition(
            actor=None, problem=p, action=step, resolution="已解决", referred_to="区发改局"
        )
    before = (p.status, ServiceRecord.objects.count())
    with pytest.raises(ValidationError):
        services.problem_transition(
            actor=None, problem=p, action=action, resolution="x", referred_to="y"
        )
    p.refresh_from_db()
    assert (p.status, ServiceRecord.objects.count()) == before


def test_solving_needs_a_resolution_and_referring_needs_where_to(world):
    p = services.problem_transition(actor=None, problem=world.problem(), action="take")
    with pytest.raises(ValidationError) as exc:
        services.problem_transition(actor=None, problem=p, action="solve", resolution="  ")
    assert "resolution" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        services.problem_transition(actor=None, problem=p, action="refer")
    assert "referred_to" in exc.value.error_dict
    p.refresh_from_db()
    assert p.status == "in_hand" and not ServiceRecord.objects.exists()


def test_a_closure_date_before_the_report_is_refused(world):
    p = world.problem()
    with pytest.raises(ValidationError):
        services.problem_transition(
            actor=None,
            problem=p,
            action="refer",
            referred_to="区发改局",
            on=p.reported_on - dt.timedelta(days=1),
        )


# --- service records ---------------------------------------------------------------------------
def test_a_record_needs_someone_served_and_a_date_not_in_the_future(world):
    with pytest.raises(ValidationError) as exc:
        services.record_create(
            actor=None, brand=world.two_posts, served_on=TODAY + dt.timedelta(days=1), title="x"
        )
    assert {"served_on", "served_text"} <= set(exc.value.error_dict)
    with pytest.raises(ValidationError):
        services.record_create(
            actor=None,
            brand=world.two_posts,
            served_on=dt.date(2011, 12, 31),
            title="x",
            served_text="高塘社区居民",
        )
    r = services.record_create(
        actor=None,
        brand=world.two_posts,
        served_on=TODAY,
        title="社区清扫",
        served_text="高塘社区居民",
        hours=3,
    )
    assert r.hours == 3 and AuditEntry.objects.filter(action="brand.record").count() == 1


# --- the cross-app contract: project.done ------------------------------------------------------
def _project_done(world, ref="cobuild.project:12", org=None):
    events.publish(
        "project.done",
        organization=org or world.d.gaotang_committee,
        done_on=TODAY - dt.timedelta(days=2),
        title="高塘社区幼儿园建成开园",
        summary="党员提议、和谐理事会议事、吉利出资",
        hours=Decimal("120"),
        served_units=[world.gaotang_unit],
        served_text="高塘社区居民",
        source_ref=ref,
        url="/portal/cobuild/projects/12/",
    )


def test_a_finished_cobuild_project_is_one_service_record_of_the_organizations_brand(world):
    _project_done(world)
    _project_done(world)  # reported twice: still one record
    (record,) = ServiceRecord.objects.all()
    assert record.brand == world.two_posts and record.source_ref == "cobuild.project:12"
    assert record.served_unit == world.gaotang_unit and record.hours == 120
    assert record.url == "/portal/cobuild/projects/12/"
    _project_done(world, ref="cobuild.project:13")
    assert ServiceRecord.objects.count() == 2


def test_a_project_of_an_organization_without_an_active_brand_makes_no_record(world):
    world.two_posts.ended_on = TODAY - dt.timedelta(days=30)
    world.two_posts.save()
    _project_done(world)
    _project_done(world, ref="cobuild.project:14", org=world.d.xinqi_wc)
    assert not ServiceRecord.objects.exists()


# --- events: capacity and the waiting list -----------------------------------------------------
def test_the_waiting_list_fills_after_capacity_and_a_cancellation_promotes_the_first(world):
    ev = world.event(capacity=2)
    a, b, c, d = _register(ev, 4)
    assert [r.status for r in (a, b, c, d)] == ["confirmed", "confirmed", "waiting", "waiting"]
    ConsoleSmsGateway.outbox.clear()
    with pytest.raises(ValidationError):  # the same phone twice
        services.registration_create(actor=None, event=ev, name="职工1", phone="13900000001")
    with django_capture_on_commit():
        promoted = services.registration_cancel(actor=None, registration=b)
    assert promoted == [c]
    c.refresh_from_db()
    assert c.status == "confirmed" and c.promoted_at is not None
    assert any(phone == "13900000002" for phone, _t in ConsoleSmsGateway.outbox)
    # Cancelling someone on the waiting list frees no place.
    assert services.registration_cancel(actor=None, registration=d) == []
    assert ev.registrations.filter(status="confirmed").count() == 2
    # A cancelled phone may register again, at the end of the line.
    again = services.registration_create(actor=None, event=ev, name="职工1", phone="13900000001")
    assert again.status == "waiting"


def django_capture_on_commit():
    """Run on_commit callbacks inside the test's transaction (the SMS of a promotion)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_more_capacity_promotes_from_the_waiting_list_in_order(world):
    ev = world.event(capacity=1)
    regs = _register(ev, 4)
    services.event_update(actor=None, event=ev, capacity=3)
    assert list(
        Registration.objects.filter(status="confirmed").order_by("pk").values_list("pk", flat=True)
    ) == [r.pk for r in regs[:3]]


def test_attendance_is_recorded_only_for_confirmed_registrations(world):
    ev = world.event(capacity=1)
    a, b = _register(ev, 2)
    assert services.registration_attend(actor=None, registration=a, attended=True).attended
    with pytest.raises(ValidationError):
        services.registration_attend(actor=None, registration=b, attended=True)


def test_registration_is_refused_when_closed_or_started(world):
    ev = world.event(registration_open=False)
    with pytest.raises(ValidationError):
        _register(ev, 1)
    ev2 = world.event(title="已开始", starts_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ValidationError):
        _register(ev2, 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_overbook_the_event(district):
    """Eight people take the last five places at once: five confirmed, three waiting (the event
    row is locked with select_for_update). SQLite serializes writers itself, so there the
    registrations run one after another; on PostgreSQL they race in threads."""
    world = BrandsWorld(district)
    ev = world.event(capacity=5)
    errors = []

    def register(i):
        try:
            services.registration_create(
                actor=None, event=ev, name=f"职工{i}", phone=f"1370000{i:04d}"
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            close_old_connections()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=register, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for i in range(8):
            register(i)
    assert errors == []
    counts = {s: ev.registrations.filter(status=s).count() for s in ("confirmed", "waiting")}
    assert counts == {"confirmed": 5, "waiting": 3}


def test_brand_figures_cover_exactly_the_last_twelve_months(world):
    from gangwan.brands.selectors import brand_months

    services.record_create(
        actor=None, brand=world.two_posts, served_on=TODAY, title="x", served_text="居民", hours=2
    )
    months = brand_months(brand=world.two_posts)
    assert len(months) == 12 and months[-1]["month"] == TODAY.strftime("%Y-%m")
    assert (months[-1]["records"], months[-1]["hours"]) == (1, 2.0)
