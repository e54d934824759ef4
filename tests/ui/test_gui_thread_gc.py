"""Qt objects in garbage cycles die on the GUI thread, however busy the worker threads are.

The segmentation fault this guards against: a poll's fetch thread, allocating, ran Python's
collector, which freed a closed chart's pyqtgraph menu (a QMenu) on that thread; the GUI
thread's event loop later sent that menu's timer event to freed memory.
"""

from __future__ import annotations

import gc
import threading
import weakref

import pyqtgraph as pg

from ui.app import application
from ui.common.gui_thread_gc import GuiThreadCollector, collect_on_gui_thread


def test_a_removed_chart_line_is_freed_on_the_gui_thread_while_a_worker_allocates(qtbot) -> None:
    app = application()  # what the window's start does
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    gc.collect()  # from here the young generation holds only what this test makes
    line = pg.InfiniteLine(pos=1.0, angle=0, label="target {value}")  # label and line: a cycle
    widget.addItem(line)
    widget.removeItem(line)  # as a redraw removes the old targets: only Python holds it now
    freed_on: list[threading.Thread] = []
    ref = weakref.ref(line, lambda _: freed_on.append(threading.current_thread()))
    del line
    assert ref() is not None and not freed_on  # a cycle: only a collection frees it
    fetched: list[list] = []

    def allocate() -> None:  # a poll's answers: many times threshold 0 of new objects, kept
        fetched.extend([] for _ in range(200 * gc.get_threshold()[0]))

    worker = threading.Thread(target=allocate, name="allocating-worker")
    worker.start()
    worker.join()
    assert not freed_on, f"freed on {freed_on[0].name}, not on the GUI thread"
    qtbot.waitUntil(lambda: bool(freed_on))  # the GUI thread's timer collects it
    assert freed_on == [threading.main_thread()]
    assert collect_on_gui_thread(app) is app.findChild(GuiThreadCollector)  # one collector


def test_the_collector_collects_the_oldest_generation_that_is_due(qtbot) -> None:
    collector = collect_on_gui_thread(application())
    gc.collect()
    assert collector.collect_due() is None  # nothing allocated since
    kept = [[] for _ in range(2 * gc.get_threshold()[0])]
    assert collector.collect_due() == 0
    assert gc.get_count()[1] == 1  # one collection of generation 0, as Python counts them
    for _ in range(gc.get_threshold()[1]):
        kept += [[] for _ in range(2 * gc.get_threshold()[0])]
        assert collector.collect_due() == 0
    kept += [[] for _ in range(2 * gc.get_threshold()[0])]
    assert collector.collect_due() == 1
    assert gc.get_count()[2] == 1
