"""Draw page with the canvas replaced by a stub: hint when empty, both models' top 5 when drawn."""

import io

import numpy as np
import pytest

from tests.fixtures import image_grids, open_page, texts


def _canvas_returning(image):
    def fake_canvas(stroke_width: int, key: str):
        fake_canvas.widths.append(stroke_width)
        return image

    fake_canvas.widths = []
    return fake_canvas


def _stroke() -> np.ndarray:
    """RGBA 280x280: a white vertical bar on black, like a '1' drawn on the canvas."""
    image = np.zeros((280, 280, 4), dtype=np.uint8)
    image[..., 3] = 255
    image[50:230, 130:150, :3] = 255
    return image


@pytest.mark.parametrize(
    "image", [None, np.zeros((280, 280, 4), dtype=np.uint8)], ids=["none", "blank"]
)
def test_empty_canvas_shows_a_hint_not_a_prediction(app_env, monkeypatch, image):
    monkeypatch.setattr("dashboard.components.canvas.draw_canvas", _canvas_returning(image))
    app = open_page("draw")
    assert any("Draw a character" in text for text in texts(app.info))
    assert not any("sure" in text for text in texts(app.markdown))


def test_drawing_shows_top5_of_both_models_and_the_28x28_input(app_env, monkeypatch):
    fake = _canvas_returning(_stroke())
    monkeypatch.setattr("dashboard.components.canvas.draw_canvas", fake)
    app = open_page("draw")
    assert not app.exception
    headers = [text for text in texts(app.markdown) if text.startswith("**")]
    assert any("**MLP** · tiny-mlp" in text for text in headers)
    assert any("**CNN** · tiny-cnn" in text for text in headers)
    bars = [bar.proto for bar in app.get("progress")]
    assert len(bars) == 10  # top 5 of each model
    for model_bars in (bars[:5], bars[5:]):
        shares = [float(bar.text.rsplit(": ", 1)[1].rstrip("%")) / 100 for bar in model_bars]
        assert shares == sorted(shares, reverse=True) and sum(shares) <= 1.0 + 1e-3
        values = [bar.value for bar in model_bars]
        # Streamlit truncates the bar to a whole percent; the label rounds to 0.1%.
        assert all(abs(v - share * 100) <= 1.05 for v, share in zip(values, shares, strict=True)), (
            values,
            [bar.text for bar in model_bars],
        )
    assert [caption for _, caption in image_grids(app)[0]] == ["What the models see (28x28)"]
    app.slider(key="draw_stroke").set_value(30).run()
    assert fake.widths[-1] == 30


@pytest.mark.parametrize(
    ("top", "notes"),
    [
        ([("O", 0.55), ("0", 0.4), ("Q", 0.05)], ["**0** or **O**?"]),
        ([("1", 0.5), ("I", 0.3), ("L", 0.2)], ["**1** or **I**?"]),
        ([("L", 0.5), ("1", 0.3), ("I", 0.2)], ["**1** or **L**?"]),
        ([("A", 0.6), ("0", 0.3), ("O", 0.1)], []),
    ],
    ids=["0-or-O", "1-or-I", "1-or-L", "no-look-alike"],
)
def test_a_look_alike_pair_on_top_is_named_once(app_env, monkeypatch, top, notes):
    monkeypatch.setattr("dashboard.components.canvas.draw_canvas", _canvas_returning(_stroke()))
    monkeypatch.setattr(
        "emnist_core.inference.predictor.Predictor.predict_top", lambda self, pixels, k=5: top
    )
    app = open_page("draw")
    assert not app.exception
    shown = [text for text in texts(app.caption) if "fair reading" in text]
    assert [text.split("?")[0] + "?" for text in shown] == notes  # both models: one note
    assert all(("lower-case l" in text) == ("**L**" in text) for text in shown)


def test_upload_option_replaces_the_canvas(app_env, monkeypatch):
    fake = _canvas_returning(_stroke())
    monkeypatch.setattr("dashboard.components.canvas.draw_canvas", fake)
    app = open_page("draw")
    drawn = len(fake.widths)
    app.radio(key="draw_mode").set_value("Upload an image").run()
    assert not app.exception
    assert len(fake.widths) == drawn, "the canvas must not be drawn in upload mode"
    assert any("Draw a character" in text for text in texts(app.info))


def test_uploaded_file_is_preprocessed_like_a_drawing():
    from PIL import Image

    from dashboard.components.drawing import to_pixels

    paper = np.full((120, 90), 255, dtype=np.uint8)  # dark ink on light paper, any size
    paper[20:100, 40:50] = 0
    buffer = io.BytesIO()
    Image.fromarray(paper).save(buffer, format="PNG")
    buffer.seek(0)
    uploaded = to_pixels(buffer)
    drawn = to_pixels(_stroke())
    assert uploaded.shape == drawn.shape == (28, 28)
    assert uploaded.dtype == np.uint8 and uploaded.max() == 255
    assert uploaded[:2].max() == 0 and uploaded[:, :2].max() == 0  # the EMNIST 2-pixel border
    assert np.corrcoef(uploaded.ravel(), drawn.ravel())[0, 1] > 0.8  # both are a vertical bar


def test_blank_canvas_raises_the_empty_drawing_error():
    from dashboard.components.drawing import to_pixels
    from emnist_core.inference.preprocess import EmptyDrawingError

    with pytest.raises(EmptyDrawingError):
        to_pixels(np.zeros((280, 280, 4), dtype=np.uint8))


def test_upload_that_is_not_an_image_gives_a_clear_error():
    from dashboard.components.drawing import to_pixels
    from emnist_core.errors import DataError

    upload = io.BytesIO(b"not a picture")
    upload.name = "notes.txt"
    with pytest.raises(DataError, match="notes.txt is not an image"):
        to_pixels(upload)
