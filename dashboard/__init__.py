"""The Streamlit dashboard: pages that only call emnist_core (started by `streamlit run dashboard/app.py`)."""
