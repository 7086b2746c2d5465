//! The `cloudflare-saml-exporter` binary: parse the command line, validate
//! it, start logging, run the command, turn the outcome into an exit code.
//! Exit codes: 0 fine, 64 bad usage, 1 runtime failure; `check` exits 0, 1
//! or 2 by what it found.

use std::process::ExitCode;

use clap::Parser;
use cloudflare_saml_exporter::cli::{Cli, Command, OutputFormat};
use cloudflare_saml_exporter::commands::check::run_check;
use cloudflare_saml_exporter::commands::{demo, serve as app};
use cloudflare_saml_exporter::config::{CheckConfig, ConfigError, DemoConfig, ServeConfig, process_env};
use cloudflare_saml_exporter::{shutdown, telemetry};

const EX_USAGE: u8 = 64;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve(cli.serve));
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(anyhow::Error::new(err).context("cannot start the async runtime"), 1),
    };
    match command {
        Command::Serve(args) => {
            let config = match ServeConfig::new(&args, &process_env) {
                Ok(config) => config,
                Err(err) => return usage(err),
            };
            telemetry::init(config.log);
            match runtime.block_on(app::run_serve(config, shutdown::signal())) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(err.into(), 1),
            }
        }
        Command::Demo(args) => {
            let config = match DemoConfig::new(&args) {
                Ok(config) => config,
                Err(err) => return usage(err),
            };
            telemetry::init(config.log);
            match runtime.block_on(demo::run_demo(config, shutdown::signal())) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => fail(err.into(), 1),
            }
        }
        Command::Check(args) => {
            let config = match CheckConfig::new(&args, &process_env) {
                Ok(config) => config,
                Err(err) => return usage(err),
            };
            telemetry::init(config.log);
            let output = config.output;
            match runtime.block_on(run_check(config)) {
                Ok(report) => {
                    match output {
                        OutputFormat::Table => print!("{}", report.to_table()),
                        OutputFormat::Json => match serde_json::to_string_pretty(&report) {
                            Ok(json) => println!("{json}"),
                            Err(err) => return fail(err.into(), 2),
                        },
                    }
                    ExitCode::from(report.exit_code)
                }
                // Nothing could be read: that is critical for a check.
                Err(err) => fail(err.into(), 2),
            }
        }
    }
}

fn usage(err: ConfigError) -> ExitCode {
    eprintln!("cloudflare-saml-exporter: {err}");
    ExitCode::from(EX_USAGE)
}

fn fail(err: anyhow::Error, code: u8) -> ExitCode {
    eprintln!("cloudflare-saml-exporter: {err:#}");
    ExitCode::from(code)
}
