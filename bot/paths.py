"""Where the project lives on disk (migrations, seed data and lessons are found from here)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
