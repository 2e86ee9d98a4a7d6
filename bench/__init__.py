"""Benchmarks (not tests): run them with ``python bench/<name>.py``; figures go in ``bench/README.md``."""
