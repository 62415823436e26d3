"""MkDocs glue for the vault: read it into the model once, render each note, add the site's pages.

The model is tools/vault (the one parse, Obsidian's link rules, the problems the vault check also
reports); the HTML comes from tools/site/render.py. MkDocs' Python-Markdown renders only the pages
that are not notes (tags, graph); this module hands MkDocs the rest, with their tables of contents,
and sets the navigation from the hub's reading order.
"""

from __future__ import annotations

import gc
import html
import json
import re
import sys
from pathlib import Path, PurePath

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # MkDocs loads hooks by path; tools.* lives at the project root
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import Abort  # noqa: E402
from mkdocs.plugins import CombinedEvent, event_priority, get_plugin_logger  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402
from markdown.extensions.toc import slugify_unicode  # noqa: E402
from mkdocs.structure.nav import Section  # noqa: E402
from mkdocs.structure.toc import get_toc  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402

from tools.vault.note import unique_id  # noqa: E402

from tools.checks.results import TEST_COMMAND, Results  # noqa: E402
from tools.site import checks, pages  # noqa: E402
from tools.site.render import nest, relative_url, render_note  # noqa: E402
from tools.vault import Note, Vault, VaultError, read_note  # noqa: E402

log = get_plugin_logger("vault")

GRAPH_DATA = "graph.json"
EXPLORER_DATA = "explorer.json"  # every note by folder, for assets/javascripts/explorer.js
BACKLINKS_TITLE = "Обратные ссылки"

_state: dict = {}
_ABSENT = object()


def on_files(files: Files, config) -> Files:
    """Read the vault into the model once, report its problems, add the site-only pages."""
    # Reading the vault makes millions of objects and no garbage (no cycles): a collection while
    # they pile up would only walk them, again and again as the heap grows (9.5 s of CPU in 16
    # full collections at 10,000 notes). So none runs until the model is built and frozen.
    enabled = gc.isenabled()  # a caller's own choice (a test run in-process) is left as it was
    gc.disable()
    try:
        return _read_vault(files, config)
    finally:
        if enabled:
            gc.enable()


def _read_vault(files: Files, config) -> Files:
    docs = Path(config.docs_dir)
    notes, others = {}, []
    for file in files:
        if file.inclusion.is_excluded():
            continue
        if file.src_uri.endswith(".md") and file.abs_src_path:
            try:
                notes[file.src_uri] = file.content_string
            except UnicodeDecodeError:
                # MkDocs would stop with a traceback; say which line of which note, as the vault check does.
                try:
                    read_note(Path(file.abs_src_path))
                except VaultError as err:
                    raise Abort(str(err)) from None
                raise
        elif file.abs_src_path and Path(file.abs_src_path).is_relative_to(docs):
            others.append(file.src_uri)
    vault = Vault(docs, notes, others, keep_tokens=False)  # a note's tokens come back when it is rendered
    # The vault check reports the same problems in the same words (tools/vault/vault.py).
    for problem in vault.problems():
        log.warning(str(problem))
    notebooks = [PurePath(uri).name for uri in others if uri.endswith(".ipynb")]
    results = Results.load()
    if not results.present:
        log.info(f"no test results in {results.path}: every block shows 'not run'; `{TEST_COMMAND}` records them")
    proof = checks.home_line(vault, results, "checks/")
    generated = {
        pages.HOME: lambda: pages.home(vault, config.site_name, config.extra.get("hub", ""), notebooks, proof),
        pages.TAGS: pages.tags,
        pages.GRAPH: pages.graph,
        pages.CHECKS: pages.checks,
    }
    added = set()
    for src_uri, make in generated.items():
        if files.get_file_from_path(src_uri) is None:
            files.append(File.generated(config, src_uri, content=make()))
            added.add(src_uri)
    urls = {uri: files.get_file_from_path(uri).url for uri in [*vault.notes, *others]
            if files.get_file_from_path(uri) is not None}
    urls[pages.TAGS] = files.get_file_from_path(pages.TAGS).url
    files.append(File.generated(config, GRAPH_DATA,
                                content=json.dumps(vault.graph(urls.get), ensure_ascii=False)))
    files.append(File.generated(config, EXPLORER_DATA, content=json.dumps(
        explorer_tree(vault, [uri for uri in others if uri.endswith(".ipynb")], urls), ensure_ascii=False)))
    site_pages = frozenset(files.get_file_from_path(uri).url.rstrip("/") for uri in generated)
    _state.update(vault=vault, urls=urls, generated=added, rendered={}, lent_meta={}, site_pages=site_pages,
                  results=results, checks={})
    # The model lives to the end of the build: out of the collector's sight (gc.freeze), the
    # collections while pages are built do not walk it either. on_post_build gives it back, so
    # that a `mkdocs serve` rebuild lets the old one be collected. Only where nothing else froze
    # objects (a build inside a test run that froze its own): unfreezing gives back all of them.
    _state["froze"] = gc.get_freeze_count() == 0
    if _state["froze"]:
        gc.freeze()
    return files


def on_post_build(config) -> None:
    _give_back_frozen()


def on_build_error(error) -> None:
    _give_back_frozen()


def _give_back_frozen() -> None:
    if _state.pop("froze", False):
        gc.unfreeze()


def on_nav(nav, config, files):
    """The navigation is the hub's reading order, not every note of the vault (the explorer, drawn
    in the browser from explorer.json, reaches every one): the home page, the hub, the story, each
    further list of the hub as a section under its heading, then the site's own pages. Previous
    and next follow the same order; a note outside it has neither."""
    vault: Vault = _state["vault"]
    by_uri = {page.file.src_uri: page for page in _walk_pages(nav.items)}
    for page in by_uri.values():
        page.parent, page.previous_page, page.next_page = None, None, None
    items: list = [by_uri[pages.HOME]] if pages.HOME in by_uri else []
    hub = vault.notes.get(f"{config.extra.get('hub', '')}.md")
    if hub is not None and hub.rel in by_uri:
        items.append(by_uri[hub.rel])
        for number, (heading, notes) in enumerate(vault.reading_order(hub)):
            chapter = [by_uri[note.rel] for note in notes if note.rel in by_uri]
            if number == 0:
                items += chapter
            elif chapter:
                section = Section(heading, chapter)
                for page in chapter:
                    page.parent = section
                items.append(section)
    ordered = list(_walk_pages(items))
    for before, page, after in zip([None, *ordered[:-1]], ordered, [*ordered[1:], None]):
        page.previous_page, page.next_page = before, after
    items += [by_uri[uri] for uri in (pages.TAGS, pages.GRAPH, pages.CHECKS) if uri in by_uri]
    nav.items[:] = items
    nav.pages = list(_walk_pages(items))
    return nav


def explorer_tree(vault: Vault, notebooks: list[str], urls: dict[str, str]) -> dict:
    """The vault's folders and notes (and notebooks) for the explorer: {"folders": [{"name", …}],
    "notes": [{"title", "url"}]}, folders and notes in Obsidian's order (by name, folders first)."""
    root: dict = {"name": "", "folders": {}, "notes": []}
    for rel, title in [*((n.rel, n.title) for n in vault.notes.values()),
                       *((uri, PurePath(uri).stem) for uri in notebooks)]:
        if rel not in urls:
            continue
        node = root
        for part in rel.split("/")[:-1]:
            node = node["folders"].setdefault(part, {"name": part, "folders": {}, "notes": []})
        node["notes"].append({"title": title, "url": urls[rel]})

    def plain(node: dict) -> dict:
        return {
            "name": node["name"],
            "folders": [plain(node["folders"][k]) for k in sorted(node["folders"], key=str.casefold)],
            "notes": sorted(node["notes"], key=lambda n: n["title"].casefold()),
        }

    return plain(root)


def _walk_pages(items):
    for item in items:
        if getattr(item, "is_page", False):
            yield item
        yield from _walk_pages(getattr(item, "children", None) or [])


@event_priority(50)  # before Material's tags plugin (-50) reads page.meta
def on_page_markdown(markdown: str, page, config, files) -> str:
    """Notes (and the home page) are rendered here from the model; Python-Markdown gets nothing."""
    vault: Vault = _state["vault"]
    src_uri = page.file.src_uri
    note = vault.notes.get(src_uri)
    if src_uri == pages.CHECKS and src_uri in _state["generated"]:
        content, toc = checks.page_html(vault, _state["results"], _state["urls"].get, page.url, relative_url)
        _state["rendered"][src_uri] = (content, toc)
        page.title = checks.PAGE_TITLE
        return ""
    if note is None:
        if src_uri != pages.HOME:
            return markdown  # tags and graph pages: Material's own Markdown
        note = Note(src_uri, page.file.content_string, Path(config.docs_dir) / src_uri)
    else:
        # MkDocs read `Key: value` first lines as MultiMarkdown metadata; Obsidian reads only YAML.
        page.meta = dict(note.meta)
        if "title" not in page.meta:
            page.title = note.title  # Obsidian's title is the file name, hyphens included
    # Whatever we put in page.meta for the plugins comes out again in on_page_content: Material's
    # navigation looks up its keys in the meta of every page it lists, on every page.
    lent = _state["lent_meta"][src_uri] = {}
    if note.tags and src_uri in vault.notes:
        lent["tags"] = page.meta.get("tags", _ABSENT)
        page.meta["tags"] = [tag.name for tag in note.tags]
    urls = _state["urls"]
    rendered = render_note(note, vault, page.url, urls.get, urls[pages.TAGS], _state["site_pages"], note_checks)
    content, toc = rendered.html, rendered.toc
    note.release_tokens()  # the page is written: the parse's tokens were most of the build's memory
    if src_uri in vault.notes:
        used = {h.id for h in note.headings}
        backlinks_id = unique_id(slugify_unicode(BACKLINKS_TITLE, "-"), used)
        content += (f'<h2 id="{backlinks_id}" data-search-exclude>{BACKLINKS_TITLE}<a class="headerlink" '
                    f'href="#{backlinks_id}" title="Ссылка на этот раздел">¶</a></h2>\n{BACKLINKS_MARK}')
        toc = toc + [{"level": 2, "id": backlinks_id, "name": BACKLINKS_TITLE, "children": []}]
        content += f'\n<div class="vault-local-graph" data-id="{html.escape(src_uri, quote=True)}"></div>'
    if "glightbox" not in page.meta:
        # The renderer wraps images for the lightbox itself (assets/javascripts/lightbox.js starts
        # it); mkdocs-glightbox would parse every page twice and serialise it as a whole document.
        lent["glightbox"] = _ABSENT
        page.meta["glightbox"] = False
    _state["rendered"][src_uri] = (content, toc)
    return ""


BACKLINKS_MARK = '<div class="vault-backlinks-here"></div>'  # the list goes here after search indexed the page


def note_checks(note: Note) -> checks.NoteChecks | None:
    """The states of a note's python blocks, worked out once per build (an embed asks again)."""
    if note.rel not in _state["vault"].notes:
        return None  # the home page: its blocks are no note's
    found = _state["checks"].get(note.rel)
    if found is None:
        found = _state["checks"][note.rel] = checks.NoteChecks.of(note, _state["results"])
    return found


def backlinks_html(vault: Vault, src_uri: str, page_url: str) -> str:
    """The notes that link here, from the same model that resolved the links (and drew the graph).
    Not in the search index (it is put in after the search plugin read the page): a list of titles
    would only repeat the other pages' entries."""
    urls = _state["urls"]
    sources = sorted(vault.backlinks.get(src_uri, []), key=lambda uri: vault.notes[uri].title.casefold())
    if not sources:
        return '<p class="vault-backlinks__none">Пока ни одна заметка не ссылается сюда.</p>'
    items = "".join(
        f'<li><a href="{html.escape(get_relative_url(urls[uri], page_url), quote=True)}">'
        f"{html.escape(vault.notes[uri].title)}</a></li>"
        for uri in sources
    )
    return f'<ul class="vault-backlinks">{items}</ul>'


@event_priority(100)  # the note's HTML goes in before mkdocs-glightbox and the other plugins read it
def on_page_content(content: str, page, config, files) -> str:
    src_uri = page.file.src_uri
    give_back_meta(page)
    if src_uri.endswith(".ipynb"):
        content, tokens = notebook_headings(content)
        page.toc = get_toc(tokens)
        return notebook_content(content, get_relative_url("", page.url).rstrip("/") + "/")
    rendered = _state["rendered"].pop(src_uri, None)
    if rendered is None:
        return content
    content, toc = rendered
    page.toc = get_toc(toc)
    return content


def give_back_meta(page, keys=("tags",)) -> None:
    """Take out of page.meta what on_page_markdown put there for the plugins (they have read it)."""
    lent = _state.get("lent_meta", {}).get(page.file.src_uri, {})
    for key in keys:
        if key in lent:
            value = lent.pop(key)
            if value is _ABSENT:
                page.meta.pop(key, None)
            else:
                page.meta[key] = value


# Material's search plugin reads each page's HTML with Python's html.parser, and most of the tags
# of a note are Pygments' spans in its code: the plugin gets the code as plain text instead (the
# same words, a third of the tags fewer), and the page gets its highlighted code back after.
HIGHLIGHTED_CODE = re.compile(r"<pre>(?:<span></span>)?<code>(.*?)</code></pre>", re.S)
TAG = re.compile(r"<[^>]+>")
SEARCHED_ATTRIBUTE = r'data-search-\w+="[^"]+"'
SEARCH_ATTRIBUTE = re.compile(r"\s?" + SEARCHED_ATTRIBUTE)  # what the search plugin removes
HAS_SEARCH_ATTRIBUTE = re.compile(SEARCHED_ATTRIBUTE)  # found faster: the pattern starts with a literal
# Of the attributes the plugin reads only a heading's id, data-search-exclude and the classes
# headerlink and linenodiv (material/plugins/search/plugin.py, Parser): it gets the tags without
# the others (a link's long href, the classes), which its parser spent a quarter of its time on.
# A tag the pattern does not match (a quote inside a value) reaches the plugin as it is.
START_TAG = re.compile(r'<([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:="[^"<>]*")?)*)\s*(/?)>')
READ_BY_SEARCH = re.compile(r'\s(?:id="[^"]*"|data-search-exclude(?:="[^"]*")?|class="(?:headerlink|linenodiv)")')


def _for_search(content: str) -> str:
    """The page's HTML as the search plugin reads it: the same tags, text and attributes it uses."""
    content = HIGHLIGHTED_CODE.sub(lambda m: f"<pre><code>{TAG.sub('', m[1])}</code></pre>", content)
    return START_TAG.sub(lambda m: f"<{m[1]}{''.join(READ_BY_SEARCH.findall(m[2]))}{m[3]}>", content)


@event_priority(10)  # before the search plugin (0)
def _plain_code_for_search(context, page, config, nav):
    vault = _state.get("vault")
    if vault is not None and page.file.src_uri in vault.notes:
        _state.setdefault("highlighted", {})[page.file.src_uri] = page.content
        page.content = _for_search(page.content)
    return context


@event_priority(-10)  # after the search plugin
def _highlighted_code_back(context, page, config, nav):
    original = _state.get("highlighted", {}).pop(page.file.src_uri, None)
    if original is not None:
        # A note's own data-search-exclude has no value: most notes have nothing to remove.
        page.content = SEARCH_ATTRIBUTE.sub("", original) if HAS_SEARCH_ATTRIBUTE.search(original) else original
    return context


on_page_context = CombinedEvent(_plain_code_for_search, _highlighted_code_back)


@event_priority(-100)  # after mkdocs-glightbox has read its flag for the last time
def on_post_page(output: str, page, config) -> str:
    give_back_meta(page, ("glightbox",))
    vault = _state.get("vault")
    if vault is not None and page.file.src_uri in vault.notes:
        output = output.replace(BACKLINKS_MARK, backlinks_html(vault, page.file.src_uri, page.url), 1)
    return output


# -- notebooks: nothing from other hosts ---------------------------------------------------------

EMPTY_MATHJAX = re.compile(r'<script src="">\s*</script>')
FOREIGN_SCRIPT = re.compile(r'<script src="(?:https?:)?//[^"]*"[^>]*>\s*</script>')
CDN_MERMAID = re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/mermaid/[^\"']*")
CDN_ELK = re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/mermaid-layout-elk/[^\"']*")
MATH = re.compile(r"\$[^$\n]+\$|\\\(|\\\[")


HEADING = re.compile(r'<h([1-6]) id="[^"]*"([^>]*)>(.*?)</h\1>', re.S)
ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="[^"]*">')


def notebook_headings(content: str) -> tuple[str, list[dict]]:
    """Give a notebook's headings the ids Markdown pages get (slugify_unicode, like the rest of the
    site) and the table of contents that matches them: nbconvert leaves Cyrillic headings with an
    empty id while mkdocs-jupyter's contents point to `#_1`, `#_2`…"""
    seen: dict[str, int] = {}
    flat: list[dict] = []

    def rename(match: re.Match) -> str:
        level, attrs, inner = int(match[1]), match[2], match[3]
        name = html.unescape(re.sub(r"<[^>]+>", "", ANCHOR_LINK.split(inner)[0])).strip().rstrip("¶").strip()
        slug = slugify_unicode(name, "-") or "section"
        if slug in seen:
            seen[slug] += 1
            slug = f"{slug}_{seen[slug]}"
        else:
            seen[slug] = 0
        flat.append({"level": level, "id": slug, "name": html.escape(name), "children": []})
        link = f'<a class="anchor-link" href="#{slug}">'
        return f'<h{level} id="{slug}"{attrs}>{ANCHOR_LINK.sub(link, inner)}</h{level}>'

    return HEADING.sub(rename, content), nest(flat)


def notebook_content(content: str, base: str) -> str:
    """mkdocs-jupyter's template loads MathJax and mermaid from CDNs: serve the site's own copies.

    MathJax 3 (assets/vendor/mathjax) is loaded only where a notebook has math; mermaid is the one
    the site already loads, reached through a one-line ES module shim; the elk layout is dropped.
    """
    math = bool(MATH.search(re.sub(r"<(pre|code|script|style)\b.*?</\1>", "", content, flags=re.S)))
    mathjax = (
        f'<script src="{base}javascripts/mathjax-config.js"></script>'
        f'<script src="{base}vendor/mathjax/tex-mml-chtml.js"></script>'
        if math else ""
    )
    content = EMPTY_MATHJAX.sub(lambda _: mathjax, content, count=1)
    content = FOREIGN_SCRIPT.sub("", content)
    content = CDN_MERMAID.sub(f"{base}javascripts/mermaid-shim.js", content)
    return CDN_ELK.sub("", content)
