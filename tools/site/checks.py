"""The proof on the site: each python block says what the last test run did with it, and the page
«Проверки» lists every note's blocks and programs with their states (tools/checks/results.py).

The renderer asks `NoteChecks.badge` for every python fence; the badge is a <details> inside the
block's container (after the code, so Material's annotations and copy button are undisturbed),
and the container carries the state as `data-check`.
"""

from __future__ import annotations

import datetime
import html
from collections import Counter
from dataclasses import dataclass, field

from markdown.extensions.toc import slugify_unicode

from tools.checks import results as r
from tools.vault import ROOT, Note, Vault
from tools.vault.note import unique_id

PAGE_TITLE = "Проверки"
MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
          "октября", "ноября", "декабря")
SUMMARY = {
    r.PASSED: "✓ проверено",
    r.FAILED: "✗ проверка не прошла",
    r.STALE: "◌ изменён после проверки",
    r.NOTEST: "○ не запускается",
    r.FLAWED: "⚠ неверный вариант: проверки его ловят",
    r.NOT_RUN: "◌ ещё не запускался",
}
STATE_NAMES = {
    r.PASSED: "прошёл", r.FAILED: "не прошёл", r.STALE: "изменён после проверки",
    r.NOTEST: "не запускается", r.FLAWED: "неверный вариант", r.NOT_RUN: "не запускался",
}


def russian_date(iso: str) -> str:
    try:
        when = datetime.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return ""
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " с"


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


@dataclass
class BlockState:
    note: Note
    line: int
    index: int  # among the note's tested python blocks, as pytest-markdown-docs counts (0: none)
    title: str | None
    first_line: str
    state: r.State

    @property
    def test_id(self) -> str:
        return r.test_id(self.note.rel, self.index, self.line) if self.index else ""


@dataclass
class NoteChecks:
    """The states of one note's python blocks, by the line of their opening fence."""

    note: Note
    blocks: dict[int, BlockState] = field(default_factory=dict)

    @classmethod
    def of(cls, note: Note, results: r.Results) -> "NoteChecks":
        checks = cls(note)
        index = 0
        for block in note.code_blocks:
            if not block.is_python:
                continue
            if not block.notest:
                index += 1
            # What the block is about: its first line that is not an import (or its first line).
            lines = [line.strip() for line in block.source.splitlines() if line.strip()]
            first = next((line for line in lines if not line.startswith(("import ", "from "))), lines[0] if lines else "")
            state = results.state_of(note.rel, block.source, block.title)
            checks.blocks[block.line] = BlockState(note, block.line, 0 if block.notest else index,
                                                   block.title, first, state)
        return checks

    def badge(self, line: int) -> tuple[str, str] | None:
        """(data-check value, the badge's HTML) of the python block whose fence opens at `line`."""
        block = self.blocks.get(line)
        if block is None:
            return None
        return block.state.state, badge_html(block)


def badge_html(block: BlockState) -> str:
    s = block.state
    state, record, run = s.state, s.record, s.run
    summary = [SUMMARY[state]]
    if state == r.PASSED and "duration" in record:
        summary.append(seconds(record["duration"]))
    if state in (r.PASSED, r.FAILED) and run:
        summary += [f"Python {'.'.join(run.get('python', '').split('.')[:2])}", russian_date(run.get("date", ""))]
    details: list[str] = []
    if state == r.FAILED and record.get("message"):
        details.append(f"<p>Ошибка: <code>{_esc(record['message'])}</code></p>")
    if state == r.STALE:
        details.append("<p>Текст блока изменился после последнего запуска тестов: результат устарел.</p>")
    if state == r.NOT_RUN:
        details.append(f"<p>Результатов тестов пока нет: их записывает <code>{r.TEST_COMMAND}</code>.</p>")
    if state == r.NOTEST:
        details.append(f"<p>Блок не запускается как проверка. Причина (из списка разрешённых): "
                       f"<q>{_esc(record.get('reason', ''))}</q></p>")
    if state == r.FLAWED or (state == r.FAILED and "caught_by" in record):
        details.append(f"<p>Это намеренно неверный вариант: <q>{_esc(record.get('reason', ''))}</q>.</p>")
        if record.get("caught_by"):
            details.append(f"<p>Его ловит проверка <code>{_esc(record['caught_by'])}</code>.</p>")
    if s.programs:
        details.append(programs_html(block.title or "", s.programs))
    if block.test_id:
        details.append(f'<p>Запустить только этот блок: <code>pytest "{_esc(block.test_id)}"</code></p>')
    elif record.get("test"):
        details.append(f'<p>Проверка варианта: <code>pytest "{_esc(record["test"])}"</code></p>')
    if run and state not in (r.NOT_RUN, r.NOTEST):
        changed = ", с незакоммиченными правками" if run.get("changed") else ""
        details.append(f"<p class=\"vault-check__run\">Запуск: коммит <code>{_esc(run.get('commit', ''))}</code>"
                       f"{changed}, Python {_esc(run.get('python', ''))}, {_esc(run.get('platform', ''))}, "
                       f"{_esc(russian_date(run.get('date', '')))}.</p>")
    return (f'<details class="vault-check vault-check--{state}"><summary>{_esc(" · ".join(x for x in summary if x))}'
            f'</summary>{"".join(details)}</details>')


def programs_html(title: str, tests: list[dict]) -> str:
    """The tests of tests/ that ran the program, grouped by test function, with their outcomes."""
    short = title.removesuffix(".py").removesuffix("_echo_server")
    groups: dict[tuple[str, str], list[tuple[str, dict]]] = {}
    for test in tests:
        path, _, name = test["test"].partition("::")
        function, _, params = name.partition("[")
        cases = [p for p in params.rstrip("]").split("-") if p and p not in (short, title)] if params else []
        kind = function.removeprefix("test_").replace("_", " ")
        groups.setdefault((path, kind), []).append((" ".join(cases), test))
    failed = [t for t in tests if t["outcome"] != r.PASSED]
    verdict = "все прошли" if not failed else f"не прошли {len(failed)}"
    items = []
    for (path, kind), cases in groups.items():
        marks = "".join(
            f'<span class="vault-check__test vault-check__test--{_esc(t["outcome"])}" title="{_esc(t["test"])}">'
            f'{"✓" if t["outcome"] == r.PASSED else "✗"}{(" " + _esc(case)) if case else ""}</span>'
            for case, t in cases
        )
        items.append(f'<li><span class="vault-check__kind" title="{_esc(path)}">{_esc(kind)}</span> {marks}</li>')
    return (f"<p>Программу <code>{_esc(title)}</code> как процесс запускают тесты из <code>tests/</code>: "
            f"{len(tests)}, {verdict}.</p><ul>{''.join(items)}</ul>")


# -- the page «Проверки» ----------------------------------------------------------------------

def totals(vault: Vault, results: r.Results) -> Counter:
    counts: Counter = Counter()
    for note in vault.notes.values():
        for block in NoteChecks.of(note, results).blocks.values():
            counts[block.state.state] += 1
    return counts


def home_line(vault: Vault, results: r.Results, checks_url: str) -> str:
    """One line for the home page: how many blocks ran and passed. The link is raw HTML, as the
    home page's other links to the site's own pages: a Markdown link would be resolved in the vault."""
    counts = totals(vault, results)
    blocks = sum(counts.values())
    link = f'<a href="{_esc(checks_url)}">Проверки</a>'
    if not results.present:
        return (f"В заметках {blocks} блоков кода на Python; результатов тестов пока нет "
                f"(их записывает `{r.TEST_COMMAND}`): {link}.")
    ran = counts[r.PASSED] + counts[r.FAILED]
    when = russian_date(results.run.get("date", ""))
    flawed = (f"; ещё {counts[r.FLAWED]} — намеренно неверные варианты, и проверки их ловят"
              if counts[r.FLAWED] else "")
    return f"Из {blocks} блоков кода на Python тесты запустили {ran}, прошли {counts[r.PASSED]} ({when}){flawed}: {link}."


def page_html(vault: Vault, results: r.Results, url_of, page_url: str, relative) -> tuple[str, list[dict]]:
    """The page «Проверки»: where the results came from, totals, then every note with blocks."""
    counts = totals(vault, results)
    out = [f'<h1 id="{slugify_unicode(PAGE_TITLE, "-")}">{PAGE_TITLE}</h1>']
    if results.present:
        run = results.run
        out.append(f"<p>Результаты последнего запуска тестов (<code>{_esc(run.get('command', ''))}</code>): "
                   f"коммит <code>{_esc(run.get('commit', ''))}</code>"
                   f"{', с незакоммиченными правками' if run.get('changed') else ''}, Python "
                   f"{_esc(run.get('python', ''))}, {_esc(run.get('platform', ''))}, "
                   f"{_esc(russian_date(run.get('date', '')))}. Файл: <code>{_esc(_shown_path(results))}</code>.</p>")
    else:
        out.append(f"<p>Результатов тестов пока нет: <code>{r.TEST_COMMAND}</code> запишет их, и сайт, "
                   f"собранный после этого, покажет у каждого блока, что с ним стало.</p>")
    out.append('<p class="vault-checks__totals">' + " · ".join(
        f'<span data-check="{state}">{STATE_NAMES[state]}: {counts[state]}</span>'
        for state in r.STATES if counts[state]) + "</p>")
    toc = []
    used = set()
    for note in sorted(vault.notes.values(), key=lambda n: n.title.casefold()):
        checks = NoteChecks.of(note, results)
        if not checks.blocks:
            continue
        anchor = unique_id(slugify_unicode(note.title, "-"), used)
        href = relative(url_of(note.rel) or "", page_url)
        duration = sum(b.state.record.get("duration", 0) for b in checks.blocks.values())
        # Out of the search index (Material's data-search-exclude): a note is found as itself, not
        # again as a line of this report; and the plugin looks each indexed section up in the page's
        # table of contents from its start, which over one section a note grows with the square of the vault.
        out.append(f'<h2 id="{anchor}" data-search-exclude><a href="{_esc(href)}">{_esc(note.title)}</a></h2>')
        toc.append({"level": 2, "id": anchor, "name": _esc(note.title), "children": []})
        out.append('<table class="vault-checks"><thead><tr><th>Строка</th><th>Блок</th><th>Состояние</th>'
                   '<th>Время</th><th>Программу проверяют</th></tr></thead><tbody>')
        for block in checks.blocks.values():
            s = block.state
            what = f"<code>{_esc(block.title)}</code>" if block.title else f"<code>{_esc(block.first_line[:60])}</code>"
            programs = ""
            if s.programs:
                passed = sum(t["outcome"] == r.PASSED for t in s.programs)
                programs = f"{passed} из {len(s.programs)} тестов"
            out.append(f'<tr data-check="{s.state}"><td>{block.line}</td><td>{what}</td>'
                       f'<td>{SUMMARY[s.state]}</td>'
                       f'<td>{seconds(s.record["duration"]) if "duration" in s.record else ""}</td>'
                       f"<td>{programs}</td></tr>")
        out.append(f'</tbody></table><p class="vault-checks__note-total">Всего: {len(checks.blocks)} блоков'
                   f'{", " + seconds(duration) if duration else ""}.</p>')
    return "\n".join(out), toc


def _shown_path(results: r.Results) -> str:
    path = results.path
    if path is None:
        return ""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
