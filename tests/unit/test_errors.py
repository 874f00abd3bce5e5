"""Error statuses and unusable 200 answers map to typed errors carrying the AIML error body."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
)

from .conftest import completion_response, error_response

PATH = "/v1/chat/completions"


@pytest.mark.parametrize(
    ("status", "error_class", "message"),
    [
        (400, BadRequestError, "Body validation error: Invalid enum value. Expected 'user', received 'bot'"),
        (401, AuthenticationError, "Invalid API key"),
        (403, PermissionDeniedError, "No credits left"),
        (404, NotFoundError, "Cannot POST /v1/chat/completion"),
        (429, RateLimitError, "Too many requests"),
        (500, InternalServerError, "Internal server error"),
        (503, InternalServerError, "Upstream provider unavailable"),
    ],
)
async def test_status_maps_to_error_with_body_fields(
    make_api: Any, router: respx.MockRouter, status: int, error_class: type[APIStatusError], message: str
) -> None:
    """Each status raises its class with status, message, requestId, path, statusCode and timestamp parsed."""
    api = make_api(max_retries=0)
    router.post(PATH).mock(return_value=error_response(status, message, **{"x-inference-id": "inf-err"}))
    with pytest.raises(error_class) as caught:
        await api.create()
    error = caught.value
    assert error.status_code == status
    assert error.error_message == message
    assert error.request_id == "req-42"
    assert error.path == "/v1/chat/completions"
    assert error.error_status_code == status
    assert error.timestamp == "2026-11-25T20:00:00.000Z"
    assert error.inference_id == "inf-err"
    assert error.raw_text is None
    assert error.retries == 0
    assert message in str(error)


async def test_status_code_sent_as_string_is_read_as_int(make_api: Any, router: respx.MockRouter) -> None:
    """`statusCode: "429"` (a string, as the API sometimes sends it) becomes the int 429."""
    api = make_api(max_retries=0)
    router.post(PATH).mock(return_value=error_response(429, "slow down", status_field="429"))
    with pytest.raises(RateLimitError) as caught:
        await api.create()
    assert caught.value.error_status_code == 429
    assert caught.value.body["statusCode"] == "429"


async def test_html_502_keeps_raw_text(make_api: Any, router: respx.MockRouter) -> None:
    """A 502 HTML page from a proxy raises InternalServerError with the page as raw_text and no body."""
    api = make_api(max_retries=0)
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
    router.post(PATH).mock(return_value=httpx.Response(502, text=page, headers={"content-type": "text/html"}))
    with pytest.raises(InternalServerError) as caught:
        await api.create()
    assert caught.value.status_code == 502
    assert caught.value.body is None
    assert caught.value.raw_text == page
    assert caught.value.error_message is None
    assert "502 Bad Gateway" in str(caught.value)


async def test_504_with_empty_body(make_api: Any, router: respx.MockRouter) -> None:
    """A 504 with an empty body raises InternalServerError saying the body was empty."""
    api = make_api(max_retries=0)
    router.post(PATH).mock(return_value=httpx.Response(504))
    with pytest.raises(InternalServerError) as caught:
        await api.create()
    assert caught.value.status_code == 504
    assert caught.value.raw_text == ""
    assert "empty body" in str(caught.value)


async def test_redirect_is_not_followed_by_default(api: Any, router: respx.MockRouter) -> None:
    """The client Grok makes follows no redirect: a 307 is an APIStatusError and the Location is never called."""
    router.post(PATH).mock(return_value=httpx.Response(307, headers={"location": "/v1/elsewhere"}))
    other = router.post("/v1/elsewhere").mock(return_value=completion_response())
    with pytest.raises(APIStatusError) as caught:
        await api.create()
    assert caught.value.status_code == 307
    assert other.call_count == 0
    assert len(router.calls) == 1


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(200, text="<html>oops</html>", headers={"content-type": "text/html"}), "not JSON"),
        (httpx.Response(200, content=b""), "not JSON"),
        (httpx.Response(200, json=[1, 2]), "JSON list, not an object"),
        (httpx.Response(200, json={"object": "list", "data": []}), "`object` is 'list'"),
        (httpx.Response(200, json={"error": {"message": "upstream failed"}}), "neither `object` nor `choices`"),
    ],
)
async def test_200_that_is_not_a_completion(
    api: Any, router: respx.MockRouter, response: httpx.Response, reason: str
) -> None:
    """A 200 whose body is not JSON, not an object or not a completion raises ResponseValidationError (no retry)."""
    route = router.post(PATH).mock(return_value=response)
    with pytest.raises(ResponseValidationError, match=reason) as caught:
        await api.create()
    assert caught.value.response.status_code == 200
    assert caught.value.raw_text == response.text
    assert route.call_count == 1


async def test_unusable_200_still_counts_its_cost(api: Any, router: respx.MockRouter) -> None:
    """A 200 that cannot be parsed but carries cost headers is still added to the totals (it was charged)."""
    bad = httpx.Response(200, text="not json", headers={"x-aimlapi-credits-used": "5", "x-aimlapi-usd-spent": "0.5"})
    router.post(PATH).mock(return_value=bad)
    with pytest.raises(ResponseValidationError):
        await api.create()
    assert api.client.total_credits_used == 5
    assert str(api.client.total_usd_spent) == "0.5"
