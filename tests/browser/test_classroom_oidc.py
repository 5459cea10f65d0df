"""Real single sign-on: oidc-provider-mock on 127.0.0.1, the app's own secrets, st.login.

The provider is a real OpenID Connect server made for tests: its authorize page asks for a
subject (used as the e-mail). The app is started with its own secrets file (--secrets.files)
and classroom file, so nothing of the developer's configuration is read or changed.
"""

import secrets
import threading

import pytest

from emnist_core.classroom import config as classroom_config
from emnist_core.classroom.config import ClassroomConfig
from tests.browser.server import REPO, free_port, streamlit_server
from tests.browser.test_dashboard_e2e import CHROMIUM, CHROMIUM_ARGS, WAIT_MS, _require_browser

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    expect = sync_playwright = None

SHOTS = REPO / "test-output" / "screenshots"


def _provider():
    """oidc-provider-mock's WSGI app served on 127.0.0.1 (its own helper binds 'localhost')."""
    import oidc_provider_mock
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    return server, thread


def _secrets(path, app_port: int, provider_port: int) -> None:
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "emnist-lab-test"\n'
        'client_secret = "not-a-real-secret"\n'
        f'server_metadata_url = "http://127.0.0.1:{provider_port}/.well-known/openid-configuration"\n'
    )


def _sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_text("EMNIST lab: sign in").wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Sign in with your institution's account").click()
    page.locator("input[name=sub]").wait_for(timeout=WAIT_MS)  # the provider's own page
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_sign_in_through_oidc(tmp_path):
    _require_browser()
    class_file = tmp_path / "classroom.toml"
    classroom_config.save(
        class_file, ClassroomConfig(instructors=("prof@uni.edu",), student_domain="uni.edu")
    )
    server, thread = _provider()
    app_port = free_port()
    _secrets(tmp_path / "secrets.toml", app_port, server.server_port)
    env = {
        "EMNIST_CLASSROOM": str(class_file),
        "EMNIST_DATA_DIR": str(tmp_path / "no-data"),
        "EMNIST_RUNS_DIR": str(tmp_path / "runs"),
        "EMNIST_SYNTHETIC_DIR": str(tmp_path / "demo"),
    }
    args = ("--secrets.files", str(tmp_path / "secrets.toml"))
    try:
        with (
            streamlit_server(env, SHOTS.parent / "oidc.log", args, port=app_port) as url,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1300, "height": 900})
                _sign_in(page, url, "prof@uni.edu")
                sidebar = page.locator('[data-testid="stSidebar"]')
                sidebar.get_by_text("prof@uni.edu").wait_for(timeout=WAIT_MS)
                expect(sidebar.get_by_text("(instructor)")).to_be_visible()
                expect(
                    page.locator('[data-testid="stSidebarNav"]').get_by_text("Instructor")
                ).to_be_visible()
                page.get_by_text("No data loaded yet").wait_for(timeout=WAIT_MS)  # Explore
                page.wait_for_timeout(500)
                page.screenshot(path=str(SHOTS / "oidc-1-signed-in.png"))
                sidebar.get_by_role("button", name="Sign out").click()
                # st.logout ends the provider's session too: the mock asks to confirm.
                page.get_by_role("button", name="End session").click(timeout=WAIT_MS)
                page.get_by_text("EMNIST lab: sign in").wait_for(timeout=WAIT_MS)
                expect(sidebar.get_by_text("prof@uni.edu")).to_have_count(0)

                stranger = browser.new_page(viewport={"width": 1300, "height": 900})
                _sign_in(stranger, url, "eve@elsewhere.org")
                stranger.get_by_text("is not in this class").wait_for(timeout=WAIT_MS)
                expect(stranger.get_by_text("EMNIST lab: sign in")).to_be_visible()
                stranger.screenshot(path=str(SHOTS / "oidc-2-refused.png"))
            except Exception:
                for number, open_page in enumerate(
                    browser.contexts[0].pages if browser.contexts else []
                ):
                    open_page.screenshot(path=str(SHOTS / f"oidc-failure-{number}.png"))
                    print(open_page.url, open_page.content()[:3000])
                raise
            finally:
                browser.close()
    finally:
        server.shutdown()
        thread.join(10)
