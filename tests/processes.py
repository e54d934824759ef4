"""A whole HarbourWatch program run as a child process, its output read line by line without
blocking the test: wait for a line, send it a signal, and always end it."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Program:
    def __init__(self, command: Sequence[str], env: dict[str, str], cwd: Path = ROOT):
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(list(command), cwd=cwd, env=env, text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read, name="program-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)  # the output ended

    def wait_line(self, wanted: Callable[[str], bool], timeout: float = 60.0) -> str:
        """The first line from now on that `wanted` accepts; fails with the output so far."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self._queue.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise AssertionError(f"no such line within {timeout} s; output: {self.lines}"
                                     ) from None
            if line is None:
                self._queue.put(None)
                raise AssertionError(f"the program ended (exit {self.process.wait()}); output: "
                                     f"{self.lines}; stderr: {self.stderr()}")
            self.lines.append(line)
            if wanted(line):
                return line

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (a logout, `kill`), then its exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        self.process.kill()
        self.wait()

    def wait(self, timeout: float = 30.0) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def stderr(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        return self.process.stderr.read()

    def end(self) -> None:
        """For `finally`: whatever happened, no child outlives the test."""
        if self.process.poll() is None:
            self.kill()
        else:
            self._reader.join(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
