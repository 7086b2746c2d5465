//! Records the git revision for `cloudflare_access_saml_exporter_build_info`.

fn main() {
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    println!("cargo:rerun-if-env-changed=CLOUDFLARE_SAML_EXPORTER_REVISION");
    if std::env::var_os("CLOUDFLARE_SAML_EXPORTER_REVISION").is_some() {
        return;
    }
    let revision = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if let Some(revision) = revision {
        println!("cargo:rustc-env=CLOUDFLARE_SAML_EXPORTER_REVISION={revision}");
    }
}
