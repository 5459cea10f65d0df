"""Live prediction: image preprocessing and the fast Predictor."""
