"""The members spreadsheet: its columns (Chinese headers, the format every district already uses),
how cell values are read, the template to fill in, and the rows of an export.

Import and export use the same columns, so an exported list (with full values) imports back.
Headers are data, not UI text: they stay Chinese whatever the user's language."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gangwan.core.exports import xlsx_response

from . import xlsx
from .models import Education, Gender, MemberStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_SHEET = "党员"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    note: object = ""
    width: int = 12


COLUMNS = [
    Column("name", "姓名", True, gettext_lazy("Full name, at most 60 characters."), 10),
    Column(
        "id_number",
        "身份证号",
        True,
        gettext_lazy("18 characters (GB 11643); keep the column formatted as text."),
        21,
    ),
    Column("gender", "性别", False, gettext_lazy("男 or 女; must agree with the ID number."), 6),
    Column("birth_date", "出生日期", False, gettext_lazy("Must agree with the ID number."), 11),
    Column("phone", "手机号", False, gettext_lazy("11-digit mobile number."), 13),
    Column("status", "党员类别", True, gettext_lazy("正式党员 or 预备党员."), 10),
    Column(
        "joined_on",
        "入党日期",
        False,
        gettext_lazy("Date, e.g. 2005-07-01; required for probationary members."),
        11,
    ),
    Column(
        "full_on",
        "转正日期",
        False,
        gettext_lazy("Date of conversion to full member; empty for probationary members."),
        11,
    ),
    Column("ethnicity", "民族", False, gettext_lazy("e.g. 汉族."), 8),
    Column(
        "education",
        "学历",
        False,
        gettext_lazy("研究生, 大学本科, 大学专科, 中专/高中 or 初中及以下."),
        10,
    ),
    Column(
        "unit",
        "所在单位",
        False,
        gettext_lazy("Name or unified social credit code of a unit in your scope."),
        24,
    ),
    Column("post", "单位职务", False, gettext_lazy("Post held in the unit."), 10),
    Column(
        "organization",
        "组织关系所在党组织",
        True,
        gettext_lazy(
            "Name of an organization you administer (sheet 党组织); write "
            "superior/name when two share the name."
        ),
        24,
    ),
    Column(
        "home_organization",
        "参加组织生活党组织",
        False,
        gettext_lazy("Where the member takes part in organizational life, if elsewhere."),
        24,
    ),
    Column("is_floating", "流动党员", False, gettext_lazy("是 or 否."), 8),
    Column("skills", "特长", False, gettext_lazy("Separated by 、 or commas."), 14),
    Column("on_call", "随时听候调用", False, gettext_lazy("是 or 否."), 8),
    Column("on_call_hours", "听候调用时段", False, gettext_lazy("e.g. 周末."), 10),
    Column(
        "community_post",
        "社区岗位",
        False,
        gettext_lazy("The member's post in the community (one member, two posts)."),
        10,
    ),
    Column(
        "last_life_on",
        "最近参加组织生活日期",
        False,
        gettext_lazy("Date of the last organizational life attended."),
        12,
    ),
    Column("dues_paid_until", "党费交至", False, gettext_lazy("Month, e.g. 2026-06."), 9),
]
BY_KEY = {c.key: c for c in COLUMNS}
HEADER_ALIASES = {
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "手机号码": "phone",
    "联系电话": "phone",
    "一员双岗": "community_post",
    "一员双岗社区岗位": "community_post",
    "职务": "post",
    "岗位": "post",
    "党费交纳至": "dues_paid_until",
}

STATUS_LABELS = {MemberStatus.FULL: "正式党员", MemberStatus.PROBATIONARY: "预备党员"}
STATUS_VALUES = {
    "正式党员": MemberStatus.FULL,
    "正式": MemberStatus.FULL,
    "预备党员": MemberStatus.PROBATIONARY,
    "预备": MemberStatus.PROBATIONARY,
    **{s.value: s.value for s in MemberStatus},
}
GENDER_LABELS = {Gender.MALE: "男", Gender.FEMALE: "女"}
GENDER_VALUES = {"男": Gender.MALE, "女": Gender.FEMALE, **{g.value: g.value for g in Gender}}
EDUCATION_LABELS = {
    Education.POSTGRADUATE: "研究生",
    Education.BACHELOR: "大学本科",
    Education.COLLEGE: "大学专科",
    Education.SECONDARY: "中专/高中",
    Education.JUNIOR: "初中及以下",
}
EDUCATION_VALUES = {
    **{label: key for key, label in EDUCATION_LABELS.items()},
    **{e.value: e.value for e in Education},
    **dict.fromkeys(["博士", "硕士", "博士研究生", "硕士研究生"], Education.POSTGRADUATE),
    **dict.fromkeys(["本科", "大学"], Education.BACHELOR),
    **dict.fromkeys(["大专", "专科"], Education.COLLEGE),
    **dict.fromkeys(["中专", "高中", "中技", "技校", "职高", "中等专科"], Education.SECONDARY),
    **dict.fromkeys(["初中", "小学", "初中以下"], Education.JUNIOR),
}
YES = {"是", "y", "yes", "1", "true", "√", "✓"}
NO = {"否", "n", "no", "0", "false", "×", ""}


def header_key(text) -> str | None:
    """The column a header names: tolerant of spaces, a required-mark * and notes in brackets."""
    t = unicodedata.normalize("NFKC", str(text or ""))
    t = re.sub(r"\(.*?\)|\[.*?\]|[*\s]", "", t)
    for c in COLUMNS:
        if t == c.header:
            return c.key
    return HEADER_ALIASES.get(t)


def text(value) -> str:
    """A cell as text: numbers without a trailing .0, everything NFKC-normalized and stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value, *, month: bool = False) -> dt.date | None:
    """A date cell: a real date, an Excel serial number, or text such as 2005-07-01, 2005/7/1,
    2005.7.1, 20050701 or 2005年7月1日 (with `month`, also 2026-06 or 2026年6月). Empty → None.
    Raises ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        d = value.date()
    elif isinstance(value, dt.date):
        d = value
    elif isinstance(value, int | float) and 1 <= value < 2958466:
        d = EXCEL_EPOCH + dt.timedelta(days=int(value))
    else:
        t = text(value)
        if not t:
            return None
        if m := _DATE.fullmatch(t):
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        elif re.fullmatch(r"\d{8}", t):
            d = dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
        elif month and (m := _MONTH.fullmatch(t)):
            d = dt.date(int(m[1]), int(m[2]), 1)
        elif month and re.fullmatch(r"\d{6}", t):
            d = dt.date(int(t[:4]), int(t[4:]), 1)
        else:
            raise ValueError(t)
    return d.replace(day=1) if month else d


def parse_flag(value) -> bool:
    t = text(value).lower()
    if t in YES:
        return True
    if t in NO:
        return False
    raise ValueError(t)


# --- writing ----------------------------------------------------------------------------------
def _row_values(m, *, full: bool) -> list:
    return [
        m.name,
        m.id_number if full else m.id_number_masked,
        GENDER_LABELS.get(m.gender, ""),
        m.birth_date,
        (m.phone if full else m.phone_masked) or None,
        STATUS_LABELS.get(m.status, m.status),
        m.joined_on,
        m.full_on,
        m.ethnicity or None,
        EDUCATION_LABELS.get(m.education) if m.education else None,
        m.unit.name if m.unit_id else None,
        m.post or None,
        m.organization.name,
        m.home_organization.name if m.home_organization_id != m.organization_id else None,
        "是" if m.is_floating else "否",
        m.skills or None,
        "是" if m.on_call else "否",
        m.on_call_hours or None,
        m.community_post or None,
        m.last_life_on,
        m.dues_paid_until.strftime("%Y-%m") if m.dues_paid_until else None,
    ]


def export_response(members, *, full: bool, filename: str) -> HttpResponse:
    """The members as a spreadsheet with the import's columns; ID numbers and phones masked
    unless `full` (which the caller has audited)."""
    data = xlsx.write_workbook(
        sheet=DATA_SHEET,
        headers=[c.header for c in COLUMNS],
        rows=(_row_values(m, full=full) for m in members),
        widths=[c.width + 2 for c in COLUMNS],
    )
    resp = HttpResponse(data, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def template_response(*, organizations, units) -> HttpResponse:
    """The empty sheet to fill in, with drop-downs, the instructions, and the organizations and
    units of the user's scope (the only ones an import accepts)."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append([c.header for c in COLUMNS])
    ws.freeze_panes = "A2"
    last = 2001
    for i, c in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = c.width + 2
        if c.key in ("id_number", "phone", "dues_paid_until"):
            # Text, or Excel turns an 18-digit number into 3.3E+17 and loses its last digits.
            ws.column_dimensions[letter].number_format = "@"
        choices = {
            "status": list(STATUS_LABELS.values()),
            "gender": list(GENDER_LABELS.values()),
            "education": list(EDUCATION_LABELS.values()),
            "is_floating": ["是", "否"],
            "on_call": ["是", "否"],
        }.get(c.key)
        if choices:
            dv = DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{last}")
    help_ws = wb.create_sheet(_("Instructions")[:31])
    help_ws.append([_("Column"), _("Required"), _("What to write")])
    for c in COLUMNS:
        help_ws.append([c.header, _("yes") if c.required else "", str(c.note)])
    help_ws.append([])
    help_ws.append(
        [
            _(
                "Every row is checked; if one row is wrong nothing is imported and a report names "
                "the row, the column and the problem."
            )
        ]
    )
    help_ws.column_dimensions["A"].width = 20
    help_ws.column_dimensions["C"].width = 80
    org_ws = wb.create_sheet("党组织")
    org_ws.append(["党组织", "上级党组织", _("Kind")])
    for o in organizations:
        org_ws.append([o.name, o.parent.name if o.parent_id else "", str(o.get_kind_display())])
    org_ws.column_dimensions["A"].width = org_ws.column_dimensions["B"].width = 36
    unit_ws = wb.create_sheet("单位")
    unit_ws.append(["单位", "统一社会信用代码"])
    for name, code in units:
        unit_ws.append([name, code or ""])
    unit_ws.column_dimensions["A"].width = 36
    unit_ws.column_dimensions["B"].width = 22
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = 'attachment; filename="members-template.xlsx"'
    return resp


def error_report_response(errors: list[dict]) -> HttpResponse:
    """The rows that failed: row number, column letter, header and the problem."""
    return xlsx_response(
        filename="members-import-errors.xlsx",
        sheet=_("Errors"),
        headers=[_("Row"), _("Column"), _("Header"), _("Problem")],
        rows=([e["row"], e["column"], e["header"], e["message"]] for e in errors),
        widths=[8, 8, 22, 80],
    )
