"""The vault as Obsidian sees it: notes by name and alias, their wiki-links, tags and headings.

Built once per site build from the files MkDocs found; resolving a link is a dictionary look-up, so
the cost grows with the number of links, not with links × notes. The same pass that resolves the
links yields the graph of notes. Nothing here knows about MkDocs: it reads text and paths.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import PurePosixPath

import yaml

from tools.blocks import TEST_TOKEN_PREFIXES, TEST_TOKENS, parse_info

# [[target]], [[target|label]], [[target#heading]], ![[embed]]; `\|` is the separator inside tables.
WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n]+?)\]\]")
# An inline tag: `#` at the start or after a space, letters/digits/_/-, `/` for nesting, not all digits.
TAG = re.compile(r"(?<![^\s(])#((?=[\w/-]*[^\W\d_])[\w-]+(?:/[\w-]+)*)")
HEADING_LINE = re.compile(r"^ {0,3}#{1,6}(\s|$)")
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
# Markdown link destinations and raw HTML tags: `#` in them is an anchor or a colour, never a tag.
LINK_TARGET = re.compile(r"\]\([^)\s]*\)|<[^<>\n]+>")
FENCE_OPEN = re.compile(r"^(\s*(?:>\s*)*)(`{3,}|~{3,})(.*)$")
FENCE_LINE = re.compile(r"^(?:[ \t]*>)*[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
FRONTMATTER = re.compile(r"\A---\s*\n(.*?\n)(?:---|\.\.\.)\s*(?:\n|\Z)", re.S)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp", ".avif"}


def norm(name: str) -> str:
    """How Obsidian compares note names: case-insensitively, Unicode-normalised."""
    return unicodedata.normalize("NFC", name).strip().casefold()


def split_frontmatter(text: str) -> tuple[dict, str]:
    match = FRONTMATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match[1]) or {}
    except yaml.YAMLError:
        meta = {}
    return (meta if isinstance(meta, dict) else {}), text[match.end():]


def as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


@dataclass(frozen=True)
class WikiLink:
    embed: bool
    target: str  # note or file name, maybe with folders; "" for a link inside the same note
    heading: str | None
    label: str | None

    @classmethod
    def parse(cls, bang: str, inner: str) -> WikiLink:
        return _parse_link(cls, bang, inner)

    @classmethod
    def _parse(cls, bang: str, inner: str) -> WikiLink:
        inner = inner.replace("\\|", "|")
        target, _, label = inner.partition("|")
        target, _, heading = target.partition("#")
        heading = heading.split("#")[-1].strip() if heading else None  # [[N#A#B]] points to B
        return cls(bool(bang), target.strip(), heading or None, label.strip() if label else None)

    @property
    def is_file(self) -> bool:
        """A link to an attachment (image, PDF, notebook) rather than to a note."""
        name = self.target.rsplit("/", 1)[-1]
        if "." not in name.strip("."):
            return False
        suffix = name.rsplit(".", 1)[1].lower()
        return suffix != "md" and suffix.isalnum() and not suffix.isdigit()


@lru_cache(maxsize=65536)
def _parse_link(cls, bang: str, inner: str) -> WikiLink:
    return cls._parse(bang, inner)


@dataclass
class Text:
    """A note's Markdown split into what may be rewritten and what is code."""

    source: str

    @cached_property
    def lines(self) -> list[str]:
        return self.source.split("\n")

    @cached_property
    def _scan(self) -> tuple[set[int], list[tuple[int, str]], list[tuple[int, int, str]]]:
        """One pass over the lines: fenced code (CommonMark's rules for ``` and ~~~, also inside
        callouts and lists), the fences' info strings, and the ATX headings outside code.
        A line scanner rather than a full Markdown parse: the site reads every note twice."""
        code: set[int] = set()
        fences: list[tuple[int, str]] = []
        headings: list[tuple[int, int, str]] = []
        fence: tuple[str, int] | None = None
        for index, line in enumerate(self.lines):
            if fence is not None:
                code.add(index)
                match = FENCE_LINE.match(line)
                if (match and match["fence"][0] == fence[0] and len(match["fence"]) >= fence[1]
                        and not match["info"].strip()):
                    fence = None
                continue
            if "`" in line or "~" in line:
                match = FENCE_LINE.match(line)
                if match and not (match["fence"][0] == "`" and "`" in match["info"]):
                    fence = (match["fence"][0], len(match["fence"]))
                    code.add(index)
                    fences.append((index, match["info"].strip()))
                    continue
            if line.startswith(("#", " #", "  #", "   #")):
                match = ATX_HEADING.match(line)
                if match:
                    headings.append((index, len(match[1]), (match[2] or "").strip()))
        return code, fences, headings

    @property
    def code_lines(self) -> set[int]:
        """0-based lines inside fenced code (fence lines included)."""
        return self._scan[0]

    @property
    def fences(self) -> list[tuple[int, str]]:
        """(0-based line of the opening fence, info string) of every fenced block."""
        return self._scan[1]

    @property
    def headings(self) -> list[tuple[int, int, str]]:
        """(0-based line, level, text) of every heading outside code."""
        return self._scan[2]

    def prose_segments(self, line: str) -> list[tuple[bool, str]]:
        """A prose line cut into (is_text, piece): code spans, link targets and HTML tags kept apart."""
        pieces: list[tuple[bool, str]] = []
        pos = 0
        for match in CODE_SPAN.finditer(line):
            pieces.extend(_split_targets(line[pos:match.start()]))
            pieces.append((False, match[0]))
            pos = match.end()
        pieces.extend(_split_targets(line[pos:]))
        return pieces

    def prose_lines(self):
        """(index, line) of the lines where wiki-links and tags are syntax, not code."""
        code = self.code_lines
        for index, line in enumerate(self.lines):
            if index not in code:
                yield index, line

    def wikilinks(self) -> list[WikiLink]:
        links = []
        for _, line in self.prose_lines():
            if "[[" not in line:
                continue
            for is_text, piece in self.prose_segments(line):
                if is_text:
                    links.extend(WikiLink.parse(m[1], m[2]) for m in WIKILINK.finditer(piece))
        return links

    def tags(self) -> list[str]:
        found: list[str] = []
        for _, line in self.prose_lines():
            if "#" not in line or HEADING_LINE.match(line):
                continue
            for is_text, piece in self.prose_segments(line):
                if is_text:
                    for m in TAG.finditer(WIKILINK.sub(" ", piece)):
                        if m[1] not in found:
                            found.append(m[1])
        return found


def _split_targets(text: str) -> list[tuple[bool, str]]:
    pieces, pos = [], 0
    for match in LINK_TARGET.finditer(text):
        if match.start() > pos:
            pieces.append((True, text[pos:match.start()]))
        pieces.append((False, match[0]))
        pos = match.end()
    if pos < len(text):
        pieces.append((True, text[pos:]))
    return pieces


@lru_cache(maxsize=1024)
def strip_test_tokens(info: str) -> str:
    """`python title="x.py" continuation` → `python title="x.py"`: only the runner reads the rest."""
    lang, options, _ = parse_info(info)
    kept = [
        o for o in options
        if o not in TEST_TOKENS and not any(o.startswith(p) for p in TEST_TOKEN_PREFIXES)
    ]
    return " ".join([lang, *kept]).strip()


@dataclass
class Note:
    src_uri: str  # path inside the vault, with "/"
    meta: dict
    text: Text

    @cached_property
    def name(self) -> str:
        return self.src_uri.rsplit("/", 1)[-1][:-3]

    @cached_property
    def folder(self) -> str:
        return self.src_uri.rsplit("/", 1)[0] if "/" in self.src_uri else ""

    @cached_property
    def title(self) -> str:
        return str(self.meta.get("title") or self.name)

    @property
    def aliases(self) -> list[str]:
        return as_list(self.meta.get("aliases") or self.meta.get("alias"))

    @cached_property
    def links(self) -> list[WikiLink]:
        return self.text.wikilinks()

    @cached_property
    def tags(self) -> list[str]:
        tags = [t.lstrip("#") for t in as_list(self.meta.get("tags"))]
        return tags + [t for t in self.text.tags() if t not in tags]

    @cached_property
    def footer_start(self) -> int | None:
        """0-based line of the `___` that opens the house footer, if the note has one."""
        lines = self.text.lines
        for index in range(len(lines) - 1, -1, -1):
            if lines[index].strip() in ("___", "---", "***") and index not in self.text.code_lines:
                rest = [ln.strip() for ln in lines[index + 1:] if ln.strip()]
                if rest and all(FOOTER_ROW.match(ln) for ln in rest):
                    return index
                return None
        return None


FOOTER_ROW = re.compile(r"^(Relations|Tags|References|Query):(.*)$")


@dataclass
class Vault:
    """Every note and attachment of the vault, indexed by the names Obsidian resolves."""

    notes: dict[str, Note] = field(default_factory=dict)  # by src_uri
    files: list[str] = field(default_factory=list)  # src_uri of every non-note file
    by_name: dict[str, list[Note]] = field(default_factory=dict)
    by_alias: dict[str, Note] = field(default_factory=dict)
    files_by_name: dict[str, list[str]] = field(default_factory=dict)
    _resolved: dict[str, Note | None] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, notes: dict[str, str], files: list[str]) -> Vault:
        """notes: src_uri → Markdown (frontmatter included); files: src_uri of the other files."""
        vault = cls()
        for src_uri, source in sorted(notes.items()):
            meta, body = split_frontmatter(source)
            note = Note(src_uri, meta, Text(body))
            vault.notes[src_uri] = note
            vault.by_name.setdefault(norm(note.name), []).append(note)
        for note in vault.notes.values():
            for alias in note.aliases:
                vault.by_alias.setdefault(norm(alias), note)
        for src_uri in sorted(files):
            vault.files.append(src_uri)
            vault.files_by_name.setdefault(norm(PurePosixPath(src_uri).name), []).append(src_uri)
        return vault

    def resolve(self, target: str, source: Note | None = None) -> Note | None:
        """The note a link target names, as Obsidian picks it: exact path, else shortest, else alias."""
        if not target.strip():
            return source
        try:
            return self._resolved[target]
        except KeyError:
            found = self._resolved[target] = self._resolve(target)
            return found

    def _resolve(self, target: str) -> Note | None:
        path = target.strip().replace("\\", "/").strip("/")
        if path.lower().endswith(".md"):
            path = path[:-3]
        name = path.rsplit("/", 1)[-1]
        candidates = self.by_name.get(norm(name), [])
        if "/" in path:
            wanted = norm(path)
            candidates = [n for n in candidates if norm(n.src_uri[:-3]).endswith(wanted)]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            return min(candidates, key=lambda n: (n.src_uri.count("/"), n.src_uri))
        if "/" not in path:
            return self.by_alias.get(norm(name))
        return None

    def resolve_file(self, target: str) -> str | None:
        path = target.strip().replace("\\", "/").strip("/")
        candidates = self.files_by_name.get(norm(PurePosixPath(path).name), [])
        if "/" in path:
            candidates = [c for c in candidates if norm(c).endswith(norm(path))]
        return min(candidates, key=lambda c: (c.count("/"), c)) if candidates else None

    @cached_property
    def edges(self) -> dict[str, list[str]]:
        """src_uri → the src_uris of the notes it links to or embeds (no self-links, no repeats)."""
        result: dict[str, list[str]] = {}
        for note in self.notes.values():
            out: list[str] = []
            for link in note.links:
                if link.is_file or not link.target:
                    continue
                target = self.resolve(link.target, note)
                if target is not None and target is not note and target.src_uri not in out:
                    out.append(target.src_uri)
            result[note.src_uri] = out
        return result

    @cached_property
    def backlinks(self) -> dict[str, list[str]]:
        """src_uri → the src_uris of the notes that link to it or embed it."""
        result: dict[str, list[str]] = {uri: [] for uri in self.notes}
        for source, targets in self.edges.items():
            for target in targets:
                result[target].append(source)
        return result

    def graph(self, url_of) -> dict:
        """Nodes and links for the graph view; url_of(src_uri) gives each note's site URL."""
        degree = {uri: 0 for uri in self.notes}
        links = []
        for source, targets in self.edges.items():
            for target in targets:
                links.append({"source": source, "target": target})
                degree[source] += 1
                degree[target] += 1
        nodes = [
            {
                "id": note.src_uri,
                "title": note.title,
                "url": url_of(note.src_uri),
                "folder": note.folder,
                "tags": note.tags,
                "degree": degree[note.src_uri],
            }
            for note in self.notes.values()
        ]
        return {"nodes": nodes, "links": links}
