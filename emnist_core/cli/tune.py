"""`tune` sub-command: an Optuna study over a search space, one worker per process.

Several processes (on one machine or many) join the same study by running the same
command against the same --storage; the --trials budget is the study's total. The
space, the storage and the study are checked before any data is read or model trained.
Ctrl-C stops the current trial after its batch (recorded as pruned) and ends the worker.
"""

import argparse
import logging
import sys
import threading

DEFAULT_TRIALS = 20
# emnist_core.tuning.worker.SAMPLERS, repeated so that building the parser never imports Optuna
SAMPLERS = ("tpe", "random")


def register(subparsers) -> None:
    """Add `tune` to the top-level parser."""
    tune = subparsers.add_parser(
        "tune",
        help="hyperparameter search with Optuna (a journal file by default, or a database URL)",
    )
    tune.add_argument("--model", required=True, choices=("mlp", "cnn"), help="model family")
    tune.add_argument("--space", help="search space file (.yaml/.json); default: built-in space")
    tune.add_argument(
        "--trials",
        type=int,
        help=f"the study's total trial budget, shared by all "
        f"workers (default {DEFAULT_TRIALS} unless --timeout is given)",
    )
    tune.add_argument("--timeout", type=float, help="seconds for this worker, then no new trial")
    tune.add_argument("--study", help="study name (default: emnist-<model>)")
    tune.add_argument(
        "--storage",
        help="Optuna storage URL (default: $EMNIST_OPTUNA_STORAGE or "
        "journal:///artifacts/optuna.journal); postgresql://user:pw@host/db to share",
    )
    tune.add_argument("--data-dir", help="EMNIST folder (default: the lab's data folder)")
    tune.add_argument("--runs-dir", help="where trial runs are saved (default: artifacts/runs)")
    tune.add_argument("--epochs", type=int, help="fix every trial's epochs (a short budget)")
    tune.add_argument(
        "--resume",
        action="store_true",
        help="continue an existing study (with its stored space unless --space)",
    )
    tune.add_argument("--sampler", choices=SAMPLERS, default="tpe")
    tune.add_argument(
        "--seed", type=int, help="sampler seed (leave unset when several workers share a study)"
    )
    tune.add_argument("--no-prune", action="store_true", help="never stop a trial early")
    tune.add_argument(
        "--heartbeat",
        type=int,
        default=20,
        help="seconds between a worker's liveness beats; a trial silent for 3x "
        "this is marked failed",
    )
    tune.set_defaults(handler=run_tune)


def _settings(args: argparse.Namespace):
    from emnist_core.tuning.worker import TuneSettings

    trials = args.trials if args.trials is not None or args.timeout else DEFAULT_TRIALS
    return TuneSettings(
        sampler=args.sampler,
        trials=trials,
        timeout=args.timeout,
        seed=args.seed,
        prune=not args.no_prune,
        heartbeat_seconds=args.heartbeat,
    )


def _space(args: argparse.Namespace):
    """The space from --space or the built-in one, or None to reuse a resumed study's own."""
    from emnist_core.errors import ConfigError
    from emnist_core.tuning.space_files import default_space, load_space

    if args.space:
        space = load_space(args.space)
    elif args.resume:
        return None
    else:
        space = default_space(args.model)
    if space.family != args.model:
        raise ConfigError(
            f"the search space {args.space} is for {space.family}, not --model {args.model}."
        )
    return space.with_fixed(epochs=args.epochs) if args.epochs is not None else space


def open_cli_study(args: argparse.Namespace, settings):
    """Open (create, join or resume) the study and return it with the space it searches."""
    from emnist_core.errors import ConfigError
    from emnist_core.tuning.worker import open_study, stored_space

    space = _space(args)
    name = args.study or f"emnist-{args.model}"
    study = open_study(
        space, name=name, storage=args.storage, settings=settings, resume=args.resume
    )
    if space is None:
        space = stored_space(study)
        if space.family != args.model:
            raise ConfigError(f"study {name!r} tunes {space.family}, not --model {args.model}.")
        if args.epochs is not None:  # a different budget is a different space: clash check again
            space = space.with_fixed(epochs=args.epochs)
            study = open_study(
                space, name=name, storage=args.storage, settings=settings, resume=True
            )
    return study, space


class TrialPrinter:
    """Prints one line per trial start, epoch and end: 'trial k of N', best so far."""

    def __call__(self, event: dict) -> None:
        kind = (
            event.get("kind") if event.get("kind") in ("trial", "recovery") else event.get("event")
        )
        if kind == "recovery":
            print(event["message"], file=sys.stderr)
        elif kind == "trial" and event["phase"] == "start":
            params = " ".join(f"{k}={_short(v)}" for k, v in event["params"].items())
            total = event["of"] or "?"
            print(
                f"trial {event['position']} of {total} (#{event['trial']}): {params}",
                file=sys.stderr,
            )
        elif kind == "trial":
            value = "-" if event["value"] is None else f"{event['value']:.4f}"
            best = (
                "-"
                if event["best_value"] is None
                else f"{event['best_value']:.4f} (#{event['best_trial']})"
            )
            extra = f" ({event['error']})" if event.get("error") else ""
            print(
                f"  #{event['trial']} {event['state'].lower()}{extra}: val_accuracy {value} "
                f"after {event['epochs']} epoch(s); best so far {best}",
                file=sys.stderr,
            )
        elif kind == "epoch":
            print(
                f"    epoch {event['epoch']}/{event['epochs']}: loss {event['loss']:.3f}, "
                f"val_accuracy {event['val_accuracy'] or float('nan'):.4f}",
                file=sys.stderr,
            )


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def print_result(result, space) -> None:
    """The best trial's config (what it changed) and its test metrics, to stdout."""
    states = ", ".join(f"{n} {s.lower()}" for s, n in sorted(result.states.items()))
    stopped = " (stopped)" if result.stopped else ""
    print(
        f"study {result.study_name}: this worker ran {result.trials_run} trial(s) in "
        f"{result.seconds:.0f} s{stopped}; all trials: {states or 'none'}"
    )
    best = result.best
    if best is None:
        print("no trial has completed yet")
        return
    print(
        f"best trial #{best['number']} (chosen on validation accuracy "
        f"{best['val_accuracy']:.4f}), run {best['run_id']} on {best['host']}"
    )
    print("config:")
    for field in sorted(space.params):
        print(f"  {field:16s} {(best['config'] or {}).get(field)}")
    print("test metrics of that run (reported, never used to choose):")
    for key, value in best["test_metrics"].items():
        print(f"  {key:16s} {value:.4f}" if isinstance(value, float) else f"  {key:16s} {value}")


def run_tune(args: argparse.Namespace) -> int:
    import optuna

    from emnist_core.cli.training import stop_on_interrupt
    from emnist_core.data import load
    from emnist_core.tuning.worker import run_study

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # each trial builds a new model, which TensorFlow reports as "retracing": expected here
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    settings = _settings(args)
    study, space = open_cli_study(args, settings)  # every check before the data loads
    dataset = load(args.data_dir)
    print(
        f"tuning {space.family} in study {study.study_name!r} on {dataset.label}; searching "
        f"{', '.join(space.searched) or 'nothing'}",
        file=sys.stderr,
    )
    stop_event = threading.Event()
    with stop_on_interrupt(stop_event):
        result = run_study(
            study,
            dataset,
            space=space,
            settings=settings,
            runs_dir=args.runs_dir,
            on_event=TrialPrinter(),
            stop_event=stop_event,
        )
    print_result(result, space)
    return 0
