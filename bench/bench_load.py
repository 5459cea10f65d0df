"""Benchmark: time to load EMNIST from gzip IDX, from the archive, and from CSV (first and cached).

Uses the real images in ../shared/emnist-standin. The official Balanced train split
has 112,800 images and the stand-in 108,212, so a full-size IDX copy is also built
by repeating stand-in images up to 112,800 (same compressibility as real data).

    .venv/bin/python -m bench.bench_load [--data-dir ../shared/emnist-standin] [--repeats 5]
"""

import argparse
import shutil
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from bench import machine

ROOT = Path(__file__).resolve().parents[1]

from emnist_core.data import idx, load
from emnist_core.data.metadata import idx_name, idx_names


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def full_size_copy(source: Path, target: Path, n_train: int = 112_800) -> None:
    """Copy the stand-in, growing its train split to the official size by repetition."""
    for name in idx_names("balanced"):
        shutil.copy(source / name, target / name)
    images = idx.read_images(source / idx_name("balanced", "train", "images"))
    labels = idx.read_labels(source / idx_name("balanced", "train", "labels"))
    take = np.arange(n_train) % len(labels)
    idx.write_gzip_idx(
        target / idx_name("balanced", "train", "images"), idx.encode_images(images[take])
    )
    idx.write_gzip_idx(
        target / idx_name("balanced", "train", "labels"), idx.encode_labels(labels[take])
    )


def csv_copy(dataset, target: Path) -> None:
    for part in ("train", "test"):
        split = getattr(dataset, part)
        stored = split.images.transpose(0, 2, 1).reshape(len(split), -1)
        rows = np.column_stack([split.labels, stored])
        np.savetxt(target / f"emnist-balanced-{part}.csv", rows, fmt="%d", delimiter=",")
    shutil.copy(dataset.source / "emnist-balanced-mapping.txt", target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT / ".." / "shared" / "emnist-standin"))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    source = Path(args.data_dir)
    rows = []
    median, best, dataset = timed(lambda: load(source), args.repeats)
    rows.append(("gzip IDX, stand-in", len(dataset.train), median, best))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "full").mkdir()
        full_size_copy(source, tmp / "full")
        median, best, full = timed(lambda: load(tmp / "full"), args.repeats)
        rows.append(("gzip IDX, official size", len(full.train), median, best))
        (tmp / "zip").mkdir()
        with zipfile.ZipFile(tmp / "zip" / "gzip.zip", "w") as archive:
            for path in (tmp / "full").iterdir():
                archive.write(path, f"gzip/{path.name}")
        median, best, _ = timed(lambda: load(tmp / "zip"), args.repeats)
        rows.append(("official gzip.zip, official size", len(full.train), median, best))
        (tmp / "csv").mkdir()
        csv_copy(dataset, tmp / "csv")
        start = time.perf_counter()
        load(tmp / "csv")
        first = time.perf_counter() - start
        name = "Kaggle CSV, first load (parse + write cache)"
        rows.append((name, len(dataset.train), first, first))
        median, best, _ = timed(lambda: load(tmp / "csv"), args.repeats)
        rows.append(("Kaggle CSV, later loads (cache)", len(dataset.train), median, best))
    print("| format | train images | median s | best s |")
    print("|---|---:|---:|---:|")
    for name, n, median, best in rows:
        print(f"| {name} | {n:,} | {median:.2f} | {best:.2f} |")
    print(f"machine: {machine.describe()}")


if __name__ == "__main__":
    main()
