"""Benchmarks that print each figure with its ratio to a baseline measured in the same run."""
