"""The real vault built with `mkdocs build --strict` into a temporary folder, and its HTML checked."""

from __future__ import annotations

import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tools.site import audit
from tools.vault import code_blocks
from tools.vault import note_paths as _note_paths

from tests.site.helpers import VAULT

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[2]


def note_paths():
    return _note_paths(VAULT)


def site_url_host() -> str:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    match = re.search(r'site_url:.*"(https?://[^"]+)"', text)
    return urlsplit(match[1]).netloc


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def note_page(site: Path, note: Path) -> Path:
    return site / note.relative_to(VAULT).with_suffix("") / "index.html"


@pytest.fixture(scope="module", autouse=True)
def _parsed_once_per_module():
    """The parsed pages are kept while this module runs, then let go: hundreds of thousands of
    objects that every later full collection of this worker would walk."""
    yield
    article.cache_clear()
    refs_of.cache_clear()


@cache
def article(site: Path, page: Path):
    """The page's <article>, parsed alone: the rest of every page is the theme's, and parsing whole
    pages was most of these tests' CPU (audit.read_article cuts the article out first)."""
    return audit.read_article(page)


def test_every_note_has_a_page(site):
    notes = note_paths()
    assert notes, "the vault has no notes"
    missing = [n.name for n in notes if not note_page(site, n).is_file()]
    assert not missing, f"notes without a page: {missing}"


def test_site_only_pages_are_generated_not_stored(site):
    for name, built in [("index.md", "index.html"), ("tags.md", "tags/index.html"), ("graph.md", "graph/index.html")]:
        assert (site / built).is_file(), f"{built} was not generated"
        assert not (VAULT / name).exists(), f"vault/{name} should be generated at build time, not stored"
    assert json.loads((site / "graph.json").read_text(encoding="utf-8"))["nodes"]
    assert not (site / "templates").exists(), "the note template must not be published"


def test_every_note_page_reads_as_obsidian_shows_it(site):
    """The site audit (tools/site/audit.py, which asks the vault model what the text a page shows
    would be in a note) finds no raw wiki-link, list shown as text, block id, comment, raw math or
    callout left a quote on any page of the real vault, and no dead link or broken image."""
    found = [problem.line(url) for url, problem in audit.audit_site(site, VAULT, read=lambda page: article(site, page))]
    assert not found, "pages that do not read as Obsidian shows the note:\n" + "\n".join(found)


class _Refs(HTMLParser):
    """What a page refers to — (tag, attribute, value) of every href, src and data-src — its
    <style> texts and its ids (and <a name>s), in one pass of the stdlib's tokenizer: a
    BeautifulSoup tree of every whole page cost these tests seconds of CPU each."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self.ids: set[str] = set()
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src", "data-src"):
                self.refs.append((tag, name, value))
            elif name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


@cache
def refs_of(page: Path) -> _Refs:
    parsed = _Refs()
    parsed.feed(page.read_text(encoding="utf-8"))
    parsed.close()
    return parsed


LINKING = {"a", "img", "script", "link", "iframe", "source", "video", "audio"}
LOADING = {"script", "link", "img", "iframe", "source", "video", "audio", "embed"}


def _local_targets(site: Path, page: Path):
    """(attribute value, file it names, fragment) for every local href/src of the page."""
    url = "/" + page.relative_to(site).as_posix()
    for tag, attribute, value in refs_of(page).refs:
        if tag not in LINKING or attribute == "data-src":
            continue
        if not value or value.startswith(("data:", "mailto:", "javascript:", "blob:")):
            continue
        parts = urlsplit(value)
        if parts.scheme or parts.netloc:
            continue
        if not parts.path:
            yield value, page, unquote(parts.fragment)
            continue
        target = site / unquote(urljoin(url, parts.path)).lstrip("/")
        if target.is_dir() or value.endswith("/"):
            target = target / "index.html"
        yield value, target, unquote(parts.fragment)


def test_every_local_href_and_src_resolves(site):
    broken = []
    for page in pages(site):
        for value, target, fragment in _local_targets(site, page):
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {value} (no {target.relative_to(site)})")
            elif fragment and target.suffix == ".html" and not fragment.startswith("__"):
                if fragment not in refs_of(target).ids:
                    broken.append(f"{page.relative_to(site)}: {value} (no #{fragment} there)")
    assert not broken, "links that lead nowhere:\n" + "\n".join(broken)


def test_nothing_is_loaded_from_other_hosts(site):
    own = site_url_host()
    foreign = []
    for page in pages(site):
        for tag, attribute, value in refs_of(page).refs:
            host = urlsplit(value).netloc if tag in LOADING else ""
            if host and host != own:
                foreign.append(f"{page.relative_to(site)}: <{tag} {attribute}={value}>")
        for style in refs_of(page).styles:
            for url in re.findall(r"url\(['\"]?(https?://[^'\")]+)", style):
                foreign.append(f"{page.relative_to(site)}: style url({url})")
    for css in site.rglob("*.css"):
        for url in re.findall(r"@import\s+url\(['\"]?(https?://[^'\")]+)", css.read_text(encoding="utf-8")):
            foreign.append(f"{css.relative_to(site)}: @import {url}")
    assert not foreign, "the site loads from other hosts:\n" + "\n".join(sorted(set(foreign)))


def test_every_python_block_is_highlighted_with_its_title(site):
    problems = []
    for note in note_paths():
        blocks = [b for b in code_blocks(note) if b.is_python]
        if not blocks:
            continue
        body = article(site, note_page(site, note))
        rendered = body.select("div.language-python.highlight")
        # Blocks transcluded from other notes come on top of the note's own.
        if len(rendered) < len(blocks):
            problems.append(f"{note.name}: {len(blocks)} python blocks, {len(rendered)} highlighted")
        for div in rendered:
            if not div.select("code span[class]"):
                problems.append(f"{note.name}: a python block has no highlighting")
        titles = [span.get_text() for span in body.select("div.language-python .filename")]
        for block in blocks:
            if block.title and block.title not in titles:
                problems.append(f"{note.name}:{block.line}: title {block.title} not shown")
        for p in body.select("p"):
            if "```" in p.get_text():
                problems.append(f"{note.name}: a fence became paragraph text: {p.get_text()[:80]}")
        for title in titles:
            if any(token in title for token in ("continuation", "notest", "fixture:")):
                problems.append(f"{note.name}: a test token shows in the title {title!r}")
    assert not problems, "\n".join(problems)


def test_search_index_has_the_russian_notes(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "ru" in index["config"]["lang"], index["config"]
    pages = {unquote(doc["location"]).split("#")[0] for doc in index["docs"]}
    text = " ".join(doc["text"] for doc in index["docs"])
    missing = [n.stem for n in note_paths() if n.relative_to(VAULT).with_suffix("").as_posix() + "/" not in pages]
    assert not missing, f"notes missing from the search index: {missing}"
    assert re.search(r"[а-яё]{5,}", text), "the search index has no Russian text"


def test_notes_carry_their_tags_footer_backlinks_and_local_graph(site):
    ids = {node["id"] for node in json.loads((site / "graph.json").read_text(encoding="utf-8"))["nodes"]}
    problems = []
    for note in note_paths():
        body = article(site, note_page(site, note))
        if "\n___\n" in note.read_text(encoding="utf-8") and body.select_one(".vault-footer__row") is None:
            problems.append(f"{note.name}: the footer was not rendered")
        if body.select_one(".vault-footer__row--tags") and not body.select("nav.md-tags a.md-tag"):
            problems.append(f"{note.name}: no tag chips")
        if body.find(id="обратные-ссылки") is None:
            problems.append(f"{note.name}: no backlinks section")
        graph = body.select_one(".vault-local-graph[data-id]")
        if graph is None or graph["data-id"] not in ids:
            problems.append(f"{note.name}: no local graph data")
    assert not problems, "\n".join(problems)


def test_site_url_is_set():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_url: .*https?://", config, re.M)


def test_notebooks_are_pages_with_their_cells(site):
    notebooks = sorted(VAULT.rglob("*.ipynb"))
    assert notebooks, "the vault has no notebook: mkdocs-jupyter renders at least one"
    for notebook in notebooks:
        page = site / notebook.relative_to(VAULT).with_suffix("") / "index.html"
        assert page.is_file(), f"{notebook.name} has no page"
        body = article(site, page)
        assert body.select(".jupyter-wrapper .jp-Cell"), f"{notebook.name}: no cells rendered"
        assert not (notebook.parent / (notebook.stem + ".py")).exists(), "no .py files in vault/"
