"""Our Obsidian rendering on a small vault of edge cases (tests/site/fixture_vault), built with the
site's own configuration: transclusion, image sizes, inline tags, aliases, `\\|` in tables,
unresolved links, the footer, test tokens, callouts, the graph data."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from tools.site.render import render_note, tag_slug
from tools.vault import Vault

pytestmark = pytest.mark.timeout(300)


def page(build, name: str) -> BeautifulSoup:
    path = build.site / name / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one("article")


def hrefs(element) -> list[str]:
    return [unquote(a["href"]) for a in element.select("a[href]")]


def test_the_build_names_the_missing_note_and_nothing_else(fixture_build):
    assert fixture_build.returncode == 0, fixture_build.log
    warnings = fixture_build.warnings()
    # A warning fails `mkdocs build --strict`: the missing note is named, with the page linking to it.
    assert len(warnings) == 1, warnings
    # In the form every tool of the project uses: <note>:<line>: <what is wrong> — <how to fix it>.
    assert warnings[0].endswith(
        "vault/Бета.md:15: link [[Ненаписанная заметка]] points to nothing in the vault — "
        "fix the name, or create the note or put the file in attachments/"
    ), warnings


def test_unresolved_link_is_marked_text_not_a_dead_link(fixture_build):
    beta = page(fixture_build, "Бета")
    marked = beta.select_one(".vault-unresolved")
    assert marked is not None and marked.get_text() == "Ненаписанная заметка"
    assert not [h for h in hrefs(beta) if "Ненаписанная" in h]
    for code in beta.select("pre, code"):
        code.decompose()
    assert "[[" not in beta.get_text()


def test_alias_and_case_insensitive_names_resolve(fixture_build):
    first = page(fixture_build, "Бета").select_one("p")
    links = {a.get_text(): unquote(a["href"]) for a in first.select("a")}
    assert links["Первая буква"] == "../Альфа/"
    assert links["альфа"] == "../Альфа/"


def test_wikilinks_in_tables_keep_the_table_whole(fixture_build):
    row = page(fixture_build, "Бета").select("table tbody tr")
    assert len(row) == 1
    cells = row[0].select("td")
    assert len(cells) == 2, "the escaped | split the cell"
    assert [(a.get_text(), unquote(a["href"])) for a in row[0].select("a")] == [
        ("первая", "../Альфа/"),
        ("второй раздел", "../Альфа/#раздел-два"),
    ]


def test_transclusion_renders_the_section_and_the_note_inline(fixture_build):
    embeds = page(fixture_build, "Бета").select(".vault-embed")
    assert len(embeds) == 2
    section, note = embeds
    assert "Текст первого раздела" in section.get_text()
    assert "Второй раздел" not in section.get_text(), "the embed ran past its section"
    assert section.select_one("div.language-python .filename").get_text() == "alpha.py"
    # Links inside the embedded text still work from the embedding page.
    assert "./" in hrefs(section)
    assert "Гамма лежит в папке" in note.get_text()
    assert "Связи" not in note.get_text(), "the embedded note's footer came along"
    assert unquote(note.select_one(".vault-embed__source a")["href"]) == "../Папка/Гамма/"
    assert not page(fixture_build, "Бета").select("img[src$='.md'], img[src*='Альфа']")


def test_image_size(fixture_build):
    images = page(fixture_build, "Бета").select("img[src$='pic.svg']")
    assert [(i.get("width"), i.get("height")) for i in images] == [("120", None), ("120", "80")]
    assert all(i["src"] == "../attachments/pic.svg" for i in images)
    assert all(i.parent.name == "a" and "glightbox" in i.parent["class"] for i in images)


def test_inline_tags_become_chips_but_not_in_code_urls_or_headings(fixture_build):
    alpha = page(fixture_build, "Альфа")
    chips = [a.get_text() for a in alpha.select("a.vault-tag")]
    assert chips == ["#fixture/nested", "#простой", "#fixture"]
    assert {unquote(a["href"]) for a in alpha.select("a.vault-tag")} == {
        "../tags/#tag:fixture/nested", "../tags/#tag:простой", "../tags/#tag:fixture",
    }
    assert "#fff" in alpha.get_text() and "#nope" in alpha.get_text() and "page#frag" in alpha.get_text()
    header_chips = {a.get_text() for a in alpha.select("nav.md-tags a.md-tag")}
    assert header_chips == {"fixture", "fixture/nested", "простой"}
    # Obsidian reads a tag in a heading as a tag too (the heading's own `#`s are its level).
    heading = page(fixture_build, "Бета").find(id="заголовок-нетег")
    assert [a.get_text() for a in heading.select("a.vault-tag")] == ["#нетег"]


def test_tags_page_lists_the_notes_under_each_tag(fixture_build):
    tags = BeautifulSoup((fixture_build.site / "tags" / "index.html").read_text(encoding="utf-8"), "html.parser")
    for tag, notes in [("простой", {"Альфа"}), ("fixture", {"Альфа", "Бета", "Гамма"})]:
        anchor = tags.find(id=tag_slug(tag))
        assert anchor is not None, f"no section for #{tag}"
        listing = anchor.find_next("ul")
        assert {a.get_text().strip() for a in listing.select("a")} >= notes


def test_test_tokens_are_stripped_and_titles_kept(fixture_build):
    alpha = page(fixture_build, "Альфа")
    blocks = alpha.select("div.language-python.highlight")
    assert len(blocks) == 4
    titles = [b.select_one(".filename").get_text() if b.select_one(".filename") else None for b in blocks]
    assert titles == ["alpha.py", "alpha.py", "Проверка", None]
    # The runner's tokens never reach the page (the state of the last test run is our own markup).
    for badge in alpha.select("details.vault-check"):
        badge.decompose()
    for div in alpha.select("[data-check]"):
        del div["data-check"]
    assert "continuation" not in str(alpha) and "notest" not in str(alpha)
    assert all(b.select("code span[class]") for b in blocks)


def test_callouts_mermaid_and_footer(fixture_build):
    beta = page(fixture_build, "Бета")
    note = beta.select_one("div.admonition.note")
    assert note.select_one(".admonition-title").get_text() == "Заметка на полях"
    assert unquote(note.select_one("a")["href"]) == "../Альфа/"
    assert beta.select_one("details.tip summary").get_text() == "Свёрнутая выноска"
    assert beta.select_one("pre.mermaid") is not None
    rows = {
        row.select_one("strong").get_text(): row
        for row in beta.select(".vault-footer__row")
    }
    assert list(rows) == ["Связи", "Теги"], "empty References/Query rows are left out"
    assert [a.get_text() for a in rows["Связи"].select("a")] == ["Альфа", "Гамма"]
    assert [a.get_text() for a in rows["Теги"].select("a.md-tag")] == ["#fixture", "#fixture/nested"]


def test_graph_data_comes_from_the_resolved_links(fixture_build):
    graph = json.loads((fixture_build.site / "graph.json").read_text(encoding="utf-8"))
    assert {n["title"] for n in graph["nodes"]} == {"Альфа", "Бета", "Гамма"}
    pairs = {(l["source"], l["target"]) for l in graph["links"]}
    assert pairs == {
        ("Альфа.md", "Бета.md"),
        ("Бета.md", "Альфа.md"),
        ("Бета.md", "Папка/Гамма.md"),
        ("Папка/Гамма.md", "Бета.md"),
    }
    for node in graph["nodes"]:
        assert (fixture_build.site / unquote(node["url"]) / "index.html").is_file()
    assert page(fixture_build, "Папка/Гамма").select_one(".vault-local-graph")["data-id"] == "Папка/Гамма.md"


def test_home_page_lists_every_note_and_the_site_pages(fixture_build):
    home = page(fixture_build, "")
    links = set(hrefs(home))
    assert {"Альфа/", "Бета/", "Папка/Гамма/", "tags/", "graph/"} <= links


# -- the renderer alone, without MkDocs -------------------------------------------------------------


def render(notes: dict[str, str], name: str) -> tuple[BeautifulSoup, list[str]]:
    """A note of a small in-memory vault rendered as its page would be, and the model's problems."""
    vault = Vault(Path("vault"), notes, ["attachments/x.png"])
    note = vault.notes[name]
    url_of = {rel: rel.removesuffix(".md") + "/" for rel in vault.notes}.get
    html = render_note(note, vault, url_of(name), url_of, "tags/").html
    return BeautifulSoup(html, "html.parser"), [str(p) for p in vault.note_problems(note)]


def test_embed_cycles_stop():
    soup, _ = render({"A.md": "![[B]]\n", "B.md": "![[A]]\n"}, "A.md")
    assert len(soup.select(".vault-embed")) == 1
    assert [a.get_text() for a in soup.select(".vault-embed a")] == ["B", "A"]


def test_missing_heading_is_reported_and_links_to_the_note():
    soup, problems = render({"A.md": "[[B#Нет такого]]\n", "B.md": "## Есть\n"}, "A.md")
    assert [(a.get_text(), a["href"]) for a in soup.select("a")] == [("B › Нет такого", "../B/")]
    assert problems == ["vault/A.md:1: [[B#Нет такого]]: B.md has no heading 'Нет такого' — "
                        "use a heading the note has (copy it exactly), or add it"]


def test_tags_inside_inline_code_links_and_html_stay_text():
    soup, _ = render({"A.md": "`#code` [x](#anchor) <span style='color:#fff'>x</span> #real 123 #42\n"}, "A.md")
    assert [a.get_text() for a in soup.select("a.vault-tag")] == ["#real"]
    assert soup.select_one("code").get_text() == "#code" and "#42" in soup.get_text()


def test_notebook_scripts_come_from_the_site():
    from tools.site.hooks import notebook_content

    page = (
        '<p>$x^2$</p><script src=""> </script>'
        '<script src="https://cdn.example/require.js"></script>'
        '<script type="module">import("https://cdnjs.cloudflare.com/ajax/libs/mermaid/11.10.0/mermaid.esm.min.mjs");'
        'const elkUrl = "https://cdnjs.cloudflare.com/ajax/libs/mermaid-layout-elk/0.1.9/x.mjs";</script>'
    )
    out = notebook_content(page, "../")
    assert "https://" not in out
    assert '<script src="../vendor/mathjax/tex-mml-chtml.js">' in out
    assert 'import("../javascripts/mermaid-shim.js")' in out and 'elkUrl = ""' in out
    assert "mathjax" not in notebook_content('<p>no math</p><script src=""> </script>', "../")


def test_links_to_headings_of_the_same_note():
    soup, problems = render({"A.md": "## Раздел\n\n[[#Раздел]] [[#раздел|сюда]] [[#Нет]]\n"}, "A.md")
    links = [(a.get_text(), a["href"]) for a in soup.select("p a")]
    # A heading the note lacks: the link still opens the note, as in Obsidian, and is reported.
    assert links == [("Раздел", "#раздел"), ("сюда", "#раздел"), ("Нет", "./")]
    assert len(problems) == 1 and "Нет" in problems[0]


def test_rendering_leaves_the_models_parse_as_it_was():
    """The parse is cached and shared by the check and the site: a render must not change it."""
    notes = {"A.md": "## Есть\n\n[x](#Есть) [y](#нет) ![](gone.png) ![[B#^b]] Факт. ^a\n", "B.md": "Блок. ^b\n"}
    vault = Vault(Path("vault"), notes, [])
    before = [str(p) for p in vault.note_problems(vault.notes["A.md"])]
    url_of = {"A.md": "A/", "B.md": "B/"}.get
    for _ in range(2):
        render_note(vault.notes["A.md"], vault, "A/", url_of, None)
    again = Vault(Path("vault"), notes, [])
    assert [str(p) for p in again.note_problems(again.notes["A.md"])] == before
    assert [t.as_dict() for t in vault.notes["B.md"].tokens] == [t.as_dict() for t in again.notes["B.md"].tokens]


def test_code_blocks_have_the_markup_pymdownx_highlight_wrote():
    """Material's code features read pymdownx.highlight's markup; ours is the same on every block
    of the vault (but that a language Pygments does not know keeps its name)."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound
    from pymdownx.highlight import Highlight

    from tests.site.helpers import VAULT
    from tools.site.render import highlight_block
    from tools.vault import Note, note_paths

    theirs = Highlight(None, pygments_lang_class=True, line_spans="__span", anchor_linenums=True,
                       language_prefix="language-", stripnl=False)
    compared = 0
    for path in note_paths(VAULT):
        for count, block in enumerate(Note(path.name, path.read_text("utf-8"), path).code_blocks):
            try:
                get_lexer_by_name(block.lang or "text")
            except ClassNotFound:
                continue
            for title in (None, block.title or "x.py"):
                assert highlight_block(block.source, block.lang, count, title) == theirs.highlight(
                    block.source, block.lang, code_block_count=count, title=title), block.where
                compared += 1
    assert compared > 50
