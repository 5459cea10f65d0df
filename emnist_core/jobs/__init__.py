"""Training jobs on Dask: cluster, worker tasks, fair queue, job store and the client API."""
