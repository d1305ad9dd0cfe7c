"""The SVG charts: pure, so checked as text (what is drawn, with what numbers, escaped)."""

import re
import xml.etree.ElementTree as ET

from metrics import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def test_duration_label_uses_at_most_two_units():
    assert [charts.duration_label(s) for s in (0, 45, 60, 754, 3600, 5400, 86400, 93600)] == [
        "0s",
        "45s",
        "1m",
        "12m",
        "1h",
        "1h 30m",
        "1d",
        "1d 2h",
    ]


def test_nice_step_covers_the_maximum_with_round_steps():
    assert charts.nice_step(37) == 10
    assert charts.nice_step(4) == 1
    assert charts.nice_step(0) == 1
    assert charts.nice_step(3 * 3600, durations=True) == 3600
    assert charts.nice_step(50, durations=True) == 60


def test_band_draws_a_line_and_band_per_run_of_weeks_with_data():
    svg, legend = charts.band(
        title="Time to detect",
        labels=["W01", "W02", "W03", "W04"],
        p50=charts.Series("p50", [60, 120, None, 300], "chart-p50"),
        p90=charts.Series("p90", [90, 600, None, 900], "chart-p90"),
    )
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == "Time to detect"
    # A week without data splits the band: two runs, two polygons and two lines.
    assert len(root.findall(f"{SVG}polygon")) == 2
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert len(root.findall(f"{SVG}circle")) == 3
    assert "3 weeks have data" in root.find(f"{SVG}desc").text
    assert "p50" in legend and "chart-p90" in legend


def test_band_points_scale_to_the_axis():
    svg, _ = charts.band(
        title="t",
        labels=["a", "b"],
        p50=charts.Series("p50", [0, 3600], "chart-p50"),
        p90=charts.Series("p90", [0, 3600], "chart-p90"),
    )
    points = _parse(svg).find(f"{SVG}polyline").get("points").split()
    ys = [float(point.split(",")[1]) for point in points]
    bottom = charts.HEIGHT - charts.BOTTOM
    assert ys[0] == bottom  # zero sits on the axis
    assert ys[1] == charts.TOP  # the maximum (a round hour) reaches the top gridline


def test_stacked_bars_stack_in_order_and_put_noise_beside():
    svg, legend = charts.stacked_bars(
        title="Incidents",
        labels=["W01", "W02"],
        stacks=[charts.Series("SEV1", [1, 0], "chart-sev1"), charts.Series("SEV2", [2, 3], "chart-sev2")],
        beside=charts.Series("Noise", [4, 0], "chart-noise"),
    )
    rects = _parse(svg).findall(f"{SVG}rect")
    titles = [rect.find(f"{SVG}title").text for rect in rects]
    assert titles == ["W01: SEV1 1", "W01: SEV2 2", "W01: Noise 4", "W02: SEV2 3"]
    sev1, sev2 = rects[0], rects[1]
    assert float(sev2.get("y")) + float(sev2.get("height")) == float(sev1.get("y"))  # stacked on top
    assert "Noise" in legend


def test_horizontal_bars_mark_and_escape():
    svg = charts.horizontal_bars(
        title="Top <services>",
        bars=[charts.Bar("Checkout & <API>", 5, marked=True), charts.Bar("Search", 2)],
        mark_name="Critical services",
    )
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == "Top <services>"
    labels = [text.text for text in root.findall(f"{SVG}text") if text.get("class") == "chart-label"]
    assert labels == ["◆ Checkout & <API>", "Search"]
    assert [r.get("class") for r in root.findall(f"{SVG}rect")] == ["chart-bar chart-marked", "chart-bar"]
    assert "<API>" not in svg  # escaped in the markup


def test_horizontal_bars_without_rows_say_so():
    assert "No data" in charts.horizontal_bars(title="Factors", bars=[])


def test_stacked_row_bars_split_each_row_by_segment():
    svg, _ = charts.stacked_row_bars(
        title="Anatomy",
        rows=[("2026-W47", [60, 120, None, 60, 60]), ("12-week median", [30, 30, 30, 30, 30])],
        segments=[charts.Series(name, [], f"chart-{name}") for name in ("a", "b", "c", "d", "e")],
    )
    rects = _parse(svg).findall(f"{SVG}rect")
    assert len(rects) == 4 + 5  # a missing value draws nothing
    widths = [float(r.get("width")) for r in rects[:4]]
    assert abs(widths[1] - 2 * widths[0]) <= 0.1  # rounded to tenths of a pixel


def test_grouped_bars_with_a_line():
    svg, legend = charts.grouped_bars(
        title="Action items",
        labels=["W01", "W02", "W03"],
        groups=[
            charts.Series("Opened", [3, 1, 0], "chart-opened"),
            charts.Series("Closed", [1, 2, 2], "chart-closed"),
        ],
        line=charts.Series("Overdue", [0, 1, 1], "chart-overdue"),
    )
    root = _parse(svg)
    assert len(root.findall(f"{SVG}rect")) == 6
    assert len(root.find(f"{SVG}polyline").get("points").split()) == 3
    assert re.search(r"Overdue", legend)
