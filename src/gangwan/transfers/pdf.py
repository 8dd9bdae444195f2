"""The printable transfer letter (中国共产党党员组织关系介绍信): three parts on one A4 page, the stub
(存根) kept by the issuer, the letter (介绍信) carried by the member and the receipt (回执) sent back
by the receiving organization (R24), separated by perforation lines with the letter number printed
across them (骑缝).

The wording is the prescribed Chinese form, printed in Chinese whatever the interface language.
The font is reportlab's built-in CID font STSong-Light: nothing is embedded, PDF viewers substitute
an installed Song (宋体) face (Adobe-GB1 character collection), which keeps the file small.
The ID number is printed masked unless the caller passes the revealed value (after a logged reason).
"""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
MARGIN = 54
LINE = 19
NO_START = "，。、；：？！）》」』〕”’"

_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def cn_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "    年  月  日"


def cn_month(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月" if d else "    年  月"


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def letter_facts(transfer, *, id_number: str | None = None) -> dict:
    """What the letter prints, from a transfer with its member and organizations loaded."""
    m = transfer.member
    on = transfer.issued_on or dt.date.today()
    ethnicity = getattr(m, "ethnicity", "") or ""
    display = getattr(m, "get_ethnicity_display", None)
    if ethnicity and callable(display):
        ethnicity = str(display())
    return {
        "letter_no": transfer.letter_no,
        "name": m.name,
        "gender": "男" if m.gender == "male" else "女",
        "age": age_on(m.birth_date, on),
        "ethnicity": ethnicity,
        "id_number": id_number or m.id_number_masked,
        "masked": not id_number,
        "status": "正式党员" if m.status == "full" else "预备党员",
        "from": transfer.from_organization.name,
        "to": transfer.to_label,
        "issuer": (transfer.issuing_organization or transfer.from_organization).name,
        "dues": cn_month(transfer.dues_paid_until),
        "issued_on": cn_date(transfer.issued_on),
        "valid_until": cn_date(transfer.valid_until),
    }


class _Page:
    def __init__(self, c: canvas.Canvas):
        self.c = c
        self.width, self.height = A4
        self.font = _font()

    def text(self, x, y, s, size=11.5):
        self.c.setFont(self.font, size)
        self.c.drawString(x, y, s)

    def right(self, y, s, size=11.5):
        self.c.setFont(self.font, size)
        self.c.drawRightString(self.width - MARGIN, y, s)

    def centre(self, y, s, size=16):
        self.c.setFont(self.font, size)
        self.c.drawCentredString(self.width / 2, y, s)

    def wrap(self, s: str, width: float, size: float, indent: float = 0) -> list[str]:
        """Break Chinese text by width (no spaces to break at); the first line may be indented."""
        lines, line, limit = [], "", width - indent
        for ch in s:
            # Closing punctuation never starts a line (禁则): it hangs at the end of the last one.
            if pdfmetrics.stringWidth(line + ch, self.font, size) > limit and ch not in NO_START:
                lines.append(line)
                line, limit = ch, width
            else:
                line += ch
        if line:
            lines.append(line)
        return lines

    def paragraph(self, y, s, size=11.5, indent=2) -> float:
        """Draw a paragraph with a first-line indent of `indent` characters; return the next y."""
        width = self.width - 2 * MARGIN
        first = indent * size
        for i, line in enumerate(self.wrap(s, width, size, first)):
            self.text(MARGIN + (first if i == 0 else 0), y, line, size)
            y -= LINE
        return y

    def perforation(self, y, label: str):
        c = self.c
        c.saveState()
        c.setDash(4, 3)
        c.setLineWidth(0.6)
        c.line(MARGIN / 2, y, self.width - MARGIN / 2, y)
        c.restoreState()
        c.setFont(self.font, 8.5)
        w = pdfmetrics.stringWidth(label, self.font, 8.5) + 12
        c.setFillColorRGB(1, 1, 1)
        c.rect(self.width / 2 - w / 2, y - 5, w, 10, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.drawCentredString(self.width / 2, y - 3, label)


def render_letter(transfer, *, id_number: str | None = None) -> bytes:
    """The three-part letter as PDF bytes. `id_number`: the full number, only after a reveal."""
    f = letter_facts(transfer, id_number=id_number)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"中国共产党党员组织关系介绍信 {f['letter_no']}")
    c.setAuthor(f["issuer"])
    c.setSubject(f["name"])
    p = _Page(c)
    top = p.height - MARGIN
    who = f"{f['gender']}，{f['age']}岁" + (f"，{f['ethnicity']}" if f["ethnicity"] else "")
    number = f["letter_no"]

    # 存根 — kept by the issuing organization.
    y = top
    p.centre(y, "中国共产党党员组织关系介绍信（存根）", 15)
    y -= LINE + 4
    p.right(y, number, 10.5)
    y -= LINE + 2
    y = p.paragraph(
        y,
        f"{f['name']}同志（{who}），系中共{f['status']}，身份证号码{f['id_number']}，"
        f"组织关系由{f['from']}转到{f['to']}。",
    )
    y = p.paragraph(y, f"党费交到{f['dues']}。有效期至{f['valid_until']}。")
    p.right(y - 4, f"开具日期：{f['issued_on']}")
    cut1 = top - 205
    p.perforation(cut1, f"（骑缝）{f['letter_no']}")

    # 介绍信 — carried by the member to the receiving organization.
    y = cut1 - 30
    p.centre(y, "中国共产党党员组织关系介绍信", 16)
    y -= LINE + 4
    p.right(y, number, 10.5)
    y -= LINE + 2
    for line in p.wrap(f"{f['to']}：", p.width - 2 * MARGIN, 11.5):
        p.text(MARGIN, y, line)
        y -= LINE
    y = p.paragraph(
        y,
        f"兹介绍{f['name']}同志（{who}），系中共{f['status']}，身份证号码{f['id_number']}，"
        f"由{f['from']}去{f['to']}，请转接组织关系。",
    )
    y = p.paragraph(y, f"该同志党费已交到{f['dues']}。")
    y = p.paragraph(y, f"（有效期至{f['valid_until']}）")
    y -= 6
    p.right(y, f"{f['issuer']}（盖章）")
    y -= LINE
    p.right(y, f["issued_on"])
    y -= LINE + 4
    p.text(
        MARGIN,
        y,
        "党员联系电话：________________    党员原所在基层党委通讯地址：________________",
        9.5,
    )
    cut2 = y - 22
    p.perforation(cut2, f"（骑缝）{f['letter_no']}")

    # 回执 — returned by the receiving organization within a month of receiving (R24).
    y = cut2 - 30
    p.centre(y, "中国共产党党员组织关系介绍信回执", 15)
    y -= LINE + 4
    p.right(y, number, 10.5)
    y -= LINE + 2
    p.text(MARGIN, y, f"{f['issuer']}：")
    y -= LINE
    y = p.paragraph(y, f"{f['name']}同志的党员组织关系已转达我处，特此回执。")
    y -= 6
    p.right(y, "接收党组织（盖章）")
    y -= LINE
    p.right(y, cn_date(None))
    y -= LINE + 8
    p.text(MARGIN, y, "接收党组织请于接收之日起一个月内寄回本回执。", 9)

    note = "身份证号码已部分隐藏。" if f["masked"] else "本页含完整身份证号码，请妥善保管。"
    p.text(MARGIN, MARGIN / 2, note, 8)
    c.showPage()
    c.save()
    return buf.getvalue()
