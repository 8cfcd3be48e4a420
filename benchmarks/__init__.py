"""Benchmarks for threadbot: speed and memory at scale, as ratios measured in one run.

``python -m benchmarks [--quick] [--cache DIR] [--out FILE]`` generates synthetic threads
(``benchmarks.synthetic``), runs one measurement per module (``ingest``, ``inference``,
``latency``, ``memory``, ``replay``) and reports every figure as a ratio against a
baseline timed in the same run on the same data, with its target and pass/fail.
"""
