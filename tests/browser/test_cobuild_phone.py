"""A resident posts a need on a phone (375 px): the portal's co-building section, the form, the
code from the SMS, the thanks; the community finds it in its moderation queue. Posting the same
need again from the same phone is refused."""

import re

from playwright.sync_api import expect

from gangwan.cobuild.models import Moderation, Need
from gangwan.core.models import PhoneChallenge
from gangwan.core.notifications import ConsoleSmsGateway
from tests import factories as f

PHONE = "13957412345"


def _fits(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, (page.url, width)


def _fill(page, furong):
    page.select_option("select[name=poster_kind]", "resident")
    page.fill("input[name=poster_name]", "陈女士")
    page.fill("input[name=phone]", PHONE)
    page.select_option("select[name=region]", str(furong.pk))
    page.select_option("select[name=category]", "childcare")
    page.fill("input[name=title]", "芙蓉社区没有幼儿园")
    page.fill(
        "textarea[name=text]",
        "芙蓉社区适龄儿童一百多名，附近没有公办幼儿园，家长每天跨街道接送，希望建一所普惠性幼儿园。",
    )
    page.check("input[name=consent]")


def test_a_resident_posts_a_need_on_a_phone(phone_page, district):
    furong = f.community(district.xinqi, "芙蓉社区")
    page = phone_page
    page.goto("/portal/")
    _fits(page)
    page.click("#gw-cobuild-post")
    expect(page.locator("#gw-cobuild-need-form")).to_be_visible()
    _fits(page)
    _fill(page, furong)
    page.click("#gw-cobuild-need-form button[type=submit]")

    expect(page.locator("#gw-cobuild-verify-form")).to_be_visible()
    _fits(page)
    text = [t for phone, t in ConsoleSmsGateway.outbox if phone == PHONE][-1]
    page.fill("input[name=code]", re.search(r"\d{6}", text).group())
    page.click("#gw-cobuild-verify-form button[type=submit]")
    expect(page.locator("#gw-cobuild-thanks")).to_be_visible()
    _fits(page)
    need = Need.objects.get()
    assert need.moderation == Moderation.PENDING and need.region == furong

    # The same need again from the same phone: refused with a message, nothing stored.
    PhoneChallenge.objects.update(created_at=need.posted_at.replace(year=need.posted_at.year - 1))
    page.goto("/portal/cobuild/post/")
    _fill(page, furong)
    page.click("#gw-cobuild-need-form button[type=submit]")
    expect(page.locator("#gw-cobuild-need-form .alert-danger")).to_contain_text("已经发布过")
    _fits(page)
    assert Need.objects.count() == 1
