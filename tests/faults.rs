//! The fault matrix: the real binary against a misbehaving fake Cloudflare.
//! For every fault the process stays up, `/metrics` answers, the affected
//! account reports `up` 0 with the right reason while keeping its last good
//! values, the other account is untouched, the log says what happened, the
//! next refresh after the fault clears restores `up` 1 — and the API token
//! appears nowhere in what the exporter writes or serves (run at debug level).

use std::time::Duration;

use fake_cloudflare::{FakeCloudflare, Fault, FaultKind, Hold};

use crate::support::fixtures::{ACC_A, ACC_B};
use crate::support::process::ExporterProcess;
use crate::support::scrape_until;
use crate::support::{
    Exporter, Scrape, TOKEN, errors_of, eventually, metric, scrape, start_fake, two_accounts, up_of,
    with_timeout,
};

const WAIT: Duration = Duration::from_secs(30);

/// What every fault of the matrix is aimed at.
const ACCOUNT_B_PATHS: &str = "/accounts/accb0000000000000000000000000000/";

struct Harness {
    fake: FakeCloudflare,
    exporter: ExporterProcess,
}

async fn start() -> Harness {
    start_with_timeout("3s").await
}

/// [`start`] with `--cloudflare.timeout` (each request gets half of it).
async fn start_with_timeout(timeout: &str) -> Harness {
    let fake = start_fake(two_accounts()).await;
    let exporter = Exporter::serve()
        .api(&fake.base_url())
        // One comma-separated list, as CLOUDFLARE_ACCOUNT_ID allows.
        .account("acca0000000000000000000000000000,accb0000000000000000000000000000")
        .token(TOKEN)
        .args(["--cloudflare.timeout", timeout, "--cloudflare.max-body-bytes", "1048576"])
        // Both lists every pass, as the interval: a fault may hit either.
        .args(["--cloudflare.set-list-interval", "300ms"])
        .spawn();
    let harness = Harness { fake, exporter };
    harness
        .wait_until("both accounts up", |s| up_of(s, ACC_A) == Some(1.0) && up_of(s, ACC_B) == Some(1.0))
        .await;
    harness
}

fn expiry(scrape: &Scrape, set: &str) -> Option<f64> {
    metric("cloudflare_access_saml_certificate_not_after_timestamp_seconds")
        .label("certificate_set_uid", set)
        .try_value_in(scrape)
}

impl Harness {
    async fn wait_until(&self, what: &str, done: impl Fn(&Scrape) -> bool) -> Scrape {
        scrape_until(&self.exporter.metrics_url, what, WAIT, done).await
    }

    /// Injects `kind` on account B and checks everything the matrix promises.
    async fn fault_on_b(self, kind: FaultKind, reason: &str) {
        let fault = Fault { path_contains: ACCOUNT_B_PATHS.into(), times: None, kind };
        self.misbehave_on_b(|fake| fake.inject(fault), FakeCloudflare::clear_faults, reason).await;
    }

    /// Makes the fake misbehave on account B with `start`, checks everything
    /// the matrix promises, then lets it behave with `stop`.
    async fn misbehave_on_b(
        mut self,
        start: impl FnOnce(&FakeCloudflare),
        stop: impl FnOnce(&FakeCloudflare),
        reason: &str,
    ) {
        let before = scrape(&self.exporter.metrics_url).await;
        let kept = [expiry(&before, "set-b1"), expiry(&before, "set-b2")];
        assert!(kept.iter().all(Option::is_some));
        start(&self.fake);

        let during = self
            .wait_until(&format!("account B down with reason {reason}"), |s| {
                up_of(s, ACC_B) == Some(0.0) && errors_of(s, ACC_B, reason) >= 1.0
            })
            .await;
        assert!(self.exporter.is_running(), "the exporter died");
        assert_eq!([expiry(&during, "set-b1"), expiry(&during, "set-b2")], kept, "last good values kept");
        assert_eq!(up_of(&during, ACC_A), Some(1.0), "account A untouched");
        for other in cloudflare_saml_exporter::cloudflare::error::Reason::ALL.map(|r| r.label()) {
            assert_eq!(errors_of(&during, ACC_A, other), 0.0, "account A counted {other}");
        }
        let logged = self.exporter.wait_for_stderr(&format!("reason={reason}"), WAIT);
        assert!(
            logged.contains("account_id=accb0000000000000000000000000000")
                && logged.contains("keeping the last good values"),
            "{logged}"
        );
        if matches!(reason, "unauthorized" | "forbidden") {
            assert!(logged.contains("10000 Authentication error"), "Cloudflare's code in the log: {logged}");
        }

        stop(&self.fake);
        self.wait_until("account B to recover", |s| up_of(s, ACC_B) == Some(1.0)).await;
        self.finish().await;
    }

    /// Stops everything and checks the token never showed.
    async fn finish(mut self) {
        let served = scrape(&self.exporter.metrics_url).await.text;
        assert!(self.exporter.is_running());
        let status = self.exporter.terminate(Duration::from_secs(10));
        assert!(status.success(), "{status:?}");
        let written = format!("{}\n{}", self.exporter.stdout_lines.join("\n"), self.exporter.stderr());
        assert!(!written.contains(TOKEN), "the token leaked into the exporter's output");
        assert!(!served.contains(TOKEN), "the token leaked into /metrics");
        assert!(written.contains("level=debug"), "ran at debug level");
        self.fake.stop().await;
    }
}

fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> FaultKind {
    FaultKind::Respond {
        status,
        headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        body: body.to_owned(),
    }
}

const CF_ERROR_10000: &str = r#"{"success":false,"errors":[{"code":10000,"message":"Authentication error"}],"messages":[],"result":null}"#;

#[tokio::test(flavor = "multi_thread")]
async fn an_http_500_is_a_server_error() {
    start()
        .await
        .fault_on_b(
            respond(500, &[], r#"{"success":false,"errors":[{"code":10001,"message":"Internal"}]}"#),
            "server_error",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http_502_with_an_html_body_is_a_server_error() {
    start()
        .await
        .fault_on_b(
            respond(502, &[("content-type", "text/html")], "<html><h1>502 Bad Gateway</h1></html>"),
            "server_error",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http_503_with_retry_after_is_a_server_error() {
    start().await.fault_on_b(respond(503, &[("retry-after", "1")], "unavailable"), "server_error").await;
}

/// Every (account, list) pair the exporter reads once per refresh round.
const LISTS: [&str; 4] = [
    "/accounts/acca0000000000000000000000000000/access/saml_certificates",
    "/accounts/acca0000000000000000000000000000/access/identity_providers",
    "/accounts/accb0000000000000000000000000000/access/saml_certificates",
    "/accounts/accb0000000000000000000000000000/access/identity_providers",
];

#[tokio::test(flavor = "multi_thread")]
async fn an_http_429_stops_every_call_until_retry_after_has_passed() {
    // A 429 blocks the whole token (Cloudflare counts per user), so unlike
    // the other faults it may reach account A too; what must hold is that
    // nobody calls Cloudflare before Retry-After and no value is lost.
    let body = r#"{"success":false,"errors":[{"code":10100,"message":"More than 1200 requests per 300 seconds reached"}]}"#;
    const RETRY_AFTER: Duration = Duration::from_secs(3);
    // The held request must not time out before the test releases it: its
    // retry would then reach the fake without the 429 ever seen, however
    // long the test took to release it on a loaded machine.
    let harness = start_with_timeout("120s").await;
    let before = scrape(&harness.exporter.metrics_url).await;
    let kept = [expiry(&before, "set-a"), expiry(&before, "set-b1"), expiry(&before, "set-b2")];
    // The 429 is held back until every other request of its refresh round
    // has arrived, so any request after it was sent after the 429 was seen.
    let limited = LISTS[2];
    let hold = Hold::new(limited);
    harness.fake.update_knobs(|k| {
        k.faults.push(Fault {
            path_contains: limited.into(),
            times: None,
            kind: respond(429, &[("retry-after", &RETRY_AFTER.as_secs().to_string())], body),
        });
        k.holds.push(hold.clone());
    });
    with_timeout(hold.until_held(1)).await;
    eventually("the rest of the held request's round", WAIT, || {
        let requests = harness.fake.requests();
        let count = |list: &str| requests.iter().filter(|r| r.uri.contains(list)).count();
        std::future::ready(LISTS.iter().all(|list| count(list) == count(limited)).then_some(()))
    })
    .await;
    let released = tokio::time::Instant::now();
    hold.release();

    let during = harness
        .wait_until("account B rate limited", |s| {
            up_of(s, ACC_B) == Some(0.0) && errors_of(s, ACC_B, "rate_limited") >= 1.0
        })
        .await;
    let next = eventually("the next call to Cloudflare", WAIT, || {
        std::future::ready(harness.fake.requests().into_iter().find(|r| r.received_at > released))
    })
    .await;
    assert!(
        next.received_at >= released + RETRY_AFTER,
        "Cloudflare was called {:?} after the 429 was released, inside its Retry-After of {RETRY_AFTER:?}: {}",
        next.received_at - released,
        next.uri
    );
    let after = scrape(&harness.exporter.metrics_url).await;
    for s in [&during, &after] {
        assert_eq!(
            [expiry(s, "set-a"), expiry(s, "set-b1"), expiry(s, "set-b2")],
            kept,
            "last good values kept"
        );
        for other in cloudflare_saml_exporter::cloudflare::error::Reason::ALL
            .map(|r| r.label())
            .iter()
            .filter(|r| **r != "rate_limited")
        {
            assert_eq!(errors_of(s, ACC_A, other), 0.0, "account A counted {other}");
        }
    }
    let logged = harness.exporter.wait_for_stderr("reason=rate_limited", WAIT);
    assert!(logged.contains("keeping the last good values") && logged.contains("10100"), "{logged}");
    harness.fake.clear_faults();
    harness
        .wait_until("both accounts to recover", |s| {
            up_of(s, ACC_A) == Some(1.0) && up_of(s, ACC_B) == Some(1.0)
        })
        .await;
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http_401_is_a_token_refused_as_such() {
    // Issue 19: a dead token is told apart from a missing permission.
    start().await.fault_on_b(respond(401, &[], CF_ERROR_10000), "token_invalid").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http_403_with_code_9109_is_a_token_refused_as_such() {
    let body = r#"{"success":false,"errors":[{"code":9109,"message":"Invalid access token"}],"result":null}"#;
    start().await.fault_on_b(respond(403, &[], body), "token_invalid").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http_403_with_a_cloudflare_code_is_forbidden() {
    start().await.fault_on_b(respond(403, &[], CF_ERROR_10000), "forbidden").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn success_false_on_a_200_is_an_api_error() {
    let body = r#"{"success":false,"errors":[{"code":7003,"message":"No route for the URI"}],"result":null}"#;
    start().await.fault_on_b(respond(200, &[], body), "api_error").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn truncated_json_is_a_decode_error() {
    start()
        .await
        .fault_on_b(respond(200, &[], r#"{"success":true,"errors":[],"result":[{"uid":"x","#), "decode")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_field_types_are_a_decode_error() {
    let body = r#"{"success":true,"errors":[],"result":[{"uid":42,"current_certificate":"not an object"}]}"#;
    start().await.fault_on_b(respond(200, &[], body), "decode").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_response_slower_than_the_timeout_is_a_timeout() {
    // Held, not delayed: account B's calls get no answer until the test ends
    // the fault, however long the exporter's timeout takes to fire.
    let hold = Hold::new(ACCOUNT_B_PATHS);
    let parked = hold.clone();
    start()
        .await
        .misbehave_on_b(|fake| fake.update_knobs(|k| k.holds.push(parked)), |_| hold.release(), "timeout")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_reset_mid_body_is_a_transport_error() {
    start().await.fault_on_b(FaultKind::ResetMidBody, "transport").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_returning_the_same_page_forever_is_an_api_error() {
    start().await.fault_on_b(FaultKind::SamePageForever, "api_error").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_body_is_a_decode_error() {
    start().await.fault_on_b(FaultKind::Oversized(2 * 1024 * 1024), "decode").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn total_pages_larger_than_the_real_page_count_is_not_a_failure() {
    let harness = start().await;
    let requests_before = harness.fake.requests().len();
    harness.fake.inject(Fault {
        path_contains: ACCOUNT_B_PATHS.into(),
        times: None,
        kind: FaultKind::TotalPages(50),
    });
    eventually("several refreshes under the fault", WAIT, || {
        let n = harness.fake.requests().len();
        std::future::ready((n > requests_before + 12).then_some(()))
    })
    .await;
    let s = scrape(&harness.exporter.metrics_url).await;
    assert_eq!(up_of(&s, ACC_B), Some(1.0), "the walk ends on the first empty page");
    assert_eq!(
        metric("cloudflare_access_saml_certificate_sets").label("account_id", ACC_B).value_in(&s),
        2.0
    );
    assert_eq!(errors_of(&s, ACC_B, "api_error"), 0.0);
    harness.fake.clear_faults();
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_garbage_pem_is_reported_without_failing_the_account() {
    let harness = start().await;
    harness.fake.update_data(|d| {
        let b = d.accounts.iter_mut().find(|a| a.id == ACC_B).unwrap();
        b.sets[1].current.as_mut().unwrap().pem =
            "-----BEGIN CERTIFICATE-----\n@@@ garbage @@@\n-----END CERTIFICATE-----\n".into();
    });
    let s = harness
        .wait_until("the garbage PEM to be reported", |s| {
            metric("cloudflare_access_saml_certificate_parse_error")
                .label("certificate_set_uid", "set-b2")
                .try_value_in(s)
                == Some(1.0)
        })
        .await;
    assert_eq!(up_of(&s, ACC_B), Some(1.0));
    metric("cloudflare_access_saml_certificate_parse_error")
        .label("certificate_set_uid", "set-b2")
        .label("reason", "bad_pem")
        .assert_value(&s, 1.0);
    assert!(expiry(&s, "set-b2").is_some(), "still watched through the API's not_after");
    assert!(
        metric("cloudflare_access_saml_certificate_info")
            .label("certificate_set_uid", "set-b1")
            .try_value_in(&s)
            .is_some()
    );
    harness.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_previous_certificate_that_is_not_an_object_is_reported_on_its_set_and_the_account_stays_up() {
    // Cloudflare's schema leaves previous_certificate untyped (issue 19).
    let harness = start().await;
    let body = r#"{"success":true,"errors":[],"messages":[],"result":[
        {"uid":"set-b1","current_certificate":{"uid":"c1","not_after":"2030-01-01T00:00:00Z","is_current":true},"previous_certificate":[]},
        {"uid":"set-b2","current_certificate":{"uid":"c2","not_after":"2030-01-01T00:00:00Z","is_current":true},"previous_certificate":""}
    ],"result_info":{"page":1,"per_page":1000,"count":2,"total_count":2,"total_pages":1}}"#;
    harness.fake.inject(Fault {
        path_contains: "/accounts/accb0000000000000000000000000000/access/saml_certificates".into(),
        times: None,
        kind: respond(200, &[], body),
    });
    let not_an_object = |s: &Scrape, set: &str| {
        metric("cloudflare_access_saml_certificate_parse_error")
            .label("account_id", ACC_B)
            .label("certificate_set_uid", set)
            .label("slot", "previous")
            .label("reason", "not_an_object")
            .try_value_in(s)
    };
    let seen = harness
        .wait_until("both malformed previous certificates reported", |s| {
            not_an_object(s, "set-b1") == Some(1.0) && not_an_object(s, "set-b2") == Some(1.0)
        })
        .await;
    assert_eq!(up_of(&seen, ACC_B), Some(1.0), "the account stays up");
    assert_eq!(errors_of(&seen, ACC_B, "decode"), 0.0, "no decode error counted");
    harness.fake.clear_faults();
    harness.finish().await;
}
