//! Tests of `metadata_server`'s failure answers: statuses, huge bodies,
//! redirects, a request that never gets an answer, methods it refuses.

use super::*;

#[tokio::test]
async fn a_status_is_served_with_a_short_body_and_none_where_the_status_forbids_one() {
    let host = host().await;
    for (code, with_body) in [(503, true), (500, true), (403, true), (204, false)] {
        host.set("/status", Published::Status(code));
        let fetched = get(&host, "/status", &[]).await;
        assert_eq!(fetched.status.as_u16(), code);
        assert_eq!(fetched.body_len > 0, with_body, "{code}");
        assert!(fetched.body_len < 64, "{code}: {}", fetched.body_len);
    }
    host.set("/status", Published::Status(42));
    assert_eq!(get(&host, "/status", &[]).await.status, StatusCode::INTERNAL_SERVER_ERROR, "not a status");
    host.stop().await;
}

#[tokio::test]
async fn huge_streams_100_mb_chunked_without_announcing_its_length() {
    let host = host().await;
    let bytes = 100_000_000;
    host.set("/huge", Published::Huge { bytes });
    let fetched = get(&host, "/huge", &[]).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body_len, bytes);
    assert_eq!(fetched.header("content-length"), None);
    assert_eq!(fetched.header("transfer-encoding"), Some("chunked"));
    assert_eq!(fetched.header("content-type"), Some("application/samlmetadata+xml"));
    assert!(fetched.body.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<md:EntitiesDescriptor"));
    host.stop().await;
}

#[tokio::test]
async fn huge_with_length_announces_its_length_and_sends_it_all() {
    let host = host().await;
    let bytes = 11 * 1024 * 1024 + 7;
    host.set("/huge", Published::HugeWithLength { bytes });
    let fetched = get(&host, "/huge", &[]).await;
    assert_eq!(fetched.header("content-length"), Some(bytes.to_string().as_str()));
    assert_eq!(fetched.body_len, bytes);
    host.stop().await;
}

#[tokio::test]
async fn a_redirect_loop_sends_every_hop_to_a_new_url_on_the_same_path() {
    let host = host().await;
    host.set("/loop", Published::RedirectLoop);
    let mut url = host.url("/loop");
    let mut seen = std::collections::HashSet::new();
    for hop in 1..=12 {
        let fetched = fetch(&url, &[]).await.expect("an answer");
        assert_eq!(fetched.status, StatusCode::FOUND);
        let location = fetched.header("location").expect("a Location");
        assert_eq!(location, format!("/loop?hop={hop}"));
        url = url.join(location).expect("a relative URL");
        assert!(seen.insert(url.clone()), "{url} seen before");
    }
    assert_eq!(host.requests().len(), 12);
    host.stop().await;
}

#[tokio::test]
async fn a_redirect_points_where_it_is_told() {
    let host = host().await;
    host.set("/old", Published::Redirect("/new".to_owned()));
    host.set("/new", Published::Document(DOCUMENT.to_owned()));
    host.set("/away", Published::Redirect("https://idp.example.com/metadata".to_owned()));
    let old = get(&host, "/old", &[]).await;
    assert_eq!((old.status, old.header("location")), (StatusCode::FOUND, Some("/new")));
    let away = get(&host, "/away", &[]).await;
    assert_eq!(away.header("location"), Some("https://idp.example.com/metadata"));
    host.set("/bad", Published::Redirect("line\nbreak".to_owned()));
    assert_eq!(get(&host, "/bad", &[]).await.status, StatusCode::INTERNAL_SERVER_ERROR);
    host.stop().await;
}

#[tokio::test]
async fn a_hang_is_received_never_answered_and_cut_off_by_stop() {
    let host = host().await;
    host.set("/hang", Published::Hang);
    let url = host.url("/hang");
    let client = tokio::spawn(async move { fetch(&url, &[]).await });
    let logged = host.wait_for_requests(1).await;
    assert_eq!(logged[0].path, "/hang");
    assert!(!client.is_finished(), "answered");
    host.stop().await;
    let outcome = client.await.expect("the client task");
    assert!(outcome.is_err(), "{outcome:?}");
}

#[tokio::test]
async fn other_methods_than_get_and_head_are_refused() {
    let host = host().await;
    host.set("/metadata", Published::Document(DOCUMENT.to_owned()));
    let stream = tokio::net::TcpStream::connect(host.local_addr()).await.expect("connect");
    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await.expect("handshake");
    tokio::spawn(connection);
    for (method, status) in [("HEAD", StatusCode::OK), ("POST", StatusCode::METHOD_NOT_ALLOWED)] {
        let request = hyper::Request::builder()
            .method(method)
            .uri("/metadata")
            .header("host", "127.0.0.1")
            .body(http_body_util::Empty::<bytes::Bytes>::new())
            .expect("a request");
        let response = sender.send_request(request).await.expect("an answer");
        assert_eq!(response.status(), status, "{method}");
        if status == StatusCode::METHOD_NOT_ALLOWED {
            assert_eq!(response.headers()["allow"], "GET, HEAD");
        }
        let body = http_body_util::BodyExt::collect(response.into_body()).await.expect("a body").to_bytes();
        assert!(method != "HEAD" || body.is_empty(), "HEAD has no body");
    }
    host.stop().await;
}
