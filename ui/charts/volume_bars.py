"""Volume as bars coloured by the bar's direction, drawing only what is in view.

With more bars in view than pixels to show them, each pixel column gets one bar (the largest
volume in it), so a long history pans as fast as the price line."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QPainter, QPen

MAX_BARS = 1_500  # beyond this many in view, one line per pixel column


class VolumeBars(pg.GraphicsObject):
    def __init__(self, up: str, down: str):
        super().__init__()
        self._up, self._down = pg.mkColor(up), pg.mkColor(down)
        self._x = self._v = np.empty(0)
        self._rising = np.empty(0, dtype=bool)
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
        edges = np.unique(np.linspace(lo, hi, columns + 1).astype(int))[:-1]
        tallest = np.maximum.reduceat(self._v[lo:hi], edges - lo)
        rising = np.add.reduceat(np.where(self._rising[lo:hi], 1, -1), edges - lo) >= 0
        for colour, mask in ((self._up, rising), (self._down, ~rising)):
            painter.setPen(QPen(colour, 0))
            painter.drawLines([QLineF(float(self._x[i]), 0.0, float(self._x[i]), float(v))
                               for i, v in zip(edges[mask], tallest[mask], strict=True)])
