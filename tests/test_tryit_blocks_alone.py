"""Every try-it block of every note runs on its own, as a reader runs a block copied out of a note
(tests/alone.py: a fresh `python` next to `code/`, nothing of the note's earlier blocks).

A try-it block that is not `continuation` is run so by its note's own test item (conftest.py):
that run is its check, once. A `continuation` try-it block runs in its note's chain as
pytest-markdown-docs runs it, and here alone as well: a name that reached it only from an
earlier block of the note is a NameError. Two children run at a time (two cores).

The blocks that stay `continuation` are the ones a later part of a program follows: pytest runs a
`continuation` block after the blocks before it, so a try-it block without it would cut that
program's later parts off from its first (test_program_parts_keep_their_chain).
"""

from __future__ import annotations

import queue
import threading

from tests.alone import Outcome, Pool, is_try_it, runs_alone_in_its_note
from tools.vault import Block, code_blocks, display, note_paths

WORKERS = 2

# Notes whose try-it blocks still share a name defined by an earlier block, with who is to
# change them. Their blocks may fail here only with NameError; an entry whose blocks all run
# alone fails the test, so that it is removed.
NOT_ALONE_YET: dict[str, str] = {}


def try_it_blocks(paths=None) -> list[Block]:
    """The try-it blocks of the notes, in the vault model's order."""
    return [
        block
        for path in (note_paths() if paths is None else paths)
        for block in code_blocks(path)
        if is_try_it(block)
    ]


def run_alone(blocks: list[Block], timeout: float | None = None) -> list[Outcome]:
    """Run every block alone, WORKERS children at a time; the outcomes in the blocks' order."""
    todo: queue.Queue[int] = queue.Queue()
    # The longest first, so that the last blocks to start are short ones.
    for index in sorted(range(len(blocks)), key=lambda i: -len(blocks[i].source)):
        todo.put(index)
    outcomes: list[Outcome | None] = [None] * len(blocks)

    def work() -> None:
        pool = Pool(timeout)
        try:
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcomes[index] = pool.run(blocks[index])
                except Exception as err:  # a bug of this test: say so with the block, not in a thread
                    outcomes[index] = Outcome(blocks[index], f"the test itself failed: {err!r}", 0.0)
        finally:
            pool.close()

    workers = [threading.Thread(target=work) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


def problem(outcome: Outcome) -> str:
    tail = "\n    ".join(outcome.error.strip().splitlines()[-6:])
    return (
        f"{outcome.block.where}: this try-it block does not run on its own — import what it uses, the "
        f"program it tries too (e.g. `from blocking_echo_server import serve`)\n    {tail}"
    )


def test_the_vault_has_try_it_blocks():
    assert len(try_it_blocks()) >= 30


def test_every_continuation_try_it_block_runs_alone():
    """(The others are run alone by their notes' own items.)"""
    outcomes = run_alone([block for block in try_it_blocks() if not runs_alone_in_its_note(block)])
    problems, still_pending = [], set()
    for outcome in outcomes:
        if outcome.error is None:
            continue
        name = outcome.block.path.name
        last = outcome.error.strip().splitlines()[-1]
        if name in NOT_ALONE_YET and last.startswith("NameError"):
            still_pending.add(name)
        else:
            problems.append(problem(outcome))
    problems += [
        f"NOT_ALONE_YET lists «{name}», but every try-it block of it runs alone now: remove the entry"
        for name in sorted(NOT_ALONE_YET.keys() - still_pending)
    ]
    assert not problems, "\n".join(problems)


def broken_chains(paths=None) -> list[str]:
    """Later parts of a program whose chain in the note's run misses an earlier part of it.

    A try-it block between two parts of a program must stay `continuation`: pytest runs a
    `continuation` block after every block back to the last one that is not, so a try-it block
    without it there cuts the program's later parts off from its first.
    """
    problems = []
    for path in note_paths() if paths is None else paths:
        chain: list[Block] = []
        blocks = [b for b in code_blocks(path) if b.is_python and not b.notest]
        for block in blocks:
            chain = chain + [block] if block.continuation else [block]
            if block.title and block.continuation:
                earlier = [b for b in blocks if b.title == block.title and b.line < block.line]
                missing = [b for b in earlier if b not in chain]
                if missing:
                    problems.append(
                        f"{block.where}: this part of {block.title} runs without its part at line "
                        f"{missing[0].line}: the block at line {chain[0].line} is not marked continuation"
                    )
    return problems


def test_program_parts_keep_their_chain():
    problems = broken_chains()
    assert not problems, "\n".join(problems)


def test_a_try_it_block_between_parts_must_continue(tmp_path):
    note = tmp_path / "Заметка.md"
    note.write_text(
        '```python title="x.py"\na = 1\n```\n\n```python\nassert True\n```\n\n'
        '```python title="x.py" continuation\nb = a\n```\n',
        encoding="utf-8",
    )
    assert broken_chains([note]) == [
        f"{display(note)}:9: this part of x.py runs without its part at line 1: "
        "the block at line 5 is not marked continuation"
    ]


def test_a_block_that_needs_an_earlier_block_fails(tmp_path):
    note = tmp_path / "Заметка.md"
    note.write_text(
        "```python\nfrom tryit import HOST\n\ngreeting = HOST\n```\n\n"
        "Text.\n\n"
        "```python continuation\nassert greeting == HOST\n```\n\n"
        "```python\nfrom tryit import HOST\n\nassert HOST == '127.0.0.1'\n```\n\n"
        "```python\nimport time\n\ntime.sleep(3600)\n```\n",
        encoding="utf-8",
    )
    blocks = try_it_blocks([note])
    assert [block.line for block in blocks] == [1, 9, 13, 19]
    outcomes = run_alone(blocks, timeout=1.0)  # the last block hangs: it must fail within its timeout
    assert [o.error is None for o in outcomes] == [True, False, True, False], outcomes
    assert "NameError: name 'greeting' is not defined" in outcomes[1].error, outcomes[1].error
    assert problem(outcomes[1]).startswith(f"{display(note)}:9: ")
    # faulthandler names the line the block hung on (the note line 22, time.sleep), its path escaped.
    assert "no answer within 1 s" in outcomes[3].error and '.md", line 22 in <module>' in outcomes[3].error, outcomes[3].error


def test_a_block_alone_is_held_to_the_suites_rules(tmp_path):
    """A socket left open, and an exception raised where nobody can catch it (a `__del__`), fail
    a block run alone, as pytest's filterwarnings make them fail in-process."""
    note = tmp_path / "Заметка.md"
    note.write_text(
        "```python\nimport socket\n\nleft_open = socket.socket()\n```\n\n"
        "```python\nclass Broken:\n    def __del__(self):\n        raise ValueError('in __del__')\n\n\nBroken()\n```\n\n"
        "```python\nimport socket\n\nwith socket.socket():\n    pass\n```\n",
        encoding="utf-8",
    )
    outcomes = run_alone(try_it_blocks([note]))
    assert [o.error is None for o in outcomes] == [False, False, True], outcomes
    assert "ResourceWarning: unclosed <socket.socket" in outcomes[0].error, outcomes[0].error
    assert outcomes[1].error.strip().endswith("ValueError: in __del__"), outcomes[1].error


def test_the_notes_own_items_run_standalone_try_it_blocks_alone(tmp_path):
    """conftest.py hands a try-it block that is not `continuation` to tests/alone.py: its note's
    item runs it in a fresh python next to code/ (a program block and a `continuation` block
    stay in pytest's process)."""
    import os
    import subprocess
    import sys
    import xml.etree.ElementTree as ElementTree

    from tools.vault import ROOT

    report = tmp_path / "report.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-q", "-o", "junit_family=xunit1",
         f"--junitxml={report}", "vault/Частичные отправка и чтение.md"],
        cwd=ROOT, env={**os.environ, "CHECKS_FILE": str(tmp_path / "checks.json")}, capture_output=True, check=True,
    )
    alone = {case.get("name"): any(p.get("name") == "alone" for p in case.iter("property"))
             for case in ElementTree.parse(report).iter("testcase")}
    note = next(p for p in note_paths() if p.name == "Частичные отправка и чтение.md")
    blocks = {f"line:{b.line}": b for b in code_blocks(note) if b.is_python and not b.notest}
    assert len(alone) == len(blocks)
    for name, ran_alone in alone.items():
        block = blocks[name.rsplit("[", 1)[1].rstrip("]")]
        assert ran_alone == runs_alone_in_its_note(block), (name, ran_alone)
    assert any(alone.values()) and not all(alone.values())
