//! Tests of `metadata_server`: a real server on a loopback port, a plain
//! HTTP/1.1 client, no sleeps (a hanging request is waited on through the
//! request count).

use std::net::SocketAddr;

use hyper::StatusCode;

use super::body::{FILLER_CHUNK, Filler, MetadataBody};
use super::*;
use crate::clock::{http_date, parse_http_date};
use crate::test_support::{Fetched, fetch};

mod failures;

const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);
const DOCUMENT: &str =
    "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"e\"/>\n";

async fn host() -> FakeIdentityProviderMetadata {
    FakeIdentityProviderMetadata::start(LOOPBACK).await.expect("a loopback port")
}

async fn get(host: &FakeIdentityProviderMetadata, path: &str, headers: &[(&str, &str)]) -> Fetched {
    fetch(&host.url(path), headers).await.expect("an answer")
}

#[tokio::test]
async fn a_document_comes_with_its_type_a_strong_etag_and_last_modified() {
    let host = host().await;
    host.set("/metadata", Published::Document(DOCUMENT.to_owned()));
    let fetched = get(&host, "/metadata", &[]).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body, DOCUMENT.as_bytes());
    assert_eq!(fetched.header("content-type"), Some("application/samlmetadata+xml"));
    assert_eq!(fetched.header("content-length"), Some(DOCUMENT.len().to_string().as_str()));
    let etag = fetched.header("etag").expect("an ETag");
    assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2, "strong: {etag}");
    let last_modified = fetched.header("last-modified").expect("a Last-Modified");
    assert!(parse_http_date(last_modified).is_some(), "{last_modified}");
    host.stop().await;
}

#[tokio::test]
async fn a_matching_if_none_match_gets_304_with_no_body_and_the_validators() {
    let host = host().await;
    host.set("/metadata", Published::Document(DOCUMENT.to_owned()));
    let first = get(&host, "/metadata", &[]).await;
    let etag = first.header("etag").expect("an ETag");
    let weak = format!("W/{etag}");
    for tags in [etag, weak.as_str(), &format!("\"other\", {etag}"), "*"] {
        let again = get(&host, "/metadata", &[("if-none-match", tags)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{tags}");
        assert_eq!(again.body_len, 0, "{tags}");
        assert_eq!(again.header("etag"), Some(etag));
        assert_eq!(again.header("last-modified"), first.header("last-modified"));
    }
    let other = get(&host, "/metadata", &[("if-none-match", "\"other\"")]).await;
    assert_eq!((other.status, other.body.as_slice()), (StatusCode::OK, DOCUMENT.as_bytes()));
    // If-None-Match decides when present, even against a matching date.
    let last_modified = first.header("last-modified").expect("a Last-Modified");
    let both = [("if-none-match", "\"other\""), ("if-modified-since", last_modified)];
    assert_eq!(get(&host, "/metadata", &both).await.status, StatusCode::OK);
    let logged = host.requests();
    assert_eq!(logged.len(), 7);
    assert_eq!(logged[1].if_none_match.as_deref(), Some(etag));
    assert_eq!(logged[6].if_modified_since.as_deref(), Some(last_modified));
    assert_eq!((logged[0].method.as_str(), logged[0].path.as_str()), ("GET", "/metadata"));
    host.stop().await;
}

#[tokio::test]
async fn if_modified_since_gets_304_from_the_last_modified_on() {
    let host = host().await;
    host.set("/metadata", Published::Document(DOCUMENT.to_owned()));
    let first = get(&host, "/metadata", &[]).await;
    let last_modified = first.header("last-modified").expect("a Last-Modified");
    let unix = parse_http_date(last_modified).expect("an HTTP date");
    for (since, status) in [
        (last_modified.to_owned(), StatusCode::NOT_MODIFIED),
        (http_date(unix + 60), StatusCode::NOT_MODIFIED),
        (http_date(unix - 1), StatusCode::OK),
        ("yesterday".to_owned(), StatusCode::OK),
    ] {
        let again = get(&host, "/metadata", &[("if-modified-since", &since)]).await;
        assert_eq!(again.status, status, "{since}");
    }
    host.stop().await;
}

#[tokio::test]
async fn set_changes_the_answer_and_a_new_document_gets_new_validators() {
    let host = host().await;
    host.set("/metadata", Published::Document(DOCUMENT.to_owned()));
    let first = get(&host, "/metadata", &[]).await;
    let (etag, last_modified) =
        (first.header("etag").expect("ETag"), first.header("last-modified").expect("date"));
    host.set("/metadata", Published::Document(DOCUMENT.to_owned()));
    let same = get(&host, "/metadata", &[("if-none-match", etag)]).await;
    assert_eq!(same.status, StatusCode::NOT_MODIFIED, "the same document again is not a change");
    assert_eq!(same.header("last-modified"), Some(last_modified));
    let changed = DOCUMENT.replace("\"e\"", "\"f\"");
    host.set("/metadata", Published::Document(changed.clone()));
    let after =
        get(&host, "/metadata", &[("if-none-match", etag), ("if-modified-since", last_modified)]).await;
    assert_eq!((after.status, after.body.as_slice()), (StatusCode::OK, changed.as_bytes()));
    assert_ne!(after.header("etag"), Some(etag));
    let moved = parse_http_date(after.header("last-modified").expect("date"));
    assert!(moved > parse_http_date(last_modified), "even within the same second");
    let by_date = get(&host, "/metadata", &[("if-modified-since", last_modified)]).await;
    assert_eq!(by_date.status, StatusCode::OK, "a date alone sees the change too");
    host.set("/metadata", Published::Status(503));
    assert_eq!(get(&host, "/metadata", &[]).await.status, StatusCode::SERVICE_UNAVAILABLE);
    host.stop().await;
}

#[tokio::test]
async fn an_unknown_path_is_404_and_a_query_does_not_change_the_path() {
    let host = host().await;
    host.set("/known?ignored=1", Published::Document(DOCUMENT.to_owned()));
    assert_eq!(get(&host, "/unknown", &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&host, "/known/", &[]).await.status, StatusCode::NOT_FOUND);
    let with_query = get(&host, "/known?appid=1", &[]).await;
    assert_eq!(with_query.status, StatusCode::OK);
    let logged = host.requests();
    assert_eq!((logged[2].path.as_str(), logged[2].query.as_deref()), ("/known", Some("appid=1")));
    host.stop().await;
}

#[tokio::test]
async fn url_is_http_on_the_bound_loopback_port_with_path_and_query() {
    let host = host().await;
    let port = host.local_addr().port();
    assert_ne!(port, 0);
    assert_eq!(host.url("/a/b.xml").as_str(), format!("http://127.0.0.1:{port}/a/b.xml"));
    assert_eq!(host.url("/a?appid=x&b=y").as_str(), format!("http://127.0.0.1:{port}/a?appid=x&b=y"));
    host.stop().await;
}

#[tokio::test]
async fn filler_is_made_in_chunks_of_at_most_64_kib_to_the_exact_length() {
    for (total, announce) in
        [(0, false), (10, true), (FILLER_CHUNK as u64 * 3 + 17, false), (1_000_003, true)]
    {
        let mut body = MetadataBody::Filler(Filler::new(total, announce));
        let hint = hyper::body::Body::size_hint(&body).exact();
        assert_eq!(hint, announce.then_some(total), "{total}");
        let (mut sent, mut frames, mut start) = (0u64, 0usize, Vec::new());
        while let Some(frame) = http_body_util::BodyExt::frame(&mut body).await {
            let data = frame.expect("infallible").into_data().expect("data");
            assert!(!data.is_empty() && data.len() <= FILLER_CHUNK, "{}", data.len());
            start.extend_from_slice(&data[..data.len().min(64usize.saturating_sub(start.len()))]);
            sent += data.len() as u64;
            frames += 1;
        }
        assert_eq!(sent, total);
        assert!(frames as u64 <= total.div_ceil(FILLER_CHUNK as u64) + 1, "{frames} frames for {total}");
        let expected_start = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<md:EntitiesDescriptor";
        assert!(
            expected_start.as_bytes().starts_with(&start) || start.starts_with(expected_start.as_bytes())
        );
    }
}
