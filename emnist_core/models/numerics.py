"""Numeric precision for training: float32, or bfloat16 compute where the processor has it.

Processors with AMX or AVX512-BF16 (recent Intel Xeons) run bfloat16 convolutions and
matrix products in hardware, so training steps run faster than in float32 there (figures in
BENCHMARKS.md, "Training precision"); elsewhere bfloat16 has no hardware support.
Under Keras's `mixed_bfloat16` policy the weights stay float32 and only the arithmetic is
bfloat16, so a model trained that way is copied into a float32 model of the same
architecture before it is evaluated and saved: a saved model computes the same way on
every machine.
"""

import contextlib
import functools
from collections.abc import Iterator
from pathlib import Path

import keras

MIXED = "mixed_bfloat16"
# /proc/cpuinfo flags of processors that compute bfloat16 natively (oneDNN uses them).
BF16_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})


@functools.cache
def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The first processor's feature flags (empty where /proc/cpuinfo does not exist); read
    once per process, since every model build and every Train page rerun asks."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def resolve_precision(precision: str, flags: frozenset[str] | None = None) -> str:
    """The Keras dtype policy a config's precision means on this machine.

    'auto' is mixed_bfloat16 where the processor computes bfloat16 natively, float32
    elsewhere; 'float32' and 'mixed_bfloat16' are taken as they are.
    """
    if precision != "auto":
        return precision
    found = cpu_flags() if flags is None else flags
    return MIXED if found & BF16_FLAGS else "float32"


@contextlib.contextmanager
def policy_scope(policy: str) -> Iterator[None]:
    """Layers created inside use policy; Keras keeps the policy per thread, so a model built
    here does not change what another thread (the dashboard's) builds meanwhile."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def is_mixed(model: keras.Model) -> bool:
    """True if any layer of model computes in a dtype other than its float32 weights."""
    return any(layer.compute_dtype != layer.variable_dtype for layer in model.layers)


def model_precision(model: keras.Model) -> str:
    """The precision a built model computes in, read off its layers (what run.json records)."""
    return MIXED if is_mixed(model) else "float32"


def precision_note(
    precision: str, members: int = 1, flags: frozenset[str] | None = None
) -> str | None:
    """A sentence for the user when a config asks for bfloat16 where it will be slow or
    absent: 'auto' on a processor without it, or an explicit mixed_bfloat16 there."""
    found = cpu_flags() if flags is None else flags
    if found & BF16_FLAGS or precision == "float32":
        return None
    size = f"{members} members, " if members > 1 else ""
    if precision == "auto":
        return (
            f"This processor has no bfloat16 arithmetic (AMX or AVX512-BF16), so this model "
            f"({size}precision auto) trains in float32: several times slower than on a "
            "processor that has it. For a quick demo pick the quick preset."
        )
    return (
        "This processor has no bfloat16 arithmetic (AMX or AVX512-BF16), so "
        "mixed_bfloat16 is unlikely to be faster than float32 here; auto would pick float32."
    )
