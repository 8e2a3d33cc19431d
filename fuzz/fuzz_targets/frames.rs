//! The session reading arbitrary server bytes: frames decoded by tungstenite as our client
//! configures it (bounded message size), every payload escaped as the transcript does.
#![no_main]

use std::io::{self, Read, Write};

use libfuzzer_sys::fuzz_target;
use tungstenite::protocol::{Role, WebSocket, WebSocketConfig};

/// The server's bytes to read; what we write is dropped.
struct Peer<'a>(&'a [u8]);

impl Read for Peer<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Peer<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let config = WebSocketConfig::default().max_message_size(Some(1 << 16)).max_frame_size(Some(1 << 16));
    let mut ws = WebSocket::from_partially_read(Peer(data), Vec::new(), Role::Client, Some(config));
    for _ in 0..10_000 {
        match ws.read() {
            Ok(msg) => {
                let shown = wscheck::escape::bytes(&msg.into_data());
                assert!(!shown.contains('\u{1b}'));
            }
            Err(_) => break,
        }
    }
});
