"""Obsidian's syntax on the built site, in Chromium: what needs the browser to be seen.

The fixture vault's pages (tests/site/fixture_vault) with math, a code annotation, a footnote, a
foldable callout, a comment and a mermaid diagram: each works as in Obsidian's reading view, from the
site's own files only, with no error in the console.
"""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest

from tests.site.conftest import FIXTURE_VAULT, serving
from tests.site.helpers import mkdocs_build, screenshot

pytestmark = pytest.mark.timeout(180)
WAIT = 15_000


@pytest.fixture(scope="module")
def fixture_site(fixture_build):
    with serving(fixture_build.site) as url:
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
    # The click goes to the footnote: the address says #fn1 and the footnote comes into view. Both
    # are watched frame by frame from before the click, since neither need last: navigation.tracking
    # rewrites the hash to the section in view as the page scrolls, typesetting above may move the
    # footnote, and Material's instant navigation may render the page anew (so it is found anew).
    tab.evaluate("""() => { window.footnote = {hash: false, seen: false};
        const watch = () => {
            const li = document.querySelector('article .footnote li'), box = li && li.getBoundingClientRect();
            if (location.hash === '#fn1') window.footnote.hash = true;
            if (box && box.bottom > 0 && box.top < innerHeight) window.footnote.seen = true;
            if (!(window.footnote.hash && window.footnote.seen)) requestAnimationFrame(watch);
        };
        requestAnimationFrame(watch); }""")
    tab.locator("article sup.footnote-ref a").click()
    tab.wait_for_function("() => window.footnote.hash && window.footnote.seen", timeout=WAIT)
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


def test_hovering_a_link_to_a_note_shows_its_opening(_fixture_tab, tmp_path):
    """Material's instant previews on our links: they read the sitemap, so the site is built for
    the address it is served at (the port is bound first, the site built for it, then served)."""
    with serving(tmp_path / "site") as base:
        shutil.copytree(FIXTURE_VAULT, tmp_path / "vault")
        build = mkdocs_build(tmp_path / "site", tmp_path / "vault", strict=False, site_url=base)
        assert build.returncode == 0, build.log[-2000:]
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
