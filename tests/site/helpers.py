"""Helpers of the site tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import contextlib
import logging
import os
import traceback
import warnings
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
    site_url: str | None = None  # the address the site was built for, when it was built for one

    def warnings(self) -> list[str]:
        return [line for line in self.log.splitlines() if line.startswith(("WARNING", "ERROR"))]


def mkdocs_build(site: Path, vault: Path | None = None, strict: bool = True, site_url: str | None = None,
                 checks: Path | None = None) -> Build:
    """`mkdocs build` of mkdocs.yml into `site`, of the real vault or of another one; with the test
    results in `checks`, or with none (not the checkout's own .cache/checks.json, which a
    developer's last run left: a test build must not depend on it).

    The command runs in this process through click's CliRunner: MkDocs' own command line, with its
    options, log lines and exit status, but without importing MkDocs, Material and the plugins
    again for every build (about 1.5 s of CPU each on this machine). `make build` in .ci/run is
    the command run as a process of its own."""
    from click.testing import CliRunner
    from mkdocs.__main__ import cli

    env = {"NO_MKDOCS_2_WARNING": "1", "CHECKS_FILE": str(checks or site.parent / "no-checks.json")}
    if site_url is not None:
        env["SITE_URL"] = site_url
    if vault is not None:
        env["VAULT_DIR"] = str(vault)
    command = ["build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)] + (["--strict"] if strict else [])
    with _mkdocs_state_restored(), contextlib.chdir(ROOT):
        done = CliRunner().invoke(cli, command, env=env)
    log = done.output  # stdout and stderr as a terminal shows them
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        # What the interpreter would have printed had the command been a process of its own.
        log += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(done.exception)[1:])
    return Build(site, done.exit_code, log, site_url)


@contextlib.contextmanager
def _mkdocs_state_restored():
    """MkDocs' command line sets process-wide state for its one run: a log handler on the `mkdocs`
    logger (bound to the run's captured stderr), its level and propagation, a duplicate filter on
    the build logger, and warnings.showwarning. Put them back, so the next build in this process
    starts as a fresh process would (and pytest's log capture is untouched)."""
    logger, build_logger = logging.getLogger("mkdocs"), logging.getLogger("mkdocs.commands.build")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    filters, showwarning = list(build_logger.filters), warnings.showwarning
    try:
        yield
    finally:
        logger.handlers[:], logger.propagate, build_logger.filters[:] = handlers, propagate, filters
        logger.setLevel(level)
        warnings.showwarning = showwarning


def screenshot(tab, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")
    return path
