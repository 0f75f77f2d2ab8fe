"""Analyses of runs: bottlenecks, sensitivity, evidence, calibration, frontiers of grids."""
