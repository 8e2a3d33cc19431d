//! The server's answer: read to the end of the header block, parse, judge, escape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wscheck::checks;
use wscheck::handshake::{Offer, Overlay};
use wscheck::http1;
use wscheck::target::Target;

fuzz_target!(|data: &[u8]| {
    let target = Target::parse("ws://h:9/p").unwrap();
    let overlay = Overlay { subprotocols: vec!["chat".into()], ..Default::default() };
    let request = Offer::wscheck(&overlay).render(&target, None);
    if let Ok((buf, end)) = http1::read_head(&mut &data[..], "--connect-timeout") {
        if let Ok(r) = http1::parse(&buf, end) {
            let verdict = checks::judge(&request, &r, Vec::new());
            assert!(!wscheck::escape::text(&verdict.summary).contains('\u{1b}'));
            for f in verdict.findings {
                let shown = wscheck::escape::text(&f.message);
                assert!(!shown.contains('\u{1b}'));
            }
            for line in &r.lines {
                let shown = wscheck::escape::bytes(&line.bytes);
                assert!(!shown.bytes().any(|b| b < 0x20 || b == 0x7f));
            }
            let _ = http1::read_body_preview(&mut &r.rest[..], &r);
        }
    }
});
