# syntax=docker/dockerfile:1
# Container image of cloudflare-saml-exporter. Not built in CI (no registry is
# reachable from the build machines); build it where Docker is:
#   docker build --build-arg REVISION="$(git rev-parse --short=12 HEAD)" \
#     -t cloudflare-saml-exporter:0.1.0 .

# Build: the same command as a release build anywhere else, from the lockfile.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# .git is not in the context: build.rs takes the revision from this variable.
ARG REVISION=""
# The default build, `demo` included, so that `docker run --rm -p 19380:19380
# IMAGE demo` shows real metrics before any token exists. It costs about 0.6 MB
# (4 %; README, "Building"): the TLS client already links the same crypto back
# end, and the fake API runs only under `demo`, on loopback. `--build-arg
# FEATURES=` builds the exporter alone (no fake API, no rcgen).
ARG FEATURES="demo"
RUN if [ -n "$REVISION" ]; then export CLOUDFLARE_SAML_EXPORTER_REVISION="$REVISION"; fi \
 && cargo build --release --locked --no-default-features --features "$FEATURES" --bin cloudflare-saml-exporter \
 && install -D -m 0755 target/release/cloudflare-saml-exporter /out/cloudflare-saml-exporter

# Run: glibc, libgcc and the CA certificates the TLS client trusts; no shell,
# no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot
ARG VERSION=0.1.0
ARG REVISION=""
LABEL org.opencontainers.image.title="cloudflare-saml-exporter" \
      org.opencontainers.image.description="Prometheus exporter for Cloudflare Access SAML encryption certificate expiry" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /out/cloudflare-saml-exporter /usr/bin/cloudflare-saml-exporter
# 65532 is distroless' "nonroot"; numeric, so runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 19380
ENTRYPOINT ["/usr/bin/cloudflare-saml-exporter"]
