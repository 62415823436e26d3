"""Collect the python blocks of the vault's notes as tests.

pytest-markdown-docs's `--markdown-docs` switch also imports every `.py` under the paths it is
given to read their docstrings, which would import our test modules twice. We hand only the
vault's notes to its collector instead, so plain `pytest` runs everything and
`pytest "vault/Модуль selectors.md"` runs the blocks of one note.
"""

import gc
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


def pytest_collection_finish(session):
    """What exists once the tests are collected (modules, the vault model, the items) lives for
    the whole run: the cyclic collector need not walk it again at every full collection."""
    gc.freeze()


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


# -- try-it blocks run alone ------------------------------------------------------------------------

_alone_pool = None  # this process's child for blocks run alone (tests/alone.py), made when first needed


def pytest_collection_modifyitems(items):
    """A try-it block that needs no earlier block is checked as a reader runs it: alone, in a fresh
    `python` next to code/ (tests/alone.py). That run replaces pytest-markdown-docs' in-process
    one, so the block runs once; `continuation` blocks keep their chain, and run alone as well in
    tests/test_tryit_blocks_alone.py."""
    from pytest_markdown_docs.plugin import MarkdownInlinePythonItem

    from tests.alone import runs_alone_in_its_note
    from tools.vault import code_blocks

    for item in items:
        if not isinstance(item, MarkdownInlinePythonItem) or not item.path.is_relative_to(VAULT):
            continue
        block = next((b for b in code_blocks(item.path) if b.line == item.start_line), None)
        if block is not None and runs_alone_in_its_note(block):
            item.runtest = _alone(block)
            item.repr_failure = _alone_failure(block, item.repr_failure)
            item.user_properties.append(("alone", "fresh python next to code/"))


def _alone(block):
    def runtest():
        global _alone_pool
        from tests.alone import Pool, RanAlone

        if _alone_pool is None:
            _alone_pool = Pool()
        outcome = _alone_pool.run(block)
        if outcome.error is not None:
            # The exception's last line first: the test results keep the first line of a failure.
            raise RanAlone(outcome.error.strip().splitlines()[-1] + "\n\n" + outcome.error)

    return runtest


def _alone_failure(block, default):
    def repr_failure(excinfo, style=None):
        from tests.alone import RanAlone

        if excinfo.errisinstance(RanAlone):
            return f"{block.where}: failed when run alone (a fresh python next to code/):\n{excinfo.value}"
        return default(excinfo, style)

    return repr_failure


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
    if _alone_pool is not None:
        _alone_pool.close()
    if _skipped and session.exitstatus == 0 and not hasattr(session.config, "workerinput"):
        session.exitstatus = 1
