"""The plots of `make bench`, drawn from its JSON: SVG that reads on a light page and on a dark one.

Both themes show the same file, so nothing may be black or white: text, axes and grid are a middle
grey, the background is transparent, and each server has a mid-tone colour, a marker and a dash of
its own (the plots stay readable without colour too). The notebook calls the same functions.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

from tools.bench.report import (  # noqa: E402
    ATTACHMENTS, C10K, REFERENCE, c_cases, c_runs, idle_of, label, num, runs_of, saturating, servers, size_name,
    typical_run, versus,
)

INK = "#8c8c8c"  # 3.3:1 on white, 5.5:1 on Material's dark slate: readable on both
GRID = "#8c8c8c40"
STYLE = {
    "blocking": ("#e15759", "o", "-"),
    "threaded": ("#f28e2b", "s", "--"),
    "busy_loop": ("#b07aa1", "D", ":"),
    "selectors": ("#4e9ae0", "^", "-"),
    "asyncio_sock": ("#59a14f", "v", "--"),
    "asyncio_streams": ("#c9a227", "P", "-."),
    "generator": ("#9c755f", "h", "--"),
    "asyncio_protocol": ("#76b7b2", "d", "-"),
    "uvloop_sock": ("#3fb6a8", "X", ":"),
    "uvloop_streams": ("#e377c2", "*", "-."),
    REFERENCE: (INK, "o", "-"),  # drawn as a broad line of its own: the limit
}
FILES = {
    "rps": "echo-bench-rps.svg",
    "cpu": "echo-bench-cpu.svg",
    "idle": "echo-bench-idle.svg",
    "p99": "echo-bench-p99.svg",
    "c_rps": "echo-bench-c-rps.svg",
    "c_cpu": "echo-bench-c-cpu.svg",
    "c10k": "echo-bench-c10k.svg",
}

RC = {
    "svg.hashsalt": "echo-bench",  # stable ids: the same data gives the same file
    "svg.fonttype": "path",  # no font needed on the reader's side
    "font.size": 10,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "axes.titlecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.facecolor": "none",
    "figure.facecolor": "none",
    "savefig.facecolor": "none",
    "savefig.transparent": True,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _panels(data: dict, title: str, ylabel: str):
    sizes = [s for s in data["settings"]["sizes"] if any(r["size"] == s for r in data["runs"])]
    fig, axes = plt.subplots(1, len(sizes), figsize=(5.2 * len(sizes), 4.2), squeeze=False, sharey=False)
    fig.suptitle(title)
    for ax, size in zip(axes[0], sizes):
        ax.set_title(f"запросы по {size_name(size)}")
        ax.set_xscale("log")
        # Ticks at the N we measured, written as numbers: 1, 10, 100, 1 000, 10 000.
        ax.set_xticks(sorted({r["clients"] for r in data["runs"] if r["size"] == size}))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: num(x)))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("клиентов одновременно")
        ax.set_ylabel(ylabel)
        ax.grid(True, color=GRID, linewidth=0.6)
    return fig, list(zip(axes[0], sizes))


def _series(data: dict, server: str, size: int, key: str):
    """(clients, value, run) for every N the server was measured at, the typical repeat of each."""
    points = []
    for n in sorted({r["clients"] for r in data["runs"] if r["server"] == server and r["size"] == size}):
        run = typical_run(runs_of(data, server, n, size))
        if run and run.get(key) is not None:
            points.append((n, run[key], run))
    return points


def _lines(data: dict, title: str, ylabel: str, key: str, log_y: bool = False, marks: bool = True):
    with plt.rc_context(RC):
        fig, panels = _panels(data, title, ylabel)
        for ax, size in panels:
            for server in servers(data):
                points = _series(data, server, size, key)
                if not points:
                    continue
                colour, marker, dash = STYLE.get(server, (INK, "o", "-"))
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                if server == REFERENCE:  # the limit: a broad pale line under the others, no markers
                    ax.plot(xs, ys, color=colour, linewidth=5, alpha=0.45, solid_capstyle="round", zorder=1)
                    continue
                ax.plot(xs, ys, color=colour, linestyle=dash, linewidth=1.6, label=label(server))
                for n, value, run in points:
                    # Hollow: the clients were saturated, so this is their limit, not the server's.
                    hollow = marks and run.get("client_bound")
                    ax.plot([n], [value], marker=marker, markersize=7, color=colour,
                             markerfacecolor="none" if hollow else colour, markeredgewidth=1.4)
                    if run.get("starved"):
                        ax.plot([n], [value], marker="x", markersize=12, color=INK, markeredgewidth=1.6)
            if log_y:
                ax.set_yscale("log")
                ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: num(y, 2 if y < 1 else 0)))
            else:
                ax.set_ylim(bottom=0)
                ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: num(y)))
        _legend(fig, data, marks)
        fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


def _legend(fig, data: dict, marks: bool) -> None:
    handles = []
    for server in servers(data):
        colour, marker, dash = STYLE.get(server, (INK, "o", "-"))
        if server == REFERENCE:
            handles.append(Line2D([], [], color=colour, linewidth=5, alpha=0.45, label=label(server)))
            continue
        handles.append(Line2D([], [], color=colour, marker=marker, linestyle=dash, label=label(server)))
    if marks:
        handles.append(Line2D([], [], color=INK, marker="o", markerfacecolor="none", linestyle="none",
                              label="клиенты заняли ≥ 90 % ядра"))
    handles.append(Line2D([], [], color=INK, marker="x", linestyle="none", markersize=9, label="есть голодавшие клиенты"))
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=9)


def rps(data: dict):
    return _lines(data, "Запросов в секунду", "запросов/с", "rps")


def cpu(data: dict):
    # Logarithmic: a server that collapses (threads at 10,000 clients) costs a thousand times more.
    return _lines(data, "Процессорное время сервера на запрос (меньше — лучше)", "мкс на запрос",
                  "cpu_per_request_us", log_y=True, marks=False)


def p99(data: dict):
    return _lines(data, "Задержка круга: 99-й процентиль", "мс", "p99_ms", log_y=True, marks=False)


def idle(data: dict):
    with plt.rc_context(RC):
        measured = [s for s in servers(data) if idle_of(data, s) is not None][::-1]
        fig, ax = plt.subplots(figsize=(7, 0.5 * len(measured) + 1.6))
        ax.set_title("Простой: доля ядра при 10 молчащих клиентах")
        names = [label(s) for s in measured]
        got = [idle_of(data, s) * 100 for s in measured]
        wanted = [(idle_of(data, s, "wanted_share") or 0) * 100 for s in measured]
        colours = [STYLE.get(s, (INK,))[0] for s in measured]
        # The outline is what the server asked for (on a CPU or queued for one), the fill what it got.
        ax.barh(names, wanted, color="none", edgecolor=colours, linewidth=1.2, hatch="///")
        ax.barh(names, got, color=colours)
        for y, (value, asked) in enumerate(zip(got, wanted)):
            ax.text(max(value, asked) + 1.5, y, f"{value:.1f} %".replace(".", ","), va="center", color=INK)
        ax.set_xlim(0, 118)
        ax.set_xlabel("% одного ядра (заливка — получил, штриховка — хотел)")
        ax.grid(True, axis="x", color=GRID, linewidth=0.6)
        fig.tight_layout()
    return fig


def c_view(data: dict) -> dict:
    """The runs under the C generator shaped as the Python sweep's: one run per case (the round with
    the median ratio to the reference), so the same drawing functions draw them."""
    sat = saturating(data)
    sizes = [size for size in sat["settings"]["sizes"] if c_cases(data, size)]
    runs = [versus(data, server, n, size).run for size in sizes for server, n in c_cases(data, size)]
    return {"settings": {"sizes": sizes}, "idle": [], "runs": [r for r in runs if r is not None]}


def c_rps(data: dict):
    return _lines(c_view(data), "Генератор на C: запросов в секунду",
                  "запросов/с", "rps", marks=False)


def c_cpu(data: dict):
    return _lines(c_view(data), "Генератор на C: CPU сервера на запрос",
                  "мкс на запрос", "cpu_per_request_us", log_y=True, marks=False)


def c10k(data: dict):
    """At N = 10,000 under the C generator: the slowest first echo and the longest wait, against 1 s."""
    with plt.rc_context(RC):
        sat = saturating(data)
        sizes = [size for size in sat["settings"]["sizes"] if any(c_runs(data, s, C10K[0], size) for s in servers(c_view(data)))]
        fig, axes = plt.subplots(1, max(len(sizes), 1), figsize=(5.2 * max(len(sizes), 1), 3.8), squeeze=False)
        fig.suptitle(f"Генератор на C: {num(C10K[0])} подключений разом")
        for ax, size in zip(axes[0], sizes):
            measured = [s for s in servers(c_view(data)) if c_runs(data, s, C10K[0], size)][::-1]
            runs = [versus(data, s, C10K[0], size).run for s in measured]  # the run the table shows
            names = [label(s) for s in measured]
            first = [(r.get("first_echo_max_ms") or 0) / 1e3 for r in runs]
            worst = [(r.get("worst_gap_max_ms") or 0) / 1e3 for r in runs]
            colours = [STYLE.get(s, (INK,))[0] for s in measured]
            y = range(len(measured))
            # The outline: the longest wait for any echo; the fill: for the first one.
            ax.barh(y, worst, color="none", edgecolor=colours, linewidth=1.2, hatch="///")
            ax.barh(y, first, color=colours, height=0.5)
            ax.set_yticks(list(y), names)
            ax.axvline(1.0, color=INK, linestyle="--", linewidth=1.2)
            ax.set_title(f"запросы по {size_name(size)}")
            ax.set_xlabel("с: заливка — первое эхо, штриховка — худшее ожидание")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: num(x, 1)))
            ax.grid(True, axis="x", color=GRID, linewidth=0.6)
        fig.tight_layout()
    return fig


DRAW = {"rps": rps, "cpu": cpu, "idle": idle, "p99": p99, "c_rps": c_rps, "c_cpu": c_cpu, "c10k": c10k}


def save_all(data: dict, folder: Path = ATTACHMENTS) -> list[Path]:
    written = []
    for name, draw in DRAW.items():
        fig = draw(data)
        path = folder / FILES[name]
        with plt.rc_context(RC):
            fig.savefig(path, format="svg", metadata={"Date": None})
        plt.close(fig)
        written.append(path)
    return written


def to_svg(fig) -> str:
    """The figure as SVG text (for the notebook), and closed."""
    import io

    buffer = io.StringIO()
    with plt.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()
