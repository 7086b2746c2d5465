//! What the `encryption` commands say when Cloudflare refuses: a feature
//! the account lacks, a dead token, or a missing permission.

use std::process::Output;

use super::{assert_exit, fixture, run, run_with, stderr, writes};
use crate::support::fixtures::ACC;
use crate::support::start_fake;

#[tokio::test(flavor = "multi_thread")]
async fn refusals_say_whether_the_feature_the_token_or_a_permission_is_at_fault() {
    let fake = start_fake(fixture()).await;
    let create = ["create-set", "--account-id", ACC, "--identity-provider", "idp-new", "--apply"];
    // Each refusal exits 2 and says what is at fault.
    let refused_with = |out: Output, words: &[&str]| {
        assert_exit(&out, 2);
        let err = stderr(&out);
        assert!(words.iter().all(|w| err.contains(w)), "{words:?} in {err}");
    };
    fake.update_knobs(|k| k.saml_encryption_disabled = vec![ACC.into()]);
    refused_with(run(&fake, &create), &["SAML encryption not enabled for organization", "not a permission"]);
    fake.update_knobs(|k| {
        k.saml_encryption_disabled.clear();
        k.token_revoked = true;
    });
    refused_with(run(&fake, &create), &["9109", "the API token itself is refused"]);
    fake.update_knobs(|k| k.token_revoked = false);
    refused_with(run_with(&fake, "not-the-token", &create), &["lacks a permission"]);
    assert!(writes(&fake).iter().all(|w| w.contains("saml_certificate")), "nothing else was written");
    fake.stop().await;
}
