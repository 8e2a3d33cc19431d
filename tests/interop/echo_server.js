// An echo server built on node `ws`, for tests/interop.rs.
//
// Listens on 127.0.0.1 on a free port and prints that port, alone on a line, on stdout:
// that line is the readiness signal. Echoes every message. Exits when stdin closes (the
// test that started it is gone) or after LIFETIME_MS, whichever comes first.
'use strict';

const { WebSocketServer } = require('ws');

const LIFETIME_MS = 120 * 1000;

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => {
  process.stdout.write(`${wss.address().port}\n`);
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), LIFETIME_MS);
