"""Property-based tests of code/framing.py: however a stream is cut into pieces, the same messages
come out, and a cut-off stream is an error, never a shorter message."""

import socket
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framing import IncompleteMessage, LineSplitter, MessageTooLarge, encode_message, recv_message

payloads = st.lists(st.binary(max_size=300), max_size=8)
lines = st.lists(st.binary(max_size=60).filter(lambda b: b"\n" not in b), max_size=8)


def cut(data: bytes, points: list[int]) -> list[bytes]:
    """data split at the given offsets (taken modulo its length, sorted, repeats allowed)."""
    offsets = sorted({p % (len(data) + 1) for p in points})
    edges = [0, *offsets, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:])]


def messages_over_socket(pieces: list[bytes]) -> list[bytes]:
    """Send the pieces one by one over a real socket pair; read messages until EOF."""
    left, right = socket.socketpair()
    with left, right:
        def send():
            for piece in pieces:
                left.sendall(piece)
            left.shutdown(socket.SHUT_WR)

        sender = threading.Thread(target=send)
        sender.start()
        try:
            found = []
            while (message := recv_message(right)) is not None:
                found.append(message)
            return found
        finally:
            sender.join()


@settings(max_examples=60, deadline=None)
@given(payloads, st.lists(st.integers(min_value=0), max_size=12))
def test_length_prefix_survives_any_cut(messages, points):
    stream = b"".join(encode_message(m) for m in messages)
    assert messages_over_socket(cut(stream, points)) == messages


@settings(max_examples=60, deadline=None)
@given(payloads.filter(bool), st.data())
def test_a_stream_cut_short_is_incomplete(messages, data):
    stream = b"".join(encode_message(m) for m in messages)
    end = data.draw(st.integers(min_value=1, max_value=len(stream) - 1))
    boundaries = {0}
    for m in messages:
        boundaries.add(max(boundaries) + 4 + len(m))
    if end in boundaries:
        assert len(messages_over_socket([stream[:end]])) == sum(1 for b in boundaries if 0 < b <= end)
    else:
        with pytest.raises(IncompleteMessage):
            messages_over_socket([stream[:end]])


@given(st.integers(min_value=1, max_value=1000))
def test_announced_size_over_limit_is_refused(limit):
    left, right = socket.socketpair()
    with left, right:
        left.sendall((limit + 1).to_bytes(4, "big"))
        with pytest.raises(MessageTooLarge):
            recv_message(right, max_size=limit)


@settings(max_examples=100, deadline=None)
@given(lines, st.lists(st.integers(min_value=0), max_size=12))
def test_lines_survive_any_cut(expected, points):
    stream = b"".join(line + b"\n" for line in expected)
    splitter = LineSplitter(max_line=100)
    found = [line for piece in cut(stream, points) for line in splitter.feed(piece)]
    splitter.finish()
    assert found == expected


@given(lines, st.binary(min_size=1, max_size=30).filter(lambda b: b"\n" not in b))
def test_unfinished_last_line_is_incomplete(complete, tail):
    splitter = LineSplitter(max_line=100)
    assert splitter.feed(b"".join(line + b"\n" for line in complete) + tail) == complete
    with pytest.raises(IncompleteMessage):
        splitter.finish()


@given(st.integers(min_value=1, max_value=50), st.integers(min_value=1, max_value=20))
def test_a_line_over_the_limit_is_refused_however_fed(limit, extra):
    line = b"x" * (limit + extra) + b"\n"
    splitter = LineSplitter(max_line=limit)
    with pytest.raises(MessageTooLarge):
        for byte in line:
            splitter.feed(bytes([byte]))
