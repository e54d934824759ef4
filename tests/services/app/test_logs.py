"""The log file: where it is, that it rotates, and that it falls back when it cannot be written."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.app.logs import configure_logging, log_path
from services.core.paths import AppPaths


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_messages_reach_the_file_at_the_chosen_level(isolated_home: AppPaths,
                                                      restore_logging: None) -> None:
    path = configure_logging(isolated_home, "WARNING")
    assert path == log_path(isolated_home) and path.parent.is_relative_to(isolated_home.data_dir)
    logging.getLogger("services.test").info("quiet detail")
    logging.getLogger("services.test").warning("loud problem")
    configure_logging(isolated_home, "DEBUG")  # configuring again replaces, never doubles
    logging.getLogger("services.test").debug("now detail too")
    text = path.read_text(encoding="utf-8")
    assert "loud problem" in text and "quiet detail" not in text
    assert text.count("loud problem") == 1 and "now detail too" in text


def test_an_unwritable_data_directory_falls_back_to_stderr(tmp_path: Path,
                                                           restore_logging: None) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    paths = AppPaths(blocker / "data", blocker / "cache", blocker / "config")
    assert configure_logging(paths) is None
