"""Settings resolve defaults < config file < environment < flags into one frozen object."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from loyapro_mock.mockserver.http.settings import (
    DOCS_SAMPLE_TOKEN,
    MAX_BODY_BYTES,
    Settings,
    SettingsError,
    StaticToken,
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "mock.yaml"
    path.write_text(
        "port: 9000\n"
        "host: 0.0.0.0\n"
        "lenient: true\n"
        "secret: from-the-config-file-and-long-enough\n"
        "tokens:\n"
        "  - {token: till-1, pos: foodics, businesses: [440810]}\n"
        "  - {token: till-2, pos: marn}\n"
        "programs:\n"
        "  '440810': {stamps: {threshold: 5}}\n",
        encoding="utf-8",
    )
    return path


def test_defaults(tmp_path: Path) -> None:
    settings = Settings.resolve(env={"XDG_DATA_HOME": str(tmp_path)})
    assert (settings.host, settings.port, settings.lenient) == ("127.0.0.1", 8080, False)
    assert settings.max_body_bytes == MAX_BODY_BYTES == 1024 * 1024
    assert settings.db == str(tmp_path / "loyapro-mock" / "loyapro-mock.db")
    assert settings.demo is True


def test_config_file_overrides_defaults(config: Path) -> None:
    settings = Settings.resolve(config_file=config, env={})
    assert (settings.host, settings.port, settings.lenient) == ("0.0.0.0", 9000, True)
    assert settings.secret == "from-the-config-file-and-long-enough"
    assert settings.static_tokens == (
        StaticToken("till-1", "foodics", frozenset({"440810"})),
        StaticToken("till-2", "marn", None),
    )
    assert settings.programs == {"440810": {"stamps": {"threshold": 5}}}
    assert settings.config_file == config


def test_environment_overrides_the_config_file(config: Path) -> None:
    env = {
        "LOYAPRO_MOCK_CONFIG": str(config),
        "LOYAPRO_MOCK_PORT": "9100",
        "LOYAPRO_MOCK_LENIENT": "no",
        "LOYAPRO_MOCK_DB": ":memory:",
    }
    settings = Settings.resolve(env=env)
    assert (settings.port, settings.lenient, settings.db) == (9100, False, ":memory:")
    assert settings.host == "0.0.0.0"


def test_flags_override_the_environment(config: Path) -> None:
    env = {"LOYAPRO_MOCK_PORT": "9100", "LOYAPRO_MOCK_HOST": "::1"}
    settings = Settings.resolve(config_file=config, env=env, port=9200, host=None)
    assert settings.port == 9200
    assert settings.host == "::1"


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().port = 1  # type: ignore[misc]


def test_demo_adds_the_docs_sample_token_for_foodics() -> None:
    tokens = Settings().all_static_tokens()
    assert StaticToken(DOCS_SAMPLE_TOKEN, "foodics") in tokens
    assert Settings(demo=False).all_static_tokens() == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour: blue\n", "unknown setting 'colour'"),
        ("port: many\n", "expected int"),
        ("lenient: perhaps\n", "expected true or false"),
        ("tokens: {a: 1}\n", "'tokens' must be a list"),
        ("tokens: [{token: x}]\n", "tokens[0] needs 'token' and 'pos'"),
        ("- 1\n", "must hold a mapping"),
        ("port: [\n", "not valid YAML"),
    ],
)
def test_bad_config_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message.replace("[", r"\[").replace("(", r"\(")):
        Settings.resolve(config_file=path, env={})


def test_bad_environment_and_ranges_are_errors() -> None:
    with pytest.raises(SettingsError, match="LOYAPRO_MOCK_PORT"):
        Settings.resolve(env={"LOYAPRO_MOCK_PORT": "eighty"})
    with pytest.raises(SettingsError, match="between 0 and 65535"):
        Settings.resolve(env={}, port=70000)
    with pytest.raises(SettingsError, match="cannot read config file"):
        Settings.resolve(config_file="/nonexistent/mock.yaml", env={})
