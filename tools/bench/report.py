"""What `make bench` writes beside its JSON: the table note the benchmark note transcludes, the
targets checked against the results, and the figures the README quotes. Everything is rendered
from the JSON, so the tests can render it again and compare."""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from tools.vault import ROOT, VAULT

ATTACHMENTS = VAULT / "attachments"
RESULTS = ATTACHMENTS / "echo-bench.json"
TABLE_NOTE = ATTACHMENTS / "Таблица замеров.md"
README = ROOT / "README.md"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"

# Program names in the JSON -> how the notes call them.
LABELS = {
    "blocking": "блокирующий",
    "threaded": "поток на клиента",
    "busy_loop": "цикл опроса",
    "selectors": "selectors",
    "asyncio_sock": "asyncio sock_*",
    "asyncio_streams": "asyncio streams",
    "uvloop_sock": "uvloop sock_*",
    "uvloop_streams": "uvloop streams",
}
# The asyncio servers, which the C10K target is about (uvloop's when they were measured).
EVENT_LOOPS = ("selectors", "asyncio_sock", "asyncio_streams", "uvloop_sock", "uvloop_streams")
# The case the targets and the noise are about.
TYPICAL = (100, 64)


def load(path: Path = RESULTS) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def label(server: str) -> str:
    return LABELS.get(server, server)


# -- picking runs ----------------------------------------------------------------------------------


def runs_of(data: dict, server: str, clients: int, size: int) -> list[dict]:
    return [r for r in data["runs"] if (r["server"], r["clients"], r["size"]) == (server, clients, size)]


def typical_run(runs: list[dict]) -> dict | None:
    """Of repeated runs, the one with the median CPU per request: one real run, not a blend."""
    good = sorted((r for r in runs if r.get("cpu_per_request_us") is not None), key=lambda r: r["cpu_per_request_us"])
    if good:
        return good[(len(good) - 1) // 2]
    return runs[0] if runs else None


def servers(data: dict) -> list[str]:
    seen = [r["server"] for r in data["idle"]] + [r["server"] for r in data["runs"]]
    return list(dict.fromkeys(seen))


def cases(data: dict, size: int) -> list[tuple[str, int]]:
    """(server, clients) measured at this size, in the order of the sweep's servers, N rising."""
    found = {(r["server"], r["clients"]) for r in data["runs"] if r["size"] == size}
    order = servers(data)
    return sorted(found, key=lambda case: (order.index(case[0]), case[1]))


def idle_of(data: dict, server: str, key: str = "cpu_share") -> float | None:
    return next((r.get(key) for r in data["idle"] if r["server"] == server and "cpu_share" in r), None)


def cpu_per_request(data: dict, server: str, clients: int = TYPICAL[0], size: int = TYPICAL[1]) -> float | None:
    run = typical_run(runs_of(data, server, clients, size))
    return run.get("cpu_per_request_us") if run else None


# -- number formatting (Russian: decimal comma, thin groups) -------------------------------------


def num(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    return text


def pct(share: float | None, digits: int = 0) -> str:
    return "—" if share is None else num(share * 100, digits) + " %"


# -- targets ---------------------------------------------------------------------------------------


@dataclass
class Target:
    goal: str
    result: str
    holds: bool | None  # None: not measured in this run

    @property
    def mark(self) -> str:
        return {True: "да", False: "**нет**", None: "не мерили"}[self.holds]


def targets(data: dict) -> list[Target]:
    found = []
    clients, size = TYPICAL

    sel, streams = cpu_per_request(data, "selectors"), cpu_per_request(data, "asyncio_streams")
    if sel and streams:
        ratio = sel / streams
        found.append(Target(
            "selectors: CPU на запрос ≤ 0,75 от asyncio streams (N = 100, 64 Б)",
            f"{num(sel, 1)} мкс против {num(streams, 1)} мкс: {num(ratio, 2)}×", ratio <= 0.75))
    else:
        found.append(Target("selectors: CPU на запрос ≤ 0,75 от asyncio streams (N = 100, 64 Б)", "нет данных", None))

    parts, holds = [], []
    for server in EVENT_LOOPS:
        run = typical_run(runs_of(data, server, 10_000, 64))
        if run is None:
            continue
        if "error" in run:
            parts.append(f"{label(server)}: ошибка")
            holds.append(False)
            continue
        ok = run["starved"] == 0 and run["failed"] == 0 and run["clients"] == 10_000
        holds.append(ok)
        parts.append(f"{label(server)}: голодали {num(run['starved'])}, первое эхо не позже {num(run['first_echo_max_ms'])} мс")
    found.append(Target(
        "C10K: selectors и asyncio держат 10 000 подключений, первое эхо каждому за 1 с",
        "; ".join(parts) or "нет данных", all(holds) if holds else None))

    parts, holds = [], []
    for server in servers(data):
        if server == "blocking":
            continue
        for size_ in data["settings"]["sizes"]:
            run = typical_run(runs_of(data, server, 1_000, size_))
            if run is None:
                continue
            starved = run.get("starved")
            holds.append(starved == 0)
            if starved != 0:
                parts.append(f"{label(server)}, {size_name(size_)}: " + ("ошибка" if starved is None else f"голодали {num(starved)}"))
    found.append(Target(
        "при N = 1 000 не голодает ни один клиент ни у одной конкурентной модели",
        "; ".join(parts) or ("никто не голодал" if holds else "нет данных"), all(holds) if holds else None))

    parts, holds = [], []
    for server in servers(data):
        share = idle_of(data, server)
        if share is None:
            continue
        ok = share >= 0.9 if server == "busy_loop" else share <= 0.01
        holds.append(ok)
        wanted = idle_of(data, server, "wanted_share")
        asked = f" (хотел {pct(wanted, 1)})" if wanted is not None and wanted - share >= 0.05 else ""
        parts.append(f"{label(server)} {pct(share, 1)}{asked}")
    found.append(Target(
        "простой: ≤ 1 % ядра у всех, кроме цикла опроса; у цикла опроса ≥ 90 %",
        ", ".join(parts) or "нет данных", all(holds) if holds else None))

    run = typical_run(runs_of(data, "blocking", 2, 64))
    found.append(Target(
        "блокирующий сервер: второй из двух клиентов голодает",
        "нет данных" if run is None or "starved" not in run else f"голодали {run['starved']} из 2",
        None if run is None or "starved" not in run else run["starved"] == 1))
    return found


def size_name(size: int) -> str:
    return f"{size // 1024} КиБ" if size >= 1024 and size % 1024 == 0 else f"{size} Б"


# -- the table note --------------------------------------------------------------------------------


def machine_line(data: dict) -> str:
    m, s = data["machine"], data["settings"]
    cpus = s["cpus"]
    load = m.get("load_average", [None])[0], m.get("load_average_after", [None])[0]
    return (
        f"Замер от {data['date']} (UTC): {m.get('cpu') or 'процессор не известен'}, "
        f"{m['cpus']} ядра, {m['platform']}; {data['implementation']} {data['python']}. "
        f"Сервер привязан к ядру {', '.join(map(str, cpus['server']))}, "
        f"клиенты ({s['client_processes']} процесса) — к ядру {', '.join(map(str, cpus['clients']))}. "
        f"Каждый замер длится {num(s['seconds'], 1)} с, простой — {num(s['idle_seconds'], 1)} с. "
        f"Предел открытых файлов {m['nofile'][0]}, `somaxconn` {m.get('somaxconn')}; "
        f"средняя загрузка машины за минуту: {num(load[0], 2)} до прогона и {num(load[1], 2)} после."
    )


def run_row(run: dict) -> str:
    who = f"{label(run['server'])} | {num(run['clients'])}"
    if "error" in run:
        return f"| {who} | ошибка: {run['error'][:80]} | | | | | | | |"
    mark = " †" if run["client_bound"] else ""
    return (
        f"| {who} | {num(run['rps'])}{mark} | {num(run['cpu_per_request_us'], 1)} | "
        f"{pct(run['server_cpu_share'])} | {pct(run['client_cpu_share'])} | "
        f"{num(run['p50_ms'], 2)} | {num(run['p99_ms'], 1)} | {num(run['first_echo_max_ms'])} | {num(run['starved'])} |"
    )


def size_table(data: dict, size: int) -> list[str]:
    lines = [
        "| сервер | N | запросов/с | CPU сервера на запрос, мкс | CPU сервера | CPU клиентов | p50, мс | p99, мс "
        "| первое эхо, не позже, мс | голодали |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for server, clients in cases(data, size):
        lines.append(run_row(typical_run(runs_of(data, server, clients, size))))
    return lines


def noise_table(data: dict) -> list[str]:
    clients, size = TYPICAL
    lines = [
        "| сервер | запросов/с по повторам | CPU на запрос по повторам, мкс | разброс CPU на запрос |",
        "|---|--:|--:|--:|",
    ]
    for server in servers(data):
        runs = sorted((r for r in runs_of(data, server, clients, size) if "error" not in r), key=lambda r: r["repeat"])
        if len(runs) < 2:
            continue
        cpu = [r["cpu_per_request_us"] for r in runs]
        spread = (max(cpu) - min(cpu)) / statistics.median(cpu)
        lines.append(
            f"| {label(server)} | {' / '.join(num(r['rps']) for r in runs)} | "
            f"{' / '.join(num(c, 1) for c in cpu)} | {pct(spread)} |"
        )
    return lines


def contention(data: dict) -> str | None:
    """How much of the time it wanted the server spent waiting for its core: the machine's noise."""
    # Single-threaded moments only: with many threads, "wanted" counts each waiting thread.
    waits = [max(0.0, 1 - r["server_cpu_share"] / r["server_wanted_share"]) for r in data["runs"]
             if 0.2 <= r.get("server_wanted_share", 0) <= 1.05]
    if not waits:
        return None
    return (f"Сервер ждал своё ядро, занятое чужими программами, в среднем {pct(statistics.mean(waits))} "
            f"того времени, что хотел работать, а в худшем замере — {pct(max(waits))}.")


def ranking(data: dict) -> str:
    clients, size = TYPICAL
    measured = [(cpu_per_request(data, s), s) for s in servers(data)]
    ordered = sorted((c, s) for c, s in measured if c)
    return ", ".join(f"{label(s)} {num(c, 1)} мкс" for c, s in ordered)


def skipped_lines(data: dict) -> list[str]:
    """What the sweep did not run, one line per server and reason."""
    grouped: dict[tuple, list[dict]] = {}
    for skip in data.get("skipped", []):
        grouped.setdefault((skip.get("server"), skip["why"]), []).append(skip)
    lines = []
    for (server, why), skips in grouped.items():
        if why == "one at a time":
            ns = sorted({s["clients"] for s in skips})
            lines.append(f"- {label(server)}, N = {', '.join(num(n) for n in ns)}: он обслуживает одного клиента "
                         "за раз, и уже при N = 2 второй голодает.")
        elif why == "nofile":
            lines.append(f"- {num(skips[0]['clients'])} клиентов: жёсткий предел открытых файлов "
                         f"(`ulimit -Hn`) всего {num(skips[0]['limit'])}, его может поднять только администратор.")
        else:
            lines.append(f"- {label(server) if server else 'всё'}: {why}")
    return ["Не мерили:", "", *lines, ""] if lines else []


def table_note(data: dict) -> str:
    """The generated note: everything under "# Последний замер" is what the benchmark note shows."""
    out = [
        "# Последний замер",
        "",
        machine_line(data),
        "",
        f"Процессорное время сервера на запрос при N = {TYPICAL[0]} и {TYPICAL[1]} Б, от меньшего к большему: "
        f"{ranking(data)}.",
        "",
    ]
    for size in data["settings"]["sizes"]:
        if not cases(data, size):
            continue
        out += [f"## Запросы по {size_name(size)}", ""] + size_table(data, size) + [""]
    out += [
        "N — число клиентов; p50 и p99 — медиана и 99-й процентиль времени круга; "
        "«первое эхо» — сколько ждал его самый медленный клиент, считая от `connect()`; "
        "«голодали» — сколько клиентов не получили первое эхо за секунду. "
        "† — клиенты заняли не меньше 90 % своего ядра: это число запросов упёрлось в них, а не в сервер. "
        f"В случае N = {TYPICAL[0]}, {TYPICAL[1]} Б показан повтор с медианным CPU на запрос.",
        "",
    ]
    out += skipped_lines(data)
    out += ["## Простой", "", "| сервер | получил ядра | хотел ядра |", "|---|--:|--:|"]
    out += [f"| {label(r['server'])} | {pct(r['cpu_share'], 1)} | {pct(r.get('wanted_share'), 1)} |"
            for r in data["idle"] if "cpu_share" in r]
    out += ["", "10 клиентов подключены и молчат. «Хотел» — время на процессоре плюс время в очереди к нему: "
            "столько сервер занял бы на свободной машине.", ""]
    noise = noise_table(data)
    if len(noise) > 2:
        out += [f"## Шум: {data['settings']['repeats']} повтора случая N = {TYPICAL[0]}, {TYPICAL[1]} Б", ""]
        out += noise
        out += ["", "Разброс — разница между наибольшим и наименьшим значением, делённая на медиану.", ""]
    if contention(data):
        out += [contention(data), ""]
    out += ["## Цели", "", "| цель | результат | выполнена |", "|---|---|---|"]
    out += [f"| {t.goal} | {t.result} | {t.mark} |" for t in targets(data)]
    out += [
        "",
        "# Откуда эти числа",
        "",
        "Эту заметку пишет `make bench` из `attachments/echo-bench.json`; правки руками пропадут при следующем "
        "прогоне. Программа замера и объяснение чисел — в [[Замеры серверов]].",
        "",
        "___",
        "Relations: [[Замеры серверов]]",
        "Tags: #practice #generated",
        "References: [[Asyncio (книга)]]",
        "Query:",
        "",
    ]
    return "\n".join(out)


# -- the README's quoted figures -------------------------------------------------------------------


def readme_block(data: dict) -> str:
    clients, size = TYPICAL
    measured = sorted((c, s) for s in servers(data) if (c := cpu_per_request(data, s)))
    cpu = ", ".join(f"{s} {c:.1f} µs" for c, s in measured)
    busy = idle_of(data, "busy_loop")
    idle = f"; idle with 10 silent clients, the busy loop takes {busy:.0%} of a core" if busy is not None else ""
    return f"Last `make bench` ({data['date'][:10]}): server CPU per request at N = {clients}, {size} B: {cpu}{idle}."


# An empty block (just the two markers) is a place to fill in, not a missing one.
README_BLOCK = re.compile(re.escape(README_START) + r"\n?(.*?)\n?" + re.escape(README_END), re.S)


def readme_quote(text: str) -> str | None:
    """The figures the README quotes between its bench markers, or None if it quotes none."""
    match = README_BLOCK.search(text)
    return match[1] if match else None


def update_readme(data: dict, path: Path = README) -> bool:
    text = path.read_text(encoding="utf-8")
    if readme_quote(text) is None:
        return False
    new = README_BLOCK.sub(lambda _: f"{README_START}\n{readme_block(data)}\n{README_END}", text)
    path.write_text(new, encoding="utf-8")
    return True
