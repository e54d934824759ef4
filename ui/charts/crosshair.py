"""A crosshair over stacked plots: a vertical line through all of them at the bar under the
mouse, a horizontal line in the plot under it, the price and the time labelled on the axes;
gone as soon as the mouse leaves the chart."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF
from PySide6.QtGui import QColor

from ui.charts.theme import ChartTheme, with_alpha


class Crosshair(QObject):
    def __init__(self, graphics: pg.GraphicsLayoutWidget, plots: Sequence[pg.PlotItem],
                 price_text: Callable[[pg.PlotItem, float], str]):
        super().__init__(graphics)
        self._plots = list(plots)
        self._price_text = price_text
        self.vertical = [pg.InfiniteLine(angle=90, movable=False) for _ in self._plots]
        self.horizontal = pg.InfiniteLine(angle=0, movable=False)
        self.price_label = pg.TextItem(anchor=(0, 0.5))
        self.time_label = pg.TextItem(anchor=(0.5, 1))
        for plot, line in zip(self._plots, self.vertical, strict=True):
            plot.addItem(line, ignoreBounds=True)
        for item in (self.price_label, self.time_label):
            item.setZValue(1000)
        self._plot: pg.PlotItem | None = None
        graphics.installEventFilter(self)
        self.hide()

    def apply_theme(self, t: ChartTheme) -> None:
        pen = pg.mkPen(with_alpha(t.foreground, 110), width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
        for line in (*self.vertical, self.horizontal):
            line.setPen(pen)
        for label in (self.price_label, self.time_label):
            label.fill = pg.mkBrush(QColor(t.foreground))
            label.setColor(t.background)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:
            self.hide()
        return False

    def hide(self) -> None:
        for item in (*self.vertical, self.horizontal, self.price_label, self.time_label):
            item.setVisible(False)

    def visible(self) -> bool:
        return self.vertical[0].isVisible()

    def show_at(self, scene_pos: QPointF, x: float | None, time_text: str) -> None:
        """At the mouse (scene coordinates), the vertical line snapped to bar `x`."""
        plot = next((p for p in self._plots if p.sceneBoundingRect().contains(scene_pos)), None)
        if plot is None or x is None:
            self.hide()
            return
        if plot is not self._plot:  # the horizontal line and price label follow the plot
            for item in (self.horizontal, self.price_label):
                if self._plot is not None:
                    self._plot.removeItem(item)
                plot.addItem(item, ignoreBounds=True)
            self._plot = plot
        y = plot.getViewBox().mapSceneToView(scene_pos).y()
        (x0, _), _ = plot.viewRange()
        self.horizontal.setPos(y)
        self.price_label.setText(self._price_text(plot, y))
        self.price_label.setPos(x0, y)
        bottom = self._plots[-1]
        if self.time_label.parentItem() is None:
            bottom.addItem(self.time_label, ignoreBounds=True)
        _, (y0, _) = bottom.viewRange()
        self.time_label.setText(time_text)
        self.time_label.setPos(x, y0)
        for line in self.vertical:
            line.setPos(x)
        for item in (*self.vertical, self.horizontal, self.price_label, self.time_label):
            item.setVisible(True)
