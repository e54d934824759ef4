"""Volume as bars coloured by the bar's direction, drawing only what is in view.

With more bars in view than pixels to show them, each pixel column gets one bar (the largest
volume in it, coloured by the majority's direction), read from a pyramid of halved copies made
once per data set, so a frame costs the pixels in view, not the bars."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter, QPen

MAX_BARS = 1_500  # beyond this many in view, one line per pixel column


class VolumeBars(pg.GraphicsObject):
    def __init__(self, up: str, down: str):
        super().__init__()
        self._up, self._down = pg.mkColor(up), pg.mkColor(down)
        self._x = self._v = np.empty(0)
        self._rising = np.empty(0, dtype=bool)
        self._pyramid: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._bounds = QRectF()

    def set_colors(self, up: str, down: str) -> None:
        self._up, self._down = pg.mkColor(up), pg.mkColor(down)
        self.update()

    def set_data(self, x: np.ndarray, volume: np.ndarray, opens: np.ndarray,
                 closes: np.ndarray) -> None:
        """A bar rises when it closes at or above its open (above the previous close when the
        open is unknown)."""
        keep = np.isfinite(volume) & np.isfinite(x)
        previous = np.concatenate([[np.nan], closes[:-1]])
        reference = np.where(np.isfinite(opens), opens, previous)
        rising = ~(closes < reference)  # NaN compares False: an unknown direction counts as up
        self._x, self._v, self._rising = x[keep], volume[keep], rising[keep]
        self._pyramid = _pyramid(self._x, self._v, np.where(self._rising, 1, -1))
        self.prepareGeometryChange()
        if self._x.size:
            self._bounds = QRectF(float(self._x[0]) - 0.5, 0.0,
                                  float(self._x[-1] - self._x[0]) + 1.0,
                                  float(self._v.max()) or 1.0)
        else:
            self._bounds = QRectF()
        self.update()

    def values(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._x, self._v, self._rising

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, *args: object) -> None:
        view = self.getViewBox()
        if view is None or not self._x.size:
            return
        (x0, x1), _ = view.viewRange()
        lo = max(int(np.searchsorted(self._x, x0)) - 1, 0)
        hi = min(int(np.searchsorted(self._x, x1)) + 1, self._x.size)
        if hi <= lo:
            return
        columns = max(int(view.width()), 1)
        if hi - lo > min(MAX_BARS, columns):
            self._paint_columns(painter, lo, hi, columns)
            return
        xs = self._x[lo:hi]
        width = float(np.median(np.diff(xs))) * 0.4 if xs.size > 1 else 0.4
        painter.setPen(pg.mkPen(None))
        for i in range(lo, hi):
            painter.setBrush(self._up if self._rising[i] else self._down)
            painter.drawRect(QRectF(float(self._x[i]) - width, 0.0, 2 * width, float(self._v[i])))

    def _paint_columns(self, painter: QPainter, lo: int, hi: int, columns: int) -> None:
        level = 0  # the coarsest copy still holding at least two entries a pixel column
        while level + 1 < len(self._pyramid) and (hi - lo) >> (level + 1) >= 2 * columns:
            level += 1
        x, v, sign = self._pyramid[level]
        lo, hi = lo >> level, min((hi >> level) + 1, x.size)
        # Rising column edges, repeats dropped (not np.unique: it loads numpy.ma, 0.1-0.2 s,
        # on the first paint of a chart)
        steps = np.linspace(lo, hi, columns + 1).astype(int)
        edges = steps[np.concatenate(([True], steps[1:] != steps[:-1]))][:-1]
        tallest = np.maximum.reduceat(v[lo:hi], edges - lo)
        rising = np.add.reduceat(sign[lo:hi], edges - lo) >= 0
        for colour, mask in ((self._up, rising), (self._down, ~rising)):
            xs = np.repeat(x[edges[mask]], 2)
            ys = np.column_stack([np.zeros(mask.sum()), tallest[mask]]).ravel()
            painter.setPen(QPen(colour, 0))
            painter.drawPath(pg.arrayToQPath(xs, ys, connect="pairs"))  # built in numpy


def _pyramid(x: np.ndarray, v: np.ndarray, sign: np.ndarray
             ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(x, volume, direction) halved again and again: each entry of a level is the larger
    volume and the summed direction of two entries of the level below."""
    levels = [(x, v, sign.astype(np.int64))]
    while levels[-1][0].size > 2 * MAX_BARS:
        x, v, sign = levels[-1]
        even = x.size - x.size % 2
        pairs = (np.maximum(v[:even:2], v[1:even:2]), sign[:even:2] + sign[1:even:2])
        if even < x.size:  # an odd last entry stands alone
            pairs = (np.append(pairs[0], v[-1]), np.append(pairs[1], sign[-1]))
        levels.append((x[::2], *pairs))
    return levels
