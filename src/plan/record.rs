//! `--trace`, `--trace-ascii` and `--har`: the files a run records into, created before
//! any connection so that one that cannot be made is a usage error (2) that costs nothing.
//! `probe` calls these too.

use std::sync::Arc;

use crate::cli::OutputArgs;
use crate::exit::{Code, Failure};
use crate::net::tap::Taps;
use crate::report::har::HarFile;
use crate::report::trace::Tracer;

/// The trace `--trace FILE` or `--trace-ascii FILE` asks for (`-`: stderr), created now.
pub fn trace(args: &OutputArgs) -> Result<Option<Arc<dyn Taps>>, Failure> {
    let (path, flag, ascii) = match (&args.trace, &args.trace_ascii) {
        (Some(p), _) => (p, "--trace", false),
        (None, Some(p)) => (p, "--trace-ascii", true),
        (None, None) => return Ok(None),
    };
    let tracer = Tracer::create(path, ascii, args.show_secrets).map_err(|e| {
        Failure::new(
            Code::Usage,
            format!("{flag} {}: cannot create the file: {}", path.display(), crate::words::os_words(&e)),
        )
    })?;
    Ok(Some(Arc::new(tracer)))
}

/// The HAR file `--har FILE` asks for, created now (and written at the end of the run).
pub fn har(args: &OutputArgs) -> Result<Option<HarFile>, Failure> {
    let Some(path) = &args.har else { return Ok(None) };
    if path.as_os_str() == "-" {
        return Err(Failure::new(Code::Usage, "--har needs a file name: stdout carries the messages"));
    }
    HarFile::create(path).map(Some).map_err(|e| {
        Failure::new(
            Code::Usage,
            format!("--har {}: cannot create the file: {}", path.display(), crate::words::os_words(&e)),
        )
    })
}
