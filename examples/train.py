"""Train a small convolutional network on scikit-learn's handwritten digits.

The data set is the 1,797 8x8 digit images that scikit-learn ships inside its package, so
nothing is downloaded. The script reads its hyperparameters with
``ml_platform.hyperparameters()``, prints one progress line per epoch and reports the
training loss and the held-out loss and accuracy with ``ml_platform.report()``.

Run it by hand with ``python train.py``, or on the platform from this directory with
``mlp job create digits --script train.py --workdir . --param epochs=5 --follow``.

Exit status: 0 after training, 1 when training diverges, 2 for invalid hyperparameters.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TypeVar

import numpy as np
from convnet import ConvNet, MomentumSGD, cross_entropy
from numpy.typing import NDArray

import ml_platform

DEFAULT_HYPERPARAMETERS: dict[str, object] = {
    "epochs": 20,
    "learning_rate": 0.05,
    "momentum": 0.9,
    "batch_size": 64,
    "channels": 16,
    "hidden_units": 64,
    "test_size": 0.25,
    "seed": 0,
}

# The digits data set: 1,797 images with integer intensities from 0 to 16, in 10 classes.
IMAGE_COUNT = 1797
MAX_PIXEL_VALUE = 16.0
CLASSES = 10
EXIT_DIVERGED = 1
EXIT_INVALID_HYPERPARAMETERS = 2

_T = TypeVar("_T")


class HyperparameterError(ValueError):
    """A hyperparameter is unknown or outside its valid range."""


@dataclass(frozen=True)
class TrainingConfig:
    """Validated hyperparameters; see DEFAULT_HYPERPARAMETERS for the defaults."""

    epochs: int
    learning_rate: float
    momentum: float
    batch_size: int
    channels: int
    hidden_units: int
    test_size: float
    seed: int

    @classmethod
    def from_hyperparameters(cls, values: Mapping[str, object]) -> TrainingConfig:
        """Build a config from merged hyperparameters, rejecting unknown keys and bad ranges."""
        known = [field.name for field in fields(cls)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise HyperparameterError(
                f"Unknown hyperparameter {unknown[0]!r}; use one of {', '.join(known)}."
            )

        config = cls(
            epochs=_typed(values, "epochs", int),
            learning_rate=_typed(values, "learning_rate", float),
            momentum=_typed(values, "momentum", float),
            batch_size=_typed(values, "batch_size", int),
            channels=_typed(values, "channels", int),
            hidden_units=_typed(values, "hidden_units", int),
            test_size=_typed(values, "test_size", float),
            seed=_typed(values, "seed", int),
        )
        at_least_one = "an integer of at least 1"
        checks = [
            ("epochs", config.epochs >= 1, at_least_one),
            ("learning_rate", 0 < config.learning_rate < math.inf, "a positive finite number"),
            ("momentum", 0 <= config.momentum < 1, "a number from 0 to below 1"),
            ("batch_size", config.batch_size >= 1, at_least_one),
            ("channels", config.channels >= 1, at_least_one),
            ("hidden_units", config.hidden_units >= 1, at_least_one),
            ("test_size", 0 < config.test_size < 1, "a number between 0 and 1"),
            # scikit-learn accepts seeds from 0 to 2**32 - 1.
            ("seed", 0 <= config.seed < 2**32, "an integer from 0 to 4294967295"),
        ]
        for key, valid, expected in checks:
            if not valid:
                raise HyperparameterError(
                    f"Invalid hyperparameter {key}={getattr(config, key)!r}: expected {expected}; "
                    f"set it, for example, to the default {DEFAULT_HYPERPARAMETERS[key]!r}."
                )

        # A stratified split needs at least one image of each class on both sides.
        test_count = math.ceil(config.test_size * IMAGE_COUNT)
        if min(test_count, IMAGE_COUNT - test_count) < CLASSES:
            raise HyperparameterError(
                f"Invalid hyperparameter test_size={config.test_size!r}: it leaves {test_count} "
                f"of {IMAGE_COUNT} images for testing, and each set needs at least {CLASSES}; "
                f"choose a value such as the default {DEFAULT_HYPERPARAMETERS['test_size']!r}."
            )
        return config


def _typed(values: Mapping[str, object], key: str, kind: type[_T]) -> _T:
    """Return ``values[key]``, which ml_platform.hyperparameters() converted to ``kind``."""
    value = values[key]
    if not isinstance(value, kind):
        raise TypeError(
            f"Invalid hyperparameter {key}={value!r}: expected {kind.__name__}; "
            f"set it, for example, to the default {DEFAULT_HYPERPARAMETERS[key]!r}."
        )
    return value


Dataset = tuple[NDArray[np.float32], NDArray[np.int64], NDArray[np.float32], NDArray[np.int64]]


def load_dataset(config: TrainingConfig) -> Dataset:
    """Return the training and held-out images and labels, split stratified by class."""
    # Imported here rather than at the top, because importing scikit-learn takes about 2 s
    # on an idle 2-core machine and invalid hyperparameters should be reported at once.
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.images / MAX_PIXEL_VALUE).astype(np.float32)[..., np.newaxis]
    labels = digits.target.astype(np.int64)
    train_images, test_images, train_labels, test_labels = train_test_split(
        images, labels, test_size=config.test_size, random_state=config.seed, stratify=labels
    )
    return train_images, train_labels, test_images, test_labels


def train_epoch(
    model: ConvNet,
    optimizer: MomentumSGD,
    images: NDArray[np.float32],
    labels: NDArray[np.int64],
    *,
    batch_size: int,
    rng: np.random.Generator,
) -> float:
    """Run one pass over the shuffled training set and return the mean training loss."""
    order = rng.permutation(len(labels))
    total_loss = 0.0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        loss, grads = model.loss_and_gradients(images[batch], labels[batch])
        optimizer.step(grads)
        total_loss += loss * len(batch)
    return total_loss / len(labels)


def evaluate(
    model: ConvNet, images: NDArray[np.float32], labels: NDArray[np.int64]
) -> tuple[float, float]:
    """Return the mean loss and the accuracy on held-out images."""
    logits = model.logits(images)
    loss, _ = cross_entropy(logits, labels)
    accuracy = float((logits.argmax(axis=1) == labels).mean())
    return loss, accuracy


def main() -> int:
    """Train the network, report every epoch and return the exit status."""
    try:
        config = TrainingConfig.from_hyperparameters(
            ml_platform.hyperparameters(DEFAULT_HYPERPARAMETERS)
        )
    except (OSError, TypeError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return EXIT_INVALID_HYPERPARAMETERS

    train_images, train_labels, test_images, test_labels = load_dataset(config)

    print(
        f"training on {len(train_labels)} images, testing on {len(test_labels)}: {config}",
        flush=True,
    )
    rng = np.random.default_rng(config.seed)
    model = ConvNet(
        image_size=train_images.shape[1],
        channels=config.channels,
        hidden_units=config.hidden_units,
        classes=CLASSES,
        rng=rng,
    )
    optimizer = MomentumSGD(
        model.params, learning_rate=config.learning_rate, momentum=config.momentum
    )

    accuracy = 0.0
    for epoch in range(1, config.epochs + 1):
        # Diverging weights overflow float32. The loss check below reports that in place of
        # NumPy's overflow warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            loss = train_epoch(
                model,
                optimizer,
                train_images,
                train_labels,
                batch_size=config.batch_size,
                rng=rng,
            )
            val_loss, accuracy = evaluate(model, test_images, test_labels)
        print(
            f"epoch {epoch}/{config.epochs} loss={loss:.4f} val_loss={val_loss:.4f} "
            f"accuracy={accuracy:.4f}",
            flush=True,
        )
        ml_platform.report(epoch=epoch, loss=loss, val_loss=val_loss, accuracy=accuracy)

        if not math.isfinite(loss):
            print(
                f"error: training diverged in epoch {epoch} (loss={loss}); lower "
                f"learning_rate={config.learning_rate!r}, for example to the default "
                f"{DEFAULT_HYPERPARAMETERS['learning_rate']!r}.",
                file=sys.stderr,
                flush=True,
            )
            return EXIT_DIVERGED

    print(f"final accuracy={accuracy:.4f} on {len(test_labels)} held-out images", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
