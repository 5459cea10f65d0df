"""One `tqdm.auto` bar over a whole training run: a widget in Jupyter, text in a terminal."""


class NotebookProgress:
    """A training progress callback that drives one bar counting every batch of every epoch."""

    def __init__(self, description: str = "training", enabled: bool = True):
        self.description, self.enabled, self.bar = description, enabled, None

    def __call__(self, progress) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm.auto import tqdm

            total = progress.epochs * progress.steps_per_epoch
            self.bar = tqdm(total=total, unit="batch", desc=self.description)
        done = (progress.epoch - 1) * progress.steps_per_epoch + progress.step
        self.bar.update(max(done - self.bar.n, 0))
        shown = {"epoch": f"{progress.epoch}/{progress.epochs}", "loss": f"{progress.loss:.3f}"}
        if progress.val_accuracy is not None:
            shown["val_acc"] = f"{progress.val_accuracy:.3f}"
        self.bar.set_postfix(shown, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
