"""The notebook runs from top to bottom on the stored JSON (nbclient, a fresh kernel)."""



def test_notebook_executes_on_the_stored_results():
    # Imported here, not at collection: matplotlib costs every xdist worker over a second of CPU.
    from tools.bench import notebook, plots, report

    executed = notebook.execute(save=False)
    outputs = [out for cell in executed.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    svgs = [out for out in outputs if "image/svg+xml" in out.get("data", {})]
    assert len(svgs) == len(plots.FILES), "one figure per plot"
    printed = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    for target in report.targets(report.load()):
        assert target.goal in printed
