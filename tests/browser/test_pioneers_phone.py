"""Service pioneers on a 375 px phone: the 高塘 secretary nominates the police officer with his
deeds; the district reviewer finds him in the review queue and approves him with a score; after
the vote and the notice his public profile shows his deeds. Every page fits the screen."""

import datetime as dt

from playwright.sync_api import expect

from gangwan.pioneers import services
from gangwan.pioneers.models import Nomination, Pioneer, Review
from tests import factories as f
from tests.test_pioneers_services import PioneersWorld


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("main button[type=submit]")


def _fits(page):
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, (page.url, width)


def test_nomination_review_and_the_public_profile_on_a_phone(phone_page, district):
    world = PioneersWorld(district)
    s = world.selection(quota=1)
    page = phone_page

    _login(page, "gaotang_sec")
    page.goto(f"/pioneers/{s.pk}/")
    _fits(page)
    page.click("#gw-nominate")
    _fits(page)
    page.select_option("select[name=organization]", str(world.gaotang_branch.pk))
    page.select_option("select[name=nominee]", str(world.officer.pk))
    page.fill("input[name=headline]", "十五年照顾孤儿的社区民警")
    page.fill("textarea[name=deeds]", "十五年如一日照顾辖区7名孤儿。")
    page.fill("textarea[name=opinion]", "支部委员会一致同意推荐。")
    page.click("#gw-pioneers-form button[type=submit]")
    expect(page.locator("#gw-deeds")).to_contain_text("十五年如一日")
    _fits(page)
    n = Nomination.objects.get()
    services.selection_start_review(actor=world.admin, selection=s)

    _login(page, "pioneers_reviewer")
    page.goto(f"/pioneers/{s.pk}/")
    page.click("#gw-review-queue")
    _fits(page)
    page.click(f"#gw-queue a[data-nomination='{n.pk}']")
    page.check("input[name=decision][value=approve]")
    page.fill("input[name=score]", "96")
    page.fill("textarea[name=reason]", "事迹感人，群众公认。")
    page.click("#gw-review-form button[type=submit]")
    expect(page.locator("#gw-queue")).to_be_visible()
    expect(page.locator("#gw-queue a")).to_have_count(0)
    _fits(page)
    assert Review.objects.get().score == 96

    services.selection_start_vote(actor=world.admin, selection=s)
    world.rank(s)
    services.selection_start_notice(actor=world.admin, selection=s, starts_on=dt.date(2013, 6, 3))
    services.selection_announce(actor=world.admin, selection=s, today=dt.date(2013, 6, 10))
    p = Pioneer.objects.get()

    page.context.clear_cookies()
    page.goto("/portal/pioneers/")
    _fits(page)
    page.click(f"#gw-public-pioneers a[data-pioneer='{p.pk}']")
    expect(page.locator("#gw-pioneer-profile")).to_contain_text("十五年如一日照顾辖区7名孤儿")
    _fits(page)
