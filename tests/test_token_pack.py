"""tools/vault/markdown.py pack/unpack: the site keeps each note's parse packed between reading the
vault and rendering the note; the tokens it gets back must be the parse's own."""

from __future__ import annotations

from tools.vault import Note, Vault, note_paths, read_note
from tools.vault.markdown import PARSER, pack, unpack


def test_every_note_unpacks_to_its_parse():
    for path in note_paths():
        tokens = PARSER.parse(read_note(path), {})
        packed = pack(tokens)
        assert packed is not None, path
        assert unpack(packed) == tokens, path


def test_unpacked_tokens_are_new_objects():
    tokens = PARSER.parse("# Заголовок\n\nТекст [[Ссылка#Раздел|как]] и `код`.\n", {})
    back = unpack(pack(tokens))
    assert back == tokens
    back[0].meta["id"] = "x"  # the renderer sets heading ids on the tokens it renders
    assert "id" not in tokens[0].meta


def test_a_value_marshal_cannot_keep_means_no_pack():
    tokens = PARSER.parse("Текст\n", {})
    tokens[0].meta["object"] = object()
    assert pack(tokens) is None


def test_a_packed_note_renders_from_the_same_tokens():
    vault = Vault.load()
    for rel, note in vault.notes.items():
        again = Note(rel, note.source, note.path)
        expected = again.tokens
        again.find_all().pack_tokens()
        assert "tokens" not in again.__dict__
        assert again.tokens == expected, rel
        again.release_tokens()
        assert again.tokens == expected, rel  # parsed again
