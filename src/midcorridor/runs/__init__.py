"""Runs: a scenario resolved on the network and sampled; corridor choice; grids of scenarios."""
