"""A pytest plugin that lists the screenshots this run's browser tests saved (they run in workers).

Loaded from the root conftest.py: `pytest_plugins = ["tests.site.screenshots"]`.
"""

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
_START = time.time()


def pytest_terminal_summary(terminalreporter):
    if not SCREENSHOTS.is_dir():
        return
    fresh = sorted(p for p in SCREENSHOTS.glob("*.png") if p.stat().st_mtime >= _START)
    if fresh:
        terminalreporter.write_sep("-", "site screenshots (look at them)")
        for path in fresh:
            terminalreporter.write_line(str(path))
