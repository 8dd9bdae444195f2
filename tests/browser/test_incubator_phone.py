"""The incubator on a 375 px phone: the regional branch's secretary finds the eligible unit in the
reservoir and proposes it; the working committee's secretary approves and establishes the branch.
Every page fits the screen (no horizontal scrolling)."""

from playwright.sync_api import expect

from gangwan.incubator.models import Incubation
from tests import factories as f
from tests.test_incubator_services import IncubatorWorld


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("main button[type=submit]")


def _fits(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, (page.url, width)


def test_the_incubator_on_a_phone(phone_page, district):
    world = IncubatorWorld(district)
    world.third_member_arrives()
    inc = world.incubation()
    page = phone_page

    _login(page, "dagang")
    page.goto("/incubator/")
    _fits(page)
    page.click(f"#reservoirs a[href='/incubator/reservoirs/{world.rb.pk}/']")
    expect(page.locator(f"section[data-unit='{world.samsung.pk}']")).to_be_visible()
    _fits(page)
    page.click(f"section[data-unit='{world.samsung.pk}'] a[href='/incubator/{inc.pk}/']")
    _fits(page)
    page.click("#action-propose")
    page.fill("textarea[name=proposal_text]", "三星重工已有3名正式党员，申请单独组建党支部。")
    page.click("main button[type=submit]")
    expect(page.locator("h1 [data-state='proposed']")).to_be_visible()
    _fits(page)

    _login(page, "xinqi_wc")
    page.goto(f"/incubator/{inc.pk}/")
    page.click("#action-decide")
    _fits(page)
    page.fill("textarea[name=reason]", "同意")
    page.click("button[name=decision][value=approve]")
    expect(page.locator("h1 [data-state='approved']")).to_be_visible()
    page.click("#action-establish")
    _fits(page)
    page.click("main button[type=submit]")
    expect(page.locator("h1 [data-state='established']")).to_be_visible()
    expect(page.locator("#established-organization")).to_be_visible()
    _fits(page)
    assert Incubation.objects.get(pk=inc.pk).established_organization.parent == district.xinqi_wc
