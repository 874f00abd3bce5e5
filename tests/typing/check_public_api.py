"""Type-checked by mypy strict (`make lint`), never run: the public API as an app would use it.

Each annotated assignment states the type a call must have; each
`# type: ignore[code]` marks a misuse mypy must reject (mypy strict warns
about an unused ignore, so if the misuse ever type-checked, lint would fail).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from aimlapi_grok import (
    APIConnectionError,
    APIStatusError,
    AsyncGrok,
    AsyncStream,
    BudgetExceededError,
    ChatCompletionResult,
    DriftWarning,
    Grok,
    RateLimitError,
    RequestValidationError,
    Stream,
    StreamError,
    StreamResult,
)
from aimlapi_grok.types import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    NamedFunctionToolChoiceParam,
    Prediction,
    Reasoning,
    ResponseInfo,
    ResponseMeta,
    StreamOptions,
    ToolParam,
    Usage,
    UserMessage,
    UserMessageParam,
)
from aimlapi_grok_api.types import Unset


def every_request_parameter(client: Grok) -> ChatCompletionResult:
    """Each request parameter of the locked spec, typed as generated (tests/package checks the list is complete)."""
    user: UserMessageParam = {"role": "user", "content": [{"type": "text", "text": "hi"}]}
    choice: NamedFunctionToolChoiceParam = {"type": "function", "function": {"name": "lookup"}}
    tool: ToolParam = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    return client.chat.completions.create(
        messages=[user],
        model="x-ai/grok-4-1-fast-reasoning",
        logprobs=True,
        max_completion_tokens=64,
        max_tokens=64,
        parallel_tool_calls=False,
        prediction=Prediction(type_="content", content="Hello"),
        provider="auto",
        reasoning=Reasoning(effort="high"),
        repetition_penalty=None,
        seed=7,
        stream_options=StreamOptions(include_usage=True),
        temperature=0.5,
        tool_choice=choice,
        tools=[tool],
        top_a=0.1,
        top_k=40,
        top_logprobs=3,
        top_p=0.9,
    )


def misspelled_or_mistyped(client: Grok) -> None:
    """What mypy must reject: a misspelled parameter, a value outside an enum, a wrong message shape."""
    # typing: misuse mypy must reject: a misspelt keyword
    client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], top_pp=0.9)  # type: ignore[call-overload]
    # typing: misuse mypy must reject: a value outside the enum
    client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], tool_choice="always")  # type: ignore[call-overload]
    # typing: misuse mypy must reject: an unknown TypedDict key
    bad: UserMessageParam = {"role": "user", "content": "hi", "nmae": "x"}  # type: ignore[typeddict-unknown-key]
    print(bad)


def sync_usage() -> None:
    with Grok(
        api_key="k",
        base_url="https://api.aimlapi.com",
        timeout=httpx.Timeout(30.0),
        max_retries=3,
        http_client=httpx.Client(),
        default_headers={"X-Team": "search"},
        allow_insecure_http=False,
        budget_usd=Decimal("5"),
        deadline=120.0,
    ) as client:
        result: ChatCompletionResult = client.chat.completions.create(
            messages=[{"role": "system", "content": "Be brief."}, UserMessage(content="hi", role="user")],
            model="x-ai/grok-4-1-fast-reasoning",
            temperature=0.2,
            max_tokens=100,
            reasoning={"effort": "low"},
            tool_choice="auto",
            top_logprobs=None,
            client_request_id="order-17",
            max_retries=0,
            timeout=None,
            deadline=30.0,
            extra_headers={"X-Trace": "1"},
            extra_body={"user": "u-1"},
        )
        text: str = result.text
        completion: ChatCompletion = result.completion
        usage: Usage | None = result.usage
        usd: Decimal | None = result.usd_spent
        credits: int | None = result.credits_used
        info: ResponseInfo = result.info
        retries: int = result.retries
        inference_id: str | None = result.inference_id
        finish: str | None = result.finish_reason
        print(text, completion, usage, usd, credits, info.status_code, retries, inference_id, finish)

        # openai-python habits: the completion's fields with their generated types, and the dumps
        choices: list[Choice] | Unset = result.choices
        created: int | Unset = result.created
        meta: ResponseMeta | Unset | None = result.meta
        completion_id: str | None = result.id
        dumped: dict[str, Any] = result.model_dump()
        dumped_json: str = result.model_dump_json(indent=2)
        as_dict: dict[str, Any] = result.to_dict()
        as_json: str = result.to_json()
        print(choices, created, meta, completion_id, dumped, dumped_json, as_dict, as_json)
        # typing: misuse mypy must reject: a misspelt field
        print(result.choises)  # type: ignore[attr-defined]
        # typing: misuse mypy must reject: openai-python's pydantic options are not taken
        print(result.model_dump(exclude_none=True))  # type: ignore[call-arg]

        answer: str = client.ask("What is 2+2?", system="Answer with a number.", max_tokens=5)
        impatient: Grok = client.with_options(timeout=5.0, max_retries=0)
        print(impatient.max_retries)
        # typing: misuse mypy must reject: with_options takes no api_key
        client.with_options(api_key="other")  # type: ignore[call-arg]
        raw: httpx.Response = client.chat.completions.with_raw_response.create(
            messages=[{"role": "user", "content": "hi"}]
        )
        total_usd: Decimal = client.total_usd_spent
        total_credits: int = client.total_credits_used
        print(answer, raw.status_code, total_usd, total_credits)

        stream: Stream = client.chat.completions.create(
            messages=[{"role": "user", "content": "hi"}], stream=True, stream_options={"include_usage": True}
        )
        with stream:
            for chunk in stream:
                typed_chunk: ChatCompletionChunk = chunk
                print(typed_chunk.id)
        final: StreamResult = stream.result
        print(final.text, final.usd_spent)
        streamed_choices: list[Choice] | Unset = final.choices
        streamed_usage: Usage | None = final.usage
        streamed_completion: ChatCompletion = final.completion
        streamed_json: str = final.model_dump_json()
        print(streamed_choices, streamed_usage, streamed_completion, streamed_json, final.to_dict())

        flag = bool(text)
        either: ChatCompletionResult | Stream = client.chat.completions.create(
            messages=[{"role": "user", "content": "hi"}], stream=flag
        )
        print(either)

        # typing: misuse mypy must reject: a misspelt keyword
        client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], temprature=0.5)  # type: ignore[call-overload]
        # typing: misuse mypy must reject: a str for a number
        client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], temperature="hot")  # type: ignore[call-overload]
        # typing: misuse mypy must reject: a model outside the spec's enum
        client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], model="gpt-4o")  # type: ignore[call-overload]
        # typing: misuse mypy must reject: an effort outside the enum
        client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], reasoning={"effort": "max"})  # type: ignore[call-overload]
        client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], reasoning=Reasoning(effort="low"))
        # typing: misuse mypy must reject: a completion is not a Stream
        not_a_stream: Stream = client.chat.completions.create(messages=[{"role": "user", "content": "hi"}])  # type: ignore[assignment]
        print(not_a_stream)


def error_handling(client: Grok) -> None:
    try:
        client.ask("hi")
    except RateLimitError as error:
        status: int = error.status_code
        request_id: str | None = error.request_id
        print(status, request_id, error.retries)
    except APIStatusError as error:
        body_text: str | None = error.raw_text
        print(body_text, error.error_status_code)
    except APIConnectionError as error:
        print(error.retries)
    except StreamError as error:
        partial: str = error.partial_text
        print(partial)
    except RequestValidationError as error:
        print([violation.path for violation in error.violations])
    except BudgetExceededError as error:
        print(error.spent_usd)


async def async_usage() -> None:
    async with AsyncGrok(api_key="k", http_client=httpx.AsyncClient()) as client:
        result: ChatCompletionResult = await client.chat.completions.create(
            messages=[{"role": "user", "content": "hi"}], top_p=0.9
        )
        answer: str = await client.ask("hi")
        patient: AsyncGrok = client.with_options(timeout=None)
        print(patient.timeout)
        raw: httpx.Response = await client.chat.completions.with_raw_response.create(
            messages=[{"role": "user", "content": "hi"}]
        )
        stream: AsyncStream = await client.chat.completions.create(
            messages=[{"role": "user", "content": "hi"}], stream=True
        )
        async with stream:
            async for chunk in stream:
                typed_chunk: ChatCompletionChunk = chunk
                print(typed_chunk)
        final: StreamResult = stream.result
        print(result.text, answer, raw, final.finish_reason)
        # typing: misuse mypy must reject: an async call not awaited
        client.ask("hi")  # type: ignore[unused-coroutine]


warning_category: type[UserWarning] = DriftWarning
