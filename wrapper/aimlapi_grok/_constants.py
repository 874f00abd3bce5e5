"""Names and defaults shared across the package (no imports beyond the stdlib)."""

from __future__ import annotations

import re

DEFAULT_BASE_URL = "https://api.aimlapi.com"
CHAT_COMPLETIONS_PATH = "/v1/chat/completions"
API_KEY_ENV = "AIMLAPI_API_KEY"
BASE_URL_ENV = "AIMLAPI_BASE_URL"
DEFAULT_TIMEOUT = 600.0  # seconds: reasoning completions can take minutes
DEFAULT_MAX_RETRIES = 2

# Tracing and cost headers (see the README section "What the API does beyond its spec").
CLIENT_REQUEST_ID_HEADER = "X-Client-Request-Id"
CLIENT_REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")
INFERENCE_ID_HEADER = "x-inference-id"
CREDITS_USED_HEADER = "x-aimlapi-credits-used"
USD_SPENT_HEADER = "x-aimlapi-usd-spent"
# The data of the event that ends a stream (after the last chunk).
DONE_MARKER = "[DONE]"
# The spec component a streamed chunk is (drift reports and the chunk parser name it).
CHUNK_COMPONENT = "ChatCompletionChunk"
