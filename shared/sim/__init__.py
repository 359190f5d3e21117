"""The reference office of shared/reference/wait-estimation.md, simulated through the core."""
