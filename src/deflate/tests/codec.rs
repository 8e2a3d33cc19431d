//! Unit tests of the codec: RFC 7692 §7.2.3's worked examples byte for byte, round trips at
//! every window size, the cap on inflated size, and data that is not DEFLATE.

use std::time::{Duration, Instant};

use super::*;

const MIB: usize = 1 << 20;

#[test]
fn rfc_7692_7_2_3_1_hello() {
    let mut c = Compressor::new(15, false);
    assert_eq!(c.compress(b"Hello").unwrap(), [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    let mut i = Inflater::new(15, false);
    assert_eq!(i.inflate(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], 100).unwrap(), b"Hello");
}

#[test]
fn rfc_7692_7_2_3_2_context_takeover() {
    let mut c = Compressor::new(15, false);
    assert_eq!(c.compress(b"Hello").unwrap(), [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    assert_eq!(c.compress(b"Hello").unwrap(), [0xf2, 0x00, 0x11, 0x00, 0x00]);
    let mut i = Inflater::new(15, false);
    assert_eq!(i.inflate(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], 100).unwrap(), b"Hello");
    assert_eq!(i.inflate(&[0xf2, 0x00, 0x11, 0x00, 0x00], 100).unwrap(), b"Hello");
}

#[test]
fn no_context_takeover_resets_both_sides() {
    let mut c = Compressor::new(15, true);
    assert_eq!(c.compress(b"Hello").unwrap(), [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    assert_eq!(c.compress(b"Hello").unwrap(), [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00]);
    // A peer without context takeover: its second message refers back to nothing.
    let mut i = Inflater::new(15, true);
    assert_eq!(i.inflate(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], 100).unwrap(), b"Hello");
    assert_eq!(i.inflate(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], 100).unwrap(), b"Hello");
    // ... and one that relies on a context the agreement ruled out is an error.
    let mut i = Inflater::new(15, true);
    i.inflate(&[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00], 100).unwrap();
    assert!(matches!(i.inflate(&[0xf2, 0x00, 0x11, 0x00, 0x00], 100), Err(InflateError::Invalid(_))));
}

#[test]
fn rfc_7692_7_2_3_3_no_compression_block() {
    let mut i = Inflater::new(15, false);
    let stored = [0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00];
    assert_eq!(i.inflate(&stored, 100).unwrap(), b"Hello");
}

#[test]
fn rfc_7692_7_2_3_4_bfinal_and_what_follows() {
    let mut i = Inflater::new(15, false);
    assert_eq!(i.inflate(&[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00], 100).unwrap(), b"Hello");
    // The stream ended, the context did not: the §7.2.3.2 reference back still resolves.
    assert_eq!(i.inflate(&[0xf2, 0x00, 0x11, 0x00, 0x00], 100).unwrap(), b"Hello");
    // Blocks after a final block in the same message (§7.2.1): "Hello" twice.
    let mut i = Inflater::new(15, false);
    let two = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xf2, 0x00, 0x11, 0x00, 0x00];
    assert_eq!(i.inflate(&two, 100).unwrap(), b"HelloHello");
}

#[test]
fn rfc_7692_7_2_3_5_two_blocks_and_fragments() {
    let two = [0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00];
    assert_eq!(Inflater::new(15, false).inflate(&two, 100).unwrap(), b"Hello");
    // The same bytes pushed one at a time, as fragments of one message.
    let mut i = Inflater::new(15, false);
    let mut out = Vec::new();
    for b in two {
        i.push(&[b], &mut out, 100).unwrap();
    }
    i.finish(&mut out, 100).unwrap();
    assert_eq!(out, b"Hello");
}

#[test]
fn empty_messages() {
    for no_context_takeover in [false, true] {
        let mut c = Compressor::new(15, no_context_takeover);
        let mut i = Inflater::new(15, no_context_takeover);
        for msg in [&b""[..], b"", b"x", b"", b"x"] {
            let wire = c.compress(msg).unwrap();
            assert!(!wire.is_empty());
            assert_eq!(i.inflate(&wire, 100).unwrap(), msg);
        }
    }
    assert_eq!(Compressor::new(15, false).compress(b"").unwrap(), [0x00]);
    // An empty compressed payload is not an empty message: it leaves a stored block open.
    assert!(matches!(Inflater::new(15, false).inflate(&[], 100), Err(InflateError::Invalid(_))));
}

/// Text with matches far and near, and bytes that do not compress.
fn sample(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        if x.is_multiple_of(3) {
            let start = v.len().saturating_sub((x >> 8) as usize % 40_000);
            let len = ((x >> 4) as usize % 200).min(v.len() - start);
            v.extend_from_within(start..start + len);
        } else {
            v.push((x >> 16) as u8);
        }
    }
    v.truncate(n);
    v
}

#[test]
fn round_trips_at_every_window_size() {
    for bits in 8..=15u8 {
        for no_context_takeover in [false, true] {
            let mut c = Compressor::new(bits, no_context_takeover);
            let mut i = Inflater::new(bits, no_context_takeover);
            for (n, msg) in [0, 1, 100, 5_000, 70_000].into_iter().enumerate() {
                let data = sample(msg, n as u32 + u32::from(bits));
                let wire = c.compress(&data).unwrap();
                assert!(!wire.ends_with(&TAIL), "bits {bits}: the tail is stripped");
                assert_eq!(i.inflate(&wire, 1 << 20).unwrap(), data, "bits {bits}, message {n}");
            }
        }
    }
}

#[test]
fn context_takeover_makes_repeats_small() {
    let line = b"{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"price\":\"43210.12\"}";
    let mut c = Compressor::new(15, false);
    let first = c.compress(line).unwrap().len();
    let second = c.compress(line).unwrap().len();
    assert!(second * 4 < first, "{first} then {second}");
    let mut fresh = Compressor::new(15, true);
    assert_eq!(fresh.compress(line).unwrap().len(), first);
    assert_eq!(fresh.compress(line).unwrap().len(), first);
}

/// 100 MB of zeros is ~100 KB of DEFLATE: inflating it with a 1 MiB cap stops at the cap,
/// in little time, with the output never past the cap + 1.
#[test]
fn a_zip_bomb_stops_at_the_cap() {
    let bomb = Compressor::new(15, false).compress(&vec![0u8; 100_000_000]).unwrap();
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let mut i = Inflater::new(15, false);
    let started = Instant::now();
    let mut out = Vec::new();
    let e = i.push(&bomb, &mut out, MIB).unwrap_err();
    assert_eq!(e, InflateError::TooBig { size: MIB + 1, max: MIB });
    assert!(out.capacity() <= MIB + 1, "{}", out.capacity());
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    // Exactly at the cap is allowed, one byte over is not.
    let wire = Compressor::new(15, false).compress(&vec![7u8; 1000]).unwrap();
    assert_eq!(Inflater::new(15, false).inflate(&wire, 1000).unwrap().len(), 1000);
    assert_eq!(Inflater::new(15, false).inflate(&wire, 999), Err(InflateError::TooBig { size: 1000, max: 999 }));
}

#[test]
fn invalid_data_is_an_error() {
    for bad in [&[0xff, 0xff, 0xff][..], &[0x07], &[0xf2, 0x00, 0x11, 0x00, 0x00], b"plain text, not deflate"] {
        let e = Inflater::new(15, false).inflate(bad, MIB).unwrap_err();
        assert!(matches!(&e, InflateError::Invalid(why) if !why.is_empty()), "{bad:02x?}: {e:?}");
        assert!(e.to_string().starts_with("invalid compressed data: "), "{e}");
    }
}

#[test]
fn a_flood_of_final_blocks_is_bounded() {
    // Empty fixed-Huffman blocks with BFINAL set: `03 00` each.
    let finals: Vec<u8> = std::iter::repeat_n([0x03, 0x00], 65).flatten().collect();
    assert!(matches!(Inflater::new(15, false).inflate(&finals, MIB), Err(InflateError::Invalid(_))));
    // Ten, then the stored block header that the tail completes, as in the §7.2.3.4 example.
    let mut few: Vec<u8> = std::iter::repeat_n([0x03, 0x00], 10).flatten().collect();
    few.push(0x00);
    assert_eq!(Inflater::new(15, false).inflate(&few, MIB).unwrap(), b"");
}
