"""The coverage chart: a tall PNG a phone can show, whatever the figures."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import numpy as np
from matplotlib import image as mpimg
from matplotlib.colors import to_rgb

from bot.stats.charts import MET, NOT_MET, UNKNOWN, coverage_chart, pct_text, unit_name
from bot.stats.report import CommuneReport, TrendPoint
from tests.stats.test_exports import make_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _pixels(report: CommuneReport) -> np.ndarray:
    data = coverage_chart(report)
    assert data.startswith(PNG_SIGNATURE)
    return mpimg.imread(BytesIO(data), format="png")


def _share(pixels: np.ndarray, colour: str) -> float:
    """Return the share of the image painted in `colour`."""
    distance = np.abs(pixels[..., :3] - np.array(to_rgb(colour))).max(axis=-1)
    return float((distance < 0.02).mean())


def test_chart_is_a_tall_png_readable_on_a_phone() -> None:
    pixels = _pixels(make_report())
    height, width = pixels.shape[:2]
    assert width > 600
    assert height > width


def test_bars_are_coloured_by_target_and_undeclared_villages_are_grey() -> None:
    pixels = _pixels(make_report())
    assert _share(pixels, MET) > 0.005  # Thôn A and Thôn C reach 60%
    assert _share(pixels, NOT_MET) > 0.002  # Thôn B does not
    assert _share(pixels, UNKNOWN) > 0.0005  # Thôn D has no declared total


def test_no_orange_when_every_village_meets_the_target() -> None:
    villages = [("Thôn A", 10, 8, 7, 7, 7), ("Thôn B", 5, 4, 4, 4, 4)]
    pixels = _pixels(make_report(villages=villages))
    assert _share(pixels, NOT_MET) == 0.0
    assert _share(pixels, MET) > 0.005


def test_chart_without_villages_or_trend() -> None:
    report = make_report(villages=[])
    pixels = _pixels(replace(report, trend=[]))
    assert pixels.shape[0] > pixels.shape[1]


def test_chart_when_no_village_has_declared_a_total() -> None:
    villages = [("Thôn X", None, 3, 2, 2, 2), ("Thôn Y", None, 1, 1, 1, 1)]
    report = make_report(villages=villages)
    assert all(p.coverage_pct is None for p in report.trend)
    pixels = _pixels(report)
    assert _share(pixels, UNKNOWN) > 0.0005
    assert _share(pixels, MET) == 0.0


def test_chart_with_a_single_week_and_coverage_above_100() -> None:
    villages = [("Thôn A", 4, 6, 6, 6, 6)]  # the declared total is too low
    report = make_report(villages=villages)
    week = report.trend[-1]
    report = replace(report, trend=[TrendPoint(week.week_end, 6, 150.0)])
    assert _pixels(report).shape[1] > 600


def test_a_village_above_100_percent_is_flagged_not_drawn_as_a_bar() -> None:
    # Before: "/sohodan 1" with two households taking part drew a 200% bar marked "đạt".
    villages = [("Thôn A", 1, 2, 2, 2, 2), ("Thôn B", 5, 2, 1, 1, 1)]
    report = make_report(villages=villages)
    [flagged, other] = report.coverage.villages
    assert flagged.check and flagged.coverage_pct is None and flagged.met is None
    assert not other.check
    pixels = _pixels(report)
    assert _share(pixels, MET) == 0.0  # nothing "đạt"
    assert _share(pixels, UNKNOWN) > 0.0005  # the grey stub labelled "số liệu cần kiểm tra"


def test_labels_use_vietnamese_conventions() -> None:
    assert pct_text(27.5) == "27,5%"
    assert pct_text(60) == "60,0%"
    assert unit_name("Kim Thành") == "Xã Kim Thành"
    assert unit_name("Phường Hà An") == "Phường Hà An"
