"""Benchmarks for the performance targets in the issues; `python -m bench [NAME ...]` runs them.

Each benchmark module has a `run() -> Report`; the runner executes each in a fresh process (so
peak memory is the benchmark's own) and rewrites that benchmark's section of
`docs/benchmarks.md`, together with the command that produced it.
"""
