"""A results file for the fixture vault with every state a block can show (tools/checks/results.py).

Альфа's four python blocks: passed (a program, with the tests that ran it), failed, stale (the
record is of another text), notest. Гамма: a flawed variant and a block that never ran (the note
has no run record: «not run»).
"""

from __future__ import annotations

from pathlib import Path

from tools.checks.results import FORMAT, block_hash
from tools.vault import code_blocks

RUN = {"commit": "0123456789ab", "changed": False, "python": "3.11.7", "platform": "Linux 6.1 x86_64",
       "date": "2026-12-01T10:00:00+00:00", "command": "pytest"}
# What each block of the fixture shows, by note and the line of its opening fence.
EXPECTED = {
    ("Альфа.md", 10): "passed",
    ("Альфа.md", 19): "failed",
    ("Альфа.md", 23): "stale",
    ("Альфа.md", 27): "notest",
    ("Папка/Гамма.md", 3): "not-run",
    ("Папка/Гамма.md", 9): "flawed",
}


def fixture_results(vault: Path) -> dict:
    source = {(path.relative_to(vault).as_posix(), b.line): b.source
              for path in vault.rglob("*.md") for b in code_blocks(path) if b.is_python}
    assert set(source) == set(EXPECTED), f"the fixture vault's python blocks changed: {sorted(source)}"
    run = RUN["date"]
    alpha = {
        block_hash(source["Альфа.md", 10]): {"state": "passed", "duration": 0.42, "test": "vault/Альфа.md::[CodeFence#1][line:10]", "run": run},
        block_hash(source["Альфа.md", 19]): {"state": "failed", "duration": 0.01, "message": "NameError: name 'x' is not defined",
                                              "test": "vault/Альфа.md::[CodeFence#2][line:19]", "run": run},
        block_hash("assert x == 2\n"): {"state": "passed", "duration": 0.01, "test": "vault/Альфа.md::[CodeFence#3][line:23]", "run": run},
        block_hash(source["Альфа.md", 27]): {"state": "notest", "reason": "a syntax error on purpose"},
    }
    gamma = {
        block_hash(source["Папка/Гамма.md", 9]): {"state": "flawed", "reason": "lower case stays lower case",
                                                   "caught_by": "vault/Папка/Гамма.md:3: AssertionError"},
    }
    programs = {"alpha.py": [
        {"test": "tests/programs/test_alpha.py::test_prints[alpha.py-1 MiB]", "outcome": "passed", "duration": 0.2, "run": run},
        {"test": "tests/programs/test_alpha.py::test_exits", "outcome": "passed", "duration": 0.1, "run": run},
    ]}
    return {"format": FORMAT, "latest": run, "runs": {run: RUN}, "blocks": {"Альфа.md": alpha, "Папка/Гамма.md": gamma},
            "programs": programs}
