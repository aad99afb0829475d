"""Benchmarks: each figure measured beside its baseline in the same run (``python -m bench``,
``scripts/bench``; ``docs/scaling.md`` says what each one measures)."""
