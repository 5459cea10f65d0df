"""Who uses this browser session: the one place pages read the signed-in principal from.

In personal mode (no EMNIST_CLASSROOM) nobody signs in and every getter returns None. In
classroom mode the principal lives only in this session's server-side state, as a sealed
Principal issued by a sign-in (a local password or Streamlit's OIDC `st.login`); nothing a
browser sends (URL, widget values, a user id) can make one. Idle sessions are signed out.
"""

import time

import streamlit as st

from emnist_core import settings
from emnist_core.classroom import accounts
from emnist_core.classroom import config as classroom_config
from emnist_core.classroom.config import ClassroomConfig
from emnist_core.classroom.errors import PermissionDenied, SignInError
from emnist_core.classroom.presence import Presence
from emnist_core.classroom.principal import Principal, verified

PRINCIPAL_KEY = "_classroom_principal"  # not a widget key: no widget can write it
ACTIVE_KEY = "_classroom_last_active"
NOTICE_KEY = "_classroom_notice"
REFUSED_KEY = "_classroom_refused"  # why a provider-verified e-mail is not in the class


def classroom() -> ClassroomConfig | None:
    """The classroom config (read on every rerun, so the instructor's edits apply), or None."""
    path = settings.classroom_file()
    return None if path is None else classroom_config.load(path)


def classroom_mode() -> bool:
    return settings.classroom_file() is not None


@st.cache_resource
def presence() -> Presence:
    """Who is signed in, shared by every session of this server."""
    return Presence()


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all is a plain "no"
        return False


def oidc_logged_in() -> bool:
    return oidc_configured() and bool(st.user.is_logged_in)


def principal() -> Principal | None:
    """The signed-in principal of this session, or None (always None in personal mode)."""
    held = st.session_state.get(PRINCIPAL_KEY)
    if held is None:
        return None
    try:
        return verified(held)
    except PermissionDenied:
        st.session_state.pop(PRINCIPAL_KEY, None)
        return None


def user_id() -> str | None:
    """The owner recorded on runs and jobs: the signed-in user, None in personal mode."""
    who = principal()
    return who.user_id if who is not None else None


def _signed_in(who: Principal) -> None:
    st.session_state[PRINCIPAL_KEY] = who
    st.session_state[ACTIVE_KEY] = time.time()
    presence().touch(who.user_id, who.role)


def sign_in_local(config: ClassroomConfig, name: str, password: str) -> None:
    """Verify a local account (SignInError after a delay when wrong) and sign this session in."""
    _signed_in(accounts.authenticate(config, name, password))


def sign_out(notice: str | None = None) -> bool:
    """End this session's sign-in (and the OIDC cookie, which would sign it in again).

    Returns True when the browser is being redirected to end the OIDC session: the caller
    must then not rerun, or the rerun would drop the redirect.
    """
    who = principal()
    if who is not None:
        presence().leave(who.user_id)
    st.session_state.pop(PRINCIPAL_KEY, None)
    st.session_state.pop(ACTIVE_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice
    if oidc_logged_in():
        st.logout()
        return True
    return False


def _idle_expired(config: ClassroomConfig) -> bool:
    last = st.session_state.get(ACTIVE_KEY)
    return last is not None and time.time() - last > config.idle_timeout_minutes * 60


def gate() -> Principal | None:
    """Called once per rerun in classroom mode: the principal, or None to show the sign-in page.

    Picks up a finished OIDC sign-in, signs out idle sessions, and records activity.
    """
    config = classroom()
    if config is None:
        return None
    if principal() is not None and _idle_expired(config):
        sign_out(f"Signed out after {config.idle_timeout_minutes} minutes without activity.")
        return None
    if principal() is None and oidc_logged_in():
        try:
            _signed_in(accounts.oidc_principal(config, st.user.get("email")))
        except SignInError as error:
            # Stay signed in with the provider, so the sign-in page can say why and offer
            # another account (st.logout would end this session and lose the message).
            st.session_state[REFUSED_KEY] = str(error)
            return None
    who = principal()
    if who is not None:
        st.session_state[ACTIVE_KEY] = time.time()
        presence().touch(who.user_id, who.role)
    return who


def account_ui(who: Principal) -> None:
    """Sidebar: who is signed in, and Sign out."""
    st.sidebar.caption(f"Signed in as **{who.user_id}** ({who.role})")
    if st.sidebar.button("Sign out", key="identity_sign_out") and not sign_out("Signed out."):
        st.rerun()
