"""Pure helpers of the pages: chart tables and plots, the HTML sandbox, escaping, ages, progress."""

import base64
import datetime as dt
import html

from ui import chart, progress
from ui.format import age, md_escape
from ui.queue_table import queue_frame
from ui.sandbox import sandboxed_src, wrapper_document

CHART = {"title": "Share", "columns": ["Year", "A", "B"], "rows": [["2019", "10%", "5"], ["2020", "12", "n/a"]]}


def test_chart_table_plot_and_csv() -> None:
    frame = chart.table(CHART)
    assert list(frame.columns) == ["Year", "A", "B"]
    points = chart.long_form(frame)
    assert points[["category", "series", "value"]].values.tolist() == [
        ["2019", "A", 10.0],
        ["2019", "B", 5.0],
        ["2020", "A", 12.0],
    ]
    spec = chart.vega_spec(CHART, frame)
    assert spec["mark"]["type"] == "bar" and spec["title"] == "Share"
    assert chart.to_csv(frame).splitlines() == ["Year,A,B", "2019,10%,5", "2020,12,n/a"]


def test_chart_table_tolerates_ragged_rows_and_missing_header() -> None:
    frame = chart.table({"columns": ["x", "x", ""], "rows": [["a", "1"], ["b", "2", "3", "4"]]})
    assert list(frame.columns) == ["x", "x (2)", "column 3"]
    assert frame.values.tolist() == [["a", "1", ""], ["b", "2", "3"]]
    years = chart.table({"columns": ["Year", "v"], "rows": [[str(y), "1"] for y in range(2000, 2006)]})
    assert chart.vega_spec({}, years)["mark"]["type"] == "line"


def test_sandbox_escapes_generated_html_into_a_scriptless_frame() -> None:
    generated = '<html><body><script>parent.document.title="pwned"</script><p onclick="x()">Hi "you"</p></body></html>'
    page = wrapper_document(generated)
    assert '<iframe sandbox=""' in page and "allow-" not in page
    assert "<script>" not in page and html.escape(generated, quote=True) in page
    assert "default-src 'none'" in page
    src = sandboxed_src(generated)
    assert src.startswith("data:text/html;charset=utf-8;base64,")
    assert base64.b64decode(src.split(",", 1)[1]).decode() == page


def test_markdown_escape_and_age() -> None:
    assert md_escape("**bold** [x](javascript:alert(1)) <b>") == (r"\*\*bold\*\* \[x\]\(javascript\:alert\(1\)\) \<b\>")
    now = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert age("2026-01-01T11:58:30+00:00", now) == "1 min"
    assert age("2026-01-01T11:59:58Z", now) == "2 s"
    assert age("2025-12-30T12:00:00", now) == "2 d"
    assert age(None, now) == "" and age("garbage", now) == ""


def test_progress_and_queue_rows() -> None:
    assert (
        progress.fraction({"status": "queued"})
        < progress.fraction(
            {"status": "processing", "progress": {"stage": "rasterize", "pages_total": 2, "pages_rasterized": 1}}
        )
        < progress.fraction({"status": "processing", "progress": {"stage": "extract"}})
        < 1.0
    )
    assert progress.fraction({"status": "needs_review"}) == 1.0
    assert progress.phrase({"status": "failed", "error": {"code": "bad_file", "message": "m"}}) == "failed: bad_file"
    assert progress.all_finished([{"status": "done"}, {"status": "failed"}])
    assert not progress.all_finished([{"status": "done"}, {"status": "processing"}])
    frame = queue_frame(
        [{"id": "1", "filename": "r.jpg", "status": "failed", "issue_count": 2, "error": {"code": "c", "message": "m"}}]
    )
    assert frame.loc[0, "Status"] == "failed" and frame.loc[0, "Error"] == "c: m"
