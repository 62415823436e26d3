"""Audit of a vault published with our configuration: does every note page read as Obsidian shows it?

    python -m tools.site.audit <vault-dir> [--site <dir>] [--no-build]

builds the vault with mkdocs.yml (not strict: another vault has none of our house rules) into a
temporary folder, or into --site, or (--no-build) audits the site already in --site; then checks the
`<article>` of every built page but the generated ones (tags/, graph/) and the notebooks for:

    wiki-syntax    (a) `[[…]]` or `![[…]]` left in the text, or an `![[` cut off
    list-as-text   (b) a paragraph with a line starting "- ", "* ", "+ " or "1. " after a line break
    block-id       (c) a block id `^id` shown at the end of a block
    comment        (d) `%%` shown
    dead-link      (e) a local <a href> whose file, or whose #fragment in that file, does not exist
                       (a link that is only "#…" is checked against its own page)
    broken-media   (f) the file of a local <img>, <audio>, <video>, <source>, <iframe>, <embed>
                       or <object> is missing
    raw-math       (g) a `$…$` or `$$…$$` pair outside `.arithmatex` (TeX not rendered)
    raw-callout    (h) a block quote that opens with `[!type]`: a callout shown as a quote

Text inside <pre>, <code>, <script>, <style> and math (`.arithmatex`) is not prose: (a)-(d) and (g)
skip it. One line per problem, `<page url>: <kind>: <excerpt>`, then the count of each kind; exit
status 1 if there is any problem, 2 if the build failed.

Each check is a function of a page's article (a BeautifulSoup tag) that returns its problems; the
two that look at files also take the page's URL and the built site.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import PreformattedString

from tools.vault.markdown import syntax_in

ROOT = Path(__file__).resolve().parents[2]

KINDS = ("wiki-syntax", "list-as-text", "block-id", "comment", "dead-link", "broken-media", "raw-math",
         "raw-callout")

# Pages of the site that no note is the source of (tools/site/pages.py writes them).
GENERATED = ("tags/", "graph/")

# Text in these is code or markup, not prose.
NOT_PROSE = {"pre", "code", "script", "style", "template", "textarea", "svg", "math", "mjx-container"}
NOT_PROSE_CLASSES = {"arithmatex"}
# The text of an inline element belongs to the block around it.
BLOCKS = {
    "address", "article", "aside", "blockquote", "caption", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}
EXCERPT = 100

# The text checks ask the vault model's parser (tools/vault/markdown.py: syntax_in) what Obsidian
# would read in the text a page shows, so the audit and the renderer cannot disagree on the syntax.
KINDS_OF_SYNTAX = {"link": "wiki-syntax", "comment": "comment", "block-id": "block-id", "math": "raw-math",
                   "callout": "raw-callout"}
MEDIA = {"img": "src", "audio": "src", "video": "src", "source": "src", "iframe": "src", "embed": "src",
         "object": "data"}


@dataclass(frozen=True)
class Problem:
    kind: str
    excerpt: str

    def line(self, url: str) -> str:
        return f"{url}: {self.kind}: {self.excerpt}"


# -- the text of a page, block by block -----------------------------------------------------------


def _is_code(tag: Tag) -> bool:
    return tag.name in NOT_PROSE or bool(NOT_PROSE_CLASSES.intersection(tag.get("class") or ()))


def _blocks(article: Tag) -> list[tuple[Tag, str]]:
    texts: dict[int, tuple[Tag, list[str]]] = {}
    # Depth first, in document order, without recursion: (children left, their block, prose?).
    stack = [(iter(article.children), article, True)]
    while stack:
        children, block, prose = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        if isinstance(child, Tag):
            if child.name == "br":
                if prose:
                    texts.setdefault(id(block), (block, []))[1].append("\n")
            elif prose and "arithmatex" in (child.get("class") or []) and child.name == "span":
                # Inline math is a word of the sentence: a line that starts with it starts no list.
                texts.setdefault(id(block), (block, []))[1].append("𝑥")
            else:
                stack.append((iter(child.children), child if child.name in BLOCKS else block,
                              prose and not _is_code(child)))
        elif prose and not isinstance(child, PreformattedString):  # comments, CDATA: not shown
            # A newline of the HTML is a space on the page: only <br> breaks a line.
            texts.setdefault(id(block), (block, []))[1].append(str(child).replace("\n", " "))
    joined = ((block, "".join(parts)) for block, parts in texts.values())
    return [(block, text) for block, text in joined if text.strip()]


_last: list = [None, None]


def blocks(article: Tag) -> list[tuple[Tag, str]]:
    """The prose of the article, one string per innermost block element, in document order; a
    <br> is a newline. A <li> holding a nested list has only its own text, the nested items theirs."""
    if _last[0] is not article:  # the checks of one page ask for the same article in a row
        _last[:] = [article, _blocks(article)]
    return _last[1]


def excerpt(text: str, start: int = 0, end: int | None = None) -> str:
    """The text around text[start:end] on one line, about EXCERPT characters at most."""
    end = len(text) if end is None else end
    room = max(0, EXCERPT - (end - start)) // 2
    left, right = max(0, start - room), min(len(text), end + room)
    piece = " ".join(text[left:right].split())
    if len(piece) > EXCERPT + 20:
        piece, right = piece[:EXCERPT], len(text) + 1
    return ("…" if left > 0 else "") + piece + ("…" if right < len(text) else "")


def _syntax(article: Tag, kind: str, texts=None) -> list[Problem]:
    """The problems of one kind: each construct of that kind the parser finds in a block's text."""
    problems = []
    for text in (texts if texts is not None else [t for _, t in blocks(article)]):
        # Each line as its own start: an indent on the page is layout, not a code block.
        text = "\n".join(line.strip() for line in text.split("\n"))
        for found, raw in syntax_in(text):
            if KINDS_OF_SYNTAX.get(found) == kind:
                start = max(text.find(raw), 0)
                problems.append(Problem(kind, excerpt(text, start, start + len(raw))))
    return problems


# -- the checks -------------------------------------------------------------------------------------


def wiki_syntax(article: Tag) -> list[Problem]:
    """(a) A wiki-link or an embed left as text. A table row is read as one line, its cells joined
    by "|": a `|` inside a link that split the link into two cells shows as `[[a|b]]` again. A lone
    `[[` or `]]` is no link in Obsidian either ("Links: [[", the terminal's "^[[1g"): not reported."""
    return _syntax(article, "wiki-syntax", _lines_of_rows(article))


def _lines_of_rows(article: Tag) -> list[str]:
    texts: dict[int, list[str]] = {}
    for block, text in blocks(article):
        row = block.find_parent("tr") if block.name in ("td", "th") else None
        key = block if row is None else row
        texts.setdefault(id(key), []).append(text.strip() if row is not None else text)
    return [" | ".join(parts) for parts in texts.values()]


def list_as_text(article: Tag) -> list[Problem]:
    """(b) A paragraph whose text, read as a note, holds a list: Obsidian shows a list there (a
    list needs no blank line before it; in Python-Markdown it does)."""
    problems = []
    for block, text in blocks(article):
        if block.name != "p":
            continue
        first = text.split("\n", 1)[0]
        for kind, line in syntax_in(text):
            # A paragraph that opens with "- " is text written so on purpose (`\- x`), not a list lost.
            if kind == "list" and line != first:
                start = text.find(line)
                problems.append(Problem("list-as-text", excerpt(text, start, start + len(line))))
    return problems


def block_ids(article: Tag) -> list[Problem]:
    """(c) `^id` at the end of a block: Obsidian hides a block's id (an id anywhere else is text
    in Obsidian too)."""
    return _syntax(article, "block-id")


def comments(article: Tag) -> list[Problem]:
    """(d) An Obsidian comment that was shown instead of dropped."""
    return _syntax(article, "comment")


def raw_callouts(article: Tag) -> list[Problem]:
    """(h) A callout left a block quote: the quote's first line, read back as a quote of a note,
    is a callout to the model."""
    quotes = []
    for quote in article.find_all("blockquote"):
        first = next((text for block, text in blocks(article) if block is quote or quote in block.parents), "")
        quotes.append("> " + first.strip().split("\n", 1)[0])
    return _syntax(article, "raw-callout", quotes)


def raw_math(article: Tag) -> list[Problem]:
    """(g) `$…$` or `$$…$$` outside `.arithmatex`: TeX that no math renderer picked up."""
    return _syntax(article, "raw-math")


@dataclass
class Site:
    """A built site on disk, with the ids of its pages read once."""

    root: Path
    _ids: dict[Path, set[str]] = field(default_factory=dict)

    def target(self, page_url: str, href: str) -> tuple[Path | None, str]:
        """The file `href` on the page at `page_url` points to (None if outside the site), and its
        fragment. A folder means its index.html."""
        parts = urlsplit(href)
        path = unquote(parts.path)
        if path.startswith("/"):
            joined = path.lstrip("/")
        else:
            base = page_url if page_url.endswith("/") else posixpath.dirname(page_url) + "/"
            joined = posixpath.join(base.lstrip("/"), path) if path else page_url.lstrip("/")
        normal = posixpath.normpath(joined) if joined else "."
        if normal == ".." or normal.startswith("../"):
            return None, unquote(parts.fragment)
        target = self.root / normal
        if target.is_dir() or (path.endswith("/") and not target.is_file()):
            target = target / "index.html"
        return target, unquote(parts.fragment)

    def ids(self, page: Path) -> set[str]:
        """The ids of the elements of a page's article (and the names of its <a name> anchors): the
        targets a link in a note can mean (the navigation around it has ids of its own)."""
        if page not in self._ids:
            collector = _Ids()
            text = page.read_text(encoding="utf-8", errors="replace")
            collector.feed(_article_html(text) or text)
            self._ids[page] = collector.ids
        return self._ids[page]


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is not None and (name == "id" or (name == "name" and tag == "a")):
                self.ids.add(value)


def is_external(url: str) -> bool:
    """A URL with a scheme (https:, mailto:, data:, obsidian:…) or a host is not the site's."""
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)


def dead_links(article: Tag, page_url: str, site: Site) -> list[Problem]:
    """(e) Every local link must reach a file of the site, and its #fragment an id in that page.
    A link that is only a fragment ("#…") is checked against the page itself."""
    problems = []
    for a in article.find_all("a", href=True):
        href = a["href"].strip()
        if not href or is_external(href) or _lightbox_of_image(a, href):
            continue
        target, fragment = site.target(page_url, href)
        label = " ".join(a.get_text(" ").split())[:60]
        if target is None or not target.is_file():
            problems.append(Problem("dead-link", f"{href} ({label!r}): no such file"))
        elif fragment and target.suffix == ".html" and fragment not in site.ids(target):
            problems.append(Problem("dead-link", f"{href} ({label!r}): no id {fragment!r} in that page"))
    return problems


def _lightbox_of_image(a: Tag, href: str) -> bool:
    """glightbox wraps an image in a link to itself: broken_media reports that one."""
    return "glightbox" in (a.get("class") or ()) and any(img.get("src") == href for img in a.find_all("img"))


def broken_media(article: Tag, page_url: str, site: Site) -> list[Problem]:
    """(f) Every local image, audio, video, source, iframe, embed or object must exist."""
    problems = []
    for tag in article.find_all(list(MEDIA)):
        attribute = MEDIA[tag.name]
        url = (tag.get(attribute) or "").strip()
        if not url:
            if tag.name in ("img", "iframe", "embed") or (tag.name == "source" and not tag.get("srcset")):
                problems.append(Problem("broken-media", f"<{tag.name}> without {attribute}"))
            continue
        if is_external(url):
            continue
        target, _ = site.target(page_url, url)
        if target is None or not target.is_file():
            problems.append(Problem("broken-media", f"<{tag.name} {attribute}={url!r}>: no such file"))
    return problems


TEXT_CHECKS = (wiki_syntax, list_as_text, block_ids, comments, raw_math, raw_callouts)
FILE_CHECKS = (dead_links, broken_media)


def audit_article(article: Tag, page_url: str, site: Site) -> list[Problem]:
    problems = [p for check in TEXT_CHECKS for p in check(article)]
    problems += [p for check in FILE_CHECKS for p in check(article, page_url, site)]
    return sorted(problems, key=lambda p: KINDS.index(p.kind))


# -- the site ---------------------------------------------------------------------------------------


def notebook_urls(vault: Path | None) -> set[str]:
    """The URLs of the vault's notebooks (mkdocs-jupyter renders them, not our hooks)."""
    if vault is None:
        return set()
    urls = set()
    for path in vault.rglob("*.ipynb"):
        relative = path.relative_to(vault)
        if not any(part.startswith(".") for part in relative.parts):
            urls.add(relative.with_suffix("").as_posix() + "/")
    return urls


def page_urls(site: Path, skip: set[str] = frozenset()) -> list[tuple[str, Path]]:
    """(url, file) of every page of the built site to audit: its index.html files but the
    generated pages and those in `skip`. The home page's url is ""."""
    pages = []
    for path in sorted(site.rglob("index.html")):
        relative = path.parent.relative_to(site).as_posix()
        url = "" if relative == "." else relative + "/"
        if url.startswith(GENERATED) or url in skip:
            continue
        pages.append((url, path))
    return pages


def read_article(page: Path) -> Tag | None:
    """The page's <article>. Only that part is parsed: every page also holds the whole navigation."""
    html = _article_html(page.read_text(encoding="utf-8", errors="replace"))
    return None if html is None else BeautifulSoup(html, "html.parser").find("article")


def _article_html(html: str) -> str | None:
    start, end = html.find("<article"), html.rfind("</article>")
    return html[start : end + len("</article>")] if 0 <= start < end else None


def audit_site(site: Path, vault: Path | None = None, read=read_article) -> list[tuple[str, Problem]]:
    """Every problem of every note page of the built site, as ("/page/url/", problem). `read` gives
    a page's article (a caller that parsed the pages already hands its own)."""
    checked = Site(site)
    found = []
    for url, path in page_urls(site, notebook_urls(vault)):
        article = read(path)
        if article is None or article.find(class_=("jupyter-wrapper", "jp-Notebook")):
            continue
        found += [("/" + url, problem) for problem in audit_article(article, url, checked)]
    return found


def build(vault: Path, site: Path) -> subprocess.CompletedProcess:
    """`mkdocs build` of mkdocs.yml (not strict) with VAULT_DIR=vault into site."""
    env = dict(os.environ, VAULT_DIR=str(vault), NO_MKDOCS_2_WARNING="1")
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def report(found: list[tuple[str, Problem]], out=None) -> Counter:
    out = out or sys.stdout
    counts = Counter(problem.kind for _, problem in found)
    for url, problem in found:
        print(problem.line(url), file=out)
    print(f"summary: {len(found)} problem(s)", file=out)
    for kind in KINDS:
        print(f"  {kind}: {counts[kind]}", file=out)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.site.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", type=Path, help="the vault's folder (the one with .obsidian/)")
    parser.add_argument("--site", type=Path, help="build into this folder (kept) instead of a temporary one")
    parser.add_argument("--no-build", action="store_true", help="audit the site already built in --site")
    args = parser.parse_args(argv)
    vault = args.vault.resolve()
    if not vault.is_dir():
        parser.error(f"{vault}: not a folder")
    if args.no_build and args.site is None:
        parser.error("--no-build needs --site")

    with tempfile.TemporaryDirectory(prefix="audit-site-") as temporary:
        site = (args.site or Path(temporary) / "site").resolve()
        if site.is_relative_to(vault):
            parser.error("the site must not be inside the vault")
        if not args.no_build:
            done = build(vault, site)
            log = (done.stdout + done.stderr).splitlines()
            warnings = [line for line in log if line.startswith(("WARNING", "ERROR"))]
            print(f"build: exit {done.returncode}, {len(warnings)} warning(s), site {site}", file=sys.stderr)
            if done.returncode != 0:
                print((done.stdout + done.stderr)[-4000:], file=sys.stderr)
                return 2
        counts = report(audit_site(site, vault))
    return 1 if sum(counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
