"""Entry point of the dashboard (`streamlit run dashboard/app.py`): the router and shared sidebar.

TensorFlow is not imported here or by the first page, so the app renders in under
3 seconds; pages that need models import them inside their functions. In classroom mode
(EMNIST_CLASSROOM set) only the sign-in page exists until this session has signed in.
"""

import streamlit as st

from dashboard.components.sidebar import sidebar
from dashboard.session import heap, identity, run_cleanup
from dashboard.session.data_source import keep_widget_values

PAGES = [
    st.Page("views/explore.py", title="Explore", icon=":material/search:", default=True),
    st.Page("views/train.py", title="Train", icon=":material/model_training:"),
    st.Page("views/results.py", title="Results", icon=":material/analytics:"),
    st.Page("views/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("views/draw.py", title="Draw", icon=":material/draw:"),
    st.Page("views/why_cnns.py", title="Why CNNs win", icon=":material/insights:"),
    st.Page("views/tune.py", title="Tune", icon=":material/tune:"),
    st.Page("views/runs.py", title="Runs", icon=":material/folder_open:"),
]
SIGN_IN = st.Page("views/sign_in.py", title="Sign in", icon=":material/login:", default=True)
INSTRUCTOR = st.Page("views/instructor.py", title="Instructor", icon=":material/school:")

st.set_page_config(page_title="EMNIST lab", page_icon=":material/draw:", layout="wide")
run_cleanup.keep_tensorflow_kernels()  # models stay compiled between runs (see the module)
who = identity.gate() if identity.classroom_mode() else None
if identity.classroom_mode() and who is None:
    st.navigation([SIGN_IN]).run()
    st.stop()
page = st.navigation(PAGES + ([INSTRUCTOR] if who is not None and who.is_instructor else []))
keep_widget_values()
if who is not None:
    identity.account_ui(who)
try:
    sidebar()
    page.run()
finally:
    # At the end of a run Streamlit collects garbage (runner.postScriptGC); a freeze here
    # does that collection instead of adding one, and keeps what this run imported out of
    # every later one (dashboard/session/heap.py).
    heap.freeze_long_lived()
