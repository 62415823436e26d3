"""Every `notest` block is on the allowlist with its reason, and every entry still has its block."""

from tests.notest_allowlist import NOTEST
from tests.notest_blocks import notest_blocks


def test_every_notest_block_is_allowed():
    unlisted = [
        f"{block.where}: a notest block that tests/notest_allowlist.py does not list — "
        f"make it run, or add ({key[0]!r}, {key[1]!r}) there with the reason it cannot"
        for key, block in notest_blocks().items() if key not in NOTEST
    ]
    assert not unlisted, "\n".join(unlisted)


def test_every_allowlist_entry_has_its_block():
    blocks = notest_blocks()
    stale = [f"{key}: no such notest block any more — remove the entry" for key in NOTEST if key not in blocks]
    assert not stale, "\n".join(stale)


def test_every_entry_says_why():
    assert all(entry.reason.strip() for entry in NOTEST.values())
