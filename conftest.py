"""Collect the python blocks of the vault's notes as tests.

pytest-markdown-docs's `--markdown-docs` switch also imports every `.py` under the paths it is
given to read their docstrings, which would import our test modules twice. We hand only the
vault's notes to its collector instead, so plain `pytest` runs everything and
`pytest "vault/Модуль selectors.md"` runs the blocks of one note.
"""

import os
import sys
from pathlib import Path

from pytest_markdown_docs.plugin import MarkdownTextFile

from tools.vault import NOT_NOTES

# Lists the browser tests' screenshots at the end of a run (they are taken in worker processes);
# records what became of every python block of the vault, for the site (tools/checks).
pytest_plugins = ["tests.site.screenshots", "tools.checks.pytest_plugin"]

VAULT = Path(__file__).parent / "vault"

# Bytecode is cached even where the environment says PYTHONDONTWRITEBYTECODE (this machine's does):
# without it every worker rewrites every test module's asserts again, and every server and build
# that the tests start compiles code/ and tools/ again, seconds of CPU on two cores. __pycache__/
# is in .gitignore, and the tangle check looks only at code/*.py.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".md" or not file_path.is_relative_to(VAULT):
        return None
    if file_path.relative_to(VAULT).parts[0] in NOT_NOTES:
        return None
    return MarkdownTextFile.from_parent(parent, path=file_path)


def pytest_markdown_docs_markdown_it():
    """The blocks pytest runs are the vault model's blocks: the same parser as tangle and the site
    (a block inside a %%comment%% is no block in Obsidian, so it runs nowhere)."""
    from tools.vault.markdown import PARSER

    return PARSER


def pytest_ignore_collect(collection_path: Path, config):
    # The vault's own settings and templates are not notes.
    if collection_path.is_relative_to(VAULT) and collection_path.relative_to(VAULT).parts[:1] in (
        (name,) for name in NOT_NOTES
    ):
        return True
    return None


def pytest_terminal_summary(terminalreporter):
    """Count and list the blocks that do not run, so none hides."""
    from tests.notest_allowlist import NOTEST
    from tests.notest_blocks import notest_blocks

    blocks = notest_blocks()
    terminalreporter.write_sep("-", f"{len(blocks)} notest block(s) in the vault")
    for key, block in blocks.items():
        entry = NOTEST.get(key)
        why = entry.reason if entry else "NOT ON THE ALLOWLIST"
        terminalreporter.write_line(f"{block.where}: {'flawed variant: ' if entry and entry.flawed else ''}{why}")
    if _skipped:
        terminalreporter.write_sep("!", f"{len(_skipped)} test(s) skipped: this suite allows none", red=True)


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """A skipped test is a test that did not run: the suite fails (CI and developers alike)."""
    if _skipped and session.exitstatus == 0 and not hasattr(session.config, "workerinput"):
        session.exitstatus = 1
