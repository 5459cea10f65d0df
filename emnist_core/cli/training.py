"""`train` and `runs list|delete|rename` sub-commands.

TensorFlow is imported only inside the handlers, so `python -m emnist_core data info`
never pays for it. Ctrl-C during training sets the Stop flag: the current batch
finishes and the partial run is saved as "stopped"; a second Ctrl-C aborts.
"""

import argparse
import dataclasses
import json
import shlex
import signal
import sys
import threading
from contextlib import contextmanager

from emnist_core.models.presets import PRESET_NAMES
from emnist_core.training.progress import DRAWING


def _fields_epilog() -> str:
    """Every config field --set accepts, with its help and allowed values (from the field specs)."""
    from emnist_core.models.config import CNNConfig, MLPConfig, TrainingConfig
    from emnist_core.models.fields import describe_fields

    shared = {f.name for f in dataclasses.fields(TrainingConfig)}
    mlp = [
        line for line in describe_fields(MLPConfig).splitlines() if line.split()[0] not in shared
    ]
    cnn = [
        line for line in describe_fields(CNNConfig).splitlines() if line.split()[0] not in shared
    ]
    return "\n".join(
        [
            "fields for --set, both families:",
            describe_fields(TrainingConfig),
            "MLP only:",
            *mlp,
            "CNN only:",
            *cnn,
        ]
    )


def register(subparsers) -> None:
    """Add `train` and `runs` to the top-level parser."""
    train = subparsers.add_parser(
        "train",
        help="train an MLP or CNN and save the run",
        epilog=_fields_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument("--model", required=True, choices=("mlp", "cnn"), help="model family")
    train.add_argument(
        "--preset",
        default="baseline",
        help=f"{', '.join(PRESET_NAMES)}, or a preset saved from a tuning study",
    )
    train.add_argument("--epochs", type=int, help="override the preset's epochs")
    train.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override any config field, e.g. --set dropout=0.3 (repeatable)",
    )
    train.add_argument("--data-dir", help="EMNIST folder (default: the lab's data folder)")
    train.add_argument("--runs-dir", help="where runs are saved (default: artifacts/runs)")
    train.add_argument("--name", help="a display name for the run")
    train.add_argument("--val-fraction", type=float, default=0.1)
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.add_argument(
        "--tensorboard", action="store_true", help="write TensorBoard logs into the run folder"
    )
    train.set_defaults(handler=run_train)

    runs = subparsers.add_parser("runs", help="list, rename or delete saved runs")
    actions = runs.add_subparsers(dest="runs_command", required=True)
    listing = actions.add_parser("list", help="saved runs, newest first")
    listing.add_argument("--runs-dir")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(handler=run_list)
    delete = actions.add_parser("delete", help="delete a saved run")
    delete.add_argument("run_id")
    delete.add_argument("--runs-dir")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(handler=run_delete)
    rename = actions.add_parser("rename", help="give a run a display name")
    rename.add_argument("run_id")
    rename.add_argument("name")
    rename.add_argument("--runs-dir")
    rename.set_defaults(handler=run_rename)


def resolve_config(args: argparse.Namespace):
    """The preset with --epochs and --set applied (validated before any data is read)."""
    from emnist_core.models.overrides import apply_overrides
    from emnist_core.models.presets import get_preset

    config = get_preset(args.model, args.preset)
    if args.epochs is not None:
        config = config.replace(epochs=args.epochs)
    return apply_overrides(config, args.overrides)


@contextmanager
def stop_on_interrupt(stop_event: threading.Event):
    """First Ctrl-C sets stop_event (clean stop after this batch); a second one aborts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        if stop_event.is_set():
            raise KeyboardInterrupt
        stop_event.set()
        print("\nstopping after this batch (Ctrl-C again to abort)...", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class TqdmProgress:
    """A per-epoch tqdm bar fed by training's progress callback."""

    def __init__(self, enabled: bool = True):
        self.enabled, self.bar, self.epoch = enabled, None, 0

    def __call__(self, progress) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if progress.event == DRAWING:  # before epoch 1: the pen drawings of drawn_share
            if self.epoch != DRAWING:
                self.close()
                self.epoch = DRAWING
                self.bar = tqdm(total=progress.total, unit="image", file=sys.stderr, desc="drawing")
            self.bar.update(progress.done - self.bar.n)
        elif progress.event == "batch":
            if progress.epoch != self.epoch:
                self.close()
                self.epoch = progress.epoch
                self.bar = tqdm(
                    total=progress.steps_per_epoch,
                    unit="batch",
                    file=sys.stderr,
                    desc=f"epoch {progress.epoch}/{progress.epochs}",
                )
            self.bar.update(progress.step - self.bar.n)
            self.bar.set_postfix(
                loss=f"{progress.loss:.3f}", acc=f"{progress.accuracy:.3f}", refresh=False
            )
        elif self.bar is not None:
            self.bar.set_postfix(
                loss=f"{progress.loss:.3f}",
                acc=f"{progress.accuracy:.3f}",
                val_acc=f"{progress.val_accuracy or float('nan'):.3f}",
            )
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def train_command(args: argparse.Namespace) -> str:
    """The command line that reproduces this training (recorded in run.json)."""
    words = ["python", "-m", "emnist_core", "train", "--model", args.model, "--preset", args.preset]
    if args.epochs is not None:
        words += ["--epochs", str(args.epochs)]
    for assignment in args.overrides:
        words += ["--set", assignment]
    for flag, value in (
        ("--data-dir", args.data_dir),
        ("--runs-dir", args.runs_dir),
        ("--name", args.name),
    ):
        if value is not None:
            words += [flag, str(value)]
    if args.val_fraction != 0.1:
        words += ["--val-fraction", str(args.val_fraction)]
    if getattr(args, "tensorboard", False):
        words.append("--tensorboard")
    return shlex.join(words)


def run_train(args: argparse.Namespace) -> int:
    config = resolve_config(args)
    from emnist_core.data import load
    from emnist_core.training.loop import train
    from emnist_core.training.tensorboard import tensorboard_logs

    dataset = load(args.data_dir)
    print(
        f"training {config.family} ({args.preset}) on {dataset.label}: {len(dataset.train)} "
        f"train images, {config.epochs} epochs",
        file=sys.stderr,
    )
    stop_event, bar = threading.Event(), TqdmProgress(enabled=not args.no_progress)
    command = train_command(args)
    try:
        with stop_on_interrupt(stop_event), tensorboard_logs(args.runs_dir) as logs:
            run = train(
                config,
                dataset,
                progress=bar,
                stop_event=stop_event,
                runs_dir=args.runs_dir,
                val_fraction=args.val_fraction,
                name=args.name,
                command=command,
                preset=args.preset,
                extra_callbacks=[logs.callback()] if args.tensorboard else None,
            )
            if args.tensorboard:
                print(f"TensorBoard logs in {logs.attach(run)}", file=sys.stderr)
    finally:
        bar.close()
    print(f"run {run.run_id} ({run.status}) saved in {run.run_dir}")
    print(f"trained {run.epochs_run} epochs in {run.train_seconds:.1f} s; test metrics:")
    for key, value in run.metrics.items():
        print(f"  {key:16s} {value:.4f}" if isinstance(value, float) else f"  {key:16s} {value}")
    if run.calibration is None:
        print("no validation split, so no temperature was fitted: probabilities are uncalibrated")
    return 0


def _row(run) -> dict:
    from emnist_core.training.leftovers import printable

    return {
        "run_id": run.run_id,
        "name": printable(run.name),  # a name edited by hand could hold terminal escapes
        "status": run.status,
        "family": run.family,
        "preset": run.preset,
        "created": run.created,
        "epochs": run.epochs_run,
        "train_seconds": run.train_seconds,
        "test_accuracy": run.accuracy,
        "params": run.params,
        "synthetic": run.synthetic,
    }


def _broken_row(broken) -> dict:
    return {"run_id": broken.run_id, "status": "broken", "reason": broken.reason}


def _registry(runs_dir):
    """The runs as the CLI sees them: in classroom mode, as the class's local administrator."""
    from emnist_core.classroom.workspace import workspace

    return workspace(None, runs_dir, cli=True)


def run_list(args: argparse.Namespace) -> int:
    registry = _registry(args.runs_dir)
    rows = [_row(run) for run in registry.list()]
    broken = [_broken_row(item) for item in registry.broken()]
    if args.json:
        print(json.dumps(rows + broken, indent=2))
        return 0
    for name in registry.cleaned:
        print(f"cleaned {name} (left by a killed save or delete)", file=sys.stderr)
    if not rows and not broken:
        print(f"no runs in {registry.runs_dir}")
        return 0
    _print_table(rows)
    for row in broken:
        print(f"{row['run_id']:28s} {'broken':8s} {row['reason']}")
    if broken:
        print("delete a broken run with: python -m emnist_core runs delete RUN_ID", file=sys.stderr)
    return 0


def _print_table(rows: list[dict]) -> None:
    print(
        f"{'run id':28s} {'status':8s} {'preset':8s} {'epochs':>6s} {'seconds':>8s} "
        f"{'test acc':>8s}  name"
    )
    for row in rows:
        acc = row["test_accuracy"]
        print(
            f"{row['run_id']:28s} {row['status']:8s} {row['preset'] or '-':8s} "
            f"{row['epochs'] or 0:6d} {row['train_seconds'] or 0:8.1f} "
            f"{'-' if acc is None else f'{acc:.4f}':>8s}  {row['name']}"
            + ("  [synthetic data]" if row["synthetic"] else "")
        )


def run_delete(args: argparse.Namespace) -> int:
    from emnist_core.errors import RunError

    registry = _registry(args.runs_dir)
    try:
        run = registry.get(args.run_id)
        what = f"run {run.run_id} ({run.name}) in {run.run_dir}"
    except RunError:
        broken = {item.run_id: item for item in registry.broken()}
        if args.run_id not in broken:
            raise
        what = f"broken run {args.run_id} in {broken[args.run_id].run_dir}"
    if not args.yes:
        answer = input(f"delete {what}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("not deleted")
            return 1
    registry.delete(args.run_id)
    print(f"deleted {args.run_id}")
    return 0


def run_rename(args: argparse.Namespace) -> int:
    run = _registry(args.runs_dir).rename(args.run_id, args.name)
    print(f"{run.run_id} is now named {run.name!r}")
    return 0
