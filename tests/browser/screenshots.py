"""Full-page screenshots of a journey's pages at the two widths the pages are made for.

They go to ``$SCREENSHOT_DIR`` (default ``var/screenshots`` in the checkout, which git ignores),
one PNG a page and width: ``<journey>-<step>-1280.png`` and ``-375.png``. CI prints the folder
at the end of its run; people look at them, tests assert nothing about them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = (1280, 375)


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "var" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_screenshots(page: Any, name: str) -> list[Path]:
    """The page as it is now, at 1280 and 375 px wide (the viewport is put back after)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    before = page.viewport_size or {"width": 1280, "height": 800}
    saved = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": before["height"]})
        path = screenshot_dir() / f"{slug}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    page.set_viewport_size(before)
    return saved
