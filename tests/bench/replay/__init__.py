"""Micro-benchmark of the replay estimator: `python -m tests.bench.replay` prints ms per replay.

The state is the reference office's (assets/office.example.toml) at a busy moment, built with
lifecycle.decide: about 60 waiting tickets (12 % priority), six counters, five busy with a
service already under way and one on a break, as in wait-estimation.md.
"""
