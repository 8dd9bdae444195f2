"""A street administrator's first session: log in, read the dashboard, browse to a community,
register a unit there, and find the neighbouring street's community closed to them."""

import re

from playwright.sync_api import expect

from gangwan.units.models import Unit
from tests import factories as f


def _login(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("main button[type=submit]")


def test_street_admin_browses_creates_a_unit_and_is_refused_outside(page, district):
    f.user("street_xinqi", role="street_admin", region=district.xinqi)
    f.unit(district.gaotang, "高塘物业公司", has_union=True)
    code = f.credit_code(90210)

    _login(page, "street_xinqi")
    expect(page.locator("h1")).to_have_text("驾驶舱")
    expect(page.locator("#chart-kinds svg")).to_be_visible()  # ECharts drew the figure

    page.click("#gw-nav-structure")  # the "structure" menu
    page.get_by_role("link", name="区划").first.click()
    expect(page.locator("h1")).to_have_text("新碶街道")
    page.get_by_role("link", name="高塘社区").click()
    expect(page.locator("h1")).to_have_text("高塘社区")

    page.get_by_role("link", name="新增单位").click()
    page.fill("input[name=name]", "宁波港湾物流有限公司")
    page.select_option("select[name=kind]", "private_enterprise")
    page.fill("input[name=credit_code]", code)
    page.fill("input[name=employees]", "86")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("宁波港湾物流有限公司")
    assert Unit.objects.get(name="宁波港湾物流有限公司").region == district.gaotang

    resp = page.goto(f"/regions/{district.qingzhi.pk}/")
    assert resp.status == 404
    expect(page.locator("h1")).to_have_text("未找到")


def test_pages_fit_a_375px_phone(phone_page, district):
    f.user("street_xinqi", role="street_admin", region=district.xinqi)
    _login(phone_page, "street_xinqi")
    for url in ["/", f"/regions/{district.gaotang.pk}/", "/organizations/", "/units/"]:
        phone_page.goto(url)
        width = phone_page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= 375, (url, width)
    phone_page.get_by_role("button", name=re.compile("菜单")).click()
    phone_page.click("#gw-nav-structure")
    expect(phone_page.get_by_role("link", name="党组织")).to_be_visible()
