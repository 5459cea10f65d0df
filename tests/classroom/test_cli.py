"""`emnist-lab classroom ...` writes hashed accounts; `runs` acts as the local administrator."""

import subprocess
import sys

import pytest

from emnist_core.classroom import config as classroom_config
from emnist_core.cli import main
from tests.classroom.helpers import fake_run

PASSWORD = "a-long-password-1"


def cli(*args: str, stdin: str = "", env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "emnist_core", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def class_env(tmp_path):
    import os

    path = tmp_path / "class" / "classroom.toml"
    return path, {**os.environ, "EMNIST_CLASSROOM": str(path)}


def test_add_list_remove(class_env):
    path, env = class_env
    made = cli(
        "classroom", "add-user", "alice", "--role", "student", stdin=PASSWORD + "\n", env=env
    )
    assert made.returncode == 0, made.stderr
    assert PASSWORD not in made.stdout + made.stderr
    text = path.read_text()
    assert PASSWORD not in text and "$argon2id$" in text
    assert (
        cli(
            "classroom", "add-user", "t", "--role", "instructor", stdin=PASSWORD, env=env
        ).returncode
        == 0
    )
    listed = cli("classroom", "list", env=env)
    assert listed.stdout.split() == ["alice", "student", "t", "instructor"]
    assert cli("classroom", "remove", "alice", env=env).returncode == 0
    assert set(classroom_config.load(path).accounts) == {"t"}
    missing = cli("classroom", "remove", "alice", env=env)
    assert missing.returncode == 2 and "no account 'alice'" in missing.stderr


def test_empty_file_is_filled(class_env):
    path, env = class_env
    path.parent.mkdir(parents=True)
    path.write_text("")
    assert (
        cli("classroom", "add-user", "bo", "--role", "student", stdin=PASSWORD, env=env).returncode
        == 0
    )
    assert set(classroom_config.load(path).accounts) == {"bo"}


def test_without_classroom_file_says_how(monkeypatch, capsys):
    monkeypatch.delenv("EMNIST_CLASSROOM", raising=False)
    assert main(["classroom", "list"]) == 2
    assert "set EMNIST_CLASSROOM" in capsys.readouterr().err


def test_runs_commands_act_as_local_administrator(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("EMNIST_CLASSROOM", str(tmp_path / "classroom.toml"))
    runs = tmp_path / "runs"
    fake_run(runs, "r1-alice", "alice")
    fake_run(runs, "r2-bob", "bob")
    assert main(["runs", "list", "--runs-dir", str(runs), "--json"]) == 0
    listed = capsys.readouterr().out
    assert "r1-alice" in listed and "r2-bob" in listed
    assert main(["runs", "rename", "r2-bob", "kept", "--runs-dir", str(runs)]) == 0
    assert main(["runs", "delete", "r1-alice", "--yes", "--runs-dir", str(runs)]) == 0
    assert not (runs / "r1-alice").exists()
