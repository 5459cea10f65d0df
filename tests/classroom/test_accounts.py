"""classroom.toml and local accounts: argon2 hashes only, slow generic failures, OIDC e-mails."""

import time

import pytest

from emnist_core.classroom import accounts
from emnist_core.classroom import config as classroom_config
from emnist_core.classroom.config import ClassroomConfig, Limits
from emnist_core.classroom.errors import ClassroomConfigError, SignInError
from emnist_core.classroom.principal import INSTRUCTOR, STUDENT, verified

PASSWORD = "correct horse battery"


@pytest.fixture
def class_file(tmp_path):
    path = tmp_path / "classroom.toml"
    accounts.add_user(path, "alice", "student", PASSWORD)
    accounts.add_user(path, "teach", "instructor", "another-long-one")
    return path


def test_missing_or_empty_file_is_a_default_class(tmp_path):
    assert classroom_config.load(tmp_path / "absent.toml") == ClassroomConfig()
    (tmp_path / "empty.toml").write_text("")
    assert classroom_config.load(tmp_path / "empty.toml") == ClassroomConfig()


def test_only_the_hash_is_stored(class_file):
    text = class_file.read_text()
    assert PASSWORD not in text and "$argon2id$" in text
    assert set(classroom_config.load(class_file).accounts) == {"alice", "teach"}


def test_right_password_signs_in_with_the_accounts_role(class_file):
    config = classroom_config.load(class_file)
    who = verified(accounts.authenticate(config, "alice", PASSWORD))
    assert (who.user_id, who.role) == ("alice", STUDENT)
    assert accounts.authenticate(config, "teach", "another-long-one").role == INSTRUCTOR


@pytest.mark.parametrize("name,password", [("alice", "wrong password"), ("nobody", PASSWORD)])
def test_wrong_password_or_name_waits_and_says_the_same(class_file, name, password, monkeypatch):
    monkeypatch.setattr(accounts, "FAILED_DELAY_S", 0.3)
    config = classroom_config.load(class_file)
    started = time.perf_counter()
    with pytest.raises(SignInError) as refused:
        accounts.authenticate(config, name, password)
    assert time.perf_counter() - started >= 0.3
    assert str(refused.value) == accounts.GENERIC_FAILURE
    assert password not in str(refused.value)


def test_remove_and_bad_input(class_file):
    accounts.remove_user(class_file, "alice")
    assert set(classroom_config.load(class_file).accounts) == {"teach"}
    with pytest.raises(ClassroomConfigError, match="no account 'alice'"):
        accounts.remove_user(class_file, "alice")
    with pytest.raises(ClassroomConfigError, match="at least 8"):
        accounts.add_user(class_file, "bob", "student", "short")
    with pytest.raises(ClassroomConfigError, match="role"):
        accounts.add_user(class_file, "bob", "admin", PASSWORD)


def test_limits_round_trip_and_unknown_keys_are_named(tmp_path):
    path = tmp_path / "c.toml"
    config = ClassroomConfig(instructors=("t@uni.edu",), student_domain="uni.edu")
    classroom_config.save(path, classroom_config.with_limits(config, Limits(max_epochs=3)))
    loaded = classroom_config.load(path)
    assert loaded.limits.max_epochs == 3 and loaded.student_domain == "uni.edu"
    path.write_text("[limits]\nmax_epoch = 3\n")
    with pytest.raises(ClassroomConfigError, match="max_epoch"):
        classroom_config.load(path)
    path.write_text("[limits]\nmax_epochs = 0\n")
    with pytest.raises(ClassroomConfigError, match="max_epochs=0"):
        classroom_config.load(path)


def test_oidc_emails_by_instructor_list_domain_and_roster():
    config = ClassroomConfig(instructors=("prof@uni.edu",), student_domain="uni.edu")
    assert accounts.oidc_principal(config, "Prof@uni.edu").role == INSTRUCTOR
    assert accounts.oidc_principal(config, "kim@uni.edu").role == STUDENT
    with pytest.raises(SignInError, match="not in this class"):
        accounts.oidc_principal(config, "kim@elsewhere.org")
    roster = ClassroomConfig(roster=("kim@uni.edu",))
    assert accounts.oidc_principal(roster, "kim@uni.edu").user_id == "kim@uni.edu"
    with pytest.raises(SignInError):
        accounts.oidc_principal(roster, "lee@uni.edu")
    with pytest.raises(SignInError, match="no e-mail"):
        accounts.oidc_principal(config, None)
