//! `demo`: the exporter against the built-in fake Cloudflare API (the
//! `fake-cloudflare` crate) and its demo data, so anyone can see real metrics
//! without credentials. It needs the `demo` feature, on by default; a build
//! without it (`--no-default-features`, no fake and no rcgen) still knows the
//! command, and [`run`] refuses it with `DemoError::NotInThisBuild`, exit 64.

use std::future::Future;

use crate::commands::RunError;
use crate::config::DemoConfig;

#[cfg(feature = "demo")]
mod running;

#[cfg(feature = "demo")]
pub use running::RunningDemo;

/// Why the demo could not run.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// This binary was built without the `demo` feature.
    #[cfg(not(feature = "demo"))]
    #[error(
        "this build has no demo: it was built without the `demo` feature, which leaves the fake \
         Cloudflare API (and rcgen) out; the default build has it (`cargo build --release`, or \
         `cargo build --release --features demo`)"
    )]
    NotInThisBuild,
    /// The fake Cloudflare API could not start.
    #[cfg(feature = "demo")]
    #[error("cannot start the fake Cloudflare API: {0}")]
    FakeApi(#[from] fake_cloudflare::FakeError),
    /// The exporter could not start.
    #[error(transparent)]
    Run(#[from] RunError),
}

impl DemoError {
    /// The process exit code: 64 (EX_USAGE, as for any command the binary
    /// cannot run as asked) when the build has no demo, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            #[cfg(not(feature = "demo"))]
            Self::NotInThisBuild => 64,
            _ => 1,
        }
    }
}

/// Runs the demo until `shutdown` resolves.
#[cfg(feature = "demo")]
pub async fn run(config: DemoConfig, shutdown: impl Future<Output = ()>) -> Result<u8, DemoError> {
    let demo = RunningDemo::start(config).await?;
    shutdown.await;
    demo.stop().await;
    Ok(0)
}

/// Refuses at once: this build has no demo.
#[cfg(not(feature = "demo"))]
pub async fn run(_config: DemoConfig, _shutdown: impl Future<Output = ()>) -> Result<u8, DemoError> {
    Err(DemoError::NotInThisBuild)
}
