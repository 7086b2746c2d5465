//! A small reader of the Prometheus text format and assertions on it:
//! `metric("name").label("k", "v").value_in(&scrape)`.

use std::collections::BTreeMap;

/// One sample.
#[derive(Debug, Clone)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A parsed scrape.
#[derive(Debug, Clone)]
pub struct Scrape {
    pub samples: Vec<Sample>,
    pub text: String,
}

impl Scrape {
    pub fn parse(text: &str) -> Self {
        let samples = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|line| parse_line(line).unwrap_or_else(|| panic!("unparseable sample line: {line}")))
            .collect();
        Self { samples, text: text.to_owned() }
    }

    /// Names of every metric family with at least one sample.
    pub fn names(&self) -> std::collections::BTreeSet<String> {
        self.samples.iter().map(|s| s.name.clone()).collect()
    }
}

fn parse_line(line: &str) -> Option<Sample> {
    let (series, value) = line.rsplit_once(' ')?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().ok()?,
    };
    let (name, labels) = match series.split_once('{') {
        None => (series.to_owned(), BTreeMap::new()),
        Some((name, rest)) => (name.to_owned(), parse_labels(rest.strip_suffix('}')?)?),
    };
    Some(Sample { name, labels, value })
}

fn parse_labels(mut rest: &str) -> Option<BTreeMap<String, String>> {
    let mut labels = BTreeMap::new();
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '\\' => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                '"' => break i,
                c => value.push(c),
            }
        };
        labels.insert(key.trim_start_matches(',').to_owned(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    Some(labels)
}

/// Starts a metric assertion.
pub fn metric(name: &str) -> MetricMatch {
    MetricMatch { name: name.to_owned(), labels: Vec::new() }
}

/// `cloudflare_access_saml_up` of `account_id` in `scrape`, if present.
pub fn up_of(scrape: &Scrape, account_id: &str) -> Option<f64> {
    metric("cloudflare_access_saml_up").label("account_id", account_id).try_value_in(scrape)
}

/// `cloudflare_access_saml_refresh_errors_total` of `account_id` for
/// `reason` in `scrape`; 0 when absent.
pub fn errors_of(scrape: &Scrape, account_id: &str, reason: &str) -> f64 {
    metric("cloudflare_access_saml_refresh_errors_total")
        .label("account_id", account_id)
        .label("reason", reason)
        .try_value_in(scrape)
        .unwrap_or(0.0)
}

/// A metric name and the labels it must carry.
#[derive(Debug, Clone)]
pub struct MetricMatch {
    name: String,
    labels: Vec<(String, String)>,
}

impl MetricMatch {
    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.labels.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Every matching sample.
    pub fn samples_in<'a>(&self, scrape: &'a Scrape) -> Vec<&'a Sample> {
        scrape
            .samples
            .iter()
            .filter(|s| s.name == self.name)
            .filter(|s| {
                self.labels.iter().all(|(k, v)| s.labels.get(k).map(String::as_str).unwrap_or("") == v)
            })
            .collect()
    }

    /// The value of the single matching sample; panics, explaining why, otherwise.
    pub fn value_in(&self, scrape: &Scrape) -> f64 {
        match self.samples_in(scrape).as_slice() {
            [one] => one.value,
            [] => {
                panic!("no sample {self} in the scrape; samples of {}: {:#?}", self.name, self.family(scrape))
            }
            many => panic!("{} samples match {self}: {many:#?}", many.len()),
        }
    }

    /// The value, if exactly one sample matches.
    pub fn try_value_in(&self, scrape: &Scrape) -> Option<f64> {
        match self.samples_in(scrape).as_slice() {
            [one] => Some(one.value),
            _ => None,
        }
    }

    /// Asserts the single matching sample has `expected`.
    pub fn assert_value(&self, scrape: &Scrape, expected: f64) {
        let got = self.value_in(scrape);
        assert!((got - expected).abs() < 1e-9, "{self}: expected {expected}, got {got}");
    }

    /// Asserts nothing matches.
    pub fn assert_absent(&self, scrape: &Scrape) {
        let found = self.samples_in(scrape);
        assert!(found.is_empty(), "expected no sample {self}, found {found:#?}");
    }

    fn family<'a>(&self, scrape: &'a Scrape) -> Vec<&'a Sample> {
        scrape.samples.iter().filter(|s| s.name == self.name).collect()
    }
}

impl std::fmt::Display for MetricMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let labels: Vec<String> = self.labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        write!(f, "{}{{{}}}", self.name, labels.join(","))
    }
}
