"""MkDocs glue for the vault: index it once, render Obsidian syntax, generate the site-only pages.

The rendering itself lives in tools/site/obsidian.py and tools/site/vault.py (plain text in, text
out); this module only hands them MkDocs' pages and files.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path, PurePath

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # MkDocs loads hooks by path; tools.* lives at the project root
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import Abort  # noqa: E402
from mkdocs.plugins import event_priority, get_plugin_logger  # noqa: E402
from mkdocs.structure.files import File, Files  # noqa: E402
from markdown.extensions.toc import slugify_unicode  # noqa: E402
from mkdocs.structure.toc import get_toc  # noqa: E402
from mkdocs.utils import get_relative_url  # noqa: E402

from tools.blocks import VaultError, read_note  # noqa: E402
from tools.site import pages  # noqa: E402
from tools.site.obsidian import Context, PageLink, fill_links, heading_slug, tag_slug  # noqa: E402
from tools.site.vault import Note, Text, Vault  # noqa: E402

log = get_plugin_logger("vault")

GRAPH_DATA = "graph.json"

_state: dict = {}
_ABSENT = object()


def on_files(files: Files, config) -> Files:
    """Index the vault (the one pass that reads every note and resolves its links), add the pages."""
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
                    where = f"{Path(config.docs_dir).name}/{file.src_uri}"
                    raise Abort(f"{where}:{err.line}: {err.what} — {err.fix}") from None
                raise
        elif file.abs_src_path and Path(file.abs_src_path).is_relative_to(Path(config.docs_dir)):
            others.append(file.src_uri)
    vault = Vault.build(notes, others)
    notebooks = [PurePath(uri).name for uri in others if uri.endswith(".ipynb")]
    generated = {
        pages.HOME: lambda: pages.home(
            vault, config.site_name, config.extra.get("start_here", []), notebooks
        ),
        pages.TAGS: pages.tags,
        pages.GRAPH: pages.graph,
    }
    added = set()
    for src_uri, make in generated.items():
        if files.get_file_from_path(src_uri) is None:
            files.append(File.generated(config, src_uri, content=make()))
            added.add(src_uri)
    urls = {uri: files.get_file_from_path(uri).url for uri in vault.notes}
    urls[pages.TAGS] = files.get_file_from_path(pages.TAGS).url
    files.append(
        File.generated(config, GRAPH_DATA, content=json.dumps(vault.graph(urls.get), ensure_ascii=False))
    )
    _state.update(vault=vault, urls=urls, generated=added, links={}, anchors={}, files=files,
                  lent_meta={}, glightbox_off=None)
    return files


def on_nav(nav, config, files):
    """The site-only pages go after the vault's notes and folders (the home page stays first)."""
    generated = _state.get("generated", set()) - {pages.HOME}
    tail = [item for item in nav.items if getattr(getattr(item, "file", None), "src_uri", None) in generated]
    nav.items[:] = [item for item in nav.items if item not in tail] + tail
    # Previous/next links were set in the old order: set them again.
    ordered = list(_walk_pages(nav.items))
    for before, page, after in zip([None, *ordered[:-1]], ordered, [*ordered[1:], None]):
        page.previous_page, page.next_page = before, after
    nav.pages = ordered
    return nav


def _walk_pages(items):
    for item in items:
        if getattr(item, "is_page", False):
            yield item
        yield from _walk_pages(getattr(item, "children", None) or [])


@event_priority(50)  # before Material's tags plugin (-50) reads page.meta
def on_page_markdown(markdown: str, page, config, files) -> str:
    vault: Vault = _state["vault"]
    src_uri = page.file.src_uri
    note = vault.notes.get(src_uri)
    if note is None or note.text.source.lstrip("\n") != markdown:
        note = Note(src_uri, dict(page.meta), Text(markdown))
    # Whatever we put in page.meta for the plugins comes out again in on_page_content: Material's
    # navigation looks up four keys in the meta of every page it lists, on every page (2000 × 125
    # look-ups for a 2,000-note vault), and skips them when the meta is empty.
    lent = _state["lent_meta"][src_uri] = {}
    if src_uri not in _state["generated"]:
        # Obsidian's title is the file name, hyphens included (MkDocs would turn them into spaces).
        if "title" not in page.meta:
            page.title = note.title
        tags = [str(t) for t in page.meta.get("tags") or []]
        if note.tags:
            lent["tags"] = page.meta.get("tags", _ABSENT)
            page.meta["tags"] = tags + [t for t in note.tags if t not in tags]
    where = f"{Path(config.docs_dir).name}/{src_uri}"
    context = Context(vault, note, warn=log.warning, where=where)
    markdown = context.render()
    _state["links"][src_uri] = context.links
    if "![" not in markdown and "<img" not in markdown and "glightbox" not in page.meta:
        # mkdocs-glightbox parses and rewrites the whole page; spare it the pages with no image
        # (assets/javascripts/lightbox.js keeps the lightbox working after instant navigation).
        lent["glightbox"] = _ABSENT
        page.meta["glightbox"] = False
    if src_uri in vault.notes:
        markdown += backlinks_section(vault, src_uri, page.url)
    return markdown


BACKLINKS_TITLE = "Обратные ссылки"
BACKLINKS_MARK = "VAULT-BACKLINKS-4f1c"  # replaced by the list after the Markdown conversion


def backlinks_section(vault: Vault, src_uri: str, page_url: str) -> str:
    """The notes that link here, from the same index that resolved the links (and drew the graph).

    The heading is Markdown, so that it is in the table of contents; the list is put in after the
    conversion (backlinks_html), as HTML: Python-Markdown need not parse it."""
    # Not in the search index: a list of titles would only repeat the other pages' entries.
    return f"\n\n## {BACKLINKS_TITLE} {{ data-search-exclude }}\n\n{BACKLINKS_MARK}\n"


def backlinks_html(vault: Vault, src_uri: str, page_url: str) -> str:
    urls = _state["urls"]
    up = "../" * page_url.count("/")
    sources = sorted(vault.backlinks.get(src_uri, []), key=lambda uri: vault.notes[uri].title.casefold())
    if not sources:
        return '<p class="vault-backlinks__none">Пока ни одна заметка не ссылается сюда.</p>'
    items = "".join(
        f'<li><a href="{html.escape(up + urls[uri], quote=True)}">{html.escape(vault.notes[uri].title)}</a></li>'
        for uri in sources
    )
    return f'<ul class="vault-backlinks">{items}</ul>'


def on_page_content(content: str, page, config, files) -> str:
    """Each note gets a place for its local graph; graph.js draws it from graph.json."""
    src_uri = page.file.src_uri
    give_back_meta(page)
    if src_uri.endswith(".ipynb"):
        content, tokens = notebook_headings(content)
        page.toc = get_toc(tokens)
        return notebook_content(content, get_relative_url("", page.url).rstrip("/") + "/")
    if src_uri not in _state["vault"].notes:
        return content
    return f'{content}\n<div class="vault-local-graph" data-id="{html.escape(src_uri, quote=True)}"></div>'


def give_back_meta(page) -> None:
    """Take out of page.meta what on_page_markdown put there for the plugins (they have read it)."""
    for key, value in _state["lent_meta"].get(page.file.src_uri, {}).items():
        if value is _ABSENT:
            page.meta.pop(key, None)
        else:
            page.meta[key] = value


@event_priority(100)  # before the search plugin indexes the content
def on_page_context(context, page, config, nav):
    """Links go in now: every page has been converted, so the ids of all headings are known."""
    previous = _state["glightbox_off"]
    if previous is not None:  # see on_post_page
        previous.meta.pop("glightbox", None)
        _state["glightbox_off"] = None
    links = _state["links"].get(page.file.src_uri)
    if links:
        page.content = fill_links(page.content, links, lambda link: link_html(link, page))
    return context


def link_html(link: PageLink, page) -> str:
    label = html.escape(link.label)
    if link.tag is not None:
        href = get_relative_url(_state["urls"][pages.TAGS], page.url) + "#" + tag_slug(link.tag)
        return f'<a class="md-tag vault-tag" href="{html.escape(href, quote=True)}">{label}</a>'
    if link.heading:
        href = "#" + heading_id(link.note, link.heading)
        if link.note != page.file.src_uri:
            href = get_relative_url(_state["urls"][link.note], page.url) + href
    else:
        href = get_relative_url(_state["urls"][link.note], page.url)  # "./" for the page itself
    return f'<a href="{html.escape(href, quote=True)}">{label}</a>'


def heading_id(src_uri: str, heading: str) -> str:
    """The id the note's page gave this heading (de-duplicated as toc does it), from its contents."""
    anchors = _state["anchors"].get(src_uri)
    if anchors is None:
        anchors = {}
        stack = list(reversed(_state["files"].get_file_from_path(src_uri).page.toc.items))
        while stack:
            item = stack.pop()
            title = html.unescape(re.sub(r"<[^>]+>", "", item.title))
            anchors.setdefault(heading_slug(title), item.id)
            stack.extend(reversed(item.children))
        _state["anchors"][src_uri] = anchors
    slug = heading_slug(heading)
    return anchors.get(slug, slug)


@event_priority(100)  # before mkdocs-glightbox
def on_post_page(output: str, page, config) -> str:
    """Backlinks go in last: the search index would only repeat the other pages' titles."""
    vault = _state.get("vault")
    src_uri = page.file.src_uri
    if vault is not None and _state["lent_meta"].get(src_uri, {}).get("glightbox", None) is _ABSENT:
        # mkdocs-glightbox reads the flag again here; the next page's on_page_context removes it.
        page.meta["glightbox"] = False
        _state["glightbox_off"] = page
    if vault is None or src_uri not in vault.notes:
        return output
    return output.replace(f"<p>{BACKLINKS_MARK}</p>", backlinks_html(vault, src_uri, page.url), 1)


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

    content = HEADING.sub(rename, content)
    tokens: list[dict] = []
    stack: list[dict] = []
    for item in flat:
        while stack and stack[-1]["level"] >= item["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else tokens).append(item)
        stack.append(item)
    return content, tokens


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
