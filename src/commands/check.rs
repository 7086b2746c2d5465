//! `check`: one refresh and one read of each identity provider's metadata,
//! a table (or JSON) of every certificate, IdP problem and metadata drift, and an exit code for cron and CI: 0 fine, 1 warning, 2 critical.

use std::sync::Arc;

use crate::cli::OutputFormat;
use crate::clock::unix_now;
use crate::commands::RunError;
use crate::commands::wiring::Wiring;
use crate::config::CheckConfig;
use crate::idp::fetch::MetadataFetcher;
use crate::idp::watch::MetadataWatch;
use crate::model::report::{CheckReport, Thresholds};

/// Refreshes every account once, then reads every identity provider's
/// metadata once, and grades what it finds.
pub async fn run_check(config: CheckConfig) -> Result<CheckReport, RunError> {
    let CheckConfig { cloudflare, idp_metadata, warn_days, crit_days, .. } = config;
    let wiring = Wiring::connect(cloudflare).await?;
    let (failures, _) = wiring.read_once().await;
    if !idp_metadata.sources.is_empty() {
        let fetcher = MetadataFetcher::new(&idp_metadata.fetch).map_err(RunError::IdpMetadata)?;
        let state = Arc::clone(&wiring.state);
        MetadataWatch::new(idp_metadata.sources, fetcher, state, Arc::clone(&wiring.counters))
            .read_all()
            .await;
    }
    let snapshot = wiring.state.snapshot();
    let thresholds = Thresholds { warn_days, crit_days };
    Ok(CheckReport::build(failures, &snapshot.accounts, unix_now(), thresholds).with_metadata(&snapshot))
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
