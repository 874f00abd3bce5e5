"""Benchmarks of aimlapi_grok against raw httpx and openai-python (`python -m bench`)."""
