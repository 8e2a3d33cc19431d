// bench/node_client.js: node ws as the client, for bench/run.sh section 4 (issue 16).
//
//   NODE_PATH=... node bench/node_client.js URL LINES-FILE [--deflate]
//
// Sends every line of LINES-FILE as a text message (with --deflate it offers permessage-deflate,
// threshold 0: every message compressed), writes each echo on stdout as a line, and exits 0 once
// as many echoes as lines have come back (1 on an error or an early close). It shows what the
// node ws echo server allows a client that deflates, whatever its language: the server's
// per-message zlib work, not the client, sets the pace.
'use strict';

const fs = require('fs');
const WebSocket = require('ws');

const [url, file, flag] = process.argv.slice(2);
const lines = fs.readFileSync(file, 'utf8').split('\n');
if (lines[lines.length - 1] === '') lines.pop();
const options = flag === '--deflate' ? { perMessageDeflate: { threshold: 0 } } : { perMessageDeflate: false };
const ws = new WebSocket(url, options);
const out = [];
let back = 0;
ws.on('open', () => {
  for (const line of lines) ws.send(line);
});
ws.on('message', (data) => {
  out.push(data.toString());
  back += 1;
  if (back === lines.length) {
    fs.writeSync(1, out.join('\n') + '\n');
    ws.close(1000);
  }
});
ws.on('close', () => process.exit(back === lines.length ? 0 : 1));
ws.on('error', (e) => {
  process.stderr.write(`node_client: ${e.message}\n`);
  process.exit(1);
});
