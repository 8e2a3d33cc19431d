//! The server's answer: read to the end of the header block, parse, judge, escape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wscheck::handshake::{Offer, Overlay, findings, explain, response};
use wscheck::target::Target;

fuzz_target!(|data: &[u8]| {
    let target = Target::parse("ws://h:9/p").unwrap();
    let overlay = Overlay { subprotocols: vec!["chat".into()], ..Default::default() };
    let request = Offer::wscheck(&overlay).render(&target, None);
    if let Ok((buf, end)) = response::read_head(&mut &data[..]) {
        if let Ok(r) = response::parse(&buf, end) {
            let found = if r.status == 101 { findings::check(&request, &r) } else { explain::explain(&request, &r) };
            for f in found {
                let shown = wscheck::escape::text(&f.message);
                assert!(!shown.contains('\u{1b}'));
            }
            for line in &r.lines {
                let shown = wscheck::escape::bytes(&line.bytes);
                assert!(!shown.bytes().any(|b| b < 0x20 || b == 0x7f));
            }
            let _ = response::read_body_preview(&mut &r.rest[..], &r);
        }
    }
});
