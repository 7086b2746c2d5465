//! `check`: one refresh and one read of each identity provider's metadata,
//! a table (or JSON) of every certificate, IdP problem and metadata drift, and an exit code for cron and CI: 0 fine, 1 warning, 2 critical.
//! `--output ics` prints every deadline as the calendar the exporter serves
//! at `/calendar.ics` instead, after checking each credential's token (its
//! expiry is one of them); the exit code is the report's all the same.

use std::sync::Arc;

use crate::cli::CheckOutput;
use crate::clock::unix_now;
use crate::commands::RunError;
use crate::commands::wiring::Wiring;
use crate::config::CheckConfig;
use crate::idp::fetch::MetadataFetcher;
use crate::idp::watch::MetadataWatch;
use crate::model::calendar::{self, CalendarContext};
use crate::model::report::{CheckReport, Thresholds};

/// What one `check` found.
#[derive(Debug)]
pub struct Checked {
    /// The graded report.
    pub report: CheckReport,
    /// The deadlines as an RFC 5545 calendar, with `--output ics` only.
    pub calendar: Option<String>,
}

/// Refreshes every account once, then reads every identity provider's
/// metadata once, and grades what it finds.
pub async fn run_check(config: CheckConfig) -> Result<Checked, RunError> {
    let CheckConfig { cloudflare, idp_metadata, warn_days, crit_days, output, .. } = config;
    let wiring = Wiring::connect(cloudflare).await?;
    let (failures, _) = wiring.read_once().await;
    if output == CheckOutput::Ics {
        // The tokens' expiry is only known once asked for: one request per
        // credential, which the table and the JSON do without.
        wiring.refresher.check_tokens().await;
    }
    if !idp_metadata.sources.is_empty() {
        let fetcher = MetadataFetcher::new(&idp_metadata.fetch).map_err(RunError::IdpMetadata)?;
        let state = Arc::clone(&wiring.state);
        MetadataWatch::new(idp_metadata.sources, fetcher, state, Arc::clone(&wiring.counters))
            .read_all()
            .await;
    }
    let snapshot = wiring.state.snapshot();
    let now = unix_now();
    let thresholds = Thresholds { warn_days, crit_days };
    // Token rows only where a token's expiry was asked for (`--output ics`).
    let report = CheckReport::build(failures, &snapshot.accounts, now, thresholds)
        .with_metadata(&snapshot, now)
        .with_tokens(&wiring.counters.token_expiries(), now);
    let calendar = (output == CheckOutput::Ics).then(|| {
        let tokens = wiring.counters.token_expiries();
        // No runbook links: `check` does not know where an exporter serves one.
        let context = CalendarContext { now: now as i64, runbook_base: "", tokens: &tokens };
        calendar::render(&snapshot, &context)
    });
    Ok(Checked { report, calendar })
}

/// Runs `check` and prints its report; the exit code says how bad it is.
pub async fn run(config: CheckConfig) -> Result<u8, RunError> {
    let output = config.output;
    let Checked { report, calendar } = run_check(config).await?;
    match output {
        CheckOutput::Table => print!("{}", report.to_table()),
        CheckOutput::Json => print!("{}", report.to_json()),
        CheckOutput::Ics => print!("{}", calendar.unwrap_or_default()),
    }
    Ok(report.exit_code)
}
