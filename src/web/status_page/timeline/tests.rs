//! The timeline read back as XML, as a browser would lay it out: where
//! marks land against today and the threshold bands, what is counted at
//! the edge, how 5,000 items stay a bounded picture, and escaping.

use super::*;

const NOW: f64 = 1_800_000_000.0;
const EVIL: &str = "<script>alert('x')</script> & \"co\"";

fn row(name: &str, days: f64, state: Severity) -> Row {
    Row {
        account_id: "acca0000000000000000000000000000".into(),
        account_name: None,
        certificate_set_uid: format!("set-{name}"),
        slot: "current".into(),
        identity_providers: vec![name.to_owned()],
        not_after: Some(crate::clock::format_rfc3339((NOW + days * 86_400.0) as i64)),
        days_left: Some(days),
        state,
        note: String::new(),
        applications: None,
    }
}

/// The numbers a browser would lay the picture out by.
struct Drawn {
    today: f64,
    /// Band class to its x range.
    bands: Vec<(String, f64, f64)>,
    /// Each mark's link, `data-x`, `data-count` and title.
    marks: Vec<(String, f64, usize, String)>,
    /// "+N later", when drawn, and its `data-count`.
    later: Option<(String, usize)>,
}

fn number(node: roxmltree::Node<'_, '_>, attribute: &str) -> f64 {
    node.attribute(attribute).unwrap_or_else(|| panic!("no {attribute}")).parse().expect("a number")
}

fn title(node: roxmltree::Node<'_, '_>) -> String {
    node.children().find(|c| c.has_tag_name("title")).and_then(|t| t.text()).unwrap_or_default().to_owned()
}

fn draw(rows: &[Row]) -> Drawn {
    let svg = render_timeline(rows, NOW);
    let document = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("not XML ({e}): {svg}"));
    let root = document.root_element();
    assert_eq!((root.attribute("role"), root.attribute("aria-label").is_some()), (Some("img"), true));
    let class = |n: &roxmltree::Node<'_, '_>| n.attribute("class").unwrap_or_default().to_owned();
    let all: Vec<_> = root.descendants().filter(|n| n.is_element()).collect();
    let today = all.iter().find(|n| class(n) == "today").map(|n| number(*n, "data-x")).expect("today's line");
    let bands = all
        .iter()
        .filter(|n| n.has_tag_name("rect") && class(n).starts_with("band "))
        .map(|n| (class(n)[5..].to_owned(), number(*n, "x"), number(*n, "x") + number(*n, "width")))
        .collect();
    let marks = all
        .iter()
        .filter(|n| class(n) == "mark")
        .map(|n| {
            let href = n.attribute("href").expect("a link").to_owned();
            (href, number(*n, "data-x"), number(*n, "data-count") as usize, title(*n))
        })
        .collect();
    let later = all.iter().find(|n| class(n) == "later").map(|n| {
        let text =
            n.descendants().find(|c| c.has_tag_name("text")).and_then(|t| t.text()).unwrap_or_default();
        (text.to_owned(), number(*n, "data-count") as usize)
    });
    Drawn { today, bands, marks, later }
}

impl Drawn {
    fn band(&self, name: &str) -> (f64, f64) {
        self.bands.iter().find(|(n, ..)| n == name).map(|(_, a, b)| (*a, *b)).expect("the band")
    }

    fn x_of(&self, row: usize) -> f64 {
        let href = format!("#row-{row}");
        self.marks.iter().find(|(h, ..)| *h == href).map(|m| m.1).expect("a mark for the row")
    }
}

#[test]
fn an_expired_item_lands_left_of_today_and_one_due_today_right_of_it() {
    let drawn = draw(&[row("gone", -3.0, Severity::Critical), row("hours", 0.1, Severity::Critical)]);
    assert!(drawn.x_of(0) < drawn.today, "{} vs today {}", drawn.x_of(0), drawn.today);
    let (from, to) = drawn.band("expired");
    assert!(from <= drawn.x_of(0) && drawn.x_of(0) <= to);
    assert!(drawn.x_of(1) > drawn.today);
}

#[test]
fn an_item_expired_long_ago_is_clamped_into_the_expired_band() {
    let drawn = draw(&[row("ancient", -4000.0, Severity::Critical)]);
    let (from, to) = drawn.band("expired");
    assert!(from <= drawn.x_of(0) && drawn.x_of(0) < to, "{}", drawn.x_of(0));
}

#[test]
fn items_land_in_the_bands_of_the_alert_thresholds() {
    let drawn = draw(&[row("soon", 5.0, Severity::Critical), row("later", 20.0, Severity::Warning)]);
    let (from, to) = drawn.band("critical");
    assert!(from < drawn.x_of(0) && drawn.x_of(0) < to, "5 days: {} not in {from}..{to}", drawn.x_of(0));
    let (from, to) = drawn.band("warning");
    assert!(from < drawn.x_of(1) && drawn.x_of(1) < to, "20 days: {} not in {from}..{to}", drawn.x_of(1));
    // The bands' edges are the thresholds, on the axis's scale.
    let t = Thresholds::ALERTS;
    assert!((drawn.band("critical").1 - drawn.today - t.crit_days * PX_PER_DAY).abs() < 1e-9);
    assert!((drawn.band("warning").1 - drawn.today - t.warn_days * PX_PER_DAY).abs() < 1e-9);
}

#[test]
fn items_beyond_the_horizon_are_counted_at_the_edge_not_drawn() {
    let drawn = draw(&[row("far", 400.0, Severity::Ok), row("near", 100.0, Severity::Ok)]);
    assert_eq!(drawn.later, Some(("+1 later".to_owned(), 1)));
    assert_eq!(drawn.marks.len(), 1, "only the 100-day item is a mark");
    assert_eq!(drawn.marks[0].0, "#row-1");
    assert!(draw(&[row("near", 100.0, Severity::Ok)]).later.is_none());
}

#[test]
fn one_item_is_one_mark_linking_to_its_row_with_its_row_as_title() {
    let drawn = draw(&[row("Okta", 42.0, Severity::Ok)]);
    assert_eq!(drawn.marks.len(), 1);
    let (href, _, count, title) = &drawn.marks[0];
    assert_eq!((href.as_str(), *count), ("#row-0", 1));
    for part in ["acca0000000000000000000000000000", "Okta", "current set-Okta", "42.0 days left", "OK"] {
        assert!(title.contains(part), "{part} missing from {title:?}");
    }
}

#[test]
fn five_thousand_items_are_a_bounded_number_of_marks_that_count_them_all() {
    // Spread from 40 days ago to 400 days ahead, several per day.
    let rows: Vec<Row> = (0..5_000)
        .map(|i| {
            let days = (i % 440) as f64 - 40.0 + (i % 7) as f64 / 10.0;
            row(&format!("IdP {i}"), days, if days < 30.0 { Severity::Warning } else { Severity::Ok })
        })
        .collect();
    let started = std::time::Instant::now();
    let drawn = draw(&rows);
    let took = started.elapsed();
    let bound = (PAST_DAYS + HORIZON_DAYS) as usize;
    assert!(drawn.marks.len() <= bound, "{} marks", drawn.marks.len());
    let later = drawn.later.as_ref().expect("a later count").1;
    let drawn_count: usize = drawn.marks.iter().map(|m| m.2).sum();
    assert_eq!(drawn_count + later, 5_000, "every item is in a mark or the later count");
    assert!(drawn.marks.iter().any(|m| m.2 > 1 && m.3.contains("… and")), "grouped titles name a few");
    // Each day is its own bar: no two marks share an x.
    let mut xs: Vec<i64> = drawn.marks.iter().map(|m| (m.1 * 100.0) as i64).collect();
    xs.dedup();
    assert_eq!(xs.len(), drawn.marks.len());
    // Unoptimised and with the XML parse; the release figure is the bench's.
    assert!(took.as_secs_f64() < 2.0, "{took:?}");
}

#[test]
fn titles_are_escaped() {
    let svg = render_timeline(&[row(EVIL, 10.0, Severity::Warning), row(EVIL, 500.0, Severity::Ok)], NOW);
    assert!(!svg.contains("<script"), "{svg}");
    let drawn = draw(&[row(EVIL, 10.0, Severity::Warning)]);
    assert!(drawn.marks[0].3.contains(EVIL), "the title reads as the name: {:?}", drawn.marks[0].3);
}

#[test]
fn with_nothing_dated_the_axis_says_so() {
    let mut undated = row("none", 1.0, Severity::Warning);
    undated.days_left = None;
    let svg = render_timeline(&[undated], NOW);
    roxmltree::Document::parse(&svg).expect("XML");
    assert!(svg.contains("No dated certificates yet"), "{svg}");
    assert!(draw(&[]).marks.is_empty());
}
