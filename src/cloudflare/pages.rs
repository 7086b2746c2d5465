//! Walking a paginated v4 list to its end, exactly once per item.
//!
//! Cloudflare's own clients ask for the next page until they get an empty
//! one and never trust `total_pages`; `result_info` is optional and servers
//! may cap `per_page` below what was asked. So the walk ends on a page that
//! is provably the last (empty, short, or completing `total_count`), never
//! on a full page that `total_pages` calls the last, and refuses to loop
//! forever.

use std::collections::HashSet;
use std::future::Future;

use crate::cloudflare::endpoint::Endpoint;
use crate::cloudflare::error::ApiError;
use crate::cloudflare::wire::ResultInfo;

/// The documented maximum `per_page` of both SAML list endpoints.
pub const MAX_PER_PAGE: u64 = 1000;

/// A walk gives up after this many pages (500k items at the documented
/// maximum page size, 12.5k even at the smallest default).
pub const MAX_PAGES: u64 = 500;

/// One page of a list response.
#[derive(Debug)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The server's pagination facts, if it sent any.
    pub info: Option<ResultInfo>,
}

/// Fetches `page = 1, 2, ...` with `fetch(page, per_page)` until the list
/// ends, and returns every item once: the first occurrence of a `key` wins,
/// and items whose `key` is `None` (an IdP without `id`) are all kept.
///
/// The list ends at the first of: an empty page; a page shorter than the
/// page size the server reports (or, without `result_info`, the size asked
/// for); or once as many items as `total_count` have been received. A full
/// page never ends the list on `total_pages` alone. A full page that brings
/// no new item, or more than [`MAX_PAGES`] pages, is an
/// [`ApiError::Pagination`]: the server is repeating itself.
pub async fn walk_pages<T, K, F, Fut>(
    endpoint: Endpoint,
    per_page: u64,
    key: K,
    mut fetch: F,
) -> Result<Vec<T>, ApiError>
where
    K: Fn(&T) -> Option<&str>,
    F: FnMut(u64, u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let mut seen: HashSet<String> = HashSet::new();
    let mut all = Vec::new();
    let mut received_in_total = 0u64;
    for page in 1..=MAX_PAGES {
        let Page { items, info } = fetch(page, per_page).await?;
        let received = items.len() as u64;
        if received == 0 {
            return Ok(all);
        }
        received_in_total += received;
        let before = all.len();
        for item in items {
            let new = match key(&item) {
                Some(key) => seen.insert(key.to_owned()),
                None => true,
            };
            if new {
                all.push(item);
            }
        }
        let info = info.unwrap_or_default();
        let page_size = info.per_page.filter(|&n| n > 0).unwrap_or(per_page);
        let short = received < page_size;
        let complete = info.total_count.is_some_and(|total| received_in_total >= total);
        if short || complete {
            return Ok(all);
        }
        if all.len() == before {
            return Err(ApiError::Pagination {
                endpoint,
                detail: format!("page {page} repeated only items already seen"),
            });
        }
    }
    Err(ApiError::Pagination { endpoint, detail: format!("more than {MAX_PAGES} pages") })
}

#[cfg(test)]
mod tests;
