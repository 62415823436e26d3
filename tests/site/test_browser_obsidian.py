"""Obsidian's syntax on the built site, in Chromium: what needs the browser to be seen.

The fixture vault's pages (tests/site/fixture_vault) with math, a code annotation, a footnote, a
foldable callout, a comment and a mermaid diagram: each works as in Obsidian's reading view, from the
site's own files only, with no error in the console.
"""

from __future__ import annotations

import contextlib
import shutil
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from tests.site.conftest import FIXTURE_VAULT, free_port, serving
from tests.site.helpers import mkdocs_build, screenshot

pytestmark = pytest.mark.timeout(180)
WAIT = 15_000


@pytest.fixture(scope="module")
def fixture_site(fixture_build):
    """The fixture site at the address it was built for; at another one if that port was taken
    in the meantime (then the hover test builds a site of its own)."""
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(serving(fixture_build.site, urlsplit(fixture_build.site_url).port))
        except OSError:
            url = stack.enter_context(serving(fixture_build.site))
        yield url


@pytest.fixture(scope="module")
def _fixture_tab(browser, fixture_site):
    """One tab for the module (a tab's first page costs a new renderer process)."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="ru-RU")
    page = context.new_page()
    page.errors, page.foreign = [], []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith((fixture_site, "data:", "blob:", "about:"))
            else page.foreign.append(r.url))
    try:
        yield page
    finally:
        context.close()


def visit(page, url: str) -> None:
    """Open `url` in the module's tab, unless it is open already: each load costs more than a second
    of CPU here, and the tests of a page only read it or open what they alone touch."""
    del page.errors[:], page.foreign[:]
    if page.url != url:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")


@pytest.fixture
def tab(_fixture_tab, fixture_site):
    """The note Альфа, loaded, nothing recorded yet."""
    visit(_fixture_tab, fixture_site + quote("Альфа") + "/")
    return _fixture_tab


def test_math_is_typeset_by_the_sites_own_mathjax(tab):
    tab.wait_for_selector("article .arithmatex mjx-container", timeout=WAIT)
    assert tab.locator("article .arithmatex mjx-container").count() == 3  # two inline, one display
    assert tab.locator("article mjx-container[display=true]").count() == 1
    screenshot(tab, "obsidian-math")
    assert not tab.foreign and not tab.errors, (tab.foreign, tab.errors)


def test_code_annotation_footnote_and_callout(tab):
    # Material turns `# (1)!` and the list after the block into an annotation marker.
    tab.wait_for_selector("article .md-annotation", timeout=WAIT)
    assert tab.locator("article .highlight .md-code__button").count() >= 1, "no copy button"
    assert tab.locator("article .footnote li").count() == 1
    tab.locator("article sup.footnote-ref a").click()
    # The footnote is scrolled to. (Not asserted by location.hash: navigation.tracking rewrites the
    # hash to the section in view as the page scrolls, so it races with the click's "#fn1".)
    expect(tab.locator("article .footnote li").first).to_be_in_viewport(timeout=WAIT)
    callout = tab.locator("article details.example")
    assert callout.get_attribute("open") is None
    callout.locator("summary").click()
    assert callout.get_attribute("open") is not None
    assert "Внутри свёрнутого" in callout.inner_text()
    assert "скрытый комментарий" not in tab.locator("article").inner_text()
    assert not tab.foreign and not tab.errors, (tab.foreign, tab.errors)


def test_mermaid_is_drawn(_fixture_tab, fixture_site):
    page = _fixture_tab
    visit(page, fixture_site + quote("Бета") + "/")
    page.wait_for_function(
        "() => { const m = document.querySelector('article .mermaid'); return m && m.tagName !== 'PRE'; }",
        timeout=WAIT,
    )
    assert not page.foreign and not page.errors, (page.foreign, page.errors)


def test_hovering_a_link_to_a_note_shows_its_opening(_fixture_tab, fixture_build, fixture_site, tmp_path):
    """Material's instant previews on our links: they read the sitemap, so the site is built for
    the address it is served at."""
    with contextlib.ExitStack() as stack:
        base = fixture_site
        if base != fixture_build.site_url:  # its port was taken: a build for a free one
            port = free_port()
            shutil.copytree(FIXTURE_VAULT, tmp_path / "vault")
            build = mkdocs_build(tmp_path / "site", tmp_path / "vault", strict=False,
                                 site_url=f"http://127.0.0.1:{port}/")
            assert build.returncode == 0, build.log[-2000:]
            base = stack.enter_context(serving(build.site, port))
        page = _fixture_tab
        visit(page, base + quote("Бета") + "/")
        page.locator("article a.vault-link", has_text="альфа").first.hover()
        preview = page.locator(".md-tooltip2--active")
        preview.wait_for(timeout=WAIT)
        assert "Вводный абзац про альфу" in preview.inner_text()
        assert "скрытый" not in preview.inner_text()
        screenshot(page, "hover-preview")
        page.mouse.move(0, 0)
        preview.wait_for(state="detached", timeout=WAIT)
        # A link to a heading with a Cyrillic id previews that section (the URL's hash is
        # percent-encoded; assets/javascripts/preview.js finds the heading all the same).
        page.locator("article a.vault-link", has_text="второй раздел").first.hover()
        preview.wait_for(timeout=WAIT)
        assert "Второй раздел." in preview.inner_text() and "Вводный абзац" not in preview.inner_text()
        screenshot(page, "hover-preview-heading")
        page.mouse.move(0, 0)


def test_each_python_block_shows_its_state_and_opens_to_the_details(tab):
    badges = tab.locator("article details.vault-check")
    assert badges.count() == 4  # Альфа's four python blocks (tests/site/fixture_results.py)
    passed = tab.locator("article div.highlight[data-check=passed] details.vault-check").first
    passed.scroll_into_view_if_needed()
    assert passed.is_visible()
    summary = passed.locator("summary")
    assert summary.inner_text().startswith("✓ проверено")
    assert not passed.locator("code", has_text="CodeFence#1").is_visible()
    summary.click()
    assert passed.locator("code", has_text="CodeFence#1").is_visible(), "the badge did not open"
    tab.locator("article div.highlight[data-check=failed] details.vault-check summary").click()
    screenshot(tab, "checks-badges")
    tab.goto(tab.url.rsplit("/", 2)[0] + "/checks/", wait_until="load")
    assert tab.locator("article h2 a").all_inner_texts() == ["Альфа", "Гамма"]
    assert tab.locator("article table.vault-checks tbody tr").count() == 6
    screenshot(tab, "checks-page", full_page=True)
    assert not tab.foreign and not tab.errors, (tab.foreign, tab.errors)
