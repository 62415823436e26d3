"""The built site in Chromium (Debian's /usr/bin/chromium, driven by Playwright), as a reader uses it.

With no Chromium the tests fail with one line saying how to get one; they never skip.
Screenshots go to tests/screenshots/ (ignored by git); each test prints where it saved them.
"""

from __future__ import annotations

import functools

from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.site.helpers import screenshot
from tools.vault import note_paths as _note_paths

from tests.site.helpers import VAULT

pytestmark = pytest.mark.timeout(180)

WAIT = 15_000  # ms: generous, the machine is shared


def note_paths():
    return _note_paths(VAULT)


def url_of(note_name: str) -> str:
    return quote(note_name) + "/"


@pytest.fixture(scope="module", autouse=True)
def _parsed_once_per_module():
    """The parsed pages are let go when this module ends (a later full collection would walk them)."""
    yield
    articles.cache_clear()


@functools.cache
def articles(site) -> list:
    """(page path, its article) of every built page: parsed once a run, as parsing is most of the cost."""
    found = []
    for path in sorted(site.rglob("index.html")):
        body = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one("article")
        if body is not None:
            found.append((path.parent.relative_to(site).as_posix(), body))
    return found


def open_page(page, path: str = ""):
    page.goto(page.base + path, wait_until="load")
    page.wait_for_load_state("networkidle")


def sample_note() -> str:
    """A note with code, footer and links to show: the first example note if it is there."""
    names = [n.stem for n in note_paths()]
    for preferred in ("Блокирующие сокеты", "Модуль selectors"):
        if preferred in names:
            return preferred
    return names[0]


def test_home_loads_with_every_note_one_click_away_and_nothing_from_other_hosts(page):
    open_page(page)
    assert page.locator("article h1").first.inner_text().strip()
    assert page.locator("article a[href]").count() > len(note_paths()), "the home page should link every note"
    # The reading order: Material draws mermaid into a closed shadow root of a div that replaces <pre>.
    page.wait_for_function(
        "() => { const m = document.querySelector('article .mermaid');"
        " return m && m.tagName === 'DIV' && m.getBoundingClientRect().height > 40; }",
        timeout=WAIT,
    )
    # Every note is one click away: in the navigation (the hub's order) or in the explorer.
    page.wait_for_selector(".vault-explorer a", state="attached", timeout=WAIT)
    paths = page.locator("nav.md-nav--primary a[href], .vault-explorer a[href]").evaluate_all(
        "links => links.map(a => decodeURIComponent(new URL(a.href).pathname))"
    )
    missing = [
        n.stem for n in note_paths()
        if "/" + n.relative_to(VAULT).with_suffix("").as_posix() + "/" not in paths
    ]
    assert not missing, f"not one click away from the home page: {missing}"
    assert page.errors == [], page.errors
    assert page.foreign == [], page.foreign
    screenshot(page, "home")


def test_a_note_with_its_footer_tags_backlinks_local_graph_and_dark_scheme(page):
    name = sample_note()
    open_page(page, url_of(name))
    assert page.locator("article h1").first.inner_text().strip() == name
    assert page.locator("nav.md-tags a.md-tag").count() > 0
    assert page.locator(".vault-footer__row").count() >= 1
    assert page.locator("#обратные-ссылки").count() == 1
    # Every code block has its copy button (Material adds it at run time).
    blocks = page.locator("article div.highlight pre").count()
    assert blocks and page.locator("article button.md-code__button[data-md-type=copy]").count() == blocks
    page.wait_for_selector(".vault-local-graph__canvas canvas", timeout=WAIT)
    page.wait_for_selector(".vault-local-graph__canvas[data-ready=true]", timeout=WAIT)
    # Mermaid (3.5 MB) is fetched only by a page that draws a diagram.
    assert page.locator("article .mermaid").count() == 0
    assert not [url for url in page.requests if "mermaid.min.js" in url], "a page with no diagram fetched mermaid"
    assert page.errors == [], page.errors
    assert page.foreign == [], page.foreign
    screenshot(page, "note", full_page=True)
    screenshot(page, "note-top")
    # The colour toggle switches to the dark scheme and back (one page load for both checks).
    scheme = lambda: page.locator("body").get_attribute("data-md-color-scheme")  # noqa: E731
    before = scheme()
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== '{before}'", timeout=WAIT)
    assert {before, scheme()} == {"default", "slate"}
    page.wait_for_timeout(500)
    screenshot(page, "note-dark")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{before}'", timeout=WAIT)
    assert page.errors == [], page.errors


def test_a_wikilink_opens_its_note_at_the_heading(page, site):
    link = None
    for path, body in articles(site):
        for a in body.select("a[href]"):
            href = a["href"]
            parts = urlsplit(href)
            if (parts.path and parts.fragment and not parts.scheme and "tags/" not in parts.path
                    and not a.find_parent(class_="vault-embed") and not a.find_parent(class_="md-tags")):
                link = (path, href)
                break
        if link:
            break
    assert link, "no wiki-link to a heading of another note in the vault"
    source, href = link
    open_page(page, quote(source) + "/" if source != "." else "")
    target = urljoin(page.url, href)
    # Material's instant navigation rewrites hrefs to absolute URLs: find the link by its target.
    anchor = page.evaluate_handle(
        "raw => [...document.querySelectorAll('article a')].find(a => a.href === new URL(raw, location.href).href)",
        href,
    ).as_element()
    assert anchor is not None, href
    anchor.click()
    page.wait_for_url(lambda url: url.split("#")[0] == target.split("#")[0], timeout=WAIT)
    fragment = unquote(urlsplit(target).fragment)
    assert unquote(urlsplit(page.url).fragment) == fragment
    heading = page.locator(f'[id="{fragment}"]')
    heading.wait_for(timeout=WAIT)
    page.wait_for_function(
        "id => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.top >= 0 && r.top < innerHeight; }",
        arg=fragment,
        timeout=WAIT,
    )
    assert page.errors == [], page.errors


def test_russian_search_finds_an_inflected_form(page):
    open_page(page)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    search = page.locator("input.md-search__input")
    # Playwright inserts Cyrillic text without key events; Material searches on keyup: press End.
    search.fill("сокетов")
    search.press("End")
    result = page.locator(".md-search-result__item")
    result.first.wait_for(timeout=WAIT)
    titles = page.locator(".md-search-result__item h1").all_inner_texts()
    assert any("сокет" in t.lower() for t in titles), titles
    assert page.errors == [], page.errors


def test_embedded_images_load(page, site):
    pages = [
        path for path, body in articles(site)
        if body.select("img[src*='attachments/']")
    ]
    assert pages, "no note embeds an image from vault/attachments"
    # One page in the browser (each load costs seconds of CPU here); that every image of every
    # page resolves is checked on the built files (test_build.py).
    for path in pages[:1]:
        open_page(page, quote(path) + "/")
        images = page.locator("article img[src*='attachments/']")
        assert images.count() > 0
        for i in range(images.count()):
            images.nth(i).scroll_into_view_if_needed()
            width = images.nth(i).evaluate("img => img.complete ? img.naturalWidth : new Promise("
                                           "r => img.addEventListener('load', () => r(img.naturalWidth)))")
            assert width > 0, f"{path}: {images.nth(i).get_attribute('src')} did not load"
    # A click opens the image in the lightbox.
    page.locator("article a.glightbox img").first.click()
    page.locator(".glightbox-container .gslide-image img").first.wait_for(timeout=WAIT)
    page.keyboard.press("Escape")
    assert page.errors == [], page.errors
