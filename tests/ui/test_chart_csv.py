"""The Chart page's CSV download: a cell read off a chart never becomes a spreadsheet formula."""

import csv
import io

from ui import chart


def test_chart_csv_neutralises_formulas_like_the_export() -> None:
    hostile = ['=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)", "-2+3", "\t=1"]
    frame = chart.table({"columns": ["=cmd|' /C calc'!A0", "v"], "rows": [[h, "-3.5"] for h in hostile]})
    rows = list(csv.reader(io.StringIO(chart.to_csv(frame))))
    assert rows[0][0] == "'=cmd|' /C calc'!A0"
    assert [r[0] for r in rows[1:]] == ["'" + h for h in hostile]
    assert {r[1] for r in rows[1:]} == {"-3.5"}  # a negative number stays a number
