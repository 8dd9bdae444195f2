"""A station's day on a phone (375 px): the staff member of 高塘社区's service station logs in,
registers an arriving member from Sichuan at the counter, and a month later finds him on the
follow-up list because he has not yet taken part in organizational life."""

import datetime as dt

from playwright.sync_api import expect

from gangwan.floating.models import Floating
from tests import factories as f
from tests.test_floating_placement import FloatingWorld, sichuan_id


def _login(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def _fits(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, (page.url, width)


def test_station_staff_registers_a_floating_member_on_a_phone(phone_page, district):
    world = FloatingWorld(district)
    page = phone_page
    _login(page, "station_gaotang")

    page.goto("/floating/register/")
    expect(page.locator("#gw-counter-form")).to_be_visible()
    _fits(page)
    today = dt.date.today()
    page.fill("input[name=name]", "李红华")
    page.fill("input[name=id_number]", sichuan_id(dt.date(1965, 3, 12)))
    page.fill("input[name=phone]", "13980001234")
    page.select_option("select[name=status]", "full")
    page.fill("input[name=origin_organization_name]", "中共广安市广安区浓洄街道委员会")
    page.fill("input[name=origin_region_name]", "四川省广安市")
    page.fill("input[name=certificate_no]", "川流证2025-0815")
    page.fill("input[name=left_origin_on]", (today - dt.timedelta(days=9)).isoformat())
    page.fill("input[name=arrived_on]", (today - dt.timedelta(days=2)).isoformat())
    page.fill("input[name=skills]", "电工，调解")
    page.check("input[name=on_call]")
    page.fill("input[name=on_call_hours]", "随时")
    page.click("#gw-register-submit")

    expect(page.locator("#gw-floating-facts")).to_be_visible()
    _fits(page)
    floating = Floating.objects.get(member__name="李红华")
    assert floating.member.home_organization == world.gaotang_regional
    assert floating.station == world.gaotang_station
    assert f"/floating/members/{floating.pk}/" in page.url

    # A month later he has not yet found a home: the follow-up list shows him.
    Floating.objects.filter(pk=floating.pk).update(placed_on=today - dt.timedelta(days=31))
    page.goto("/floating/follow-up/")
    row = page.locator(f"#gw-follow-up tr[data-floating='{floating.pk}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text("李红华")
    _fits(page)
