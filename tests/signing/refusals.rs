//! What `signing sync` refuses (exit 3, nothing written): metadata that
//! cannot be read now, a mismatch without `--force` (which then proceeds),
//! and an identity provider read with a redacted value.

use fake_cloudflare::demo_data::identity_providers;

use super::{Demo, assert_exit, stderr, stdout};

#[tokio::test(flavor = "multi_thread")]
async fn unreadable_metadata_and_a_mismatch_without_force_are_refused_and_force_proceeds() {
    let demo = Demo::start().await;
    let config = demo.config();

    let shibboleth =
        demo.run(&config, &["sync", "--identity-provider", identity_providers::SHIBBOLETH, "--apply"]);
    assert_exit(&shibboleth, 3);
    let message = stderr(&shibboleth);
    assert!(message.contains("cannot be read now") && message.contains("503"), "{message}");

    let entra = ["sync", "--identity-provider", "Entra ID (demo)", "--apply"];
    let refused = demo.run(&config, &entra);
    assert_exit(&refused, 3);
    let message = stderr(&refused);
    for said in ["mismatch", "fingerprint", "administrator", "--force"] {
        assert!(message.contains(said), "{said} in {message}");
    }
    assert!(demo.writes().is_empty(), "a refusal wrote: {:?}", demo.writes());

    let forced = demo.run(&config, &[&entra[..], &["--force"]].concat());
    assert_exit(&forced, 0);
    assert!(stdout(&forced).contains("Synced the signing certificates"), "{}", stdout(&forced));
    let writes = demo.writes();
    assert_eq!(writes.len(), 1);
    assert!(writes[0].uri.ends_with(identity_providers::ENTRA_ID), "{}", writes[0].uri);
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redacted_value_in_the_identity_provider_read_is_refused() {
    let demo = Demo::start().await;
    // A masked entry, as Cloudflare writes a value it will not send back.
    demo.fake.update_data(|d| {
        let idp = d.accounts[0]
            .identity_providers
            .iter_mut()
            .find(|i| i.id == identity_providers::PING_FEDERATE)
            .expect("PingFederate");
        idp.signing_certificates.push("**********".to_owned());
    });
    let out = demo
        .run(&demo.config(), &["sync", "--identity-provider", identity_providers::PING_FEDERATE, "--apply"]);
    assert_exit(&out, 3);
    let message = stderr(&out);
    assert!(message.contains("redacted config.idp_public_certs[3]"), "{message}");
    assert!(message.contains("write the mask back"), "{message}");
    assert!(demo.writes().is_empty());
    demo.stop().await;
}
