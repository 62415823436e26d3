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
}
