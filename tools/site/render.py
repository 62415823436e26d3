"""A note as HTML for the site, rendered from the vault model's one parse (markdown-it-py).

Obsidian reads notes as CommonMark + GFM + its own syntax; so does this renderer, and it writes the
HTML Material for MkDocs styles and scripts (code blocks as pymdownx.highlight writes them, so code
titles, copy buttons, line anchors and annotations work; admonitions for callouts; heading ids and
permalinks as Python-Markdown's toc makes them). MkDocs gets the HTML and the table of contents;
Python-Markdown never reads a note. Nothing here knows MkDocs: URLs come from `url_of`.

Raw HTML stays, made safe by tools/site/sanitize.py (the vault model reports what it cut).
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Callable
from urllib.parse import quote

import pygments
from markdown_it.token import Token
from pygments.formatters.html import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from pymdownx.slugs import slugify

from tools.site.checks import NoteChecks
from tools.site.sanitize import OWN, clean
from tools.vault import Link, Note, Target, Vault
from tools.vault.blocks import PYTHON, shown_options
from tools.vault.markdown import PARSER
from tools.vault.note import FooterRow, plain_text, replace_start_tags, unique_id, url_link

SIZE = re.compile(r"^(\d+)(?:x(\d+))?$")
MEDIA_TAGS = {"img", "audio", "video", "source", "iframe", "embed"}
MAX_EMBED_DEPTH = 4
PERMALINK_TITLE = "Ссылка на этот раздел"
TRY_IT_TITLE = "Проверка"
FOOTER_LABELS = {"Relations": "Связи", "Tags": "Теги", "References": "Источники", "Query": "Запрос"}
# Obsidian's callout types and their aliases (its help: "Callouts"), as Material's admonition types.
CALLOUT_TYPES = {
    "note": "note", "abstract": "abstract", "summary": "abstract", "tldr": "abstract",
    "info": "info", "todo": "info", "tip": "tip", "hint": "tip", "important": "tip",
    "success": "success", "check": "success", "done": "success", "question": "question",
    "help": "question", "faq": "question", "warning": "warning", "caution": "warning",
    "attention": "warning", "failure": "failure", "fail": "failure", "missing": "failure",
    "danger": "danger", "error": "danger", "bug": "bug", "example": "example", "quote": "quote",
    "cite": "quote",
}

class _Formatter(HtmlFormatter):
    """Pygments' HTML formatter with its style sheet worked out once per style. pymdownx.highlight
    makes a formatter per block, and each made the whole style sheet (which Material never uses:
    it styles code itself): a second of every 2,000 notes' build."""

    _sheets: dict = {}

    def _create_stylesheet(self):
        sheet = self._sheets.get(self.style)
        if sheet is None:
            super()._create_stylesheet()
            self._sheets[self.style] = (self.ttype2class, self.class2style)
        else:
            self.ttype2class, self.class2style = sheet


@lru_cache(maxsize=256)
def _lexer(lang: str):
    """The lexer of a fence's language, Pygments' text lexer for one it does not know, and that
    lexer's name. Lexers keep no state between calls, so one serves every block."""
    try:
        lexer = get_lexer_by_name(lang or "text", stripnl=False)
    except ClassNotFound:
        lexer = get_lexer_by_name("text", stripnl=False)
    return lexer, lexer.aliases[0]


def highlight_block(source: str, lang: str, count: int, title: str | None = None,
                    hl_lines: list[int] | None = None, linestart: int = -1) -> str:
    """A code block in the markup pymdownx.highlight writes with the settings the site used
    (`pygments_lang_class`, `line_spans: __span`, `anchor_linenums`), so Material's code titles,
    copy buttons, line anchors and annotations work; blank lines at the ends are kept."""
    lexer, name = _lexer(lang)
    options = {}
    if linestart > 0:
        options.update(linenos="table", linenostart=linestart)
    formatter = _Formatter(
        cssclass="highlight", wrapcode=True, filename=title or "", hl_lines=hl_lines or [],
        linespans=f"__span-{count}", lineanchors=f"__codelineno-{count}", anchorlinenos=True, **options,
    )
    code = pygments.highlight(source, lexer, formatter).strip()
    # The class names the fence's language as written (pymdownx.highlight does the same), also
    # one Pygments does not know, as CommonMark's `language-…` class does.
    shown = lang or name
    return code.replace('<div class="highlight">', f'<div class="language-{_esc(shown)} highlight">', 1)


def _copy(token: Token) -> Token:
    """A token to change while rendering: the parse is cached and shared, and Token.copy() shares
    its attrs dict with the original."""
    copy = token.copy()
    copy.attrs = dict(token.attrs)
    return copy


def _block_anchor(token: Token, page: Page) -> str:
    """The anchor of a block id given to a block whose element carries another id or none of its
    own (a heading, a code block, a formula)."""
    block_id = token.attrs.get("id", "")
    if not block_id.startswith("^") or page.depth:
        return ""
    return f'<span class="vault-block-anchor" id="{_esc(block_id)}"></span>'


def _lightbox(img: str, src: str) -> str:
    """An image that opens in the lightbox (GLightbox, as mkdocs-glightbox wraps images)."""
    return (f'<a class="glightbox" href="{src}" data-type="image" data-width="auto" data-height="auto">'
            f"{img}</a>")


def _inside_link(tokens: list[Token], idx: int) -> bool:
    depth = 0
    for token in reversed(tokens[:idx]):
        if token.type == "link_close":
            depth -= 1
        elif token.type == "link_open":
            depth += 1
            if depth > 0:
                return True
    return False


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class Page:
    """What one page render needs: where the page is and how to reach every other file."""

    vault: Vault | None = None
    note: Note | None = None  # the note whose links are being resolved (the embedded one in an embed)
    url: str = ""  # the page's URL, relative to the site root ("Сокеты/")
    url_of: Callable[[str], str | None] = lambda rel: None  # site URL of a vault file
    tags_url: str | None = None  # the tags page; tags are links to it when set
    depth: int = 0  # embed depth: headings of embedded notes get no ids
    stack: list[str] = field(default_factory=list)
    code_blocks: int = 0
    has_math: bool = False
    raw_html: bool = False  # the page has some of a note's raw HTML: it must be sanitized
    skip: set[int] = field(default_factory=set)  # ids of paragraph_close tokens not to write
    site_pages: frozenset[str] = frozenset()  # URLs of the site's own pages (tags, graph), no "/" at the end
    checks: Callable[[Note], NoteChecks | None] = lambda note: None  # the last test run's proof (checks.py)

    def href(self, rel: str, fragment: str = "") -> str:
        """The URL of a vault file from this page, marked as ours for the sanitizer (sanitize.OWN)."""
        url = self.url_of(rel)
        if url is None:
            url = quote(rel)
        return OWN + relative_url(url, self.url) + (f"#{fragment}" if fragment else "")

    def raw_html_url(self, tag: str, attribute: str, url: str) -> str | None:
        """Where a relative URL of the note's raw HTML leads: the vault file it names, as a Markdown
        link to it would (None, and the attribute goes, when the vault has no such file)."""
        if self.vault is None or self.note is None:
            return url
        path = posixpath.normpath(posixpath.join(self.url.rsplit("/", 1)[0] if "/" in self.url else "", url))
        if path.partition("#")[0].rstrip("/") in self.site_pages:
            return url  # a page of the site's own, such as the tags page
        link = url_link(url, attribute == "src", fragment_only=False)
        found = self.vault.resolve(link, self.note) if link is not None else None
        if found is None:
            return None
        if found.note is not None:
            fragment = "^" + found.block if found.block else (found.heading.id if found.heading else "")
            return self.href(found.note.rel, fragment)[len(OWN):]
        return self.href(found.file)[len(OWN):]


def relative_url(url: str, base: str) -> str:
    """`url` as seen from the page at `base` (both relative to the site root), like MkDocs does."""
    base_dir = base.rsplit("/", 1)[0].split("/") if "/" in base else []
    target = url.split("/")
    common = 0
    while common < len(base_dir) and common < len(target) - 1 and base_dir[common] == target[common]:
        common += 1
    parts = [".."] * (len(base_dir) - common) + target[common:]
    rel = "/".join(parts)
    return quote(rel or "./", safe="/#%:@!$&'()*+,;=-._~") if rel else "./"


class Renderer:
    """markdown-it-py's HTML renderer with our rules for Obsidian's tokens and Material's markup."""

    def __init__(self):
        self.md = PARSER
        rules = {
            "fence": self.fence, "code_block": self.code_block, "heading_open": self.heading_open,
            "heading_close": self.heading_close, "wikilink": self.wikilink, "wikiembed": self.wikiembed,
            "tag": self.tag, "obsidian_comment": lambda *a: "", "callout_open": self.callout_open,
            "callout_close": self.callout_close, "callout_title_open": self.callout_title_open,
            "callout_title_close": self.callout_title_close, "link_open": self.link_open,
            "image": self.image, "math_inline": self.math_inline, "math_inline_double": self.math_block,
            "math_block": self.math_block, "paragraph_open": self.paragraph_open,
            "paragraph_close": self.paragraph_close, "footnote_block_open": self.footnote_block_open,
            "footnote_block_close": lambda *a: "</ol>\n</div>\n", "footnote_ref": self.footnote_ref,
            "front_matter": lambda *a: "", "list_item_open": self.block_open, "html_inline": self.html, "html_block": self.html,
            "task_checkbox": lambda tokens, idx, *a: tokens[idx].content,
        }
        self.renderer = type(self.md.renderer)(self.md)
        self.renderer.rules = dict(self.md.renderer.rules)  # the plugins' rules (footnotes, tasks…)
        for name, rule in rules.items():
            self.renderer.rules[name] = rule
        self._base = self.md.renderer.rules

    def render_tokens(self, tokens: list[Token], page: Page) -> str:
        return self.renderer.render(tokens, self.md.options, {"page": page})

    def _default(self, tokens, idx, options, env) -> str:
        return self.renderer.renderToken(tokens, idx, options, env)

    # -- code --------------------------------------------------------------------------------

    def fence(self, tokens, idx, options, env) -> str:
        return _block_anchor(tokens[idx], env["page"]) + self._fence(tokens, idx, options, env)

    def _fence(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        lang, attrs = shown_options(token.info.strip())
        if lang == "mermaid":
            return f'<pre class="mermaid"><code>{html.escape(token.content)}</code></pre>\n'
        title = attrs.get("title")
        if title is None and lang in PYTHON and "notest" not in token.info.split():
            title = TRY_IT_TITLE  # an untitled python block that runs is a check: say so above it
        code = self._highlight(token.content, lang, env["page"], title, attrs)
        page = env["page"]
        checks = page.checks(page.note) if page.note is not None and lang in PYTHON and token.map else None
        proof = checks.badge(token.map[0] + 1) if checks is not None else None
        if proof is not None:
            # The container says the block's state; the badge goes inside it, after the code.
            state, badge = proof
            code = code.replace("<div ", f'<div data-check="{state}" ', 1)
            code = code[:code.rindex("</div>")] + badge + "</div>\n"
        return code

    def code_block(self, tokens, idx, options, env) -> str:
        return _block_anchor(tokens[idx], env["page"]) + self._highlight(tokens[idx].content, "text", env["page"], None, {})

    @staticmethod
    def _highlight(source: str, lang: str, page: Page, title: str | None, attrs: dict) -> str:
        hl_lines = []
        for part in attrs.get("hl_lines", "").split():
            first, _, last = part.partition("-")
            if first.isdigit() and (not last or last.isdigit()):
                hl_lines += range(int(first), int(last or first) + 1)
        start = int(attrs["linenums"].split()[0]) if attrs.get("linenums", "").split()[:1] and \
            attrs["linenums"].split()[0].isdigit() else -1
        code = highlight_block(source, lang, page.code_blocks, title, hl_lines, start)
        page.code_blocks += 1
        return code + "\n"

    # -- headings ----------------------------------------------------------------------------

    def heading_open(self, tokens, idx, options, env) -> str:
        page, token = env["page"], tokens[idx]
        heading_id = token.meta.get("id") if page.depth == 0 else None
        attrs = f' id="{_esc(heading_id)}"' if heading_id else ""
        return f"<{token.tag}{attrs}>{_block_anchor(token, page)}"

    def heading_close(self, tokens, idx, options, env) -> str:
        page, token = env["page"], tokens[idx]
        opening = tokens[idx - 2]
        heading_id = opening.meta.get("id") if page.depth == 0 else None
        link = (f'<a class="headerlink" href="#{_esc(heading_id)}" title="{PERMALINK_TITLE}">¶</a>'
                if heading_id else "")
        return f"{link}</{token.tag}>\n"

    # -- links -------------------------------------------------------------------------------

    def _resolve(self, page: Page, link: Link) -> Target | None:
        if page.vault is None or page.note is None:
            return None
        return page.vault.resolve(link, page.note)

    @staticmethod
    def _link(token: Token, embed: bool) -> Link:
        m = token.meta
        return Link(0, embed, m["target"], m["anchor"], m["label"], m["raw"])

    def _note_href(self, page: Page, target: Target) -> str:
        fragment = ""
        if target.block:
            fragment = "^" + target.block
        elif target.heading:
            fragment = target.heading.id
        if target.note is page.note and page.depth == 0 and page.stack[:1] == [target.note.rel]:
            return "#" + fragment if fragment else OWN + "./"
        return page.href(target.note.rel, fragment)

    def wikilink(self, tokens, idx, options, env) -> str:
        page = env["page"]
        link = self._link(tokens[idx], False)
        target = self._resolve(page, link)
        name = link.target or (page.note.name if page.note else "")
        shown = link.label or (f"{name} › {link.anchor}" if link.anchor and link.target else link.anchor or name)
        if target is None:
            return (f'<span class="vault-unresolved" title="Заметки «{_esc(link.target)}» пока нет">'
                    f"{_esc(shown)}</span>")
        if target.note is None:
            return f'<a href="{_esc(page.href(target.file))}">{_esc(link.label or PurePosixPath(link.target).name)}</a>'
        return f'<a class="vault-link" data-preview="" href="{_esc(self._note_href(page, target))}">{_esc(shown)}</a>'

    def wikiembed(self, tokens, idx, options, env) -> str:
        page = env["page"]
        link = self._link(tokens[idx], True)
        target = self._resolve(page, link)
        if target is None:
            label = link.label or link.target
            return f'<span class="vault-unresolved" title="Файла «{_esc(link.target)}» пока нет">{_esc(label)}</span>'
        if target.note is not None:
            return self._embed_note(page, link, target)
        return self._embed_file(page, link, target)

    def _embed_file(self, page: Page, link: Link, target: Target) -> str:
        src = _esc(page.href(target.file))
        name = PurePosixPath(target.file).name
        label = link.label or ""
        size = SIZE.match(label)
        if target.kind == "image":
            alt = _esc(name if size or not label else label)
            dims = ""
            if size:
                dims = f' width="{size[1]}"' + (f' height="{size[2]}"' if size[2] else "")
            return _lightbox(f'<img src="{src}" alt="{alt}"{dims} loading="lazy">', src)
        if target.kind == "audio":
            return f'<audio class="vault-audio" controls preload="metadata" src="{src}"></audio>'
        if target.kind == "video":
            dims = f' width="{size[1]}"' if size else ""
            return f'<video class="vault-video" controls preload="metadata" src="{src}"{dims}></video>'
        if target.kind == "pdf":
            anchor = f"#{quote(link.anchor)}" if link.anchor else ""
            return (f'<iframe class="vault-pdf" src="{src}{anchor}" title="{_esc(name)}" loading="lazy"></iframe>'
                    f'<a class="vault-pdf__link" href="{src}">{_esc(name)}</a>')
        return f'<a href="{src}">{_esc(label or name)}</a>'

    def _embed_note(self, page: Page, link: Link, target: Target) -> str:
        note = target.note
        source_href = self._note_href(page, target)
        title = note.title + (f" › {target.heading.plain}" if target.heading else "")
        if page.depth >= MAX_EMBED_DEPTH or note.rel in page.stack:
            return f'<a class="vault-link" href="{_esc(source_href)}">{_esc(title)}</a>'
        if target.block:
            start, end = note.block_range(target.block)
        elif target.heading:
            start, end = note.section_range(target.heading)
        else:
            start, end = 0, note.body_end
        inner = Page(page.vault, note, page.url, page.url_of, page.tags_url, page.depth + 1,
                     [*page.stack, note.rel], page.code_blocks, site_pages=page.site_pages, checks=page.checks)
        body = self.render_tokens(note.tokens[start:end], inner)
        page.code_blocks, page.has_math = inner.code_blocks, page.has_math or inner.has_math
        page.raw_html = page.raw_html or inner.raw_html
        return (f'<div class="vault-embed"><p class="vault-embed__source">'
                f'<a class="vault-link" href="{_esc(source_href)}">{_esc(title)}</a></p>\n{body}</div>\n')

    def paragraph_open(self, tokens, idx, options, env) -> str:
        """A paragraph that is one embed of a note becomes the embed's block (no <p> around it)."""
        inline = tokens[idx + 1] if idx + 1 < len(tokens) else None
        if inline is not None and inline.children and not tokens[idx].hidden:
            kids = [c for c in inline.children if not (c.type == "text" and not c.content.strip())]
            if len(kids) == 1 and kids[0].type == "wikiembed":
                target = self._resolve(env["page"], self._link(kids[0], True))
                if target is not None and target.note is not None:
                    env["page"].skip.add(id(tokens[idx + 2]))
                    return ""
        return self.block_open(tokens, idx, options, env)

    def block_open(self, tokens, idx, options, env) -> str:
        """Block ids are anchors of the note that has them, not of the notes that embed it."""
        token = tokens[idx]
        if env["page"].depth and token.attrs.get("id", "").startswith("^"):
            token = _copy(token)
            token.attrs.pop("id")
            return self._default([token], 0, options, env)
        return self._default(tokens, idx, options, env)

    def paragraph_close(self, tokens, idx, options, env) -> str:
        if id(tokens[idx]) in env["page"].skip:
            env["page"].skip.discard(id(tokens[idx]))
            return ""
        return self._default(tokens, idx, options, env)

    def link_open(self, tokens, idx, options, env) -> str:
        """A Markdown link to a note or file is resolved by Obsidian's rules, like a wiki-link."""
        token = tokens[idx]
        link = self._markdown_link(token, "href")
        if link is not None:
            page = env["page"]
            target = self._resolve(page, link)
            if target is None and page.vault is not None:
                token = _copy(token)  # no dead href: an <a> without one, marked as a missing note
                token.attrs.pop("href", None)
                token.attrSet("class", "vault-unresolved")
                return self._default([token], 0, options, env)
            if target is not None:
                token = _copy(token)
                href = self._note_href(page, target) if target.note else page.href(target.file)
                token.attrSet("href", href)
                return self._default([token], 0, options, env)
        # Any other URL markdown-it has already vetted (validateLink): the sanitizer keeps it as it
        # is, so a link reads the same on a page with raw HTML and on one without.
        token = _copy(token)
        token.attrSet("href", OWN + (token.attrGet("href") or ""))
        return self._default([token], 0, options, env)

    def image(self, tokens, idx, options, env) -> str:
        token = _copy(tokens[idx])
        link = self._markdown_link(token, "src")
        if link is not None:
            target = self._resolve(env["page"], link)
            if target is not None and target.file:
                token.attrSet("src", env["page"].href(target.file))
        else:
            token.attrSet("src", OWN + (token.attrGet("src") or ""))  # vetted by markdown-it, as links
        alt = plain_text(token.children)
        # Obsidian sizes a Markdown image by its alt text: ![alt|300](x.png), ![|300x200](x.png).
        alt_text, bar, size = alt.rpartition("|")
        if bar and SIZE.match(size.strip()):
            width, height = SIZE.match(size.strip()).groups()
            token.attrSet("width", width)
            if height:
                token.attrSet("height", height)
            alt = alt_text.strip()
        token.attrSet("alt", alt)
        attrs = "".join(f' {k}="{_esc(str(v))}"' for k, v in token.attrs.items())
        if _inside_link(tokens, idx):
            return f"<img{attrs}>"
        return _lightbox(f"<img{attrs}>", _esc(token.attrGet("src") or ""))

    @staticmethod
    def _markdown_link(token: Token, attr: str) -> Link | None:
        return url_link(token.attrGet(attr) or "", attr == "src")

    def html(self, tokens, idx, options, env) -> str:
        """Raw HTML as written, but an `<img>` (or player, or frame) of a file the vault lacks is
        its alt text, not a broken image (the check and the build name the note and line)."""
        content = tokens[idx].content
        page = env["page"]
        page.raw_html = True
        if "src" not in content:
            return content

        def missing(tag: str, attrs: dict[str, str]) -> bool:
            src = attrs.get("src") or ""
            return (tag in MEDIA_TAGS and url_link(src, True, fragment_only=False) is not None
                    and page.raw_html_url(tag, "src", src) is None)

        return replace_start_tags(content, missing, lambda tag, attrs: _esc(attrs.get("alt", "")))

    def tag(self, tokens, idx, options, env) -> str:
        page, name = env["page"], tokens[idx].content
        if page.tags_url is None:
            return f'<span class="md-tag vault-tag">#{_esc(name)}</span>'
        href = OWN + relative_url(page.tags_url, page.url) + "#" + tag_slug(name)
        return f'<a class="md-tag vault-tag" href="{_esc(href)}">#{_esc(name)}</a>'

    # -- callouts ------------------------------------------------------------------------------

    def callout_open(self, tokens, idx, options, env) -> str:
        meta = tokens[idx].meta
        kind = CALLOUT_TYPES.get(meta["kind"], "note")
        classes = f"{kind} vault-callout" + ("" if kind == meta["kind"] else f" vault-callout--{_esc(meta['kind'])}")
        block_id = tokens[idx].attrs.get("id")
        anchor = f' id="{_esc(block_id)}"' if block_id and not env["page"].depth else ""
        if meta["fold"]:
            return f'<details class="{classes}"{anchor}{" open" if meta["fold"] == "+" else ""}>\n'
        return f'<div class="admonition {classes}"{anchor}>\n'

    def callout_close(self, tokens, idx, options, env) -> str:
        return "</details>\n" if tokens[idx].meta["fold"] else "</div>\n"

    def callout_title_open(self, tokens, idx, options, env) -> str:
        meta = tokens[idx].meta
        opening = "<summary>" if meta["fold"] else '<p class="admonition-title">'
        if not meta["title"]:
            return opening + _esc(meta["kind"].capitalize())
        return opening

    def callout_title_close(self, tokens, idx, options, env) -> str:
        return "</summary>\n" if tokens[idx].meta["fold"] else "</p>\n"

    # -- math and footnotes --------------------------------------------------------------------

    def math_inline(self, tokens, idx, options, env) -> str:
        env["page"].has_math = True
        return f'<span class="arithmatex">\\({html.escape(tokens[idx].content)}\\)</span>'

    def math_block(self, tokens, idx, options, env) -> str:
        env["page"].has_math = True
        return _block_anchor(tokens[idx], env["page"]) + f'<div class="arithmatex">\\[{html.escape(tokens[idx].content)}\\]</div>\n'

    def footnote_block_open(self, tokens, idx, options, env) -> str:
        return '<div class="footnote">\n<hr>\n<ol>\n'

    def footnote_ref(self, tokens, idx, options, env) -> str:
        meta = tokens[idx].meta
        number = meta["id"] + 1
        sub = f":{meta['subId']}" if meta.get("subId", 0) > 0 else ""
        return (f'<sup class="footnote-ref" id="fnref{number}{sub}">'
                f'<a href="#fn{number}">{number}</a></sup>')


RENDERER = Renderer()


@dataclass
class Rendered:
    html: str
    toc: list[dict]  # Python-Markdown toc_tokens: level, id, name, children
    has_math: bool


def render_note(note: Note, vault: Vault | None = None, url: str = "", url_of=lambda rel: None,
                tags_url: str | None = None, site_pages: frozenset[str] = frozenset(),
                checks=lambda note: None) -> Rendered:
    """The page of a note: its text, then the footer; headings numbered as the TOC shows them."""
    for heading in note.headings:
        note.tokens[heading.token].meta["id"] = heading.id
    page = Page(vault, note, url, url_of, tags_url, 0, [note.rel], site_pages=site_pages, checks=checks)
    tokens = note.tokens
    body = RENDERER.render_tokens(tokens[:note.body_end] + tokens[note.notes_start:], page)
    if note.body_end < note.notes_start:
        body += footer_html(note, page)
    toc = nest([{"level": h.level, "id": h.id, "name": html.escape(h.plain), "children": []}
                for h in note.headings if h.token < note.body_end])
    # Without raw HTML there is nothing to clean: every tag is ours and escapes its text, and
    # markdown-it refuses javascript:, vbscript:, file: and data: links (its validateLink).
    # (A `"` in text or code is always escaped, so `"vault-own:` can only open one of our URLs.)
    html_out = clean(body, page.raw_html_url) if page.raw_html else body.replace(f'="{OWN}', '="')
    return Rendered(html_out, toc, page.has_math)


def footer_html(note: Note, page: Page) -> str:
    """The house footer as labelled rows (Relations, Tags, References, Query)."""
    rows = [row for row in note.footer.rows if any(c.content.strip() or c.type != "text" for c in row.children)]
    out = []
    for i, row in enumerate(rows):
        place = (" vault-footer__row--first" if i == 0 else "") + (" vault-footer__row--last" if i == len(rows) - 1 else "")
        out.append(f'<p class="vault-footer__row vault-footer__row--{row.key.lower()}{place}">'
                   f"<strong>{FOOTER_LABELS[row.key]}</strong> {_row_html(row, page)}</p>")
    return "\n".join(out) + "\n"


def _row_html(row: FooterRow, page: Page) -> str:
    if row.key == "Query":
        return f"<code>{html.escape(plain_text(row.children).strip())}</code>"
    return RENDERER.renderer.renderInline(row.children, RENDERER.md.options, {"page": page}).strip()


def nest(flat: list[dict]) -> list[dict]:
    """A flat list of headings as the tree Python-Markdown's toc_tokens is."""
    tokens: list[dict] = []
    stack: list[dict] = []
    for item in flat:
        while stack and stack[-1]["level"] >= item["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else tokens).append(item)
        stack.append(item)
    return tokens


def render_markdown(text: str) -> str:
    """A standalone note's HTML (no vault: wiki-links stay unresolved), as the site renders it."""
    return render_note(Note("note.md", text, PurePosixPath("note.md"))).html


def tag_slug(tag: str) -> str:
    """The anchor of a tag on the tags page, as Material's tags plugin makes it with
    `tags_hierarchy: true`: each level slugified (pymdownx's slugify, lower case), joined by "/"."""
    return "tag:" + "/".join(_SLUGIFY(part, "-") for part in tag.split("/"))


_SLUGIFY = slugify(case="lower")
__all__ = ["render_note", "render_markdown", "Rendered", "tag_slug", "relative_url", "unique_id"]
