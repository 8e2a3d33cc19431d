//! The checks: pure functions from what was offered and answered to findings.

pub mod cert;
