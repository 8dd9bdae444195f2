"""The back office in a browser: 高塘社区's secretary opens the gateball team's need from the menu,
reads the suggested resources and on-call members with their reasons, and claims the need with
高塘's field; the need shows the match."""

from playwright.sync_api import expect

from gangwan.cobuild import services
from gangwan.cobuild.models import Match
from tests import factories as f
from tests.test_cobuild_story import CobuildWorld


def _login(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def test_a_secretary_claims_a_need_with_the_suggested_field(page, district):
    world = CobuildWorld(district)
    need = services.need_post(
        actor=world.port_secretary,
        title="退休职工门球队缺少训练场地和对手",
        text="企业退休职工门球队十二人，一直没有固定训练场地，也找不到对手切磋比赛",
        category="venues",
        region=district.dagang,
        urgency="normal",
        poster_kind="enterprise",
        poster_name="宁波港集装箱码头公司",
    )
    _login(page, "gaotang_secretary")
    page.click("#gw-nav-service")
    page.click("a.dropdown-item[href='/cobuild/needs/']")
    expect(page.locator("#cobuild-needs")).to_be_visible()
    page.goto(f"/cobuild/needs/{need.pk}/")
    first = page.locator("#cobuild-suggested-resources li").first
    expect(first).to_contain_text("高塘社区门球场")
    expect(first).to_contain_text("类别匹配")
    expect(page.locator("#cobuild-suggested-members li").first).to_contain_text("王老伯")
    page.screenshot(path="/tmp/gw7_need.png", full_page=True)
    first.locator("button[type=submit]").click()
    expect(page.locator("#cobuild-matches")).to_contain_text("高塘社区门球场")
    assert Match.objects.filter(need=need, resource=world.gateball_field).exists()
