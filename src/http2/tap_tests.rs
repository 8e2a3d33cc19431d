//! The tap's unit tests: exact frames, HPACK blocks from RFC 7541 Appendix C (Huffman
//! strings, dynamic-table references), split and padded frames, garbage and bounds.

use super::*;
use crate::http2::frames::MAX_DEBUG;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len();
    let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

fn fields(list: &[(&str, &str)]) -> Vec<Field> {
    list.iter().map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec())).collect()
}

/// A server-side view: the peer's (client's) bytes come in, starting with the preface.
fn server_tap_with(bytes: &[u8]) -> Tap {
    let mut tap = Tap::server();
    tap.feed(Dir::In, bytes);
    tap
}

const EMPTY_SETTINGS: [u8; 9] = [0, 0, 0, 4, 0, 0, 0, 0, 0];

#[test]
fn records_settings_in_wire_order_with_names() {
    let mut tap = Tap::client();
    let mut out = PREFACE.to_vec();
    out.extend(frame(4, 0, 0, &hex("0002 00000000 0004 00200000")));
    tap.feed(Dir::Out, &out);
    // The server's SETTINGS, fed one byte at a time: RFC 8441's setting, then two more.
    let inbound = frame(4, 0, 0, &hex("0008 00000001 0003 00000064 0004 0000ffff"));
    for b in &inbound {
        tap.feed(Dir::In, std::slice::from_ref(b));
    }
    tap.feed(Dir::In, &frame(4, 1, 0, &[]));
    let s = tap.settings(Dir::In).unwrap();
    let named: Vec<_> = s.iter().map(|s| (s.name(), s.value)).collect();
    assert_eq!(
        named,
        [
            ("ENABLE_CONNECT_PROTOCOL".to_string(), 1),
            ("MAX_CONCURRENT_STREAMS".to_string(), 100),
            ("INITIAL_WINDOW_SIZE".to_string(), 65535)
        ]
    );
    assert_eq!(tap.settings(Dir::Out).unwrap(), [Setting { id: 2, value: 0 }, Setting { id: 4, value: 0x200000 }]);
    assert!(
        matches!(tap.records().last(), Some(Record::Settings { dir: Dir::In, ack: true, settings }) if settings.is_empty())
    );
    assert_eq!(Setting { id: 0x4242, value: 0 }.name(), "0x4242");
    assert!(tap.garbled(Dir::In).is_none() && tap.garbled(Dir::Out).is_none());
}

#[test]
fn decodes_huffman_requests_through_the_dynamic_table_across_padding_priority_and_continuation() {
    // RFC 7541 C.4.1-C.4.3: three requests on one connection, Huffman-coded, each after the
    // first using entries the earlier ones added to the dynamic table.
    let c41 = hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff");
    let c42 = hex("8286 84be 5886 a8eb 1064 9cbf");
    let c43 = hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf");
    let mut bytes = PREFACE.to_vec();
    bytes.extend(EMPTY_SETTINGS);
    bytes.extend(frame(1, 0x4 | 0x1, 1, &c41));
    // C.4.2 with PADDED (3 bytes) and PRIORITY, split inside the Huffman "no-cache" into a CONTINUATION.
    let mut p = vec![3, 0x80, 0, 0, 1, 15];
    p.extend_from_slice(&c42[..8]);
    p.extend([0, 0, 0]);
    bytes.extend(frame(1, 0x8 | 0x20, 3, &p));
    bytes.extend(frame(9, 0x4, 3, &c42[8..]));
    bytes.extend(frame(1, 0x4, 5, &c43));
    // Fed in awkward pieces: 7 bytes at a time.
    let mut tap = Tap::server();
    bytes.chunks(7).for_each(|c| tap.feed(Dir::In, c));
    let base = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")];
    assert_eq!(tap.headers(Dir::In, 1).unwrap(), fields(&base));
    let mut second = base.to_vec();
    second.push(("cache-control", "no-cache"));
    assert_eq!(tap.headers(Dir::In, 3).unwrap(), fields(&second));
    let third = [
        (":method", "GET"),
        (":scheme", "https"),
        (":path", "/index.html"),
        (":authority", "www.example.com"),
        ("custom-key", "custom-value"),
    ];
    assert_eq!(tap.headers(Dir::In, 5).unwrap(), fields(&third));
    let ends: Vec<_> = tap
        .records()
        .filter_map(|r| if let Record::Headers { end_stream, .. } = r { Some(*end_stream) } else { None })
        .collect();
    assert_eq!(ends, [true, false, false]);
    assert_eq!(tap.first_headers(Dir::In).unwrap().0, 1);
}

#[test]
fn decodes_huffman_responses_that_reuse_the_dynamic_table() {
    // RFC 7541 C.6.1-C.6.3, server to client.
    let c61 = hex(
        "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
    );
    let c62 = hex("4883 640e ffc1 c0bf");
    let c63 = hex(
        "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
    );
    let mut tap = Tap::client();
    let mut inbound = EMPTY_SETTINGS.to_vec();
    inbound.extend(frame(1, 0x4, 1, &c61));
    inbound.extend(frame(1, 0x4, 3, &c62));
    inbound.extend(frame(1, 0x4 | 0x1, 5, &c63));
    tap.feed(Dir::In, &inbound);
    let date = ("date", "Mon, 21 Oct 2013 20:13:21 GMT");
    let loc = ("location", "https://www.example.com");
    assert_eq!(
        tap.headers(Dir::In, 1).unwrap(),
        fields(&[(":status", "302"), ("cache-control", "private"), date, loc])
    );
    assert_eq!(
        tap.headers(Dir::In, 3).unwrap(),
        fields(&[(":status", "307"), ("cache-control", "private"), date, loc])
    );
    let third = fields(&[
        (":status", "200"),
        ("cache-control", "private"),
        ("date", "Mon, 21 Oct 2013 20:13:22 GMT"),
        loc,
        ("content-encoding", "gzip"),
        ("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"),
    ]);
    assert_eq!(tap.headers(Dir::In, 5).unwrap(), third);
}

#[test]
fn records_end_stream_reset_and_goaway_with_their_codes() {
    let mut tap = Tap::client();
    let mut inbound = EMPTY_SETTINGS.to_vec();
    inbound.extend(frame(0, 0x8 | 0x1, 1, &[2, b'h', b'i', 0, 0])); // padded DATA with END_STREAM
    inbound.extend(frame(0, 0, 1, b"more"));
    inbound.extend(frame(3, 0, 1, &8u32.to_be_bytes()));
    inbound.extend(frame(7, 0, 0, &[&[0, 0, 0, 1][..], &[0, 0, 0, 0], b"bye"].concat()));
    inbound.extend(frame(6, 1, 0, &[0; 8])); // PING ACK: not recorded
    tap.feed(Dir::In, &inbound);
    tap.closed(Dir::In);
    tap.closed(Dir::In);
    let recorded: Vec<_> = tap.records().skip(1).cloned().collect();
    assert_eq!(
        recorded,
        [
            Record::EndStream { dir: Dir::In, stream: 1 },
            Record::Reset { dir: Dir::In, stream: 1, code: 8 },
            Record::GoAway { dir: Dir::In, last_stream: 1, code: 0, debug: b"bye".to_vec() },
            Record::Closed { dir: Dir::In },
        ]
    );
    assert_eq!(error_name(8), "CANCEL");
    assert_eq!(error_name(0), "NO_ERROR");
    assert_eq!(error_name(13), "HTTP_1_1_REQUIRED");
    assert_eq!(error_name(0x42), "0x42");
}

#[test]
fn an_http1_answer_is_not_http2_and_keeps_its_first_bytes() {
    let mut tap = Tap::client();
    tap.feed(Dir::In, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    tap.feed(Dir::In, b"more bytes after it are ignored");
    let (why, bytes) = tap.garbled(Dir::In).unwrap();
    assert!(why.contains("not HTTP/2"), "{why}");
    assert_eq!(bytes, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(tap.records().count(), 1);
}

#[test]
fn a_wrong_preface_is_named() {
    let tap = server_tap_with(b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(tap.garbled(Dir::In).unwrap(), ("not the HTTP/2 connection preface", &b"GET / HTTP/1.1\r\n\r\n"[..]));
    // A preface split anywhere is still a preface.
    let mut tap = Tap::server();
    let (a, b) = PREFACE.split_at(5);
    tap.feed(Dir::In, a);
    tap.feed(Dir::In, b);
    tap.feed(Dir::In, &EMPTY_SETTINGS);
    assert!(tap.garbled(Dir::In).is_none());
    assert_eq!(tap.settings(Dir::In), Some(&[][..]));
}

#[test]
fn an_undecodable_block_stops_hpack_but_not_the_frames() {
    let mut tap = Tap::client();
    let mut inbound = EMPTY_SETTINGS.to_vec();
    inbound.extend(frame(1, 0x4, 1, &[0xff, 0xff, 0xff, 0xff, 0x0f])); // index far out of the table
    inbound.extend(frame(1, 0x4, 3, &[0x88])); // decodable alone, but the table is now unknown
    inbound.extend(frame(3, 0, 3, &1u32.to_be_bytes()));
    tap.feed(Dir::In, &inbound);
    assert!(tap.garbled(Dir::In).unwrap().0.contains("HPACK"));
    assert!(tap.headers(Dir::In, 3).is_none());
    assert!(tap.records().any(|r| *r == Record::Reset { dir: Dir::In, stream: 3, code: 1 }));
}

#[test]
fn malformed_frames_are_named_not_panics() {
    let cases: [(Vec<u8>, &str); 5] = [
        (frame(1, 0x8 | 0x4, 1, &[9, 0x88]), "padding"),
        (frame(1, 0x20 | 0x4, 1, &[0, 0]), "priority"),
        ([frame(1, 0, 1, &[0x88]), frame(0, 0, 1, b"x")].concat(), "interrupted"),
        (frame(4, 0, 0, &[0, 1, 0]), "multiple of 6"),
        (frame(7, 0, 0, &[0, 0, 0]), "too short"),
    ];
    for (bytes, word) in cases {
        let mut tap = Tap::client();
        tap.feed(Dir::In, &[&EMPTY_SETTINGS[..], &bytes].concat());
        let why = tap.garbled(Dir::In).map(|g| g.0.to_string()).unwrap_or_default();
        assert!(why.contains(word), "{word}: {why:?}");
    }
}

#[test]
fn the_peer_table_size_setting_bounds_size_updates() {
    // A size update to 8192 (0x3f 0xe1 0x3f), then :method GET.
    let block = frame(1, 0x4, 1, &[0x3f, 0xe1, 0x3f, 0x82]);
    let mut tap = Tap::client();
    tap.feed(Dir::In, &[&EMPTY_SETTINGS[..], &block].concat());
    assert!(tap.garbled(Dir::In).is_some(), "8192 was never allowed");
    let mut tap = Tap::client();
    tap.feed(Dir::Out, &[PREFACE, &frame(4, 0, 0, &hex("0001 00002000"))[..]].concat());
    tap.feed(Dir::In, &[&EMPTY_SETTINGS[..], &block].concat());
    assert_eq!(tap.headers(Dir::In, 1).unwrap(), fields(&[(":method", "GET")]));
}

#[test]
fn memory_is_bounded() {
    let mut tap = Tap::client();
    tap.feed(Dir::In, &EMPTY_SETTINGS);
    // A DATA frame of 16 MiB - 1 is skipped, not buffered.
    tap.feed(Dir::In, &[0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1]);
    let chunk = vec![0u8; 1 << 16];
    for _ in 0..255 {
        tap.feed(Dir::In, &chunk);
    }
    assert_eq!(tap.inbound.payload.capacity(), 0);
    tap.feed(Dir::In, &chunk[..(1 << 16) - 1]);
    // Thousands of records: the first and the last are kept, the middle counted.
    for i in 0..1000u32 {
        tap.feed(Dir::In, &frame(3, 0, 2 * i + 1, &i.to_be_bytes()));
    }
    assert_eq!(tap.records().count(), KEEP_FIRST + KEEP_LAST);
    assert_eq!(tap.dropped, 1001 - KEEP_FIRST - KEEP_LAST);
    assert_eq!(tap.records().last(), Some(&Record::Reset { dir: Dir::In, stream: 1999, code: 999 }));
    // GOAWAY debug data is cut at MAX_DEBUG.
    tap.feed(Dir::In, &frame(7, 0, 0, &[&[0u8; 8][..], &[b'x'; 5000]].concat()));
    assert!(matches!(tap.records().last(), Some(Record::GoAway { debug, .. }) if debug.len() == MAX_DEBUG));
    // A header block with more than MAX_FIELDS_BYTES of fields keeps the first ones.
    let mut big = Vec::new();
    for _ in 0..20 {
        big.extend([0x00, 0x01, b'x', 0x7f, 0xc1, 0x3d]); // literal "x" with an 8000-byte value
        big.extend(vec![b'v'; 8000]);
    }
    tap.feed(Dir::In, &frame(1, 0x4, 9, &big));
    assert!(matches!(tap.records().last(), Some(Record::Headers { truncated: true, fields, .. }) if fields.len() == 8));
}

proptest::proptest! {
    #[test]
    fn no_bytes_make_it_panic(a in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
                             b in proptest::collection::vec(proptest::num::u8::ANY, 0..600),
                             split in 0usize..600) {
        let mut tap = Tap::client();
        tap.feed(Dir::Out, PREFACE);
        tap.feed(Dir::In, &EMPTY_SETTINGS);
        let (x, y) = a.split_at(split.min(a.len()));
        tap.feed(Dir::In, x);
        tap.feed(Dir::In, y);
        tap.feed(Dir::Out, &b);
        // Random header blocks in well-formed frames reach the HPACK decoder itself.
        tap.feed(Dir::In, &frame(1, 0x4, 1, &b));
        let _ = tap.records().count();
    }
}
