"""One note as Obsidian reads it: front matter, links, tags, headings, block ids, code, footer.

Everything here comes from the one parse (tools/vault/markdown.py); line numbers are 1-based lines
of the file, front matter included, as an editor shows them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import yaml
from markdown.extensions.toc import slugify_unicode
from markdown_it.token import Token

from tools.vault.blocks import Block, parse_info
from tools.vault.markdown import pack, parse, unpack

FOOTER_KEYS = ("Relations", "Tags", "References", "Query")
FOOTER_ROW = re.compile(r"^(Relations|Tags|References|Query):(.*)$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
DUPLICATE_ID = re.compile(r"^(.*)_([0-9]+)$")
CONTAINER = re.compile(r"^(?:[ \t]*>)*[ \t]*")


def norm(name: str) -> str:
    """How Obsidian compares names: case-insensitively, Unicode-normalised."""
    return unicodedata.normalize("NFC", name).strip().casefold()


def heading_key(text: str) -> str:
    """How a link's `#Heading` meets a heading: Obsidian writes `#|^:[]` of a heading as spaces."""
    return " ".join(re.sub(r"[#|^:\[\]%]", " ", norm(text)).split())


def unique_id(slug: str, used: set[str]) -> str:
    """Python-Markdown's toc de-duplication (`x`, `x_1`, `x_2`…), so ids match the site's TOC."""
    while slug in used or not slug:
        match = DUPLICATE_ID.match(slug)
        slug = f"{match[1]}_{int(match[2]) + 1}" if match else f"{slug}_1"
    used.add(slug)
    return slug


@dataclass(frozen=True)
class Link:
    """A wiki-link, an embed, or a Markdown link or image that points into the vault."""

    line: int
    embed: bool
    target: str  # "" for a link inside the same note
    anchor: str | None  # heading text, or "^id" for a block
    label: str | None
    raw: str
    markdown: bool = False  # [label](target) rather than [[target]]


def url_link(dest: str, embed: bool, line: int = 0, label: str | None = None, raw: str | None = None,
             fragment_only: bool = True) -> Link | None:
    """The Link a Markdown link's or raw HTML's URL makes (resolved by the vault as a wiki-link
    is), or None for a URL that leaves the vault: a scheme, `//host`, or (fragment_only False, as
    raw HTML is read) a bare `#fragment` or an absolute `/path`."""
    dest = dest.strip()
    if not dest or SCHEME.match(dest) or (not fragment_only and dest.startswith(("#", "/"))):
        return None
    target, _, anchor = unquote(dest).partition("#")
    return Link(line, embed, target.strip(), anchor.strip() or None, label, raw or dest, True)


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    source: str  # as written (a link's #anchor is compared with this)
    plain: str  # as shown
    id: str  # the id of the heading on the site
    token: int  # index of heading_open in the note's tokens


@dataclass(frozen=True)
class Tag:
    name: str
    line: int


@dataclass
class FooterRow:
    key: str
    line: int
    children: list[Token]  # the inline tokens of the value


@dataclass
class Footer:
    line: int  # the `___` line
    token: int  # index of the hr in the note's tokens
    rows: list[FooterRow] = field(default_factory=list)
    complete: bool = True  # nothing but footer rows after the line


def plain_text(children: list[Token] | None) -> str:
    """Inline tokens as the reader sees the words (links by their label, code by its text)."""
    out = []
    for child in children or []:
        kind = child.type
        if kind in ("text", "code_inline", "math_inline", "math_inline_double"):
            out.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind in ("wikilink", "wikiembed"):
            meta = child.meta
            out.append(meta["label"] or meta["target"] or meta["anchor"] or "")
        elif kind == "tag":
            out.append("#" + child.content)
        elif kind == "image":
            out.append(plain_text(child.children))
    return "".join(out)


class Note:
    """A note of the vault. `rel` is its path inside the vault, with "/"."""

    def __init__(self, rel: str, source: str, path: Path):
        self.rel, self.source, self.path = rel, source, path

    def __repr__(self) -> str:
        return f"Note({self.rel!r})"

    @cached_property
    def tokens(self) -> list[Token]:
        packed = self.__dict__.pop("_packed", None)
        return unpack(packed) if packed is not None else parse(self.source)

    # What holds the parse's tokens: they are most of a note's memory (~47 KB of ~56 KB for a
    # note of the bench's vaults), the rest of the model only a few KB.
    _HOLD_TOKENS = ("tokens", "_inline", "footer", "_packed")

    def release_tokens(self) -> None:
        """Let go of the parse's tokens (and of their packed form); the links, headings, block ids
        and the rest found in them stay. A later reader of `tokens` (an embed of this note, say)
        parses the note again, to the same tokens, so the indices the model keeps (Heading.token,
        body_end) still hold. The site calls it once a note is rendered: a vault of 10,000 notes
        cannot keep every parse to the end of the build."""
        for name in self._HOLD_TOKENS:
            self.__dict__.pop(name, None)

    def pack_tokens(self) -> None:
        """Keep the parse as bytes (markdown.pack, a quarter of the tokens' memory) and let go of
        the tokens: the next reader of `tokens` gets them back from the bytes at about a quarter of
        the cost of a parse (the site: the note's render, after every note was read)."""
        packed = pack(self.tokens) if "tokens" in self.__dict__ else None
        self.release_tokens()
        if packed is not None:
            self._packed = packed

    def find_all(self) -> Note:
        """Work out now everything the vault asks of a note: what the other notes' links resolve
        against (title, aliases, headings, block ids), what its own links, tags, code and raw HTML
        are (the check, the graph, the backlinks) and where its text ends. After it,
        release_tokens() or pack_tokens() costs no second parse until the note itself is rendered."""
        for name in ("title", "aliases", "links", "html_links", "tags", "headings", "block_ids",
                     "code_blocks", "raw_html", "body_end"):
            getattr(self, name)
        return self

    @cached_property
    def name(self) -> str:
        return PurePosixPath(self.rel).stem

    @cached_property
    def folder(self) -> str:
        return str(PurePosixPath(self.rel).parent).replace(".", "", 1) if "/" in self.rel else ""

    @cached_property
    def meta(self) -> dict:
        """The YAML front matter (Obsidian's properties); {} when there is none or it is broken."""
        for token in self.tokens[:1]:
            if token.type == "front_matter":
                try:
                    meta = yaml.safe_load(token.content) or {}
                except yaml.YAMLError:
                    return {}
                return meta if isinstance(meta, dict) else {}
        return {}

    @cached_property
    def title(self) -> str:
        return str(self.meta.get("title") or self.name)

    @cached_property
    def aliases(self) -> list[str]:
        return _as_list(self.meta.get("aliases") or self.meta.get("alias"))

    # -- what the parse found ----------------------------------------------------------------

    @cached_property
    def _inline(self) -> list[tuple[int, Token]]:
        """(index, token) of every inline token, with its first line set."""
        return [(i, t) for i, t in enumerate(self.tokens) if t.type == "inline"]

    def _children(self, kinds: tuple[str, ...]):
        """(line, child) of the inline tokens of these kinds, in order, images' alt text included."""
        for _, token in self._inline:
            start = token.map[0] + 1 if token.map else 1
            offset = 0
            stack = [(child, None) for child in reversed(token.children or [])]
            while stack:
                child, inherited = stack.pop()
                if child.type in ("softbreak", "hardbreak") and inherited is None:
                    offset += 1
                line = start + child.meta["line"] if "line" in (child.meta or {}) else (inherited or start + offset)
                if child.type in kinds:
                    yield line, child
                if child.children:
                    stack.extend((c, line) for c in reversed(child.children))

    @cached_property
    def links(self) -> list[Link]:
        links = []
        for line, child in self._children(("wikilink", "wikiembed", "link_open", "image")):
            if child.type in ("wikilink", "wikiembed"):
                m = child.meta
                links.append(Link(line, child.type == "wikiembed", m["target"], m["anchor"], m["label"], m["raw"]))
                continue
            dest = child.attrGet("href" if child.type == "link_open" else "src") or ""
            label = plain_text(child.children) if child.type == "image" else None
            raw = f"[{label or '…'}]({dest})" if child.type == "link_open" else f"![{label}]({dest})"
            link = url_link(dest, child.type == "image", line, label, raw)
            if link is not None:
                links.append(link)
        return links

    @cached_property
    def html_links(self) -> list[Link]:
        """The relative `href`s and `src`s of the note's raw HTML: links into the vault too."""
        links = []
        for line, fragment in self.raw_html:
            if "=" not in fragment:
                continue
            for tag, attrs in html_start_tags(fragment):
                for attr in ("href", "src"):
                    dest = (attrs.get(attr) or "").strip()
                    link = url_link(dest, attr == "src", line, None, f'<{tag} {attr}="{dest}">', fragment_only=False)
                    if link is not None:
                        links.append(link)
        return links

    @cached_property
    def tags(self) -> list[Tag]:
        tags = [Tag(t.lstrip("#"), 1) for t in _as_list(self.meta.get("tags"))]
        seen = {t.name for t in tags}
        for line, child in self._children(("tag",)):
            if child.content not in seen:
                seen.add(child.content)
                tags.append(Tag(child.content, line))
        return tags

    @cached_property
    def tag_lines(self) -> list[Tag]:
        """Every tag where it is written, repeats included (the footer's own tags, say)."""
        return [Tag(child.content, line) for line, child in self._children(("tag",))]

    @cached_property
    def headings(self) -> list[Heading]:
        used: set[str] = set()
        found = []
        for index, token in enumerate(self.tokens):
            if token.type != "heading_open":
                continue
            inline = self.tokens[index + 1]
            plain = plain_text(inline.children).strip()
            found.append(Heading(
                token.map[0] + 1, int(token.tag[1]), inline.content.strip(), plain,
                unique_id(slugify_unicode(plain, "-"), used), index,
            ))
        return found

    def heading(self, anchor: str) -> Heading | None:
        key = heading_key(anchor)
        return next((h for h in self.headings if heading_key(h.source) == key), None)

    @cached_property
    def block_ids(self) -> dict[str, int]:
        """block id → index of the token that carries it."""
        return {t.meta["block_id"]: i for i, t in enumerate(self.tokens) if t.meta and "block_id" in t.meta}

    def block_range(self, block_id: str) -> tuple[int, int] | None:
        """[start, end) of the tokens of the block with this id."""
        start = self.block_ids.get(block_id)
        if start is None:
            return None
        token = self.tokens[start]
        if token.nesting == 0:
            return start, start + 1
        depth = 0
        for end in range(start, len(self.tokens)):
            depth += self.tokens[end].nesting
            if depth == 0:
                return start, end + 1
        return start, len(self.tokens)

    def section_range(self, heading: Heading) -> tuple[int, int]:
        """[start, end) of a heading and what it covers, to the next heading of its level or above."""
        end = self.body_end
        for other in self.headings:
            if other.token > heading.token and other.level <= heading.level:
                end = min(end, other.token)
                break
        return heading.token, max(end, heading.token + 3)

    @cached_property
    def code_blocks(self) -> list[Block]:
        lines = self.source.splitlines()
        blocks = []
        for token in self.tokens:
            if token.type != "fence" or not token.map:
                continue
            lang, options, attrs = parse_info(token.info)
            start, end = token.map
            # The closing fence as written, without the `>` and indentation of a callout or list.
            last = CONTAINER.sub("", lines[end - 1]).strip() if end - 1 < len(lines) and end - start > 1 else ""
            closed = bool(last) and set(last) == {token.markup[0]} and len(last) >= len(token.markup)
            blocks.append(Block(self.path, start + 1, lang, list(options), attrs.get("title"),
                                token.content, closed, attrs))
        return blocks

    @cached_property
    def raw_html(self) -> list[tuple[int, str]]:
        """(line, HTML) of every piece of raw HTML the note writes."""
        found = [(t.map[0] + 1, t.content) for t in self.tokens if t.type == "html_block" and t.map]
        found += [(line, child.content) for line, child in self._children(("html_inline",))]
        return sorted(found)

    # -- the house footer ----------------------------------------------------------------------

    @cached_property
    def footer(self) -> Footer | None:
        """The last top-level `___` (or other thematic break) and the footer rows after it."""
        hrs = [i for i, t in enumerate(self.tokens) if t.type == "hr" and t.level == 0]
        if not hrs:
            return None
        start = hrs[-1]
        footer = Footer(self.tokens[start].map[0] + 1, start)
        for token in self.tokens[start + 1:self.notes_start]:
            if token.type in ("paragraph_open", "paragraph_close"):
                continue
            if token.type != "inline":
                footer.complete = False
                continue
            for offset, children in enumerate(_split_lines(token.children or [])):
                text = plain_text(children[:1]) if children else ""
                match = FOOTER_ROW.match(text)
                if not match:
                    footer.complete = False
                    continue
                value = list(children)
                value[0] = _without_prefix(value[0], len(match[1]) + 1)
                footer.rows.append(FooterRow(match[1], token.map[0] + 1 + offset, value))
        return footer

    @cached_property
    def notes_start(self) -> int:
        """Index of the footnotes, which the parser puts after everything else (or the end)."""
        return next((i for i, t in enumerate(self.tokens) if t.type == "footnote_block_open"), len(self.tokens))

    @cached_property
    def body_end(self) -> int:
        """Index of the first token after the note's own text (the footer is not part of it)."""
        footer = self.footer
        if footer is not None and footer.complete and footer.rows:
            return footer.token
        return self.notes_start

    @cached_property
    def link_lists(self) -> list[tuple[str, list[Link]]]:
        """Each top-level list whose items open with a wiki-link, under the heading before it:
        (heading, the links that open its items). A hub's lists are the reading order."""
        found: list[tuple[str, list[Link]]] = []
        heading, depth, current = "", 0, None
        by_line = {}
        for link in self.links:
            by_line.setdefault(link.line, link)
        for index, token in enumerate(self.tokens[:self.body_end]):
            if token.type == "heading_open" and depth == 0:
                heading = plain_text(self.tokens[index + 1].children).strip()
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                depth += 1
                if depth == 1:
                    current = []
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
                if depth == 0 and current:
                    found.append((heading, current))
                    current = None
            elif token.type == "inline" and depth == 1 and current is not None and self.tokens[index - 2].type == "list_item_open":
                first = next((c for c in token.children or [] if c.type != "text" or c.content.strip()), None)
                if first is not None and first.type == "wikilink":
                    link = by_line.get(token.map[0] + 1)
                    if link is not None and not link.embed:
                        current.append(link)
        return found

    def summary(self) -> str:
        """The first paragraph of the note, as plain text (previews and the home page show it)."""
        for index, token in enumerate(self.tokens[:self.body_end]):
            if token.type == "paragraph_open" and token.level == 0 and not token.hidden:
                text = plain_text(self.tokens[index + 1].children).strip()
                if text:
                    return text
        return ""


class _StartTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str], tuple[int, int], str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in reversed(attrs)}  # the first one wins
        self.found.append((tag, attributes, self.getpos(), self.get_starttag_text() or ""))

    handle_startendtag = handle_starttag


def _start_tags(fragment: str):
    parser = _StartTags()
    parser.feed(fragment)
    parser.close()
    return parser.found


def html_start_tags(fragment: str) -> list[tuple[str, dict[str, str]]]:
    """(tag, attributes) of each start tag of a piece of HTML (the stdlib's HTML tokenizer)."""
    return [(tag, attrs) for tag, attrs, _, _ in _start_tags(fragment)]


def replace_start_tags(fragment: str, which, by) -> str:
    """The fragment with each start tag for which which(tag, attrs) holds replaced by by(tag, attrs)."""
    starts = [0]
    for line in fragment.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    out, pos = [], 0
    for tag, attrs, (line, column), text in _start_tags(fragment):
        if which(tag, attrs):
            at = starts[line - 1] + column
            out += [fragment[pos:at], by(tag, attrs)]
            pos = at + len(text)
    return "".join(out) + fragment[pos:] if out else fragment


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value)]


def _split_lines(children: list[Token]) -> list[list[Token]]:
    lines: list[list[Token]] = [[]]
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(child)
    return [line for line in lines if line]


def _without_prefix(token: Token, length: int) -> Token:
    copy = token.copy()
    copy.content = token.content[length:].lstrip()
    return copy
