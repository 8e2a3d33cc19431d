//! permessage-deflate negotiation (RFC 7692 §5, §7.1): the `Sec-WebSocket-Extensions` grammar,
//! the offers in a request, the judgement of a server's answer (the `deflate-params` finding)
//! and, for `serve --deflate`, the answer a server gives.
//!
//! Names are compared exactly (`permessage-deflate`, `server_no_context_takeover`, …), as
//! browsers and python websockets do: a server that answers `Server_No_Context_Takeover` fails
//! in a browser, so it fails here.

use std::fmt;

/// The extension's registered name.
pub const EXTENSION: &str = "permessage-deflate";

/// What `--deflate` sends: Chrome's offer, word for word.
pub const OFFER: &str = "permessage-deflate; client_max_window_bits";

mod syntax;

pub use syntax::{Extension, parse_extensions};

/// `client_max_window_bits` in an offer: absent, without a value, or with one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientWindow {
    #[default]
    Absent,
    NoValue,
    Value(u8),
}

/// One valid permessage-deflate offer of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeflateOffer {
    pub server_no_context_takeover: bool,
    pub client_no_context_takeover: bool,
    pub server_max_window_bits: Option<u8>,
    pub client_max_window_bits: ClientWindow,
}

impl DeflateOffer {
    /// Chrome's offer: [`OFFER`].
    pub fn chrome() -> DeflateOffer {
        DeflateOffer { client_max_window_bits: ClientWindow::NoValue, ..DeflateOffer::default() }
    }
}

/// The offer as a `Sec-WebSocket-Extensions` element.
impl fmt::Display for DeflateOffer {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(EXTENSION)?;
        match self.client_max_window_bits {
            ClientWindow::Absent => {}
            ClientWindow::NoValue => f.write_str("; client_max_window_bits")?,
            ClientWindow::Value(n) => write!(f, "; client_max_window_bits={n}")?,
        }
        if let Some(n) = self.server_max_window_bits {
            write!(f, "; server_max_window_bits={n}")?;
        }
        if self.server_no_context_takeover {
            f.write_str("; server_no_context_takeover")?;
        }
        if self.client_no_context_takeover {
            f.write_str("; client_no_context_takeover")?;
        }
        Ok(())
    }
}

/// The permessage-deflate offers of a request: the valid ones in order, and why the others
/// are not (a server declines those, RFC 7692 §7.1).
pub fn offers(list: &[Extension]) -> (Vec<DeflateOffer>, Vec<String>) {
    let (mut valid, mut invalid) = (Vec::new(), Vec::new());
    for ext in list.iter().filter(|e| e.name == EXTENSION) {
        let mut problems = Vec::new();
        let p = Stated::read(&ext.params, Side::Offer, &mut problems);
        if problems.is_empty() {
            valid.push(DeflateOffer {
                server_no_context_takeover: p.server_no_context_takeover,
                client_no_context_takeover: p.client_no_context_takeover,
                server_max_window_bits: p.server_max_window_bits,
                client_max_window_bits: match p.client_max_window_bits {
                    None => ClientWindow::Absent,
                    Some(None) => ClientWindow::NoValue,
                    Some(Some(n)) => ClientWindow::Value(n),
                },
            });
        } else {
            invalid.push(format!("the offer `{}` is not valid: {}", render(ext), problems.join("; ")));
        }
    }
    (valid, invalid)
}

fn render(ext: &Extension) -> String {
    let mut s = ext.name.clone();
    for (k, v) in &ext.params {
        s.push_str("; ");
        s.push_str(k);
        if let Some(v) = v {
            s.push('=');
            s.push_str(v);
        }
    }
    s
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Offer,
    Answer,
}

/// The parameters one element states, each checked on its own.
#[derive(Default)]
struct Stated {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// `Some(None)`: stated without a value (allowed in an offer only).
    client_max_window_bits: Option<Option<u8>>,
}

impl Stated {
    fn read(params: &[(String, Option<String>)], side: Side, problems: &mut Vec<String>) -> Stated {
        let mut s = Stated::default();
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in params {
            if seen.contains(&name.as_str()) {
                problems.push(format!("`{name}` appears more than once (RFC 7692 §7.1)"));
                continue;
            }
            seen.push(name);
            match name.as_str() {
                "server_no_context_takeover" | "client_no_context_takeover" => {
                    if let Some(v) = value {
                        problems.push(format!("`{name}` takes no value, got `{name}={v}` (RFC 7692 §7.1.1)"));
                    } else if name.starts_with("server") {
                        s.server_no_context_takeover = true;
                    } else {
                        s.client_no_context_takeover = true;
                    }
                }
                "server_max_window_bits" => match value {
                    None => problems.push(format!("`{name}` needs a value, 8 to 15 (RFC 7692 §7.1.2.1)")),
                    Some(v) => s.server_max_window_bits = window_bits(name, v, problems),
                },
                "client_max_window_bits" => match value {
                    None if side == Side::Answer => {
                        problems.push(format!("`{name}` needs a value, 8 to 15, in an answer (RFC 7692 §7.1.2.2)"))
                    }
                    None => s.client_max_window_bits = Some(None),
                    Some(v) => s.client_max_window_bits = window_bits(name, v, problems).map(Some),
                },
                _ => problems.push(format!("unknown parameter `{name}` (RFC 7692 §7.1)")),
            }
        }
        s
    }
}

/// A window size: decimal 8–15 without leading zeros (RFC 7692 §7.1.2).
fn window_bits(name: &str, value: &str, problems: &mut Vec<String>) -> Option<u8> {
    match value {
        "8" | "9" | "10" | "11" | "12" | "13" | "14" | "15" => value.parse().ok(),
        _ => {
            problems.push(format!("`{name}={value}` is not a window size: 8 to 15, decimal (RFC 7692 §7.1.2)"));
            None
        }
    }
}

/// What both ends use once the answer is accepted. Window bits as agreed (15 when unstated);
/// 8 stays 8 here and is widened to 9 by the codec (zlib cannot compress with 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub server_max_window_bits: u8,
    pub client_max_window_bits: u8,
    pub server_no_context_takeover: bool,
    pub client_no_context_takeover: bool,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            server_max_window_bits: 15,
            client_max_window_bits: 15,
            server_no_context_takeover: false,
            client_no_context_takeover: false,
        }
    }
}

/// For the `info` finding: `server_max_window_bits=10, client_max_window_bits=15, client no context takeover`.
impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "server_max_window_bits={}, client_max_window_bits={}",
            self.server_max_window_bits, self.client_max_window_bits
        )?;
        match (self.server_no_context_takeover, self.client_no_context_takeover) {
            (false, false) => f.write_str(", context takeover both ways"),
            (s, c) => {
                if s {
                    f.write_str(", server no context takeover")?;
                }
                if c {
                    f.write_str(", client no context takeover")?;
                }
                Ok(())
            }
        }
    }
}

/// Judge the `Sec-WebSocket-Extensions` values of a request and of its 101 (the `deflate-params`
/// finding): `Ok(None)` when the server did not accept permessage-deflate, `Ok(Some(..))` with
/// what was agreed, or every problem found, one line each.
pub fn judge(offer: &[&str], answer: &[&str]) -> Result<Option<Params>, Vec<String>> {
    // An offer that does not parse offers nothing we can hold the answer to.
    let offered = parse_extensions(offer.iter().copied()).map(|list| offers(&list).0).unwrap_or_default();
    let answer = parse_extensions(answer.iter().copied()).map_err(|e| vec![e])?;
    check_answer(&offered, &answer)
}

/// Judge an answer's extension list against the valid offers sent.
pub fn check_answer(offered: &[DeflateOffer], answer: &[Extension]) -> Result<Option<Params>, Vec<String>> {
    let accepted: Vec<&Extension> = answer.iter().filter(|e| e.name == EXTENSION).collect();
    let Some(first) = accepted.first() else {
        return Ok(None);
    };
    let mut problems = Vec::new();
    if accepted.len() > 1 {
        problems.push(format!("the answer accepts {EXTENSION} {} times; at most once (RFC 7692 §5)", accepted.len()));
    }
    if offered.is_empty() {
        problems.push(format!("the server accepted {EXTENSION}, which was not offered (RFC 6455 §9.1)"));
        return Err(problems);
    }
    let stated = Stated::read(&first.params, Side::Answer, &mut problems);
    // The offer the answer fits best: a server answers one of them (RFC 7692 §5).
    let (best, against) = offered
        .iter()
        .enumerate()
        .map(|(i, o)| (i, against_offer(o, &stated)))
        .min_by_key(|(_, p)| p.len())
        .unwrap_or_default();
    let several = offered.len() > 1;
    problems.extend(against.into_iter().map(|p| if several { format!("{p} (offer {})", best + 1) } else { p }));
    if !problems.is_empty() {
        return Err(problems);
    }
    let offer = offered[best];
    Ok(Some(Params {
        server_max_window_bits: stated.server_max_window_bits.unwrap_or(15),
        client_max_window_bits: match (stated.client_max_window_bits, offer.client_max_window_bits) {
            (Some(Some(n)), _) | (_, ClientWindow::Value(n)) => n,
            _ => 15,
        },
        server_no_context_takeover: stated.server_no_context_takeover,
        // A client that offered it will not use context takeover whatever the answer says.
        client_no_context_takeover: stated.client_no_context_takeover || offer.client_no_context_takeover,
    }))
}

/// What an answer does wrong against one particular offer (RFC 7692 §7.1.1.1, §7.1.2).
fn against_offer(offer: &DeflateOffer, answer: &Stated) -> Vec<String> {
    let mut problems = Vec::new();
    if offer.server_no_context_takeover && !answer.server_no_context_takeover {
        problems.push(
            "the offer asked for `server_no_context_takeover` and the answer leaves it out (RFC 7692 §7.1.1.1)".into(),
        );
    }
    match (offer.server_max_window_bits, answer.server_max_window_bits) {
        (Some(n), None) => problems.push(format!(
            "the offer asked for `server_max_window_bits={n}` and the answer leaves it out (RFC 7692 §7.1.2.1)"
        )),
        (Some(n), Some(m)) if m > n => {
            problems.push(format!("`server_max_window_bits={m}` is more than the {n} offered (RFC 7692 §7.1.2.1)"))
        }
        _ => {}
    }
    match (offer.client_max_window_bits, answer.client_max_window_bits) {
        (ClientWindow::Absent, Some(_)) => problems.push(
            "`client_max_window_bits` in the answer, but the offer did not include it (RFC 7692 §7.1.2.2)".into(),
        ),
        (ClientWindow::Value(n), Some(Some(m))) if m > n => {
            problems.push(format!("`client_max_window_bits={m}` is more than the {n} offered (RFC 7692 §7.1.2.2)"))
        }
        _ => {}
    }
    problems
}

/// How `serve --deflate` answers: limits it imposes on top of what the client asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Policy {
    pub server_no_context_takeover: bool,
    pub client_no_context_takeover: bool,
    pub server_max_window_bits: Option<u8>,
    pub client_max_window_bits: Option<u8>,
}

/// `serve --deflate` (HTTP/1.1 and HTTP/2): the answer to the first valid permessage-deflate
/// offer among a request's `Sec-WebSocket-Extensions` `values` (raw header bytes), and the
/// parameters then in force; `None` (declined) when there is none or the list does not parse.
pub fn accept<'a>(values: impl Iterator<Item = &'a [u8]>) -> Option<(String, Params)> {
    let values: Vec<String> = values.map(|v| String::from_utf8_lossy(v).into_owned()).collect();
    let list = parse_extensions(values.iter().map(String::as_str)).ok()?;
    choose(&offers(&list).0, &Policy::default())
}

/// The server side: accept the first valid offer of a request and say how. Returns the
/// `Sec-WebSocket-Extensions` value to answer with and the parameters both ends then use;
/// `None` when nothing was offered (the answer then has no permessage-deflate).
pub fn choose(offered: &[DeflateOffer], policy: &Policy) -> Option<(String, Params)> {
    let offer = offered.first()?;
    let server_bits = match (offer.server_max_window_bits, policy.server_max_window_bits) {
        (Some(n), Some(p)) => Some(n.min(p)),
        (n, p) => n.or(p),
    };
    // Only if offered (RFC 7692 §7.1.2.2); without a value it is ours to choose.
    let client_bits = match (offer.client_max_window_bits, policy.client_max_window_bits) {
        (ClientWindow::Absent, _) | (ClientWindow::NoValue, None) => None,
        (ClientWindow::NoValue, Some(p)) => Some(p),
        (ClientWindow::Value(n), p) => Some(p.map_or(n, |p| n.min(p))),
    };
    let snct = offer.server_no_context_takeover || policy.server_no_context_takeover;
    let cnct = offer.client_no_context_takeover || policy.client_no_context_takeover;
    let mut answer = EXTENSION.to_string();
    if snct {
        answer.push_str("; server_no_context_takeover");
    }
    if cnct {
        answer.push_str("; client_no_context_takeover");
    }
    if let Some(n) = server_bits {
        answer.push_str(&format!("; server_max_window_bits={n}"));
    }
    if let Some(n) = client_bits {
        answer.push_str(&format!("; client_max_window_bits={n}"));
    }
    let params = Params {
        server_max_window_bits: server_bits.unwrap_or(15),
        client_max_window_bits: client_bits.unwrap_or(15),
        server_no_context_takeover: snct,
        client_no_context_takeover: cnct,
    };
    Some((answer, params))
}

#[cfg(test)]
#[path = "tests/params.rs"]
mod tests;
