"""The SSE reader's fast path gives exactly the events httpx-sse's decoders give, however the body is cut."""

from __future__ import annotations

import json

import pytest
from aimlapi_grok._sse import MAX_FAST_TAIL, MAX_STRAY_CHARS, Event, EventReader
from hypothesis import given, settings
from hypothesis import strategies as st

# Text without line ends (SSE ends lines only at CR and LF), with the separators JSON leaves raw.
LINE_TEXT = st.text(
    st.sampled_from(' x{}":,\t\x0b\x0c\x1c\x85\u2028\u2029\ufeffé')
    | st.characters(blacklist_characters="\r\n", blacklist_categories=["Cs"]),
    max_size=12,
)
SIMPLE = LINE_TEXT.map(lambda text: f"data: {text}\n\n")
OTHER_BLOCKS = st.one_of(
    LINE_TEXT.map(lambda text: f"data:{text}\n\n"),  # no space after the colon
    st.lists(LINE_TEXT, min_size=2, max_size=3).map(lambda lines: "".join(f"data: {x}\n" for x in lines) + "\n"),
    LINE_TEXT.map(lambda text: f"event: ping\ndata: {text}\n\n"),
    LINE_TEXT.map(lambda text: f": {text}\n"),  # a comment
    st.sampled_from(["id: 7\n", "retry: 1000\n", "\n", "\n\n\n", "data\n\n", "event: x\n\n"]),
    st.just(json.dumps({"message": "upstream failed", "statusCode": 500}) + "\n\n"),  # a bare error object
    LINE_TEXT.map(lambda text: f"data: {text}\r\n\r\n"),
    LINE_TEXT.map(lambda text: f"data: {text}\r\r"),
    LINE_TEXT.map(lambda text: f"data: {text}\n"),  # an event left open
    st.sampled_from(["", "\n"]).map(lambda end: json.dumps({"message": "down"}) + end),  # an error object at the end
)
BODIES = st.lists(st.one_of(SIMPLE, SIMPLE, SIMPLE, OTHER_BLOCKS), max_size=12).map("".join)


class DecodersOnly(EventReader):
    """The reader without its fast path: every piece through httpx-sse's decoders."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__()
        self._fast = False

    def _clean(self) -> bool:
        return False


def read(reader: EventReader, body: bytes, cuts: list[int]) -> list[list[Event]]:
    """The events `reader` gives for each piece of `body` the `cuts` make, then at its end (as it gives them)."""
    given: list[list[Event]] = []
    start = 0
    for cut in [*sorted({min(max(cut, 0), len(body)) for cut in cuts}), len(body)]:
        given.append(reader.feed_bytes(body[start:cut]))
        start = cut
    return [*given, reader.flush()]


@settings(max_examples=400, deadline=None)
@given(body=BODIES, bom=st.booleans(), cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_the_fast_path_gives_what_the_decoders_give(body: str, bom: bool, cuts: list[int]) -> None:
    """Bodies of simple and other events (CR, CRLF, comments, ids, stray JSON), cut anywhere: equal events, as soon."""
    raw = (("\ufeff" if bom else "") + body).encode()
    assert read(EventReader(), raw, cuts) == read(DecodersOnly(), raw, cuts)


@settings(max_examples=300, deadline=None)
@given(
    blocks=st.lists(SIMPLE, min_size=1, max_size=8),
    other=OTHER_BLOCKS.filter(lambda block: "\r" not in block),
    at=st.integers(min_value=0, max_value=8),
    cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6),
)
def test_simple_events_around_one_other_block_cut_anywhere(
    blocks: list[str], other: str, at: int, cuts: list[int]
) -> None:
    """Mostly plain `data: ` events (the API's stream), one other block among them, any cuts: equal events."""
    raw = "".join([*blocks[:at], other, *blocks[at:]]).encode()
    assert read(EventReader(), raw, cuts) == read(DecodersOnly(), raw, cuts)


@pytest.mark.parametrize(
    "pieces",
    [
        ["data:  spaced \t\x85\n\n"],  # the data's own white space is kept
        # A comment first sends the piece through the decoders, which then hold what it ends with:
        [": c\n\nevent: ping\n", "data: a\n\n"],  # an event name, when a plain data line arrives
        [": c\n\ndata: a\n", "data: b\n\n"],  # data: the two lines are one event
        [': c\n\n{"message": "down"}\n', "data: a\n\n"],  # stray text
        [": c\n\ndata: a\r\r\r", "data: b\n\n", "x\n\ndata: c\n\n"],  # a CR (a blank line: nothing pending)
        ["data: a\n\n", '{"message": "down"}'],  # an error object left at the end
        ["event: ping\ndata: a\n\nretry: 1000\n", "data: b\n\n: keepalive\n\n"],  # a retry
        ["id: 1\n\ndata: a\r\r\r", "data: b\n\n"],  # a CR, with an id set (a blank line makes an event)
    ],
)
def test_what_is_pending_between_pieces_keeps_the_decoders_reading(pieces: list[str]) -> None:
    """Each state the decoders may hold between two pieces keeps them reading the next: the events are theirs."""
    fast, slow = EventReader(), DecodersOnly()
    assert [fast.feed(piece) for piece in pieces] + [fast.flush()] == [slow.feed(piece) for piece in pieces] + [
        slow.flush()
    ]


def test_simple_events_take_the_fast_path_and_others_leave_it() -> None:
    """Plain `data: ` events are read without the decoders; an id line sends the rest of its piece to them."""
    reader = EventReader()
    assert reader.feed("data: {}\n\ndata: [DONE]\n\ndata: par") == [("{}", "message"), ("[DONE]", "message")]
    assert (reader._fast, reader._tail) == (True, ["data: par"])
    assert reader.feed("tial\n\nid: 1\n\ndata: x\n\n") == [("partial", "message"), ("", "message"), ("x", "message")]
    assert reader._fast is False
    assert reader.feed("data: y\n\n") == [("y", "message")]
    assert reader._fast is True  # (the id stays set; it changes no event's data or name)


def test_an_event_in_many_small_pieces_is_joined_once() -> None:
    """The pieces of an unfinished event are kept apart until one can end it: no copy of the whole per piece."""
    reader = EventReader()
    assert reader.feed("data: ") == []
    for _ in range(1000):
        assert reader.feed("x") == []
    assert (len(reader._tail), reader._tail_chars) == (1001, 1006)
    assert reader.feed("\n") == []  # (a lone LF cannot end it; with the next one it can)
    assert reader.feed("\ndata: y\n\n") == [("x" * 1000, "message"), ("y", "message")]
    assert reader._tail == []


def test_a_long_unfinished_event_is_left_to_the_decoders_buffer() -> None:
    """An event still arriving past MAX_FAST_TAIL characters is buffered by httpx-sse's decoder, not re-copied."""
    reader = EventReader()
    piece = "x" * (MAX_FAST_TAIL // 4)
    assert reader.feed("data: " + piece) == []
    for _ in range(4):
        assert reader.feed(piece) == []
    assert reader._fast is False
    assert reader.feed("\n\n") == [(piece * 5, "message")]


def test_a_stray_line_too_long_to_keep_does_not_hide_later_error_objects() -> None:
    """A stray line over MAX_STRAY_CHARS is dropped alone: a bare error object after it is still an error event."""
    error = '{"message":"down","statusCode":500}'
    for reader in (EventReader(), DecodersOnly()):
        assert reader.feed("x" * (MAX_STRAY_CHARS + 1) + "\n\n") == []
        assert reader.feed(error + "\n\ndata: a\n\n") == [(error, "error"), ("a", "message")]
