"""Ensembles inside one Keras model: members trained side by side, predictions averaged.

Members share only the input (scaling and augmentation). Each has its own loss, so they
learn independently from different initial weights, as separately trained models would;
training the average itself makes members collude and loses most of the gain. The
training model outputs every member's probabilities stacked (N, members, classes); the
model that is saved averages them with a built-in layer, so it loads without custom
code. A one-member "ensemble" is exactly the plain model.
"""

import keras

ENSEMBLE_LAYER = "ensemble"  # the averaging layer of a saved ensemble
STACK_LAYER = "members"


def member_prefixes(members: int) -> list[str]:
    """Layer-name prefixes: the first member keeps the plain names (conv1_1, probabilities)."""
    return [""] + [f"member{index}_" for index in range(2, members + 1)]


def stack_members(outputs: list):
    """One output as it is; several as (N, members, classes) for the per-member loss."""
    if len(outputs) == 1:
        return outputs[0]
    rows = [
        keras.layers.Reshape((1, out.shape[-1]), dtype="float32", name=f"{prefix}row")(out)
        for prefix, out in zip(member_prefixes(len(outputs)), outputs, strict=True)
    ]
    return keras.layers.Concatenate(axis=1, dtype="float32", name=STACK_LAYER)(rows)


def ensemble_loss(loss, members: int):
    """loss (a Keras loss name or function of (labels, probabilities)) averaged over members."""
    if members == 1:
        return loss
    member_loss = keras.losses.get(loss) if isinstance(loss, str) else loss

    def ensemble_crossentropy(y_true, stacked):
        labels = keras.ops.reshape(keras.ops.cast(y_true, "int32"), (-1, 1))
        labels = keras.ops.reshape(keras.ops.repeat(labels, members, axis=1), (-1,))
        flat = keras.ops.reshape(stacked, (-1, stacked.shape[-1]))
        per_member = keras.ops.reshape(member_loss(labels, flat), (-1, members))
        return keras.ops.mean(per_member, axis=1)

    return ensemble_crossentropy


def ensemble_accuracy(members: int):
    """The accuracy metric, of the averaged probabilities for an ensemble; logged as 'accuracy'."""
    if members == 1:
        return "accuracy"

    def accuracy(y_true, stacked):
        return keras.metrics.sparse_categorical_accuracy(y_true, keras.ops.mean(stacked, axis=1))

    return accuracy


def ensemble_crossentropy(members: int):
    """Plain cross-entropy of the (averaged) probabilities, logged as 'ce' (and 'val_ce'):
    the same quantity for every run, whatever its training objective adds."""
    if members == 1:
        return keras.metrics.SparseCategoricalCrossentropy(name="ce")

    def ce(y_true, stacked):
        return keras.losses.sparse_categorical_crossentropy(y_true, keras.ops.mean(stacked, axis=1))

    return ce


def member_count(model: keras.Model) -> int:
    """How many members a built or saved model has (1 for a plain model)."""
    return sum(1 for layer in model.layers if layer.name.endswith("probabilities"))


def averaged_model(model: keras.Model) -> keras.Model:
    """A training model with stacked outputs -> one that averages its members (same layers,
    so same weights); a plain model is returned as it is."""
    members = member_count(model)
    if members == 1:
        return model
    outputs = [
        model.get_layer(f"{prefix}probabilities").output for prefix in member_prefixes(members)
    ]
    average = keras.layers.Average(dtype="float32", name=ENSEMBLE_LAYER)(outputs)
    return keras.Model(model.input, average, name=model.name)


def first_member(model: keras.Model) -> keras.Model:
    """The first member alone (for looking inside: filters, feature maps, Grad-CAM,
    embeddings), or the model itself when it is not an ensemble."""
    if member_count(model) == 1:
        return model
    return keras.Model(
        model.input, model.get_layer("probabilities").output, name=f"{model.name}_member1"
    )
