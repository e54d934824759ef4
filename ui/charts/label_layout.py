"""Overlay labels (targets, IPO, alerts, bands, lock-ups) laid out so none covers another.

Each label slides along its own line, nearest its preferred place first, to the first spot
where its box meets no label already placed; one that finds no free spot is hidden (its line
stays, and the details pane still names it). Boxes are worked out in scene pixels from the
view's range, so the layout does not wait for a paint."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF

STEPS = [i * 0.04 for i in range(1, 25)]


def candidates(preferred: float) -> list[float]:
    """Positions along the line, nearest the preferred one first, inside the view."""
    out = [preferred]
    for step in STEPS:
        out += [p for p in (preferred - step, preferred + step) if 0.01 <= p <= 0.99]
    return out


Placed = tuple[pg.InfLineLabel, float, tuple[float, float]]  # label, preferred place, anchor


def placed(label: pg.InfLineLabel) -> Placed:
    """A label as first drawn: where it was put and which way it hangs from its line."""
    return label, label.orthoPos, tuple(label.anchors[0]) if label.anchors else label.anchor


def label_box(label: pg.InfLineLabel, position: float,
              anchor: tuple[float, float]) -> QRectF | None:
    """Where the label would sit at `position` along its line (scene pixels); None when its
    line is out of view."""
    line = label.line
    view = line.getViewBox()
    if view is None:
        return None
    (x0, x1), (y0, y1) = view.viewRange()
    value = line.value()
    horizontal = line.angle % 180 == 0
    if not (y0 <= value <= y1 if horizontal else x0 <= value <= x1):
        return None
    at = (QPointF(x0 + position * (x1 - x0), value) if horizontal
          else QPointF(value, y0 + position * (y1 - y0)))
    point = view.mapViewToScene(at)
    size = label.textItem.boundingRect()
    return QRectF(point.x() - size.width() * anchor[0], point.y() - size.height() * anchor[1],
                  size.width(), size.height())


def spread_labels(labels: Sequence[Placed]) -> None:
    """Lay out `labels` in order (the first ones get their preferred place first). A label on
    a vertical line that fits on neither place on its own side is tried on the other side."""
    taken: list[QRectF] = []
    for label, preferred, anchor in labels:
        view = label.line.getViewBox()
        area = view.sceneBoundingRect() if view is not None else QRectF()
        sides = [anchor]
        if label.line.angle % 180 != 0:
            sides.append((1.0 - anchor[0], anchor[1]))
        spot = _free_spot(label, preferred, sides, area, taken)
        label.setVisible(spot is not None)
        if spot is not None:
            position, side, box = spot
            taken.append(box)
            label.anchors = [side, side]
            label.setPosition(position)


def _free_spot(label: pg.InfLineLabel, preferred: float, sides: list[tuple[float, float]],
               area: QRectF, taken: list[QRectF]
               ) -> tuple[float, tuple[float, float], QRectF] | None:
    for side in sides:
        for position in candidates(preferred):
            box = label_box(label, position, side)
            if box is None:  # its line is out of view
                return None
            if area.contains(box) and not any(box.intersects(other) for other in taken):
                return position, side, box
    return None
