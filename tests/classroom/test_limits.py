"""Per-student limits name the limit a student is over; leaderboard and presence."""

import pytest

from emnist_core.classroom import limits as rules
from emnist_core.classroom.config import Limits
from emnist_core.classroom.errors import LimitError
from emnist_core.classroom.leaderboard import leaderboard
from emnist_core.classroom.presence import Presence
from emnist_core.training.runs import RunRegistry
from tests.classroom.helpers import fake_run

LIMITS = Limits(jobs_running=1, jobs_queued=1, max_epochs=5, max_params=1000, upload_mb=1)


def test_each_limit_is_named():
    rules.check_epochs(LIMITS, 5)
    with pytest.raises(LimitError, match="'maximum epochs'.*6 epochs"):
        rules.check_epochs(LIMITS, 6)
    rules.check_params(LIMITS, 1000)
    with pytest.raises(LimitError, match="'maximum parameters'.*1,001"):
        rules.check_params(LIMITS, 1001)
    rules.check_upload(LIMITS, 1024 * 1024)
    with pytest.raises(LimitError, match="'upload size'"):
        rules.check_upload(LIMITS, 1024 * 1024 + 1)


def test_jobs_running_and_queued():
    rules.check_jobs(LIMITS, running=0)
    rules.check_jobs(LIMITS, running=1, queued=0)  # it waits in the queue
    with pytest.raises(LimitError, match="'jobs queued'"):
        rules.check_jobs(LIMITS, running=1, queued=1)
    with pytest.raises(LimitError, match="'jobs running'.*2 job\\(s\\) running"):
        rules.check_jobs(LIMITS, running=2, queued=0)  # two slots free: both started
    with pytest.raises(LimitError, match="'jobs queued'.*at most 0"):
        rules.check_jobs(Limits(jobs_running=1, jobs_queued=0), running=1)


def test_params_of_a_config_are_checked_by_building_it():
    from emnist_core.models.config import MLPConfig

    with pytest.raises(LimitError, match="'maximum parameters'"):
        rules.check_training(LIMITS, MLPConfig(hidden_units=(16,), epochs=1), num_classes=10)
    roomy = Limits(max_params=10**6)
    rules.check_training(roomy, MLPConfig(hidden_units=(16,), epochs=1), num_classes=10)


def test_leaderboard_keeps_each_students_best(tmp_path):
    fake_run(tmp_path, "a1", "alice", 0.6)
    fake_run(tmp_path, "a2", "alice", 0.8)
    fake_run(tmp_path, "b1", "bob", 0.7)
    fake_run(tmp_path, "n1", None, 0.99)
    entries = leaderboard(RunRegistry(tmp_path).list())
    assert [(e.owner, e.run_id) for e in entries] == [("alice", "a2"), ("bob", "b1")]
    assert entries[0].accuracy == 0.8 and entries[0].params == 1000


def test_presence_forgets_idle_and_signed_out_users():
    presence = Presence()
    presence.touch("alice", "student", now=100.0)
    presence.touch("bob", "student", now=190.0)
    assert [s.user_id for s in presence.active(60, now=200.0)] == ["bob"]
    presence.leave("bob")
    assert presence.active(60, now=200.0) == []
