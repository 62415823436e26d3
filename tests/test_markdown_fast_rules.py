"""tools/vault/markdown.py gives markdown-it two faster rules of the same meaning (its inline `text`
rule as one regex, its block parser's line tables a line at a time): the tokens must be exactly
markdown-it's own, for every note of the vault and for any text hypothesis makes of the characters
Markdown gives a meaning to (tabs, CR, blank last lines, Cyrillic included)."""

from __future__ import annotations

import markdown_it.rules_inline
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.parser_block import ParserBlock

from tools.vault import note_paths
from tools.vault.markdown import PARSER, make_parser


def stock_parser():
    """Our parser with markdown-it's own two rules back in their places."""
    md = make_parser()
    md.inline.ruler.at("text", markdown_it.rules_inline.text)
    md.block.parse = ParserBlock.parse.__get__(md.block)
    return md


STOCK = stock_parser()
MARKDOWN = st.text(
    alphabet=st.sampled_from(list(" \t\n\r\n\r\f\v\u00a0abcXYZ019жёЯ*_`~[]()!#>-+=|$%^\\<&:;.,'\"/{}@\u2028")),
    max_size=400,
)


def assert_same(text: str) -> None:
    assert PARSER.parse(text, {}) == STOCK.parse(text, {}), repr(text)


def test_every_note_parses_as_markdown_it_parses_it():
    paths = note_paths()
    assert len(paths) > 10
    for path in paths:
        assert_same(path.read_text(encoding="utf-8"))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(MARKDOWN)
def test_any_text_parses_as_markdown_it_parses_it(text):
    assert_same(text)


def test_edge_cases():
    for text in ["", "\n", " ", "\t", "a", "  \n", "\n\n  ", "x\n  ", "\tcode\n", " \t x", "a\r\nb\rc",
                 "- a\n\t- b", "> q\n>\tq", "```\n\tx\n```", "$$\nx\n$$", "| a |\n|---|\n| b |"]:
        assert_same(text)
