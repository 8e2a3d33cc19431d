"""pproxy as a SOCKS5 (and HTTP CONNECT) proxy for tests/reach_socks.rs, knowing names of its own.

usage: socks_proxy.py PORT [NAME=ADDRESS ...]

Serves SOCKS5 and HTTP CONNECT on 127.0.0.1:PORT with pproxy (its own code, unchanged; it
tells the two apart by the first byte). Each NAME=ADDRESS
makes NAME resolve to ADDRESS inside this process only, the way a proxy on another network
knows names its clients cannot resolve: pproxy resolves through asyncio, which asks
socket.getaddrinfo, so that is where the names are added. pproxy answers a CONNECT with the
address it was asked for as the bound address: a domain name for a name (socks5h).

Exits when stdin closes (the test that started it is gone), like the other peers here.
"""

import asyncio
import os
import socket
import sys
import threading

import pproxy.server

port = int(sys.argv[1])
names = dict(item.split("=", 1) for item in sys.argv[2:])

system_getaddrinfo = socket.getaddrinfo


def getaddrinfo(host, *args, **kwargs):
    if isinstance(host, bytes):
        host = host.decode()
    return system_getaddrinfo(names.get(host, host), *args, **kwargs)


socket.getaddrinfo = getaddrinfo


def exit_when_stdin_closes():
    while os.read(sys.stdin.fileno(), 4096):
        pass
    os._exit(0)


threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
asyncio.set_event_loop(asyncio.new_event_loop())
pproxy.server.main(["-l", f"http+socks5://127.0.0.1:{port}"])
