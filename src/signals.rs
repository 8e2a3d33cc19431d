//! SIGINT and SIGTERM (SPEC §15): the first one closes the session politely — Close 1000,
//! a short wait for the server's, the `exit` event — and exits 130 / 143; a second one
//! exits at once.
//!
//! Both signals are blocked in every thread and taken by one thread with `sigwait`, so no
//! code runs inside a signal handler. During the session that thread wakes the I/O loop
//! through its mio waker and the loop closes. During the handshake the main thread is
//! blocked in DNS, connect, TLS or HTTP reads that cannot be woken, so the signal thread
//! says the last words itself (a note and the `exit` event) and ends the process.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

use crate::event::{Event, Level};
use crate::exit::Code;
use crate::session::input::Wake;

/// Writes the last events of a run from the signal thread (see `Reporter::last_words`).
pub type LastWords = Box<dyn Fn(&[Event]) + Send>;

enum Phase {
    /// The main thread may be blocked in I/O that no signal can interrupt.
    Handshake,
    /// The handshake is over and the main thread is busy, never blocked for long: it takes a
    /// signal when the session loop starts (or when the run ends without one).
    Settled,
    Session {
        wake: Wake,
        interactive: bool,
    },
    Done,
}

struct State {
    phase: Phase,
    /// Signals received so far.
    received: u32,
    last_words: LastWords,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);
/// The exit code of the first signal, until the session loop takes it (0: none).
static PENDING: AtomicI32 = AtomicI32::new(0);

fn state() -> std::sync::MutexGuard<'static, Option<State>> {
    STATE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The signal's name, for what wscheck says.
pub fn name(code: Code) -> &'static str {
    if code == Code::Terminated { "SIGTERM" } else { "SIGINT" }
}

fn signal_set() -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set; sigaddset adds valid signal numbers to it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        set
    }
}

/// Block SIGINT and SIGTERM in this thread and in every thread it starts from now on, and
/// take them on a thread of their own. Call before any other thread is started.
pub fn install(last_words: LastWords) -> std::io::Result<()> {
    let set = signal_set();
    // SAFETY: a valid, initialised set; the old mask is not wanted.
    let rc = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
    if rc != 0 {
        return Err(std::io::Error::from_raw_os_error(rc));
    }
    *state() = Some(State { phase: Phase::Handshake, received: 0, last_words });
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        loop {
            let mut signal = 0;
            // SAFETY: the set is valid and both signals are blocked in every thread.
            if unsafe { libc::sigwait(&set, &mut signal) } == 0 {
                on_signal(if signal == libc::SIGTERM { Code::Terminated } else { Code::Interrupted });
            }
        }
    })?;
    Ok(())
}

fn on_signal(code: Code) {
    let mut guard = state();
    let Some(state) = guard.as_mut() else { return };
    state.received += 1;
    if state.received > 1 {
        // The REPL's terminal must be put back by its guard: there the close wait is short anyway.
        if !matches!(state.phase, Phase::Session { interactive: true, .. } | Phase::Done) {
            // SAFETY: ends the process at once, as asked; nothing is left to clean up.
            unsafe { libc::_exit(code.as_i32()) }
        }
        return;
    }
    match &state.phase {
        Phase::Done => {}
        Phase::Settled => PENDING.store(code.as_i32(), Ordering::SeqCst),
        Phase::Session { wake, .. } => {
            PENDING.store(code.as_i32(), Ordering::SeqCst);
            wake.nudge();
        }
        Phase::Handshake => {
            let text = format!("{}: stopped during the handshake", name(code));
            (state.last_words)(&[Event::Note { level: Level::Info, text }, Event::Exit { code: code.as_i32() }]);
            // SAFETY: the last words are written and flushed; the main thread is blocked in I/O.
            unsafe { libc::_exit(code.as_i32()) }
        }
    }
}

/// The handshake is over: from now on a signal is left for the main thread to take.
pub fn handshake_done() {
    if let Some(state) = state().as_mut()
        && matches!(state.phase, Phase::Handshake)
    {
        state.phase = Phase::Settled;
    }
}

/// The session has begun: a signal now wakes `wake`'s loop, which closes.
pub fn enter_session(wake: Wake, interactive: bool) {
    if let Some(state) = state().as_mut()
        && matches!(state.phase, Phase::Handshake | Phase::Settled)
    {
        state.phase = Phase::Session { wake, interactive };
    }
}

/// The run is ending on its own: a signal from now on changes nothing.
pub fn done() {
    if let Some(state) = state().as_mut() {
        state.phase = Phase::Done;
    }
}

/// A signal the session loop has not acted on yet (given once).
pub fn take() -> Option<Code> {
    match PENDING.swap(0, Ordering::SeqCst) {
        0 => None,
        143 => Some(Code::Terminated),
        _ => Some(Code::Interrupted),
    }
}
