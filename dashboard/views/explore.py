"""Explore page: what the data looks like before any model sees it."""

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard.components.images import image_grid
from dashboard.session import data_source
from emnist_core.data import Dataset
from emnist_core.data import stats as data_stats

ALL = "All classes"


def samples_ui(dataset: Dataset) -> None:
    """A re-drawable grid of training samples, random or of one class."""
    st.subheader("Samples")
    left, middle, right = st.columns([2, 2, 1])
    choice = left.selectbox("Class", [ALL, *dataset.classes], key="explore_class")
    count = middle.slider("How many", 8, 64, 24, step=8, key="explore_count")
    if right.button("Draw new samples", key="explore_redraw"):
        st.session_state["explore_seed"] = st.session_state.get("explore_seed", 0) + 1
    label = None if choice == ALL else dataset.classes.index(choice)
    seed = st.session_state.get("explore_seed", 0)
    indices = data_stats.sample_indices(dataset.train.labels, count, seed, label)
    if len(indices) == 0:
        st.info(f"No training images of class {choice!r} in this data.")
        return
    image_grid(
        [dataset.train.images[i] for i in indices],
        [dataset.classes[dataset.train.labels[i]] for i in indices],
    )


def counts_ui(dataset: Dataset) -> None:
    """Images per class in train and test (Balanced is balanced; other splits are not)."""
    st.subheader("Class counts")
    frame = pd.DataFrame(
        {
            "class": dataset.classes * 2,
            "split": ["train"] * dataset.num_classes + ["test"] * dataset.num_classes,
            "images": np.concatenate(
                [
                    dataset.train.class_counts(dataset.num_classes),
                    dataset.test.class_counts(dataset.num_classes),
                ]
            ),
        }
    )
    figure = px.bar(frame, x="class", y="images", color="split", barmode="group", height=320)
    figure.update_xaxes(type="category")
    # plotly.py 7 tags each colour with an offset group that the plotly.js inside Streamlit
    # draws on top of each other; without the tags, barmode="group" puts them side by side.
    figure.update_traces(offsetgroup=None, alignmentgroup=None)
    st.plotly_chart(figure, key="explore_counts")


def means_ui(dataset: Dataset) -> None:
    """The mean image per class: the 'template' a linear model would effectively learn."""
    st.subheader("Mean image per class")
    means = data_source.train_summaries(dataset)[0]
    image_grid(list(means), dataset.classes)


def stats_ui(dataset: Dataset) -> None:
    """Pixel statistics and the histogram of ink intensities."""
    st.subheader("Pixel intensities")
    left, right = st.columns([1, 2])
    _, stats, counts = data_source.train_summaries(dataset)
    left.dataframe(pd.Series(stats, name="train").round(2), key="explore_stats")
    figure = px.bar(
        x=np.arange(1, 256),
        y=counts,
        labels={"x": "intensity (0 = background, not shown)", "y": "pixels"},
        height=260,
    )
    right.plotly_chart(figure, key="explore_hist")


def look_alikes_ui(dataset: Dataset) -> None:
    """Classes that even people confuse, side by side (0/O, 1/l/I, 2/Z, 5/S, 9/q/g)."""
    st.subheader("Look-alike classes")
    groups = data_stats.look_alike_groups(dataset.classes)
    if not groups:
        st.info("This split has none of the classic look-alike pairs.")
    for group in groups:
        columns = st.columns(len(group))
        for column, label in zip(columns, group, strict=True):
            column.markdown(f"**{dataset.classes[label]}**")
            indices = data_stats.sample_indices(dataset.train.labels, 6, 7, label)
            image_grid([dataset.train.images[i] for i in indices], where=column)


def augmentation_ui(dataset: Dataset) -> None:
    """What training with augmentation would show the model (imports the model code lazily)."""
    st.subheader("Augmentation preview")
    st.caption(
        "Small random shifts, rotations and zoom, as training applies them when augmentation is on."
    )
    if not st.button("Show augmented copies", key="explore_augment"):
        return
    from dashboard.session.model_cache import augment_preview

    indices = data_stats.sample_indices(
        dataset.train.labels, 6, st.session_state.get("explore_seed", 0)
    )
    originals = dataset.train.images[indices]
    try:
        rows = augment_preview(originals, copies=5)
    except Exception as error:  # noqa: BLE001 - the preview is optional; say why it is missing
        st.info(f"Augmentation preview unavailable: {error}")
        return
    for original, copies in zip(originals, rows, strict=True):
        image_grid([original, *copies], ["original"] + [""] * len(copies))


def main() -> None:
    st.title("Explore the data")
    dataset = data_source.require_dataset()
    data_source.data_badge(dataset)
    samples_ui(dataset)
    counts_ui(dataset)
    means_ui(dataset)
    stats_ui(dataset)
    look_alikes_ui(dataset)
    augmentation_ui(dataset)


main()
