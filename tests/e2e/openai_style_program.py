"""A typical openai-python program: a completion, a stream, a tool loop, streamed tool calls, error handling.

tests/e2e/test_e2e_openai_habits.py runs it as written (openai-python) and with
only its import line and its constructor line swapped for aimlapi_grok's, both
against the same emulator (EMULATOR_URL, EMULATOR_KEY), and compares what it
prints. Keep it plain openai-python: it is the code users arrive with.
"""

import json
import os

import openai

client = openai.OpenAI(base_url=os.environ["EMULATOR_URL"] + "/v1", api_key=os.environ["EMULATOR_KEY"], max_retries=0)
MODEL = "x-ai/grok-4-1-fast-reasoning"

# 1. A completion
completion = client.chat.completions.create(
    model=MODEL,
    messages=[
        {"role": "system", "content": "You are brief."},
        {"role": "user", "content": "Why does streaming matter?"},
    ],
    max_tokens=200,
)
print("content:", completion.choices[0].message.content)
print("finish_reason:", completion.choices[0].finish_reason)
print("role:", completion.choices[0].message.role)
print("id/model/created:", completion.id, completion.model, completion.created)
print("usage:", completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens)
print("reasoning tokens:", completion.usage.completion_tokens_details.reasoning_tokens)
dumped = completion.model_dump()
print("dump:", dumped["id"], dumped["choices"][0]["message"]["content"], dumped["usage"]["total_tokens"])
print("dump json:", json.loads(completion.model_dump_json())["choices"][0]["finish_reason"])

# 2. A stream
stream = client.chat.completions.create(
    model=MODEL,
    messages=[{"role": "user", "content": "Count to five."}],
    stream=True,
    stream_options={"include_usage": True},
)
pieces = []
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        pieces.append(chunk.choices[0].delta.content)
    if chunk.choices and chunk.choices[0].finish_reason:
        print("stream finish_reason:", chunk.choices[0].finish_reason)
    if chunk.usage:
        print("stream usage:", chunk.usage.total_tokens)
print("streamed:", "".join(pieces))

# 3. A tool loop
tools = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The current weather in a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


def get_weather(city):
    return {"city": city, "forecast": "sunny", "celsius": 21}


messages = [{"role": "user", "content": "What is the weather in Paris?"}]
for _turn in range(4):
    response = client.chat.completions.create(model=MODEL, messages=messages, tools=tools, tool_choice="auto")
    message = response.choices[0].message
    if not message.tool_calls:
        break
    print("tool calls:", [(call.function.name, json.loads(call.function.arguments)) for call in message.tool_calls])
    messages.append(
        {
            "role": "assistant",
            "content": message.content or "",
            "tool_calls": [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.function.name, "arguments": call.function.arguments},
                }
                for call in message.tool_calls
            ],
        }
    )
    for call in message.tool_calls:
        result = get_weather(**json.loads(call.function.arguments))
        messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
print("tool loop answer:", response.choices[0].message.content)
print("tool loop finish_reason:", response.choices[0].finish_reason)

# 4. Streamed tool calls, assembled by index
stream = client.chat.completions.create(
    model=MODEL, messages=[{"role": "user", "content": "Weather in Oslo?"}], tools=tools, stream=True
)
calls = {}
for chunk in stream:
    if not chunk.choices:
        continue
    for fragment in chunk.choices[0].delta.tool_calls or []:
        call = calls.setdefault(fragment.index, {"id": None, "name": "", "arguments": ""})
        if fragment.id:
            call["id"] = fragment.id
        if fragment.function and fragment.function.name:
            call["name"] += fragment.function.name
        if fragment.function and fragment.function.arguments:
            call["arguments"] += fragment.function.arguments
print("streamed tool calls:", [(call["id"], call["name"], json.loads(call["arguments"])) for call in calls.values()])

# 5. Errors
for fault in ("status=429", "status=401", "status=403", "status=404", "status=500", "status=503"):
    try:
        client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "hi"}], extra_headers={"X-Emulator-Fault": fault}
        )
    except openai.RateLimitError as err:
        print("rate limited:", err.status_code, err.body["message"])
    except openai.AuthenticationError as err:
        print("bad key:", err.status_code, err.body["message"])
    except openai.PermissionDeniedError as err:
        print("not allowed:", err.status_code)
    except openai.NotFoundError as err:
        print("not found:", err.status_code)
    except openai.InternalServerError as err:
        print(
            "server error:", err.status_code, isinstance(err, openai.APIStatusError), isinstance(err, openai.APIError)
        )
    except openai.APIStatusError as err:
        print("other status:", err.status_code)
try:
    client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "hi"}],
        timeout=0.5,
        extra_headers={"X-Emulator-Fault": "delay=3"},
    )
except openai.APITimeoutError as err:
    print("timed out:", type(err).__name__, isinstance(err, openai.APIConnectionError))
