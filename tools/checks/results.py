"""What became of each python block of the vault in the last test run: the results file.

`make test` writes it (tools/checks/pytest_plugin.py); the site reads it to show each block's
state (tools/site/checks.py). It is not in git: it says which commit, Python, platform and date
it came from. Each record is keyed by the note and a hash of the block's text, so a block edited
since it ran has no record and shows as stale.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from tools.vault import ROOT

FORMAT = 1
# States a block can show. The first four come from a run; the last two are found at build time.
PASSED, FAILED, NOTEST, FLAWED, STALE, NOT_RUN = "passed", "failed", "notest", "flawed", "stale", "not-run"
STATES = (PASSED, FAILED, NOTEST, FLAWED, STALE, NOT_RUN)
TEST_COMMAND = "make test"


def results_path() -> Path:
    """Where the results live: CHECKS_FILE, or .cache/checks.json of the checkout (git ignores it)."""
    return Path(os.environ.get("CHECKS_FILE") or ROOT / ".cache" / "checks.json")


def block_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def test_id(note: str, index: int, line: int) -> str:
    """pytest-markdown-docs' name of a block's test: its place among the note's tested python
    blocks (1-based) and the line of its opening fence."""
    return f"vault/{note}::[CodeFence#{index}][line:{line}]"


@dataclass
class State:
    """What the site shows for one block."""

    state: str
    record: dict  # the block's record from the run ({} when stale or not run)
    run: dict  # the run it came from: commit, python, platform, date ({} when there are no results)
    programs: list[dict]  # for a program block: the tests of tests/ that ran it, with outcomes


class Results:
    """The results file, read once per site build."""

    def __init__(self, data: dict | None, path: Path | None = None):
        self.data = data or {}
        self.path = path
        self.blocks: dict[str, dict[str, dict]] = self.data.get("blocks", {})
        self.programs: dict[str, list[dict]] = self.data.get("programs", {})

    @classmethod
    def load(cls, path: Path | None = None) -> "Results":
        path = path or results_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(None, path)
        except (OSError, ValueError) as error:
            raise SystemExit(f"{path}: not a results file ({error}) — delete it and run `{TEST_COMMAND}`") from error
        if data.get("format") != FORMAT:
            raise SystemExit(f"{path}: results of another format — delete it and run `{TEST_COMMAND}`")
        return cls(data, path)

    @property
    def present(self) -> bool:
        return bool(self.data)

    @property
    def run(self) -> dict:
        """The latest run: commit, changed, python, platform, date, command."""
        return self.data.get("runs", {}).get(self.data.get("latest"), {})

    def run_of(self, record: dict) -> dict:
        return self.data.get("runs", {}).get(record.get("run"), self.run)

    def state_of(self, note: str, source: str, title: str | None = None) -> State:
        """The state of the block with this text in this note (note: its path in the vault)."""
        programs = self.programs.get(title, []) if title else []
        if not self.present:
            return State(NOT_RUN, {}, {}, programs)
        records = self.blocks.get(note, {})
        record = records.get(block_hash(source))
        if record is None:
            # The note's blocks ran, but not this text: the block was edited (or added) since.
            ran = any("test" in other for other in records.values())
            return State(STALE if ran else NOT_RUN, {}, self.run, programs)
        state = record["state"]
        if state == PASSED and any(test["outcome"] == FAILED for test in programs):
            state = FAILED
        return State(state, record, self.run_of(record), programs)


def write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    temporary.replace(path)  # a reader never sees half a file
