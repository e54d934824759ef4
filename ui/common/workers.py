"""Slow calls (a symbol check with Yahoo, a big import) off the GUI thread, in one counted pool.

Every task of the window runs on `WorkerPool.instance()`: its threads are known, its tasks are
counted, and on quit the tasks not yet started are cancelled and the running ones awaited for a
bounded time. A task's result or exception comes back as a signal of its `Background`, which Qt
queues to the receiver's (GUI) thread. The work must not touch widgets or the window's database
connection.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

from PySide6.QtCore import QObject, Signal

WORKERS = 2


class WorkerPool:
    _instance: WorkerPool | None = None
    _instance_lock = threading.Lock()

    def __init__(self, workers: int = WORKERS):
        self._executor = ThreadPoolExecutor(max_workers=workers,
                                            thread_name_prefix="harbourwatch-worker")
        self._lock = threading.Lock()
        self._tasks: set[Future] = set()

    @classmethod
    def instance(cls) -> WorkerPool:
        """The window's pool, made on first use (after `shutdown`, a new one)."""
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    @property
    def active(self) -> int:
        """Tasks submitted and not finished."""
        with self._lock:
            return len(self._tasks)

    def submit(self, work: Callable[[], object]) -> Future:
        future = self._executor.submit(work)
        with self._lock:
            self._tasks.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._tasks.discard(future)

    def shutdown(self, timeout: float) -> bool:
        """Cancel what has not started, wait up to `timeout` s for what runs; True when every
        task has ended. A task still running afterwards (a hung network call) holds no database
        connection of the window's and is left to its own timeout."""
        with self._lock:
            tasks = set(self._tasks)
        for task in tasks:
            task.cancel()
        _, running = wait(tasks, timeout)
        self._executor.shutdown(wait=False, cancel_futures=True)
        with WorkerPool._instance_lock:
            if WorkerPool._instance is self:
                WorkerPool._instance = None
        return not running

    @classmethod
    def shutdown_instance(cls, timeout: float) -> bool:
        pool = cls._instance
        return True if pool is None else pool.shutdown(timeout)


class Background(QObject):
    """One kind of task of a dialog, with its outcome as signals."""

    finished = Signal(object)  # the call's result
    failed = Signal(object)  # the exception it raised

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.busy = False

    def run(self, work: Callable[[], object]) -> None:
        self.busy = True
        WorkerPool.instance().submit(lambda: self._work(work))

    def _work(self, work: Callable[[], object]) -> None:
        try:
            result = work()
        except Exception as error:  # every failure goes back to the window, in words
            self._deliver(self.failed, error)
        else:
            self._deliver(self.finished, result)

    def _deliver(self, signal: Signal, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # the dialog that asked was closed meanwhile
            self.busy = False
            signal.emit(value)  # type: ignore[attr-defined]
