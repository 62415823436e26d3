"""Property-based tests of the tangle parser: whatever prose and code a note holds, each program
comes out as exactly its blocks' bodies, in note order."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.vault_factory import make_vault
from tools.vault import code_blocks
from tools.tangle import HEADER, collect_programs

names = st.sampled_from(["alpha.py", "beta.py", "gamma_2.py"])
# Code lines: any printable text that is not a closing fence (```), which would end the block.
code_line = st.text(alphabet=string.printable.replace("\r", "").replace("\n", "").replace("\x0b", "").replace("\x0c", "") + "абв", max_size=30).filter(
    lambda line: not line.lstrip().startswith("```") and not line.lstrip().startswith("~~~")
)
body = st.lists(code_line, min_size=1, max_size=5).map(lambda lines: "\n".join(lines).rstrip("\n")).filter(lambda b: b.strip())
prose = st.sampled_from(["", "Текст заметки.", "# Заголовок", "- пункт", "> цитата", "`inline` code"])
untitled = st.tuples(st.just(None), body)
titled = st.tuples(names, body)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.tuples(prose, st.one_of(titled, untitled)), max_size=8))
def test_programs_are_their_blocks_in_order(tmp_path_factory, parts):
    seen: set[str] = set()
    text, expected = "", {}
    for paragraph, (title, code) in parts:
        info = "python"
        if title:
            info += f' title="{title}"' + (" continuation" if title in seen else "")
            seen.add(title)
            expected.setdefault(title, []).append(code)
        elif seen:
            info += " continuation"
        text += f"{paragraph}\n\n```{info}\n{code}\n```\n\n"
    vault = make_vault(tmp_path_factory.mktemp("v"), {"Note.md": text})
    blocks = code_blocks(vault / "Note.md")
    assert [b.source.rstrip("\n") for b in blocks] == [code for _, (_, code) in parts]
    programs = collect_programs(vault)
    assert sorted(programs) == sorted(expected)
    for title, codes in expected.items():
        rendered = programs[title].render(vault)
        assert rendered == HEADER.format(note="vault/Note.md") + "\n" + "\n\n\n".join(
            code.strip("\n") for code in codes
        ) + "\n"
