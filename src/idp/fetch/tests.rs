//! Unit tests of `fetch`, against a small HTTP server on loopback.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

/// Serves `answer(path, request head)` (a whole raw HTTP response) on a
/// loopback port; counts the requests.
async fn serve(answer: fn(&str, &str) -> Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 1024];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let _ = stream.write_all(&answer(&path, &head)).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (base, count)
}

fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn fetcher() -> MetadataFetcher {
    MetadataFetcher::new(&FetchSettings { timeout: Duration::from_secs(5), extra_roots_pem: None }).unwrap()
}

fn url(base: &str, path: &str) -> Url {
    Url::parse(&format!("{base}{path}")).unwrap()
}

#[tokio::test]
async fn a_document_comes_with_its_validators_and_an_unchanged_one_is_a_304() {
    let (base, _) = serve(|_, head| {
        if head.to_ascii_lowercase().contains("if-none-match: \"v1\"") {
            response("304 Not Modified", &[("etag", "\"v1\"")], b"")
        } else {
            response(
                "200 OK",
                &[("etag", "\"v1\""), ("last-modified", "Wed, 02 Dec 2026 10:00:00 GMT")],
                b"<md/>",
            )
        }
    })
    .await;
    let fetched = fetcher().fetch(&url(&base, "/metadata.xml"), &Validators::default()).await.unwrap();
    let Fetched::Document { body, validators } = fetched else { panic!("{fetched:?}") };
    assert_eq!(body, b"<md/>");
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(validators.last_modified.as_deref(), Some("Wed, 02 Dec 2026 10:00:00 GMT"));
    let again = fetcher().fetch(&url(&base, "/metadata.xml"), &validators).await.unwrap();
    assert_eq!(again, Fetched::NotModified);
}

#[tokio::test]
async fn refusals_have_their_reasons() {
    let (base, _) = serve(|path, _| match path {
        "/missing" => response("404 Not Found", &[], b"no"),
        "/huge" => {
            // Claims 100 MB; sends nothing of it.
            b"HTTP/1.1 200 OK\r\ncontent-length: 100000000\r\nconnection: close\r\n\r\n".to_vec()
        }
        "/endless" => response("302 Found", &[("location", "/endless")], b""),
        "/to-plain-http" => response("302 Found", &[("location", "http://example.com/metadata.xml")], b""),
        _ => response("200 OK", &[], b"ok"),
    })
    .await;
    let fetcher = fetcher();
    let reason =
        |result: Result<Fetched, FetchError>| result.map(|_| "fetched").unwrap_or_else(|e| e.reason());
    assert_eq!(reason(fetcher.fetch(&url(&base, "/missing"), &Validators::default()).await), "http_status");
    assert_eq!(reason(fetcher.fetch(&url(&base, "/huge"), &Validators::default()).await), "too_large");
    assert_eq!(reason(fetcher.fetch(&url(&base, "/endless"), &Validators::default()).await), "redirects");
    assert_eq!(
        reason(fetcher.fetch(&url(&base, "/to-plain-http"), &Validators::default()).await),
        "redirects"
    );
    let plain = Url::parse("http://idp.example.com/metadata.xml").unwrap();
    assert_eq!(reason(fetcher.fetch(&plain, &Validators::default()).await), "insecure_url");
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    assert_eq!(reason(fetcher.fetch(&url(&closed, "/"), &Validators::default()).await), "unreachable");
    for reason in ["insecure_url", "unreachable", "http_status", "redirects", "too_large"] {
        assert!(FETCH_REASONS.contains(&reason));
    }
}

#[tokio::test]
async fn a_body_that_grows_past_the_bound_without_saying_so_is_cut_off() {
    let (base, _) = serve(|_, _| {
        // No content-length: the body ends when the connection does.
        let mut out = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_vec();
        out.extend(std::iter::repeat_n(b'x', MAX_METADATA_BYTES + 1));
        out
    })
    .await;
    let err = fetcher().fetch(&url(&base, "/"), &Validators::default()).await.unwrap_err();
    assert_eq!(err.reason(), "too_large", "{err}");
}

#[test]
fn only_https_or_loopback_http_is_fetchable() {
    for (url, fetchable) in [
        ("https://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml", true),
        ("http://127.0.0.1:8080/m.xml", true),
        ("http://[::1]/m.xml", true),
        ("http://localhost/m.xml", true),
        ("http://adfs.example.com/m.xml", false),
        ("ftp://example.com/m.xml", false),
        ("file:///etc/passwd", false),
    ] {
        assert_eq!(is_fetchable(&Url::parse(url).unwrap()), fetchable, "{url}");
    }
    let err = MetadataFetcher::new(&FetchSettings {
        timeout: Duration::from_secs(1),
        extra_roots_pem: Some(b"no pem".to_vec()),
    })
    .unwrap_err();
    assert!(err.contains("CA file"), "{err}");
}
