"""Classroom mode in AppTest: sign-in gate, forged session state, workspaces, instructor page."""

import pytest

from emnist_core.classroom import accounts
from emnist_core.classroom import config as classroom_config
from emnist_core.classroom.principal import STUDENT, Principal
from emnist_core.classroom.published import published_ids
from tests.classroom.helpers import fake_run
from tests.fixtures import make_app, texts

PASSWORDS = {"alice": "alice-password", "bob": "bob-password", "teach": "teach-password"}


@pytest.fixture
def classroom(monkeypatch, synthetic_dir, tmp_path):
    path = tmp_path / "classroom.toml"
    for name, password in PASSWORDS.items():
        accounts.add_user(path, name, "instructor" if name == "teach" else "student", password)
    runs = tmp_path / "runs"
    fake_run(runs, "20260101-000000-mlp-aaaaaa", "alice", 0.7)
    fake_run(runs, "20260101-000001-mlp-bbbbbb", "bob", 0.6)
    monkeypatch.setenv("EMNIST_CLASSROOM", str(path))
    monkeypatch.setenv("EMNIST_DATA_DIR", str(synthetic_dir))
    monkeypatch.setenv("EMNIST_RUNS_DIR", str(runs))
    monkeypatch.setenv("EMNIST_SYNTHETIC_DIR", str(tmp_path / "demo"))
    monkeypatch.setattr(accounts, "FAILED_DELAY_S", 0.1)
    return {"file": path, "runs": runs}


def everything(app) -> str:
    parts = texts(app.markdown) + texts(app.title) + texts(app.caption) + texts(app.text_input)
    parts += [str(frame.value) for frame in app.dataframe]
    parts += [str(box.options) for box in app.selectbox] + [str(m.options) for m in app.multiselect]
    return "\n".join(parts)


def signed_in(name: str):
    app = make_app()
    app.run()
    app.text_input(key="signin_name").input(name)
    app.text_input(key="signin_password").input(PASSWORDS[name])
    next(b for b in app.button if b.label == "Sign in").click().run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def test_signed_out_sees_only_the_sign_in_page(classroom):
    app = make_app()
    app.run()
    assert not app.exception
    assert texts(app.title) == ["EMNIST lab: sign in"]
    shown = everything(app)
    assert "name-of-" not in shown and "aaaaaa" not in shown


@pytest.mark.parametrize(
    "forged", [Principal("alice", STUDENT), Principal("alice", STUDENT, "f" * 64), "alice"]
)
def test_forged_session_state_does_not_sign_in(classroom, forged):
    app = make_app()
    app.session_state["_classroom_principal"] = forged
    app.run()
    assert texts(app.title) == ["EMNIST lab: sign in"]
    assert "name-of-" not in everything(app)


def test_wrong_password_gets_a_generic_message(classroom):
    app = make_app()
    app.run()
    app.text_input(key="signin_name").input("alice")
    app.text_input(key="signin_password").input("not it")
    next(b for b in app.button if b.label == "Sign in").click().run()
    assert texts(app.error) == [accounts.GENERIC_FAILURE]
    assert texts(app.title) == ["EMNIST lab: sign in"]


def test_student_sees_own_runs_only_then_signs_out(classroom):
    app = signed_in("alice")
    app.switch_page("views/runs.py").run()
    shown = everything(app)
    assert "name-of-20260101-000000-mlp-aaaaaa" in shown
    assert "bbbbbb" not in shown
    assert "Signed in as **alice** (student)" in texts(app.sidebar.caption)
    app.sidebar.button(key="identity_sign_out").click().run()
    assert texts(app.title) == ["EMNIST lab: sign in"]


def test_instructor_page_publishes_and_saves_limits(classroom):
    app = signed_in("teach")
    app.switch_page("views/instructor.py").run()
    assert not app.exception, [e.message for e in app.exception]
    shown = everything(app)
    assert "aaaaaa" in shown and "bbbbbb" in shown  # leaderboard and publish list
    app.selectbox(key="instructor_publish_pick").set_value("20260101-000000-mlp-aaaaaa").run()
    app.button(key="instructor_publish").click().run()
    assert published_ids(classroom["runs"]) == {"20260101-000000-mlp-aaaaaa"}
    app.number_input(key="instructor_limit_max_epochs").set_value(3)  # in a form: sent on submit
    next(b for b in app.button if b.label == "Save limits").click().run()
    assert classroom_config.load(classroom["file"]).limits.max_epochs == 3
    bob = signed_in("bob")
    bob.switch_page("views/runs.py").run()
    assert "aaaaaa" in everything(bob)  # the published run is now in bob's list


def test_students_have_no_instructor_page(classroom):
    app = signed_in("bob")
    with pytest.raises(Exception):  # noqa: B017 - AppTest refuses a page not in the navigation
        app.switch_page("views/instructor.py").run()
        assert texts(app.title) != ["Instructor"]
        raise AssertionError("reached")


def test_student_over_the_epoch_limit_is_told_which(classroom):
    path = classroom["file"]
    config = classroom_config.load(path)
    limited = classroom_config.with_limits(config, classroom_config.Limits(max_epochs=1))
    classroom_config.save(path, limited)
    app = signed_in("alice")
    app.switch_page("views/train.py").run()
    app.button(key="train_start").click().run()
    assert any("'maximum epochs'" in text for text in texts(app.warning)), texts(app.warning)


def test_idle_session_is_signed_out(classroom):
    import time

    from dashboard.session import identity

    app = signed_in("alice")
    assert "Signed in as **alice** (student)" in texts(app.sidebar.caption)
    app.session_state[identity.ACTIVE_KEY] = time.time() - 61 * 60  # the default is 60 minutes
    app.run()
    assert texts(app.title) == ["EMNIST lab: sign in"]
    assert any("without activity" in text for text in texts(app.info))


def test_personal_mode_has_no_sign_in(app_env, monkeypatch):
    monkeypatch.delenv("EMNIST_CLASSROOM", raising=False)
    app = make_app()
    app.run()
    assert not app.exception
    assert "EMNIST lab: sign in" not in texts(app.title)
    assert not any("Signed in as" in text for text in texts(app.sidebar.caption))


def test_only_the_instructor_is_offered_the_download(classroom, monkeypatch, tmp_path):
    """With no data in the class's folder, a student is told to ask; the instructor may fetch."""
    monkeypatch.setenv("EMNIST_DATA_DIR", str(tmp_path / "empty"))
    student = signed_in("bob")
    assert not [b for b in student.sidebar.button if b.key == "sidebar_download"]
    assert any("Ask your instructor" in text for text in texts(student.sidebar.caption))
    teacher = signed_in("teach")
    assert [b for b in teacher.sidebar.button if b.key == "sidebar_download"]
