"""What machine a benchmark ran on, for the record beside its figures.

The project's 2-core machines are not all alike (an AVX2-only AMD EPYC in one session,
an AVX-512/AMX Intel Xeon in another, with different training times for the same
code), so every figure in BENCHMARKS.md names the processor it was measured on.
"""

import os
import platform
from pathlib import Path


def describe() -> dict:
    """CPU model, core count, vector extensions TensorFlow can use, memory, load average."""
    fields: dict[str, str] = {}  # the first CPU's entries of /proc/cpuinfo (Linux)
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for entry in cpuinfo.read_text().splitlines():
            key, _, value = entry.partition(":")
            fields.setdefault(key.strip(), value.strip())
    model = fields.get("model name") or platform.processor() or "unknown"
    flags = set(fields.get("flags", "").split())
    vector = [name for name in ("avx2", "avx512f", "amx_tile") if name in flags]
    mem_gib = None
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        mem_gib = round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30, 1)
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "vector": vector,
        "memory_gib": mem_gib,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def line() -> str:
    """One line for a benchmark's printed header."""
    m = describe()
    return (
        f"machine: {m['cpu']}, {m['cpus']} CPUs ({'/'.join(m['vector']) or 'no AVX2'}), "
        f"{m['memory_gib']} GiB, load {m['load_average'][0]}"
    )


if __name__ == "__main__":
    print(line())


def run_child(module: str, *args: str) -> dict:
    """Run `python -m MODULE --child ARGS...` in a fresh process and return its last JSON line.

    Each measurement gets its own process, so one preset's TensorFlow state (thread pools,
    compiled graphs, memory) never colours the next one's figures.
    """
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", module, "--child", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    if done.returncode != 0:
        raise SystemExit(f"{module} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
