"""A training loop in miniature: read hyperparameters, report metrics each epoch."""

import math

import ml_platform

params = ml_platform.hyperparameters({"epochs": 3, "learning_rate": 0.5})

loss = 1.0
for epoch in range(1, params["epochs"] + 1):
    loss *= 1 - params["learning_rate"]
    accuracy = 1 - loss / 2
    print(f"epoch {epoch}: loss={loss:.3f} accuracy={accuracy:.3f}")
    ml_platform.report(epoch=epoch, loss=loss, accuracy=accuracy)

if not math.isfinite(loss):
    raise SystemExit("loss diverged")
