//! Walking a paginated v4 list to its end, exactly once per item.
//!
//! Cloudflare's own clients (cloudflare-go, cloudflare-python) ask for the
//! next page until they get an empty one and never trust `total_pages` or
//! the `per_page` echoed back: servers may cap the page size below what was
//! asked and still echo the request. So the walk ends only on an empty page
//! or once `total_count` items have arrived, and refuses to loop forever.
//! The cost of that certainty is at most one extra request per list, the
//! empty page, when the server sends no `total_count` (Cloudflare does).

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
/// The list ends at the first of: an empty page, or as many items received
/// as `total_count`. A page shorter than asked for (or than the `per_page`
/// the server reports) does not end it: the server may cap the page size.
/// A page that brings no new item ends it when it is shorter than the
/// largest page seen (the tail of a list that moved under the walk), and is
/// an [`ApiError::Pagination`] otherwise, as are more than [`MAX_PAGES`]
/// pages: the server is repeating itself.
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
    let mut largest_page = 0u64;
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
        let complete = info.and_then(|info| info.total_count).is_some_and(|total| received_in_total >= total);
        if complete {
            return Ok(all);
        }
        if all.len() == before {
            if received < largest_page {
                return Ok(all);
            }
            return Err(ApiError::Pagination {
                endpoint,
                detail: format!("page {page} repeated only items already seen"),
            });
        }
        largest_page = largest_page.max(received);
    }
    Err(ApiError::Pagination { endpoint, detail: format!("more than {MAX_PAGES} pages") })
}

#[cfg(test)]
mod tests;
