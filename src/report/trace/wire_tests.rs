//! The wire reader: heads, masking, frames split across reads, and what is not read.

use super::*;

/// A block as (header, bytes shown, notes).
type Shown = (bool, Vec<u8>, Vec<(usize, String)>);

fn feed_all(r: &mut Reader, chunks: &[&[u8]], switched: &mut bool) -> Vec<Shown> {
    let mut out = Vec::new();
    for chunk in chunks {
        for b in r.feed(chunk, switched) {
            out.push((b.header, b.bytes.into_owned(), b.notes));
        }
    }
    out
}

#[test]
fn credentials_in_a_request_are_masked_byte_for_byte_keeping_the_scheme() {
    let mut switched = false;
    let mut r = Reader::new(true, false);
    let req = b"GET / HTTP/1.1\r\nAuthorization: Basic dXNlcjpwYXNz\r\nCookie: a=b; c=d\r\nX-Auth: open\r\n\r\n";
    let blocks = feed_all(&mut r, &[req], &mut switched);
    assert_eq!(blocks.len(), 1);
    let (header, bytes, _) = &blocks[0];
    assert!(header);
    assert_eq!(bytes.len(), req.len());
    assert_eq!(
        String::from_utf8_lossy(bytes),
        "GET / HTTP/1.1\r\nAuthorization: Basic ************\r\nCookie: ********\r\nX-Auth: open\r\n\r\n"
    );
    // Shown as sent with --show-secrets.
    let mut r = Reader::new(true, true);
    assert_eq!(feed_all(&mut r, &[req], &mut switched)[0].1, req.to_vec());
}

#[test]
fn masking_holds_across_reads_and_folded_lines() {
    let mut switched = false;
    let mut r = Reader::new(false, false);
    let chunks: [&[u8]; 4] = [b"HTTP/1.1 200 OK\r\nSet-Coo", b"kie: sec", b"ret\r\n more\r\nX: y\r\n", b"\r\nbody"];
    let shown: Vec<u8> = feed_all(&mut r, &chunks, &mut switched).into_iter().flat_map(|b| b.1).collect();
    assert_eq!(String::from_utf8_lossy(&shown), "HTTP/1.1 200 OK\r\nSet-Cookie: ******\r\n ****\r\nX: y\r\n\r\nbody");
    assert!(!switched, "a 200 is not a switch");
}

#[test]
fn a_fragmented_message_is_annotated_frame_by_frame_across_reads() {
    let mut switched = false;
    let mut r = Reader::new(false, false);
    let head: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\r\n";
    // "hel" (FIN=0, text) then "lo" (FIN=1, continuation); the second header split across reads.
    let frames: [&[u8]; 3] = [&[0x01, 0x03, b'h', b'e', b'l', 0x80], &[0x02, b'l'], b"o"];
    let blocks = feed_all(&mut r, &[head, frames[0], frames[1], frames[2]], &mut switched);
    assert!(switched);
    assert!(blocks[0].0 && !blocks[1].0);
    let notes: Vec<_> = blocks.iter().flat_map(|b| b.2.clone()).collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(notes[0], (0, "Frame: FIN=0 RSV1=0 RSV2=0 RSV3=0 opcode=0x1 (text) MASK=0 length=3".to_string()));
    assert_eq!(
        notes[1],
        (0, "Frame: FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0x0 (continuation) MASK=0 length=2 (its header began in the read before)".to_string())
    );
}

#[test]
fn client_frames_after_a_101_show_mask_key_and_extended_lengths() {
    let mut switched = false;
    let mut sent = Reader::new(true, false);
    let mut received = Reader::new(false, false);
    feed_all(&mut sent, &[b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"], &mut switched);
    feed_all(&mut received, &[b"HTTP/1.1 101 OK\r\n\r\n"], &mut switched);
    let mut frame = vec![0xc2, 0x80 | 126, 0x01, 0x00, 0x37, 0xfa, 0x21, 0x3d];
    frame.extend(vec![0u8; 256]);
    frame.extend([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe9 ^ 2]);
    let blocks = feed_all(&mut sent, &[&frame], &mut switched);
    assert_eq!(
        blocks[0].2,
        vec![
            (
                0,
                format!(
                    "Frame: FIN=1 RSV1=1 RSV2=0 RSV3=0 opcode=0x2 (binary) MASK=1 key=37fa213d length=256 unmasked: \"{}\"...",
                    "7.!=".repeat(12)
                )
            ),
            (
                264,
                "Frame: FIN=1 RSV1=0 RSV2=0 RSV3=0 opcode=0x8 (close) MASK=1 key=01020304 length=2 code=1001 unmasked: \"..\""
                    .to_string()
            ),
        ]
    );
}

#[test]
fn a_masked_payload_is_shown_unmasked_in_its_annotation() {
    let mut frames = Frames::default();
    let key = [0x11, 0x22, 0x33, 0x44];
    let mut bytes = vec![0x81, 0x85];
    bytes.extend(key);
    bytes.extend(b"hello".iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    let mut notes = Vec::new();
    frames.feed(&bytes, &mut notes);
    assert!(notes[0].1.ends_with("MASK=1 key=11223344 length=5 unmasked: \"hello\""), "{notes:?}");
}

#[test]
fn interim_answers_read_on_and_refusals_are_not_read_as_frames() {
    let mut switched = false;
    let mut r = Reader::new(false, false);
    let blocks = feed_all(&mut r, &[b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 OK\r\n\r\n\x81\x00"], &mut switched);
    assert_eq!(blocks.len(), 2, "the two heads are one block: {blocks:?}");
    assert_eq!(blocks[1].2.len(), 1);
    let mut r = Reader::new(false, false);
    let mut switched = false;
    let blocks = feed_all(&mut r, &[b"HTTP/1.1 404 Not Found\n\n\x81\x00"], &mut switched);
    assert!(!switched && blocks[1].2.is_empty(), "{blocks:?}");
}

#[test]
fn what_is_not_http_is_shown_unread_and_a_socks_password_masked() {
    let mut switched = false;
    // HTTP/2's preface, and a server's SETTINGS.
    let mut sent = Reader::new(true, false);
    let blocks = feed_all(&mut sent, &[b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"], &mut switched);
    assert!(!blocks[0].0 && blocks[0].2.is_empty());
    let mut received = Reader::new(false, false);
    assert!(!feed_all(&mut received, &[&[0, 0, 6, 4, 0]], &mut switched)[0].0);
    // SOCKS5: greeting, then RFC 1929's user/password.
    let mut socks = Reader::new(true, false);
    let blocks = feed_all(&mut socks, &[&[5, 2, 0, 2], &[1, 3, b'b', b'o', b'b', 2, b'p', b'w']], &mut switched);
    assert_eq!(blocks[1].1, vec![1, 3, b'b', b'o', b'b', 2, b'*', b'*']);
    let mut socks = Reader::new(true, true);
    let blocks = feed_all(&mut socks, &[&[5, 2, 0, 2], &[1, 3, b'b', b'o', b'b', 2, b'p', b'w']], &mut switched);
    assert_eq!(blocks[1].1, vec![1, 3, b'b', b'o', b'b', 2, b'p', b'w']);
}
