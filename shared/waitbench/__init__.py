"""The wait-estimation benchmark (issue 6): baselines, our replay and its oracle, scored on
simulated days of the reference office (shared/reference/wait-estimation.md)."""
