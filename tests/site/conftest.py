"""Fixtures of the site tests: one strict build of the real vault per test process, a small vault
of Obsidian edge cases, a local HTTP server, and Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import http.server
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.site.fixture_results import fixture_results
from tests.site.helpers import CHROMIUM, CHROMIUM_ARGS, NO_BROWSER, Build, mkdocs_build
from tools.checks import results


def built_once(tmp_path_factory, name: str, make) -> Build:
    """`make(site_dir)` once for the whole run: pytest-xdist's workers share the parent of their
    temporary folders, so the first worker to ask builds under a lock and the others read its
    record. Every build costs seconds of CPU, and the suite runs on two cores."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    root = tmp_path_factory.getbasetemp()
    if worker is not None:
        root = root.parent
    record = root / f"{name}.json"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.exists():
            data = json.loads(record.read_text(encoding="utf-8"))
            return Build(Path(data["site"]), data["returncode"], data["log"], data["site_url"])
        build = make(root / name / "site")
        data = dataclasses.asdict(build) | {"site": str(build.site)}
        record.write_text(json.dumps(data), encoding="utf-8")
        return build


@pytest.fixture(scope="session")
def site_build(tmp_path_factory) -> Build:
    """The real vault, built with --strict (and with no test results: every block is "not run")."""
    return built_once(tmp_path_factory, "site", mkdocs_build)


@pytest.fixture(scope="session")
def site(site_build) -> Path:
    """The real vault's site: any warning of its strict build fails every test that needs it."""
    if site_build.returncode != 0:
        pytest.fail("mkdocs build --strict failed:\n" + "\n".join(site_build.warnings() or [site_build.log[-3000:]]))
    return site_build.site


# -- the edge-case vault ---------------------------------------------------------------------------

FIXTURE_VAULT = Path(__file__).parent / "fixture_vault"


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory) -> Build:
    """tests/site/fixture_vault built with our configuration (not strict: it has a missing link).
    Not for the address it is served at: every worker serves it at a port of its own, and a page
    served at another port than its site_url's would get links to that port from Material's instant
    navigation (the hover test builds a site of its own for its port)."""

    def make(site: Path) -> Build:
        vault = site.parent / "vault"
        shutil.copytree(FIXTURE_VAULT, vault)
        checks = site.parent / "checks.json"
        results.write(checks, fixture_results(vault))
        return mkdocs_build(site, vault=vault, strict=False, checks=checks)

    return built_once(tmp_path_factory, "fixture-site", make)


# -- serving and the browser -----------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(directory: Path, port: int = 0):
    """A built site on http://127.0.0.1:<port, or a free one>/ while the block runs."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def served(site):
    with serving(site) as url:
        yield url


def _executable(playwright) -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    try:
        bundled = playwright.chromium.executable_path
    except Exception:  # noqa: BLE001 - no browser of Playwright's own either
        bundled = ""
    if bundled and Path(bundled).exists():
        return bundled
    pytest.fail(NO_BROWSER, pytrace=False)


# Module scope: Playwright's sync API keeps an event loop running in this thread while it is
# open, and asyncio.run() in a later test on the same worker would refuse to start.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = _executable(playwright)
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def _tab(browser, served):
    """One browser tab for a module's tests: a tab's first page costs a new renderer process
    (about a second of CPU here), later pages in it much less."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    tab = context.new_page()
    tab.errors, tab.foreign, tab.requests = [], [], []  # requests: every URL asked for, in order
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))

    def on_request(request):
        url = request.url
        tab.requests.append(url)
        if not url.startswith((served, "data:", "blob:", "about:")):
            tab.foreign.append(url)

    tab.on("request", on_request)
    tab.base = served
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def page(_tab):
    """The module's tab, with no page loaded and nothing recorded yet: console errors, requests to
    other hosts, every request. Each test opens the page it needs."""
    _tab.goto("about:blank")
    _tab.context.clear_cookies()
    _tab.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }")
    del _tab.errors[:], _tab.foreign[:], _tab.requests[:]
    return _tab
