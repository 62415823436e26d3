"""The one Markdown parser of the project: what Obsidian reads, CommonMark + GFM + its own syntax.

markdown-it-py is the parser pytest-markdown-docs uses, so the blocks pytest runs are the blocks
tangle writes and the site shows. Obsidian's settings it follows: raw HTML allowed (the site makes
it safe), single line breaks kept ("Strict line breaks" is off by default), GFM tables,
strikethrough, task lists, footnotes and bare-URL autolinks (linkify-it-py), `$…$` and `$$…$$` math, YAML front matter.
"""

from __future__ import annotations

import dataclasses
import marshal
import operator
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core.linkify import linkify
from markdown_it.rules_inline.text import _TerminatorChars
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from tools.vault.syntax import obsidian_plugin


def make_parser(obsidian: bool = True) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "breaks": True, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    # Bare URLs with a scheme become links, as in Obsidian; `tryit.py` or `example.com` stay text.
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})
    md.core.ruler.at("linkify", _linkify_where_urls_are)
    md.inline.ruler.at("text", _text)
    md.block.parse = _block_parse(md.block)
    md.use(front_matter_plugin)
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.core.ruler.after("github-tasklists", "task_checkboxes", _task_checkboxes)
    # Obsidian's math: no space inside the dollars (`$5 and $6` stays text), `1$A$` is math,
    # `$$` blocks on lines of their own or inline.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=True, double_inline=True)
    if obsidian:
        md.use(obsidian_plugin)
    return md


def _task_checkboxes(state) -> None:
    """The tasklists plugin writes each `[ ]` as raw HTML; it is ours, not the note's, so it gets a
    token type of its own (the site renders it; the note's raw HTML, which is checked and made safe,
    stays what the author wrote)."""
    for token in state.tokens:
        if token.type == "inline" and token.children and token.children[0].type == "html_inline" \
                and token.children[0].content.startswith('<input class="task-list-item-checkbox"'):
            token.children[0].type = "task_checkbox"


# markdown-it's `text` rule, with its own stop characters, as one regex: it stepped over the text one
# character at a time in Python, a fifth of the parse of a note of plain prose.
_TEXT = re.compile("[^" + re.escape("".join(sorted(_TerminatorChars))) + "]+")


def _text(state, silent: bool) -> bool:
    match = _TEXT.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        state.pending += match.group()
    state.pos = match.end()
    return True


_INDENT = re.compile(r"[ \t]*")


def _line_marks(src: str) -> tuple[list[int], list[int], list[int], list[int]]:
    """StateBlock's line tables (bMarks, eMarks, tShift, sCount), worked out a line at a time: its
    constructor walks the note one character at a time in Python (up to a fifth of the parse)."""
    begins, ends, shifts, columns = [], [], [], []
    start, length = 0, len(src)
    while start < length:
        end = src.find("\n", start)
        if end < 0:
            end = length
        shift = _INDENT.match(src, start, end).end() - start
        if end == length and start + shift == length:
            break  # a last line of blanks with no newline after it: markdown-it leaves it out too
        column = shift
        if "\t" in src[start:start + shift]:
            column = 0
            for character in src[start:start + shift]:
                column += 4 - column % 4 if character == "\t" else 1
        begins.append(start)
        ends.append(end)
        shifts.append(shift)
        columns.append(column)
        start = end + 1
    # StateBlock's fake last line, which its bounds checks expect
    return begins + [length], ends + [length], shifts + [0], columns + [0]


def _block_parse(block):
    """ParserBlock.parse with the line tables from _line_marks, the same numbers as StateBlock's
    own (compared on random text and on every note, with the tokens they give); the rest of the
    state is StateBlock's, made for an empty text so that its loop has nothing to walk."""

    def parse(src: str, md: MarkdownIt, env, tokens: list[Token]):
        if not src:
            return None
        state = StateBlock("", md, env, tokens)
        state.src = src
        state.bMarks, state.eMarks, state.tShift, state.sCount = _line_marks(src)
        state.bsCount = [0] * len(state.bMarks)
        state.lineMax = len(state.bMarks) - 1
        block.tokenize(state, state.line, state.lineMax)
        return state.tokens

    return parse


def _linkify_where_urls_are(state) -> None:
    """markdown-it's linkify, only for notes that have a URL with a scheme: its test of every
    piece of text took a third of the parse."""
    if any(("://" in t.content or "mailto:" in t.content) for t in state.tokens if t.type == "inline"):
        linkify(state)


PARSER = make_parser()


@lru_cache(maxsize=256)
def _parse(text: str) -> tuple[Token, ...]:
    return tuple(PARSER.parse(text, {}))


def parse(text: str) -> list[Token]:
    """The tokens of a note (cached: tangle, the check and the site read the same text)."""
    return list(_parse(text))


def syntax_in(text: str) -> list[tuple[str, str]]:
    """The Obsidian constructs that a piece of text would be if a note held it, as (kind, as
    written), kinds "link" (wiki-links and embeds), "comment", "block-id", "math", "list" and
    "callout" (a block quote that opens with `[!type]`).
    The site audit asks this of the text a page shows: syntax there was not rendered."""
    return list(_syntax_in(text))


@lru_cache(maxsize=4096)  # the audit asks it of each piece of a page's text once per kind it checks
def _syntax_in(text: str) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    lines = text.split("\n")
    for token in parse(text):
        if token.meta and "block_id" in token.meta:
            found.append(("block-id", "^" + token.meta["block_id"]))
        if token.type in ("bullet_list_open", "ordered_list_open") and token.level == 0:
            found.append(("list", lines[token.map[0]] if token.map else token.markup))
        elif token.type == "obsidian_comment":
            found.append(("comment", "%%"))
        elif token.type == "math_block":
            found.append(("math", f"$${token.content}$$"))
        elif token.type == "callout_open":
            found.append(("callout", f"[!{token.meta['kind']}]"))
        for child in token.children or []:
            if child.type in ("wikilink", "wikiembed"):
                found.append(("link", child.meta["raw"]))
            elif child.type == "obsidian_comment":
                found.append(("comment", f"%%{child.content}%%"))
            elif child.type in ("math_inline", "math_inline_double"):
                found.append(("math", f"${child.content}$"))
    return tuple(found)


# -- a parse kept in a compact form --------------------------------------------------------------
# The site reads every note before it renders any (links resolve against the whole vault), and a
# vault of 10,000 notes cannot keep every note's tokens to the end (~47 KB of objects a note). It
# keeps each parse as marshal bytes of the tokens' fields (~11 KB) instead: making the tokens
# again from them costs about a quarter of parsing the note anew. marshal is the stdlib's C
# serialiser of plain values; the bytes never leave the process, so its format's tie to the Python
# version is no issue.

_FIELDS = tuple(f.name for f in dataclasses.fields(Token))
_ROW = operator.attrgetter(*_FIELDS)
_CHILDREN = _FIELDS.index("children")
# Token(*row) needs every field in its constructor, in the order of the fields.
_PACKABLE = all(f.init for f in dataclasses.fields(Token))


def _rows(tokens: list[Token]) -> list[tuple]:
    rows = []
    for token in tokens:
        row = _ROW(token)
        if row[_CHILDREN] is not None:
            row = (*row[:_CHILDREN], _rows(row[_CHILDREN]), *row[_CHILDREN + 1:])
        rows.append(row)
    return rows


def _tokens(rows: list[tuple]) -> list[Token]:
    return [Token(*row) if row[_CHILDREN] is None else
            Token(*row[:_CHILDREN], _tokens(row[_CHILDREN]), *row[_CHILDREN + 1:]) for row in rows]


def pack(tokens: list[Token]) -> bytes | None:
    """The tokens as bytes that unpack() makes equal tokens of (None: something in them, such as a
    plugin's object in a token's meta, is not a plain value)."""
    if not _PACKABLE:
        return None
    try:
        return marshal.dumps(_rows(tokens))
    except ValueError:
        return None


def unpack(packed: bytes) -> list[Token]:
    """New tokens, equal to those pack() was given (fields, attrs, meta and children alike)."""
    return _tokens(marshal.loads(packed))
