"""Credentials never shown: every form they take on the wire is redacted from server text."""

from __future__ import annotations

import base64
import json

import pytest

from metricsctl.grafana.redaction import header_safe_problem, redact, secret_forms

TOKEN = "glsa_r3dact10nTest_9f8e7d"


def test_the_token_and_its_bearer_header_are_redacted() -> None:
    text = f"bad request (headers: Authorization: Bearer {TOKEN}; Accept: */*) token={TOKEN}"
    assert redact(text, secret_forms(token=TOKEN)) == (
        "bad request (headers: Authorization: Bearer ***; Accept: */*) token=***")


def test_the_password_and_the_basic_auth_header_are_redacted() -> None:
    header = base64.b64encode(b"bob:hunter2-pw").decode()
    forms = secret_forms(user="bob", password="hunter2-pw")
    assert header in forms and header.rstrip("=") in forms
    echoed = f'{{"authorization": "Basic {header}", "note": "pw hunter2-pw"}}'
    assert redact(echoed, forms) == '{"authorization": "Basic ***", "note": "pw ***"}'
    # Unpadded and in the middle of other text (an access log line).
    assert redact(f"auth={header.rstrip('=')}!", forms) == "auth=***!"


def test_a_utf8_password_is_redacted_in_its_utf8_basic_form() -> None:
    header = base64.b64encode("bob:pässwört".encode()).decode()
    assert redact(f"echo {header}", secret_forms(user="bob", password="pässwört")) == "echo ***"


def test_url_encoded_secrets_are_redacted() -> None:
    token = "glsa_with/slash+plus"
    forms = secret_forms(token=token)
    assert redact("GET /x?token=glsa_with%2Fslash%2Bplus", forms) == "GET /x?token=***"


@pytest.mark.parametrize("text", [
    "Authorization: Bearer someone-elses-token-1234",
    "authorization=opaque-value",
    "proxy said: bearer abcdefgh12345678",
])
def test_any_authorization_value_is_redacted_even_an_unknown_one(text: str) -> None:
    assert "***" in redact(text, ())
    assert not any(word in redact(text, ()) for word in ("someone", "opaque", "abcdefgh"))


def test_prose_is_left_alone() -> None:
    text = "Basic auth needs a user; the bearer of bad news; authorization failed"
    assert redact(text, ()) == text


def test_header_safe_problem_names_the_position_not_the_character() -> None:
    assert header_safe_problem("glsa_ok_token") is None
    assert header_safe_problem("latin-1 é is sendable") is None
    problem = header_safe_problem("glsa_“quoted”")
    assert problem is not None and "position 6" in problem and "“" not in problem
    assert "control character at position 3" in (header_safe_problem("ab\ncd") or "")


def test_secrets_written_inside_json_strings_are_redacted() -> None:
    password = 'pa"ss\\wörd'
    document = json.dumps({"echo": f"password={password}"})
    assert password not in document  # JSON escaped it
    assert json.loads(redact(document, secret_forms(user="u", password=password))) == {
        "echo": "password=***"}
