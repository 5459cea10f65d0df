"""What a config's training loss is, in words: its curves are labelled with it, not "loss"."""

from emnist_core.models.config import TrainingConfig


def objective_label(config: TrainingConfig) -> str:
    """What the training loss of a config is, in words (its curves are labelled with it)."""
    extras = []
    if config.label_smoothing:
        extras.append(f"label smoothing {config.label_smoothing:g}")
    if config.logit_adjustment:
        extras.append(f"logit adjustment {config.logit_adjustment:g}")
    if config.ensemble > 1:
        extras.append(f"mean over {config.ensemble} members")
    if config.l1 or config.l2:
        extras.append("weight penalty")
    if not extras:
        return "training objective (cross-entropy)"
    return f"training objective (cross-entropy with {', '.join(extras)})"
