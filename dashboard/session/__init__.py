"""What a page reads from the server or the session: data source, runs, jobs, caches."""
