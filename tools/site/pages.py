"""Pages that exist only on the site, written at build time: home, tags index, graph of notes,
and the checks page (its body comes from tools/site/checks.py)."""

from __future__ import annotations

from collections import defaultdict

from tools.vault import Vault

HOME, TAGS, GRAPH, CHECKS = "index.md", "tags.md", "graph.md", "checks.md"


def home(vault: Vault, site_name: str, hub_name: str, notebooks: list[str], proof: str = "") -> str:
    """What the vault is, where to start (the hub, then its reading order), and every note by folder."""
    hub = vault.notes.get(f"{hub_name}.md")
    path = [hub, *[n for _, notes in vault.reading_order(hub)[:1] for n in notes]] if hub else []
    lines = [
        "---",
        "title: Главная",
        "hide: [toc]",
        "---",
        f"# {site_name}",
        "",
        "Заметки о том, как программа на Python работает с сетью: от блокирующих сокетов "
        "через неблокирующие и модуль `selectors` к циклу событий asyncio и корректному "
        "завершению сервера. Каждый пример кода в заметках — настоящая программа: она "
        "извлекается в папку `code/` и запускается тестами при каждом изменении, так что "
        "всё, что здесь показано, действительно работает.",
        "",
        "Это хранилище Obsidian: папку `vault/` можно открыть в Obsidian и читать те же "
        "заметки там, со ссылками, тегами и графом.",
        "",
    ]
    if proof:
        lines += [proof, ""]
    if path:
        lines += ["## С чего начать", ""]
        first, rest = path[0], path[1:]
        lines += [f"Начните с заметки [[{first.name}]] — она связывает все остальные, — "
                  "а потом идите по порядку:", ""]
        if rest:
            lines += _diagram(rest)
            lines += ['<div class="grid cards vault-start" markdown>', ""]
            for i, note in enumerate(rest, 1):
                lines += [f"-   __{i}.__ [[{note.name}]]", "", "    ---", "", f"    {summary(note)}", ""]
            lines += ["</div>", ""]
    lines += [
        "## Как устроен сайт",
        "",
        # The site's own pages are not notes of the vault: plain HTML links (the home page is at the root).
        '- <a href="tags/">Все теги</a> — заметки, собранные по тегам.',
        '- <a href="graph/">Граф заметок</a> — все заметки и ссылки между ними; щелчок открывает заметку.',
        '- <a href="checks/">Проверки</a> — что последний запуск тестов сделал с каждым блоком кода.',
        "- Под каждой заметкой — её связи, обратные ссылки и локальный граф.",
        "",
    ]
    if notebooks:
        lines += ["## Блокноты", ""]
        lines += [f"- [[{name}]]" for name in notebooks]
        lines.append("")
    by_folder: dict[str, list] = defaultdict(list)
    for note in vault.notes.values():
        by_folder[note.folder].append(note)
    lines += ["## Все заметки", ""]
    for folder in sorted(by_folder):
        if folder:
            lines += [f"### {folder}", ""]
        for note in sorted(by_folder[folder], key=lambda n: n.title.casefold()):
            lines.append(f"- [[{note.rel[:-3] if folder else note.name}|{note.title}]]")
        lines.append("")
    return "\n".join(lines)


def _diagram(notes: list) -> list[str]:
    """The reading order as a mermaid flowchart, in rows of four so that it stays legible."""
    lines = ["```mermaid", "flowchart TB"]
    rows = [notes[i:i + 4] for i in range(0, len(notes), 4)]
    for r, row in enumerate(rows):
        lines.append(f'  subgraph row{r} [" "]')
        lines.append("    direction LR")
        for i, note in enumerate(row):
            lines.append(f'    n{r}_{i}["{note.title}"]')
        for i in range(len(row) - 1):
            lines.append(f"    n{r}_{i} --> n{r}_{i + 1}")
        lines.append("  end")
    # Rows are linked box to box: a link from a node inside a row would undo its direction.
    for r in range(len(rows) - 1):
        lines.append(f"  row{r} --> row{r + 1}")
    for r in range(len(rows)):
        lines.append(f"  style row{r} fill:none,stroke:none")
    return lines + ["```", ""]


def summary(note, limit: int = 170) -> str:
    """The note's first sentence or two, as plain text: its own opening says what it is about."""
    text = note.summary()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return cut[:end + 1] if end > limit // 3 else cut.rsplit(" ", 1)[0] + "…"


def tags() -> str:
    return "\n".join([
        "---",
        "hide: [toc]",
        "---",
        "# Теги",
        "",
        "Теги ставятся в тексте заметки, как в Obsidian: `#theory`, `#asyncio/sockets`.",
        "",
        "<!-- material/tags -->",
        "",
    ])


def checks() -> str:
    """The page's title for MkDocs; its body is rendered by the hooks from the test results."""
    return "---\nhide: [navigation]\n---\n# Проверки\n"


def graph() -> str:
    return "\n".join([
        "---",
        "hide: [toc, navigation]",
        "---",
        "# Граф заметок",
        "",
        "Каждая точка — заметка, линия — ссылка между заметками. Щелчок по точке открывает "
        "заметку; колесо мыши приближает, перетаскивание сдвигает.",
        "",
        '<div class="vault-graph vault-graph--global" data-src="graph.json"></div>',
        "",
    ])
