"""HTML building blocks of the report: page shell with print CSS, figures, tables, images.

Everything is inlined (plotly.js once, images as data URIs), so the file opens offline
and prints to PDF from any browser.
"""

import base64
import html
import io
from collections.abc import Iterable
from typing import Any

import numpy as np

FIGURE_WIDTH = 700  # CSS pixels: fits an A4 or Letter page at 12 mm margins when printed

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 820px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 26px; margin-bottom: 4px; } h2 { font-size: 20px; margin-top: 32px; }
h3 { font-size: 16px; margin-top: 22px; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; margin: 8px 0; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
tr, .figure, figure, .note { break-inside: avoid; page-break-inside: avoid; }
.columns { display: flex; gap: 10px; flex-wrap: wrap; align-items: flex-start; }
.columns th, .columns td { padding: 1px 3px; font-size: 10px; }
.warning { background: #fff3cd; border: 1px solid #e0c36a; padding: 6px 10px; }
.note { background: #eef4fb; border-left: 4px solid #4a7fc1; padding: 6px 10px; }
.errors { display: flex; flex-wrap: wrap; gap: 6px; }
figure { margin: 0; text-align: center; font-size: 11px; }
figure img { width: 56px; height: 56px; image-rendering: pixelated; display: block; }
code, pre { font-size: 12px; white-space: pre-wrap; word-break: break-all; }
.run + .run, .comparison { break-before: page; page-break-before: always; }
@page { size: A4; margin: 12mm; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


class FigureWriter:
    """Turns plotly figures into <div>s; the first carries plotly.js itself, inlined."""

    def __init__(self) -> None:
        self.first = True

    def __call__(self, figure, height: int | None = None) -> str:
        figure.update_layout(width=FIGURE_WIDTH, **({"height": height} if height else {}))
        div = figure.to_html(
            full_html=False,
            include_plotlyjs=self.first,  # True inlines the library (no CDN request)
            config={"displayModeBar": False, "responsive": False},
        )
        self.first = False
        return f"<div class='figure'>{div}</div>"


def table(rows: Iterable[tuple[Any, Any]], header: tuple[str, str] | None = None) -> str:
    head = f"<tr><th>{escape(header[0])}</th><th>{escape(header[1])}</th></tr>" if header else ""
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<table>{head}{body}</table>"


def frame_table(frame, digits: int = 3) -> str:
    """A pandas frame as an HTML table, floats rounded."""
    return frame.round(digits).to_html(index=False, border=0, escape=True)


def png_data_uri(image: np.ndarray) -> str:
    """A 28x28 uint8 image (white ink on black) as a PNG data: URI."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def image_tiles(images: np.ndarray, captions: list[str]) -> str:
    tiles = "".join(
        f"<figure><img alt='{escape(caption)}' src='{png_data_uri(image)}'>"
        f"<figcaption>{escape(caption)}</figcaption></figure>"
        for image, caption in zip(images, captions, strict=True)
    )
    return f"<div class='errors'>{tiles}</div>"
