"""Benchmarks (`make bench`): bulk seed, the bare-Django baseline page, page load and query counts."""
