//! The subcommands, wired from a validated [`crate::config`]: `serve`
//! ([`serve`]), `demo` against the fake API of the `fake-cloudflare` crate ([`demo`]), the one-off
//! `check` ([`check`]), the `encryption` commands that act on what the
//! alerts say ([`encryption`]) and the `signing` commands that keep
//! Cloudflare's copy of each IdP's signing certificates in step with its
//! metadata ([`signing`]), built on one [`wiring`] of client, state and
//! refresher. [`Invocation`] is the single dispatch the binary calls.
//!
//! May use: [`crate::cli`], [`crate::clock`], [`crate::cloudflare`],
//! [`crate::config`], [`crate::counters`], [`crate::exposition`], [`crate::idp`],
//! [`crate::locks`], [`crate::model`], [`crate::printable`], [`crate::refresh`],
//! [`crate::shutdown`], [`crate::telemetry`] and [`crate::web`]. Nothing uses this module.

pub mod check;
pub mod demo;
pub mod encryption;
pub mod serve;
pub mod signing;
pub mod wiring;

use std::future::Future;
use std::net::SocketAddr;

use crate::cli::Command;
use crate::cloudflare::client::DEFAULT_CREDENTIAL;
use crate::config::{
    CheckConfig, ConfigError, DemoConfig, EncryptionConfig, Env, LogConfig, ServeConfig, SigningConfig,
};
use crate::refresh::DiscoveryError;

/// Why a command could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The listen address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP client could not be built (TLS set-up).
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    /// `GET /accounts` failed and no account was named.
    #[error(
        "cannot list the token's accounts ({}{}); account-owned tokens cannot (Cloudflare code 1001): \
         pass --account-id ID (repeatable) or set CLOUDFLARE_ACCOUNT_ID, or list the credential's \
         accounts in --config.file",
        credential_prefix(&.0.credential), .0.source
    )]
    Discovery(DiscoveryError),
    /// The client for identity providers' metadata could not be built.
    #[error("cannot read identity provider metadata: {0}")]
    IdpMetadata(String),
}

/// `credential NAME: ` unless it is the one credential of the flags.
fn credential_prefix(credential: &str) -> String {
    if credential == DEFAULT_CREDENTIAL { String::new() } else { format!("credential {credential}: ") }
}

/// A command that failed, with the exit code it calls for.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct Failure {
    /// The process exit code: 1 for `serve` and `demo` (64 for `demo` in a
    /// build without it); 2 for `check`, where nothing readable is critical;
    /// 2 or 3 for `encryption`; 2, 3 or 64 for `signing`.
    pub exit_code: u8,
    /// What went wrong.
    pub error: Box<dyn std::error::Error + Send + Sync>,
}

impl Failure {
    fn new(exit_code: u8, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self { exit_code, error: Box::new(source) }
    }
}

/// A command with its validated configuration, ready to run.
#[derive(Debug)]
pub enum Invocation {
    /// `serve`.
    Serve(ServeConfig),
    /// `demo`.
    Demo(DemoConfig),
    /// `check`.
    Check(CheckConfig),
    /// `encryption plan | create-set | rotate | pem`.
    Encryption(EncryptionConfig),
    /// `signing plan | sync`.
    Signing(SigningConfig),
}

impl Invocation {
    /// Validates the command line; every mistake is a [`ConfigError`].
    pub fn new(command: Command, env: Env<'_>) -> Result<Self, ConfigError> {
        Ok(match command {
            Command::Serve(args) => Self::Serve(ServeConfig::new(&args, env)?),
            Command::Demo(args) => Self::Demo(DemoConfig::new(&args)?),
            Command::Check(args) => Self::Check(CheckConfig::new(&args, env)?),
            Command::Encryption(args) => Self::Encryption(EncryptionConfig::new(&args, env)?),
            Command::Signing(args) => Self::Signing(SigningConfig::new(&args, env)?),
        })
    }

    /// Its logging settings.
    pub fn log(&self) -> LogConfig {
        match self {
            Self::Serve(config) => config.log,
            Self::Demo(config) => config.log,
            Self::Check(config) => config.log,
            Self::Encryption(config) => config.log,
            Self::Signing(config) => config.log,
        }
    }

    /// Runs it; long-running commands stop when `shutdown` resolves. Returns
    /// the exit code.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<u8, Failure> {
        match self {
            Self::Serve(config) => serve::run(config, shutdown).await.map_err(|e| Failure::new(1, e)),
            Self::Demo(config) => {
                demo::run(config, shutdown).await.map_err(|e| Failure::new(e.exit_code(), e))
            }
            Self::Check(config) => check::run(config).await.map_err(|e| Failure::new(2, e)),
            Self::Encryption(config) => encryption::run(config).await,
            Self::Signing(config) => signing::run(config).await,
        }
    }
}
