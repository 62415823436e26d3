"""What `make bench` stored agrees with itself: the table, the README's figures, the plots and the
notebook's saved outputs all come from vault/attachments/echo-bench.json."""

import re

import nbformat

from tools.bench import notebook, plots, report
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


def test_targets_are_judged_by_the_numbers():
    data = {
        "settings": {"sizes": [64]},
        "idle": [{"server": "busy_loop", "cpu_share": 0.95}, {"server": "selectors", "cpu_share": 0.02}],
        "runs": [
            {"server": "selectors", "clients": 100, "size": 64, "cpu_per_request_us": 8.0, "repeat": 0},
            {"server": "asyncio_streams", "clients": 100, "size": 64, "cpu_per_request_us": 10.0, "repeat": 0},
            {"server": "blocking", "clients": 2, "size": 64, "starved": 1, "repeat": 0},
        ],
    }
    verdicts = {t.goal.split(":")[0]: t.holds for t in report.targets(data)}
    assert verdicts["selectors"] is False  # 0.8 of asyncio streams
    assert verdicts["простой"] is False  # selectors at 2 % of a core
    assert verdicts["блокирующий сервер"] is True
    assert verdicts["C10K"] is None  # not measured


def test_what_the_notes_say_of_the_streams_server_holds_in_the_json():
    """«Эхо-сервер на asyncio» and «Замеры серверов» describe the stored run in words: keep them true."""
    data = report.load()
    for size in data["settings"]["sizes"]:
        streams = report.typical_run(report.runs_of(data, "asyncio_streams", 10_000, size))
        selectors = report.typical_run(report.runs_of(data, "selectors", 10_000, size))
        # "Ядро его клиентов не выбрасывает (`listen_overflows` у него 0)"
        assert streams["listen_overflows"] == 0, streams
        # "в полтора-три раза больше процессорного времени, чем сервер на `selectors`"
        ratio = streams["setup_cpu_us_per_client"] / selectors["setup_cpu_us_per_client"]
        assert 1.5 <= ratio <= 3, f"streams/selectors setup CPU per client at {size} B: {ratio:.2f}; edit the notes"
