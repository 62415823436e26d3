"""A pytest plugin that records what became of every python block of the vault (results.py).

Loaded by the root conftest.py. In each worker it labels the reports: a note's block by its note
and line, a test that starts a program of code/ by that program (tests/programs/server_process.py
calls `ran_program`), a flawed variant's test by the block it runs and the check that caught it.
The controlling process (the only one with every report under pytest-xdist) writes the file when
the session ends. A run of part of the suite updates the records it has and keeps the others.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from tools.checks import results
from tools.vault import ROOT, VAULT, Note, note_paths, read_note

_current: pytest.Item | None = None  # the test running in this process


def ran_program(name: str) -> None:
    """The running test started `code/<name>`: its report says so."""
    if _current is not None and ("program", name) not in _current.user_properties:
        _current.user_properties.append(("program", name))


def flawed_variant(where: str, caught_by: str) -> None:
    """The running test ran the flawed block at `where` (note:line) and this check caught it."""
    if _current is not None:
        _current.user_properties += [("flawed", where), ("caught_by", caught_by)]


def vault_dir() -> Path:
    """The vault whose blocks are recorded: VAULT_DIR (as for the site build), or vault/."""
    return Path(os.environ.get("VAULT_DIR") or VAULT).resolve()


def _note_key(path: Path) -> str:
    return path.resolve().relative_to(vault_dir()).as_posix()


def pytest_collection_modifyitems(items):
    from pytest_markdown_docs.plugin import MarkdownInlinePythonItem

    for item in items:
        if isinstance(item, MarkdownInlinePythonItem) and item.path.resolve().is_relative_to(vault_dir()):
            item.user_properties.append(("block", f"{_note_key(item.path)}:{item.start_line}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _current
    _current = item
    try:
        return (yield)
    finally:
        _current = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failure's first line (`AssertionError: …`), from the exception itself: a note block's
    report is pytest-markdown-docs' text, which starts with the code."""
    report = yield
    if call.excinfo is not None and report.failed:
        first = next((line for line in call.excinfo.exconly().splitlines() if line.strip()), "")
        report.user_properties.append(("error", first.strip()[:300]))
    return report


class Recorder:
    def __init__(self, config):
        self.config = config
        self.tests: dict[str, dict] = {}  # nodeid -> outcome, duration, message, properties

    def pytest_runtest_logreport(self, report):
        test = self.tests.setdefault(report.nodeid, {"outcome": results.PASSED, "duration": 0.0, "properties": {},
                                                      "programs": set()})
        for key, value in report.user_properties:
            if key == "program":  # a test may start several (a server and the client)
                test["programs"].add(value)
            else:
                test["properties"].setdefault(key, value)
        if report.when == "call":
            test["duration"] = round(report.duration, 3)
        if report.failed and test["outcome"] != results.FAILED:
            test["outcome"] = results.FAILED
            test["message"] = dict(report.user_properties).get("error", f"failed in {report.when}")
        elif report.skipped:
            test["outcome"] = "skipped"

    def pytest_sessionfinish(self, session):
        if not self.tests:
            return
        path = results.results_path()
        old = results.Results.load(path) if path.exists() else results.Results(None)
        full = not (self.config.option.keyword or self.config.option.markexpr) and _whole_suite(self.config)
        write(path, self.tests, old if not full else results.Results(None), run_meta())


def _whole_suite(config) -> bool:
    """The run was plain `pytest` (or `make test`): every record is fresh, none carried over."""
    given = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    default = [(Path(config.rootpath) / p).resolve() for p in config.getini("testpaths")]
    return not config.args or sorted(given) == sorted(default)


def run_meta() -> dict:
    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    return {
        "commit": git("rev-parse", "--short=12", "HEAD") or "unknown",
        "changed": bool(git("status", "--porcelain", "--", "vault", "code", "tools", "tests")),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(["pytest", *sys.argv[1:]]),
    }


def write(path: Path, tests: dict[str, dict], old: results.Results, meta: dict) -> dict:
    """Merge this run's outcomes into the old records and write them; records of blocks that are no
    longer in the vault are dropped, so a block edited since has none."""
    from tests.notest_allowlist import NOTEST  # why each notest block does not run
    from tests.notest_blocks import first_line

    run_id = meta["date"]
    runs = dict(old.data.get("runs", {}))
    runs[run_id] = meta
    blocks: dict[str, dict[str, dict]] = {}
    by_where = {}
    for nodeid, test in tests.items():
        for key in ("block", "flawed"):
            if key in test["properties"]:
                by_where[test["properties"][key]] = (nodeid, test)

    for path_ in note_paths(vault_dir()):
        note_key = _note_key(path_)
        previous = old.blocks.get(note_key, {})
        records = {}
        for block in Note(path_.name, read_note(path_), path_).code_blocks:
            if not block.is_python:
                continue
            digest = results.block_hash(block.source)
            where = f"{note_key}:{block.line}"
            if block.notest:
                entry = NOTEST.get((path_.name, first_line(block)))
                record = {"state": results.NOTEST, "reason": entry.reason if entry else "not on the allowlist"}
                if entry and entry.flawed:
                    record["state"] = results.FLAWED
                    ran = by_where.get(where)
                    if ran:
                        nodeid, test = ran
                        record |= {"test": nodeid, "outcome": test["outcome"], "run": run_id,
                                   "caught_by": test["properties"].get("caught_by", "")}
                        if test["outcome"] == results.FAILED:
                            record |= {"state": results.FAILED, "message": test.get("message", "")}
                    elif "test" in previous.get(digest, {}):
                        record = previous[digest]
                records[digest] = record
                continue
            ran = by_where.get(where)
            if ran:
                nodeid, test = ran
                record = {"state": test["outcome"], "duration": test["duration"], "test": nodeid, "run": run_id}
                if "message" in test:
                    record["message"] = test["message"]
                records[digest] = record
            elif digest in previous:
                records[digest] = previous[digest]
        if records:
            blocks[note_key] = records

    programs: dict[str, dict[str, dict]] = {name: {t["test"]: t for t in entries}
                                            for name, entries in old.programs.items()}
    for nodeid, test in tests.items():
        for name in test["programs"]:
            entry = {"test": nodeid, "outcome": test["outcome"], "duration": test["duration"], "run": run_id}
            if "message" in test:
                entry["message"] = test["message"]
            programs.setdefault(name, {})[nodeid] = entry

    used = {r.get("run") for records in blocks.values() for r in records.values()}
    used |= {t["run"] for entries in programs.values() for t in entries.values()}
    data = {
        "format": results.FORMAT,
        "latest": run_id,
        "runs": {key: value for key, value in runs.items() if key in used or key == run_id},
        "blocks": blocks,
        "programs": {name: sorted(entries.values(), key=lambda t: t["test"]) for name, entries in programs.items()},
    }
    results.write(path, data)
    return data


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller, or a run without workers
        config.pluginmanager.register(Recorder(config), "vault-checks-recorder")
