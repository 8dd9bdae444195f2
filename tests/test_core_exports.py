"""core.exports: text that looks like a formula stays text; any title makes a valid sheet name."""

import datetime as dt
import io

from openpyxl import load_workbook

from gangwan.core.exports import sheet_title, xlsx_response


def _book(resp):
    return load_workbook(io.BytesIO(resp.content))


def test_export_cells_starting_like_a_formula_are_kept_as_text():
    resp = xlsx_response(
        filename="x.xlsx",
        sheet="s",
        headers=["a", "b", "c", "d", "e"],
        rows=[['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", -5]],
    )
    ws = _book(resp).active
    cells = [c for c in next(ws.iter_rows(min_row=2, values_only=False))]
    values = [c.value for c in cells]
    assert values[:4] == ['\'=HYPERLINK("http://evil.example","x")', "'+1+1", "'-2+3", "'@SUM(A1)"]
    assert all(c.data_type == "s" for c in cells[:4])  # text, not a formula
    assert values[4] == -5 and cells[4].data_type == "n"  # numbers stay numbers


def test_export_keeps_ordinary_values():
    when = dt.datetime(2013, 6, 3, 9, 30, tzinfo=dt.UTC)
    resp = xlsx_response(
        filename="x.xlsx", sheet="s", headers=["a"], rows=[["王警官", 3, when, {"k": 1}]]
    )
    row = next(_book(resp).active.iter_rows(min_row=2, values_only=True))
    assert row[0] == "王警官" and row[1] == 3 and row[2] == dt.datetime(2013, 6, 3, 17, 30)
    assert row[3] == '{"k": 1}'


def test_export_sheet_name_with_forbidden_characters_does_not_fail():
    title = "2013/2014 评选: 服务先锋? [第*一\\轮] 一二三四五六七八九十"
    resp = xlsx_response(filename="x.xlsx", sheet=title, headers=["a"], rows=[])
    assert resp.status_code == 200
    name = _book(resp).sheetnames[0]
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert sheet_title("'x'") == "x" and sheet_title("::") == "Sheet1"
