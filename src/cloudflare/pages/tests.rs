//! Unit tests of `pages`.

use super::*;

fn info(per_page: u64, total_pages: Option<u64>) -> Option<ResultInfo> {
    Some(ResultInfo { per_page: Some(per_page), total_pages, ..ResultInfo::default() })
}

/// Serves `items` in pages of `cap`, with or without `result_info`.
fn server(
    items: Vec<String>,
    cap: u64,
    with_info: bool,
) -> impl FnMut(u64, u64) -> std::future::Ready<Result<Page<String>, ApiError>> {
    move |page, per_page| {
        let size = per_page.min(cap) as usize;
        let start = ((page - 1) as usize * size).min(items.len());
        let end = (start + size).min(items.len());
        let total_pages = (items.len() as u64).div_ceil(size as u64);
        std::future::ready(Ok(Page {
            items: items[start..end].to_vec(),
            info: with_info.then(|| ResultInfo {
                per_page: Some(size as u64),
                total_count: Some(items.len() as u64),
                total_pages: Some(total_pages),
                ..ResultInfo::default()
            }),
        }))
    }
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("item-{i}")).collect()
}

async fn walk(
    fetch: impl FnMut(u64, u64) -> std::future::Ready<Result<Page<String>, ApiError>>,
) -> Result<Vec<String>, ApiError> {
    walk_pages(Endpoint::SamlCertificates, MAX_PER_PAGE, |s: &String| Some(s.as_str()), fetch).await
}

#[tokio::test]
async fn walks_several_pages_when_the_server_caps_the_page_size() {
    assert_eq!(walk(server(names(57), 10, true)).await.unwrap(), names(57));
}

#[tokio::test]
async fn a_short_last_page_without_result_info_is_followed_by_one_empty_page() {
    // Without total_count only an empty page proves the end.
    let (got, calls) = counted(10, server(names(25), 1000, false)).await;
    assert_eq!(got, names(25));
    assert_eq!(calls, 4, "pages of 10, 10, 5, then the empty one");
}

#[tokio::test]
async fn an_empty_list_is_one_request() {
    assert!(walk(server(Vec::new(), 10, true)).await.unwrap().is_empty());
}

#[tokio::test]
async fn duplicates_across_pages_are_kept_once() {
    let pages = [vec!["a", "b"], vec!["b", "c"], vec![]];
    let got = walk(|page, _| {
        let items = pages[page as usize - 1].iter().map(|s| s.to_string()).collect();
        std::future::ready(Ok(Page { items, info: info(2, None) }))
    })
    .await
    .unwrap();
    assert_eq!(got, ["a", "b", "c"]);
}

#[tokio::test]
async fn total_pages_larger_than_the_list_ends_on_the_empty_page() {
    let items = names(3);
    let got = walk(|page, _| {
        let items = if page == 1 { items.clone() } else { Vec::new() };
        std::future::ready(Ok(Page { items, info: info(3, Some(40)) }))
    })
    .await
    .unwrap();
    assert_eq!(got, names(3));
}

/// Walks `fetch`, returning the items and how many pages were asked for.
async fn counted(
    per_page: u64,
    mut fetch: impl FnMut(u64, u64) -> std::future::Ready<Result<Page<String>, ApiError>>,
) -> (Vec<String>, u64) {
    let mut calls = 0;
    let got = walk_pages(
        Endpoint::SamlCertificates,
        per_page,
        |s: &String| Some(s.as_str()),
        |p, n| {
            calls += 1;
            fetch(p, n)
        },
    )
    .await
    .unwrap();
    (got, calls)
}

#[tokio::test]
async fn a_list_in_one_page_is_one_request_with_total_count_and_two_without() {
    assert_eq!(counted(1000, server(names(7), 1000, true)).await, (names(7), 1));
    assert_eq!(counted(1000, server(names(7), 1000, false)).await, (names(7), 2));
}

#[tokio::test]
async fn a_server_capping_the_page_size_while_echoing_the_request_is_read_to_the_end() {
    // Asked for 1,000 and told 1,000, the server sends 100 a page and no
    // total_count: every page looks short, none is the last.
    let items = names(250);
    let (got, calls) = counted(1000, |page, asked| {
        let start = ((page - 1) as usize * 100).min(items.len());
        let end = (start + 100).min(items.len());
        let info = ResultInfo { page: Some(page), per_page: Some(asked), ..ResultInfo::default() };
        std::future::ready(Ok(Page { items: items[start..end].to_vec(), info: Some(info) }))
    })
    .await;
    assert_eq!(got, names(250));
    assert_eq!(calls, 4, "100, 100, 50, then the empty page");
}

#[tokio::test]
async fn a_short_page_of_items_already_seen_ends_the_walk() {
    // A list that moved under the walk: one item shifted onto page 2.
    let pages = [vec!["a", "b", "c"], vec!["c"]];
    let got = walk(|page, _| {
        let items =
            pages.get(page as usize - 1).map_or_else(Vec::new, |p| p.iter().map(|s| s.to_string()).collect());
        std::future::ready(Ok(Page { items, info: None }))
    })
    .await
    .unwrap();
    assert_eq!(got, ["a", "b", "c"]);
}

#[tokio::test]
async fn a_full_page_that_total_pages_calls_the_last_is_not_trusted() {
    // The server claims one page and no total_count, but the page is full:
    // Cloudflare's clients read on, and so does the walk.
    let (got, calls) = counted(1000, |page, _| {
        let items = match page {
            1 => names(3),
            2 => vec!["late".to_owned()],
            _ => Vec::new(),
        };
        std::future::ready(Ok(Page { items, info: info(3, Some(1)) }))
    })
    .await;
    assert_eq!(got, [names(3), vec!["late".to_owned()]].concat());
    assert_eq!(calls, 3, "only the empty third page ends it");
}

#[tokio::test]
async fn total_count_reached_on_a_full_page_ends_the_walk_without_another_request() {
    assert_eq!(counted(1000, server(names(20), 10, true)).await, (names(20), 2));
}

#[tokio::test]
async fn a_full_last_page_without_result_info_is_followed_by_one_empty_page() {
    assert_eq!(counted(10, server(names(20), 1000, false)).await, (names(20), 3));
}

#[tokio::test]
async fn items_without_a_key_are_all_kept_and_never_end_the_walk() {
    // Two IdPs without id on a full page, one keyed IdP repeated across pages.
    let pages: [Vec<(Option<&str>, &str)>; 3] =
        [vec![(None, "x"), (None, "y")], vec![(Some("k"), "k1"), (None, "z")], vec![(Some("k"), "k2")]];
    let got = walk_pages(
        Endpoint::SamlCertificates,
        2,
        |item: &(Option<&str>, &str)| item.0,
        |page, _| {
            let items = pages.get(page as usize - 1).cloned().unwrap_or_default();
            std::future::ready(Ok(Page { items, info: info(2, None) }))
        },
    )
    .await
    .unwrap();
    let names: Vec<&str> = got.iter().map(|i| i.1).collect();
    assert_eq!(names, ["x", "y", "k1", "z"], "keyless items kept; the repeated key once");
}

#[tokio::test]
async fn a_server_repeating_the_same_page_is_an_error_not_a_loop() {
    let err =
        walk(|_, _| std::future::ready(Ok(Page { items: names(2), info: info(2, None) }))).await.unwrap_err();
    assert_eq!(err.reason().label(), "api_error");
    assert!(err.to_string().contains("page 2 repeated"), "{err}");
}

#[tokio::test]
async fn an_error_mid_walk_is_returned() {
    let err = walk(|page, _| {
        std::future::ready(if page == 2 {
            Err(ApiError::Status { endpoint: Endpoint::SamlCertificates, status: 500, errors: vec![] })
        } else {
            Ok(Page { items: vec![format!("p{page}")], info: info(1, Some(3)) })
        })
    })
    .await
    .unwrap_err();
    assert_eq!(err.reason().label(), "server_error");
}
/// Walks a server that never runs dry: every page is as full as asked and
/// holds only items not seen before. `info(page, per_page)` is the
/// `result_info` sent with each page. Returns the walk's outcome and how
/// many pages were fetched.
async fn walk_a_bottomless_list(
    per_page: u64,
    info: impl Fn(u64, u64) -> Option<ResultInfo>,
) -> (Result<Vec<String>, ApiError>, u64) {
    let mut calls = 0;
    let outcome = walk_pages(
        Endpoint::SamlCertificates,
        per_page,
        |s: &String| Some(s.as_str()),
        |page, asked| {
            calls += 1;
            // A walk that ignores its cap would spin here for ever (the
            // futures are ready, so no timeout could interrupt it); the
            // list runs dry well past the cap instead, so such a walk
            // ends with Ok and fails the assertions below.
            let items = if calls > 2 * MAX_PAGES {
                Vec::new()
            } else {
                (0..asked).map(|i| format!("page-{page}-item-{i}")).collect()
            };
            std::future::ready(Ok(Page { items, info: info(page, asked) }))
        },
    )
    .await;
    (outcome, calls)
}

fn assert_cap_reached(outcome: Result<Vec<String>, ApiError>, calls: u64) {
    let err = match outcome {
        Ok(items) => panic!("the walk ended after {calls} pages with {} items", items.len()),
        Err(err) => err,
    };
    assert!(matches!(err, ApiError::Pagination { .. }), "{err:?}");
    assert_eq!(err.reason().label(), "api_error");
    assert!(err.to_string().contains(&format!("more than {MAX_PAGES} pages")), "{err}");
    assert_eq!(calls, MAX_PAGES, "every page up to the cap, and not one more");
}

#[tokio::test]
async fn a_total_pages_far_beyond_the_cap_ends_at_the_cap_with_an_error() {
    let (outcome, calls) = walk_a_bottomless_list(4, |page, per_page| {
        Some(ResultInfo {
            page: Some(page),
            per_page: Some(per_page),
            count: Some(per_page),
            total_count: Some(per_page * 1_000_000),
            total_pages: Some(1_000_000),
        })
    })
    .await;
    assert_cap_reached(outcome, calls);
}

#[tokio::test]
async fn full_pages_without_result_info_end_at_the_cap_with_an_error() {
    // Without result_info a full page is the only sign that more follow.
    let (outcome, calls) = walk_a_bottomless_list(3, |_, _| None).await;
    assert_cap_reached(outcome, calls);
}
