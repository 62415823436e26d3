"""The proof of each block: what the last test run did with every python block of the vault.

results.py is the file and its states; pytest_plugin.py writes it during `make test`; the site
shows it (tools/site/checks.py) and verify.py checks a built site against it.
"""
