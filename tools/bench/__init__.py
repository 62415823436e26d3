"""`make bench`: the echo benchmark of code/echo_bench.py, and what is drawn from its results."""
