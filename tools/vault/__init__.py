"""The vault model: the only code that knows Obsidian's syntax and rules.

One parse (markdown.py: markdown-it-py with mdit-py-plugins and our syntax.py) gives each Note its
links, tags, headings, block ids, code blocks and footer (note.py); the Vault resolves links as
Obsidian does and lists what is wrong (vault.py). Tangle, the vault check, the flawed-variant
runner, the site and the graph all ask it.
"""

from tools.vault.blocks import PYTHON, TEST_TOKEN_PREFIXES, TEST_TOKENS, Block, parse_info
from tools.vault.errors import CODE, NOT_NOTES, ROOT, VAULT, VaultError, display
from tools.vault.note import Heading, Link, Note, Tag, norm
from tools.vault.vault import Target, Vault, read_note

__all__ = [
    "PYTHON", "TEST_TOKENS", "TEST_TOKEN_PREFIXES", "Block", "parse_info", "CODE", "NOT_NOTES", "ROOT",
    "VAULT", "VaultError", "display", "Heading", "Link", "Note", "Tag", "norm", "Target", "Vault",
    "read_note", "note_paths", "code_blocks",
]


def note_paths(vault=VAULT):
    """Every note of the vault, in a stable order (Obsidian's settings and templates left out)."""
    return sorted(p for p in vault.rglob("*.md") if p.relative_to(vault).parts[0] not in NOT_NOTES)


def code_blocks(path, text=None):
    """The fenced code blocks of one note file, in order."""
    return Note(path.name, read_note(path) if text is None else text, path).code_blocks
