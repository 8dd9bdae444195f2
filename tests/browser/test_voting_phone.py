"""A voter on a 375 px phone: opens the poll from the portal, verifies the phone with the code the
SMS gateway sent, chooses two candidates, casts the ballot and sees the thank-you with the choices."""

import datetime as dt
import re

from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from gangwan.core.notifications import ConsoleSmsGateway
from gangwan.voting import services
from gangwan.voting.models import Ballot

PHONE = "13905747777"


def _fits(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, (page.url, width)


def test_a_voter_verifies_chooses_casts_and_is_thanked_on_a_phone(phone_page, db):
    cache.clear()
    now = timezone.now()
    poll = services.poll_create(
        title="2013 区域党员服务先锋公众投票",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=3),
        max_choices=2,
        actor=None,
    )
    a = services.candidate_add(
        poll=poll, name="陈建国", text="十五年如一日照顾辖区孤儿的社区民警", actor=None
    )
    services.candidate_add(poll=poll, name="李秀英", text="高塘社区志愿服务队队长", actor=None)
    c = services.candidate_add(poll=poll, name="王海波", text="大港社区企业党建指导员", actor=None)

    page = phone_page
    page.goto("/portal/")
    page.click("#gw-portal-voting a")
    page.click(f"a[href='/portal/polls/{poll.pk}/']")
    expect(page.locator(f"#gw-candidate-{a.pk}")).to_be_visible()
    _fits(page)
    page.click("#gw-vote-start")
    page.fill("input[name=phone]", PHONE)
    page.click("#gw-vote-phone button[type=submit]")
    expect(page.locator("#gw-vote-code")).to_be_visible()
    _fits(page)
    text = [t for phone, t in ConsoleSmsGateway.outbox if phone == PHONE][-1]
    page.fill("input[name=code]", re.search(r"\d{6}", text).group())
    page.click("#gw-vote-code button[type=submit]")
    expect(page.locator("#gw-vote-choose")).to_be_visible()
    _fits(page)
    page.click(f"label[for=gw-choice-{a.pk}]")
    page.click(f"label[for=gw-choice-{c.pk}]")
    page.click("#gw-vote-cast")
    expect(page.locator("#gw-vote-thanks")).to_be_visible()
    _fits(page)
    chosen = page.locator("#gw-vote-chosen").inner_text()
    assert "陈建国" in chosen and "王海波" in chosen and "李秀英" not in chosen
    ballot = Ballot.objects.get(poll=poll)
    assert ballot.choices_key == f"{a.pk},{c.pk}"
