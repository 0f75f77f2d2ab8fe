"""The model: delays, queues, Monte Carlo trips, costs; numpy only, no files, no printing."""
