#!/usr/bin/env python3
"""bench/bomb.py: a WebSocket server that sends a zip bomb (issue 16, bench/run.sh section 3b).

Listens on 127.0.0.1 (a free port, printed on stdout), answers every upgrade with a 101 that agrees
to permessage-deflate (RFC 7692) when the client offers it, then sends one binary message of RSV1
(compressed) whose payload is about 97 kB of raw DEFLATE that inflates to 100,000,000 zeros, and
waits for the client to go. One thread per connection; runs until killed.
"""
import base64
import hashlib
import socket
import struct
import sys
import threading
import zlib

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SIZE = 100_000_000


def bomb_frame():
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    parts, left = [], SIZE
    while left:
        n = min(left, len(chunk))
        parts.append(c.compress(chunk[:n]))
        left -= n
    parts.append(c.flush(zlib.Z_SYNC_FLUSH))
    payload = b"".join(parts)
    assert payload.endswith(b"\x00\x00\xff\xff")
    payload = payload[:-4]  # RFC 7692 §7.2.1: the sync flush's empty block is left off
    return bytes([0xC2, 127]) + struct.pack(">Q", len(payload)) + payload  # FIN, RSV1, binary


FRAME = bomb_frame()


def serve(conn):
    with conn:
        head = b""
        while b"\r\n\r\n" not in head:
            got = conn.recv(4096)
            if not got:
                return
            head += got
        key, deflate = b"", False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"sec-websocket-key":
                key = value.strip()
            if name.strip().lower() == b"sec-websocket-extensions" and b"permessage-deflate" in value:
                deflate = True
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        answer += b"Sec-WebSocket-Accept: " + accept + b"\r\n"
        if deflate:
            answer += b"Sec-WebSocket-Extensions: permessage-deflate\r\n"
        try:
            conn.sendall(answer + b"\r\n" + FRAME)
            while conn.recv(65536):
                pass
        except OSError:
            pass


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)
    print(f"bomb.py: {len(FRAME)} bytes inflate to {SIZE}", file=sys.stderr, flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
