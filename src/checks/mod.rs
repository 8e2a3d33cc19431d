//! The rules a server's answer is judged by, as pure functions of the request sent and the
//! response received (no I/O, no events): each returns its findings, [`judge`] the verdict.
//! The list of rules, with ids, severities and RFC sections, is [`crate::event::Check`].

pub mod cert;
pub mod explain;
pub mod negotiation;
pub mod rfc6455;
pub mod rfc7692;
pub mod rfc8441;
#[cfg(test)]
mod testing;
mod verdict;

pub use verdict::{Agreed, Verdict, judge, judge_h2};
