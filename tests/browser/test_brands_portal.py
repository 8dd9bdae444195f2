"""On a phone (375 px): an employee of 三星重工 finds the union's matchmaking event on the portal,
signs up, enters the code the SMS gateway sent, and gets a place; the next one, the event being
full, is told her place on the waiting list."""

import re

from playwright.sync_api import expect

from gangwan.brands.models import Registration
from gangwan.core.notifications import ConsoleSmsGateway
from tests.test_brands_services import BrandsWorld


def _fits(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, (page.url, width)


def _sign_up(page, event, name, phone):
    page.goto("/portal/")
    _fits(page)
    page.click("#gw-portal-brands-link")
    expect(page.locator("#gw-public-events")).to_be_visible()
    _fits(page)
    page.click(f"a[href='/portal/brands/events/{event.pk}/']")
    expect(page.locator("#gw-event-form")).to_be_visible()
    _fits(page)
    page.fill("input[name=name]", name)
    page.fill("input[name=phone]", phone)
    page.fill("input[name=employer]", "三星重工（宁波）有限公司")
    page.check("input[name=consent]")
    page.click("#gw-event-form button[type=submit]")
    expect(page.locator("#gw-event-verify-form")).to_be_visible()
    _fits(page)
    text = [t for p, t in ConsoleSmsGateway.outbox if p == phone][-1]
    page.fill("input[name=code]", re.search(r"\d{6}", text).group())
    page.click("#gw-event-verify-form button[type=submit]")
    expect(page.locator("#gw-event-done")).to_be_visible()
    _fits(page)


def test_an_employee_registers_for_the_matchmaking_event_on_a_phone(phone_page, district):
    world = BrandsWorld(district)
    event = world.event(capacity=1, title="三星重工工会七夕鹊桥会")
    page = phone_page
    _sign_up(page, event, "金敏", "13812345678")
    expect(page.locator("#gw-confirmed")).to_contain_text("金敏")
    reg = Registration.objects.get()
    assert (reg.name, reg.status, reg.event) == ("金敏", "confirmed", event)

    _sign_up(page, event, "朴智英", "13812340000")
    expect(page.locator("#gw-waiting")).to_contain_text("1")
    assert Registration.objects.get(name="朴智英").status == "waiting"
