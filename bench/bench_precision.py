"""Training step time in float32 and in mixed_bfloat16, per preset, on this machine.

Usage: .venv/bin/python -m bench.bench_precision [family:preset ...] [--steps 60]
       [--set field=value ...]   (overrides applied to every preset, as in the CLI)

Each (preset, precision) pair runs in its own process (Keras's precision policy and
thread pools stay per process): build the preset's model, fit 10 warm-up batches, then
time one pass of --steps batches of random pixels. Prints ms per batch (wall and CPU)
and the estimated seconds per epoch on the stand-in's 97,390 training images. The
precision field of a config picks one of these; 'auto' picks bfloat16 only where the
processor has AMX or AVX512-BF16 (see emnist_core.models.numerics).
"""

import argparse
import dataclasses
import json
import time

TRAIN_IMAGES = 97_390  # the stand-in's train split less the 10% validation hold-out
PRECISIONS = ("float32", "mixed_bfloat16")


def time_steps(spec: str, precision: str, steps: int, overrides: list[str]) -> dict:
    import numpy as np

    from emnist_core.models.build import build_model
    from emnist_core.models.overrides import apply_overrides
    from emnist_core.models.presets import get_preset

    family, _, preset = spec.partition(":")
    config = apply_overrides(get_preset(family, preset), overrides)
    config = dataclasses.replace(config, precision=precision)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (config.batch_size * steps, 28, 28)).astype("float32")
    labels = rng.integers(0, 47, len(images))
    model = build_model(config, 47, steps_per_epoch=steps)
    warm = config.batch_size * 10
    model.fit(images[:warm], labels[:warm], batch_size=config.batch_size, verbose=0)
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(images, labels, batch_size=config.batch_size, verbose=0)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    epoch_steps = TRAIN_IMAGES / config.batch_size
    return {
        "preset": spec,
        "precision": precision,
        "params": model.count_params(),
        "ms_per_step": round(1000 * wall / steps, 1),
        "cpu_ms_per_step": round(1000 * cpu / steps, 1),
        "epoch_seconds_estimate": round(wall / steps * epoch_steps, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", default=["cnn:tuned", "cnn:quick", "mlp:tuned"])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(time_steps(args.child[0], args.child[1], args.steps, args.set)))
        return
    from bench import machine

    print(machine.line(), "| overrides:", " ".join(args.set) or "none", flush=True)
    print("| preset | params | precision | ms/batch | CPU ms/batch | s/epoch (est.) |")
    print("|---|---:|---|---:|---:|---:|")
    for spec in args.specs:
        for precision in PRECISIONS:
            r = machine.run_child(
                "bench.bench_precision",
                spec,
                precision,
                "--steps",
                str(args.steps),
                *(f"--set={item}" for item in args.set),
            )
            print(
                f"| {spec} | {r['params']:,} | {precision} | {r['ms_per_step']} | "
                f"{r['cpu_ms_per_step']} | {r['epoch_seconds_estimate']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
