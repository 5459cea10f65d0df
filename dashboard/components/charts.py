"""What the dashboard adds to emnist_core.plots.evaluation: interaction the library has no use for.

The library draws; these only make its figures clickable in a page.
"""

import numpy as np
import plotly.graph_objects as go


def clickable_cells(figure: go.Figure) -> go.Figure:
    """Make a confusion heatmap (figures.confusion_heatmap) report the cell clicked.

    Plotly heatmaps send no selection events, so an almost invisible square marker named
    "cells" sits on every cell of the diagonal and every other cell that holds images:
    clicking it selects the marker, whose x/y are the true (y) and predicted (x) class
    names. Empty cells off the diagonal get none: they have no images to show, and a
    well-trained model leaves most of the 2,209 cells empty (the tuned CNN fills 196), so
    the browser draws a tenth of the markers. The heatmap keeps its own hover text, so
    every cell still tells its counts.
    """
    heat = figure.data[0]
    labels = [str(c) for c in heat.x]  # the heatmap's columns name the classes
    values = np.asarray(heat.z)
    rows, cols = np.nonzero((values > 0) | np.eye(len(labels), dtype=bool))
    hover = np.asarray(heat.text)[rows, cols] if heat.text is not None else None
    figure.add_scatter(
        x=[labels[c] for c in cols],
        y=[labels[r] for r in rows],
        text=hover,
        mode="markers",
        hovertemplate="%{text}<extra></extra>" if hover is not None else None,
        marker={"symbol": "square", "size": 11, "color": "#e76f51", "opacity": 0.01},
        selected={"marker": {"opacity": 0.6}},
        unselected={"marker": {"opacity": 0.01}},
        showlegend=False,
        name="cells",
    )
    # Fixed ranges: the marker layer must not pad the axes past the heatmap's cells.
    figure.update_xaxes(range=[-0.5, len(labels) - 0.5], autorange=False)
    figure.update_yaxes(range=[len(labels) - 0.5, -0.5], autorange=False)  # first class on top
    return figure.update_layout(height=640, clickmode="event+select")
