"""Every try-it block of every note runs on its own, as a reader runs a block copied out of a note.

A try-it block is an untitled python block that is not `notest`. In the note's own run a
`continuation` block gets the earlier blocks of its chain prepended; a reader copies just this
one, saves it next to `code/` and runs it. So here each block runs with nothing before it, in a
fresh `python` process whose working directory and path are `code/` (and the project root):
a name that reached it only from an earlier block of the note is a NameError.

Starting Python and importing asyncio and `tryit` costs more than many blocks do, so a process
runs up to BLOCKS_PER_PROCESS blocks, one after another, each in a namespace of its own (as
`python block.py` would: `__name__ == "__main__"`) and under its own timeout. Two processes run at
a time (this machine has two cores); a process that hangs or dies is killed and replaced, and
its block fails.

The blocks that stay `continuation` are the ones a later part of a program follows: pytest runs a
`continuation` block after the blocks before it, so a try-it block without it would cut that
program's later parts off from its first (test_program_parts_keep_their_chain).
"""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from tools.vault import CODE, ROOT, Block, code_blocks, display, note_paths

TIMEOUT = 30.0  # seconds for one block; the slowest takes a few
WORKERS = 2
BLOCKS_PER_PROCESS = 4

# Notes whose try-it blocks still share a name defined by an earlier block, with who is to
# change them. Their blocks may fail here only with NameError; an entry whose blocks all run
# alone fails the test, so that it is removed.
NOT_ALONE_YET: dict[str, str] = {}

# The child: reads one JSON line per block on stdin, answers one JSON line per block on the
# descriptor it was given; the blocks' own output goes to stderr (a file the parent reads).
RUNNER = r"""
import faulthandler, json, os, sys, time, traceback
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)  # a block's print() must not mix with the answers
timeout = float(sys.argv[1])
for line in sys.stdin:
    block = json.loads(line)
    print(f"--- {block['where']}", file=sys.stderr, flush=True)
    source = "\n" * block["line"] + block["source"]  # the note's line numbers in tracebacks
    faulthandler.dump_traceback_later(timeout, exit=True)  # a hung block: its stacks, then exit
    started, error = time.monotonic(), None
    try:
        exec(compile(source, block["path"], "exec", dont_inherit=True), {"__name__": "__main__"})
    except BaseException:
        error = traceback.format_exc()
    faulthandler.cancel_dump_traceback_later()
    answers.write(json.dumps({"error": error, "seconds": time.monotonic() - started}) + "\n")
    answers.flush()
"""


@dataclass
class Outcome:
    block: Block
    error: str | None  # None: it ran alone and passed
    seconds: float


def try_it_blocks(paths=None) -> list[Block]:
    """The try-it blocks of the notes, in the vault model's order."""
    return [
        block
        for path in (note_paths() if paths is None else paths)
        for block in code_blocks(path)
        if block.is_python and block.title is None and not block.notest
    ]


class Child:
    """One `python` process next to code/ that runs blocks sent to it, each alone."""

    def __init__(self):
        self.stderr = tempfile.TemporaryFile()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CODE), str(ROOT)])}
        env.pop("PYTHONSTARTUP", None)
        self.process = subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(TIMEOUT)], cwd=CODE, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, start_new_session=True,
        )
        self.used = 0

    def run(self, block: Block) -> Outcome:
        self.used += 1
        started = time.monotonic()
        request = {"where": block.where, "path": display(block.path), "line": block.line, "source": block.source}
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            ready, _, _ = select.select([self.process.stdout], [], [], TIMEOUT + 5)
            answer = self.process.stdout.readline() if ready else ""
        except BrokenPipeError:
            answer = ""
        if answer:
            result = json.loads(answer)
            return Outcome(block, result["error"], result["seconds"])
        self.stop()  # hung or died: what it said on stderr is all we know
        self.stderr.seek(0)
        said = self.stderr.read().decode(errors="replace")
        tail = said.rsplit(f"--- {block.where}\n", 1)[-1].strip().splitlines()[-12:]
        return Outcome(block, f"no answer within {TIMEOUT:.0f} s, or the process died:\n" + "\n".join(tail),
                       time.monotonic() - started)

    def stop(self) -> None:
        """Let the child finish (or kill it, and whatever its blocks started)."""
        try:
            self.process.stdin.close()  # the child's loop ends: it exits
        except BrokenPipeError:
            pass  # it had died already
        try:
            self.process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # with whatever the block started
            self.process.wait()

    def close(self) -> None:
        self.stop()
        self.process.stdout.close()
        self.stderr.close()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None and not self.process.stdin.closed


def run_alone(blocks: list[Block]) -> list[Outcome]:
    """Run every block alone, WORKERS processes at a time; the outcomes in the blocks' order."""
    todo: queue.Queue[int] = queue.Queue()
    # The longest first, so that the last blocks to start are short ones.
    for index in sorted(range(len(blocks)), key=lambda i: -len(blocks[i].source)):
        todo.put(index)
    outcomes: list[Outcome | None] = [None] * len(blocks)

    def work() -> None:
        child = None
        try:
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                if child is None or not child.alive or child.used >= BLOCKS_PER_PROCESS:
                    if child is not None:
                        child.close()
                    child = Child()
                try:
                    outcomes[index] = child.run(blocks[index])
                except Exception as err:  # a bug of this test: say so with the block, not in a thread
                    outcomes[index] = Outcome(blocks[index], f"the test itself failed: {err!r}", 0.0)
        finally:
            if child is not None:
                child.close()

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


def test_every_try_it_block_runs_alone():
    outcomes = run_alone(try_it_blocks())
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
    global TIMEOUT
    saved, TIMEOUT = TIMEOUT, 1.0  # the last block hangs: it must fail within its timeout
    try:
        outcomes = run_alone(blocks)
    finally:
        TIMEOUT = saved
    assert [o.error is None for o in outcomes] == [True, False, True, False], outcomes
    assert "NameError: name 'greeting' is not defined" in outcomes[1].error, outcomes[1].error
    assert problem(outcomes[1]).startswith(f"{display(note)}:9: ")
    # faulthandler names the line the block hung on (the note line 22, time.sleep), its path escaped.
    assert "no answer within 1 s" in outcomes[3].error and '.md", line 22 in <module>' in outcomes[3].error, outcomes[3].error
