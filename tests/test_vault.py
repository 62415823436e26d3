"""The vault by Obsidian's rules (tools/vault_check.py): the real vault, then each kind of mistake."""

import subprocess
import sys

import pytest

from tests.vault_factory import FOOTER, make_vault, snapshot
from tools.vault import ROOT
from tools.vault_check import check_vault


def test_the_vault_is_sound():
    problems = check_vault()
    assert not problems, "\n".join(map(str, problems))


def problems_in(tmp_path, notes, hub=...):
    vault = make_vault(tmp_path, notes, **({} if hub is ... else {"hub": hub}))
    before = snapshot(vault)
    found = [str(p).replace(str(vault), "vault") for p in check_vault(vault)]
    assert snapshot(vault) == before, "the check must not write"
    return found


HUB_LINKS = "[[A]] [[B]]\n" + FOOTER


def test_a_good_vault_passes(tmp_path):
    notes = {
        "A.md": "See [[B#Part two|there]] and [[B#^fact]], ![[pic.svg|300]].\n" + FOOTER,
        "B.md": "# B\n\n## Part two\n\nA fact. ^fact\n\n| a | b |\n|---|---|\n| [[A\\|alias]] | x |\n" + FOOTER,
        "attachments/pic.svg": "<svg/>",
    }
    assert problems_in(tmp_path, notes, hub=HUB_LINKS) == []


def test_link_to_nothing(tmp_path):
    found = problems_in(tmp_path, {"A.md": "Text\n[[Nowhere]]\n" + FOOTER}, hub="[[A]]" + FOOTER)
    assert found == [
        "vault/A.md:2: link [[Nowhere]] points to nothing in the vault — "
        "fix the name, or create the note or put the file in attachments/"
    ]


def test_embed_of_missing_image(tmp_path):
    found = problems_in(tmp_path, {"A.md": "![[gone.png]]\n" + FOOTER}, hub="[[A]]" + FOOTER)
    assert found == [
        "vault/A.md:1: embed ![[gone.png]] points to nothing in the vault — "
        "fix the name, or create the note or put the file in attachments/"
    ]


def test_missing_heading(tmp_path):
    found = problems_in(tmp_path, {"A.md": "# Real\n\n[[A#Imagined]]\n" + FOOTER}, hub="[[A]]" + FOOTER)
    assert found == [
        "vault/A.md:3: [[A#Imagined]]: A.md has no heading 'Imagined' — "
        "use a heading the note has (copy it exactly), or add it"
    ]


def test_ambiguous_name(tmp_path):
    notes = {"A.md": "[[B]]\n" + FOOTER, "one/B.md": "x\n" + FOOTER, "two/B.md": "y\n" + FOOTER}
    found = problems_in(tmp_path, notes, hub="[[A]] [[one/B]] [[two/B]]\n" + FOOTER)
    assert found == [
        "vault/A.md:1: [[B]] could mean any of one/B.md, two/B.md — write the path, e.g. [[one/B]], or rename one"
    ]


def test_links_in_code_are_text(tmp_path):
    note = "`[[Not a link]]`\n\n```python\nx = '[[Nor this]]'\n```\n" + FOOTER
    assert problems_in(tmp_path, {"A.md": note}, hub="[[A]]" + FOOTER) == []


def test_footer_and_tag(tmp_path):
    notes = {"A.md": "No footer here.\n", "B.md": "x\n___\nRelations: [[A]]\nTags:\nReferences:\nQuery:\n"}
    found = problems_in(tmp_path, notes, hub=HUB_LINKS)
    assert found == [
        "vault/A.md:1: the note has no footer — "
        "end it with ___ and the lines Relations:, Tags:, References:, Query: (see templates/)",
        "vault/B.md:4: the note has no tag — add one on the Tags: line, e.g. #theory",
    ]


def test_unreachable_note(tmp_path):
    found = problems_in(tmp_path, {"A.md": "x\n" + FOOTER, "Lonely.md": "[[A]]\n" + FOOTER}, hub="[[A]]" + FOOTER)
    assert found == [
        "vault/Lonely.md:1: the note cannot be reached from [[asyncio Python]] — "
        "link it from [[asyncio Python]] or from a note the hub links"
    ]


def test_unterminated_fence(tmp_path):
    found = problems_in(tmp_path, {"A.md": FOOTER + "\n```python\nx = 1\n"}, hub="[[A]]" + FOOTER)
    assert found == ["vault/A.md:8: this code block is never closed — add a line ``` after its code"]


def test_not_utf8(tmp_path):
    found = problems_in(tmp_path, {"A.md": ("а\n" + FOOTER).encode("cp1251")}, hub="[[A]]" + FOOTER)
    assert found[0] == "vault/A.md:1: the note is not UTF-8 — save it as UTF-8 (Obsidian always does)"


@pytest.mark.parametrize("name", ["What?.md", "a:b.md", "CON.md", "star*.md"])
def test_name_windows_cannot_hold(tmp_path, name):
    found = problems_in(tmp_path, {name: "x\n" + FOOTER}, hub=f"[[{name[:-3]}]]" + FOOTER)
    assert found == [
        f"vault/{name}:1: the name {name!r} cannot exist on Windows — "
        'rename it without <>:"\\|?*, a trailing dot or space, or a reserved name like CON'
    ]


def test_python_file_in_vault(tmp_path):
    found = problems_in(tmp_path, {"x.py": "print(1)\n"})
    assert found == [
        "vault/x.py:1: a .py file in the vault would be published and imported by pytest — "
        "write the program as a titled code block; make tangle puts it in code/"
    ]


def test_command_line_names_note_and_line(tmp_path):
    vault = make_vault(tmp_path, {"A.md": "x\n[[Gone]]\n" + FOOTER}, hub="[[A]]" + FOOTER)
    before = snapshot(vault)
    result = subprocess.run([sys.executable, "-m", "tools.vault_check", str(vault)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{vault}/A.md:2: link [[Gone]] points to nothing in the vault — "
        "fix the name, or create the note or put the file in attachments/",
        "1 problem(s) in the vault",
    ]
    assert snapshot(vault) == before
