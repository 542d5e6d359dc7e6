"""Line charts drawn with Unicode text, for ``mlp job metrics --plot``.

Each chart plots one metric over epochs on a grid of characters: a ``●`` marks each reported
value and ``·`` joins neighbouring values. The y axis is labelled with the maximum, middle and
minimum value, and the x axis with the first and last epoch. Only the standard library is used.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from mlp_cli._render import format_number

DEFAULT_HEIGHT = 10
"""Rows of a chart's plotting area."""

DEFAULT_WIDTH = 60
"""The widest plotting area in columns; fewer points make a narrower chart."""

MAX_COLUMNS_PER_POINT = 6
"""The maximum number of columns between two neighbouring points, to keep short series compact."""

POINT = "●"
LINE = "·"


def _plot_width(xs: Sequence[float], width: int) -> int:
    """Return the columns of the plotting area for points at ``xs``."""
    span = max(xs) - min(xs)
    if span <= 0:
        return 1
    steps = len(set(xs)) - 1
    return max(2, min(width, steps * MAX_COLUMNS_PER_POINT + 1))


def _scale(value: float, low: float, high: float, size: int) -> int:
    """Map ``value`` in ``[low, high]`` to a cell index in ``[0, size - 1]``."""
    if high <= low or size <= 1:
        return (size - 1) // 2
    return round((value - low) / (high - low) * (size - 1))


def render_chart(
    title: str,
    points: Sequence[tuple[float, float]],
    *,
    x_label: str = "epoch",
    height: int = DEFAULT_HEIGHT,
    width: int = DEFAULT_WIDTH,
) -> list[str]:
    """Draw one metric as a text chart.

    Args:
        title: The metric's name, printed above the chart.
        points: (x, value) pairs in x order. Non-finite values are left out of the chart.
        x_label: The name of the x axis.
        height: Rows of the plotting area, 3 or more.
        width: The widest plotting area in columns, 2 or more.

    Returns:
        The chart's lines, without trailing spaces.
    """
    finite = [(x, y) for x, y in points if math.isfinite(y)]
    if not finite:
        return [f"{title}: no finite values to plot"]

    xs = [x for x, _ in finite]
    ys = [y for _, y in finite]
    low, high = min(ys), max(ys)
    columns = _plot_width(xs, width)
    grid = [[" "] * columns for _ in range(height)]

    cells = [
        (_scale(x, min(xs), max(xs), columns), height - 1 - _scale(y, low, high, height))
        for x, y in finite
    ]
    for (column_a, row_a), (column_b, row_b) in itertools.pairwise(cells):
        for column in range(column_a + 1, column_b):
            fraction = (column - column_a) / (column_b - column_a)
            grid[round(row_a + (row_b - row_a) * fraction)][column] = LINE
    for column, row_index in cells:
        grid[row_index][column] = POINT

    # _scale puts every point of a flat series on the middle row, so it gets one label there.
    middle = (height - 1) // 2
    flat = high <= low
    labels = {middle: high} if flat else {0: high, middle: (high + low) / 2, height - 1: low}
    labels_text = {row: format_number(value) for row, value in labels.items()}
    label_width = max(len(label) for label in labels_text.values())

    lines = [title]
    for row_index, cells_of_row in enumerate(grid):
        label = labels_text.get(row_index, "")
        axis = "┤" if label else "│"
        lines.append(f"{label:>{label_width}} {axis}{''.join(cells_of_row)}".rstrip())
    lines.append(f"{'':>{label_width}} └{'─' * columns}")

    first, last = format_number(min(xs)), format_number(max(xs))
    gap = max(1, columns - len(first) - len(last))
    ticks = first if first == last else f"{first}{' ' * gap}{last}"
    lines.append(f"{'':>{label_width}}  {ticks}  {x_label}")
    return lines
