//! Properties over arbitrary bytes, run on every CI run: the response parser never panics
//! and never reads past its cap, and the escaper never lets a control byte through.

use proptest::prelude::*;
use wscheck::checks;
use wscheck::escape;
use wscheck::event::Level;
use wscheck::handshake::{Offer, Overlay, Request};
use wscheck::http1;
use wscheck::target::Target;

const LRE: char = '\u{202a}';
const RLO: char = '\u{202e}';

fn request() -> Request {
    let target = Target::parse("ws://h/").unwrap();
    Offer::wscheck(&Overlay::default()).render(&target, None)
}

/// Bytes that look like an HTTP response often enough to get past the first checks.
fn responses() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        Just(b"Upgrade: websocket".to_vec()),
        Just(b"Connection: Upgrade".to_vec()),
        Just(b"Sec-WebSocket-Accept: x".to_vec()),
        Just(b"Sec-WebSocket-Protocol: a, b".to_vec()),
        Just(b"Sec-WebSocket-Origin: x".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..40),
    ];
    let ending = prop_oneof![Just(b"\r\n".to_vec()), Just(b"\n".to_vec())];
    (
        prop_oneof![
            Just(b"HTTP/1.1 101 Switching Protocols\r\n".to_vec()),
            Just(b"HTTP/1.1 101\n".to_vec()),
            Just(b"HTTP/1.0 200 OK\r\n".to_vec()),
            Just(b"HTTP/1.1 426 Upgrade Required\r\n".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..16)
        ],
        proptest::collection::vec((line, ending), 0..12),
        proptest::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(status, lines, tail)| {
            let mut out = status;
            for (l, e) in lines {
                out.extend(l);
                out.extend(e);
            }
            out.extend_from_slice(b"\r\n");
            out.extend(tail);
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parser_never_panics(data in prop_oneof![responses(), proptest::collection::vec(any::<u8>(), 0..512)]) {
        let req = request();
        if let Ok((buf, end)) = http1::read_head(&mut &data[..], "--connect-timeout") {
            prop_assert!(end <= buf.len());
            prop_assert!(end <= http1::MAX_HEAD);
            if let Ok(r) = http1::parse(&buf, end) {
                let verdict = checks::judge(&req, &r, Vec::new());
                prop_assert!(!verdict.findings.is_empty());
                // The verdict agrees with its findings, and each finding's level with its `ok`.
                prop_assert_eq!(verdict.switched(), r.status == 101);
                prop_assert_eq!(verdict.ok, verdict.switched() && !verdict.findings.iter().any(|f| f.is_error()));
                for f in &verdict.findings {
                    prop_assert!(f.level != Level::Ok || f.ok, "{:?}", f);
                    prop_assert!(!matches!(f.level, Level::Error | Level::Warning) || !f.ok, "{:?}", f);
                }
                for h in &r.headers {
                    prop_assert!(h.line < r.lines.len());
                }
            }
        }
    }

    #[test]
    fn the_header_cap_holds(len in (http1::MAX_HEAD - 64)..(http1::MAX_HEAD + 64)) {
        // A header block of exactly `len` bytes, then bytes of the session.
        let mut data = b"HTTP/1.1 101 Switching Protocols\r\nX-Pad: ".to_vec();
        data.resize(len - 4, b'a');
        data.extend_from_slice(b"\r\n\r\nframes");
        let mut stream = &data[..];
        match http1::read_head(&mut stream, "--connect-timeout") {
            Ok((buf, end)) => {
                prop_assert!(len <= http1::MAX_HEAD, "a {len}-byte header was accepted");
                prop_assert_eq!(end, len);
                // What was read past the header, then what is still in the stream: the session's bytes.
                prop_assert_eq!([&buf[end..], stream].concat(), b"frames");
            }
            Err(f) => {
                prop_assert!(len > http1::MAX_HEAD, "a {len}-byte header was refused: {}", f.message);
                prop_assert!(f.message.contains("larger than 64 KiB"), "{}", f.message);
            }
        }
    }

    #[test]
    fn escaped_bytes_have_no_controls(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        let shown = escape::bytes(&data);
        prop_assert!(!shown.chars().any(|c| c.is_control()));
        prop_assert!(!shown.contains(RLO), "an RLO survived: {:?}", shown);
        // Printable ASCII without backslashes passes unchanged.
        if data.iter().all(|b| (0x20..0x7f).contains(b) && *b != b'\\') {
            prop_assert_eq!(shown.as_bytes(), &data[..]);
        }
    }

    #[test]
    fn escaped_text_has_no_controls(s in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}\\u{200b}-\\u{202e}]*") {
        let shown = escape::text(&s);
        prop_assert!(!shown.chars().any(|c| c.is_control() || (LRE..=RLO).contains(&c)), "{:?}", shown);
    }
}
