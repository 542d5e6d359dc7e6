"""A small convolutional network for square grayscale images, written out in NumPy.

The layers are a 3x3 convolution with ``channels`` filters and a 3x3 convolution with
``2 * channels`` filters, each followed by ReLU, then 2x2 max pooling, a fully connected
hidden layer with ReLU and a linear output layer. Both convolutions pad with zeros so that
the image keeps its size. The logits feed a softmax cross-entropy loss. Images are arrays
of shape (batch, height, width, 1) with an even height and width.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.floating]


@dataclass
class _Cache:
    """Intermediate values of a forward pass that the backward pass needs."""

    columns1: Array
    activations1: Array
    columns2: Array
    activations2: Array
    pool_indices: NDArray[np.intp]
    flat: Array
    hidden: Array


class ConvNet:
    """A two-convolution network with its parameters in ``params``.

    Args:
        image_size: The height and width of the input images, an even number.
        channels: The number of filters of the first convolution; the second has twice as many.
        hidden_units: The width of the fully connected hidden layer.
        classes: The number of output classes.
        rng: The generator for the initial weights.
        dtype: The floating-point type of parameters and activations.
    """

    def __init__(
        self,
        *,
        image_size: int,
        channels: int,
        hidden_units: int,
        classes: int,
        rng: np.random.Generator,
        dtype: type[np.floating] = np.float32,
    ) -> None:
        self.image_size = image_size
        self.channels = channels
        pooled_features = (image_size // 2) ** 2 * 2 * channels
        shapes = {
            "conv1": (9, channels),
            "conv2": (9 * channels, 2 * channels),
            "hidden": (pooled_features, hidden_units),
            "output": (hidden_units, classes),
        }
        self.params: dict[str, Array] = {}
        for name, (fan_in, fan_out) in shapes.items():
            # He initialisation keeps the variance of ReLU activations roughly constant.
            scale = np.sqrt(2.0 / fan_in)
            self.params[f"{name}.weight"] = (rng.standard_normal((fan_in, fan_out)) * scale).astype(
                dtype
            )
            self.params[f"{name}.bias"] = np.zeros(fan_out, dtype=dtype)

    def logits(self, images: Array) -> Array:
        """Return the unnormalised class scores, shape (batch, classes)."""
        return self._forward(images)[0]

    def loss_and_gradients(
        self, images: Array, labels: NDArray[np.integer]
    ) -> tuple[float, dict[str, Array]]:
        """Return the mean cross-entropy loss on a batch and its gradient for each parameter."""
        logits, cache = self._forward(images)
        loss, d_logits = cross_entropy(logits, labels)
        return loss, self._backward(d_logits, cache)

    def _forward(self, images: Array) -> tuple[Array, _Cache]:
        params = self.params
        batch, size = images.shape[0], self.image_size
        half = size // 2

        columns1 = _image_to_columns(images)
        activations1 = np.maximum(columns1 @ params["conv1.weight"] + params["conv1.bias"], 0)
        activations1 = activations1.reshape(batch, size, size, -1)

        columns2 = _image_to_columns(activations1)
        activations2 = np.maximum(columns2 @ params["conv2.weight"] + params["conv2.bias"], 0)
        activations2 = activations2.reshape(batch, size, size, -1)

        # Gather each 2x2 window into the last axis: (batch, half, half, channels, 4).
        windows = _pool_windows(activations2)
        pool_indices = windows.argmax(axis=-1)
        pooled = np.take_along_axis(windows, pool_indices[..., None], axis=-1)[..., 0]
        flat = pooled.reshape(batch, half * half * activations2.shape[-1])

        hidden = np.maximum(flat @ params["hidden.weight"] + params["hidden.bias"], 0)
        logits = hidden @ params["output.weight"] + params["output.bias"]
        cache = _Cache(columns1, activations1, columns2, activations2, pool_indices, flat, hidden)
        return logits, cache

    def _backward(self, d_logits: Array, cache: _Cache) -> dict[str, Array]:
        params = self.params
        batch, size = d_logits.shape[0], self.image_size
        half = size // 2
        channels2 = cache.activations2.shape[-1]
        grads: dict[str, Array] = {}

        grads["output.weight"] = cache.hidden.T @ d_logits
        grads["output.bias"] = d_logits.sum(axis=0)
        d_hidden = (d_logits @ params["output.weight"].T) * (cache.hidden > 0)

        grads["hidden.weight"] = cache.flat.T @ d_hidden
        grads["hidden.bias"] = d_hidden.sum(axis=0)
        d_pooled = (d_hidden @ params["hidden.weight"].T).reshape(batch, half, half, channels2)

        # Max pooling passes each gradient to the position that held the window's maximum.
        d_windows = np.zeros((batch, half, half, channels2, 4), dtype=d_logits.dtype)
        np.put_along_axis(d_windows, cache.pool_indices[..., None], d_pooled[..., None], axis=-1)
        d_activations2 = _unpool_windows(d_windows)

        d_conv2 = (d_activations2 * (cache.activations2 > 0)).reshape(batch * size * size, -1)
        grads["conv2.weight"] = cache.columns2.T @ d_conv2
        grads["conv2.bias"] = d_conv2.sum(axis=0)
        d_activations1 = _columns_to_image(
            d_conv2 @ params["conv2.weight"].T, cache.activations1.shape
        )

        d_conv1 = (d_activations1 * (cache.activations1 > 0)).reshape(batch * size * size, -1)
        grads["conv1.weight"] = cache.columns1.T @ d_conv1
        grads["conv1.bias"] = d_conv1.sum(axis=0)
        return grads


class MomentumSGD:
    """Stochastic gradient descent with classical momentum.

    Args:
        params: The parameters to update in place.
        learning_rate: The step size.
        momentum: The fraction of the previous update carried into the next, from 0 to below 1.
    """

    def __init__(self, params: dict[str, Array], *, learning_rate: float, momentum: float) -> None:
        self.params = params
        self.learning_rate = learning_rate
        self.momentum = momentum
        self._velocity = {name: np.zeros_like(value) for name, value in params.items()}

    def step(self, grads: dict[str, Array]) -> None:
        """Update every parameter in place from its gradient."""
        for name, value in self.params.items():
            velocity = self._velocity[name]
            velocity *= self.momentum
            velocity -= self.learning_rate * grads[name]
            value += velocity


def cross_entropy(logits: Array, labels: NDArray[np.integer]) -> tuple[float, Array]:
    """Return the mean softmax cross-entropy and its gradient with respect to the logits."""
    batch = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -float(log_probabilities[np.arange(batch), labels].mean())

    d_logits = np.exp(log_probabilities)
    d_logits[np.arange(batch), labels] -= 1
    d_logits /= batch
    return loss, d_logits


def _image_to_columns(images: Array) -> Array:
    """Unfold every 3x3 neighbourhood into a row: (batch * height * width, 9 * channels).

    Zero padding of one pixel keeps the output the same size as the input.
    """
    batch, height, width, channels = images.shape
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)))
    shifted = [padded[:, i : i + height, j : j + width, :] for i in range(3) for j in range(3)]
    return np.stack(shifted, axis=3).reshape(batch * height * width, 9 * channels)


def _columns_to_image(columns: Array, shape: tuple[int, ...]) -> Array:
    """Sum the gradients of the unfolded rows back onto the pixels they came from."""
    batch, height, width, channels = shape
    unfolded = columns.reshape(batch, height, width, 9, channels)
    padded = np.zeros((batch, height + 2, width + 2, channels), dtype=columns.dtype)
    for offset in range(9):
        i, j = divmod(offset, 3)
        padded[:, i : i + height, j : j + width, :] += unfolded[:, :, :, offset, :]
    return padded[:, 1:-1, 1:-1, :]


def _pool_windows(images: Array) -> Array:
    """Rearrange (batch, h, w, c) into 2x2 windows: (batch, h / 2, w / 2, c, 4)."""
    batch, height, width, channels = images.shape
    blocks = images.reshape(batch, height // 2, 2, width // 2, 2, channels)
    return blocks.transpose(0, 1, 3, 5, 2, 4).reshape(batch, height // 2, width // 2, channels, 4)


def _unpool_windows(windows: Array) -> Array:
    """Invert `_pool_windows`: (batch, h / 2, w / 2, c, 4) back to (batch, h, w, c)."""
    batch, half_height, half_width, channels, _ = windows.shape
    blocks = windows.reshape(batch, half_height, half_width, channels, 2, 2)
    return blocks.transpose(0, 1, 4, 2, 5, 3).reshape(
        batch, 2 * half_height, 2 * half_width, channels
    )
