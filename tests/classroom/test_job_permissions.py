"""Cluster jobs in classroom mode: owner from the sealed principal, stop checked on the job table.

The tracker here is the real JobTracker over a real JobStore (SQLite); only the cluster
calls (submit to Dask, the Stop event) are replaced by a recorder, so these rules run in
milliseconds. The E2E test drives the same functions against the real embedded cluster.
"""

import dataclasses
import time
from types import SimpleNamespace

import pytest

from emnist_core.classroom import jobs as class_jobs
from emnist_core.classroom.config import Limits
from emnist_core.classroom.errors import LimitError, PermissionDenied
from emnist_core.classroom.principal import INSTRUCTOR, STUDENT, Principal, issue
from emnist_core.jobs import queue as fair
from emnist_core.jobs.client import JobClient, JobError
from emnist_core.jobs.store import QUEUED, JobRecord
from emnist_core.jobs.tasks import JobSpec, ModelSpec
from emnist_core.jobs.tracker import JobTracker
from emnist_core.models.config import MLPConfig

ALICE, BOB, TEACH = issue("alice", STUDENT), issue("bob", STUDENT), issue("teach", INSTRUCTOR)
DATASET = SimpleNamespace(num_classes=10)  # the recorder never sends it anywhere
ROOMY = Limits(jobs_running=1, jobs_queued=2, max_epochs=5, max_params=10**6, upload_mb=1)


class RecordingClient(JobClient):
    """JobClient with the registry's real job table; the cluster side only records calls."""

    def __init__(self, runs_dir):
        cluster = SimpleNamespace(client=None, embedded=True, address="tcp://127.0.0.1:1")
        super().__init__(cluster, runs_dir)
        self.stopped: list[str] = []
        self.specs: dict[str, JobSpec] = {}

    def active(self, published=None):
        return [
            fair.QueuedJob(r.job_id, r.owner, r.round, r.submitted, False)
            for r in self.store.live()
        ]

    def submit(self, spec, dataset, owner, hints=(), limits=None):
        round_ = fair.admit(owner, self.active(), limits or self.limits)
        record = JobRecord(f"job-{len(self.specs)}", owner, spec.label, QUEUED, time.time(), round_)
        self.store.add(record)
        self.specs[record.job_id] = spec
        return record

    def stop(self, job_id):
        self.stopped.append(job_id)


class QuietTracker(JobTracker):
    def update(self):  # nothing to poll: no cluster
        pass


@pytest.fixture
def tracker(tmp_path):
    tracker = QuietTracker(RecordingClient(tmp_path / "runs"))
    yield tracker
    tracker.close()


def spec(label="tiny", epochs=1, owner=None) -> JobSpec:
    config = MLPConfig(hidden_units=(8,), epochs=epochs).to_dict()
    return JobSpec((ModelSpec(config, label),), label, owner=owner)


def few_params(config, num_classes):
    return 1000


def test_the_owner_is_the_principal_whatever_the_spec_says(tracker):
    job = class_jobs.submit_job(BOB, tracker, spec(owner="alice"), DATASET, ROOMY, (), few_params)
    record = tracker.client.record(job.job_id)
    assert record.owner == "bob" and job.owner == "bob"
    assert tracker.client.specs[job.job_id].owner == "bob"  # the run.json owner too


def test_a_forged_principal_cannot_submit_or_stop(tracker):
    forged = [Principal("alice", STUDENT), dataclasses.replace(BOB, user_id="alice")]
    for who in forged:
        with pytest.raises(PermissionDenied, match="not signed in"):
            class_jobs.submit_job(who, tracker, spec(), DATASET, ROOMY, (), few_params)
    assert tracker.records() == []
    job = class_jobs.submit_job(ALICE, tracker, spec(), DATASET, ROOMY, (), few_params)
    for who in forged:
        with pytest.raises(PermissionDenied):
            class_jobs.stop_job(who, tracker, job.job_id)
    assert tracker.client.stopped == [] and not job.stop_event.is_set()


def test_a_student_stops_only_their_own_job(tracker):
    a_job = class_jobs.submit_job(ALICE, tracker, spec("a"), DATASET, ROOMY, (), few_params)
    with pytest.raises(PermissionDenied, match="only your own jobs"):
        class_jobs.stop_job(BOB, tracker, a_job.job_id)  # an id from alice's session
    assert tracker.client.stopped == [] and not a_job.stop_event.is_set()
    class_jobs.stop_job(ALICE, tracker, a_job.job_id)
    assert tracker.client.stopped == [a_job.job_id] and a_job.stop_event.is_set()


def test_a_forged_owner_on_the_mirror_does_not_count(tracker):
    a_job = class_jobs.submit_job(ALICE, tracker, spec("a"), DATASET, ROOMY, (), few_params)
    a_job.owner = "bob"  # what a page could get wrong; the job table still says alice
    with pytest.raises(PermissionDenied):
        class_jobs.stop_job(BOB, tracker, a_job.job_id)
    assert tracker.client.stopped == []


def test_unknown_ids_read_like_someone_elses_to_students(tracker):
    with pytest.raises(PermissionDenied, match="no job 'job-99' of yours"):
        class_jobs.stop_job(BOB, tracker, "job-99")
    with pytest.raises(JobError, match="no job 'job-99'"):
        class_jobs.stop_job(TEACH, tracker, "job-99")


def test_the_instructor_stops_any_job_and_sees_every_owner(tracker):
    a_job = class_jobs.submit_job(ALICE, tracker, spec("a"), DATASET, ROOMY, (), few_params)
    class_jobs.submit_job(BOB, tracker, spec("b"), DATASET, ROOMY, (), few_params)
    records = tracker.records()
    assert {r.owner for r in class_jobs.visible_jobs(TEACH, records)} == {"alice", "bob"}
    assert {r.owner for r in class_jobs.visible_jobs(BOB, records)} == {"bob"}
    class_jobs.stop_job(TEACH, tracker, a_job.job_id)
    assert tracker.client.stopped == [a_job.job_id]


def test_epochs_and_params_are_checked_before_submission(tracker):
    tight = dataclasses.replace(ROOMY, max_epochs=2, max_params=500)
    with pytest.raises(LimitError, match="'maximum epochs'.*3 epochs"):
        class_jobs.submit_job(ALICE, tracker, spec(epochs=3), DATASET, tight, (), few_params)
    with pytest.raises(LimitError, match="'maximum parameters'.*1,000"):
        class_jobs.submit_job(ALICE, tracker, spec(epochs=2), DATASET, tight, (), few_params)
    assert tracker.records() == []
    job = class_jobs.submit_job(TEACH, tracker, spec(epochs=3), DATASET, tight, (), few_params)
    assert job.owner == "teach"  # instructors have no class limits


def test_the_class_job_limits_are_the_queue_limits_for_that_student(tracker):
    one = dataclasses.replace(ROOMY, jobs_running=1, jobs_queued=1)
    for label in ("a1", "a2"):
        class_jobs.submit_job(ALICE, tracker, spec(label), DATASET, one, (), few_params)
    with pytest.raises(LimitError, match="'jobs queued'.*0 job\\(s\\) running and 2 queued"):
        class_jobs.submit_job(ALICE, tracker, spec("a3"), DATASET, one, (), few_params)
    class_jobs.submit_job(BOB, tracker, spec("b1"), DATASET, one, (), few_params)
    assert [r.label for r in tracker.records() if r.owner == "alice"] == ["a2", "a1"]
    assert class_jobs.queue_limits(one) == fair.Limits(running=1, queued=1)


def test_runs_a_job_sends_back_carry_the_specs_owner(tmp_path):
    """A study's trial runs are saved by the tuning worker without an owner: the task stamps
    the spec's owner into each before packing, so the student sees their own trials."""
    import io
    import json
    import tarfile

    from emnist_core.jobs.tasks import pack_runs
    from tests.classroom.helpers import fake_run

    fake_run(tmp_path, "trial-1", None)
    (row,) = pack_runs(tmp_path, "alice")
    with tarfile.open(fileobj=io.BytesIO(row["tar"])) as archive:
        info = json.load(archive.extractfile("trial-1/run.json"))
    assert row["run_id"] == "trial-1" and info["owner"] == "alice"
    fake_run(tmp_path / "personal", "trial-2", None)
    (row,) = pack_runs(tmp_path / "personal")  # personal mode: no owner written
    with tarfile.open(fileobj=io.BytesIO(row["tar"])) as archive:
        assert json.load(archive.extractfile("trial-2/run.json"))["owner"] is None


def test_a_study_is_held_to_the_class_limits(tracker, tmp_path):
    """Epochs are refused at submission (the most the space allows); parameters per trial,
    by the check the submitted spec carries to the worker."""
    from emnist_core.jobs.studies import StudySpec
    from emnist_core.tuning.space_files import space_from_dict
    from emnist_core.tuning.worker import TuneSettings

    def study(epochs) -> StudySpec:
        params = {"hidden_units": {"choice": [[8], [4096]]}, "epochs": epochs}
        space = space_from_dict({"family": "mlp", "params": params})
        return StudySpec("s", f"sqlite:///{tmp_path}/o.db", space, TuneSettings(trials=2), "s")

    tight = dataclasses.replace(ROOMY, max_epochs=5, max_params=50_000)
    with pytest.raises(LimitError, match="'maximum epochs'.*8 epochs"):
        class_jobs.submit_job(ALICE, tracker, study({"low": 1, "high": 8}), DATASET, tight)
    with pytest.raises(LimitError, match="'maximum epochs'.*6 epochs"):
        class_jobs.submit_job(ALICE, tracker, study({"choice": [2, 6]}), DATASET, tight)
    job = class_jobs.submit_job(ALICE, tracker, study(3), DATASET, tight)
    sent = tracker.client.specs[job.job_id]
    assert sent.owner == "alice"
    small, big = (sent.space.base_config.replace(hidden_units=(n,), epochs=3) for n in (8, 4096))
    sent.check(small, 47)
    with pytest.raises(LimitError, match="'maximum parameters'"):
        sent.check(big, 47)
    teach_job = class_jobs.submit_job(TEACH, tracker, study(8), DATASET, tight)
    assert tracker.client.specs[teach_job.job_id].check is None  # instructors: no class limits
