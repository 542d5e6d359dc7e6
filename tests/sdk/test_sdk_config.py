"""Configuration precedence, profiles, config files, saving and warnings."""

from __future__ import annotations

import itertools
import stat
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from ml_platform import ConfigError, InsecureTransportWarning, MLPlatformClient
from ml_platform._config import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    resolve_config,
    save_profile,
)

KEY_PARAMETER = "mlp_" + "p" * 40
KEY_ENVIRONMENT = "mlp_" + "e" * 40
KEY_PROFILE = "mlp_" + "f" * 40

# For each setting: the resolve_config parameter, the environment variable, the profile key,
# a value for each source, the default and how the resolved value is read back.
SETTINGS: dict[str, dict[str, Any]] = {
    "base_url": {
        "env": "ML_PLATFORM_URL",
        "profile_key": "url",
        "values": ("http://127.0.0.1:1001", "http://127.0.0.1:1002", "http://127.0.0.1:1003"),
        "default": DEFAULT_BASE_URL,
    },
    "api_key": {
        "env": "ML_PLATFORM_API_KEY",
        "profile_key": "api_key",
        "values": (KEY_PARAMETER, KEY_ENVIRONMENT, KEY_PROFILE),
        "default": None,
    },
    "timeout": {
        "env": "ML_PLATFORM_TIMEOUT",
        "profile_key": "timeout",
        "values": (11.0, "12.5", 13),
        "default": DEFAULT_TIMEOUT,
    },
}


def resolved(setting: str, raw: object) -> object:
    """Return the value a raw setting resolves to: time-outs become floats."""
    return float(str(raw)) if setting == "timeout" else raw


def write_config(path: Path, document: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("setting", sorted(SETTINGS))
@pytest.mark.parametrize(
    ("from_parameter", "from_environment", "from_profile"),
    list(itertools.product([True, False], repeat=3)),
)
def test_precedence_every_combination(
    tmp_path: Path,
    setting: str,
    from_parameter: bool,
    from_environment: bool,
    from_profile: bool,
) -> None:
    spec = SETTINGS[setting]
    parameter_value, environment_value, profile_value = spec["values"]
    config_file = write_config(
        tmp_path / "config.yaml",
        {
            "default_profile": "main",
            "profiles": {"main": {spec["profile_key"]: profile_value} if from_profile else {}},
        },
    )
    environ = {"ML_PLATFORM_CONFIG": str(config_file)}
    if from_environment:
        environ[spec["env"]] = str(environment_value)
    kwargs = {setting: parameter_value} if from_parameter else {}

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = resolve_config(environ=environ, **kwargs)

    value = getattr(config, setting)
    source = config.sources[setting]
    if from_parameter:
        assert value == resolved(setting, parameter_value)
        assert (source.kind, source.detail) == ("parameter", setting)
    elif from_environment:
        assert value == resolved(setting, environment_value)
        assert (source.kind, source.detail) == ("environment", spec["env"])
    elif from_profile:
        assert value == resolved(setting, profile_value)
        assert source.kind == "config file"
        assert "profile 'main'" in str(source)
        assert str(config_file) in str(source)
    else:
        assert value == spec["default"]
        assert source.kind == "default"


def test_profile_selection_order(tmp_path: Path) -> None:
    config_file = write_config(
        tmp_path / "config.yaml",
        {
            "default_profile": "from-file",
            "profiles": {
                "from-file": {"url": "http://127.0.0.1:1"},
                "from-env": {"url": "http://127.0.0.1:2"},
                "from-param": {"url": "http://127.0.0.1:3"},
            },
        },
    )
    environ = {"ML_PLATFORM_CONFIG": str(config_file)}

    assert resolve_config(environ=environ).profile == "from-file"
    environ["ML_PLATFORM_PROFILE"] = "from-env"
    by_env = resolve_config(environ=environ)
    assert (by_env.profile, by_env.base_url) == ("from-env", "http://127.0.0.1:2")
    assert str(by_env.sources["profile"]) == "the environment variable ML_PLATFORM_PROFILE"
    by_param = resolve_config(profile="from-param", environ=environ)
    assert (by_param.profile, by_param.base_url) == ("from-param", "http://127.0.0.1:3")
    assert by_param.sources["profile"].kind == "parameter"


def test_profile_named_default_used_without_default_profile(tmp_path: Path) -> None:
    config_file = write_config(
        tmp_path / "config.yaml", {"profiles": {"default": {"url": "http://127.0.0.1:9"}}}
    )
    config = resolve_config(config_file=config_file, environ={})
    assert config.profile == "default"
    assert config.base_url == "http://127.0.0.1:9"


def test_config_file_parameter_beats_environment(tmp_path: Path) -> None:
    by_env = write_config(tmp_path / "env.yaml", {"profiles": {"default": {"timeout": 5}}})
    by_param = write_config(tmp_path / "param.yaml", {"profiles": {"default": {"timeout": 7}}})
    environ = {"ML_PLATFORM_CONFIG": str(by_env)}

    assert resolve_config(environ=environ).timeout == 5
    config = resolve_config(config_file=by_param, environ=environ)
    assert config.timeout == 7
    assert config.config_file == by_param
    assert config.sources["config_file"].kind == "parameter"


def test_default_config_file_in_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_config(
        home / ".mlplatform" / "config.yaml",
        {"default_profile": "dev", "profiles": {"dev": {"url": "http://127.0.0.1:4"}}},
    )
    config = resolve_config(environ={"HOME": str(home)})
    assert config.base_url == "http://127.0.0.1:4"
    assert config.config_file == home / ".mlplatform" / "config.yaml"
    assert config.sources["config_file"].kind == "default"


def test_missing_default_file_uses_defaults(tmp_path: Path) -> None:
    config = resolve_config(environ={"HOME": str(tmp_path)})
    assert config.base_url == DEFAULT_BASE_URL
    assert config.api_key is None
    assert config.timeout == DEFAULT_TIMEOUT
    assert config.profile is None


def test_missing_named_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"does not exist.*mlp init"):
        resolve_config(environ={"ML_PLATFORM_CONFIG": str(tmp_path / "nope.yaml")})


def test_unknown_profile_raises_with_known_names(tmp_path: Path) -> None:
    config_file = write_config(tmp_path / "c.yaml", {"profiles": {"a": {}, "b": {}}})
    with pytest.raises(ConfigError) as caught:
        resolve_config(config_file=config_file, profile="c", environ={})
    message = str(caught.value)
    assert "'c'" in message
    assert "a, b" in message
    assert "profile parameter" in message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("profiles: [unclosed", "not valid YAML"),
        ("- a list\n", "must contain a mapping"),
        ("profiles: {dev: {url: 'http://127.0.0.1', apikey: x}}\n", "unknown keys ['apikey']"),
        ("profile: {}\n", "unknown top-level keys ['profile']"),
        ("profiles: {dev: 3}\n", "must be a mapping"),
    ],
)
def test_malformed_file_raises(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        resolve_config(config_file=path, environ={})
    assert fragment in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf"])
def test_invalid_timeout_from_environment(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_config(environ={"ML_PLATFORM_TIMEOUT": value, "HOME": "/nonexistent"})
    assert repr(value) in str(caught.value)
    assert "ML_PLATFORM_TIMEOUT" in str(caught.value)


@pytest.mark.parametrize("url", ["127.0.0.1:8000", "ftp://host", "http://", "http://h/?x=1"])
def test_invalid_url_raises(url: str) -> None:
    with pytest.raises(ConfigError, match="server root"):
        resolve_config(base_url=url, environ={"HOME": "/nonexistent"})


def test_url_api_prefix_and_slash_removed() -> None:
    config = resolve_config(base_url="http://127.0.0.1:8000/api/v1/", environ={})
    assert config.base_url == "http://127.0.0.1:8000"
    assert config.api_url == "http://127.0.0.1:8000/api/v1"


@pytest.mark.parametrize(
    "key", ["", "   ", "mlp_with space", "mlp_\nnewline", "mlp_s\u00e9cret_value"]
)
def test_invalid_key_rejected_without_echo(key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_config(api_key=key, environ={})
    if key.strip():
        assert key not in str(caught.value)


def test_key_over_plain_http_to_remote_host_warns() -> None:
    with pytest.warns(InsecureTransportWarning, match="without encryption"):
        resolve_config(api_key=KEY_PARAMETER, base_url="http://ml.example.test", environ={})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://127.1.2.3",
        "http://localhost:8000",
        "http://[::1]:8000",
        "https://ml.example.test",
    ],
)
def test_no_warning_for_loopback_or_https(url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resolve_config(api_key=KEY_PARAMETER, base_url=url, environ={})


def test_no_warning_without_key() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resolve_config(base_url="http://ml.example.test", environ={})


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_readable_config_file_with_key_warns(tmp_path: Path) -> None:
    config_file = write_config(
        tmp_path / "c.yaml", {"profiles": {"default": {"api_key": KEY_PROFILE}}}
    )
    config_file.chmod(0o644)
    with pytest.warns(UserWarning, match=r"chmod 600"):
        resolve_config(config_file=config_file, environ={})


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_save_profile_writes_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "config.yaml"

    written = save_profile(
        "dev", url="http://127.0.0.1:8000", api_key=KEY_PROFILE, timeout=9, config_file=path
    )

    assert written == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [entry.name for entry in path.parent.iterdir()] == ["config.yaml"]
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document == {
        "default_profile": "dev",
        "profiles": {
            "dev": {"url": "http://127.0.0.1:8000", "api_key": KEY_PROFILE, "timeout": 9.0}
        },
    }


def test_save_profile_keeps_other_profiles(tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "config.yaml",
        {"default_profile": "old", "profiles": {"old": {"url": "http://127.0.0.1:1"}}},
    )

    save_profile("new", url="http://127.0.0.1:2", config_file=path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["default_profile"] == "old"
    assert document["profiles"]["old"] == {"url": "http://127.0.0.1:1"}
    assert document["profiles"]["new"] == {"url": "http://127.0.0.1:2"}

    save_profile("new", timeout=3, make_default=True, config_file=path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["default_profile"] == "new"
    assert document["profiles"]["new"] == {"url": "http://127.0.0.1:2", "timeout": 3.0}


def test_saved_profile_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    save_profile("dev", url="http://127.0.0.1:7", api_key=KEY_PROFILE, config_file=path)

    config = resolve_config(environ={"ML_PLATFORM_CONFIG": str(path)})

    assert config.base_url == "http://127.0.0.1:7"
    assert config.api_key == KEY_PROFILE
    assert config.profile == "dev"


def test_save_profile_rejects_invalid_values(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    with pytest.raises(ConfigError):
        save_profile("dev", url="not a url", config_file=path)
    with pytest.raises(ConfigError):
        save_profile(" spaced ", config_file=path)
    assert not path.exists()


def test_describe_names_every_source(tmp_path: Path) -> None:
    config = resolve_config(
        api_key=KEY_PARAMETER,
        environ={"ML_PLATFORM_URL": "http://127.0.0.1:5", "HOME": str(tmp_path)},
    )
    text = config.describe()

    assert "base_url = http://127.0.0.1:5  (the environment variable ML_PLATFORM_URL)" in text
    assert "api_key = ********  (the api_key parameter)" in text
    assert "timeout = 30  (the default)" in text
    assert KEY_PARAMETER not in text


def test_client_config_property_reports_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ML_PLATFORM_URL", "http://127.0.0.1:6")
    monkeypatch.setenv("ML_PLATFORM_TIMEOUT", "4")
    with MLPlatformClient(api_key=KEY_PARAMETER) as client:
        assert client.config.base_url == "http://127.0.0.1:6"
        assert client.config.timeout == 4.0
        assert (
            str(client.config.sources["timeout"]) == "the environment variable ML_PLATFORM_TIMEOUT"
        )
        assert str(client.config.sources["api_key"]) == "the api_key parameter"


@pytest.mark.parametrize("retries", [-1, 1.5, True])
def test_client_rejects_invalid_max_retries(retries: Any) -> None:
    with pytest.raises(ConfigError, match="max_retries"):
        MLPlatformClient(max_retries=retries)
