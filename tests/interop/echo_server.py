"""An echo server built on python `websockets`, for tests/interop.rs.

Listens on 127.0.0.1 on a free port and prints that port, alone on a line, on stdout:
that line is the readiness signal. Echoes every message. Exits when stdin closes (the
test that started it is gone) or after LIFETIME seconds, whichever comes first.
"""

import asyncio
import contextlib
import os
import sys
import threading

from websockets.asyncio.server import serve

LIFETIME = 120


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def main():
    loop = asyncio.get_running_loop()
    stdin_closed = asyncio.Event()

    def watch_stdin():
        # Raw reads: a daemon thread blocked in sys.stdin would abort the interpreter at exit.
        while os.read(sys.stdin.fileno(), 4096):
            pass
        loop.call_soon_threadsafe(stdin_closed.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    async with serve(echo, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stdin_closed.wait(), LIFETIME)


if __name__ == "__main__":
    asyncio.run(main())
