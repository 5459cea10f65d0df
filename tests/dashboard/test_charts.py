"""The click layer the dashboard puts on the library's confusion heatmap."""

import numpy as np

from dashboard.components.charts import clickable_cells
from emnist_core.plots import evaluation as evaluation_plots


def test_clickable_cells_name_each_cell_by_its_classes():
    confusion = np.array([[3, 1, 0], [0, 2, 0], [2, 0, 0]])
    classes = ["0", "O", "l"]
    figure = clickable_cells(evaluation_plots.confusion_heatmap(confusion, classes))
    heat, cells = figure.data
    assert cells.name == "cells" and cells.mode == "markers"
    # Row-major over the diagonal (even the empty l -> l) and the other non-zero cells.
    assert list(zip(cells.y, cells.x, strict=True)) == [
        ("0", "0"),
        ("0", "O"),
        ("O", "O"),
        ("l", "0"),
        ("l", "l"),
    ]
    # Point 3 is true "l" (y) predicted "0" (x), with the library's hover text.
    assert cells.text[3] == heat.text[2][0] == "true l -> predicted 0<br>2 images (100.0% of l)"
    assert heat.hoverinfo == "text"  # empty cells keep their hover from the heatmap
    assert figure.layout.clickmode == "event+select"
    assert list(figure.layout.xaxis.range) == [-0.5, 2.5]
    assert list(figure.layout.yaxis.range) == [2.5, -0.5]  # first class on top
    normalised = evaluation_plots.confusion_heatmap(confusion, classes, normalize=True)
    np.testing.assert_allclose(np.asarray(clickable_cells(normalised).data[0].z)[2], [1.0, 0, 0])
