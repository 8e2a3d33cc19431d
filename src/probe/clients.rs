//! The handshakes real clients send, header for header: names in their case and order, values
//! as sent (`Host`, the key and `Origin` filled in per target). Captured from the real clients
//! on 2026-11-30 (issue 11), except Safari's, which is WebKit's order from public reports.

use crate::handshake::{Offer, Value};

/// One client's handshake.
pub struct Shape {
    pub id: &'static str,
    /// Which client and version, and how the shape is known.
    pub about: &'static str,
    pub offer: Offer,
}

fn get(headers: &[(&str, Value)]) -> Offer {
    Offer::get(headers.iter().map(|(n, v)| (n.to_string(), v.clone())).collect())
}

fn t(text: &str) -> Value {
    Value::Text(text.to_string())
}

const CHROME_UA: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
const FIREFOX_UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0";
const FIREFOX_115_UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0";
const SAFARI_UA: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15";

/// Firefox's request with this `Connection` value and `User-Agent`.
fn firefox(connection: &str, ua: &str) -> Offer {
    get(&[
        ("Host", Value::Host),
        ("User-Agent", t(ua)),
        ("Accept", t("*/*")),
        ("Accept-Language", t("en-US,en;q=0.5")),
        ("Accept-Encoding", t("gzip, deflate, br, zstd")),
        ("Sec-WebSocket-Version", t("13")),
        ("Origin", Value::Origin),
        ("Sec-WebSocket-Extensions", t("permessage-deflate")),
        ("Sec-WebSocket-Key", Value::Key),
        ("Connection", t(connection)),
        ("Sec-Fetch-Dest", t("empty")),
        ("Sec-Fetch-Mode", t("websocket")),
        ("Sec-Fetch-Site", t("same-origin")),
        ("Pragma", t("no-cache")),
        ("Cache-Control", t("no-cache")),
        ("Upgrade", t("websocket")),
    ])
}

/// Every client shape, in the order of the matrix.
pub fn shapes() -> Vec<Shape> {
    vec![
        Shape {
            id: "chrome",
            about: "Chromium 156",
            offer: get(&[
                ("Host", Value::Host),
                ("Connection", t("Upgrade")),
                ("Pragma", t("no-cache")),
                ("Cache-Control", t("no-cache")),
                ("User-Agent", t(CHROME_UA)),
                ("Upgrade", t("websocket")),
                ("Origin", Value::Origin),
                ("Sec-WebSocket-Version", t("13")),
                ("Accept-Encoding", t("gzip, deflate, br, zstd")),
                ("Accept-Language", t("en-US,en;q=0.9")),
                ("Sec-WebSocket-Key", Value::Key),
                ("Sec-WebSocket-Extensions", t("permessage-deflate; client_max_window_bits")),
            ]),
        },
        Shape { id: "firefox", about: "Firefox ESR 153", offer: firefox("Upgrade", FIREFOX_UA) },
        Shape {
            id: "firefox-legacy",
            about: "Firefox 7-122 (here 115 ESR): Connection: keep-alive, Upgrade",
            offer: firefox("keep-alive, Upgrade", FIREFOX_115_UA),
        },
        Shape {
            id: "safari",
            about: "Safari 26 (approximate: WebKit's header order from public reports, not captured)",
            offer: get(&[
                ("Upgrade", t("websocket")),
                ("Connection", t("Upgrade")),
                ("Host", Value::Host),
                ("Origin", Value::Origin),
                ("Pragma", t("no-cache")),
                ("Cache-Control", t("no-cache")),
                ("Sec-WebSocket-Key", Value::Key),
                ("Sec-WebSocket-Version", t("13")),
                ("Sec-WebSocket-Extensions", t("permessage-deflate")),
                ("User-Agent", t(SAFARI_UA)),
            ]),
        },
        Shape {
            id: "curl",
            about: "curl 8.17",
            offer: get(&[
                ("Host", Value::Host),
                ("User-Agent", t("curl/8.17.0")),
                ("Accept", t("*/*")),
                ("Upgrade", t("websocket")),
                ("Sec-WebSocket-Version", t("13")),
                ("Sec-WebSocket-Key", Value::Key),
                ("Connection", t("Upgrade")),
            ]),
        },
        Shape {
            id: "python-websockets",
            about: "python websockets 17.4",
            offer: get(&[
                ("Host", Value::Host),
                ("Upgrade", t("websocket")),
                ("Connection", t("Upgrade")),
                ("Sec-WebSocket-Key", Value::Key),
                ("Sec-WebSocket-Version", t("13")),
                ("Sec-WebSocket-Extensions", t("permessage-deflate; client_max_window_bits")),
                ("User-Agent", t("Python/3.13 websockets/17.4")),
            ]),
        },
        Shape {
            id: "node-ws",
            about: "node ws 8.23 (Host last, no User-Agent)",
            offer: get(&[
                ("Sec-WebSocket-Version", t("13")),
                ("Sec-WebSocket-Key", Value::Key),
                ("Connection", t("Upgrade")),
                ("Upgrade", t("websocket")),
                ("Sec-WebSocket-Extensions", t("permessage-deflate; client_max_window_bits")),
                ("Host", Value::Host),
            ]),
        },
        Shape {
            id: "go-gorilla",
            about: "Go gorilla/websocket 1.5",
            offer: get(&[
                ("Host", Value::Host),
                ("User-Agent", t("Go-http-client/1.1")),
                ("Connection", t("Upgrade")),
                ("Sec-WebSocket-Key", Value::Key),
                ("Sec-WebSocket-Version", t("13")),
                ("Upgrade", t("websocket")),
            ]),
        },
        Shape {
            id: "go-coder",
            about: "Go coder/websocket (nhooyr): Go's Sec-Websocket-* spelling",
            offer: get(&[
                ("Host", Value::Host),
                ("User-Agent", t("Go-http-client/1.1")),
                ("Connection", t("Upgrade")),
                (
                    "Sec-Websocket-Extensions",
                    t("permessage-deflate; client_no_context_takeover; server_no_context_takeover"),
                ),
                ("Sec-Websocket-Key", Value::Key),
                ("Sec-Websocket-Version", t("13")),
                ("Upgrade", t("websocket")),
                ("Accept-Encoding", t("gzip")),
            ]),
        },
        Shape {
            id: "okhttp",
            about: "OkHttp 4.12 (Android, JVM)",
            offer: get(&[
                ("Upgrade", t("websocket")),
                ("Connection", t("Upgrade")),
                ("Sec-WebSocket-Key", Value::Key),
                ("Sec-WebSocket-Version", t("13")),
                ("Host", Value::Host),
                ("Accept-Encoding", t("gzip")),
                ("User-Agent", t("okhttp/4.12.0")),
            ]),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Target;

    fn names(id: &str) -> Vec<String> {
        let shape = shapes().into_iter().find(|s| s.id == id).unwrap();
        shape.offer.headers.iter().map(|(n, _)| n.clone()).collect()
    }

    #[test]
    fn the_orders_are_the_captured_ones() {
        assert_eq!(names("node-ws").last().map(String::as_str), Some("Host"));
        assert!(!names("node-ws").iter().any(|n| n == "User-Agent"));
        assert_eq!(names("okhttp")[..2], ["Upgrade", "Connection"]);
        assert!(names("go-coder").contains(&"Sec-Websocket-Key".to_string()));
        assert_eq!(names("chrome")[..4], ["Host", "Connection", "Pragma", "Cache-Control"]);
        assert_eq!(names("firefox").last().map(String::as_str), Some("Upgrade"));
    }

    #[test]
    fn each_renders_a_key_a_host_and_an_origin_for_the_target() {
        let target = Target::parse("wss://example.com:8443/chat").unwrap();
        for shape in shapes() {
            let r = shape.offer.render(&target, None);
            assert_eq!(r.request_line, "GET /chat HTTP/1.1", "{}", shape.id);
            let key = data_encoding::BASE64.decode(r.key.as_deref().unwrap().as_bytes()).unwrap();
            assert_eq!(key.len(), 16, "{}", shape.id);
            assert_eq!(r.header("host"), Some("example.com:8443"), "{}", shape.id);
            if let Some(origin) = r.header("Origin") {
                assert_eq!(origin, "https://example.com:8443");
            }
        }
        let legacy = shapes().into_iter().find(|s| s.id == "firefox-legacy").unwrap();
        assert_eq!(legacy.offer.render(&target, None).header("Connection"), Some("keep-alive, Upgrade"));
    }
}
