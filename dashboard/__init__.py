"""The Streamlit dashboard: pages that only call emnist_core (`streamlit run dashboard/app.py`)."""
