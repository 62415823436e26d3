"""Obsidian syntax rewritten into Markdown that Python-Markdown understands, plus placeholders for
links. Text in, text out; no MkDocs objects, so it can move with us (to Zensical, say).

What it does, outside code only:
- strips the test runner's tokens from fence info strings (`continuation`, `notest`, `fixture:…`),
  keeping the title, so that superfences renders every block with its title;
- wiki-links: `\\|` inside tables, frontmatter aliases, Obsidian's case-insensitive names, and links
  to notes that do not exist yet (rendered as marked text, reported through `warn`);
- `![[Note]]` and `![[Note#Section]]` transcluded in place; `![[img.png|300]]`, `|300x200` sized;
- inline `#tags` as links to the tags page, styled as Material's tag chips;
- the house footer (Relations / Tags / References / Query) as a labelled block.

Links to notes and tags in prose become placeholder words (`Context.links` says what each one is);
tools/site/hooks.py puts the final `<a>` in after the Markdown conversion, once every page's
headings are known. Why not let Python-Markdown and mkdocs-obsidian-bridge render them: a note has
a dozen such links, and parsing, re-resolving and re-validating each one made the build 1.6 times
slower than plain Material (`make bench-site`); our index has already resolved and checked them.
Links in headings (the table of contents shows them) and links to files and images stay Markdown
links, which MkDocs resolves and validates itself.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Callable
from urllib.parse import quote

from markdown.extensions.toc import slugify_unicode

from pymdownx.slugs import slugify

from tools.site.vault import (
    FENCE_OPEN, FOOTER_ROW, HEADING_LINE, IMAGE_SUFFIXES, TAG, WIKILINK, Note, Vault, WikiLink,
    norm, strip_test_tokens,
)

SIZE = re.compile(r"^(\d+)(?:x(\d+))?$")
EMBED_LINE = re.compile(r"^(\s*(?:>\s*)*)!\[\[([^\[\]\n]+?)\]\]\s*$")
MAX_EMBED_DEPTH = 4
FOOTER_LABELS = {
    "Relations": "Связи",
    "Tags": "Теги",
    "References": "Источники",
    "Query": "Запрос",
}
TRY_IT_TITLE = "Проверка"

# A placeholder for a link: letters and digits only, so no Markdown extension touches it.
LINK_TOKEN = "vaultlink7e3a{}z"
LINK_TOKEN_RE = re.compile(r"vaultlink7e3a(\d+)z")


@dataclass(frozen=True)
class PageLink:
    """What a placeholder stands for."""

    label: str
    note: str | None = None  # the target note's src_uri; None with a tag
    heading: str | None = None  # the heading's text as written in the target note
    tag: str | None = None  # a link to this tag on the tags page


def fill_links(content: str, links: list[PageLink], render: Callable[[PageLink], str]) -> str:
    """Put the rendered `<a>` of each link in place of its placeholder."""
    if "vaultlink7e3a" not in content:
        return content
    return LINK_TOKEN_RE.sub(lambda m: render(links[int(m[1])]), content)


def heading_slug(text: str) -> str:
    """The id Python-Markdown's toc (with slugify_unicode) gives a heading, before de-duplication."""
    plain = WIKILINK.sub(lambda m: (m[2].replace("\\|", "|").partition("|")[2] or m[2]), text)
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", plain)
    return slugify_unicode(plain, "-")


def _markdown_text(text: str) -> str:
    """Text for the brackets of a Markdown link or image: its own brackets escaped."""
    return re.sub(r"([\[\]\\])", r"\\\1", text)


def tag_slug(tag: str) -> str:
    """The anchor of a tag on the tags page, as Material's tags plugin makes it with
    `tags_hierarchy: true`: each level slugified (pymdownx's slugify, lower case), joined by "/"."""
    return "tag:" + "/".join(_SLUGIFY(part, "-") for part in tag.split("/"))


_SLUGIFY = slugify(case="lower")


@dataclass
class Context:
    """One page being rendered."""

    vault: Vault
    note: Note
    warn: Callable[[str], None] = lambda message: None
    where: str = ""  # how messages name the page, e.g. "vault/Сокеты.md"
    line: int = 0  # the line of the page being rendered, for messages (1-based)
    links: list[PageLink] = field(default_factory=list)  # what the placeholders in render() stand for
    _stack: list[str] = field(default_factory=list)
    _in_heading: bool = False

    def render(self) -> str:
        note = self.note
        self._stack = [note.src_uri]
        end = note.footer_start if note.footer_start is not None else len(note.text.lines)
        lines = self._lines(note, 0, end, depth=0)
        if note.footer_start is not None:
            lines += self._footer(note)
        return "\n".join(lines)

    # -- lines ---------------------------------------------------------------------------------

    def _lines(self, note: Note, start: int, end: int, depth: int) -> list[str]:
        text = note.text
        fences = dict(text.fences)
        code = text.code_lines
        out: list[str] = []
        for index in range(start, end):
            line = text.lines[index]
            if depth == 0:
                self.line = index + 1
            if index in code:
                out.append(self._fence_line(line, fences[index]) if index in fences else line)
                continue
            embed = EMBED_LINE.match(line) if "![[" in line else None
            if embed:
                out.extend(self._embed(note, embed[1], WikiLink.parse("!", embed[2]), depth))
                continue
            out.append(self._prose(note, line))
        return out

    def _fence_line(self, line: str, info: str) -> str:
        match = FENCE_OPEN.match(line)
        if not match or not info.strip():
            return line
        stripped = strip_test_tokens(info)
        tokens = info.split()
        if "title=" not in stripped and "continuation" in tokens and tokens[0] in ("python", "py"):
            stripped += f' title="{TRY_IT_TITLE}"'  # a try-it block: say so above it
        return f"{match[1]}{match[2]}{stripped}"

    def _prose(self, note: Note, line: str) -> str:
        if "[[" not in line and "#" not in line:
            return line
        heading = bool(HEADING_LINE.match(line))
        pieces = []
        self._in_heading = heading
        try:
            for is_text, piece in note.text.prose_segments(line):
                if is_text:
                    piece = self._wikilinks(note, piece)
                    if not heading and "#" in piece:
                        piece = self._tags(piece)
                pieces.append(piece)
        finally:
            self._in_heading = False
        return "".join(pieces)

    # -- wiki-links ----------------------------------------------------------------------------

    def _wikilinks(self, note: Note, text: str) -> str:
        if "[[" not in text:
            return text
        out, pos = [], 0
        for match in WIKILINK.finditer(text):
            out.append(text[pos:match.start()])
            out.append(self._link(note, WikiLink.parse(match[1], match[2])))
            pos = match.end()
        out.append(text[pos:])
        return "".join(out)

    def _link(self, note: Note, link: WikiLink) -> str:
        if link.is_file:
            return self._file_link(link)
        if not link.target:  # [[#Heading]]: a heading of the note this text belongs to
            if note is self.note and link.heading:
                if not any(norm(h) == norm(link.heading) for _, _, h in note.text.headings):
                    self.warn(f"{self.where}:{self.line}: [[#{link.heading}]]: this note has no such heading "
                              "— use the exact heading text")
                    return f'<span class="vault-unresolved">{html.escape(link.label or link.heading)}</span>'
                return self._note_link(note, self._heading_text(note, link.heading), link.label or link.heading)
            link = WikiLink(link.embed, note.name, link.heading, link.label)
        target = self.vault.resolve(link.target, note)
        shown = link.label or (f"{link.target} › {link.heading}" if link.heading else link.target)
        if target is None:
            self.warn(
                f"{self.where}:{self.line}: [[{link.target}]] names no note of the vault — write the note, "
                "or fix the name (links are rendered as unresolved text until then)"
            )
            return (
                f'<span class="vault-unresolved" title="Заметки «{html.escape(link.target)}» пока нет">'
                f"{html.escape(shown)}</span>"
            )
        heading = link.heading
        if heading and not any(norm(h) == norm(heading) for _, _, h in target.text.headings):
            self.warn(
                f"{self.where}:{self.line}: [[{link.target}#{heading}]]: the note has no heading "
                f"«{heading}» — use the exact heading text"
            )
            heading = None
        return self._note_link(target, self._heading_text(target, heading) if heading else None, shown)

    def _note_link(self, target: Note, heading: str | None, label: str) -> str:
        """A placeholder in prose; in a heading (the table of contents shows it), a Markdown link."""
        if self._in_heading:
            fragment = f"#{heading_slug(heading)}" if heading else ""
            return f"[{label}]({self._relative(target.src_uri)}{fragment})"
        self.links.append(PageLink(label, note=target.src_uri, heading=heading))
        return LINK_TOKEN.format(len(self.links) - 1)

    def _relative(self, src_uri: str) -> str:
        """A vault path as a Markdown link from the page being rendered (MkDocs makes it a URL)."""
        page_dir = posixpath.dirname(self.note.src_uri) or "."
        return quote(posixpath.relpath(src_uri, page_dir))

    @staticmethod
    def _heading_text(target: Note, heading: str) -> str:
        for _, _, text in target.text.headings:
            if norm(text) == norm(heading):
                return text
        return heading

    def _file_link(self, link: WikiLink) -> str:
        found = self.vault.resolve_file(link.target)
        if found is None:
            self.warn(f"{self.where}:{self.line}: [[{link.target}]] names no file of the vault — add it or fix the name")
            return f'<span class="vault-unresolved">{html.escape(link.label or link.target)}</span>'
        suffix = PurePosixPath(found).suffix.lower()
        path = self._relative(found)
        if link.embed and suffix in IMAGE_SUFFIXES:
            size = SIZE.match(link.label or "")
            alt = _markdown_text(PurePosixPath(found).name if size or not link.label else link.label)
            if size:
                attrs = f'width="{size[1]}"' + (f' height="{size[2]}"' if size[2] else "")
                return f"![{alt}]({path}){{ {attrs} }}"
            return f"![{alt}]({path})"
        label = link.label or PurePosixPath(link.target).name
        return f"[{_markdown_text(label)}]({path})"

    # -- transclusion --------------------------------------------------------------------------

    def _embed(self, note: Note, prefix: str, link: WikiLink, depth: int) -> list[str]:
        if link.is_file:
            return [prefix + self._file_link(link)]
        if not link.target:
            link = WikiLink(True, note.name, link.heading, link.label)
        target = self.vault.resolve(link.target, note)
        plain = WikiLink(False, link.target, link.heading, link.label)
        if target is None or depth >= MAX_EMBED_DEPTH or target.src_uri in self._stack:
            return [prefix + self._link(note, plain)]
        start, end = 0, target.footer_start if target.footer_start is not None else len(target.text.lines)
        if link.heading:
            found = [(i, lvl) for i, lvl, text in target.text.headings if norm(text) == norm(link.heading)]
            if not found:
                self.warn(
                    f"{self.where}:{self.line}: ![[{link.target}#{link.heading}]]: the note has no heading "
                    f"«{link.heading}» — use the exact heading text"
                )
                return [prefix + self._link(note, WikiLink(False, link.target, None, link.label))]
            start, level = found[0]
            end = next(
                (i for i, lvl, _ in target.text.headings if i > start and lvl <= level),
                end if start < end else len(target.text.lines),
            )
        self._stack.append(target.src_uri)
        try:
            body = self._lines(target, start, end, depth + 1)
        finally:
            self._stack.pop()
        source = self._link(note, WikiLink(False, link.target, link.heading, None))
        if prefix.strip():  # inside a callout or quote: no HTML wrapper, just the lines
            return [prefix + line for line in body]
        return [
            "",
            f'<div class="vault-embed" markdown="block">',
            f'<p class="vault-embed__source" markdown="span">{source}</p>',
            "",
            *body,
            "",
            "</div>",
            "",
        ]

    # -- tags ----------------------------------------------------------------------------------

    def _tags(self, text: str) -> str:
        if "#" not in text:
            return text
        # Tags inside wiki-link labels stay text: split around the links.
        out, pos = [], 0
        for match in WIKILINK.finditer(text):
            out.append(TAG.sub(self._tag_link, text[pos:match.start()]))
            out.append(match[0])
            pos = match.end()
        out.append(TAG.sub(self._tag_link, text[pos:]))
        return "".join(out)

    def _tag_link(self, match: re.Match) -> str:
        self.links.append(PageLink(f"#{match[1]}", tag=match[1]))
        return LINK_TOKEN.format(len(self.links) - 1)


    # -- footer --------------------------------------------------------------------------------

    def _footer(self, note: Note) -> list[str]:
        """One paragraph per row, classed with attr_list (no HTML wrapper to parse as Markdown)."""
        rows = []
        for index, line in enumerate(note.text.lines[note.footer_start + 1:], note.footer_start + 2):
            self.line = index
            match = FOOTER_ROW.match(line.strip())
            if not match or not match[2].strip():
                continue
            key, value = match[1], match[2].strip()
            if key == "Tags":
                value = self._tags(value)
            elif key == "Query":
                value = f"`{value}`"
            else:
                value = self._wikilinks(note, value)
            rows.append((key, value))
        out = []
        for i, (key, value) in enumerate(rows):
            place = (" .vault-footer__row--first" if i == 0 else "") + (
                " .vault-footer__row--last" if i == len(rows) - 1 else "")
            out += [
                "",
                f"**{FOOTER_LABELS[key]}** {value}",
                f"{{: .vault-footer__row .vault-footer__row--{key.lower()}{place} }}",
            ]
        return out + [""] if out else []
