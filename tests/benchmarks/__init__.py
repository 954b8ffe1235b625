"""Benchmarks: run separately from the tests (``python -m tests.benchmarks``), never collected.

Each runnable module here is started in its own process, so one benchmark's memory and threads
cannot skew another's figures.
"""
