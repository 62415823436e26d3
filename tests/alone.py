"""Running a try-it block alone, as a reader runs a block copied out of a note: saved next to
`code/`, run by a fresh `python` whose working directory and path are `code/` (and the project
root), with nothing of the note's earlier blocks.

A try-it block is an untitled python block that is not `notest`. One that is not `continuation`
needs nothing before it, so its note's own test item runs it this way (conftest.py): once, alone,
and that is its check. A `continuation` try-it block runs in its note's chain as pytest-markdown-docs
runs it, and alone as well (tests/test_tryit_blocks_alone.py).

Starting Python and importing asyncio and `tryit` costs more than many blocks do, so a child runs up
to BLOCKS_PER_PROCESS blocks, one after another, each in a namespace of its own (as `python
block.py` would: `__name__ == "__main__"`) and under its own timeout. The child holds a block to the
suite's rules: a ResourceWarning (a socket left open) or an exception nobody could catch, such as
one raised in a `__del__`, fails it, as pytest's filterwarnings make them fail in-process.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from tools.vault import CODE, ROOT, Block, display

TIMEOUT = 30.0  # seconds for one block; the slowest takes a few
BLOCKS_PER_PROCESS = 4

# The child: reads one JSON line per block on stdin, answers one JSON line per block on the
# descriptor it was given; the blocks' own output goes to stderr (a file the parent reads).
RUNNER = r"""
import faulthandler, gc, json, os, sys, time, traceback, warnings
answers = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)  # a block's print() must not mix with the answers
timeout = float(sys.argv[1])
unraisable = []
sys.unraisablehook = lambda u: unraisable.append(
    (f"(in {u.object!r})\n" if u.object is not None else "")
    + "".join(traceback.format_exception(u.exc_type, u.exc_value, u.exc_traceback)).strip())
for line in sys.stdin:
    block = json.loads(line)
    print(f"--- {block['where']}", file=sys.stderr, flush=True)
    source = "\n" * block["line"] + block["source"]  # the note's line numbers in tracebacks
    faulthandler.dump_traceback_later(timeout, exit=True)  # a hung block: its stacks, then exit
    started, error = time.monotonic(), None
    del unraisable[:]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            exec(compile(source, block["path"], "exec", dont_inherit=True), {"__name__": "__main__"})
            gc.collect()  # what the block dropped is finalized now, inside the filter
    except BaseException:
        error = traceback.format_exc()
    if error is None and unraisable:
        error = "an exception nobody could catch (pytest fails it too):\n" + unraisable[0]
    faulthandler.cancel_dump_traceback_later()
    answers.write(json.dumps({"error": error, "seconds": time.monotonic() - started}) + "\n")
    answers.flush()
"""


@dataclass
class Outcome:
    block: Block
    error: str | None  # None: it ran alone and passed
    seconds: float


def is_try_it(block: Block) -> bool:
    return block.is_python and block.title is None and not block.notest


def runs_alone_in_its_note(block: Block) -> bool:
    """Whether the note's own test item of this block runs it alone (it needs nothing before it)."""
    return is_try_it(block) and not block.continuation


class Child:
    """One `python` process next to code/ that runs blocks sent to it, each alone."""

    def __init__(self, timeout: float | None = None):
        self.timeout = TIMEOUT if timeout is None else timeout
        self.stderr = tempfile.TemporaryFile()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CODE), str(ROOT)])}
        env.pop("PYTHONSTARTUP", None)
        self.process = subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(self.timeout)], cwd=CODE, env=env, text=True,
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
            ready, _, _ = select.select([self.process.stdout], [], [], self.timeout + 5)
            answer = self.process.stdout.readline() if ready else ""
        except BrokenPipeError:
            answer = ""
        if answer:
            result = json.loads(answer)
            return Outcome(block, result["error"], result["seconds"])
        self.stop()  # hung or died: what it said on stderr is all we know
        return Outcome(block, f"no answer within {self.timeout:.0f} s, or the process died:\n"
                       + "\n".join(self.said(block)[-12:]), time.monotonic() - started)

    def said(self, block: Block) -> list[str]:
        """What the child wrote on stderr while it ran this block (the block's own output)."""
        self.stderr.seek(0)
        text = self.stderr.read().decode(errors="replace")
        self.stderr.seek(0, os.SEEK_END)
        return text.rsplit(f"--- {block.where}\n", 1)[-1].strip().splitlines()

    def stop(self) -> None:
        """Let the child finish (or kill it, and whatever its blocks started)."""
        try:
            self.process.stdin.close()  # the child's loop ends: it exits
        except BrokenPipeError:
            pass  # it had died already
        try:
            self.process.wait(self.timeout)
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


class Pool:
    """The child this process sends its blocks to, replaced after BLOCKS_PER_PROCESS blocks or
    when it hung or died."""

    def __init__(self, timeout: float | None = None):
        self.timeout = timeout
        self.child: Child | None = None

    def run(self, block: Block) -> Outcome:
        if self.child is None or not self.child.alive or self.child.used >= BLOCKS_PER_PROCESS:
            self.close()
            self.child = Child(self.timeout)
        return self.child.run(block)

    def close(self) -> None:
        if self.child is not None:
            self.child.close()
            self.child = None


class RanAlone(Exception):
    """A try-it block failed when it ran alone: the child's traceback is the message."""
