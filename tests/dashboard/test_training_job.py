"""Pure parts of the live training panel: progress fraction, text, and the live curves."""

from dashboard.session.train_jobs import (
    curves_figure,
    format_seconds,
    progress_fraction,
    progress_text,
)


def _batch(epoch: int, step: int, loss: float) -> dict:
    return {
        "event": "batch",
        "epoch": epoch,
        "epochs": 4,
        "step": step,
        "steps_per_epoch": 10,
        "loss": loss,
        "accuracy": 1 - loss,
        "eta": 75.0,
        "model": "cnn-quick",
    }


def test_progress_fraction_counts_epochs_and_steps():
    assert progress_fraction(_batch(1, 5, 0.9)) == 5 / 40
    assert progress_fraction(_batch(3, 10, 0.5)) == 30 / 40
    assert progress_fraction({"event": "epoch", "epoch": 2, "epochs": 4}) == 0.5
    assert progress_fraction({}) == 0.0


def test_progress_text_says_where_it_is_and_how_long_is_left():
    text = progress_text({"progress": _batch(2, 3, 0.25), "elapsed": 61.0})
    assert "epoch 2/4" in text and "step 3/10" in text and "loss 0.250" in text
    assert "accuracy 75.0%" in text and "elapsed 1 min 01 s" in text and "ETA 1 min 15 s" in text
    assert format_seconds(None) == "estimating..."
    assert (
        format_seconds(103.4, compact=True) == "1m 43s"
        and format_seconds(48, compact=True) == "48 s"
    )


def test_the_drawings_before_epoch_1_read_as_such_and_count_as_no_progress():
    event = {"event": "drawing", "done": 5000, "total": 20000, "elapsed": 8.0, "model": "cnn"}
    text = progress_text({"progress": event, "elapsed": 9.0})
    assert "drawing training images 5,000/20,000" in text and "epoch" not in text
    assert progress_fraction(event) == 0.0
    assert curves_figure([], [event]).data == ()  # nothing to plot until a batch ends


def test_live_curves_plot_batches_before_the_first_epoch_ends():
    batches = [_batch(1, step, 1.0 / step) for step in range(1, 6)]
    figure = curves_figure([], batches)
    assert [trace.name for trace in figure.data] == ["train per batch", "train per batch"]
    assert list(figure.data[0].x) == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert list(figure.data[1].y) == [1 - 1.0 / step for step in range(1, 6)]  # accuracy
    epochs = [
        {
            "event": "epoch",
            "epoch": 1,
            "loss": 0.5,
            "val_loss": 0.6,
            "accuracy": 0.8,
            "val_accuracy": 0.7,
        }
    ]
    with_epochs = curves_figure(epochs, batches).data
    by_panel = {(trace.xaxis, trace.name): list(trace.y) for trace in with_epochs}
    assert by_panel[("x", "validation")] == [0.6] and by_panel[("x2", "validation")] == [0.7]
    assert by_panel[("x", "train")] == [0.5] and by_panel[("x2", "train")] == [0.8]
    assert with_epochs[0].name == "train per batch"  # drawn first, under the epoch curves


def test_live_curves_thin_many_batches_but_keep_the_ends():
    from dashboard.session.train_jobs import LIVE_BATCH_POINTS

    batches = [_batch(1 + i // 10, 1 + i % 10, 1.0 / (i + 1)) for i in range(1999)]
    x = list(curves_figure([], batches).data[0].x)
    assert len(x) <= LIVE_BATCH_POINTS + 1
    assert x[0] == 0.1 and x[-1] == 199.9  # the first and the latest batch stay
    assert x == sorted(x)
