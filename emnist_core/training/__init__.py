"""Training side: the training loop, the saved-run registry, background jobs."""
