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
    "generator": "корутины своими руками",
    "asyncio_sock": "asyncio sock_*",
    "asyncio_streams": "asyncio streams",
    "asyncio_protocol": "asyncio Protocol",
    "uvloop_sock": "uvloop sock_*",
    "uvloop_streams": "uvloop streams",
    "c_epoll": "эталон на C (epoll)",
}
# The asyncio servers, which the C10K target is about (uvloop's when they were measured).
EVENT_LOOPS = ("selectors", "asyncio_sock", "asyncio_streams", "asyncio_protocol", "uvloop_sock", "uvloop_streams")
# The case the targets and the noise are about.
TYPICAL = (100, 64)
# Under the C load generator: the reference server, the servers the fairness targets are about,
# and the least share of the reference's req/s each server is to reach at N = 100, 64 B.
REFERENCE = "c_epoll"
FAIR = ("selectors", "asyncio_sock", "asyncio_streams", "asyncio_protocol")
RPS_TARGETS = {"selectors": 0.6, "asyncio_streams": 0.35}
C10K = (10_000, 64)


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


# -- the runs under the C load generator ("saturating" in the JSON) ----------------------------------


def saturating(data: dict) -> dict:
    return data.get("saturating") or {"runs": [], "settings": {"clients": [], "sizes": []}}


def c_runs(data: dict, server: str, clients: int, size: int) -> list[dict]:
    runs = [r for r in saturating(data)["runs"] if (r["server"], r["clients"], r["size"]) == (server, clients, size)]
    return sorted(runs, key=lambda r: r["round"])


def c_servers(data: dict) -> list[str]:
    return list(dict.fromkeys(r["server"] for r in saturating(data)["runs"]))


def c_cases(data: dict, size: int) -> list[tuple[str, int]]:
    found = {(r["server"], r["clients"]) for r in saturating(data)["runs"] if r["size"] == size}
    order = c_servers(data)
    return sorted(found, key=lambda case: (order.index(case[0]), case[1]))


@dataclass
class Versus:
    """One server against the reference under the C generator: the run shown and its ratios."""

    run: dict | None  # the round with the median req/s ratio (one real run, not a blend)
    rps: float | None  # its req/s / the reference's, in the same round
    cpu: float | None  # its CPU per request / the reference's, in the same round
    rounds: list[float]  # the req/s ratio of every round


def versus(data: dict, server: str, clients: int, size: int) -> Versus:
    """Each round's ratio to the reference of the same round; the round with the median one
    (of an even number of rounds, the lower of the middle two)."""
    reference = {r["round"]: r for r in c_runs(data, REFERENCE, clients, size) if r.get("rps")}
    pairs = []
    for run in c_runs(data, server, clients, size):
        ref = reference.get(run["round"])
        if ref is None or "error" in run:
            continue
        cpu = (run["cpu_per_request_us"] / ref["cpu_per_request_us"]
               if run.get("cpu_per_request_us") and ref.get("cpu_per_request_us") else None)
        pairs.append((run["rps"] / ref["rps"], cpu, run))
    if not pairs:
        runs = c_runs(data, server, clients, size)
        return Versus(runs[0] if runs else None, None, None, [])
    # The reference against itself is 1.0 in every round: its own median round is the one by req/s.
    ordered = sorted(pairs, key=lambda p: p[2]["rps"] if server == REFERENCE else p[0])
    rps, cpu, run = ordered[(len(ordered) - 1) // 2]
    return Versus(run, rps, cpu, [p[0] for p in sorted(pairs, key=lambda p: p[2]["round"])])


def c10k_worst(data: dict, server: str, clients: int = C10K[0], size: int = C10K[1]) -> dict | None:
    """The worst of every round at this N and S: the most starved and stalled, the longest waits.
    The targets ask for every client of every round, so one good round does not hide a bad one."""
    runs = c_runs(data, server, clients, size)
    if not runs:
        return None
    if any("error" in r for r in runs):
        return next(r for r in runs if "error" in r)
    answered = [r["first_echo_max_ms"] for r in runs]
    return {
        "rounds": len(runs), "failed": max(r["failed"] for r in runs),
        "starved": max(r["starved"] for r in runs), "stalled": max(r["stalled"] for r in runs),
        "first_echo_max_ms": None if None in answered else max(answered),
        "worst_gap_max_ms": max(r["worst_gap_max_ms"] for r in runs),
    }


def client_cost(run: dict, client_cpus: int) -> float | None:
    """Microseconds of the generator's CPU per request of a Python-generator run."""
    if not run or not run.get("rps") or run.get("client_cpu_share") is None:
        return None
    return run["client_cpu_share"] * client_cpus / run["rps"] * 1e6


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
        "C10K (генератор на Python): selectors и asyncio держат 10 000 подключений, первое эхо каждому за 1 с",
        "; ".join(parts) or "нет данных", all(holds) if holds else None))

    found += c_targets(data)

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


def c_targets(data: dict) -> list[Target]:
    """The targets under the C load generator: C10K held fairly, and req/s against the reference."""
    found = []
    first, waits, holds_first, holds_waits = [], [], [], []
    for server in FAIR:
        run = c10k_worst(data, server)
        if run is None:
            continue
        if "error" in run:
            first.append(f"{label(server)}: ошибка")
            waits.append(f"{label(server)}: ошибка")
            holds_first.append(False)
            holds_waits.append(False)
            continue
        answered = run["first_echo_max_ms"] is not None
        holds_first.append(run["starved"] == 0 and run["failed"] == 0 and answered
                           and run["first_echo_max_ms"] <= 1000)
        holds_waits.append(run["stalled"] == 0 and run["failed"] == 0)
        of = f" (худший из {run['rounds']} {plural(run['rounds'], 'раунда', 'раундов', 'раундов')})" \
            if run["rounds"] > 1 else ""
        first.append(f"{label(server)}: голодали {num(run['starved'])}, первое эхо не позже "
                     f"{num(run['first_echo_max_ms'])} мс{of}")
        waits.append(f"{label(server)}: худшее ожидание {num(run['worst_gap_max_ms'])} мс, "
                     f"ждали дольше секунды {num(run['stalled'])}{of}")
    found.append(Target(
        "C10K (генератор на C): 10 000 подключений разом, первое эхо каждому за 1 с у selectors и asyncio",
        "; ".join(first) or "нет данных", all(holds_first) if holds_first else None))
    found.append(Target(
        "ожидание эха (генератор на C, N = 10 000): никто не ждал эха дольше 1 с, пока обслуживали других",
        "; ".join(waits) or "нет данных", all(holds_waits) if holds_waits else None))
    for server, least in RPS_TARGETS.items():
        goal = (f"запросы/с {label(server)} (генератор на C): не меньше {num(least, 2)} от эталона на C "
                f"(N = {TYPICAL[0]}, {TYPICAL[1]} Б)")
        mine = versus(data, server, *TYPICAL)
        if mine.rps is None:
            found.append(Target(goal, "нет данных", None))
            continue
        reference = next(r for r in c_runs(data, REFERENCE, *TYPICAL) if r["round"] == mine.run["round"])
        rounds = (f" (медиана раундов: {' / '.join(num(x, 2) for x in mine.rounds)})"
                  if len(mine.rounds) > 1 else "")
        found.append(Target(
            goal, f"{num(mine.run['rps'])} против {num(reference['rps'])}: {num(mine.rps, 2)}×{rounds}",
            mine.rps >= least))
    return found


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for n: 1 раунд, 3 раунда, 5 раундов, 21 раунд."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    return few if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else many


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


def c_row(data: dict, server: str, clients: int, size: int) -> str:
    mine = versus(data, server, clients, size)
    run = mine.run
    who = f"{label(server)} | {num(clients)}"
    if run is None or "error" in run:
        return f"| {who} | ошибка: {(run or {}).get('error', 'нет данных')[:80]} | | | | | | | | | | |"
    ratio = (lambda x: num(x, 2) + "×" if x is not None else "—")
    return (
        f"| {who} | {num(run['rps'])} | {ratio(mine.rps)} | {num(run['cpu_per_request_us'], 1)} | "
        f"{ratio(mine.cpu)} | {pct(run['server_cpu_share'])} | {pct(run['client_cpu_share'])} | "
        f"{num(run['p99_ms'], 1)} | {num(run['first_echo_max_ms'])} | {num(run['worst_gap_max_ms'])} | "
        f"{num(run['starved'])} | {num(run['stalled'])} |"
    )


def c_table(data: dict, size: int) -> list[str]:
    lines = [
        "| сервер | N | запросов/с | × C | CPU сервера на запрос, мкс | × C | CPU сервера | CPU генератора "
        "| p99, мс | первое эхо, не позже, мс | худшее ожидание эха, мс | голодали | ждали > 1 с |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    lines += [c_row(data, server, clients, size) for server, clients in c_cases(data, size)]
    return lines


def c_skipped_lines(data: dict) -> list[str]:
    grouped: dict[tuple, list[int]] = {}
    for skip in saturating(data).get("skipped", []):
        grouped.setdefault((skip["server"], skip["clients"], skip["why"]), []).append(skip["size"])
    lines = []
    for (server, clients, why), sizes in grouped.items():
        if why == "10 000 threads":
            why = ("запустить и остановить 10 000 потоков под этим генератором стоит здесь десятков секунд, больше, "
                   "чем может потратить `make bench`; при 10 000 клиентов эту модель мерит генератор на Python")
        lines.append(f"- {label(server)}, N = {num(clients)} ({', '.join(size_name(s) for s in sizes)}): {why}.")
    return ["Под генератором на C не мерили:", "", *lines, ""] if lines else []


def c_legend(data: dict) -> str:
    sat = saturating(data)
    st = sat["settings"]
    ref = c_runs(data, REFERENCE, *C10K)
    connect = (f" (у эталона все {num(ref[0]['clients'])} вызовов `connect` заняли {num(ref[0]['connect_seconds'], 2)} с)"
               if ref and "error" not in ref[0] else "")
    repeated = [f"N = {num(n)}, {size_name(size)} — {count} {plural(count, 'раунд', 'раунда', 'раундов')}"
                for n, size, count in st.get("rounds", []) if count > 1]
    rounds = ("Каждый случай — это все серверы друг за другом; случаи целей мерили ещё раз, раундами "
              f"(эталон, {', '.join(label(s) for s in st.get('repeated', []) if s != REFERENCE)}): "
              + "; ".join(repeated) + ".") if repeated else ""
    return (
        f"Генератор нагрузки на C (`{sat.get('generator')}`, собран {sat.get('compiler')}) — один поток и epoll: "
        f"все N клиентов подключаются разом, подряд{connect}, и каждый шлёт следующий запрос в тот же миг, "
        "как вернулось всё эхо предыдущего; каждый вернувшийся байт сверяется с отправленным. "
        f"Сервер привязан к ядру {', '.join(map(str, st['cpus']['server']))}, генератор — к ядру "
        f"{', '.join(map(str, st['cpus']['clients']))}. Окно замера — {num(st['seconds'], 1)} с; оно начинается "
        f"через {num(st['warmup'], 1)} с после того, как первое эхо есть у всех (или прошло {num(st['ramp'], 1)} с). "
        "«× C» — отношение к эталону, эхо-серверу на C с epoll, в том же раунде: для запросов в секунду больше — "
        "лучше, для CPU на запрос — меньше. "
        f"{rounds} "
        "Показан раунд с медианным отношением к эталону (из двух средних — меньшим). "
        "«Первое эхо» считается от `connect()` клиента; «худшее ожидание» — самый долгий промежуток, "
        "который какой-нибудь клиент ждал эха (от `connect()` до первого, дальше от эха до эха); "
        "«голодали» — сколько клиентов не получили первое эхо за секунду, «ждали > 1 с» — сколько хоть раз "
        "ждали эха дольше секунды."
    )


def c_contention(data: dict) -> str | None:
    """Under the C generator: what ran on the two cores besides the server and the generator."""
    runs = [r for r in saturating(data)["runs"] if r.get("others_server_core_share") is not None]
    if not runs:
        return None
    server = [r["others_server_core_share"] for r in runs]
    generator = [r["others_generator_core_share"] for r in runs]
    return (f"Сверх сервера и генератора на ядре сервера работало в среднем {pct(statistics.mean(server))} "
            f"(в худшем замере {pct(max(server))}), на ядре генератора — {pct(statistics.mean(generator))} "
            f"(в худшем {pct(max(generator))}). Это чужие программы, но не только они: на виртуальной машине "
            "ядро ОС тратит время и на то, чтобы усыпить и разбудить сами наши процессы, и при ста клиентах, "
            "когда оба процесса то и дело засыпают, этого больше всего.")


def layers_section(data: dict, fast: str = "asyncio_protocol", layered: str = "asyncio_streams") -> list[str]:
    """What skipping the streams layer saves: the Protocol server against the streams server, case by
    case, under both generators (the Protocol note shows this section)."""
    def row(generator: str, clients: int, size: int, a: dict | None, b: dict | None) -> list[str]:
        if not (a and b and "error" not in a and "error" not in b
                and a.get("cpu_per_request_us") and b.get("cpu_per_request_us")):
            return []
        return [f"| {generator} | {num(clients)} | {size_name(size)} | {num(a['rps'])} | {num(b['rps'])} | "
                f"{num(a['cpu_per_request_us'], 1)} | {num(b['cpu_per_request_us'], 1)} | "
                f"{num(b['cpu_per_request_us'] / a['cpu_per_request_us'], 2)}× |"]

    rows = []
    for clients in data["settings"]["clients"]:
        for size in data["settings"]["sizes"]:
            rows += row("на Python", clients, size, *(typical_run(runs_of(data, s, clients, size)) for s in (layered, fast)))
    for clients in saturating(data)["settings"]["clients"]:
        for size in saturating(data)["settings"]["sizes"]:
            rows += row("на C", clients, size, *(versus(data, s, clients, size).run for s in (layered, fast)))
    if not rows:
        return []
    out = [f"## {label(fast)} против {label(layered)}", "",
           f"| генератор | N | запрос | {label(layered)}: запросов/с | {label(fast)}: запросов/с | "
           f"{label(layered)}: CPU на запрос, мкс | {label(fast)}: CPU на запрос, мкс | отношение CPU |",
           "|---|--:|---|--:|--:|--:|--:|--:|", *rows, ""]
    big = max(data["settings"]["clients"])
    setups = [(size, *(typical_run(runs_of(data, s, big, size)) for s in (layered, fast)))
              for size in data["settings"]["sizes"]]
    setups = [f"{size_name(size)}: {num(a['setup_cpu_us_per_client'])} против {num(b['setup_cpu_us_per_client'])} мкс"
              for size, a, b in setups if a and b and a.get("setup_cpu_us_per_client") and b.get("setup_cpu_us_per_client")]
    out += [f"Отношение CPU — CPU на запрос у {label(fast)}, делённое на то же у {label(layered)}: меньше единицы — "
            f"{label(fast)} дешевле. Под генератором на C показан раунд с медианным отношением к эталону."]
    if setups:
        out[-1] += (f" Подготовка клиента, пока {num(big)} клиентов подключаются разом (генератор на Python, "
                    f"CPU сервера на клиента, {label(layered)} против {label(fast)}): " + "; ".join(setups) + ".")
    return out + [""]


def generators_section(data: dict) -> list[str]:
    """The same servers at N = 100, 64 B under both generators: what each generator costs per request."""
    clients, size = TYPICAL
    client_cpus = len(data["settings"]["cpus"]["clients"])
    rows, py_costs, c_costs = [], [], []
    for server in c_servers(data):
        py = typical_run(runs_of(data, server, clients, size))
        c = versus(data, server, clients, size).run
        if not py or not c or "error" in py or "error" in c:
            continue
        py_cost, c_cost = client_cost(py, client_cpus), c.get("client_cpu_per_request_us")
        py_costs.append(py_cost)
        c_costs.append(c_cost)
        rows.append(
            f"| {label(server)} | {num(py['rps'])}{' †' if py['client_bound'] else ''} | {num(py_cost, 1)} | "
            f"{pct(py['client_cpu_share'])} | {num(c['rps'])} | {num(c_cost, 1)} | {pct(c['client_cpu_share'])} | "
            f"{num(py['cpu_per_request_us'], 1)} / {num(c['cpu_per_request_us'], 1)} |"
        )
    if not rows:
        return []
    py_cost, c_cost = statistics.median(py_costs), statistics.median(c_costs)
    sel = typical_run(runs_of(data, "selectors", clients, size))
    sel_cost = sel.get("cpu_per_request_us") if sel else None
    said = (
        f"Генератор на Python тратит на круг {num(py_cost, 1)} мкс процессора своего ядра (медиана по серверам), "
        f"генератор на C — {num(c_cost, 1)} мкс. "
        f"Ядро у генератора одно, поэтому генератор на Python не пошлёт больше ≈ {num(1e6 / py_cost)} запросов в "
        f"секунду, а генератор на C — ≈ {num(1e6 / c_cost)}, как бы быстр ни был сервер."
    )
    if sel_cost:
        said += (f" Сервер на selectors тратит на запрос {num(sel_cost, 1)} мкс своего ядра, то есть мог бы "
                 f"обслужить ≈ {num(1e6 / sel_cost)} запросов в секунду: ")
        said += ("генератор на Python кончается раньше сервера, " if py_cost >= sel_cost else
                 "генератор на Python дешевле сервера, но ненамного, ")
        said += ("а генератор на C дешевле сервера." if c_cost < sel_cost else
                 "и генератор на C тоже не дешевле сервера.")
        busy = [(n, versus(data, "selectors", n, size).run) for n in saturating(data)["settings"]["clients"]]
        busy = [(n, r["server_cpu_share"]) for n, r in busy if r and r.get("server_cpu_share") is not None]
        if busy:
            shares = ", ".join(f"при N = {num(n)} — на {pct(share)}" for n, share in busy)
            said += f" Под генератором на C сервер на selectors был занят {shares}."
            if min(share for _, share in busy) < 0.9:
                said += (" Где меньше 90 %, круг упирается не в процессор, а в задержку: сервер и генератор "
                         "большую часть времени спят в `epoll` и ждут друг друга, и каждое пробуждение на "
                         "виртуальной машине стоит дорого. Тогда и запросы в секунду говорят о задержке, "
                         "а о процессоре — только CPU на запрос.")
    return [
        f"## Два генератора: N = {clients}, {size} Б", "",
        "| сервер | генератор на Python: запросов/с | его CPU на запрос, мкс | его ядро | генератор на C: "
        "запросов/с | его CPU на запрос, мкс | его ядро | CPU сервера на запрос, мкс (Python / C) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
        *rows, "", said, "",
    ]


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
        out += [f"## Генератор на Python: запросы по {size_name(size)}", ""] + size_table(data, size) + [""]
    out += [
        "N — число клиентов; p50 и p99 — медиана и 99-й процентиль времени круга; "
        "«первое эхо» — сколько ждал его самый медленный клиент, считая от `connect()`; "
        "«голодали» — сколько клиентов не получили первое эхо за секунду. "
        "† — клиенты заняли не меньше 90 % своего ядра: это число запросов упёрлось в них, а не в сервер. "
        f"В случае N = {TYPICAL[0]}, {TYPICAL[1]} Б показан повтор с медианным CPU на запрос.",
        "",
    ]
    out += skipped_lines(data)
    if saturating(data)["runs"]:
        for size in saturating(data)["settings"]["sizes"]:
            if c_cases(data, size):
                out += [f"## Генератор на C: запросы по {size_name(size)}", ""] + c_table(data, size) + [""]
        out += [c_legend(data), ""]
        out += c_skipped_lines(data)
        if c_contention(data):
            out += [c_contention(data), ""]
        out += generators_section(data)
    out += layers_section(data)
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


def seconds(ms: float | None) -> str:
    return "none" if ms is None else f"{ms / 1e3:.2f} s"


def readme_block(data: dict) -> str:
    clients, size = TYPICAL
    measured = sorted((c, s) for s in servers(data) if (c := cpu_per_request(data, s)))
    cpu = ", ".join(f"{s} {c:.1f} µs" for c, s in measured)
    busy = idle_of(data, "busy_loop")
    idle = f"; idle with 10 silent clients, the busy loop takes {busy:.0%} of a core" if busy is not None else ""
    text = (f"Last `make bench` ({data['date'][:10]}), Python load generator: server CPU per request at "
            f"N = {clients}, {size} B: {cpu}{idle}.")
    ratios = [(s, versus(data, s, clients, size)) for s in c_servers(data) if s != REFERENCE]
    ratios = [(s, v) for s, v in ratios if v.rps is not None]
    if ratios:
        rounds = max(len(v.rounds) for _, v in ratios)
        text += (f" C load generator, req/s as a share of the C epoll server's in the same round at N = {clients}, "
                 f"{size} B (median of up to {rounds} rounds): " + ", ".join(f"{s} {v.rps:.2f}×" for s, v in ratios))
        c10k = [(s, c10k_worst(data, s)) for s in FAIR]
        c10k = [(s, r) for s, r in c10k if r and "error" not in r]
        if c10k:
            text += (f"; {C10K[0]:,} clients connecting at once, {C10K[1]} B, worst of the rounds: " + ", ".join(
                f"{s} {r['starved']} starved, first echo ≤ {seconds(r['first_echo_max_ms'])}, "
                f"worst wait {seconds(r['worst_gap_max_ms'])}" for s, r in c10k))
        text += "."
    return text


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
