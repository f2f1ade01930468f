"""Fuzzing shared by the fast tests and `python -m bench.fuzz`: inputs, players, invariants."""
