"""A note the site cannot read stops the build with one line naming it; nothing in the vault changes."""

from tests.site.helpers import mkdocs_build
from tests.vault_factory import FOOTER, make_vault, snapshot


def test_note_not_utf8_is_one_clear_line(tmp_path):
    vault = make_vault(tmp_path, {"Плохая.md": ("строка\n" + FOOTER).encode("cp1251")}, hub="[[Плохая]]" + FOOTER)
    before = snapshot(vault)
    build = mkdocs_build(tmp_path / "site", vault)
    assert build.returncode != 0
    assert "vault/Плохая.md:1: the note is not UTF-8 — save it as UTF-8 (Obsidian always does)" in build.log
    assert "Traceback" not in build.log
    assert snapshot(vault) == before
