"""aimlapi-grok: the typed Python client for x-ai/grok-4-1-fast-reasoning on the AIML API."""

__all__: list[str] = []
