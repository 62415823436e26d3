"""Helpers of the site tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
# The vault the site tests build: the real one, or VAULT_DIR (as mkdocs.yml reads it).
VAULT = Path(os.environ.get("VAULT_DIR") or ROOT / "vault").resolve()
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
NO_BROWSER = (
    "no Chromium for the browser tests: `apt-get install chromium` (Debian) "
    "or `.venv/bin/playwright install chromium`"
)


@dataclass
class Build:
    site: Path
    returncode: int
    log: str

    def warnings(self) -> list[str]:
        return [line for line in self.log.splitlines() if line.startswith(("WARNING", "ERROR"))]


def mkdocs_build(site: Path, vault: Path | None = None, strict: bool = True, site_url: str | None = None,
                 checks: Path | None = None) -> Build:
    """`mkdocs build` of mkdocs.yml into `site`, of the real vault or of another one; with the test
    results in `checks`, or with none (not the checkout's own .cache/checks.json, which a
    developer's last run left: a test build must not depend on it)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", CHECKS_FILE=str(checks or site.parent / "no-checks.json"))
    if site_url is not None:
        env["SITE_URL"] = site_url
    if vault is not None:
        env["VAULT_DIR"] = str(vault)
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)]
    if strict:
        command.insert(4, "--strict")
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return Build(site, done.returncode, done.stdout + done.stderr)


def screenshot(tab, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")
    return path
