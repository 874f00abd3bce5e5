"""Batch input: the three formats, the check of the whole input with line numbers, shards."""

from __future__ import annotations

from pathlib import Path

import pytest
from aimlapi_grok.batch import BatchInputError, Shard, check_records, read_input

from .batch_support import batch_line, write_jsonl


def test_the_three_formats_give_the_same_requests(tmp_path: Path) -> None:
    """An OpenAI batch line, the shorthand and a text line with the same prompt give the same body."""
    batch = write_jsonl(tmp_path / "batch.jsonl", [batch_line("1", "Hello there")])
    short = write_jsonl(
        tmp_path / "short.jsonl", [{"custom_id": "1", "messages": [{"role": "user", "content": "Hello there"}]}]
    )
    text = tmp_path / "prompts.txt"
    text.write_text("\nHello there\n", encoding="utf-8")
    from_batch, from_short, from_text = read_input(batch), read_input(short), read_input(text)
    assert from_batch.problems == from_short.problems == from_text.problems == []
    assert from_batch.requests[0].body["messages"] == from_short.requests[0].body["messages"]
    assert from_text.requests[0].custom_id == "2"  # the line number (the blank first line is skipped)
    assert from_text.requests[0].body["messages"] == from_short.requests[0].body["messages"]
    assert from_short.requests[0].body_hash == from_text.requests[0].body_hash


def test_every_problem_is_listed_with_its_line_number(tmp_path: Path) -> None:
    """Bad JSON, a duplicate custom_id, spec violations, unknown fields and a stream are all reported at once."""
    path = write_jsonl(
        tmp_path / "in.jsonl",
        [
            batch_line("a", "fine"),
            "{not json",
            batch_line("a", "again"),
            batch_line("b", "too hot", temperature=7),
            batch_line("c", "odd", response_format={"type": "json_object"}),
            batch_line("d", "stream", stream=True),
            {"custom_id": "e", "method": "GET", "url": "/v1/chat/completions", "body": {"messages": []}},
            {"messages": [{"role": "user", "content": "no id"}]},
        ],
    )
    parsed = read_input(path)
    lines = sorted({p.line for p in parsed.problems})
    assert lines == [2, 3, 4, 5, 6, 7, 8]
    text = str(BatchInputError(parsed.problems))
    assert "line 2: not valid JSON" in text
    assert "line 3 (custom_id 'a'): duplicate custom_id (first on line 1)" in text
    assert "line 4 (custom_id 'b'): body.temperature" in text
    assert "body.response_format: not a request parameter" in text
    assert "body.stream: batch answers are not streamed" in text
    assert 'method must be "POST"' in text
    assert "line 8: custom_id must be a non-empty string" in text
    assert [r.custom_id for r in parsed.requests] == ["a"]


def test_the_check_is_the_one_create_runs() -> None:
    """A body create() refuses (reasoning effort and max_tokens together) is refused here with the same rule."""
    record = {
        "custom_id": "x",
        "messages": [{"role": "user", "content": "hi"}],
        "reasoning": {"effort": "low", "max_tokens": 5},
    }
    parsed = check_records([(1, record)])
    assert len(parsed.problems) == 1
    assert "reasoning takes effort or max_tokens, not both" in parsed.problems[0].message
    assert [r.custom_id for r in parsed.invalid] == ["x"]


def test_shards_split_the_input_without_overlap() -> None:
    """Every custom_id belongs to exactly one shard of n."""
    ids = [f"id-{i}" for i in range(300)]
    shards = [Shard(i, 3) for i in (1, 2, 3)]
    owners = [[s for s in shards if s.holds(cid)] for cid in ids]
    assert all(len(found) == 1 for found in owners)
    assert all(sum(1 for found in owners if found[0] is s) > 50 for s in shards)
    assert Shard.parse("2/3") == Shard(2, 3)
    with pytest.raises(ValueError, match="1 <= i <= n"):
        Shard.parse("4/3")


def test_a_non_utf8_file_is_refused(tmp_path: Path) -> None:
    """Undecodable input is one clear problem, not a crash."""
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"custom_id": "\xff"}\n')
    with pytest.raises(BatchInputError, match="not UTF-8"):
        read_input(path)
