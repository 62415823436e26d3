"""The results file that `make test` writes for the site (tools/checks), from a real pytest run
over a small vault whose blocks pass, fail, do not run, and show a flawed variant.

The run is a child pytest in a folder of its own: the vault, a conftest that collects its notes
the way ours does and puts one flawed block on the allowlist, and a test that runs a program
and reports the check that caught the flaw, as tests/test_flawed_variants.py does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tools.checks import results
from tools.checks.results import Results, block_hash
from tools.vault import ROOT

NOTE = """\
Блок, который проходит:

```python
assert 1 + 1 == 2
```

Программа:

```python title="tiny.py"
def double(x):
    return 2 * x
```

Блок, который не проходит:

```python
assert 2 + 2 == 5, "arithmetic is broken"
```

Неверный вариант:

```python notest
def double(x):
    return x + x + 1
```

Пример без проверки:

```python notest
print("not run")
```
"""

CONFTEST = '''
from pathlib import Path

from pytest_markdown_docs.plugin import MarkdownTextFile

from tests.notest_allowlist import NOTEST, Notest

pytest_plugins = ["tools.checks.pytest_plugin"]
NOTEST[("Заметка.md", "def double(x):")] = Notest("adds one too many", flawed=True)
VAULT = Path(__file__).parent / "vault"


def pytest_markdown_docs_markdown_it():
    from tools.vault.markdown import PARSER

    return PARSER


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".md" and file_path.is_relative_to(VAULT):
        return MarkdownTextFile.from_parent(parent, path=file_path)
'''

TESTS = '''
import subprocess
import sys

from tools.checks.pytest_plugin import flawed_variant, ran_program


def test_the_program_runs():
    ran_program("tiny.py")
    ran_program("client.py")  # a test may start a server and a client
    assert subprocess.run([sys.executable, "-c", "pass"]).returncode == 0


def test_the_check_catches_the_flaw():
    flawed_variant("Заметка.md:22", "vault/Заметка.md:16: arithmetic is broken")
'''


def run_pytest(project: Path, checks: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CHECKS_FILE=str(checks), VAULT_DIR=str(project / "vault"),
               PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-c", str(project / "pytest.ini"),
               "--rootdir", str(project), *args]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    project = tmp_path_factory.mktemp("project")
    (project / "vault").mkdir()
    (project / "vault" / "Заметка.md").write_text(NOTE, encoding="utf-8")
    (project / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (project / "test_programs.py").write_text(textwrap.dedent(TESTS), encoding="utf-8")
    (project / "pytest.ini").write_text("[pytest]\ntestpaths = vault test_programs.py\n", encoding="utf-8")
    checks = project / "checks.json"
    done = run_pytest(project, checks)
    assert done.returncode == 1, done.stdout + done.stderr  # one block fails, on purpose
    return project, checks, json.loads(checks.read_text(encoding="utf-8"))


def test_every_python_block_has_its_record(recorded):
    _, _, data = recorded
    records = data["blocks"]["Заметка.md"]
    by_text = {block_hash(src): src for src in (
        "assert 1 + 1 == 2\n", "def double(x):\n    return 2 * x\n", 'assert 2 + 2 == 5, "arithmetic is broken"\n',
        "def double(x):\n    return x + x + 1\n", 'print("not run")\n')}
    assert set(records) == set(by_text)
    states = [records[block_hash(src)]["state"] for src in by_text.values()]
    assert states == ["passed", "passed", "failed", "flawed", "notest"]
    failed = records[block_hash('assert 2 + 2 == 5, "arithmetic is broken"\n')]
    assert "arithmetic is broken" in failed["message"] and failed["test"].endswith("[CodeFence#3][line:16]")
    flawed = records[block_hash("def double(x):\n    return x + x + 1\n")]
    assert flawed["reason"] == "adds one too many" and flawed["caught_by"].startswith("vault/Заметка.md:16")
    notest = records[block_hash('print("not run")\n')]
    assert notest["reason"] == "not on the allowlist"
    passed = records[block_hash("assert 1 + 1 == 2\n")]
    assert passed["duration"] >= 0 and data["runs"][passed["run"]]["python"]


def test_the_file_says_where_it_came_from_and_which_tests_ran_the_program(recorded):
    _, _, data = recorded
    run = data["runs"][data["latest"]]
    assert set(run) >= {"commit", "python", "platform", "date", "command"}
    (program,) = data["programs"]["tiny.py"]
    assert program["test"] == "test_programs.py::test_the_program_runs" and program["outcome"] == "passed"
    assert [t["test"] for t in data["programs"]["client.py"]] == [program["test"]]


def test_an_edited_block_is_stale_and_only_that_one(recorded, tmp_path):
    project, checks, _ = recorded
    edited = NOTE.replace("assert 1 + 1 == 2", "assert 1 + 2 == 3")
    loaded = Results.load(checks)
    from tools.vault import Note

    note = Note("Заметка.md", edited, project / "vault" / "Заметка.md")
    states = [loaded.state_of(note.rel, b.source, b.title).state for b in note.code_blocks]
    assert states == [results.STALE, results.PASSED, results.FAILED, results.FLAWED, results.NOTEST]
    assert loaded.state_of("Заметка.md", "def double(x):\n    return 2 * x\n", "tiny.py").programs
    # With no results at all, every block is "not run".
    assert Results.load(tmp_path / "none.json").state_of(note.rel, "x = 1\n").state == results.NOT_RUN


def test_a_partial_run_keeps_the_other_records(recorded):
    project, checks, before = recorded
    done = run_pytest(project, checks, "test_programs.py")
    assert done.returncode == 0, done.stdout + done.stderr
    after = json.loads(checks.read_text(encoding="utf-8"))
    states = {key: record["state"] for key, record in after["blocks"]["Заметка.md"].items()}
    assert states == {key: record["state"] for key, record in before["blocks"]["Заметка.md"].items()}
    failed = block_hash('assert 2 + 2 == 5, "arithmetic is broken"\n')
    assert after["blocks"]["Заметка.md"][failed] == before["blocks"]["Заметка.md"][failed]  # not rerun, kept
