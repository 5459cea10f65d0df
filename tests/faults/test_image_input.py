"""Bounded image input: bombs and huge images are refused with a message, in little memory."""

import subprocess
import sys

import pytest
from PIL import Image

from bench.bench_image_memory import peak_growth, write_png
from emnist_core.errors import DataError
from emnist_core.inference.preprocess import read_image

LIMIT_BYTES = 200 * 10**6  # what any accepted image may add to the process


def test_decompression_bomb_is_refused_with_a_message(tmp_path):
    bomb = write_png(tmp_path / "bomb.png", 20_000, 20_000, rgba=False, bit_depth=1)
    assert bomb.stat().st_size < 1_000_000  # small on disk, 400 megapixels decoded
    with pytest.raises(DataError, match="bomb.png is far too large.*Shrink it"):
        read_image(bomb, "bomb.png")


def test_large_image_is_refused_before_decoding(tmp_path):
    large = write_png(tmp_path / "large.png", 12_000, 12_000, rgba=False)
    grown, outcome = peak_growth(large)
    assert outcome.startswith("refused: ") and "12000x12000 pixels (144 megapixels)" in outcome
    assert grown < 50 * 2**20, f"refusing cost {grown / 2**20:.0f} MiB"


def test_largest_accepted_image_adds_under_200_mb(tmp_path):
    from emnist_core.inference.preprocess import MAX_IMAGE_PIXELS  # the cap the fix added

    width = 6000
    largest = write_png(tmp_path / "largest.png", width, MAX_IMAGE_PIXELS // width)
    grown, outcome = peak_growth(largest)
    assert outcome == "accepted"
    assert grown < LIMIT_BYTES, f"reading it cost {grown / 2**20:.0f} MiB"


def test_reduced_decode_keeps_the_shape(tmp_path):
    path = write_png(tmp_path / "wide.png", 4000, 1000)
    image = read_image(path, "wide.png")
    assert image.mode == "RGBA" and image.size == (1000, 250)


def test_any_pillow_error_is_a_data_error(tmp_path):
    good = tmp_path / "good.png"
    Image.new("L", (64, 64), 255).save(good)
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(good.read_bytes()[:60])
    with pytest.raises(DataError, match="truncated.png is not an image Pillow can read"):
        read_image(truncated, "truncated.png")


def test_predict_goes_on_after_a_bad_image_and_exits_2(tmp_path, runs_dir):
    from tests.fixtures import glyph_l

    good = tmp_path / "good.png"
    Image.fromarray(glyph_l()).resize((280, 280)).save(good)
    bomb = write_png(tmp_path / "bomb.png", 20_000, 20_000, rgba=False, bit_depth=1)
    run_id = next(p.name for p in runs_dir.iterdir())
    done = subprocess.run(
        [sys.executable, "-m", "emnist_core", "predict", run_id, str(bomb), str(good)]
        + ["--runs-dir", str(runs_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith(f"{bomb}: error: ") and "far too large" in line for line in lines)
    assert any(line.startswith(f"{good}: ") and "%" in line for line in lines)
    assert "Traceback" not in done.stderr
