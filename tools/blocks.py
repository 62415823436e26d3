"""Code blocks of the vault's notes, read with markdown-it-py: the parser pytest-markdown-docs uses,
so tangle, the checks and the test runner agree on where every block starts and ends."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
VAULT = ROOT / "vault"
CODE = ROOT / "code"

# Folders of the vault that hold no notes: Obsidian's settings and the note template.
NOT_NOTES = (".obsidian", "templates")
PYTHON = ("py", "python", "python3")
# Tokens after the language that only the test runner reads; the site hook strips them.
TEST_TOKENS = ("notest", "continuation")
TEST_TOKEN_PREFIXES = ("fixture:", "runner:", "retry:")

_PARSER = MarkdownIt("commonmark")


class VaultError(Exception):
    """A problem in a note, worded `vault/<note>.md:<line>: <what is wrong> — <how to fix it>`."""

    def __init__(self, path: Path, line: int, what: str, fix: str):
        self.path, self.line, self.what, self.fix = path, line, what, fix
        super().__init__(f"{display(path)}:{line}: {what} — {fix}")


def display(path: Path) -> str:
    """A path as the user would type it from the project root."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    options: list[str]  # tokens after the language, `title="…"` included as written
    title: str | None
    source: str
    closed: bool = True
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def is_python(self) -> bool:
        return self.lang in PYTHON

    @property
    def notest(self) -> bool:
        return "notest" in self.options

    @property
    def continuation(self) -> bool:
        return "continuation" in self.options

    @property
    def where(self) -> str:
        return f"{display(self.path)}:{self.line}"


def note_paths(vault: Path = VAULT) -> list[Path]:
    """Every note of the vault, in a stable order (Obsidian's settings and templates left out)."""
    return sorted(
        p for p in vault.rglob("*.md") if not p.relative_to(vault).parts[0] in NOT_NOTES
    )


def read_note(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise VaultError(path, line, "the note is not UTF-8", "save it as UTF-8 (Obsidian always does)") from None


def parse_info(info: str) -> tuple[str, list[str], dict[str, str]]:
    """Split a fence's info string into language, the other tokens, and `key="value"` attributes."""
    try:
        tokens = shlex.split(info, posix=False)
    except ValueError:
        tokens = info.split()
    lang = tokens[0] if tokens else ""
    rest = tokens[1:]
    attrs = {}
    for token in rest:
        match = re.fullmatch(r'([\w-]+)=("?)(.*)\2', token)
        if match:
            attrs[match[1]] = match[3]
    return lang, rest, attrs


def code_blocks(path: Path, text: str | None = None) -> list[Block]:
    """The fenced code blocks of one note, in order."""
    text = read_note(path) if text is None else text
    lines = text.splitlines()
    blocks = []
    for token in _PARSER.parse(text):
        if token.type != "fence" or not token.map:
            continue
        lang, options, attrs = parse_info(token.info)
        start, end = token.map
        last = lines[end - 1].strip() if end - 1 < len(lines) and end - start > 1 else ""
        closed = bool(last) and set(last) == {token.markup[0]} and len(last) >= len(token.markup)
        blocks.append(
            Block(path, start + 1, lang, options, attrs.get("title"), token.content, closed, attrs)
        )
    return blocks


def code_line_ranges(text: str) -> list[range]:
    """0-based line ranges covered by fenced or indented code, where wiki-link syntax is just text."""
    return [
        range(*token.map)
        for token in _PARSER.parse(text)
        if token.type in ("fence", "code_block") and token.map
    ]
