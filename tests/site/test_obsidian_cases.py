"""What Obsidian does with each input, as a table: the model, the vault check, the strict build and
the rendered page must all agree with it.

Every row is a small note (with the notes it links to) in one vault built once. For each row:
- the vault model's problems for the note are exactly the ones Obsidian would show as broken;
- `make check` (tools.vault_check) reports those same lines for the note, no more;
- the build warns with those same lines (so `mkdocs build --strict` passes exactly on valid rows);
- the note's page shows what Obsidian's reading view shows (`page` checks it).
Obsidian's behaviour is from its help ("Basic formatting syntax", "Advanced formatting syntax",
"Obsidian Flavored Markdown", "Internal links", "Embed files", "Callouts", "Tags", "Comments").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from tests.site.helpers import mkdocs_build
from tests.vault_factory import FOOTER, make_vault
from tools.vault import Vault
from tools.vault_check import check_vault

pytestmark = pytest.mark.timeout(300)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class Case:
    name: str
    obsidian: str  # what Obsidian does with it
    note: str  # the body of the note under test ({p} is the row's prefix for the other notes' names)
    others: dict[str, str | bytes] = field(default_factory=dict)  # more files, {p} in names and texts
    problems: list[str] = field(default_factory=list)  # the problem lines expected, "<line>: <start of message>"
    page: Callable[[BeautifulSoup, "Row"], None] = lambda soup, row: None


@dataclass
class Row:
    case: Case
    prefix: str
    site: Path

    def page(self, name: str) -> BeautifulSoup:
        path = self.site / f"{self.prefix}{name}" / "index.html"
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one("article")


def text_of(soup: BeautifulSoup) -> str:
    return soup.get_text(" ", strip=True)


def links(soup) -> list[tuple[str, str]]:
    return [(a.get_text(strip=True), unquote(a["href"])) for a in soup.select("a[href]:not(.headerlink)")
            if not a.find_parent(class_="vault-footer__row") and not a.find_parent(class_="vault-backlinks")]


def body(soup):
    """The note's own text: no footer, backlinks or graph."""
    for extra in soup.select(".vault-footer__row, .vault-backlinks, .vault-backlinks__none, .vault-local-graph, "
                             "h2[data-search-exclude], .md-source-file, nav.md-tags, h1"):
        extra.decompose()
    return soup


def no_raw_syntax(soup, row=None) -> None:
    for code in soup.select("pre, code"):
        code.decompose()
    text = text_of(soup)
    for raw in ("[[", "]]", "%%", "^fact", "![["):
        assert raw not in text, f"{raw!r} shown as text: {text[:200]}"


def expect(*checks):
    def run(soup, row):
        for check in checks:
            check(body(soup), row)
    return run


CASES = [
    Case("block link", "valid: opens B at the block",
         "See [[{p}B#^fact]].", {"{p}B.md": "Факт. ^fact\n\nДругое.\n"},
         page=expect(lambda s, r: (links(s) == [("{p}B › ^fact".format(p=r.prefix), f"../{r.prefix}B/#^fact")]
                                   or pytest.fail(str(links(s)))),
                     lambda s, r: (body(r.page("B")).find(id="^fact").get_text() == "Факт."
                                   or pytest.fail("no block id on the paragraph")),
                     lambda s, r: no_raw_syntax(body(r.page("B"))))),
    Case("alias", "valid: an alias from the front matter names the note",
         "See [[Бэ{p}]].", {"{p}B.md": "---\naliases: [Бэ{p}]\n---\nТекст.\n"},
         page=expect(lambda s, r: links(s) == [(f"Бэ{r.prefix}", f"../{r.prefix}B/")] or pytest.fail(str(links(s))))),
    Case("dotted note name", "valid: [[asyncio.run]] is the note asyncio.run.md, not a file",
         "See [[{p}asyncio.run]].", {"{p}asyncio.run.md": "Текст.\n"},
         page=expect(lambda s, r: links(s) == [(f"{r.prefix}asyncio.run", f"../{r.prefix}asyncio.run/")]
                     or pytest.fail(str(links(s))))),
    Case("path that does not exist", "broken: no folder Нет holds B",
         "See [[Нет/{p}B]].", {"{p}B.md": "Текст.\n"}, ["1: link [[Нет/{p}B]] points to nothing"],
         page=expect(lambda s, r: s.select_one(".vault-unresolved").get_text() == f"Нет/{r.prefix}B" or pytest.fail(),
                     lambda s, r: links(s) == [] or pytest.fail(str(links(s))))),
    Case("indented code", "code: no link",
         "Текст.\n\n    [[Нет]] = 1\n",
         page=expect(lambda s, r: s.select_one("pre").get_text().strip() == "[[Нет]] = 1" or pytest.fail(),
                     lambda s, r: not s.select(".vault-unresolved") or pytest.fail())),
    Case("code span that never closes", "broken link: a lone backtick is text",
         "Текст `[[Нет]]`` текст", problems=["1: link [[Нет]] points to nothing"],
         page=expect(lambda s, r: s.select_one(".vault-unresolved").get_text() == "Нет" or pytest.fail())),
    Case("digits are no tag", "no tag: #2024 is text",
         "Год #2024 и #тег2024.",
         page=expect(lambda s, r: [a.get_text() for a in s.select(".vault-tag")] == ["#тег2024"] or pytest.fail())),
    Case("first line like metadata", "shown: Obsidian reads only YAML front matter",
         "Note: this first line must stay.\n\nТекст.",
         page=expect(lambda s, r: "Note: this first line must stay." in text_of(s) or pytest.fail(text_of(s)))),
    Case("inline comment", "hidden, its link is no link",
         "Видно %%скрытый текст [[{p}B]]%% видно", {"{p}B.md": "Текст.\n"},
         page=expect(lambda s, r: "скрытый" not in text_of(s) or pytest.fail(),
                     lambda s, r: links(s) == [] or pytest.fail(str(links(s))))),
    Case("comment never closed", "hides the rest (here, of its paragraph)",
         "Видно %%скрыто до конца\nи дальше\n\nСледующий абзац.",
         page=expect(lambda s, r: text_of(s) == "Видно Следующий абзац." or pytest.fail(text_of(s)))),
    Case("empty brackets and a lone block id", "text `[[ ]]`; an id with nothing before it is hidden",
         "^start\n\nПусто: [[ ]].",
         page=expect(lambda s, r: text_of(s) == "Пусто: [[ ]]." or pytest.fail(text_of(s)))),
    Case("comment block", "hidden, over many lines",
         "До.\n\n%%\nскрытый [[Нет]]\n\nабзац\n%%\n\nПосле.",
         page=expect(lambda s, r: text_of(s) == "До. После." or pytest.fail(text_of(s)))),
    Case("unsafe raw HTML", "made harmless (the check and the build name the line)",
         'Текст <img src="{p}pic.png" onerror="alert(1)">\n\n<script>alert(2)</script>\n\n'
         '<a href="javascript:alert(3)">ссылка</a>', {"attachments/{p}pic.png": PNG},
         ["1: raw HTML with onerror=", "3: raw HTML with <script>", "5: raw HTML with javascript:"],
         page=expect(lambda s, r: not re.search(r"onerror|<script|javascript:", str(s)) or pytest.fail(str(s)),
                     lambda s, r: "ссылка" in text_of(s) or pytest.fail())),
    Case("list after a paragraph line", "a list: no blank line needed",
         "Текст:\n- пункт\n- второй",
         page=expect(lambda s, r: [li.get_text() for li in s.select("ul > li")] == ["пункт", "второй"] or pytest.fail())),
    Case("nested lists", "nested by 2 spaces (bullets) and 3 (numbers)",
         "- a\n  - b\n1. c\n   1. d",
         page=expect(lambda s, r: s.select_one("ul > li > ul > li").get_text() == "b" or pytest.fail(str(s)),
                     lambda s, r: s.select_one("ol > li > ol > li").get_text() == "d" or pytest.fail(str(s)))),
    Case("list indented by a tab under a text line", "a list (CommonMark: more of the paragraph)",
         "Текст:\n\t- пункт\n\t- второй",
         page=expect(lambda s, r: [li.get_text() for li in s.select("ul > li")] == ["пункт", "второй"]
                     or pytest.fail(str(s)))),
    Case("block id after a callout", "the id names the callout; a link to it lands there",
         "[[#^note]]\n\n> [!note] Заголовок\n> Текст\n\n^note",
         page=expect(lambda s, r: s.find(id="^note") is not None and "admonition" in s.find(id="^note")["class"]
                     or pytest.fail(str(s)),
                     lambda s, r: links(s) == [("^note", "#^note")] or pytest.fail(str(links(s))))),
    Case("math next to digits", "math: Obsidian does not look at the character before `$`",
         "- $x$ и 1$A$, а $5 и $6 — деньги",
         page=expect(lambda s, r: [m.get_text() for m in s.select(".arithmatex")] == ["\\(x\\)", "\\(A\\)"]
                     or pytest.fail(str(s)))),
    Case("fence in a callout", "a closed block: no problem",
         "> [!example]\n> ```python\n> x = 1\n> ```",
         page=expect(lambda s, r: s.select_one(".admonition.example .highlight") is not None or pytest.fail(str(s)))),
    Case("fence in a list item", "the code stays in the item",
         "- пункт\n\n  ```python\n  x = 1\n  ```\n- второй",
         page=expect(lambda s, r: s.select_one("li .highlight") is not None or pytest.fail(str(s)))),
    Case("block embed", "the block, in place",
         "![[{p}B#^fact]]", {"{p}B.md": "Другое.\n\nФакт. ^fact\n"},
         page=expect(lambda s, r: s.select_one(".vault-embed p#\\^fact") is None or pytest.fail("id copied"),
                     lambda s, r: "Факт." in s.select_one(".vault-embed").get_text() or pytest.fail(),
                     lambda s, r: "Другое" not in s.select_one(".vault-embed").get_text() or pytest.fail(),
                     no_raw_syntax)),
    Case("heading embed", "the section, to the next heading of its level",
         "![[{p}B#Раздел]]", {"{p}B.md": "## Раздел\n\nВнутри.\n\n## Другой\n\nСнаружи.\n"},
         page=expect(lambda s, r: "Внутри" in s.select_one(".vault-embed").get_text() or pytest.fail(),
                     lambda s, r: "Снаружи" not in s.select_one(".vault-embed").get_text() or pytest.fail())),
    Case("math", "rendered by MathJax",
         "Формула $x^2$ и\n\n$$\n\\sum_i i\n$$",
         page=expect(lambda s, r: len(s.select(".arithmatex")) == 2 or pytest.fail(str(s)))),
    Case("markdown link to a note elsewhere", "valid: found by name, as a wiki-link",
         "[там]({p}C.md) и [тоже](%D0%9F%D0%B0%D0%BF%D0%BA%D0%B0/{p}C.md)", {"Папка/{p}C.md": "Текст.\n"},
         page=expect(lambda s, r: links(s) == [("там", f"../Папка/{r.prefix}C/"), ("тоже", f"../Папка/{r.prefix}C/")]
                     or pytest.fail(str(links(s))))),
    Case("markdown image by bare name", "valid: found by name in attachments/",
         "![картинка]({p}img.png)", {"attachments/{p}img.png": PNG},
         page=expect(lambda s, r: unquote(s.select_one("img")["src"]) == f"../attachments/{r.prefix}img.png"
                     or pytest.fail(str(s.select_one("img"))))),
    Case("markdown image sized by its alt text", "300 wide: ![alt|300](img.png)",
         "![картинка|300]({p}img.png) ![|40x30]({p}img.png)", {"attachments/{p}img.png": PNG},
         page=expect(lambda s, r: [(i.get("alt"), i.get("width"), i.get("height")) for i in s.select("img")]
                     == [("картинка", "300", None), ("", "40", "30")] or pytest.fail(str(s.select("img"))))),
    Case("note embed", "the whole note, without its footer",
         "![[{p}B]]", {"{p}B.md": "Всё тело заметки.\n"},
         page=expect(lambda s, r: "Всё тело заметки." in s.select_one(".vault-embed").get_text() or pytest.fail(),
                     lambda s, r: "Relations" not in s.select_one(".vault-embed").get_text() or pytest.fail(),
                     lambda s, r: s.select_one(".vault-embed").find_parent("p") is None or pytest.fail("embed in <p>"))),
    Case("raw HTML pointing into the vault", "the file by its name; a missing one is reported, not shown broken",
         '<img src="{p}img.png" alt="есть"> <img src="нет/{p}gone.png" alt="нет">', {"attachments/{p}img.png": PNG},
         ['1: embed <img src="нет/{p}gone.png">'],
         page=expect(lambda s, r: [(i.get("alt"), unquote(i.get("src") or "")) for i in s.select("img")]
                     == [("есть", f"../attachments/{r.prefix}img.png")] or pytest.fail(str(s)),
                     lambda s, r: "нет" in text_of(s) or pytest.fail("the alt text of the missing image"))),
    Case("Markdown link to a heading of the note", "valid when the heading exists",
         "## Есть\n\n[сюда](#Есть) [туда](#Нет)", problems=["3: […](#%D0%9D%D0%B5%D1%82): {p}A.md has no heading 'Нет'"],
         page=expect(lambda s, r: links(s)[:2] == [("сюда", "#есть"), ("туда", "./")] or pytest.fail(str(links(s))))),
    Case("heading with code, link with a label", "valid: the label shows",
         "[[{p}B#`code`|метка]] и [[{p}B#Раздел| `code` ]]", {"{p}B.md": "## `code`\n\n## Раздел\n"},
         page=expect(lambda s, r: [t for t, _ in links(s)] == ["метка", "`code`"] or pytest.fail(str(links(s))),
                     no_raw_syntax)),
    Case("audio, video, PDF", "players and a viewer",
         "![[{p}song.ogg]]\n\n![[{p}talk.mp4]]\n\n![[{p}paper.pdf]]",
         {"attachments/{p}song.ogg": b"OggS", "attachments/{p}talk.mp4": b"mp4", "attachments/{p}paper.pdf": b"%PDF-1.4"},
         page=expect(lambda s, r: s.select_one("audio[controls]") is not None or pytest.fail(),
                     lambda s, r: s.select_one("video[controls]") is not None or pytest.fail(),
                     lambda s, r: s.select_one("iframe.vault-pdf") is not None or pytest.fail())),
    Case("GFM", "tables, strikethrough, tasks, footnotes, autolinks by <…>",
         "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n~~нет~~ ==да==\n\n- [x] сделано\n- [ ] нет\n\nСноска[^1] <https://example.org>\n\n[^1]: Текст сноски.",
         page=expect(lambda s, r: s.select_one("table td") is not None or pytest.fail(),
                     lambda s, r: s.select_one("s, del").get_text() == "нет" or pytest.fail(),
                     lambda s, r: s.select_one("mark").get_text() == "да" or pytest.fail(),
                     lambda s, r: len(s.select("li.task-list-item input[type=checkbox]")) == 2 or pytest.fail(),
                     lambda s, r: "Текст сноски" in s.select_one(".footnote").get_text() or pytest.fail())),
    Case("callouts", "foldable, nested, aliases mapped",
         "> [!faq]- Вопрос\n> Ответ\n> > [!warning]\n> > Внутри",
         page=expect(lambda s, r: s.select_one("details.question summary").get_text() == "Вопрос" or pytest.fail(str(s)),
                     lambda s, r: s.select_one("details.question .admonition.warning") is not None or pytest.fail(str(s)))),
    Case("text right after a table", "ends the table: a row needs a `|`",
         "| a | b |\n|---|---|\n| 1 | 2 |\nТекст после\n![[{p}img.png|40]]", {"attachments/{p}img.png": PNG},
         page=expect(lambda s, r: len(s.select("table tr")) == 2 or pytest.fail(str(s)),
                     lambda s, r: "Текст после" in s.select_one("table + p").get_text() or pytest.fail(str(s)),
                     lambda s, r: s.select_one("p img[width='40']") is not None or pytest.fail(str(s)))),
    Case("Markdown right under an HTML block", "text of the block: no blank line, no Markdown "
         "(CommonMark's HTML blocks; Obsidian: Markdown inside HTML is not rendered)",
         "<div>\nраз\n</div>\n**не жирный** [[{p}B]]\n\n**жирный**", {"{p}B.md": "Текст.\n"},
         page=expect(lambda s, r: "**не жирный** [[" in text_of(s) or pytest.fail(text_of(s)),
                     lambda s, r: s.select_one("strong").get_text() == "жирный" or pytest.fail(str(s)))),
    Case("single line breaks", "kept, as with 'Strict line breaks' off",
         "одна\nдругая",
         page=expect(lambda s, r: s.select_one("p br") is not None or pytest.fail())),
    Case("mermaid", "a diagram",
         "```mermaid\ngraph LR\n  A --> B\n```",
         page=expect(lambda s, r: s.select_one("pre.mermaid") is not None or pytest.fail())),
    Case("ambiguous name", "Obsidian picks one; the house rule asks for the path",
         "[[{p}D]]", {"x/{p}D.md": "один\n", "y/{p}D.md": "другой\n"}, ["1: [[{p}D]] could mean any of"]),
    Case("missing heading", "broken anchor: the note opens at its top",
         "[[{p}B#Нет]]", {"{p}B.md": "## Есть\n"}, ["1: [[{p}B#Нет]]: {p}B.md has no heading 'Нет'"]),
    Case("missing block", "broken anchor",
         "[[{p}B#^nope]]", {"{p}B.md": "Факт. ^fact\n"}, ["1: [[{p}B#^nope]]: {p}B.md has no block ^nope"]),
]


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    """All rows in one vault, built once (not strict: the broken rows warn)."""
    root = tmp_path_factory.mktemp("cases")
    files: dict[str, str | bytes] = {}
    for number, case in enumerate(CASES):
        prefix = f"c{number:02d}-"
        files[f"{prefix}A.md"] = case.note.format(p=prefix) + "\n" + FOOTER
        for name, content in case.others.items():
            text = content.format(p=prefix) if isinstance(content, str) else content
            if name.endswith(".md"):
                text += FOOTER
            files[name.format(p=prefix)] = text
    notes = sorted(n[:-3] for n in files if n.endswith(".md"))
    hub = " ".join(f"[[{n}]]" for n in notes) + "\n" + FOOTER
    vault = make_vault(root, files, hub=hub)
    build = mkdocs_build(root / "site", vault, strict=False)
    assert build.returncode == 0, build.log[-3000:]
    return vault, build


def _problem_lines(lines: list[str], note: str) -> list[str]:
    marker = f"/{note}:"
    return sorted(line.split(marker, 1)[1] for line in lines if marker in line)


@pytest.mark.parametrize("number", range(len(CASES)), ids=[c.name for c in CASES])
def test_obsidian_case(table, number):
    vault_dir, build = table
    case, prefix = CASES[number], f"c{number:02d}-"
    note = f"{prefix}A.md"
    expected = sorted(p.format(p=prefix) for p in case.problems)

    model = Vault.load(vault_dir)
    from_model = _problem_lines([str(p) for p in model.note_problems(model.notes[note])], note)
    from_check = _problem_lines([str(p) for p in check_vault(vault_dir)], note)
    from_build = _problem_lines(build.warnings(), note)
    for where, found in (("model", from_model), ("check", from_check), ("build", from_build)):
        assert len(found) == len(expected), f"{where}: {found}"
        for line, want in zip(found, expected):
            assert line.startswith(want), f"{where}: {line!r} does not start with {want!r}"

    row = Row(case, prefix, build.site)
    case.page(row.page("A"), row)


def test_every_row_says_what_obsidian_does():
    assert all(case.obsidian for case in CASES)
    assert len({case.name for case in CASES}) == len(CASES)


def test_comments_reach_neither_the_page_nor_the_search_index(table):
    _, build = table
    index = json.dumps(json.loads((build.site / "search" / "search_index.json").read_text("utf-8")),
                       ensure_ascii=False)
    assert "скрытый" not in index
    assert "Видно" in index, "the inline comment's note is indexed"
