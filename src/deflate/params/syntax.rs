//! The `Sec-WebSocket-Extensions` grammar (RFC 6455 §9.1 with RFC 7230 lists): extension
//! names, `;` parameters, values as tokens or quoted strings.

/// One element of a `Sec-WebSocket-Extensions` list: a name and its parameters, values unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub name: String,
    pub params: Vec<(String, Option<String>)>,
}

/// Parse `Sec-WebSocket-Extensions` values (each header line one value) into one list.
/// Empty list elements are allowed (RFC 7230 §7); any other deviation from the grammar of
/// RFC 6455 §9.1 is an error, one line.
pub fn parse_extensions<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Vec<Extension>, String> {
    let mut list = Vec::new();
    for value in values {
        Parser { s: value, i: 0 }.list(&mut list)?;
    }
    Ok(list)
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn list(&mut self, out: &mut Vec<Extension>) -> Result<(), String> {
        loop {
            self.ows();
            match self.peek() {
                None => return Ok(()),
                Some(b',') => self.i += 1,
                Some(_) => {
                    let name = self.token().ok_or_else(|| self.unexpected("an extension name"))?;
                    let mut params = Vec::new();
                    loop {
                        self.ows();
                        match self.peek() {
                            None => break,
                            Some(b',') => {
                                self.i += 1;
                                break;
                            }
                            Some(b';') => {
                                self.i += 1;
                                self.ows();
                                let key = self.token().ok_or_else(|| self.unexpected("a parameter name"))?;
                                self.ows();
                                let value = if self.peek() == Some(b'=') {
                                    self.i += 1;
                                    self.ows();
                                    Some(self.value()?)
                                } else {
                                    None
                                };
                                params.push((key, value));
                            }
                            Some(_) => return Err(self.unexpected("`;` or `,`")),
                        }
                    }
                    out.push(Extension { name, params });
                }
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    /// Optional white space; browsers skip it around every separator, `=` included.
    fn ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn token(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(is_tchar) {
            self.i += 1;
        }
        (self.i > start).then(|| self.s[start..self.i].to_string())
    }

    /// A token or a quoted-string whose unescaped content is a token (RFC 6455 §9.1).
    fn value(&mut self) -> Result<String, String> {
        if self.peek() != Some(b'"') {
            return self.token().ok_or_else(|| self.unexpected("a parameter value"));
        }
        let open = self.i;
        self.i += 1;
        let mut value = String::new();
        loop {
            let Some(c) = self.s[self.i..].chars().next() else {
                return Err(format!("the quoted value at byte {} of `{}` is not closed", open + 1, self.s));
            };
            self.i += c.len_utf8();
            match c {
                '"' => break,
                '\\' => match self.s[self.i..].chars().next() {
                    Some(e) => {
                        self.i += e.len_utf8();
                        value.push(e);
                    }
                    None => return Err(format!("the quoted value at byte {} of `{}` is not closed", open + 1, self.s)),
                },
                c => value.push(c),
            }
        }
        if value.is_empty() || !value.bytes().all(is_tchar) {
            return Err(format!("the quoted value \"{value}\" is not a token (RFC 6455 §9.1)"));
        }
        Ok(value)
    }

    fn unexpected(&self, what: &str) -> String {
        match self.s[self.i..].chars().next() {
            Some(c) => format!("expected {what} at byte {} of `{}`, found `{c}`", self.i + 1, self.s),
            None => format!("expected {what} at the end of `{}`", self.s),
        }
    }
}

/// RFC 7230 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
