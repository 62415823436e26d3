"""Every `notest` block of the vault, with why it does not run as a test.

A `notest` block that is not listed here fails the suite (tests/test_notest.py), and so does an
entry whose block is gone. A block marked `flawed` shows the wrong way to write part of the note's
program: tests/test_flawed_variants.py runs the note's checks against it and requires them to fail.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Notest:
    reason: str
    flawed: bool = False


# (note file name, first line of the block) -> why it is not run
NOTEST: dict[tuple[str, str], Notest] = {
    ("Корректное завершение.md", "async def cancel_and_wait(tasks, timeout):"): Notest(
        "the book's shutdown: a wait_for per task, one after another, so N slow tasks take N × timeout",
        flawed=True,
    ),
    ("Эхо-сервер на asyncio.md", "async def serve(listener):"): Notest(
        "the book's fire-and-forget create_task: no reference, no done callback, errors unreported, "
        "clients unknown at shutdown",
        flawed=True,
    ),
    ("Модуль selectors.md", "def flush(client: Client) -> None:"): Notest(
        "the book's send() with its return value ignored: the unsent tail of a partial write is lost", flawed=True
    ),
    ("Модуль selectors.md", "def receive(client: Client) -> None:"): Notest(
        "the book's loop never unregisters a socket at EOF, so select() keeps returning it and the loop spins",
        flawed=True,
    ),
}
