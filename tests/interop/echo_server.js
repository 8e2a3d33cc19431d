// An echo server built on node `ws`, for tests/interop.rs.
//
// Listens on 127.0.0.1 on a free port and prints that port, alone on a line, on stdout:
// that line is the readiness signal. Echoes every message. Exits when stdin closes (the
// test that started it is gone) or after LIFETIME_MS (ECHO_SERVER_LIFETIME_S seconds when
// set, as bench/run.sh does), whichever comes first.
//
// permessage-deflate is off (ws's default) unless `--deflate JSON` gives ws's
// `perMessageDeflate` options, e.g. --deflate '{"serverMaxWindowBits":10,"threshold":0}'.
'use strict';

const { WebSocketServer } = require('ws');

const LIFETIME_MS = (Number(process.env.ECHO_SERVER_LIFETIME_S) || 120) * 1000;

const options = { host: '127.0.0.1', port: 0 };
const args = process.argv.slice(2);
if (args.length === 2 && args[0] === '--deflate') {
  options.perMessageDeflate = JSON.parse(args[1]);
} else if (args.length !== 0) {
  process.stderr.write(`usage: echo_server.js [--deflate JSON], not ${args.join(' ')}\n`);
  process.exit(2);
}

const wss = new WebSocketServer(options, () => {
  process.stdout.write(`${wss.address().port}\n`);
});
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  // ws reports a client's protocol error (after closing with 1002/1007) as an 'error'
  // event; without a listener node would end the whole server (wscheck probe sends such frames).
  ws.on('error', () => {});
});

process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
setTimeout(() => process.exit(0), LIFETIME_MS);
