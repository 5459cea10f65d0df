"""Pure factories that turn a validated config into a compiled, self-contained Keras model.

A built model takes raw pixels (0-255, shape (N, 28, 28) or (N, 28, 28, 1), upright)
and returns class probabilities: scaling and augmentation live inside it, so a saved
`.keras` file is all a caller needs to predict. Augmentation layers are active only
while training.
"""

import dataclasses

import keras
import numpy as np

from emnist_core.errors import ConfigError
from emnist_core.models.config import CNNConfig, MLPConfig, TrainingConfig
from emnist_core.models.ensemble import (
    ensemble_accuracy,
    ensemble_crossentropy,
    ensemble_loss,
    member_prefixes,
    stack_members,
)
from emnist_core.models.head import head, with_temperature
from emnist_core.models.numerics import is_mixed, policy_scope, resolve_precision

INPUT_SHAPE = (28, 28, 1)  # Keras's functional models also accept (N, 28, 28): rank is adjusted
PLAIN_LOSS = "sparse_categorical_crossentropy"


def build_model(
    config: TrainingConfig,
    num_classes: int,
    *,
    steps_per_epoch: int = 1,
    class_prior: np.ndarray | None = None,
) -> keras.Model:
    """Build and compile the model a config describes (dispatch on its family).

    steps_per_epoch sizes the learning-rate schedule; class_prior (training-set class
    shares) is used only by the logit-adjusted loss. Layers compute in the precision the
    config resolves to on this machine; the output probabilities are always float32.
    With ensemble > 1 this is the training model, whose output stacks each member's
    probabilities (see emnist_core.models.ensemble); `finished_model` turns it into the one to save.
    """
    bodies = {"mlp": _mlp_features, "cnn": _cnn_features}
    if config.family not in bodies:
        raise ConfigError(f"family={config.family!r} is not allowed: use mlp or cnn.")
    if num_classes < 2:
        raise ConfigError(f"num_classes={num_classes} is not allowed: a classifier needs >= 2.")
    with policy_scope(resolve_precision(config.precision)):
        inputs, x = _input_stem(config)
        members = [
            _softmax(config, bodies[config.family](config, x, prefix), num_classes, prefix)
            for prefix in member_prefixes(config.ensemble)
        ]
        model = keras.Model(inputs, stack_members(members), name=config.family)
        model.compile(
            optimizer=build_optimizer(config, steps_per_epoch),
            loss=ensemble_loss(build_loss(config, num_classes, class_prior), config.ensemble),
            metrics=[ensemble_accuracy(config.ensemble), ensemble_crossentropy(config.ensemble)],
        )
    return model


def build_mlp(config: MLPConfig, num_classes: int, **training) -> keras.Model:
    """Flatten -> [Dense -> (BatchNorm) -> activation -> (Dropout)] per hidden width -> softmax."""
    return build_model(config, num_classes, **training)


def build_cnn(config: CNNConfig, num_classes: int, **training) -> keras.Model:
    """Conv blocks (convs, pooling, dropout) -> Flatten or GAP -> Dense stack -> softmax."""
    return build_model(config, num_classes, **training)


def finished_model(
    model: keras.Model, config: TrainingConfig, num_classes: int, temperature: float = 1.0
) -> keras.Model:
    """The model to evaluate and save after training: float32, one probabilities output (an
    ensemble's members averaged), every member's logits divided by temperature before its
    softmax, compiled with the standard loss so it loads without custom code; the optimizer
    and its state are kept (the temperature adds no weights)."""
    model = float32_copy(model, config, num_classes)
    final = with_temperature(model, temperature)
    final.compile(optimizer=model.optimizer, loss=PLAIN_LOSS, metrics=["accuracy"])
    return final


def float32_copy(model: keras.Model, config: TrainingConfig, num_classes: int) -> keras.Model:
    """model itself if it computes in float32, else the same architecture in float32 with its
    weights and optimizer state (mixed-precision variables are float32 already, so nothing
    is rounded, and the saved file loads without a mismatched-optimizer warning)."""
    if not is_mixed(model):
        return model
    copy = build_model(dataclasses.replace(config, precision="float32"), num_classes)
    copy.set_weights(model.get_weights())
    if model.optimizer.built:
        copy.optimizer.build(copy.trainable_variables)
        for target, source in zip(copy.optimizer.variables, model.optimizer.variables, strict=True):
            target.assign(source)
    return copy


def _mlp_features(config: MLPConfig, x, prefix: str):
    x = keras.layers.Flatten(name=f"{prefix}flatten")(x)
    return _dense_stack(config, x, config.hidden_units, prefix)


def _cnn_features(config: CNNConfig, x, prefix: str):
    if config.space_to_depth:
        x = _space_to_depth(x, prefix)
    for block, filters in enumerate(config.conv_filters, start=1):
        x = _conv_block(config, x, block, filters, prefix)
    if config.global_pool:
        x = keras.layers.GlobalAveragePooling2D(name=f"{prefix}global_pool")(x)
    else:
        x = keras.layers.Flatten(name=f"{prefix}flatten")(x)
    return _dense_stack(config, x, config.dense_units, prefix)


def _space_to_depth(x, prefix: str = ""):
    """28x28x1 -> 14x14x4, each 2x2 patch becoming one pixel's channels (built-in layers only,
    so a saved model loads without custom code)."""
    half = INPUT_SHAPE[0] // 2
    x = keras.layers.Reshape((half, 2, half, 2), name=f"{prefix}patches")(x)
    x = keras.layers.Permute((1, 3, 2, 4), name=f"{prefix}patch_order")(x)
    return keras.layers.Reshape((half, half, 4), name=f"{prefix}space_to_depth")(x)


def _input_stem(config: TrainingConfig):
    """Input of raw 0-255 pixels, scaled to [0, 1], then (if on) train-time augmentation."""
    inputs = keras.Input(shape=INPUT_SHAPE, name="pixels")
    x = keras.layers.Rescaling(1.0 / 255.0, name="scale")(inputs)
    if config.augment:
        x = _augmentation(config, x)
    return inputs, x


def _augmentation(config: TrainingConfig, x):
    """Small shifts, rotations and zooms; fill with 0, the EMNIST background."""
    seed = config.seed
    if config.shift > 0:
        x = keras.layers.RandomTranslation(
            config.shift, config.shift, fill_mode="constant", seed=seed, name="augment_shift"
        )(x)
    if config.rotation > 0:
        x = keras.layers.RandomRotation(
            config.rotation / 360.0, fill_mode="constant", seed=seed + 1, name="augment_rotate"
        )(x)
    if config.zoom > 0:
        x = keras.layers.RandomZoom(
            config.zoom, fill_mode="constant", seed=seed + 2, name="augment_zoom"
        )(x)
    return x


def _regularizer(config: TrainingConfig):
    if config.l1 == 0 and config.l2 == 0:
        return None
    return keras.regularizers.L1L2(l1=config.l1, l2=config.l2)


def _normalize_activate(config: TrainingConfig, x, tag: str, prefix: str):
    """(BatchNorm) then the activation; BN makes the preceding bias redundant."""
    if config.batch_norm:
        x = keras.layers.BatchNormalization(name=f"{prefix}bn{tag}")(x)
    return keras.layers.Activation(config.activation, name=f"{prefix}act{tag}")(x)


def _conv_block(config: CNNConfig, x, block: int, filters: int, prefix: str):
    for conv in range(1, config.convs_per_block + 1):
        stride = config.first_stride if (block, conv) == (1, 1) else 1
        x = keras.layers.Conv2D(
            filters,
            config.kernel_size,
            strides=stride,
            padding=config.padding,
            use_bias=not config.batch_norm,
            kernel_regularizer=_regularizer(config),
            name=f"{prefix}conv{block}_{conv}",
        )(x)
        x = _normalize_activate(config, x, f"{block}_{conv}", prefix)
    if config.pooling == "max":
        x = keras.layers.MaxPooling2D(config.pool_size, name=f"{prefix}pool{block}")(x)
    elif config.pooling == "avg":
        x = keras.layers.AveragePooling2D(config.pool_size, name=f"{prefix}pool{block}")(x)
    if config.conv_dropout > 0:
        x = keras.layers.Dropout(config.conv_dropout, name=f"{prefix}conv_dropout{block}")(x)
    return x


def _dense_stack(config: TrainingConfig, x, widths: tuple[int, ...], prefix: str):
    for index, width in enumerate(widths, start=1):
        x = keras.layers.Dense(
            width,
            use_bias=not config.batch_norm,
            kernel_regularizer=_regularizer(config),
            name=f"{prefix}dense{index}",
        )(x)
        x = _normalize_activate(config, x, f"_dense{index}", prefix)
        if config.dropout > 0:
            x = keras.layers.Dropout(config.dropout, name=f"{prefix}dropout{index}")(x)
    return x


def _softmax(config: TrainingConfig, x, num_classes: int, prefix: str):
    """One member's class probabilities (Dense logits, then softmax), in float32."""
    return head(x, num_classes, prefix, _regularizer(config))


def build_loss(config: TrainingConfig, num_classes: int, class_prior: np.ndarray | None):
    """Cross-entropy; with logit_adjustment, on log p + tau*log(prior) (logit-adjusted loss).

    The model still outputs plain probabilities: the shift exists only inside the loss,
    so predictions are fit for a balanced test set without any inference-time change.
    label_smoothing softens the one-hot targets of either loss.
    """
    if config.logit_adjustment == 0 and config.label_smoothing == 0:
        return PLAIN_LOSS
    prior = np.full(num_classes, 1.0 / num_classes) if class_prior is None else class_prior
    shift = keras.ops.convert_to_tensor(
        config.logit_adjustment * np.log(np.maximum(prior, 1e-12)), "float32"
    )
    smoothing = config.label_smoothing

    def adjusted_crossentropy(y_true, probabilities):
        log_p = keras.ops.log(keras.ops.clip(probabilities, 1e-7, 1.0))
        if smoothing == 0:
            return keras.losses.sparse_categorical_crossentropy(
                y_true, log_p + shift, from_logits=True
            )
        labels = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        return keras.losses.categorical_crossentropy(
            keras.ops.one_hot(labels, num_classes),
            log_p + shift,
            from_logits=True,
            label_smoothing=smoothing,
        )

    return adjusted_crossentropy


def build_schedule(config: TrainingConfig, steps_per_epoch: int):
    """The learning rate: a float, or a Keras schedule stepping once per batch."""
    decay_steps = max(1, round(config.decay_epochs * steps_per_epoch))
    schedules = keras.optimizers.schedules
    if config.lr_schedule == "exponential":
        return schedules.ExponentialDecay(config.learning_rate, decay_steps, config.decay_rate)
    if config.lr_schedule == "inverse_time":
        return schedules.InverseTimeDecay(config.learning_rate, decay_steps, config.decay_rate)
    if config.lr_schedule == "cosine":  # to 1% of the start over the whole run
        total = max(1, config.epochs * steps_per_epoch)
        return schedules.CosineDecay(config.learning_rate, total, alpha=0.01)
    return config.learning_rate


def build_optimizer(config: TrainingConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """The configured optimizer with its learning-rate schedule."""
    rate = build_schedule(config, steps_per_epoch)
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(rate, momentum=config.momentum, nesterov=config.nesterov)
    if config.optimizer == "adagrad":
        return keras.optimizers.Adagrad(rate)
    return keras.optimizers.Adam(rate)


def current_learning_rate(model: keras.Model) -> float:
    """The learning rate the optimizer will use for its next step (schedules resolved)."""
    optimizer = model.optimizer
    rate = optimizer.learning_rate
    return float(keras.ops.convert_to_numpy(rate))
