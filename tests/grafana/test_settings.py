"""Where Grafana is and how to authenticate: flags, environment, project file."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from metricsctl.grafana.settings import (
    ConnectionSettings,
    Credentials,
    SettingsError,
    display_url,
    resolve_url,
    tls_verification,
)


def test_the_flag_wins_over_the_environment_which_wins_over_the_project_file() -> None:
    env = {"GRAFANA_URL": "https://env.example.com"}
    assert resolve_url("https://flag.example.com", env, "https://file.example.com") == \
        "https://flag.example.com"
    assert resolve_url(None, env, "https://file.example.com") == "https://env.example.com"
    assert resolve_url(None, {}, "https://file.example.com/") == "https://file.example.com"


def test_a_sub_path_is_kept_without_its_trailing_slash() -> None:
    assert resolve_url("https://example.com/grafana/", {}, None) == "https://example.com/grafana"


@pytest.mark.parametrize(("url", "message"), [
    ("grafana.example.com", "is not an http:// or https:// URL"),
    ("ftp://grafana", "is not an http:// or https:// URL"),
    ("https://", "is not an http:// or https:// URL"),
    ("https://admin:s3cret@grafana", "do not put credentials in the URL"),
    ("https://grafana/?orgId=2", "takes no query or fragment"),
])
def test_bad_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as raised:
        resolve_url(url, {}, None)
    assert "s3cret" not in str(raised.value)


def test_no_url_anywhere() -> None:
    with pytest.raises(SettingsError, match="no Grafana URL"):
        resolve_url(None, {"GRAFANA_URL": "  "}, None)


def test_display_url_drops_user_info() -> None:
    assert display_url("https://u:p@grafana:3000/x") == "https://grafana:3000/x"


def test_a_token_wins_over_user_and_password() -> None:
    env = {"GRAFANA_TOKEN": " glsa_abc ", "GRAFANA_USER": "u", "GRAFANA_PASSWORD": "p"}
    assert Credentials.from_environment(env) == Credentials(token="glsa_abc")
    assert Credentials.from_environment({"GRAFANA_TOKEN": " ", "GRAFANA_USER": "u",
                                         "GRAFANA_PASSWORD": "p"}) == Credentials(
        user="u", password="p")


@pytest.mark.parametrize(("env", "message"), [
    ({}, "no Grafana credentials: set GRAFANA_TOKEN"),
    ({"GRAFANA_USER": "u"}, "GRAFANA_PASSWORD is not set"),
    ({"GRAFANA_PASSWORD": "p"}, "GRAFANA_USER is not set"),
])
def test_missing_credentials(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Credentials.from_environment(env)


def test_secrets_stay_out_of_reprs_and_descriptions() -> None:
    token = Credentials(token="glsa_top_secret")
    basic = Credentials(user="bob", password="hunter2")
    for credentials, secret in ((token, "glsa_top_secret"), (basic, "hunter2")):
        assert secret not in repr(credentials)
        assert secret not in credentials.describe()
        settings = ConnectionSettings("https://grafana", credentials)
        assert secret not in repr(settings)
        assert credentials.redact(f"x {secret} y") == "x *** y"
    assert basic.describe() == "user 'bob' (GRAFANA_USER/GRAFANA_PASSWORD)"


def test_tls_is_verified_unless_told_otherwise(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("pem\n")
    assert tls_verification(None, False) is True
    assert tls_verification(ca, False) == str(ca)
    assert tls_verification(None, True) is False
    with pytest.raises(SettingsError, match="contradict"):
        tls_verification(ca, True)
    with pytest.raises(SettingsError, match="is not a file"):
        tls_verification(tmp_path / "missing.pem", False)


def test_the_timeout_must_be_positive() -> None:
    with pytest.raises(SettingsError, match="--timeout"):
        ConnectionSettings("https://grafana", Credentials(token="t"), timeout=0)


@pytest.mark.parametrize(("env", "message"), [
    ({"GRAFANA_TOKEN": "glsa_“quoted”"}, "GRAFANA_TOKEN cannot be sent to Grafana: it contains "
                                         "a character outside Latin-1 at position 6"),
    ({"GRAFANA_TOKEN": "glsa_ok\nX-Injected: 1"}, "GRAFANA_TOKEN cannot be sent to Grafana: it "
                                                  "contains a control character at position 8"),
    ({"GRAFANA_USER": "a:b", "GRAFANA_PASSWORD": "p"}, "GRAFANA_USER cannot contain `:`"),
    ({"GRAFANA_USER": "a", "GRAFANA_PASSWORD": "p\r\n"}, "GRAFANA_PASSWORD contains a control "
                                                         "character"),
])
def test_credentials_that_cannot_be_sent_are_usage_errors(env: dict[str, str],
                                                          message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Credentials.from_environment(env)
    assert str(raised.value).startswith(message)
    assert "quoted" not in str(raised.value) and "Injected" not in str(raised.value)


def test_basic_auth_is_utf8_and_every_form_of_a_secret_is_redacted() -> None:
    basic = Credentials(user="bob", password="pässwört")
    header = basic.authorization()
    assert header == "Basic " + base64.b64encode("bob:pässwört".encode()).decode()
    assert basic.redact(f"echo {header}") == "echo Basic ***"
    assert Credentials(token="glsa_x1").authorization() == "Bearer glsa_x1"
