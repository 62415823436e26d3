"""Fenced code blocks as the runner, tangle and the site read them: language, test tokens, title."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tools.vault.errors import display

PYTHON = ("py", "python", "python3")
# Tokens after the language that only the test runner reads; the site does not show them.
TEST_TOKENS = ("notest", "continuation")
TEST_TOKEN_PREFIXES = ("fixture:", "runner:", "retry:")
ATTRIBUTE = re.compile(r'([\w-]+)=("?)(.*)\2')


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


@lru_cache(maxsize=4096)
def parse_info(info: str) -> tuple[str, tuple[str, ...], dict[str, str]]:
    """Split a fence's info string into language, the other tokens, and `key="value"` attributes."""
    try:
        tokens = shlex.split(info, posix=False)
    except ValueError:
        tokens = info.split()
    lang = tokens[0] if tokens else ""
    rest = tuple(tokens[1:])
    attrs = {}
    for token in rest:
        match = ATTRIBUTE.fullmatch(token)
        if match:
            attrs[match[1]] = match[3]
    return lang, rest, attrs


def shown_options(info: str) -> tuple[str, dict[str, str]]:
    """The language and the attributes a reader sees: the runner's tokens left out."""
    lang, options, attrs = parse_info(info)
    hidden = {o for o in options if o in TEST_TOKENS or o.startswith(TEST_TOKEN_PREFIXES)}
    return lang, {k: v for k, v in attrs.items() if f"{k}={v}" not in hidden}
