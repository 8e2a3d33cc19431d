"""An echo server built on python `websockets`, for tests/interop.rs.

Listens on 127.0.0.1 on a free port and prints that port, alone on a line, on stdout:
that line is the readiness signal. Echoes every message. Exits when stdin closes (the
test that started it is gone) or after LIFETIME seconds, whichever comes first.

With `--unix PATH` first, it listens on a Unix domain socket at PATH instead (for
tests/reach_route.rs) and prints PATH when it is listening.

permessage-deflate is websockets' default (on, with its default parameters) unless:
  --no-compression              no permessage-deflate at all
  --deflate NAME[=N],...        permessage-deflate configured so, e.g.
                                --deflate server_no_context_takeover,client_max_window_bits=8
                                (the keyword arguments of ServerPerMessageDeflateFactory)
"""

import asyncio
import contextlib
import os
import sys
import threading

from websockets.asyncio.server import serve, unix_serve
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

LIFETIME = 120


async def echo(ws):
    async for message in ws:
        await ws.send(message)


def compression_options(argv):
    """The keyword arguments for `serve` that argv asks for."""
    if not argv:
        return {}
    if argv == ["--no-compression"]:
        return {"compression": None}
    if len(argv) == 2 and argv[0] == "--deflate":
        options = {}
        for item in filter(None, argv[1].split(",")):
            name, _, value = item.partition("=")
            options[name] = int(value) if value else True
        return {"compression": None, "extensions": [ServerPerMessageDeflateFactory(**options)]}
    sys.exit(f"usage: echo_server.py [--unix PATH] [--no-compression | --deflate NAME[=N],...], not {argv}")


async def main():
    loop = asyncio.get_running_loop()
    stdin_closed = asyncio.Event()

    def watch_stdin():
        # Raw reads: a daemon thread blocked in sys.stdin would abort the interpreter at exit.
        while os.read(sys.stdin.fileno(), 4096):
            pass
        loop.call_soon_threadsafe(stdin_closed.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    argv = sys.argv[1:]
    unix_path = None
    if argv[:1] == ["--unix"] and len(argv) >= 2:
        unix_path, argv = argv[1], argv[2:]
    options = compression_options(argv)
    if unix_path is not None:
        listening = unix_serve(echo, unix_path, **options)
    else:
        listening = serve(echo, "127.0.0.1", 0, **options)
    async with listening as server:
        if unix_path is not None:
            print(unix_path, flush=True)
        else:
            print(server.sockets[0].getsockname()[1], flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stdin_closed.wait(), LIFETIME)


if __name__ == "__main__":
    asyncio.run(main())
