"""Every permission rule, at library level: the pure rules and the permission-aware runs."""

import dataclasses
import pickle

import pytest

from emnist_core.classroom import permissions
from emnist_core.classroom.errors import PermissionDenied
from emnist_core.classroom.jobs import visible_jobs
from emnist_core.classroom.principal import ADMIN, INSTRUCTOR, STUDENT, Principal, issue
from emnist_core.classroom.published import published_ids
from emnist_core.classroom.workspace import ClassroomRuns
from emnist_core.errors import RunError
from tests.classroom.helpers import fake_run

ALICE, BOB, TEACH = issue("alice", STUDENT), issue("bob", STUDENT), issue("teach", INSTRUCTOR)


@pytest.fixture
def runs(tmp_path):
    """alice's run, bob's run, and one from personal mode (no owner)."""
    root = tmp_path / "runs"
    fake_run(root, "r1-alice", "alice", 0.7)
    fake_run(root, "r2-bob", "bob", 0.6)
    fake_run(root, "r3-nobody", None)
    return root


def ids(workspace: ClassroomRuns) -> set[str]:
    return {run.run_id for run in workspace.list()}


def test_pure_rules():
    assert permissions.can_see_run(ALICE, "alice", published=False)
    assert not permissions.can_see_run(ALICE, "bob", published=False)
    assert permissions.can_see_run(ALICE, "bob", published=True)
    assert not permissions.can_see_run(ALICE, None, published=False)
    assert permissions.can_see_run(TEACH, "bob", published=False)
    assert permissions.can_change_run(ALICE, "alice")
    assert not permissions.can_change_run(ALICE, "bob")
    assert not permissions.can_change_run(ALICE, None)
    assert not permissions.can_change_run(TEACH, "bob")  # the owner's work stays theirs
    assert permissions.can_change_run(issue("local-admin", ADMIN), "bob")
    assert permissions.can_stop_job(ALICE, "alice") and not permissions.can_stop_job(ALICE, "bob")
    assert permissions.can_stop_job(TEACH, "bob") and permissions.can_see_job(TEACH, "bob")
    assert not permissions.can_see_job(BOB, "alice")
    assert permissions.can_publish(TEACH) and not permissions.can_publish(ALICE)
    assert permissions.can_edit_class(TEACH) and not permissions.can_edit_class(BOB)


def test_student_sees_own_and_published_runs_only(runs):
    assert ids(ClassroomRuns(ALICE, runs)) == {"r1-alice"}
    assert ids(ClassroomRuns(BOB, runs)) == {"r2-bob"}
    ClassroomRuns(TEACH, runs).publish("r1-alice")
    assert published_ids(runs) == {"r1-alice"}
    assert ids(ClassroomRuns(BOB, runs)) == {"r1-alice", "r2-bob"}
    ClassroomRuns(TEACH, runs).publish("r1-alice", False)
    assert ids(ClassroomRuns(BOB, runs)) == {"r2-bob"}


def test_instructor_sees_everything(runs):
    assert ids(ClassroomRuns(TEACH, runs)) == {"r1-alice", "r2-bob", "r3-nobody"}


def test_forged_run_id_is_refused_like_a_missing_one(runs):
    bob = ClassroomRuns(BOB, runs)
    for action in (
        lambda: bob.get("r1-alice"),
        lambda: bob.rename("r1-alice", "mine now"),
        lambda: bob.delete("r1-alice"),
        lambda: bob.get("r3-nobody"),
    ):
        with pytest.raises(RunError, match="that you can open"):
            action()
    with pytest.raises(RunError):
        bob.get("../r1-alice")
    assert ClassroomRuns(TEACH, runs).get("r1-alice").name == "name-of-r1-alice"  # untouched


def test_published_run_is_seen_but_not_changed_by_other_students(runs):
    ClassroomRuns(TEACH, runs).publish("r1-alice")
    bob = ClassroomRuns(BOB, runs)
    assert bob.get("r1-alice").owner == "alice"
    with pytest.raises(PermissionDenied, match="only your own runs"):
        bob.rename("r1-alice", "x")
    with pytest.raises(PermissionDenied, match="only your own runs"):
        bob.delete("r1-alice")
    with pytest.raises(PermissionDenied, match="only an instructor"):
        bob.publish("r2-bob")
    assert (runs / "r1-alice").is_dir()


def test_owner_renames_and_deletes_own_run(runs):
    alice = ClassroomRuns(ALICE, runs)
    assert alice.rename("r1-alice", "best so far").name == "best so far"
    alice.delete("r1-alice")
    assert ids(ClassroomRuns(TEACH, runs)) == {"r2-bob", "r3-nobody"}


def test_instructor_cannot_delete_a_students_run(runs):
    with pytest.raises(PermissionDenied):
        ClassroomRuns(TEACH, runs).delete("r2-bob")


@pytest.mark.parametrize(
    "forged",
    [
        Principal("alice", STUDENT),  # built by hand, no seal
        Principal("alice", STUDENT, seal="0" * 64),  # a made-up seal
        dataclasses.replace(BOB, user_id="alice"),  # bob's seal, alice's id
        dataclasses.replace(ALICE, role=INSTRUCTOR),  # alice promoting herself
        "alice",  # a bare user id, as a browser could send it
    ],
)
def test_forged_owner_gets_no_access(runs, forged):
    with pytest.raises(PermissionDenied, match="not signed in"):
        ClassroomRuns(forged, runs)


def test_seal_cannot_be_swapped_after_construction(runs):
    workspace = ClassroomRuns(BOB, runs)
    object.__setattr__(workspace, "principal", dataclasses.replace(BOB, user_id="alice"))
    with pytest.raises(PermissionDenied):
        workspace.list()
    with pytest.raises(PermissionDenied):
        workspace.get("r1-alice")


def test_a_principal_from_another_process_is_refused(tmp_path):
    # The seal key lives in memory only: a pickled principal replayed in a fresh process fails.
    import subprocess
    import sys

    blob = tmp_path / "alice.pickle"
    blob.write_bytes(pickle.dumps(ALICE))
    code = (
        "import pickle,sys; from emnist_core.classroom.principal import verified\n"
        f"p = pickle.loads(open({str(blob)!r}, 'rb').read())\n"
        "try:\n    verified(p)\nexcept Exception as e:\n    print(type(e).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "PermissionDenied"


@dataclasses.dataclass
class OwnedThing:
    owner: str | None


def test_jobs_are_seen_by_their_owner_or_the_instructor():
    a_job, b_job, nobodys = OwnedThing("alice"), OwnedThing("bob"), OwnedThing(None)
    assert visible_jobs(BOB, [a_job, b_job, nobodys]) == [b_job]
    assert visible_jobs(TEACH, [a_job, b_job, nobodys]) == [a_job, b_job, nobodys]
    with pytest.raises(PermissionDenied):
        visible_jobs(Principal("teach", INSTRUCTOR), [a_job])  # forged instructor


def test_broken_runs_are_the_local_administrators(runs):
    (runs / "r4-broken").mkdir()
    (runs / "r4-broken" / "run.json").write_text("{not json")
    for who in (ALICE, TEACH):
        assert ClassroomRuns(who, runs).broken() == []
        with pytest.raises(RunError):
            ClassroomRuns(who, runs).delete("r4-broken")
    admin = ClassroomRuns(issue("local-admin", ADMIN), runs)
    assert [item.run_id for item in admin.broken()] == ["r4-broken"]
    admin.delete("r4-broken")
    assert not (runs / "r4-broken").exists() and ids(admin) == {"r1-alice", "r2-bob", "r3-nobody"}


def test_only_the_instructor_downloads_the_class_data():
    permissions.check_download(issue("teach", INSTRUCTOR))
    with pytest.raises(PermissionDenied, match="only the instructor downloads EMNIST"):
        permissions.check_download(issue("bob", STUDENT))
