"""Obsidian's own syntax as markdown-it-py rules, so that one parse sees all of a note.

Each rule makes tokens that the model reads (links, tags, block ids) and the site renders; none of
them exists in mdit-py-plugins. What Obsidian's help lists as its syntax:
- `[[target#anchor|label]]` and `![[embed]]` (`\\|` is the separator inside tables);
- `#tag` after a space or at the start, letters, digits, `_`, `-`, `/`, not digits only;
- `%%comment%%`, inline or over many lines: dropped from the parse, so it is never rendered;
- `==highlight==`;
- ` ^block-id` at the end of a paragraph or list item, or alone on the line after a block;
- callouts: a block quote whose first line is `[!type]`, `[!type]-` or `[!type]+ Title`;
- a list indented by a tab right under a line of text is a list (CommonMark reads the indented
  line as more of the paragraph; Obsidian shows bullets, and vaults are written that way);
- a table ends at a line with no `|` (GFM would make the line a row of one cell; in Obsidian it
  is the text after the table).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock, list_block, paragraph
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

BLOCK_ID = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9-]+)[ \t]*$")
CALLOUT = re.compile(r"^\[!([^\]\s]+)\]([+-]?)[ \t]*(.*)$")
TAG_CHARS = re.compile(r"[\w/-]+")
LIST_MARKER = re.compile(r"(?:[-+*]|1[.)])(?:[ \t]|$)")


def obsidian_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("fence", "obsidian_comment", comment_block, {"alt": ["paragraph"]})
    md.block.ruler.before("paragraph", "paragraph_before_list", paragraph_before_indented_list)
    md.block.ruler.before("code", "indented_list", indented_list)
    md.block.ruler.before("fence", "table_row_needs_pipe", table_row_needs_pipe, {"alt": ["blockquote"]})
    md.inline.ruler.before("backticks", "obsidian_comment", comment_inline)
    md.inline.ruler.before("link", "wikilink", wikilink)
    md.inline.ruler.before("image", "wikiembed", wikiembed)
    md.inline.ruler.after("emphasis", "tag", tag)
    md.inline.ruler.after("emphasis", "mark", mark)
    md.core.ruler.before("inline", "block_ids", block_ids)
    md.core.ruler.before("inline", "callouts", callouts)


# -- comments --------------------------------------------------------------------------------


def comment_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`%%` opening a line: everything up to the closing `%%` is a comment (to the end if none)."""
    pos = state.bMarks[start] + state.tShift[start]
    if state.sCount[start] - state.blkIndent >= 4 or not state.src.startswith("%%", pos):
        return False
    first = state.src[pos + 2:state.eMarks[start]]
    closing = first.find("%%")
    if closing >= 0 and first[closing + 2:].strip():
        return False  # `%%x%% more text`: an inline comment in a paragraph
    if silent:
        return True
    line = start
    if closing < 0:
        line += 1
        while line < end and "%%" not in state.src[state.bMarks[line]:state.eMarks[line]]:
            line += 1
    token = state.push("obsidian_comment", "", 0)
    token.map = [start, min(line + 1, end)]
    token.hidden = True
    state.line = min(line + 1, end)
    return True


def comment_inline(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("%%", state.pos):
        return False
    end = state.src.find("%%", state.pos + 2, state.posMax)
    if end < 0:
        end = state.posMax  # never closed: Obsidian hides the rest (here, the rest of the block)
    if not silent:
        token = state.push("obsidian_comment", "", 0)
        token.content = state.src[state.pos + 2:end]
    state.pos = min(end + 2, state.posMax)
    return True


# -- lists indented under a line of text ------------------------------------------------------


def _indented_list_line(state: StateBlock, line: int) -> bool:
    if state.isEmpty(line) or state.sCount[line] - state.blkIndent < 4:
        return False
    return bool(LIST_MARKER.match(state.src, state.bMarks[line] + state.tShift[line], state.eMarks[line]))


def paragraph_before_indented_list(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A paragraph ends at a list indented under it (the list is read by indented_list)."""
    if silent:
        return False
    line = start + 1
    while line < state.lineMax and not state.isEmpty(line) and not _indented_list_line(state, line):
        line += 1
    if line >= state.lineMax or state.isEmpty(line):
        return False  # no such list: the paragraph is CommonMark's
    old_max, state.lineMax = state.lineMax, line
    try:
        return paragraph(state, start, line, False)
    finally:
        state.lineMax = old_max


def indented_list(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """The list right after such a paragraph, read as if it were not indented."""
    if silent or not _indented_list_line(state, start) or len(state.tokens) < 3:
        return False
    opening = state.tokens[-3]
    if state.tokens[-1].type != "paragraph_close" or opening.type != "paragraph_open" or opening.map[1] != start:
        return False
    old_indent, state.blkIndent = state.blkIndent, state.sCount[start]
    try:
        return list_block(state, start, end, False)
    finally:
        state.blkIndent = old_indent


def table_row_needs_pipe(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Asked by the table rule (which ends at its "blockquote" terminators) about each next row."""
    if not silent or state.parentType != "table":
        return False
    return "|" not in state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]


# -- wiki-links and embeds -------------------------------------------------------------------


def parse_wikilink(inner: str) -> dict:
    """`target#anchor|label` → its parts; `[[Note#A#B]]` points to B, as in Obsidian."""
    inner = inner.replace("\\|", "|")
    target, _, label = inner.partition("|")
    target, hash_, anchor = target.partition("#")
    anchor = anchor.split("#")[-1].strip() if hash_ else ""
    return {"target": target.strip(), "anchor": anchor or None, "label": label.strip() or None}


def _wikilink_end(src: str, start: int, limit: int) -> int:
    """Index of the `]]` closing a link whose inner text starts at `start`, or -1."""
    end = src.find("]]", start, limit)
    if end <= start:
        return -1
    inner = src[start:end]
    if "\n" in inner or "[[" in inner or not inner.strip():
        return -1  # `[[ ]]` is text in Obsidian
    return end


def _push_link(state: StateInline, kind: str, start: int, end: int, raw_start: int) -> None:
    token = state.push(kind, "", 0)
    token.meta = parse_wikilink(state.src[start:end])
    token.meta["raw"] = state.src[raw_start:end + 2]
    token.meta["line"] = state.src.count("\n", 0, raw_start)
    token.content = token.meta["raw"]


def _link_rule(opening: str, kind: str):
    """The inline rule of `[[…]]` (kind wikilink) or `![[…]]` (kind wikiembed)."""

    def rule(state: StateInline, silent: bool) -> bool:
        if not state.src.startswith(opening, state.pos):
            return False
        end = _wikilink_end(state.src, state.pos + len(opening), state.posMax)
        if end < 0:
            return False
        if not silent:
            _push_link(state, kind, state.pos + len(opening), end, state.pos)
        state.pos = end + 2
        return True

    return rule


wikilink = _link_rule("[[", "wikilink")
wikiembed = _link_rule("![[", "wikiembed")


# -- tags and highlights ----------------------------------------------------------------------


def tag(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "#" or (pos > 0 and not src[pos - 1].isspace()) or state.linkLevel > 0:
        return False
    match = TAG_CHARS.match(src, pos + 1, state.posMax)
    if not match or all(c.isdigit() or c in "_-/" for c in match[0]):
        return False  # digits alone are no tag (Obsidian's rule)
    name = match[0].rstrip("/")
    if not silent:
        token = state.push("tag", "", 0)
        token.content = name
        token.meta = {"line": src.count("\n", 0, pos)}
    state.pos = pos + 1 + len(name)
    return True


def mark(state: StateInline, silent: bool) -> bool:
    """`==text==`: the text between is parsed as inline Markdown."""
    src, pos = state.src, state.pos
    if not src.startswith("==", pos) or src.startswith("===", pos):
        return False
    end = src.find("==", pos + 2, state.posMax)
    if end < 0 or end == pos + 2 or src[pos + 2].isspace() or src[end - 1].isspace():
        return False
    if not silent:
        state.push("mark_open", "mark", 1).markup = "=="
        old_max = state.posMax
        state.pos, state.posMax = pos + 2, end
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push("mark_close", "mark", -1).markup = "=="
    state.pos = end + 2
    return True


# -- block ids -------------------------------------------------------------------------------


def _opening(tokens: list[Token], close: int) -> int:
    """Index of the token that opens the block closed at tokens[close]."""
    depth = 0
    for index in range(close, -1, -1):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return close


def block_ids(state) -> None:
    """` ^id` ends a paragraph or list item: the id goes to that block (or, alone on its line,
    to the block before it) and the text leaves the paragraph."""
    tokens = state.tokens
    drop: list[int] = []
    for index, token in enumerate(tokens):
        if token.type != "inline" or "^" not in token.content:
            continue
        lines = token.content.split("\n")
        match = BLOCK_ID.search(lines[-1])
        if not match:
            continue
        opening = tokens[index - 1]
        if opening.type not in ("paragraph_open",):
            continue
        block_id = match[1]
        rest = lines[-1][:match.start()].rstrip()
        if rest or len(lines) > 1:
            lines[-1] = rest
            token.content = "\n".join(lines).rstrip()
            target = opening
            parent = tokens[index - 2] if index >= 2 else None
            if parent is not None and parent.type == "list_item_open":
                target = parent
            target.attrSet("id", "^" + block_id)
            target.meta["block_id"] = block_id
            continue
        # `^id` alone: it names the block just before this paragraph, at the same depth.
        before = index - 2
        if before >= 0 and tokens[before].nesting == -1 and tokens[before].level == opening.level:
            target = tokens[_opening(tokens, before)]
        elif before >= 0 and tokens[before].nesting == 0 and tokens[before].block:
            target = tokens[before]  # a fence, a code block, an hr
        else:
            # Nothing before it: the id names this (now empty) paragraph, and is not shown.
            token.content = ""
            opening.attrSet("id", "^" + block_id)
            opening.meta["block_id"] = block_id
            continue
        target.attrSet("id", "^" + block_id)
        target.meta["block_id"] = block_id
        drop += [index - 1, index, index + 1]
    for index in reversed(drop):
        del tokens[index]


# -- callouts --------------------------------------------------------------------------------


def callouts(state) -> None:
    """`> [!tip]- Title`: the quote becomes a callout (type, fold and title in its meta); the title
    becomes an inline token of its own, between callout_title_open and _close."""
    tokens = state.tokens
    index = 0
    while index < len(tokens) - 2:
        token = tokens[index]
        index += 1
        if token.type != "blockquote_open":
            continue
        if tokens[index].type != "paragraph_open" or tokens[index + 1].type != "inline":
            continue
        inline = tokens[index + 1]
        first, _, rest = inline.content.partition("\n")
        match = CALLOUT.match(first.strip())
        if not match:
            continue
        token.type = "callout_open"
        token.meta.update(kind=match[1].lower(), fold=match[2], title=match[3].strip())
        close = next(i for i in range(index, len(tokens))
                     if tokens[i].type == "blockquote_close" and tokens[i].level == token.level)
        tokens[close].type = "callout_close"
        tokens[close].meta = token.meta
        title = Token("inline", "", 0)
        title.content, title.map, title.children, title.level = match[3].strip(), inline.map, [], inline.level
        opening, closing = Token("callout_title_open", "", 1), Token("callout_title_close", "", -1)
        opening.meta = closing.meta = token.meta
        opening.block = closing.block = True
        inline.content = rest
        if inline.map:
            inline.map = [inline.map[0] + 1, inline.map[1]]
        if not rest.strip():
            del tokens[index:index + 3]  # the paragraph held only the title
        tokens[index:index] = [opening, title, closing]
