"""Default locations, relative to the checkout the package is installed from (editable install)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RAW_DIR = Path("raw")
DEFAULT_NORMALIZED_DIR = Path("normalized")
SCHEMAS_DIR = PROJECT_ROOT / "schemas"
