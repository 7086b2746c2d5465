//! The timeline across the top of the status page: every dated row of the
//! report (encryption certificates, IdP signing certificates, SaaS signing
//! certificates, dated metadata) as a mark on one axis, from "expired"
//! through the next [`HORIZON_DAYS`] days, over bands drawn from
//! [`Thresholds::ALERTS`]; what lies further ahead is counted at the right
//! edge. A pure function of the rows and the time, rendered as an inline
//! SVG string: no script, no `style` attribute (the page's CSP allows only
//! its own stylesheet, whose classes colour it), nothing loaded.
//!
//! Each mark links to its table row (`#row-K`, K the row's index in the
//! report) and carries the row's text as its `<title>`. A mark also carries
//! `data-days` and `data-x`, so a test reading the browser's DOM can tell
//! where it landed without knowing this layout.

use std::fmt::Write as _;

use time::{Date, Month, OffsetDateTime};

use super::{class, escape};
use crate::model::report::{Row, Severity, Thresholds};

/// How far ahead the axis reaches, in days.
pub const HORIZON_DAYS: f64 = 180.0;
/// How far back the expired band reaches, in days; older items sit at its
/// left edge.
const PAST_DAYS: f64 = 20.0;

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 112.0;
const LEFT: f64 = 8.0;
/// One scale for both sides of today, so that distances read the same.
const PX_PER_DAY: f64 = 4.5;
const TODAY_X: f64 = LEFT + PAST_DAYS * PX_PER_DAY;
const END_X: f64 = TODAY_X + HORIZON_DAYS * PX_PER_DAY;
const BAND_TOP: f64 = 18.0;
const BAND_BOTTOM: f64 = 86.0;
const LABEL_Y: f64 = 102.0;
const DOT_R: f64 = 5.0;
/// Rows of dots before the marks are grouped by day instead.
const LANES: usize = 4;
/// Items named in a grouped mark's title.
const NAMED: usize = 4;

/// One dated row and its index in the report.
struct Item<'a> {
    index: usize,
    row: &'a Row,
    days: f64,
}

/// The timeline of `rows` (a report, worst first) as of `now` (Unix
/// seconds): one `<svg>` element, ready to put in the page.
pub fn render_timeline(rows: &[Row], now: f64) -> String {
    let (mut shown, mut later) = (Vec::new(), Vec::new());
    for (index, row) in rows.iter().enumerate() {
        let Some(days) = row.days_left.filter(|d| d.is_finite()) else { continue };
        let item = Item { index, row, days };
        if days > HORIZON_DAYS { later.push(item) } else { shown.push(item) }
    }
    let mut svg = String::with_capacity(16_384 + shown.len().min(400) * 400);
    let _ = write!(
        svg,
        "<svg class=\"timeline\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         role=\"img\" aria-label=\"{}\">",
        escape(&summary(&shown, later.len()))
    );
    bands(&mut svg);
    ticks(&mut svg, now);
    if shown.is_empty() && later.is_empty() {
        let _ = write!(
            svg,
            "<text class=\"empty\" x=\"{}\" y=\"56\" text-anchor=\"middle\">No dated certificates yet</text>",
            (TODAY_X + END_X) / 2.0
        );
    }
    match lanes(&shown) {
        Some(lanes) => dots(&mut svg, &shown, &lanes),
        None => groups(&mut svg, &shown),
    }
    later_count(&mut svg, &later);
    svg.push_str("</svg>");
    svg
}

/// What a screen reader says instead of the picture.
fn summary(shown: &[Item<'_>], later: usize) -> String {
    let t = Thresholds::ALERTS;
    let count = |keep: &dyn Fn(f64) -> bool| shown.iter().filter(|i| keep(i.days)).count();
    format!(
        "Timeline of {} dated certificates: {} expired, {} with under {} days left, {} under {} days, \
         {} within {HORIZON_DAYS} days, {later} later",
        shown.len() + later,
        count(&|d| d <= 0.0),
        count(&|d| d > 0.0 && d < t.crit_days),
        t.crit_days,
        count(&|d| d >= t.crit_days && d < t.warn_days),
        t.warn_days,
        count(&|d| d >= t.warn_days),
    )
}

/// Where an item with `days` left goes: expired ones clamped to the band
/// left of today and kept off the line, so they never read as "today".
fn x_of(days: f64) -> f64 {
    if days <= 0.0 {
        (TODAY_X + days.max(-PAST_DAYS) * PX_PER_DAY).clamp(LEFT + DOT_R, TODAY_X - DOT_R - 1.0)
    } else {
        (TODAY_X + days.min(HORIZON_DAYS) * PX_PER_DAY).max(TODAY_X + DOT_R + 1.0)
    }
}

/// The bands, from the alert thresholds, each labelled above its middle.
fn bands(svg: &mut String) {
    let t = Thresholds::ALERTS;
    let at = |days: f64| (TODAY_X + days * PX_PER_DAY).min(END_X);
    let bands = [
        ("expired", LEFT, TODAY_X, "expired".to_owned()),
        ("critical", TODAY_X, at(t.crit_days), format!("&lt; {} d", t.crit_days)),
        ("warning", at(t.crit_days), at(t.warn_days), format!("&lt; {} d", t.warn_days)),
        ("ok", at(t.warn_days), END_X, format!("{} to {HORIZON_DAYS} d", t.warn_days)),
        ("later", END_X, WIDTH - LEFT, format!("&gt; {HORIZON_DAYS} d")),
    ];
    for (name, from, to, label) in bands {
        if to > from {
            let _ = write!(
                svg,
                "<rect class=\"band {name}\" x=\"{from}\" y=\"{BAND_TOP}\" width=\"{}\" height=\"{}\"/>\
                 <text class=\"band-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
                to - from,
                BAND_BOTTOM - BAND_TOP,
                (from + to) / 2.0,
                BAND_TOP - 5.0
            );
        }
    }
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{BAND_BOTTOM}\" x2=\"{END_X}\" y2=\"{BAND_BOTTOM}\"/>"
    );
}

/// Today's line, a short tick a week apart, a gridline and label on the
/// first of each month, and how far back the expired band reaches.
fn ticks(svg: &mut String, now: f64) {
    for week in 1..=(HORIZON_DAYS / 7.0) as u32 {
        let x = TODAY_X + f64::from(week * 7) * PX_PER_DAY;
        let _ = write!(
            svg,
            "<line class=\"tick\" x1=\"{x}\" y1=\"{BAND_BOTTOM}\" x2=\"{x}\" y2=\"{}\"/>",
            BAND_BOTTOM + 3.0
        );
    }
    if let Ok(today) = OffsetDateTime::from_unix_timestamp(now as i64) {
        let mut first = next_month(today.date());
        while let Some(day) = first {
            let days = (day.midnight().assume_utc().unix_timestamp() as f64 - now) / 86_400.0;
            if days > HORIZON_DAYS {
                break;
            }
            let x = TODAY_X + days * PX_PER_DAY;
            let _ = write!(
                svg,
                "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{BAND_TOP}\" x2=\"{x:.1}\" y2=\"{}\"/>",
                BAND_BOTTOM + 5.0
            );
            // Labels too close to today's or to the edge would overlap theirs.
            if x - TODAY_X > 30.0 && END_X - x > 20.0 {
                let year =
                    if day.month() == Month::January { format!(" {}", day.year()) } else { String::new() };
                let month = day.month().to_string();
                let _ = write!(
                    svg,
                    "<text class=\"tick-label\" x=\"{x:.1}\" y=\"{LABEL_Y}\" text-anchor=\"middle\">1 {}{year}</text>",
                    &month[..3]
                );
            }
            first = next_month(day);
        }
    }
    let _ = write!(
        svg,
        "<text class=\"tick-label\" x=\"{LEFT}\" y=\"{LABEL_Y}\">{PAST_DAYS}+ d ago</text>\
         <line class=\"today\" data-x=\"{TODAY_X}\" x1=\"{TODAY_X}\" y1=\"{}\" x2=\"{TODAY_X}\" y2=\"{}\"/>\
         <text class=\"today-label\" x=\"{TODAY_X}\" y=\"{LABEL_Y}\" text-anchor=\"middle\">today</text>",
        BAND_TOP - 2.0,
        BAND_BOTTOM + 6.0
    );
}

/// The first of the month after `day`'s.
fn next_month(day: Date) -> Option<Date> {
    let year = if day.month() == Month::December { day.year() + 1 } else { day.year() };
    Date::from_calendar_date(year, day.month().next(), 1).ok()
}

/// A lane (row of dots) for each item, in order, so that no two dots
/// overlap; `None` when [`LANES`] are not enough, and the marks are grouped.
fn lanes(items: &[Item<'_>]) -> Option<Vec<usize>> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[a].days.total_cmp(&items[b].days));
    let mut ends = [f64::NEG_INFINITY; LANES];
    let mut lane_of = vec![0; items.len()];
    for i in order {
        let x = x_of(items[i].days);
        let lane = ends.iter().position(|&end| x - end >= 2.0 * DOT_R + 1.0)?;
        ends[lane] = x;
        lane_of[i] = lane;
    }
    Some(lane_of)
}

/// One dot per item, on its lane (the first one nearest the axis).
fn dots(svg: &mut String, items: &[Item<'_>], lanes: &[usize]) {
    for (item, &lane) in items.iter().zip(lanes) {
        let x = x_of(item.days);
        let y = BAND_BOTTOM - 12.0 - 13.0 * lane as f64;
        let _ = write!(
            svg,
            "<a href=\"#row-{}\" class=\"mark\" data-days=\"{:.1}\" data-x=\"{x:.1}\" data-count=\"1\">\
             <title>{}</title><circle class=\"dot {}\" cx=\"{x:.1}\" cy=\"{y}\" r=\"{DOT_R}\"/></a>",
            item.index,
            item.days,
            escape(&describe(item)),
            class(item.row.state)
        );
    }
}

/// One bar per day with items, its height by how many (on a log scale, so
/// one item stays visible beside a thousand), coloured by the worst of them
/// and linking to the first (the worst, as the report is worst first).
fn groups(svg: &mut String, items: &[Item<'_>]) {
    // Day d holds the items with d - 1 < days <= d: day 0 is the last day
    // of the expired band, day 1 the first after today.
    let first_day = 1 - PAST_DAYS as i64;
    let mut days: Vec<Vec<&Item<'_>>> = vec![Vec::new(); (HORIZON_DAYS as i64 - first_day + 1) as usize];
    for item in items {
        let day = (item.days.ceil() as i64).clamp(first_day, HORIZON_DAYS as i64);
        days[(day - first_day) as usize].push(item);
    }
    let most = days.iter().map(Vec::len).max().unwrap_or(1).max(2) as f64;
    let (low, high) = (6.0, BAND_BOTTOM - BAND_TOP - 14.0);
    let mut label_end = f64::NEG_INFINITY;
    for (offset, group) in days.iter().enumerate().filter(|(_, g)| !g.is_empty()) {
        let day = first_day + offset as i64;
        let left = TODAY_X + (day - 1) as f64 * PX_PER_DAY;
        let x = left + PX_PER_DAY / 2.0;
        let height = low + (high - low) * (group.len() as f64).ln() / most.ln();
        let top = BAND_BOTTOM - 1.0 - height;
        let worst = group.iter().map(|i| i.row.state).max().unwrap_or(Severity::Ok);
        let _ = write!(
            svg,
            "<a href=\"#row-{}\" class=\"mark\" data-days=\"{:.1}\" data-x=\"{x:.2}\" data-count=\"{}\">\
             <title>{}</title><rect class=\"dot {}\" x=\"{left:.2}\" y=\"{top:.1}\" width=\"{}\" height=\"{height:.1}\"/>",
            group[0].index,
            group[0].days,
            group.len(),
            escape(&describe_group(group)),
            class(worst),
            PX_PER_DAY - 0.5
        );
        // A count where it does not run into the last one.
        let label = group.len().to_string();
        let half = label.len() as f64 * 2.5;
        if group.len() > 1 && x - half > label_end + 1.0 {
            let _ = write!(
                svg,
                "<text class=\"count\" x=\"{x:.2}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
                top - 2.0
            );
            label_end = x + half;
        }
        svg.push_str("</a>");
    }
}

/// "+N later" at the right edge, linking to the nearest of them.
fn later_count(svg: &mut String, later: &[Item<'_>]) {
    let mut nearest: Vec<&Item<'_>> = later.iter().collect();
    nearest.sort_by(|a, b| a.days.total_cmp(&b.days));
    let Some(first) = nearest.first() else { return };
    let title = format!(
        "{} more than {HORIZON_DAYS} days away; the nearest:\n{}",
        plural(later.len()),
        named(&nearest)
    );
    let _ = write!(
        svg,
        "<a href=\"#row-{}\" class=\"later\" data-count=\"{}\"><title>{}</title>\
         <text class=\"later-count\" x=\"{}\" y=\"56\" text-anchor=\"middle\">+{} later</text></a>",
        first.index,
        later.len(),
        escape(&title),
        (END_X + WIDTH - LEFT) / 2.0,
        later.len()
    );
}

/// A row as one line of a title.
fn describe(item: &Item<'_>) -> String {
    let row = item.row;
    let idps =
        if row.identity_providers.is_empty() { "-".to_owned() } else { row.identity_providers.join(", ") };
    let set = if row.certificate_set_uid.is_empty() {
        String::new()
    } else {
        format!(" {}", row.certificate_set_uid)
    };
    let account = match &row.account_name {
        Some(name) => format!("{name} ({})", row.account_id),
        None => row.account_id.clone(),
    };
    let mut line = format!(
        "{account} · {idps} · {}{set} · not after {} · {:.1} days left · {}",
        row.slot,
        row.not_after.as_deref().unwrap_or("-"),
        item.days,
        row.state.label()
    );
    if !row.note.is_empty() {
        let _ = write!(line, " · {}", row.note);
    }
    line
}

/// A grouped mark's title: how many, their days, the first few rows.
fn describe_group(group: &[&Item<'_>]) -> String {
    if let [only] = group {
        return describe(only);
    }
    let (low, high) = group.iter().fold((f64::MAX, f64::MIN), |(l, h), i| (l.min(i.days), h.max(i.days)));
    format!("{}, {low:.1} to {high:.1} days left:\n{}", plural(group.len()), named(group))
}

/// The first [`NAMED`] rows of `items`, a line each, and how many more.
fn named(items: &[&Item<'_>]) -> String {
    let mut text: Vec<String> = items.iter().take(NAMED).map(|i| describe(i)).collect();
    if items.len() > NAMED {
        text.push(format!("… and {} more", items.len() - NAMED));
    }
    text.join("\n")
}

fn plural(n: usize) -> String {
    if n == 1 { "1 dated item".to_owned() } else { format!("{n} dated items") }
}

#[cfg(test)]
mod tests;
