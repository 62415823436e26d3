"""Collect the python blocks of the vault's notes as tests.

pytest-markdown-docs's `--markdown-docs` switch also imports every `.py` under the paths it is
given to read their docstrings, which would import our test modules twice. We hand only the
vault's notes to its collector instead, so plain `pytest` runs everything and
`pytest "vault/Модуль selectors.md"` runs the blocks of one note.
"""

from pathlib import Path

from pytest_markdown_docs.plugin import MarkdownTextFile

from tools.blocks import NOT_NOTES

VAULT = Path(__file__).parent / "vault"


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".md" or not file_path.is_relative_to(VAULT):
        return None
    if file_path.relative_to(VAULT).parts[0] in NOT_NOTES:
        return None
    return MarkdownTextFile.from_parent(parent, path=file_path)


def pytest_ignore_collect(collection_path: Path, config):
    # The vault's own settings and templates are not notes.
    if collection_path.is_relative_to(VAULT) and collection_path.relative_to(VAULT).parts[:1] in (
        (name,) for name in NOT_NOTES
    ):
        return True
    return None
