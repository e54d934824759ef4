"""The settings file as `run --headless` reads it, without Qt."""

from __future__ import annotations

from pathlib import Path

from services.app.preferences import Preferences, read_preferences


def test_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    assert read_preferences(tmp_path / "none.ini") == Preferences()


def test_quoted_and_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text('[prefs]\nwebhook_url="https://h.example.com/a,b?x=%20"\n'
                    "poll_interval_s=5\nnotify_seconds=30\nnotify_urgency=loud\nsound=false\n",
                    encoding="utf-8")
    prefs = read_preferences(path)
    assert prefs.webhook_url == "https://h.example.com/a,b?x=%20"
    assert prefs.poll_interval_s == 60  # below the minimum: the default, not a flood of polls
    assert prefs.notify_seconds == 30 and prefs.expire_ms == 30_000
    assert prefs.notify_urgency == "normal" and prefs.sound is False


def test_a_stored_non_http_webhook_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text("[prefs]\nwebhook_url=file:///etc/passwd\n", encoding="utf-8")
    assert read_preferences(path).webhook_url == ""
