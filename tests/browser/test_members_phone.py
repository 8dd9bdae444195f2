"""A community secretary on a 375 px phone: imports a spreadsheet of members, finds one by the last
four digits of the phone, and keeps a member who moved away as a former member. Elements are
found by name, id and CSS, not by (translated) text."""

import datetime as dt
import io
import re

from openpyxl import Workbook
from playwright.sync_api import expect

from gangwan.members import sheets
from gangwan.members.models import Member
from tests import factories as f


def _login(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("main button[type=submit]")


def _fits(page, url):
    page.goto(url)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375, (url, width)


def test_a_secretary_imports_finds_and_archives_on_a_phone(phone_page, district, tmp_path):
    page = phone_page
    unit = f.unit(district.gaotang, "宁波高塘五金有限公司")
    f.organization(
        "高塘五金党支部", "branch", district.gaotang, district.gaotang_committee, units=[unit]
    )
    f.user("gaotang_sec", "secretary", organization=district.gaotang_committee)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheets.DATA_SHEET)
    ws.append(
        [
            "姓名",
            "身份证号",
            "手机号",
            "党员类别",
            "入党日期",
            "所在单位",
            "组织关系所在党组织",
            "特长",
            "随时听候调用",
        ]
    )
    ws.append(
        [
            "王海燕",
            f.id_number(dt.date(1985, 6, 1), "female"),
            "13912345678",
            "正式党员",
            dt.date(2008, 7, 1),
            "宁波高塘五金有限公司",
            "高塘五金党支部",
            "会计、急救",
            "是",
        ]
    )
    ws.append(
        [
            "李强",
            f.id_number(dt.date(1990, 2, 3)),
            "13700002468",
            "正式党员",
            dt.date(2012, 7, 1),
            None,
            "高塘五金党支部",
            None,
            "否",
        ]
    )
    path = tmp_path / "党员.xlsx"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(buf.getvalue())

    _login(page, "gaotang_sec")
    _fits(page, "/members/import/")
    page.set_input_files("input[name=file]", str(path))
    page.click("#gw-import-form button[type=submit]")
    expect(page.locator("#gw-member-table")).to_be_visible()
    assert Member.objects.count() == 2

    page.fill("input[name=q]", "5678")
    page.click("#gw-member-filters button[type=submit]")
    rows = page.locator("#gw-member-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王海燕")
    expect(rows.first).to_contain_text("139****5678")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375

    li = Member.objects.get(name="李强")
    _fits(page, f"/members/{li.pk}/")
    page.click("#gw-member-archive")
    page.select_option("select[name=archive_reason]", "transferred_out")
    page.fill("input[name=note]", "转往上海市浦东新区")
    page.click("#gw-archive-form button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/members/{li.pk}/$"))
    expect(page.locator("#gw-member-edit")).to_have_count(0)
    li.refresh_from_db()
    assert li.archive_reason == "transferred_out" and li.archived_on is not None
    _fits(page, "/members/inactive/")
    _fits(page, "/members/?archived=on")
