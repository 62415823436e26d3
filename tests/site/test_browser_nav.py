"""The site in Chromium, part two: the ways from page to page — tag chips, the graph, previous
and next along the hub's reading order — and a notebook page. (Two files, so that the two test
workers share the browser tests.)"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup, SoupStrainer

from tests.site.helpers import VAULT, screenshot
from tests.site.test_browser import WAIT, note_paths, open_page, sample_note, url_of

pytestmark = pytest.mark.timeout(180)


def test_a_tag_chip_opens_the_tag_page_listing_the_note(page):
    name = sample_note()
    open_page(page, url_of(name))
    chip = page.locator("nav.md-tags a.md-tag").first
    tag = chip.inner_text().strip()
    chip.click()
    page.wait_for_url(re.compile(r"/tags/"), timeout=WAIT)
    fragment = unquote(urlsplit(page.url).fragment)
    assert fragment.startswith("tag:")
    section = page.locator(f'[id="{fragment}"]')
    section.wait_for(timeout=WAIT)
    listed = section.locator("xpath=following-sibling::ul[1]//a").all_inner_texts()
    assert name in [t.strip() for t in listed], (tag, listed)
    assert page.errors == [], page.errors


def test_the_graph_draws_the_notes_and_a_click_opens_one(page):
    open_page(page, "graph/")
    graph = page.locator(".vault-graph--global")
    page.wait_for_selector(".vault-graph--global[data-ready=true]", timeout=30_000)
    info = graph.evaluate(
        """el => {
            const g = el.__graph, box = el.getBoundingClientRect();
            const nodes = g.graphData().nodes;
            const n = nodes.reduce((a, b) => (b.degree > a.degree ? b : a));
            const p = g.graph2ScreenCoords(n.x, n.y);
            const ctx = el.querySelector('canvas').getContext('2d');
            const dpr = window.devicePixelRatio || 1;
            const pixel = ctx.getImageData(Math.round(p.x * dpr), Math.round(p.y * dpr), 1, 1).data;
            return {count: nodes.length, x: box.left + p.x, y: box.top + p.y, url: n.url,
                    title: n.title, alpha: pixel[3]};
        }"""
    )
    assert info["count"] == len(note_paths())
    assert info["alpha"] > 0, "nothing drawn where the node is"
    screenshot(page, "graph")
    page.mouse.move(info["x"], info["y"])
    page.wait_for_timeout(400)  # force-graph picks the hovered node on its next frame
    page.mouse.click(info["x"], info["y"])
    expected = urljoin(page.base, info["url"])
    page.wait_for_url(lambda url: url.split("#")[0] == expected, timeout=WAIT)
    assert page.locator("article h1").first.inner_text().strip() == info["title"]
    assert page.errors == [], page.errors
    assert page.foreign == [], page.foreign


def test_previous_and_next_follow_the_hubs_reading_order(page, site):
    """From the hub, "next" walks the hub's lists in order to the last note (read from the built
    pages), and in the browser a click on "next" and on "previous" goes one step each way."""
    from tools.vault import Vault

    vault = Vault.load(VAULT)
    hub = vault.notes["asyncio Python.md"]
    order = [hub.rel] + [note.rel for _, notes in vault.reading_order(hub) for note in notes]
    seen, path = [], site / hub.title
    while path is not None and len(seen) <= len(order):
        body = BeautifulSoup((path / "index.html").read_text(encoding="utf-8"), "html.parser",
                             parse_only=SoupStrainer("a"))  # only the links: the rest is not looked at
        seen.append(unquote(path.relative_to(site).as_posix()) + ".md")
        following = body.select_one("a.md-footer__link--next")
        path = (path / unquote(following["href"])).resolve() if following else None
    assert seen == order

    open_page(page, url_of(hub.title))
    page.locator("a.md-footer__link--next").click()
    page.wait_for_url("**/" + url_of(vault.notes[order[1]].title), timeout=WAIT)
    page.locator("a.md-footer__link--prev").click()
    page.wait_for_url("**/" + url_of(hub.title), timeout=WAIT)
    assert not page.errors, page.errors


def test_a_notebook_page_renders_offline(page):
    notebooks = sorted(VAULT.rglob("*.ipynb"))
    assert notebooks, "the vault has no notebook"
    open_page(page, quote(notebooks[0].relative_to(VAULT).with_suffix("").as_posix()) + "/")
    assert page.locator(".jupyter-wrapper .jp-Cell").count() > 0
    assert page.errors == [], page.errors
    assert page.foreign == [], page.foreign
    screenshot(page, "notebook")
