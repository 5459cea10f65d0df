"""End to end in Debian's Chromium: synthetic data, train, Results, Compare, Draw, Why CNNs win.

Starts `streamlit run dashboard/app.py` on a free loopback port with empty data and runs
folders, then acts as a student would. Screenshots land in test-output/screenshots/.
"""

import os

import pytest

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # reported by _require_browser: a failure under CI, a skip elsewhere
    expect = sync_playwright = None

from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, REPO, streamlit_server

SHOTS = REPO / "test-output" / "screenshots"
WAIT_MS = 60_000
TRAIN_WAIT_MS = 400_000  # two shared CPU cores: a 1-epoch run can take minutes under load


def _require_browser():
    """Under CI a missing browser fails the test; on a user's machine it is skipped."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} not found: install it with `sudo apt-get install chromium`"
    else:
        if sync_playwright is None:
            problem = "the playwright package is missing: pip install -r requirements-dev.txt"
    if problem and os.environ.get("CI") == "true":
        pytest.fail(f"browser test cannot run under CI: {problem}")
    if problem:
        pytest.skip(problem)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # let charts finish their first paint
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _go(page, title: str) -> None:
    """Click a page in the sidebar navigation, as a user would."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()


def _settled(page) -> None:
    """Wait until the page's script has finished (Streamlit's running indicator gone)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS
    )
    page.wait_for_timeout(300)  # stale elements of the previous run are removed at the end


def _set_field(page, label: str, value: str) -> None:
    """Type a value and press Enter; type it again if a rerun in flight replaced it."""
    field = page.get_by_label(label, exact=True)
    for _ in range(3):
        field.fill(value)
        field.press("Enter")
        page.wait_for_timeout(700)
        _settled(page)
        if field.input_value() == value:
            return
    expect(field).to_have_value(value)


def _train(page, family_label: str, run_name: str, fields: dict[str, str]) -> None:
    """Pick the family, set the fields (the first one names a field only that family has), start."""
    _go(page, "Train")
    page.get_by_text("Hyperparameters").wait_for(timeout=WAIT_MS)
    page.get_by_text(family_label).click()
    page.get_by_label(next(iter(fields)), exact=True).wait_for(timeout=WAIT_MS)  # the family's form
    _settled(page)
    page.get_by_text("Trainable + non-trainable parameters").wait_for(timeout=WAIT_MS)
    for label, value in fields.items():
        _set_field(page, label, value)
    _set_field(page, "Run name", run_name)
    for label, value in {**fields, "Run name": run_name}.items():  # all values stuck
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    page.get_by_role("button", name="Start training").click()
    page.get_by_text(f"'{run_name}' finished in").wait_for(timeout=TRAIN_WAIT_MS)


def _click_cell(page, row: int, col: int, classes: int) -> None:
    """Click one cell of the confusion heatmap (its plot area is the drag layer)."""
    area = page.locator(".js-plotly-plot:has(.heatmaplayer) .nsewdrag").first
    area.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = area.bounding_box()
    page.mouse.click(
        box["x"] + box["width"] * (col + 0.5) / classes,
        box["y"] + box["height"] * (row + 0.5) / classes,
    )


def _stroke(page, canvas_box, points) -> None:
    x0, y0, w, h = canvas_box["x"], canvas_box["y"], canvas_box["width"], canvas_box["height"]
    page.mouse.move(x0 + w * points[0][0], y0 + h * points[0][1])
    page.mouse.down()
    for fx, fy in points[1:]:
        page.mouse.move(x0 + w * fx, y0 + h * fy, steps=6)
    page.mouse.up()


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_student_journey(tmp_path):
    _require_browser()
    env = {
        "EMNIST_DATA_DIR": str(tmp_path / "no-data"),
        "EMNIST_RUNS_DIR": str(tmp_path / "runs"),
        "EMNIST_SYNTHETIC_DIR": str(tmp_path / "demo"),
        "EMNIST_DEMO_PER_CLASS": "20",
        "EMNIST_DEMO_TEST_PER_CLASS": "5",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    with streamlit_server(env, SHOTS.parent / "streamlit.log") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        try:
            page.goto(url)
            page.get_by_text("No data loaded yet").wait_for(timeout=WAIT_MS)
            _shot(page, "0-no-data")

            page.locator('[data-testid="stSidebar"]').get_by_text("Synthetic demo set").click()
            page.get_by_text("Mean image per class").wait_for(timeout=WAIT_MS)
            page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=WAIT_MS)
            expect(
                page.get_by_text("SYNTHETIC demo data - not real handwriting").first
            ).to_be_visible()
            _shot(page, "1-explore")

            _train(page, "MLP (dense layers)", "e2e-mlp", {"hidden units": "64", "epochs": "1"})
            _shot(page, "2-train")
            _train(
                page,
                "CNN (convolutions)",
                "e2e-cnn",
                {"conv filters": "4", "dense units": "16", "epochs": "1"},
            )

            _go(page, "Results")
            page.get_by_text("Confusion matrix", exact=True).wait_for(timeout=WAIT_MS)
            page.locator(".js-plotly-plot .heatmaplayer").first.wait_for(timeout=WAIT_MS)
            _click_cell(page, row=10, col=10, classes=47)  # the 'A' -> 'A' cell
            expect(page.get_by_text("test image(s) of A predicted as A")).to_be_visible(
                timeout=WAIT_MS
            )
            _shot(page, "3-results")

            _go(page, "Compare")
            page.get_by_text("McNemar's test (").wait_for(timeout=WAIT_MS)
            _shot(page, "4-compare")

            _go(page, "Draw")
            page.get_by_text("Draw a character on the black square").wait_for(timeout=WAIT_MS)
            canvas = page.locator("canvas").last
            canvas.wait_for(timeout=WAIT_MS)
            box = canvas.bounding_box()
            _stroke(page, box, [(0.3, 0.2), (0.7, 0.2), (0.3, 0.8), (0.7, 0.8)])  # a Z
            page.get_by_text("What the models see").wait_for(timeout=WAIT_MS)
            expect(page.get_by_text("sure").first).to_be_visible()
            _shot(page, "5-draw")
            page.get_by_text("Look inside the models").click()  # the panel is on demand
            gradcam = page.get_by_text("CNN Grad-CAM").first
            gradcam.wait_for(timeout=WAIT_MS)
            expect(gradcam).to_be_visible()
            page.mouse.move(900, 700)
            page.mouse.wheel(0, 700)  # Streamlit scrolls its main block, not the page
            _shot(page, "5b-draw-inside")

            page.get_by_role("button", name="Reset canvas & history").click()
            expect(page.get_by_text("What the models see")).to_have_count(0, timeout=WAIT_MS)
            expect(page.get_by_text("Draw a character on the black square")).to_be_visible()
            _shot(page, "6-draw-cleared")

            _go(page, "Why CNNs win")
            page.get_by_text("1 · Move it, turn it, smudge it").wait_for(timeout=WAIT_MS)
            page.get_by_text("3 · What the last hidden layer has learned").wait_for(timeout=WAIT_MS)
            _settled(page)
            expect(page.locator(".js-plotly-plot").first).to_be_visible()
            _shot(page, "7-why-cnns")

            _go(page, "Runs")
            page.get_by_text("Config").wait_for(timeout=WAIT_MS)
            _shot(page, "8-runs")
            assert not page.get_by_text("Traceback").count()
        except Exception:
            _shot(page, "failure")
            raise
        finally:
            browser.close()
