"""A typical async openai-python program: concurrent completions, a stream, error handling.

tests/e2e/test_e2e_openai_habits.py runs it as written (openai-python) and with
only its import line and its constructor's class swapped for aimlapi_grok's.
"""

import asyncio
import os

import openai

MODEL = "x-ai/grok-4-1-fast-reasoning"


async def main():
    client = openai.AsyncOpenAI(
        base_url=os.environ["EMULATOR_URL"] + "/v1", api_key=os.environ["EMULATOR_KEY"], max_retries=0
    )
    questions = ["One word for speed.", "One word for calm.", "One word for light."]
    answers = await asyncio.gather(
        *(client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": q}]) for q in questions)
    )
    for answer in answers:
        print("answer:", answer.choices[0].message.content, answer.usage.total_tokens)
        print("dump:", answer.model_dump()["choices"][0]["finish_reason"])

    stream = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Stream this."}], stream=True
    )
    pieces = []
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
    print("streamed:", "".join(pieces))

    try:
        await client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "hi"}],
            extra_headers={"X-Emulator-Fault": "status=429"},
        )
    except openai.RateLimitError as err:
        print("rate limited:", err.status_code, err.body["message"])
    try:
        await client.with_options(timeout=5.0, max_retries=0).chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hi"}], extra_headers={"X-Emulator-Fault": "status=500"}
        )
    except openai.APIStatusError as err:
        print("status error:", type(err).__name__, err.status_code)
    await client.close()


asyncio.run(main())
