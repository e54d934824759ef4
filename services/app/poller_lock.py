"""One poller per database: the window and `run --headless` hold an OS file lock beside the
database while they poll, so a second one cannot fetch and write everything twice.

The operating system releases the lock when its process ends, however it ends (a SIGKILL or a
crash included): a lock file left behind by a killed process is simply taken by the next one.
The file's text only names the holder for the message a second poller shows. Short commands
(`show`, `export`, `alerts list`, `poll --once`) never take it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)
# Windows locks byte ranges for reading too: lock one far past the holder's text, so the text
# stays readable by the process that is refused.
_WINDOWS_LOCK_OFFSET = 1 << 20


@dataclass(frozen=True)
class Holder:
    pid: int
    kind: str  # "window" or "headless"

    def describe(self) -> str:
        what = "the HarbourWatch window" if self.kind == "window" else "`run --headless`"
        return f"{what} (process {self.pid})"


class AlreadyPollingError(Exception):
    def __init__(self, db_path: Path, holder: Holder | None):
        self.db_path = db_path
        self.holder = holder
        who = holder.describe() if holder else "another HarbourWatch process"
        super().__init__(f"{db_path} is already being polled by {who}")


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class PollerLock:
    def __init__(self, db_path: Path):
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._file: BinaryIO | None = None

    def acquire(self, kind: str) -> Holder | None:
        """Take the lock or raise AlreadyPollingError. Returns the holder named in a lock file whose
        process had ended without releasing it (taken over), else None."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+b")
        if not _try_lock(handle):
            holder = _read_holder(handle)
            handle.close()
            raise AlreadyPollingError(self.db_path, holder)
        previous = _read_holder(handle)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {kind}\n".encode())
        handle.flush()
        self._file = handle
        if previous is not None:
            log.info("took over the poller lock of %s, which had ended without releasing it",
                     previous.describe())
        return previous

    def release(self) -> None:
        """Unlock and empty the file (left in place: deleting it would race a new holder)."""
        if self._file is None:
            return
        handle, self._file = self._file, None
        handle.seek(0)
        handle.truncate()
        handle.flush()
        _unlock(handle)
        handle.close()

    def __enter__(self) -> PollerLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


def _read_holder(handle: BinaryIO) -> Holder | None:
    handle.seek(0)
    parts = handle.read(200).decode(errors="replace").split()
    if len(parts) == 2 and parts[0].isdigit():
        return Holder(int(parts[0]), parts[1])
    return None


if os.name == "nt":
    import msvcrt

    def _try_lock(handle: BinaryIO) -> bool:
        handle.seek(_WINDOWS_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: BinaryIO) -> None:
        handle.seek(_WINDOWS_LOCK_OFFSET)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: BinaryIO) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: BinaryIO) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
