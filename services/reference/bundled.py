"""Which bundled reference file this build ships, cheaply (no sqlite-utils import)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from services.core.paths import RESOURCES

BUNDLED_FILE = RESOURCES / "reference_data.json"
DIGEST_KEY = "reference_digest"


def file_digest(path: Path = BUNDLED_FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
