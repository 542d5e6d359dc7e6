"""Tests of pools file loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from ml_platform_server._pools import PoolsFileError, load_cluster_config


def test_defaults_without_file() -> None:
    config = load_cluster_config(None)

    assert config.pools == {"t4": 8, "v100": 4, "a100": 2}
    assert config.cpu_millicores == 32_000
    assert config.memory_bytes == 128 * 1024**3


def test_file_overrides_defaults(tmp_path: Path) -> None:
    path = tmp_path / "pools.yaml"
    path.write_text("pools: {t4: 2, v100: 1}\ncpu: 4.5\nmemory: 16Gi\n")

    config = load_cluster_config(path)

    assert config.pools == {"t4": 2, "v100": 1}
    assert config.cpu_millicores == 4500
    assert config.memory_bytes == 16 * 1024**3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pools: {T4: 1}", "pool name 'T4'"),
        ("pools: {t4: -1}", "GPU count -1"),
        ("pools: {t4: 1.5}", "GPU count 1.5"),
        ("pools: [t4]", "'pools'"),
        ("cpu: -2", "'cpu' -2"),
        ("memory: lots", "'memory' 'lots'"),
        ("gpus: {t4: 1}", "unknown key 'gpus'"),
        ("pools: {t4: [", "not valid YAML"),
        ("- 1", "must be a mapping"),
    ],
)
def test_invalid_files_are_rejected(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "pools.yaml"
    path.write_text(text)

    with pytest.raises(PoolsFileError, match=message.replace("[", r"\[")):
        load_cluster_config(path)


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(PoolsFileError, match="cannot read pools file"):
        load_cluster_config(tmp_path / "missing.yaml")
