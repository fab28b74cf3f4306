"""Spotfinder's frames on one TCP connection (Protos/spotfinder.proto): a 4-byte big-endian length,
then that many bytes of one serialized Envelope. Frames over 16 MiB are refused from the prefix."""
import socket
import struct
import time

from . import spotfinder_pb2 as pb
from .errors import (DATA_LOSS, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE, SpotfinderError)

MAX_FRAME_BYTES = 16 * 1024 * 1024
HELLO = "/spotfinder.v1.RPC/Hello"


class Connection:
    """One connection, one call at a time. Any transport failure closes it (the next call reconnects),
    so a late answer to an abandoned call can never be taken for the answer to a new one."""

    def __init__(self, host, port, token=None):
        self.host, self.port, self.token = host, port, token
        self.sock = None

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    def exchange(self, envelope, deadline):
        """Send one request envelope and return the response envelope with the same request id."""
        body = envelope.SerializeToString()
        if len(body) > MAX_FRAME_BYTES:
            raise SpotfinderError(RESOURCE_EXHAUSTED, f"request of {len(body)} bytes exceeds the {MAX_FRAME_BYTES}-byte frame limit")
        try:
            if self.sock is None:
                self.sock = socket.create_connection((self.host, self.port), timeout=_remaining(deadline, envelope.method))
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self.token:
                    self._say_hello(deadline)
            self.sock.settimeout(_remaining(deadline, envelope.method))
            self.sock.sendall(struct.pack(">I", len(body)) + body)
            while True:
                (length,) = struct.unpack(">I", self._read(4, deadline, envelope.method))
                if length > MAX_FRAME_BYTES:
                    raise SpotfinderError(RESOURCE_EXHAUSTED, f"{self.host}:{self.port} announced a {length}-byte frame, over the {MAX_FRAME_BYTES}-byte limit")
                reply, frame = pb.Envelope(), self._read(length, deadline, envelope.method)
                try:
                    reply.ParseFromString(frame)
                except Exception as e:  # DecodeError: the bytes are not an Envelope
                    raise SpotfinderError(DATA_LOSS, f"{self.host}:{self.port} sent a frame that is not an Envelope: {e}") from None
                if reply.request_id == envelope.request_id and reply.kind == pb.FRAME_KIND_RESPONSE:
                    return reply
        except SpotfinderError:
            self.close()
            raise
        except socket.timeout:
            self.close()
            raise SpotfinderError(DEADLINE_EXCEEDED, f"{envelope.method}: no answer from {self.host}:{self.port} within the deadline") from None
        except OSError as e:
            self.close()
            raise SpotfinderError(UNAVAILABLE, f"{envelope.method}: cannot talk to {self.host}:{self.port}: {e.strerror or e}") from None

    def _say_hello(self, deadline):
        """Present the deployment token first, as the project's own services do: it makes this a known
        client (reserved connections, internal methods such as ListNodes). A server without a token
        refuses the hello and serves the connection as an anonymous one."""
        hello = pb.Envelope(kind=pb.FRAME_KIND_REQUEST, method=HELLO, request_id=0, payload=self.token.encode()).SerializeToString()
        self.sock.settimeout(_remaining(deadline, HELLO))
        self.sock.sendall(struct.pack(">I", len(hello)) + hello)
        (length,) = struct.unpack(">I", self._read(4, deadline, HELLO))
        if length > MAX_FRAME_BYTES:
            raise SpotfinderError(RESOURCE_EXHAUSTED, f"{self.host}:{self.port} announced a {length}-byte frame, over the {MAX_FRAME_BYTES}-byte limit")
        reply = pb.Envelope()
        try:
            reply.ParseFromString(self._read(length, deadline, HELLO))
        except SpotfinderError:
            raise
        except Exception as e:  # DecodeError: the bytes are not an Envelope
            raise SpotfinderError(DATA_LOSS, f"{self.host}:{self.port} answered the hello with a frame that is not an Envelope: {e}") from None
        if reply.status_code == RESOURCE_EXHAUSTED:
            raise SpotfinderError(RESOURCE_EXHAUSTED, f"{self.host}:{self.port} is full: {reply.status_message}")

    def _read(self, n, deadline, method):
        chunks, got = [], 0
        while got < n:
            self.sock.settimeout(_remaining(deadline, method))
            chunk = self.sock.recv(min(n - got, 1 << 20))
            if not chunk:
                where = "between frames" if got == 0 and n == 4 else f"mid-frame ({got} of {n} bytes)"
                raise SpotfinderError(UNAVAILABLE, f"{method}: {self.host}:{self.port} closed the connection {where}")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)


def _remaining(deadline, method):
    left = deadline - time.monotonic()
    if left <= 0:
        raise SpotfinderError(DEADLINE_EXCEEDED, f"{method}: the deadline passed")
    return left
