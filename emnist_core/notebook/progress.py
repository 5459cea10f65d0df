"""One `tqdm.auto` bar over a whole training run: a widget in Jupyter, text in a terminal."""

from emnist_core.training.progress import DRAWING


class NotebookProgress:
    """A training progress callback that drives one bar counting every batch of every epoch,
    after a short-lived one for the pen drawings some presets make first (`drawn_share`)."""

    def __init__(self, description: str = "training", enabled: bool = True):
        self.description, self.enabled = description, enabled
        self.bar = self.drawing = None

    def __call__(self, progress) -> None:
        if not self.enabled:
            return
        from tqdm.auto import tqdm

        if progress.event == DRAWING:
            if self.drawing is None:
                self.drawing = tqdm(total=progress.total, unit="image", desc="drawing")
            self.drawing.update(max(progress.done - self.drawing.n, 0))
            return
        self._close_drawing()
        if self.bar is None:
            total = progress.epochs * progress.steps_per_epoch
            self.bar = tqdm(total=total, unit="batch", desc=self.description)
        done = (progress.epoch - 1) * progress.steps_per_epoch + progress.step
        self.bar.update(max(done - self.bar.n, 0))
        shown = {"epoch": f"{progress.epoch}/{progress.epochs}", "loss": f"{progress.loss:.3f}"}
        if progress.val_accuracy is not None:
            shown["val_acc"] = f"{progress.val_accuracy:.3f}"
        self.bar.set_postfix(shown, refresh=False)

    def _close_drawing(self) -> None:
        if self.drawing is not None:
            self.drawing.close()
            self.drawing = None

    def close(self) -> None:
        self._close_drawing()
        if self.bar is not None:
            self.bar.close()
            self.bar = None
