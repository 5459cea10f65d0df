"""Job test fixtures: one private Dask cluster on 127.0.0.1 per module, a client per test."""

import pytest


@pytest.fixture(scope="module")
def cluster():
    """A real embedded cluster (scheduler and one worker slot as subprocesses), closed after."""
    from emnist_core.jobs.cluster import start_embedded

    handle = start_embedded(slots=1)
    yield handle
    handle.close()
    assert all(process.poll() is not None for process in handle.processes)


@pytest.fixture
def jobs(cluster, tmp_path):
    """The app's job API on that cluster, landing runs in a fresh registry."""
    from emnist_core.jobs.client import JobClient

    return JobClient(cluster, tmp_path / "runs")
