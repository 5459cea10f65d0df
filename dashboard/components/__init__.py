"""Widgets and panels the pages draw (forms, canvas, charts, sidebar)."""
