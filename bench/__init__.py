"""Benchmarks (`make bench`): each prints its figures and the ratio to a baseline measured in
the same run, and all of them write var/bench/results.json (CONTRACT.md)."""
