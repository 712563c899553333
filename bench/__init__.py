"""Benchmarks for waste-tracker: a data generator, load scenarios against the real server,
micro-benchmarks and the machine's own baselines. See docs/performance.md.

Benchmarks are not tests: ``make test`` does not run them (one smoke test checks the harness)."""
