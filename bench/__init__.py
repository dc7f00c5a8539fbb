"""Throughput benchmark; run it with `make bench` or `python -m bench.run`."""
