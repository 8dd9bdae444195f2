"""The printable meeting record (会议记录): one or more A4 pages in Chinese, with the built-in CID
font STSong-Light set up as the transfer letter does (nothing embedded)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from gangwan.transfers.pdf import _font, cn_date

MARGIN = 54
LINE = 18
STATUS_CN = {"present": "出席", "on_leave": "请假", "absent": "缺席", "exempt": "免考勤"}


def _wrap(text: str, width: int) -> list[str]:
    out = []
    for para in (text or "").splitlines() or [""]:
        while len(para) > width:
            out.append(para[:width])
            para = para[width:]
        out.append(para)
    return out


def meeting_record_pdf(*, activity, attendances, decisions, summary) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    font = _font()
    w, h = A4
    y = h - MARGIN

    def line(text, size=11, indent=0):
        nonlocal y
        if y < MARGIN:
            c.showPage()
            y = h - MARGIN
        c.setFont(font, size)
        c.drawString(MARGIN + indent, y, text)
        y -= LINE if size <= 12 else LINE + 8

    c.setTitle(f"会议记录 {activity.topic}")
    c.setFont(font, 18)
    c.drawCentredString(w / 2, y, f"{activity.organization.name}会议记录")
    y -= 36
    when = cn_date(activity.held_on)
    if activity.starts_at:
        when += activity.starts_at.strftime(" %H:%M")
    counts = summary["counts"]
    for label, value in (
        ("会议类型", activity.get_kind_display()),
        ("时间", when),
        ("地点", activity.place),
        ("主题", activity.topic),
        ("主持人", activity.host),
        ("记录人", activity.recorder),
        (
            "出席情况",
            f"应到{counts.expected}人，实到{counts.present}人，请假{counts.on_leave}人，"
            f"缺席{counts.absent}人，免考勤{counts.exempt}人",
        ),
    ):
        line(f"{label}：{value or ''}")
    if summary["quorum_valid"] is not None:
        ok = "符合" if summary["quorum_valid"] else "不符合"
        line(
            f"有表决权的应到{summary['quorum_base']}人，计入{summary['quorum_counted']}人，"
            f"{ok}会议有效人数要求。"
        )
    absent = [a for a in attendances if a.status != "present"]
    if absent:
        line("缺席及请假人员：")
        for a in absent:
            reason = f"（{a.reason}）" if a.reason else ""
            line(f"{a.member.name}  {STATUS_CN.get(a.status, a.status)}{reason}", indent=14)
    if decisions:
        line("表决事项：")
        for d in decisions:
            res = "通过" if d.passed else "未通过"
            line(f"{d.motion}：赞成{d.yes}，反对{d.no}，弃权{d.abstain}，{res}", indent=14)
    line("会议记录：")
    for text in _wrap(activity.minutes, 38):
        line(text, indent=14)
    y -= LINE
    line("主持人签字：                    记录人签字：")
    c.showPage()
    c.save()
    return buf.getvalue()
