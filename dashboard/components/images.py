"""Turn 28x28 arrays into what st.image shows well (pure numpy)."""

import numpy as np


def enlarge(image: np.ndarray, factor: int = 3) -> np.ndarray:
    """Nearest-neighbour upscale so a 28x28 image stays sharp on screen instead of blurred."""
    return np.kron(image, np.ones((factor, factor), dtype=image.dtype))
