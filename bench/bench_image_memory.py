"""Peak memory of reading one large image the way `predict` and the Draw page's upload do.

Writes a PNG of the largest accepted size (emnist_core.inference.preprocess.MAX_IMAGE_PIXELS,
RGBA, a dark bar on white), then, in a fresh process, measures how much the peak
resident memory grows while read_image and preprocess_image handle it. Memory, not
time: the figure does not depend on the machine's load.

    python -m bench.bench_image_memory            # the largest accepted image
    python -m bench.bench_image_memory --side 12000  # any square size (refused above the cap)
"""

import argparse
import math
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from bench import machine

MEASURE = """
import resource, sys
from emnist_core.inference.preprocess import preprocess_image, read_image
from emnist_core.errors import DataError
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    preprocess_image(read_image(sys.argv[1], sys.argv[1]))
    outcome = "accepted"
except DataError as error:
    outcome = "refused: " + str(error)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) * 1024, outcome, sep="\\t")
"""


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_png(path: Path, width: int, height: int, rgba: bool = True, bit_depth: int = 8) -> Path:
    """A white image with a dark vertical bar, streamed row by row (never whole in memory).

    bit_depth 1 (greyscale only) writes a huge image cheaply: a decompression bomb.
    """
    channels = 4 if rgba else 1
    row_bytes = math.ceil(width * channels * bit_depth / 8)
    white = b"\xff" * row_bytes
    bar = bytearray(white)
    lo, hi = (
        (width * 2 // 5) * channels * bit_depth // 8,
        (width * 3 // 5) * channels * bit_depth // 8,
    )
    bar[lo:hi] = bytes(hi - lo) if not rgba else b"\x00\x00\x00\xff" * ((hi - lo) // 4)
    compressor = zlib.compressobj(1)
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        colour = 6 if rgba else 0
        out.write(
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0))
        )
        data = bytearray()
        for y in range(height):
            data += b"\x00" + (bar if height // 5 < y < height * 4 // 5 else white)
            if len(data) > 1 << 20:
                out.write(_chunk(b"IDAT", compressor.compress(bytes(data))))
                data.clear()
        out.write(_chunk(b"IDAT", compressor.compress(bytes(data)) + compressor.flush()))
        out.write(_chunk(b"IEND", b""))
    return path


def peak_growth(path: Path) -> tuple[int, str]:
    """(bytes the peak RSS grew by, 'accepted' or 'refused: ...') in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True
    )
    grown, outcome = done.stdout.strip().splitlines()[-1].split("\t", 1)
    return int(grown), outcome


def main() -> None:
    from emnist_core.inference.preprocess import MAX_IMAGE_PIXELS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, help="square side in pixels (default: the cap)")
    args = parser.parse_args()
    width = height = args.side
    if args.side is None:  # the largest accepted image: 6000x4000 at the 24 MP cap
        width, height = 6000, MAX_IMAGE_PIXELS // 6000
    print(machine.line())
    with tempfile.TemporaryDirectory() as folder:
        path = write_png(Path(folder) / "large.png", width, height)
        size_kb = path.stat().st_size / 1e3
        grown, outcome = peak_growth(path)
    print(
        f"{width}x{height} RGBA PNG ({size_kb:,.0f} KB): "
        f"peak RSS +{grown / 2**20:,.0f} MiB, {outcome}"
    )


if __name__ == "__main__":
    main()
