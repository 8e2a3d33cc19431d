//! The URL the user gives, and the redaction of its password in messages.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wscheck::target::{Target, redact};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = redact(text);
    if let Ok(t) = Target::parse(text) {
        assert!(!t.host.is_empty());
        assert!(t.resource.starts_with('/'));
        let again = Target::parse(&t.to_string()).expect("a parsed target prints as a valid URL");
        assert_eq!((again.host, again.port, again.resource), (t.host, t.port, t.resource));
    }
});
