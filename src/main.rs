//! The `cloudflare-saml-exporter` binary: parse the command line, validate
//! it, start logging, run the command, turn the outcome into an exit code.
//! Exit codes: 0 fine, 64 bad usage (clap's syntax errors included), 1
//! runtime failure; `check` exits 0, 1 or 2 by what it found; `encryption`
//! exits 0, 1 (pending), 2 (failed) or 3 (refused for safety).

use std::process::ExitCode;

use clap::Parser;
use cloudflare_saml_exporter::cli::Cli;
use cloudflare_saml_exporter::commands::Invocation;
use cloudflare_saml_exporter::config::process_env;
use cloudflare_saml_exporter::{shutdown, telemetry};

/// BSD's EX_USAGE: the command line was wrong. Never 2, which `check` uses
/// for CRITICAL: a typo in a cron job must not page anyone.
const EX_USAGE: u8 = 64;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            // --help and --version are "errors" printed on stdout; they succeed.
            return if err.use_stderr() { ExitCode::from(EX_USAGE) } else { ExitCode::SUCCESS };
        }
    };
    let invocation = match Invocation::new(cli.into_command(), &process_env) {
        Ok(invocation) => invocation,
        Err(err) => {
            eprintln!("cloudflare-saml-exporter: {err}");
            return ExitCode::from(EX_USAGE);
        }
    };
    telemetry::init(invocation.log());
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("cloudflare-saml-exporter: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(invocation.run(shutdown::signal())) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("cloudflare-saml-exporter: {failure}");
            ExitCode::from(failure.exit_code)
        }
    }
}
