"""1 MiB and 16 MiB messages of arbitrary binary, non-UTF-8 bytes: echoed byte for byte.

Both sizes are larger than one recv(), the 16 MiB one is larger than all the kernel's buffers
together, and the client reads a little slower than it sends, so the server meets full buffers
and partial sends. The bytes are not text in any encoding: a server that decodes, strips or
splits lines anywhere loses some.
"""

import os

import pytest

from tests.faults.helpers import assert_same, connect, exchange

NOT_TEXT = b"".join([
    bytes(range(256)),  # every byte value, NUL included
    b"\xff\xfe\x00\x00",  # a UTF-32 byte order mark
    b"\xc0\xaf\xe0\x80\xaf",  # overlong encodings of "/"
    b"\xed\xa0\x80",  # a lone UTF-16 surrogate, encoded
    b"\x80\xbf",  # continuation bytes with nothing to continue
    b"\xf8\x88\x80\x80\x80",  # a five-byte sequence, which UTF-8 forbids
    b"\r\n.\r\n\x04\x1a",  # line ends, an SMTP end of data, Ctrl-D, Ctrl-Z
    b"\xff\xf4\xff\xfd\x06",  # telnet IAC IP, IAC DO TIMING-MARK
    "привет".encode("cp1251"), "привет".encode(),
])


@pytest.mark.timeout(60)
@pytest.mark.parametrize("size", [1 << 20, 16 << 20], ids=["1 MiB", "16 MiB"])
def test_big_and_binary_message(server, size):
    payload = (NOT_TEXT + os.urandom(size))[:size]
    with pytest.raises(UnicodeDecodeError):
        payload.decode()
    with connect(server.address, timeout=30) as sock:
        assert_same(exchange(sock, payload, half_close=False, read_pause=0.001), payload)
        # The connection is still good for the next message, and it ends as it should.
        assert_same(exchange(sock, NOT_TEXT[::-1]), NOT_TEXT[::-1])
    server.check_stderr_lines(at_most=0)
