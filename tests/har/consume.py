"""Open a HAR file with haralyzer, a real HAR consumer, and print what it read.

    python consume.py FILE

Used by tests/har.rs (the venv python that .ci/run makes in target/ci/har). Exits non-zero
when haralyzer cannot read the file or a field a HAR 1.2 entry must have is missing.
"""

import sys

from haralyzer import HarParser

har = HarParser.from_file(sys.argv[1])
print(f"HAR {har.version} by {har.creator['name']} {har.creator['version']}")
if "comment" in har.har_data:
    print(f"comment: {har.har_data['comment']}")
count = 0
for page in har.pages:
    for e in page.entries:
        count += 1
        req, resp = e.request, e.response
        assert e.startTime is not None, "startedDateTime is not a date"
        status = f"{resp.status} {resp.statusText}".strip()
        print(f"{req.method} {e.url} {req.httpVersion} -> {status} {resp.httpVersion}".rstrip())
        print(f"  started {e.startTime.isoformat()}, {e.time} ms, timings {dict(e.timings)}")
        print(f"  server {e.raw_entry.get('serverIPAddress', '-')}, query {req.queryString}")
        print(f"  request headers: {', '.join(h['name'] + ': ' + h['value'] for h in req.headers)}")
        print(f"  response headers: {', '.join(h['name'] + ': ' + h['value'] for h in resp.headers)}")
        print(f"  sizes: request {req.headersSize}/{req.bodySize}, response {resp.headersSize}/{resp.bodySize}, content {resp.contentSize} {resp.mimeType}")
        if "_error" in resp.raw_entry:
            print(f"  error: {resp.raw_entry['_error']}")
        for m in e.raw_entry.get("_webSocketMessages", []):
            print(f"  ws {m['type']:<7} opcode {m['opcode']:<2} {m['data']!r} at {m['time']:.6f}")
print(f"{count} entries")
