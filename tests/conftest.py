from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RAW = PROJECT_ROOT / "raw"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW
