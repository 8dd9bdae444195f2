"""Spreadsheets (SPEC §11): members import from .xlsx with Chinese headers, every row checked,
all or nothing, with an error report naming row and column; the list exports with the same
columns, ID numbers and phones masked unless the user gives a reason (audited)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gangwan.core import events
from gangwan.core.models import AuditEntry
from gangwan.core.scopes import scope_for
from gangwan.core.validators import id_number_check_char
from gangwan.members import imports, sheets, xlsx
from gangwan.members.imports import member_import
from gangwan.members.models import Member
from tests import factories as f

HEADERS = [c.header for c in sheets.COLUMNS]


@pytest.fixture(autouse=True)
def en(settings):
    settings.LANGUAGE_CODE = "en"


def book(rows, headers=HEADERS, write_only=True) -> bytes:
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet(sheets.DATA_SHEET) if write_only else wb.active
    if not write_only:
        ws.title = sheets.DATA_SHEET
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers] if isinstance(r, dict) else r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(**kw) -> dict:
    """A good row: 姓名, 身份证号, 党员类别, 组织关系所在党组织 and friends, overridable by header."""
    base = {
        "姓名": "王海燕",
        "身份证号": f.id_number(dt.date(1985, 6, 1), "female"),
        "手机号": "13912345678",
        "党员类别": "正式党员",
        "入党日期": dt.date(2008, 7, 1),
        "转正日期": dt.date(2009, 7, 1),
        "民族": "汉族",
        "学历": "大学本科",
        "所在单位": "宁波高塘五金有限公司",
        "单位职务": "会计",
        "组织关系所在党组织": "高塘五金党支部",
        "流动党员": "否",
        "特长": "会计、急救",
        "随时听候调用": "是",
        "听候调用时段": "周末",
        "社区岗位": "楼道长",
    }
    base.update(kw)
    return base


@pytest.fixture
def place(district):
    unit = f.unit(district.gaotang, "宁波高塘五金有限公司")
    branch = f.organization(
        "高塘五金党支部", "branch", district.gaotang, district.gaotang_committee, units=[unit]
    )
    secretary = f.user("gaotang", "secretary", organization=district.gaotang_committee)
    return {"d": district, "unit": unit, "branch": branch, "secretary": secretary}


def run(place, rows, user=None, **kw):
    user = user or place["secretary"]
    data = rows if isinstance(rows, bytes) else book(rows, **kw)
    return member_import(
        actor=user, scope=scope_for(user), file=io.BytesIO(data), filename="党员.xlsx"
    )


def test_a_clean_file_imports_every_member_with_every_field(place):
    seen = []
    events.subscribe(events.MEMBER_CHANGED, lambda **p: seen.append(p))
    try:
        result = run(
            place,
            [
                row(),
                row(
                    姓名="李强",
                    身份证号=f.id_number(dt.date(1999, 1, 2)),
                    党员类别="预备党员",
                    入党日期="2026/1/5",
                    转正日期=None,
                    学历="大专",
                    性别="男",
                    出生日期="1999年1月2日",
                    流动党员="是",
                    参加组织生活党组织="高塘社区党委",
                    最近参加组织生活日期="2026-10-09",
                    党费交至="2026-09",
                    所在单位=place["unit"].credit_code,
                ),
            ],
        )
    finally:
        events._listeners[events.MEMBER_CHANGED].pop()
    assert result.ok and len(result.created) == 2
    wang = Member.objects.get(name="王海燕")
    assert (wang.phone, wang.education, wang.unit, wang.post) == (
        "13912345678",
        "bachelor",
        place["unit"],
        "会计",
    )
    assert (wang.skill_list, wang.on_call, wang.on_call_hours, wang.community_post) == (
        ["会计", "急救"],
        True,
        "周末",
        "楼道长",
    )
    assert wang.full_on == dt.date(2009, 7, 1) and wang.phone_suffix == "5678"
    li = Member.objects.get(name="李强")
    assert (li.status, li.joined_on, li.full_due_on) == (
        "probationary",
        dt.date(2026, 1, 5),
        dt.date(2027, 1, 5),
    )
    assert (li.education, li.is_floating, li.home_organization) == (
        "college",
        True,
        place["d"].gaotang_committee,
    )
    assert (li.last_life_on, li.dues_paid_until) == (dt.date(2026, 10, 9), dt.date(2026, 9, 1))
    # One audit entry per member, in their history and cut by their region, plus one for the file.
    entries = AuditEntry.objects.filter(action="member.import")
    assert {e.object_id for e in entries} == {str(wang.pk), str(li.pk)}
    assert all(e.region_path == place["d"].gaotang.path for e in entries)
    assert entries.get(object_id=str(wang.pk)).after["id_number"] == wang.id_number_masked
    assert AuditEntry.objects.get(action="member.import.file").after["members"] == 2
    assert len(seen) == 1 and {m.pk for m in seen[0]["members"]} == {wang.pk, li.pk}
    assert seen[0]["unit_ids"] == {place["unit"].pk}


def _problems(result):
    return {(e["row"], e["column"], e["header"]) for e in result.errors}


@pytest.mark.parametrize(
    ("cells", "header", "message"),
    [
        ({"身份证号": "330206198506011235"}, "身份证号", "check character"),
        ({"身份证号": 330206198506011000}, "身份证号", "format the column as text"),
        ({"身份证号": ""}, "身份证号", "Enter the ID number"),
        ({"性别": "男"}, "性别", "gender does not agree"),
        ({"出生日期": "1985-06-02"}, "出生日期", "birth date does not agree"),
        ({"手机号": "1391234"}, "手机号", "11 digits"),
        ({"党员类别": "积极分子"}, "党员类别", "正式党员"),
        ({"党员类别": "预备党员", "入党日期": None, "转正日期": None}, "入党日期", "joining date"),
        ({"党员类别": "预备党员", "入党日期": "2026-01-05"}, "转正日期", "no conversion date"),
        ({"入党日期": "2001-07-01", "转正日期": None}, "入党日期", "R41"),
        ({"入党日期": "七月一日"}, "入党日期", "Not a date"),
        ({"学历": "幼儿园"}, "学历", "大学本科"),
        ({"流动党员": "也许"}, "流动党员", "是 or 否"),
        ({"组织关系所在党组织": "不存在的党支部"}, "组织关系所在党组织", "No organization"),
        ({"组织关系所在党组织": "青峙社区党委"}, "组织关系所在党组织", "No organization"),
        ({"所在单位": "宁波青峙化工有限公司"}, "所在单位", "No unit"),
        ({"姓名": ""}, "姓名", "name"),
    ],
)
def test_each_problem_names_its_row_and_column(place, cells, header, message):
    f.unit(place["d"].qingzhi, "宁波青峙化工有限公司")  # outside the secretary's scope
    result = run(place, [row(身份证号=f.id_number()), row(**cells)])
    assert not result.ok and not Member.objects.exists()
    col = HEADERS.index(header)
    assert (3, "ABCDEFGHIJKLMNOPQRSTU"[col], header) in _problems(result), result.errors
    assert any(message in e["message"] for e in result.errors), result.errors


def test_r4_no_probationary_members_in_a_temporary_branch(place):
    d = place["d"]
    f.organization("突击队临时党支部", "temporary_branch", d.gaotang, d.gaotang_committee)
    result = run(
        place,
        [
            row(
                组织关系所在党组织="突击队临时党支部",
                党员类别="预备党员",
                入党日期="2026-01-05",
                转正日期=None,
            )
        ],
    )
    assert [e["message"] for e in result.errors] == [
        "R4: a temporary branch cannot recruit members."
    ]


def test_duplicates_within_the_file_and_in_the_database(place):
    taken = f.member(place["branch"], "已登记")
    twin = f.id_number()
    result = run(
        place, [row(身份证号=twin), row(身份证号=taken.id_number), row(身份证号=twin.lower())]
    )
    assert [(e["row"], e["message"]) for e in result.errors] == [
        (3, "A member with this ID number is already registered."),
        (4, "The same ID number as row 2."),
    ]
    assert Member.objects.count() == 1


def test_a_member_registered_meanwhile_stops_the_whole_import(place, monkeypatch):
    """Between the check and the write someone registers one of the file's members."""
    taken = f.member(place["branch"], "刚登记")
    monkeypatch.setattr(imports, "_check_duplicates_in_database", lambda *a: None)
    with pytest.raises(ValidationError, match="registered meanwhile"):
        run(place, [row(身份证号=f.id_number()), row(身份证号=taken.id_number)])
    assert Member.objects.count() == 1
    assert not AuditEntry.objects.filter(action__startswith="member.import").exists()


def test_names_shared_by_two_organizations_need_the_superior(place):
    d = place["d"]
    f.organization("第一党支部", "branch", d.gaotang, d.gaotang_committee)
    other = f.organization("高塘社区第二党总支", "general_branch", d.gaotang, d.gaotang_committee)
    second = f.organization("第一党支部", "branch", d.gaotang, other)
    result = run(place, [row(组织关系所在党组织="第一党支部")])
    assert "superior/name" in result.errors[0]["message"]
    result = run(place, [row(组织关系所在党组织="高塘社区第二党总支/第一党支部")])
    assert result.ok and Member.objects.get().organization == second


def test_full_width_and_half_width_brackets_name_the_same_organization(place):
    d = place["d"]
    unit = f.unit(d.dagang, "三星重工（宁波）有限公司")
    branch = f.organization(
        "三星重工（宁波）有限公司党支部", "branch", d.dagang, d.xinqi_wc, units=[unit]
    )
    admin = f.user("xinqi", "street_admin", region=d.xinqi)
    rows = [
        row(组织关系所在党组织="三星重工(宁波)有限公司党支部", 所在单位="三星重工(宁波)有限公司"),
        row(身份证号=f.id_number(), 组织关系所在党组织="三星重工（宁波）有限公司党支部"),
    ]
    result = run(place, rows, user=admin)
    assert result.ok, result.errors
    assert {(m.organization, m.unit) for m in Member.objects.all()} == {
        (branch, unit),
        (branch, place["unit"]),
    }


def test_the_file_must_be_a_workbook_with_the_required_columns(place):
    for data in (b"PK\x03\x04 a broken zip", b"this is a CSV, name,id\n"):
        result = run(place, data)
        assert result.errors[0]["row"] == 1 and "not an .xlsx" in result.errors[0]["message"]
    result = run(place, [["王海燕", "330206"]], headers=["姓名", "身份证"])
    assert "Required columns are missing" in result.errors[0]["message"]
    assert "身份证号" in result.errors[0]["message"] and "党员类别" in result.errors[0]["message"]


def test_headers_with_notes_and_an_empty_row_are_fine(place):
    headers = [
        h + "(正式党员/预备党员)" if h == "党员类别" else h + "*" if h == "姓名" else h
        for h in HEADERS
    ]
    data = book(
        [
            list(row().get(h) for h in HEADERS),
            [None] * len(HEADERS),
            list(row(身份证号=f.id_number()).get(h) for h in HEADERS),
        ],
        headers=headers,
    )
    result = run(place, data)
    assert result.ok and result.rows == 2


def test_the_lean_reader_reads_what_openpyxl_reads():
    wb = Workbook()
    ws = wb.active
    ws.title = "党员"
    ws.append(["姓名", "数字", "小数", "布尔", "日期", "空"])
    ws.append(["王海燕", 13912345678, 1.5, True, dt.date(2026, 1, 5), None])
    ws.append([None, None, None, None, None, None])
    ws.append(["李 &<四>", 0, -2.25, False, dt.datetime(2026, 1, 5, 12, 0), "x"])
    other = wb.create_sheet("说明")
    other.append(["不读这一页"])
    buf = io.BytesIO()
    wb.save(buf)
    lean = list(xlsx.iter_rows(io.BytesIO(buf.getvalue()), sheet="党员"))
    assert [n for n, _v in lean] == [1, 2, 4]
    assert lean[0][1] == ["姓名", "数字", "小数", "布尔", "日期", "空"]
    assert lean[1][1][:4] == ["王海燕", 13912345678, 1.5, True]
    assert sheets.parse_date(lean[1][1][4]) == dt.date(2026, 1, 5)  # a serial number
    assert lean[2][1][:4] == ["李 &<四>", 0, -2.25, False] and lean[2][1][5] == "x"


def test_the_lean_writer_writes_what_openpyxl_and_the_lean_reader_read():
    data = xlsx.write_workbook(
        sheet="党员",
        headers=["姓名", "日期", "数", "是否", "文字"],
        rows=[
            ["王海燕", dt.date(2026, 1, 5), 13912345678, True, "a & b <c> \x01"],
            [None, None, 1.5, False, ""],
        ],
        widths=[10, 12, 14, 6, 20],
    )
    ws = load_workbook(io.BytesIO(data))["党员"]
    assert [c.value for c in ws[1]] == ["姓名", "日期", "数", "是否", "文字"]
    assert [c.value for c in ws[2]] == [
        "王海燕",
        dt.datetime(2026, 1, 5),
        13912345678,
        True,
        "a & b <c> ",
    ]
    assert [c.value for c in ws[3]][1:4] == [None, 1.5, False]
    assert ws["B2"].number_format == "yyyy-mm-dd" and ws["A1"].font.b
    lean = list(xlsx.iter_rows(io.BytesIO(data)))
    assert lean[1][1][0] == "王海燕" and sheets.parse_date(lean[1][1][1]) == dt.date(2026, 1, 5)


def test_openpyxl_reads_what_the_lean_reader_does_not(place, monkeypatch):
    def unsupported(*a, **kw):
        raise xlsx.Unsupported("strict")

    monkeypatch.setattr(imports.xlsx, "iter_rows", unsupported)
    result = run(place, [row(), row(身份证号="330206198506011235")])
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "B")]
    result = run(place, [row()])
    assert result.ok and Member.objects.get().name == "王海燕"


def _big(n: int, branch_name: str, bad_row: int | None = None) -> bytes:
    """n members; the member at data row `bad_row` (1-based) has a wrong check character."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheets.DATA_SHEET)
    ws.append(
        [
            "姓名",
            "身份证号",
            "手机号",
            "党员类别",
            "入党日期",
            "组织关系所在党组织",
            "特长",
            "随时听候调用",
        ]
    )
    start = dt.date(1950, 1, 1)
    for i in range(n):
        birth = start + dt.timedelta(days=i // 2)  # two people per birth date, told apart below
        first17 = f"990206{birth:%Y%m%d}{i % 1000:03d}"
        number = first17 + id_number_check_char(first17)
        if bad_row == i + 1:
            number = first17 + ("0" if number[-1] != "0" else "1")
        joined = dt.date(birth.year + 30, 7, 1)
        ws.append(
            [
                f"党员{i}",
                number,
                f"139{i:08d}",
                "正式党员",
                joined,
                branch_name,
                "电工",
                "是" if i % 3 else "否",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_ten_thousand_rows_with_one_bad_row_import_nothing_then_all(place):
    result = run(place, _big(10_000, "高塘五金党支部", bad_row=7_321))
    assert Member.objects.count() == 0 and result.rows == 10_000
    assert [(e["row"], e["column"], e["header"]) for e in result.errors] == [
        (7_322, "B", "身份证号")
    ]
    assert "check character" in result.errors[0]["message"]
    result = run(place, _big(10_000, "高塘五金党支部"))
    assert result.ok and len(result.created) == 10_000
    assert Member.objects.count() == 10_000
    assert AuditEntry.objects.filter(action="member.import").count() == 10_000
    m = Member.objects.get(name="党员7321")
    assert m.organization == place["branch"] and m.skill_list == ["电工"] and m.on_call


# --- the pages -----------------------------------------------------------------------------------
def test_the_template_lists_only_what_the_user_may_name(client, place):
    d = place["d"]
    f.organization("青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee)
    client.force_login(place["secretary"])
    resp = client.get(reverse("members:import_template"))
    wb = load_workbook(io.BytesIO(resp.content))
    assert [c.value for c in wb["党员"][1]] == HEADERS
    orgs = {r[0] for r in wb["党组织"].iter_rows(min_row=2, values_only=True)}
    assert orgs == {"高塘社区党委", "高塘五金党支部"}
    units = {r[0] for r in wb["单位"].iter_rows(min_row=2, values_only=True)}
    assert units == {"宁波高塘五金有限公司"}


def test_the_import_page_shows_the_errors_and_a_report_for_its_user_only(client, place):
    client.force_login(place["secretary"])
    upload = SimpleUploadedFile("党员.xlsx", book([row(), row(手机号="123")]))
    resp = client.post(reverse("members:import"), {"file": upload})
    assert resp.status_code == 200 and not Member.objects.exists()
    assert [(e["row"], e["column"]) for e in resp.context["errors"]] == [(3, "E")]
    report_url = resp.context["report_url"]
    report = load_workbook(io.BytesIO(client.get(report_url).content)).active
    assert list(report.iter_rows(values_only=True))[1][:3] == (3, "E", "手机号")
    client.force_login(f.user("other", "secretary", organization=place["d"].gaotang_committee))
    assert client.get(report_url).status_code == 404


def test_the_import_page_imports_and_goes_back_to_the_list(client, place):
    client.force_login(place["secretary"])
    upload = SimpleUploadedFile("党员.xlsx", book([row()]))
    resp = client.post(reverse("members:import"), {"file": upload})
    assert resp.status_code == 302 and Member.objects.get().name == "王海燕"
    upload = SimpleUploadedFile("党员.csv", b"a,b")
    resp = client.post(reverse("members:import"), {"file": upload})
    assert resp.status_code == 200 and "file" in resp.context["form"].errors


def test_export_masks_personal_data_and_follows_the_filters(client, place):
    m = f.member(place["branch"], "王海燕", phone="13912345678", unit=place["unit"], on_call=True)
    f.member(place["branch"], "李四")
    client.force_login(place["secretary"])
    resp = client.get(reverse("members:export"), {"on_call": "1"})
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and len(rows) == 2
    data = dict(zip(HEADERS, rows[1], strict=True))
    assert data["姓名"] == "王海燕" and data["身份证号"] == m.id_number_masked
    assert data["手机号"] == "139****5678" and data["所在单位"] == "宁波高塘五金有限公司"
    assert not AuditEntry.objects.filter(action__startswith="member.export").exists()


def test_a_full_export_needs_a_reason_is_audited_and_imports_back(client, place):
    wang = f.member(
        place["branch"], "王海燕", phone="13912345678", skills="电工", community_post="楼道长"
    )
    client.force_login(place["secretary"])
    resp = client.post(reverse("members:export"), {"reason": ""})
    assert (
        resp.status_code == 302
        and not AuditEntry.objects.filter(action="member.export.full").exists()
    )
    resp = client.post(reverse("members:export"), {"reason": "报送区委组织部核对", "q": "王"})
    rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == wang.id_number and rows[1][4] == "13912345678"
    entry = AuditEntry.objects.get(action="member.export.full")
    assert entry.reason == "报送区委组织部核对" and entry.after["members"] == 1
    assert entry.region_path == place["d"].gaotang.path
    # The same columns import back.
    Member.objects.all().delete()
    result = run(place, resp.content)
    assert result.ok, result.errors
    again = Member.objects.get()
    assert (again.id_number, again.phone, again.skill_list, again.community_post) == (
        wang.id_number,
        "13912345678",
        ["电工"],
        "楼道长",
    )
