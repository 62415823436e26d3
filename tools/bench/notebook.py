"""The benchmark's notebook: executed on the stored JSON by `make bench` (outputs saved) and by the tests."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.vault import VAULT

NOTEBOOK = VAULT / "Графики замеров.ipynb"


def execute(path: Path = NOTEBOOK, save: bool = False, timeout: int = 120) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel, in the vault's folder, as a reader's Jupyter would."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    if save:
        nbformat.write(notebook, path)
    return notebook
