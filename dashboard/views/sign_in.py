"""Sign-in page of classroom mode: single sign-on (st.login) and/or a local-account form."""

import streamlit as st

from dashboard.session import identity
from emnist_core.classroom.errors import SignInError


def sso_ui() -> None:
    st.subheader("Single sign-on")
    refused = st.session_state.pop(identity.REFUSED_KEY, None)
    if refused and identity.oidc_logged_in():
        st.error(refused)
        if st.button("Sign in with another account", key="signin_other"):
            st.logout()
        return
    if st.button("Sign in with your institution's account", type="primary", key="signin_sso"):
        st.login()


def local_ui(config) -> None:
    st.subheader("Class account")
    with st.form("signin_form"):
        name = st.text_input("Name", key="signin_name")
        password = st.text_input("Password", type="password", key="signin_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    try:
        identity.sign_in_local(config, name, password)
    except SignInError as error:
        st.error(str(error))
        return
    st.rerun()


def main() -> None:
    st.title("EMNIST lab: sign in")
    st.caption("This lab runs in classroom mode: sign in to see your runs and train models.")
    notice = st.session_state.pop(identity.NOTICE_KEY, None)
    if notice:
        st.info(notice)
    config = identity.classroom()
    sso = identity.oidc_configured()
    if sso:
        sso_ui()
    if config.accounts or not sso:
        local_ui(config)
    if not config.accounts and not sso:
        st.caption(
            "No accounts yet: the instructor adds them with "
            "`emnist-lab classroom add-user NAME --role student` (see the README)."
        )


main()
