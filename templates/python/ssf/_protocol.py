"""The worker protocol's framing (lib/apphost/protocol.h is the other side; keep them in step).

A frame is a 4-byte little-endian length, then that many bytes: a 4-byte little-endian length of
a JSON header, the header, and the frame's binary blobs. A value {"$blob": [offset, length]} in
the header stands for bytes at that offset of the blob area, so that images and audio cross the
socket as they are, not as base64.
"""
import json
import math
import struct
import threading

_LEN = struct.Struct("<I")
MAX_FRAME = 1 << 31


class Closed(Exception):
    """The other side closed the socket."""


def _encode(value, blobs, size):
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        ref = {"$blob": [size[0], len(data)]}
        blobs.append(data)
        size[0] += len(data)
        return ref
    if isinstance(value, dict):
        return {str(k): _encode(v, blobs, size) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v, blobs, size) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN or infinity; the C++ side would reject the whole frame
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _encode(value.item(), blobs, size)
    if hasattr(value, "tolist"):  # numpy arrays
        return _encode(value.tolist(), blobs, size)
    return str(value)


def _decode(value, blob_area):
    if isinstance(value, dict):
        ref = value.get("$blob")
        if ref is not None and len(value) == 1:
            offset, length = ref
            return bytes(blob_area[offset:offset + length])
        return {k: _decode(v, blob_area) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, blob_area) for v in value]
    return value


def pack(message) -> bytes:
    blobs, size = [], [0]
    # UTF-8 rather than \u escapes (smaller); a lone surrogate (a file name read with
    # surrogateescape, say) becomes '?' instead of invalid UTF-8 that the server would reject.
    header = json.dumps(_encode(message, blobs, size), separators=(",", ":"),
                        ensure_ascii=False).encode("utf-8", "replace")
    body = b"".join([_LEN.pack(len(header)), header, *blobs])
    return _LEN.pack(len(body)) + body


def unpack(body: bytes):
    (header_len,) = _LEN.unpack_from(body, 0)
    if 4 + header_len > len(body):
        raise ValueError("header length beyond the frame")
    header = json.loads(body[4:4 + header_len])
    return _decode(header, memoryview(body)[4 + header_len:])


class Channel:
    """Frames over a connected socket. send() may be called from any thread."""

    def __init__(self, sock):
        self._sock = sock
        self._file = sock.makefile("rb", buffering=1 << 16)
        # Re-entrant: a log record raised while a frame is being sent (a signal handler that
        # logs, say) must not deadlock its own thread.
        self._lock = threading.RLock()
        self._held = []  # packed frames waiting for the next send()

    def send(self, message):
        """Sends the held frames, then this one, in one write."""
        data = pack(message)
        with self._lock:
            if self._held:
                data = b"".join(self._held) + data
                self._held.clear()
            self._sock.sendall(data)

    def hold(self, message):
        """Keeps a frame for the next send(): a request's debug record then travels with its
        result, and the server's reader wakes once per request instead of twice."""
        data = pack(message)
        with self._lock:
            self._held.append(data)

    def receive(self):
        head = self._file.read(4)
        if len(head) < 4:
            raise Closed()
        (length,) = _LEN.unpack(head)
        if length > MAX_FRAME:
            raise ValueError(f"frame length {length}")
        body = self._file.read(length)
        if len(body) < length:
            raise Closed()
        return unpack(body)
