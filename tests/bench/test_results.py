"""What `make bench` stored agrees with itself: the table, the README's figures, the plots and the
notebook's saved outputs all come from vault/attachments/echo-bench.json."""

import re

import nbformat

from tools.bench import notebook, report
from tools.vault import VAULT


def test_results_say_when_where_and_with_what():
    data = report.load()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", data["date"])
    assert data["python"] and data["machine"]["cpus"] >= 1 and data["machine"]["cpu"]
    assert data["settings"]["cpus"]["server"] and data["settings"]["cpus"]["clients"]
    assert data["idle"] and data["runs"]
    for run in data["runs"]:
        assert "error" in run or run["bytes_checked"] == run["round_trips"] * run["size"], run


def test_table_note_is_rendered_from_the_json():
    expected = report.table_note(report.load())
    assert report.TABLE_NOTE.read_text(encoding="utf-8") == expected, "the table is stale or edited: run make bench"


def test_readme_quotes_the_json():
    quoted = report.readme_quote(report.README.read_text(encoding="utf-8"))
    assert quoted is not None, "README.md lost its <!-- bench:start --> / <!-- bench:end --> block"
    assert quoted == report.readme_block(report.load()), "the README's figures are stale: run make bench"


def test_the_note_embeds_every_plot_and_the_table():
    from tools.bench import plots  # matplotlib: imported by the one test that needs it, not at collection

    note = (VAULT / "Замеры серверов.md").read_text(encoding="utf-8")
    for name in plots.FILES.values():
        assert f"![[{name}]]" in note
        assert (report.ATTACHMENTS / name).read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "![[Таблица замеров#Последний замер]]" in note


def test_notebook_was_saved_with_outputs_of_this_json():
    saved = nbformat.read(notebook.NOTEBOOK, as_version=4)
    code = [cell for cell in saved.cells if cell.cell_type == "code"]
    assert all(cell.outputs for cell in code), "run make bench: it saves the notebook with its outputs"
    first = code[0].outputs[0]["data"]["text/markdown"]
    assert first == report.machine_line(report.load())


def c_run(server, clients, rps=None, round_=0, **figures):
    """A run of the C generator as the sweep stores it, with only the figures a target reads."""
    return {"server": server, "clients": clients, "size": 64, "round": round_, "rps": rps, "failed": 0,
            "cpu_per_request_us": 10.0, **figures}


def test_targets_are_judged_by_the_numbers():
    fair = {"starved": 0, "stalled": 0, "first_echo_max_ms": 900.0, "worst_gap_max_ms": 950.0}
    data = {
        "settings": {"sizes": [64]},
        "idle": [{"server": "busy_loop", "cpu_share": 0.95}, {"server": "selectors", "cpu_share": 0.02}],
        "runs": [
            {"server": "selectors", "clients": 100, "size": 64, "cpu_per_request_us": 8.0, "repeat": 0},
            {"server": "asyncio_streams", "clients": 100, "size": 64, "cpu_per_request_us": 10.0, "repeat": 0},
            {"server": "blocking", "clients": 2, "size": 64, "starved": 1, "repeat": 0},
        ],
        "saturating": {"settings": {"sizes": [64], "clients": [100, 10_000]}, "runs": [
            # selectors: 0.65, 0.50 and 0.70 of the reference in three rounds: the median, 0.65, holds.
            c_run("c_epoll", 100, 1000.0), c_run("selectors", 100, 650.0), c_run("asyncio_streams", 100, 300.0),
            c_run("c_epoll", 100, 1000.0, 1), c_run("selectors", 100, 500.0, 1),
            c_run("c_epoll", 100, 1000.0, 2), c_run("selectors", 100, 700.0, 2),
            c_run("selectors", 10_000, 50.0, **fair), c_run("asyncio_streams", 10_000, 50.0, **fair),
            # No client starved, but the slowest first echo came after 1.1 s; and one client waited 1.2 s.
            c_run("asyncio_sock", 10_000, 50.0, **{**fair, "first_echo_max_ms": 1100.0}),
            c_run("asyncio_streams", 10_000, 50.0, **{**fair, "stalled": 1, "worst_gap_max_ms": 1200.0}),
        ]},
    }
    verdicts = {t.goal.split(":")[0]: t.holds for t in report.targets(data)}
    assert verdicts["selectors"] is False  # 0.8 of asyncio streams
    assert verdicts["простой"] is False  # selectors at 2 % of a core
    assert verdicts["блокирующий сервер"] is True
    assert verdicts["C10K (генератор на Python)"] is None  # not measured
    assert verdicts["C10K (генератор на C)"] is False  # asyncio sock_*: 1.1 s
    assert verdicts["ожидание эха (генератор на C, N = 10 000)"] is False  # streams' other round: 1.2 s
    assert verdicts["запросы/с selectors (генератор на C)"] is True  # the median round, 0.65
    assert verdicts["запросы/с asyncio streams (генератор на C)"] is False  # 0.30
    data["saturating"]["runs"].remove(c_run("asyncio_streams", 10_000, 50.0, **{**fair, "stalled": 1,
                                                                                "worst_gap_max_ms": 1200.0}))
    verdicts = {t.goal.split(":")[0]: t.holds for t in report.targets(data)}
    assert verdicts["ожидание эха (генератор на C, N = 10 000)"] is True  # its other round: 950 ms


def test_the_round_shown_is_the_median_one_and_fairness_is_the_worst_round():
    runs = [c_run("c_epoll", 100, 300.0), c_run("selectors", 100, 900.0),  # 3.0: a disturbed reference
            c_run("c_epoll", 100, 1000.0, 1), c_run("selectors", 100, 500.0, 1),
            c_run("c_epoll", 100, 1000.0, 2), c_run("selectors", 100, 550.0, 2),
            c_run("c_epoll", 100, 1000.0, 3), c_run("selectors", 100, 600.0, 3)]
    data = {"saturating": {"settings": {"sizes": [64], "clients": [100]}, "runs": runs}}
    shown = report.versus(data, "selectors", 100, 64)
    assert (shown.rps, shown.run["round"]) == (0.55, 2)  # of 0.50, 0.55, 0.60, 3.0: the lower middle one
    assert shown.rounds == [3.0, 0.5, 0.55, 0.6]
    good = {"starved": 0, "stalled": 0, "first_echo_max_ms": 400.0, "worst_gap_max_ms": 450.0}
    bad = {"starved": 3, "stalled": 5, "first_echo_max_ms": None, "worst_gap_max_ms": 1500.0}
    data["saturating"]["runs"] = [c_run("asyncio_sock", 10_000, 9.0, **good), c_run("asyncio_sock", 10_000, 9.0, 1, **bad)]
    worst = report.c10k_worst(data, "asyncio_sock")
    assert worst == {"rounds": 2, "failed": 0, "starved": 3, "stalled": 5, "first_echo_max_ms": None,
                     "worst_gap_max_ms": 1500.0}


def test_the_c_generator_ran_every_case():
    data = report.load()
    sat = report.saturating(data)
    assert sat["runs"], "the results hold no runs of the C load generator: run make bench"
    settings = sat["settings"]
    assert settings["servers"][0] == report.REFERENCE and set(report.FAIR) <= set(settings["servers"])
    assert settings["repeated"] == [report.REFERENCE, *report.FAIR]
    rounds = {(n, size): count for n, size, count in settings["rounds"]}
    assert rounds.get(report.TYPICAL, 1) >= 3 and rounds.get(report.C10K, 1) >= 2  # the targets' cases
    skipped = {(s["server"], s["clients"], s["size"]) for s in sat["skipped"]}
    assert skipped <= {("threaded", 10_000, size) for size in settings["sizes"]}, skipped  # the one known gap
    for server in settings["servers"]:
        for clients in settings["clients"]:
            for size in settings["sizes"]:
                count = rounds.get((clients, size), 1) if server in settings["repeated"] else 1
                count = 0 if (server, clients, size) in skipped else count
                assert len(report.c_runs(data, server, clients, size)) == count, (server, clients, size)
    assert {10_000, 100} <= set(settings["clients"]) and {64, 16384} <= set(settings["sizes"])


def test_the_c_generator_checked_every_byte_and_the_reference_is_sound():
    for run in report.saturating(report.load())["runs"]:
        if run["server"] == report.REFERENCE:
            # The limit itself: served everyone, every byte right, exited as the contract says.
            assert "error" not in run and run["failed"] == 0 and run["server_exit"]["exit"] == 0, run
        if "error" in run:
            continue
        assert run["bytes_checked"] == run["round_trips"] * run["size"] and run["mismatches"] == 0, run
        assert run["window_seconds"] >= 0.9 * report.saturating(report.load())["settings"]["seconds"], run


def test_what_the_notes_say_of_the_streams_server_holds_in_the_json():
    """«Эхо-сервер на asyncio» and «Замеры серверов» describe the stored run in words: keep them true."""
    data = report.load()
    for size in data["settings"]["sizes"]:
        streams = report.typical_run(report.runs_of(data, "asyncio_streams", 10_000, size))
        selectors = report.typical_run(report.runs_of(data, "selectors", 10_000, size))
        # "Ядро его клиентов не выбрасывает (`listen_overflows` у него 0)"
        assert streams["listen_overflows"] == 0, streams
        # "в полтора–четыре раза больше процессорного времени, чем сервер на `selectors`"
        ratio = streams["setup_cpu_us_per_client"] / selectors["setup_cpu_us_per_client"]
        assert 1.4 <= ratio <= 4.0, f"streams/selectors setup CPU per client at {size} B: {ratio:.2f}; edit the notes"


def test_what_the_protocol_note_says_of_skipping_streams_holds_in_the_json():
    """«Протоколы и транспорты»: "в последнем замере он дешевле в каждом случае, и дешевле ему
    обходится и подготовка нового клиента"."""
    data = report.load()
    cases = [(n, size) for n in data["settings"]["clients"] for size in data["settings"]["sizes"]]
    for n, size in cases:
        streams, protocol = (report.typical_run(report.runs_of(data, s, n, size))
                             for s in ("asyncio_streams", "asyncio_protocol"))
        assert protocol["cpu_per_request_us"] < streams["cpu_per_request_us"], (n, size)
    for n in data["saturating"]["settings"]["clients"]:
        for size in data["saturating"]["settings"]["sizes"]:
            streams, protocol = (report.versus(data, s, n, size).run for s in ("asyncio_streams", "asyncio_protocol"))
            assert protocol["cpu_per_request_us"] < streams["cpu_per_request_us"], ("C", n, size)
    big = max(data["settings"]["clients"])
    for size in data["settings"]["sizes"]:
        streams, protocol = (report.typical_run(report.runs_of(data, s, big, size))
                             for s in ("asyncio_streams", "asyncio_protocol"))
        assert protocol["setup_cpu_us_per_client"] < streams["setup_cpu_us_per_client"], size
    assert "## asyncio Protocol против asyncio streams" in report.TABLE_NOTE.read_text(encoding="utf-8")
