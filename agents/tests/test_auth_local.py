"""/auth/v1 of the local stack through the real Python `supabase` client, as the agents sign in.

The agent account (agent@acme.test) signs in with the fixture password, reads itself back,
refreshes (rotation), and sees Supabase Auth's error codes for what it gets wrong.
"""
from __future__ import annotations

import time

import jwt
import pytest
from supabase import Client, create_client
from supabase.lib.client_options import SyncClientOptions
from supabase_auth.errors import AuthApiError

from conftest import FIXTURE_PASSWORD, USERS

AGENT_ID, AGENT_EMAIL = USERS["acme_agent"]


def _client(stack) -> Client:
    return create_client(
        stack.url,
        stack.anon_key,
        options=SyncClientOptions(auto_refresh_token=False, persist_session=False),
    )


@pytest.fixture
def agent(stack) -> Client:
    client = _client(stack)
    client.auth.sign_in_with_password({"email": AGENT_EMAIL, "password": FIXTURE_PASSWORD})
    return client


def test_agent_signs_in_and_gets_an_access_token_with_supabase_claims(stack) -> None:
    response = _client(stack).auth.sign_in_with_password({"email": AGENT_EMAIL, "password": FIXTURE_PASSWORD})

    assert response.user is not None and response.session is not None
    assert response.user.id == AGENT_ID
    assert response.user.email == AGENT_EMAIL
    assert response.user.app_metadata == {"provider": "email", "providers": ["email"]}
    assert response.session.token_type == "bearer"
    claims = jwt.decode(response.session.access_token, stack.jwt_secret, algorithms=["HS256"], audience="authenticated")
    assert claims["sub"] == AGENT_ID
    assert claims["role"] == "authenticated"
    assert claims["email"] == AGENT_EMAIL
    assert claims["iss"] == f"{stack.url}/auth/v1"
    assert claims["exp"] == response.session.expires_at
    assert claims["session_id"]


def test_get_user_returns_the_signed_in_agent(agent: Client) -> None:
    response = agent.auth.get_user()

    assert response is not None
    assert response.user.id == AGENT_ID
    assert response.user.role == "authenticated"


def test_refresh_rotates_the_refresh_token(agent: Client, stack) -> None:
    before = agent.auth.get_session()
    assert before is not None

    refreshed = agent.auth.refresh_session()

    assert refreshed.session is not None
    assert refreshed.session.refresh_token != before.refresh_token
    assert agent.auth.get_user(refreshed.session.access_token).user.id == AGENT_ID
    # The rotated-out token only ever yields the current one again (a retry), never a new branch.
    retry = _client(stack).auth.refresh_session(before.refresh_token)
    assert retry.session is not None
    assert retry.session.refresh_token == refreshed.session.refresh_token


def test_sign_out_revokes_the_refresh_token(agent: Client, stack) -> None:
    session = agent.auth.get_session()
    assert session is not None

    # Local scope: other suites share this stack and may hold their own agent sessions.
    agent.auth.sign_out({"scope": "local"})

    with pytest.raises(AuthApiError) as refused:
        _client(stack).auth.refresh_session(session.refresh_token)
    assert refused.value.code == "refresh_token_not_found"
    assert refused.value.message == "Invalid Refresh Token: Refresh Token Not Found"


def test_wrong_password_is_invalid_credentials(stack) -> None:
    with pytest.raises(AuthApiError) as refused:
        _client(stack).auth.sign_in_with_password({"email": AGENT_EMAIL, "password": "not-the-password"})

    assert refused.value.status == 400
    assert refused.value.code == "invalid_credentials"
    assert refused.value.message == "Invalid login credentials"


def test_expired_access_token_is_refused(stack) -> None:
    now = int(time.time())
    expired = jwt.encode(
        {"sub": AGENT_ID, "role": "authenticated", "aud": "authenticated", "iat": now - 120, "exp": now - 60},
        stack.jwt_secret,
        algorithm="HS256",
    )

    with pytest.raises(AuthApiError) as refused:
        _client(stack).auth.get_user(expired)

    assert refused.value.status == 403
    assert refused.value.code == "bad_jwt"
    assert refused.value.message == (
        "invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired"
    )
