"""Shared constants and helpers of the end-to-end tests (loopback HTTP against the emulator server)."""

from __future__ import annotations

import json
from typing import Any

CLIENT_TIMEOUT = 10.0  # seconds, every client in these tests: nothing waits forever
SERVER_WAIT = 5.0  # seconds to wait for the server to finish with a request
FAULT = "X-Emulator-Fault"
MODEL_NAME = "grok-4-1-fast-reasoning"

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def fault(text: str) -> dict[str, str]:
    """`extra_headers` that make the emulator inject `text` (X-Emulator-Fault syntax)."""
    return {FAULT: text}


def get_weather(city: str) -> str:
    """The local function the tool loop runs."""
    return json.dumps({"city": city, "forecast": "sunny", "celsius": 21})


def emulated_text(question: str) -> str:
    """The emulator's deterministic answer to `question` (its documented template)."""
    ending = "" if question.endswith((".", "!", "?")) else "."
    return f"Emulated answer to: {question}{ending} The AIML API emulator is deterministic."
