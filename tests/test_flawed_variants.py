"""The checks of a note catch the flawed variants it shows as `notest` blocks (tools/flawed.py).

Each flawed block runs in a child process: a flawed server may spin or hang in its thread.
"""

import os
import subprocess
import sys

import pytest

from tests.notest_allowlist import NOTEST
from tests.notest_blocks import notest_blocks
from tools.checks.pytest_plugin import flawed_variant
from tools.vault import ROOT, VAULT, display

FLAWED = sorted(key for key, entry in NOTEST.items() if entry.flawed)


def test_there_are_flawed_variants():
    # The book's four flaws (partial send, no unregister at EOF, unreferenced tasks, N x timeout).
    assert len(FLAWED) >= 4


@pytest.mark.parametrize("key", FLAWED, ids=[f"{note}:{line}" for note, line in FLAWED])
def test_checks_catch_the_flaw(key):
    block = notest_blocks()[key]
    result = subprocess.run(
        [sys.executable, "-m", "tools.flawed", display(block.path), str(block.line)],
        cwd=ROOT, capture_output=True, text=True, timeout=100,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'code'}:{ROOT}"},
    )
    assert result.returncode == 0, (
        f"{block.where}: the note's checks pass against this flawed variant\n{result.stdout}{result.stderr}"
    )
    assert result.stdout.startswith("caught by ")
    flawed_variant(f"{block.path.relative_to(VAULT).as_posix()}:{block.line}", result.stdout.removeprefix("caught by ").strip())
