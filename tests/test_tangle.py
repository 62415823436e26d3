"""tools/tangle.py: code/ is exactly what the notes say, and bad titles are explained."""

import subprocess
import sys

import pytest

from tests.vault_factory import FOOTER, make_vault, snapshot
from tools.vault import CODE, ROOT, VAULT, VaultError
from tools.tangle import HEADER_START, collect_programs, drift, tangle


def test_code_matches_the_notes():
    problems = drift()
    assert not problems, "\n".join(problems) + "\nrun make tangle"


def test_every_program_names_its_note():
    for name, program in collect_programs().items():
        first = (CODE / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(HEADER_START)
        assert f"vault/{program.note.relative_to(VAULT).as_posix()}" in first


def block(title: str, body: str = "x = 1", extra: str = "") -> str:
    return f'```python title="{title}"{extra}\n{body}\n```\n'


def tangle_error(tmp_path, notes) -> tuple[str, dict, dict]:
    vault = make_vault(tmp_path, notes)
    code = tmp_path / "code"
    code.mkdir()
    (code / "kept.py").write_text("# hand-written, not ours\n")
    before = snapshot(vault, code)
    with pytest.raises(VaultError) as err:
        tangle(vault, code)
    return str(err.value), before, snapshot(vault, code)


@pytest.mark.parametrize("title", ["../x.py", "/tmp/x.py", "sub/x.py", "..\\x.py", "C:\\x.py"])
def test_title_outside_code(tmp_path, title):
    message, before, after = tangle_error(tmp_path, {"Note.md": "Text\n\n" + block(title) + FOOTER})
    assert message == (
        f'vault/Note.md:3: block title "{title}" points outside code/ — '
        'use a bare file name such as title="echo_server.py"'
    ).replace("vault/", str(tmp_path / "vault") + "/")
    assert before == after


@pytest.mark.parametrize("title", ["x.txt", "my-server.py", ".py"])
def test_title_not_a_module(tmp_path, title):
    message, before, after = tangle_error(tmp_path, {"Note.md": block(title)})
    assert message.endswith(
        f'Note.md:1: block title "{title}" is not a Python module name — '
        'name it like title="echo_server.py" (letters, digits, "_", ending in .py)'
    )
    assert before == after


def test_same_title_in_two_notes(tmp_path):
    message, before, after = tangle_error(tmp_path, {"A.md": block("x.py"), "B.md": "\n\n" + block("x.py")})
    vault = tmp_path / "vault"
    assert message == (
        f'{vault}/B.md:3: "x.py" is already written in {vault}/A.md:1 — '
        "a program lives in one note: rename this block or move it there"
    )
    assert before == after


def test_later_part_must_be_continuation(tmp_path):
    message, before, after = tangle_error(tmp_path, {"A.md": block("x.py") + "\n" + block("x.py")})
    assert message.endswith(
        'A.md:5: this later part of "x.py" is not marked continuation — '
        'write ```python title="x.py" continuation'
    )
    assert before == after


def test_unterminated_fence(tmp_path):
    message, before, after = tangle_error(tmp_path, {"A.md": "Text\n\n```python\nprint(1)\n"})
    assert message.endswith("A.md:3: this code block is never closed — add a line ``` after its code")
    assert before == after


def test_note_not_utf8(tmp_path):
    message, before, after = tangle_error(tmp_path, {"A.md": "строка\nещё\n".encode("cp1251")})
    assert message.endswith("A.md:1: the note is not UTF-8 — save it as UTF-8 (Obsidian always does)")
    assert before == after


def test_parts_join_in_order_and_stale_files_go(tmp_path):
    vault = make_vault(tmp_path, {
        "A.md": block("x.py", "a = 1") + "\ntext\n\n" + block("x.py", "b = 2", " continuation"),
    })
    code = tmp_path / "code"
    code.mkdir()
    (code / "old.py").write_text(HEADER_START + "vault/Gone.md\n")
    (code / "mine.py").write_text("# written by hand\n")
    changes = tangle(vault, code)
    assert changes == ["wrote code/x.py", "removed code/old.py"]
    text = (code / "x.py").read_text()
    assert text.splitlines()[0].startswith(HEADER_START) and "vault/A.md" in text.splitlines()[0]
    assert text.endswith("\na = 1\n\n\nb = 2\n")
    assert (code / "mine.py").exists()
    assert sorted(p.name for p in code.iterdir()) == ["mine.py", "x.py"]  # no temporary files left
    assert tangle(vault, code) == []


def test_check_mode_reports_drift_and_writes_nothing(tmp_path):
    vault = make_vault(tmp_path, {"A.md": block("x.py")})
    code = tmp_path / "code"
    code.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "tools.tangle", "--check", "--vault", str(vault), "--code", str(code)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr == "code/x.py is missing — run make tangle\n"
    assert not any(code.iterdir())


def test_a_block_in_a_comment_is_no_block_for_tangle_or_the_runner(tmp_path, pytestconfig):
    """Obsidian hides %%comments%%, code included: tangle skips the block and pytest does not run it,
    because pytest-markdown-docs is handed the vault model's parser (conftest.py)."""
    from tools.vault.markdown import PARSER

    note = tmp_path / "A.md"
    note.write_text('%%\n```python title="hidden.py"\nassert False\n```\n%%\n\n```python\nx = 1\n```\n', encoding="utf-8")
    from tools.vault import code_blocks

    assert [b.source for b in code_blocks(note)] == ["x = 1\n"]
    assert pytestconfig.hook.pytest_markdown_docs_markdown_it() is PARSER
