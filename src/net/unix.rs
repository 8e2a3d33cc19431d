//! `--unix-socket PATH`: the connection goes to a Unix domain socket instead of the network;
//! the URL still gives Host, the path and, for wss://, the TLS name (as curl).

use std::io;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

use super::Deadline;
use super::socket::Socket;
use crate::event::{Address, Event, Via};
use crate::exit::{Code, Failure, Phase};
use crate::target::Target;

/// Connect to the socket at `path` before `deadline`, said as a `Connect` event with the
/// URL's host and port. The connect runs on a thread that is left behind if it overruns (a
/// listener whose queue is full holds a blocking connect).
pub(super) fn open(
    path: &Path,
    target: &Target,
    deadline: Deadline,
    emit: &mut dyn FnMut(Event),
) -> Result<Socket, Failure> {
    let started = Instant::now();
    let (tx, rx) = mpsc::channel();
    let owned = path.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(UnixStream::connect(&owned));
    });
    let shown = path.display();
    let left = deadline.at.saturating_duration_since(Instant::now());
    let stream = match rx.recv_timeout(left) {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => {
            return Err(Failure::new(
                Code::Connect,
                format!("could not connect to the Unix socket {shown}: {}", words(&e)),
            ));
        }
        Err(_) => return Err(deadline.timed_out(Phase::Tcp, &format!("connecting to the Unix socket {shown}"))),
    };
    let value = path.to_string_lossy().into_owned();
    emit(Event::Connect {
        host: target.host.clone(),
        port: target.port,
        addr: Address::Unix(value.clone()),
        proxy: false,
        dns: None,
        tcp: started.elapsed(),
        via: vec![Via { option: "--unix-socket", value }],
    });
    Ok(Socket::new(stream, deadline.at))
}

/// What a failed connect to a Unix socket means.
fn words(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::ConnectionRefused => "connection refused (nothing is listening on it)".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;
    use std::time::Duration;

    fn deadline() -> Deadline {
        Deadline { at: Instant::now() + Duration::from_secs(5), by_timeout: false }
    }

    #[test]
    fn connects_and_names_the_socket_or_says_why_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        let target = Target::parse("ws://app.test/x").unwrap();
        let e = open(&path, &target, deadline(), &mut |_| {}).err().unwrap();
        assert_eq!(e.code, Code::Connect);
        assert_eq!(e.message, format!("could not connect to the Unix socket {}: no such file", path.display()));
        let listener = UnixListener::bind(&path).unwrap();
        let mut events = Vec::new();
        open(&path, &target, deadline(), &mut |e| events.push(e)).unwrap();
        listener.accept().unwrap();
        let Some(Event::Connect { host, port, addr, via, .. }) = events.first() else { panic!("{events:?}") };
        assert_eq!((host.as_str(), *port), ("app.test", 80));
        assert_eq!(addr, &Address::Unix(path.display().to_string()));
        assert_eq!(via[0].option, "--unix-socket");
        // A socket file nobody listens on any more.
        drop(listener);
        let e = open(&path, &target, deadline(), &mut |_| {}).err().unwrap();
        assert!(e.message.ends_with(": connection refused (nothing is listening on it)"), "{}", e.message);
    }
}
