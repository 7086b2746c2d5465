//! Unit tests of `server`.

use super::*;
use http_body_util::BodyExt as _;

fn get(path: &str) -> Request<()> {
    Request::get(path).body(()).unwrap()
}

#[tokio::test]
async fn scrapes_beyond_the_limit_get_503_while_health_probes_still_answer() {
    let app = WebApp::new(
        Arc::new(ExporterState::default()),
        Arc::new(ExporterCounters::new()),
        "/metrics".into(),
        WebSecurity::default(),
        1,
    );
    assert_eq!(app.respond(get("/metrics"), &Connection::default()).await.status(), StatusCode::OK);
    let busy = app.scrapes.as_ref().unwrap().try_acquire().unwrap();
    assert_eq!(
        app.respond(get("/metrics"), &Connection::default()).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(app.respond(get("/-/healthy"), &Connection::default()).await.status(), StatusCode::OK);
    drop(busy);
    assert_eq!(app.respond(get("/metrics"), &Connection::default()).await.status(), StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn the_status_page_and_its_json_are_rendered_once_for_many_requests() {
    let state = Arc::new(ExporterState::default());
    let counters = Arc::new(ExporterCounters::new());
    let app = WebApp::new(Arc::clone(&state), counters, "/metrics".into(), WebSecurity::default(), 0);
    for path in ["/", "/status.json", "/", "/status.json"] {
        assert_eq!(app.respond(get(path), &Connection::default()).await.status(), StatusCode::OK, "{path}");
    }
    assert_eq!(app.status.renders(), 1, "one render serves both pages");
    state.set_accounts(&["acc00000000000000000000000000000".into()]);
    let page = app.respond(get("/"), &Connection::default()).await;
    assert_eq!(page.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(app.status.renders(), 2, "a state change renders again");
    assert_eq!(app.exposition.renders(), 0, "the status page does not render /metrics");
}

#[tokio::test]
async fn a_scrape_keeps_its_slot_until_its_body_is_gone() {
    let app = WebApp::new(
        Arc::new(ExporterState::default()),
        Arc::new(ExporterCounters::new()),
        "/metrics".into(),
        WebSecurity::default(),
        1,
    );
    let connection = Connection::default();
    let unread = app.respond(get("/metrics"), &connection).await;
    assert_eq!(unread.status(), StatusCode::OK);
    let refused = app.respond(get("/"), &connection).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE, "the unwritten body holds the slot");
    drop(unread);
    assert_eq!(app.respond(get("/"), &connection).await.status(), StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn the_calendar_is_text_calendar_rendered_once_and_held_to_the_scrape_limit() {
    let state = Arc::new(ExporterState::default());
    let counters = Arc::new(ExporterCounters::new());
    counters.set_token("default", crate::counters::TokenState::new("active", Some(1_900_000_000.0)));
    let app = WebApp::new(Arc::clone(&state), counters, "/metrics".into(), WebSecurity::default(), 1)
        .with_runbook_base("https://exporter.example/runbook".into());
    let connection = Connection::default();
    let calendar = app.respond(get("/calendar.ics"), &connection).await;
    assert_eq!(calendar.status(), StatusCode::OK);
    assert_eq!(calendar.headers()[CONTENT_TYPE], "text/calendar; charset=utf-8");
    assert_eq!(
        app.respond(get("/calendar.ics"), &connection).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let body = calendar.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(body.to_vec()).unwrap().replace("\r\n ", "");
    assert!(
        text.contains("URL:https://exporter.example/runbook#cloudflaresamlexportertokenexpiring"),
        "{text}"
    );
    assert_eq!(app.respond(get("/calendar.ics"), &connection).await.status(), StatusCode::OK);
    assert_eq!(app.calendar.renders(), 1);
    assert_eq!(app.status.renders(), 0, "the calendar does not render the status page");
}
