"""Geometry for the ranking page's charts, drawn as inline SVG by the templates.

Pure functions from the ranking report's numbers to positions in a fixed coordinate system (the
SVG viewBox); the templates add the marks, the labels and the translated text summaries.
Coordinates are strings with one decimal and a dot, so no locale can turn them into "12,5".
Each row puts its label above its mark, so the charts stay readable on a narrow phone screen.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 360
LEFT, RIGHT = 8, 8
PLOT = WIDTH - LEFT - RIGHT
ROW = 30  # label line and mark line of one juror
TOP = 8
AXIS = 28  # room for the axis labels at the bottom


def _f(value: float) -> str:
    return f"{value:.1f}"


@dataclass(frozen=True)
class Tick:
    x: str
    value: Decimal  # the template shows it localised, like the other numbers


@dataclass(frozen=True)
class SpreadRow:
    label: str
    text_y: str
    mark_y: str
    mean_x: str
    low_x: str
    high_x: str
    mean: Decimal
    sd: Decimal | None


@dataclass(frozen=True)
class SpreadChart:
    """Each juror's mean with one standard deviation either side, on the panel's band."""

    height: str
    axis_y: str
    tick_y: str
    rows: tuple[SpreadRow, ...]
    ticks: tuple[Tick, ...]
    panel_x: str
    band_x: str
    band_width: str
    panel_mean: Decimal
    panel_sd: Decimal | None


@dataclass(frozen=True)
class OffsetRow:
    label: str
    text_y: str
    mark_y: str
    bar_x: str
    bar_width: str
    value_x: str
    anchor: str
    offset: Decimal
    milder: bool


@dataclass(frozen=True)
class OffsetChart:
    """Each juror's offset from the additive model as a bar from zero (right = milder)."""

    height: str
    axis_y: str
    tick_y: str
    zero_x: str
    rows: tuple[OffsetRow, ...]
    ticks: tuple[Tick, ...]
    mildest: tuple[str, Decimal] | None
    strictest: tuple[str, Decimal] | None


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    center: str
    count_y: str
    value: Decimal
    count: int


@dataclass(frozen=True)
class DistributionChart:
    """One criterion: how often each score was given."""

    criterion: Hashable
    name: str
    bars: tuple[Bar, ...]
    total: int
    base_y: str
    label_y: str


def _step(span: float) -> float:
    """A round tick distance giving about four to eight ticks over `span`."""
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 50):
        if span / step <= 8:
            return step
    return 10 ** math.ceil(math.log10(span))


def _ticks(low: float, high: float, x_of) -> tuple[Tick, ...]:
    step = _step(high - low)
    first = math.ceil(low / step - 1e-9)
    ticks, k = [], first
    while k * step <= high + 1e-9:
        value = Decimal(repr(round(k * step, 6)))
        value = Decimal(int(value)) if value == value.to_integral_value() else value.normalize()
        ticks.append(Tick(_f(x_of(float(value))), value))
        k += 1
    return tuple(ticks)


def _short(label: str, limit: int = 48) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def spread_chart(leniency, labels: Mapping[Hashable, str]) -> SpreadChart | None:
    """Mean ± sd per juror against the panel mean ± sd; None without jurors."""
    if leniency is None or not leniency.jurors:
        return None
    panel, panel_sd = float(leniency.panel_mean), float(leniency.panel_sd or 0)
    lows = [float(j.mean) - float(j.sd or 0) for j in leniency.jurors] + [panel - panel_sd]
    highs = [float(j.mean) + float(j.sd or 0) for j in leniency.jurors] + [panel + panel_sd]
    low, high = math.floor(min(lows)), math.ceil(max(highs))
    if high - low < 1:
        high = low + 1

    def x_of(value: float) -> float:  # 12 units inside each edge for the tick labels
        return LEFT + 12 + (value - low) / (high - low) * (PLOT - 24)

    band_left, band_right = x_of(panel - panel_sd), x_of(panel + panel_sd)
    rows = []
    for i, juror in enumerate(leniency.jurors):
        top = TOP + i * ROW
        mean, sd = float(juror.mean), float(juror.sd or 0)
        rows.append(
            SpreadRow(
                label=_short(labels.get(juror.juror_id, str(juror.juror_id))),
                text_y=_f(top + 10),
                mark_y=_f(top + 20),
                mean_x=_f(x_of(mean)),
                low_x=_f(x_of(mean - sd)),
                high_x=_f(x_of(mean + sd)),
                mean=juror.mean,
                sd=juror.sd,
            )
        )
    axis = TOP + len(rows) * ROW
    return SpreadChart(
        height=_f(axis + AXIS),
        axis_y=_f(axis),
        tick_y=_f(axis + 16),
        rows=tuple(rows),
        ticks=_ticks(low, high, x_of),
        panel_x=_f(x_of(panel)),
        band_x=_f(band_left),
        band_width=_f(band_right - band_left),
        panel_mean=leniency.panel_mean,
        panel_sd=leniency.panel_sd,
    )


def offset_chart(leniency, labels: Mapping[Hashable, str]) -> OffsetChart | None:
    """Bars from zero to each juror's additive-model offset; None without offsets."""
    if leniency is None or not any(j.offset is not None for j in leniency.jurors):
        return None
    jurors = [j for j in leniency.jurors if j.offset is not None]
    reach = max(max(abs(float(j.offset)) for j in jurors), 0.1)
    step = _step(2 * reach)
    reach = math.ceil(reach / step - 1e-9) * step

    def x_of(value: float) -> float:  # 40 units inside each edge for the value labels
        return LEFT + 40 + (value + reach) / (2 * reach) * (PLOT - 80)

    zero = x_of(0)
    rows = []
    for i, juror in enumerate(jurors):
        top = TOP + i * ROW
        end = x_of(float(juror.offset))
        milder = juror.offset > 0
        rows.append(
            OffsetRow(
                label=_short(labels.get(juror.juror_id, str(juror.juror_id))),
                text_y=_f(top + 10),
                mark_y=_f(top + 14),
                bar_x=_f(min(zero, end)),
                bar_width=_f(max(abs(end - zero), 1)),
                value_x=_f(end + (4 if milder else -4)),
                anchor="start" if milder else "end",
                offset=juror.offset,
                milder=milder,
            )
        )
    axis = TOP + len(rows) * ROW
    top_row = max(rows, key=lambda r: r.offset)
    bottom_row = min(rows, key=lambda r: r.offset)
    return OffsetChart(
        height=_f(axis + AXIS),
        axis_y=_f(axis),
        tick_y=_f(axis + 16),
        zero_x=_f(zero),
        rows=tuple(rows),
        ticks=_ticks(-reach, reach, x_of),
        mildest=(top_row.label, top_row.offset) if top_row.offset > 0 else None,
        strictest=(bottom_row.label, bottom_row.offset) if bottom_row.offset < 0 else None,
    )


DIST_HEIGHT = 150
DIST_BASE = 120  # y of the bars' base line; value labels below, counts above


def distribution_charts(
    distributions: Mapping[Hashable, Sequence[tuple[Decimal, int]]],
    names: Mapping[Hashable, str],
) -> list[DistributionChart]:
    """One bar chart per criterion (in the order of `names`, then any other criterion)."""
    order = [c for c in names if c in distributions]
    order += [c for c in distributions if c not in names]
    charts = []
    for cid in order:
        counts = distributions[cid]
        most = max((n for _v, n in counts), default=0) or 1
        slot = PLOT / max(len(counts), 1)
        bars = []
        for k, (value, count) in enumerate(counts):
            height = count / most * (DIST_BASE - 24)
            x = LEFT + k * slot
            bars.append(
                Bar(
                    x=_f(x + slot * 0.15),
                    y=_f(DIST_BASE - height),
                    width=_f(slot * 0.7),
                    height=_f(height),
                    center=_f(x + slot / 2),
                    count_y=_f(DIST_BASE - height - 4),
                    value=value,
                    count=count,
                )
            )
        charts.append(
            DistributionChart(
                criterion=cid,
                name=names.get(cid, str(cid)),
                bars=tuple(bars),
                total=sum(n for _v, n in counts),
                base_y=_f(DIST_BASE),
                label_y=_f(DIST_BASE + 18),
            )
        )
    return charts
