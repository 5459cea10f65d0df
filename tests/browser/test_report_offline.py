"""The HTML report opens in Chromium with no network request, draws every figure, and prints."""

import pytest

from emnist_core.cli import main
from tests.browser.server import CHROMIUM, CHROMIUM_ARGS, REPO
from tests.browser.test_dashboard_e2e import _require_browser, sync_playwright
from tests.fixtures import train_tiny_pair

SHOTS = REPO / "test-output" / "screenshots"
SECTIONS = ("Command", "Config", "Curves", "Confusion matrix", "Per-class scores", "Sample errors")


@pytest.fixture(scope="module")
def report(synthetic_dataset, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    mlp, cnn = train_tiny_pair(synthetic_dataset, folder / "runs")
    out = folder / "report.html"
    args = [str(mlp.run_dir), str(cnn.run_dir), "--out", str(out), "--robustness-images", "200"]
    assert main(["report", *args]) == 0
    return out


@pytest.mark.browser
def test_report_opens_offline_draws_every_figure_and_prints(report, tmp_path):
    _require_browser()
    outside: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:  # the report must hold everything itself
            outside.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.route("**/*", only_local)
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length > 0")
            expected = page.locator(".figure").count()
            drawn = page.locator(".figure .js-plotly-plot .main-svg").count()
            images = page.evaluate(
                "[...document.images].map(i => i.complete && i.naturalWidth === 28)"
            )
            text = page.inner_text("body")
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "report.png"))
            pdf = page.pdf(format="A4", print_background=True)
        finally:
            browser.close()
    assert outside == []
    # 2 runs x (curves, confusion, per-class) + comparison bars, curves, F1 gains, robustness
    assert expected == 10 and drawn >= expected
    assert images and all(images)  # the sample errors, embedded as data: URIs
    for heading in (*SECTIONS, "Comparison", "Robustness", "McNemar's test", "SYNTHETIC"):
        assert heading in text, heading
    assert text.count("Sample errors") == 2 and "tiny MLP" in text and "tiny CNN" in text
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 4


def test_report_refuses_to_overwrite(report, capsys):
    before = report.read_bytes()
    (run_dir,) = [path for path in (report.parent / "runs").iterdir() if "mlp" in path.name]
    assert main(["report", str(run_dir), "--out", str(report)]) == 2
    assert "already exists" in capsys.readouterr().err and report.read_bytes() == before
