"""Check the hand-written backward pass of examples/convnet.py against finite differences."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

CONVNET_PATH = Path(__file__).resolve().parents[2] / "examples" / "convnet.py"


@pytest.fixture(scope="module")
def convnet() -> Iterator[ModuleType]:
    """Load examples/convnet.py, which sits beside the training script rather than installed."""
    spec = importlib.util.spec_from_file_location("examples_convnet", CONVNET_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses looks the module up in sys.modules while it builds the cache class.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def _numeric_gradient(
    convnet: ModuleType, model: object, images: np.ndarray, labels: np.ndarray, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return sampled parameter positions and central-difference gradients at them."""
    params = model.params  # type: ignore[attr-defined]
    rng = np.random.default_rng(1)
    flat = params[name].reshape(-1)
    positions = rng.choice(flat.size, size=min(flat.size, 12), replace=False)
    step = 1e-6
    estimates = []
    for position in positions:
        original = flat[position]
        flat[position] = original + step
        loss_up, _ = convnet.cross_entropy(model.logits(images), labels)  # type: ignore[attr-defined]
        flat[position] = original - step
        loss_down, _ = convnet.cross_entropy(model.logits(images), labels)  # type: ignore[attr-defined]
        flat[position] = original
        estimates.append((loss_up - loss_down) / (2 * step))
    return positions, np.array(estimates)


def test_convnet_gradients_match_finite_differences(convnet: ModuleType) -> None:
    rng = np.random.default_rng(0)
    model = convnet.ConvNet(
        image_size=4, channels=2, hidden_units=5, classes=3, rng=rng, dtype=np.float64
    )
    # Non-zero biases keep ReLU inputs away from 0, where the loss has a kink.
    for name, value in model.params.items():
        if name.endswith(".bias"):
            value[...] = rng.uniform(0.05, 0.2, size=value.shape)
    images = rng.uniform(0.0, 1.0, size=(3, 4, 4, 1))
    labels = np.array([0, 2, 1])

    _, grads = model.loss_and_gradients(images, labels)

    assert sorted(grads) == sorted(model.params)
    for name, grad in grads.items():
        assert grad.shape == model.params[name].shape, name
        positions, expected = _numeric_gradient(convnet, model, images, labels, name)
        np.testing.assert_allclose(
            grad.reshape(-1)[positions], expected, rtol=1e-5, atol=1e-8, err_msg=name
        )


def test_convnet_sgd_lowers_loss_on_a_batch(convnet: ModuleType) -> None:
    rng = np.random.default_rng(0)
    model = convnet.ConvNet(image_size=8, channels=4, hidden_units=16, classes=10, rng=rng)
    optimizer = convnet.MomentumSGD(model.params, learning_rate=0.05, momentum=0.9)
    images = rng.uniform(0.0, 1.0, size=(32, 8, 8, 1)).astype(np.float32)
    labels = rng.integers(0, 10, size=32)

    first_loss, _ = model.loss_and_gradients(images, labels)
    for _ in range(30):
        _, grads = model.loss_and_gradients(images, labels)
        optimizer.step(grads)
    last_loss, _ = model.loss_and_gradients(images, labels)

    assert last_loss < first_loss / 2
