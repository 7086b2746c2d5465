//! `check`: one refresh, a table (or JSON) of every certificate and IdP
//! problem, and an exit code for cron and CI: 0 fine, 1 warning, 2 critical.

use crate::cli::OutputFormat;
use crate::clock::unix_now;
use crate::commands::RunError;
use crate::commands::wiring::Wiring;
use crate::config::CheckConfig;
use crate::model::report::{CheckReport, Thresholds};

/// Refreshes every account once and grades what it finds.
pub async fn run_check(config: CheckConfig) -> Result<CheckReport, RunError> {
    let CheckConfig { cloudflare, warn_days, crit_days, .. } = config;
    let (failures, accounts) = Wiring::connect(cloudflare).await?.read_once().await;
    Ok(CheckReport::build(failures, &accounts, unix_now(), Thresholds { warn_days, crit_days }))
}

/// Runs `check` and prints its report; the exit code says how bad it is.
pub async fn run(config: CheckConfig) -> Result<u8, RunError> {
    let output = config.output;
    let report = run_check(config).await?;
    match output {
        OutputFormat::Table => print!("{}", report.to_table()),
        OutputFormat::Json => print!("{}", report.to_json()),
    }
    Ok(report.exit_code)
}
