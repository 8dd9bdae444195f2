"""The public portal on a phone (375 px): a newcomer finds 高塘社区's station, fills the "find a
home" form, enters the code the SMS gateway sent, and is thanked; the station sees his registration."""

import datetime as dt
import re

from playwright.sync_api import expect

from gangwan.core.notifications import ConsoleSmsGateway
from gangwan.floating.models import SelfRegistration
from tests.test_floating_placement import FloatingWorld, sichuan_id


def _fits(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, (page.url, width)


def test_a_newcomer_registers_on_the_portal_with_a_phone_code(phone_page, district):
    world = FloatingWorld(district)
    page = phone_page
    page.goto("/portal/")
    _fits(page)
    page.click(f"a[href='/portal/find-a-home/?station={world.gaotang_station.pk}']")
    expect(page.locator("#gw-find-a-home-form")).to_be_visible()
    assert page.locator("select[name=station]").input_value() == str(world.gaotang_station.pk)
    _fits(page)

    today = dt.date.today()
    page.fill("input[name=name]", "李红华")
    page.fill("input[name=id_number]", sichuan_id(dt.date(1965, 3, 12)))
    page.fill("input[name=phone]", "13980005678")
    page.fill("input[name=origin_organization_name]", "中共广安市广安区浓洄街道委员会")
    page.fill("input[name=origin_region_name]", "四川省广安市")
    page.fill("input[name=arrived_on]", (today - dt.timedelta(days=3)).isoformat())
    page.check("input[name=consent]")
    page.click("#gw-find-a-home-form button[type=submit]")

    expect(page.locator("#gw-verify-form")).to_be_visible()
    _fits(page)
    text = [t for phone, t in ConsoleSmsGateway.outbox if phone == "13980005678"][-1]
    page.fill("input[name=code]", re.search(r"\d{6}", text).group())
    page.click("#gw-verify-form button[type=submit]")
    expect(page.locator("#gw-thanks")).to_be_visible()
    _fits(page)
    registration = SelfRegistration.objects.get()
    assert registration.status == "pending" and registration.station == world.gaotang_station
