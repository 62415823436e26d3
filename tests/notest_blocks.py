"""The vault's `notest` python blocks, keyed as tests/notest_allowlist.py keys them."""

from tools.vault import Block, code_blocks, note_paths


def first_line(block: Block) -> str:
    return next((line.strip() for line in block.source.splitlines() if line.strip()), "")


def notest_blocks() -> dict[tuple[str, str], Block]:
    return {
        (path.name, first_line(block)): block
        for path in note_paths()
        for block in code_blocks(path)
        if block.is_python and block.notest
    }
