"""Classroom mode end to end in Chromium: two students and the instructor at once, plus a stranger.

Student A (alice) trains on the app's embedded Dask cluster; student B (bob, with one earlier
run) sees neither A's run nor A's job and has no way to stop it; the instructor sees both,
stops A's job from the class queue, publishes A's run, and B then finds it on Compare and
Draw; a signed-out browser sees only the sign-in page.
Screenshots land in test-output/screenshots/classroom-*.png.
"""

import re

import pytest

from emnist_core.classroom import accounts
from emnist_core.classroom import config as classroom_config
from emnist_core.classroom.config import Limits
from tests.browser.server import streamlit_server
from tests.browser.test_dashboard_e2e import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    TRAIN_WAIT_MS,
    WAIT_MS,
    _go,
    _require_browser,
    _set_field,
    _settled,
    _stroke,
)

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    expect = sync_playwright = None
    PlaywrightTimeout = TimeoutError

A_RUN, B_RUN = "alice-secret-mlp", "bob-own-cnn"
PASSWORDS = {"alice": "alice-password", "bob": "bob-password", "teach": "teach-password"}


def _class_file(path):
    for name, password in PASSWORDS.items():
        accounts.add_user(path, name, "instructor" if name == "teach" else "student", password)
    config = classroom_config.load(path)
    # A's job must still run while B and the instructor look at it: many epochs, stopped later.
    classroom_config.save(path, classroom_config.with_limits(config, Limits(max_epochs=1000)))


def _bobs_earlier_run(dataset, runs_dir) -> None:
    from emnist_core.models.config import CNNConfig
    from emnist_core.training.loop import train

    config = CNNConfig(conv_filters=(4,), dense_units=(8,), epochs=1, early_stopping=False)
    train(config, dataset, runs_dir=runs_dir, name=B_RUN, owner="bob")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"classroom-{name}.png"))


def _sign_in(page, url: str, name: str) -> None:
    page.goto(url)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.locator('[data-testid="stSidebar"]').get_by_text(f"{name}").first.wait_for(timeout=WAIT_MS)
    _settled(page)


def _start_long_training(page) -> None:
    _go(page, "Train")
    page.get_by_text("MLP (dense layers)").click()
    page.get_by_label("hidden units", exact=True).wait_for(timeout=WAIT_MS)
    _settled(page)
    page.get_by_text("Trainable + non-trainable parameters").wait_for(timeout=WAIT_MS)
    _set_field(page, "hidden units", "16")
    _set_field(page, "epochs", "1000")
    box = page.get_by_role("checkbox", name="early stopping")
    for _ in range(3):  # a rerun in flight may redraw the box with its old value; click again
        if not box.is_checked():
            break
        box.uncheck(force=True)
        page.wait_for_timeout(700)
        _settled(page)
    expect(box).not_to_be_checked()
    _set_field(page, "Run name", A_RUN)
    page.get_by_role("button", name="Start training").click()
    # Queued first, then running once the cluster (started by this first job) gives it a slot.
    page.get_by_text(f"Training '{A_RUN}'").wait_for(timeout=TRAIN_WAIT_MS)


def _assert_absent(page, *names: str) -> None:
    content = page.content()
    for name in names:
        assert name not in content, f"{name!r} is visible here"


def _publish(page, run_name: str) -> None:
    _go(page, "Instructor")
    page.get_by_text("Class references").wait_for(timeout=WAIT_MS)
    _settled(page)
    _pick_run(page, run_name)
    page.get_by_role("button", name="Publish to the class").click()
    page.get_by_role("button", name="Unpublish").wait_for(timeout=WAIT_MS)


def _pick_run(page, run_name: str) -> None:
    """Choose a run in the publish select box, which must list both students' runs.

    The job table above it redraws every 2 s while a job lives, and the stopped run lands a
    moment after "stopped" shows: a redraw can close the open list, so open it again."""
    texts: list[str] = []
    for _ in range(10):
        page.get_by_label("Run", exact=True).click()
        options = page.locator('[role="option"]')
        try:
            options.first.wait_for(timeout=5000)
            texts = options.all_inner_texts()
            if any(A_RUN in text for text in texts) and any(B_RUN in text for text in texts):
                options.filter(has_text=run_name).first.click(timeout=5000)
                _settled(page)
                return
        except PlaywrightTimeout:
            pass
        page.keyboard.press("Escape")
        page.wait_for_timeout(1500)
        _settled(page)
    raise AssertionError(f"the publish box never offered both runs; it listed {texts}")


@pytest.mark.browser
@pytest.mark.timeout(1200)
def test_two_students_and_the_instructor(tmp_path, synthetic_dir, synthetic_dataset):
    _require_browser()
    _class_file(tmp_path / "classroom.toml")
    _bobs_earlier_run(synthetic_dataset, tmp_path / "runs")
    env = {
        "EMNIST_CLASSROOM": str(tmp_path / "classroom.toml"),
        "EMNIST_DATA_DIR": str(synthetic_dir),
        "EMNIST_RUNS_DIR": str(tmp_path / "runs"),
        "EMNIST_SYNTHETIC_DIR": str(tmp_path / "demo"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    with streamlit_server(env, SHOTS.parent / "classroom.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        size = {"width": 1400, "height": 1000}
        alice, bob, teach, stranger = (browser.new_page(viewport=size) for _ in range(4))
        try:
            for page, name in ((alice, "alice"), (bob, "bob"), (teach, "teach")):
                _sign_in(page, url, name)

            _start_long_training(alice)
            _shot(alice, "1-alice-trains")

            _go(bob, "Train")
            bob.get_by_text("Trainable + non-trainable parameters").wait_for(timeout=WAIT_MS)
            _settled(bob)
            _assert_absent(bob, A_RUN, "alice")
            main = bob.locator('[data-testid="stMain"]')
            expect(main.get_by_role("button", name="Stop", exact=True)).to_have_count(0)
            expect(
                bob.locator('[data-testid="stSidebarNav"]').get_by_text("Instructor")
            ).to_have_count(0)
            _go(bob, "Runs")
            bob.get_by_text("Config", exact=True).wait_for(timeout=WAIT_MS)
            _settled(bob)
            _assert_absent(bob, A_RUN, "alice")
            _shot(bob, "2-bob-sees-only-his-run")

            _go(teach, "Instructor")
            teach.get_by_text(f"'{A_RUN}'").wait_for(timeout=WAIT_MS)
            # Training is under way (the first epoch waits for TensorFlow to load on shared cores).
            # The row redraws every 2 s while epochs pass faster: wait for any epoch, not one.
            teach.get_by_text(re.compile(r"epoch \d+/1000")).first.wait_for(timeout=TRAIN_WAIT_MS)
            expect(teach.get_by_text("1. alice")).to_be_visible()
            _shot(teach, "3-instructor-sees-alices-job")
            # The instructor stops any job (the page's Stop, not the header's "stop this rerun").
            teach_main = teach.locator('[data-testid="stMain"]')
            teach_main.get_by_role("button", name="Stop", exact=True).click()
            alice.get_by_text(f"'{A_RUN}' was stopped after").wait_for(timeout=TRAIN_WAIT_MS)
            _shot(alice, "4-alice-stopped-by-instructor")

            _publish(teach, A_RUN)
            _shot(teach, "5-instructor-published")

            _go(bob, "Compare")
            bob.get_by_text("McNemar's test (").wait_for(timeout=WAIT_MS * 3)
            expect(bob.get_by_text(A_RUN).first).to_be_visible()
            _shot(bob, "6-bob-compare-has-reference")
            _go(bob, "Draw")
            bob.get_by_text("Draw a character on the black square").wait_for(timeout=WAIT_MS)
            canvas = bob.locator("canvas").last
            canvas.wait_for(timeout=WAIT_MS)
            _stroke(bob, canvas.bounding_box(), [(0.3, 0.2), (0.7, 0.2), (0.3, 0.8), (0.7, 0.8)])
            bob.get_by_text(f"MLP · {A_RUN}").wait_for(timeout=WAIT_MS)
            _shot(bob, "7-bob-draws-with-reference")

            stranger.goto(url)
            stranger.get_by_text("EMNIST lab: sign in").wait_for(timeout=WAIT_MS)
            _settled(stranger)
            _assert_absent(stranger, A_RUN, B_RUN)
            expect(stranger.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
            _shot(stranger, "8-signed-out")
        except Exception:
            for name, page in (("alice", alice), ("bob", bob), ("teach", teach)):
                _shot(page, f"failure-{name}")
            raise
        finally:
            browser.close()
