"""`data` sub-commands: info, synth, download."""

import argparse

from emnist_core.data.metadata import SPLITS

FORCE_HELP = "replace files of the same names that this command did not make"


def register(subparsers) -> None:
    data = subparsers.add_parser("data", help="inspect, generate or download EMNIST data")
    actions = data.add_subparsers(dest="action", required=True)

    info = actions.add_parser("info", help="counts per split and class, and the class list")
    info.add_argument("--data-dir", help="data folder (default: $EMNIST_DATA_DIR or the cache)")
    info.add_argument("--split", default="balanced", choices=SPLITS)
    info.set_defaults(handler=info_command)

    synth = actions.add_parser("synth", help="write a small SYNTHETIC dataset in IDX format")
    synth.add_argument("--out", required=True, help="folder to write the files into")
    synth.add_argument("--per-class", type=int, default=100, help="train images per class")
    synth.add_argument("--test-per-class", type=int, default=20, help="test images per class")
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--force", action="store_true", help=FORCE_HELP)
    synth.set_defaults(handler=synth_command)

    download = actions.add_parser("download", help="fetch the official NIST archive")
    download.add_argument("--data-dir", help="data folder (default: $EMNIST_DATA_DIR or the cache)")
    download.add_argument("--split", default="balanced", choices=SPLITS)
    download.add_argument("--force", action="store_true", help=FORCE_HELP)
    download.set_defaults(handler=download_command)


def info_command(args: argparse.Namespace) -> int:
    from emnist_core.data import load

    dataset = load(args.data_dir, args.split)
    if dataset.synthetic:
        print("*** SYNTHETIC demo data: generated strokes, not real EMNIST handwriting ***")
    print(f"{dataset.label} ({dataset.format} format)")
    print(f"classes ({dataset.num_classes}): {''.join(dataset.classes)}")
    train_counts = dataset.train.class_counts(dataset.num_classes)
    test_counts = dataset.test.class_counts(dataset.num_classes)
    print(f"train: {len(dataset.train)} images   test: {len(dataset.test)} images")
    print(f"{'class':>5} {'train':>7} {'test':>6}")
    for char, n_train, n_test in zip(dataset.classes, train_counts, test_counts, strict=True):
        print(f"{char:>5} {n_train:>7} {n_test:>6}")
    return 0


def synth_command(args: argparse.Namespace) -> int:
    from emnist_core.data import write_synthetic

    out = write_synthetic(
        args.out, args.per_class, args.test_per_class, args.seed, force=args.force
    )
    print(
        f"wrote SYNTHETIC demo data ({args.per_class} train and {args.test_per_class} test "
        f"images per class, seed {args.seed}) to {out}; not real EMNIST handwriting."
    )
    return 0


def download_command(args: argparse.Namespace) -> int:
    from emnist_core.data.download import download

    folder = download(args.data_dir, args.split, progress=True, force=args.force)
    print(f"EMNIST {args.split} files are in {folder}")
    return 0
