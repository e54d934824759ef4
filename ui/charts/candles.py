"""Candlesticks that draw only what is in view, so a long history stays interactive."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPen

MAX_VISIBLE = 1_500  # beyond this the chart shows the line instead


class CandlestickItem(pg.GraphicsObject):
    def __init__(self, up: str, down: str):
        super().__init__()
        self._up, self._down = pg.mkColor(up), pg.mkColor(down)
        self._x = self._o = self._h = self._l = self._c = np.empty(0)
        self._bounds = QRectF()

    def set_colors(self, up: str, down: str) -> None:
        self._up, self._down = pg.mkColor(up), pg.mkColor(down)
        self.update()

    def set_data(self, x: np.ndarray, o: np.ndarray, h: np.ndarray, low: np.ndarray,
                 c: np.ndarray) -> None:
        keep = ~(np.isnan(o) | np.isnan(h) | np.isnan(low) | np.isnan(c))
        self._x, self._o, self._h, self._l, self._c = x[keep], o[keep], h[keep], low[keep], c[keep]
        self.prepareGeometryChange()
        if self._x.size:
            self._bounds = QRectF(self._x[0], float(self._l.min()), float(self._x[-1] - self._x[0]),
                                  float(self._h.max() - self._l.min()))
        else:
            self._bounds = QRectF()
        self.update()

    def visible_count(self, x0: float, x1: float) -> int:
        return int(np.searchsorted(self._x, x1) - np.searchsorted(self._x, x0))

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, *args: object) -> None:
        view = self.getViewBox()
        if view is None or not self._x.size:
            return
        (x0, x1), _ = view.viewRange()
        lo, hi = np.searchsorted(self._x, x0), np.searchsorted(self._x, x1)
        if hi - lo > MAX_VISIBLE or hi <= lo:
            return
        xs = self._x[max(lo - 1, 0) : hi + 1]
        width = float(np.median(np.diff(xs))) * 0.35 if xs.size > 1 else 60.0 * 0.35
        for i in range(max(lo - 1, 0), min(hi + 1, self._x.size)):
            color = self._up if self._c[i] >= self._o[i] else self._down
            painter.setPen(QPen(color, 0))
            painter.setBrush(color)
            x = float(self._x[i])
            painter.drawLine(QPointF(x, float(self._l[i])), QPointF(x, float(self._h[i])))
            top, bottom = max(self._o[i], self._c[i]), min(self._o[i], self._c[i])
            painter.drawRect(QRectF(x - width, float(bottom), 2 * width,
                                    max(float(top - bottom), 1e-9)))
