"""Why CNNs win: perturbations, robustness, efficiency, representations, insides."""
