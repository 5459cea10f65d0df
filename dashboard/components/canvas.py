"""The drawing canvas behind one small function, so page tests can replace it.

streamlit_drawable_canvas raises when imported outside a running Streamlit script,
so it is imported here, inside the function that draws, never at module level.
"""

import numpy as np

CANVAS_SIDE = 280  # pixels; ten times 28 so a stroke of width 20 is like a pen on paper


def draw_canvas(stroke_width: int, key: str) -> np.ndarray | None:
    """Show the canvas (white ink on black, with its undo/redo/reset toolbar).

    Returns the drawing as RGBA (H, W, 4), or None before the first stroke.
    """
    from streamlit_drawable_canvas import st_canvas

    result = st_canvas(
        fill_color="rgba(0, 0, 0, 0)",
        stroke_width=stroke_width,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=CANVAS_SIDE,
        width=CANVAS_SIDE,
        drawing_mode="freedraw",
        update_streamlit=True,  # send the drawing on every mouse up: one prediction per stroke
        return_image_data=True,
        key=key,
    )
    return result.image_data
