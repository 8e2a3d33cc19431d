//! `wscheck URL`: connect, do the handshake, report the verdict, then the session.

use std::time::{Duration, Instant};

use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, Role, WebSocket};
use tungstenite::{Error as WsError, Message};

use crate::cli::ClientArgs;
use crate::connect::{self, Stream, TlsOptions};
use crate::event::{Direction, Event, Kind};
use crate::exit::{Code, Failure};
use crate::handshake::{self, Request, RequestOptions};
use crate::report::Reporter;
use crate::target::Target;

/// How long to wait for the server's Close after sending ours.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Run the client and return the exit code; every outcome, failures included, is reported.
pub fn run(args: &ClientArgs, reporter: &mut Reporter) -> Code {
    let code = match inspect(args, reporter) {
        Ok(code) => code,
        Err(f) => {
            reporter.emit(&Event::Error {
                kind: f.code.kind(),
                message: f.message,
            });
            f.code
        }
    };
    reporter.emit(&Event::Exit {
        code: code.as_i32(),
    });
    reporter.flush();
    code
}

/// Check the URL and flags before anything is sent; a usage error stops here.
pub fn prepare(args: &ClientArgs) -> Result<Target, Failure> {
    Target::parse(args.url.as_deref().unwrap_or_default())
}

fn inspect(args: &ClientArgs, reporter: &mut Reporter) -> Result<Code, Failure> {
    let target = prepare(args)?;
    let mut emit = |e: Event| reporter.emit(&e);
    for note in &target.notes {
        emit(Event::Note {
            level: crate::event::Level::Info,
            text: note.clone(),
        });
    }
    let options = RequestOptions {
        headers: args.headers.clone(),
        subprotocols: args.subprotocols.clone(),
        origin: args.origin.clone(),
    };
    let request = Request::build(&target, &options, &mut emit)?;
    let deadline = Instant::now() + args.connect_timeout;
    let tls = TlsOptions {
        insecure: args.insecure,
    };
    let mut stream = connect::connect(&target, &tls, deadline, &mut emit)?;
    let outcome = handshake::perform(&mut stream, &request, args.show_secrets, &mut emit)?;
    let proceed = outcome.code == Code::Ok || (args.lenient && outcome.response.status == 101);
    if !proceed {
        return Ok(outcome.code);
    }
    stream
        .tcp_mut()
        .set_deadline(None)
        .map_err(|e| Failure::new(Code::Internal, e.to_string()))?;
    let ws =
        WebSocket::from_partially_read(stream, outcome.response.rest.clone(), Role::Client, None);
    let end = close(ws, reporter)?;
    Ok(if outcome.code == Code::Ok {
        end
    } else {
        outcome.code
    })
}

/// Send Close 1000 and wait (bounded) for the server's, showing whatever arrives first.
fn close(mut ws: WebSocket<Stream>, reporter: &mut Reporter) -> Result<Code, Failure> {
    let broke = |e: WsError| {
        Failure::new(
            Code::SessionBroke,
            format!("the connection broke while closing: {e}"),
        )
    };
    ws.close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    }))
    .map_err(broke)?;
    reporter.emit(&Event::Close {
        direction: Direction::Sent,
        code: Some(1000),
        reason: String::new(),
    });
    let _ = ws
        .get_mut()
        .tcp_mut()
        .stream
        .set_read_timeout(Some(CLOSE_WAIT));
    let give_up = Instant::now() + CLOSE_WAIT;
    let mut code = Code::Ok;
    loop {
        match ws.read() {
            Ok(Message::Close(frame)) => {
                let (c, reason) = frame.map_or((None, String::new()), |f| {
                    (Some(u16::from(f.code)), f.reason.to_string())
                });
                reporter.emit(&Event::Close {
                    direction: Direction::Received,
                    code: c,
                    reason,
                });
                if !crate::close::is_clean(c) {
                    code = Code::ServerError;
                }
            }
            Ok(Message::Text(t)) => reporter.emit(&Event::Message {
                direction: Direction::Received,
                kind: Kind::Text,
                data: t.as_bytes().to_vec(),
            }),
            Ok(Message::Binary(b)) => reporter.emit(&Event::Message {
                direction: Direction::Received,
                kind: Kind::Binary,
                data: b.to_vec(),
            }),
            Ok(_) => {}
            Err(WsError::ConnectionClosed) | Err(WsError::AlreadyClosed) => break,
            Err(WsError::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                reporter.emit(&Event::Note {
                    level: crate::event::Level::Warning,
                    text: format!(
                        "the server did not answer our Close within {} s",
                        CLOSE_WAIT.as_secs()
                    ),
                });
                break;
            }
            Err(WsError::Io(_)) | Err(WsError::Protocol(_)) => break,
            Err(e) => return Err(broke(e)),
        }
        if Instant::now() >= give_up {
            break;
        }
    }
    reporter.flush();
    Ok(code)
}
