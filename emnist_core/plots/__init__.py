"""Plotly figures from the data the other packages return; nothing here measures."""
