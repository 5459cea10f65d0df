"""Show 28x28 arrays sharp on screen: one enlarged image, or a grid of many inlined in the page."""

import base64
import html
import io
from collections.abc import Sequence

import numpy as np
import streamlit as st
from PIL import Image


def enlarge(image: np.ndarray, factor: int = 3) -> np.ndarray:
    """Nearest-neighbour upscale so a 28x28 image stays sharp on screen instead of blurred."""
    return np.kron(image, np.ones((factor, factor), dtype=image.dtype))


def _png_data_uri(image: np.ndarray) -> str:
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 2:
        raise ValueError(f"expected a greyscale uint8 image, got {image.dtype} {image.shape}")
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def grid_html(images: Sequence[np.ndarray], captions: Sequence[str] | None = None, side: int = 56):
    """HTML for a wrapping grid of greyscale images, each `side` px wide with its caption.

    The pictures travel inside the HTML as PNG data (about 300 bytes each), drawn pixelated
    by the browser. st.image instead serves every picture as a file of its own: the browser
    fetched the Results page's 72 thumbnails one request after another and drew the last
    0.6 s after the page itself (AMD EPYC, 2026-12-05, bench/bench_dashboard.py).
    """
    if captions is not None and len(captions) != len(images):
        raise ValueError(f"{len(captions)} captions for {len(images)} images")
    cells = []
    for index, image in enumerate(images):
        caption = "" if captions is None else html.escape(str(captions[index]))
        cells.append(
            '<figure style="margin:0;text-align:center">'
            f'<img src="{_png_data_uri(image)}" width="{side}" height="{side}" alt="{caption}" '
            'style="image-rendering:pixelated;display:block">'
            f'<figcaption style="font-size:0.75rem;opacity:0.7">{caption}</figcaption></figure>'
        )
    return f'<div style="display:flex;flex-wrap:wrap;gap:8px">{"".join(cells)}</div>'


def image_grid(
    images: Sequence[np.ndarray],
    captions: Sequence[str] | None = None,
    side: int = 56,
    where=None,
) -> None:
    """Show images as one inlined grid (grid_html), in `where` (a column; default the page)."""
    (where or st).html(grid_html(images, captions, side))
