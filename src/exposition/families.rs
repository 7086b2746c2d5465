//! The one way a rendering fills metric families: a sample is added under
//! its [`MetricDef`], and the family, with the definition's name and served
//! help, is created with its first sample, so no family is ever empty. A
//! rendering takes only the families that change for one reason
//! ([`Changes`]) and drops the other samples before building them. The
//! counter families, whole sets from the exporter's counters, share the
//! family and label-pair builders.

use std::collections::BTreeMap;

use prometheus::proto::{Gauge, LabelPair, Metric, MetricFamily, MetricType};

use crate::exposition::definitions::{Changes, MetricDef};

/// The gauge families of one rendering, by name.
#[derive(Debug)]
pub(super) struct Families {
    families: BTreeMap<&'static str, MetricFamily>,
    /// Samples of metrics that change otherwise are dropped.
    changes: Changes,
}

impl Families {
    /// An empty rendering of the families that change with `changes`.
    pub(super) fn of(changes: Changes) -> Self {
        Self { families: BTreeMap::new(), changes }
    }

    /// Adds a sample of the gauge `def`, if it is of this rendering. Labels
    /// with empty values are left out, as Prometheus treats an empty label
    /// as an absent one.
    pub(super) fn gauge(&mut self, def: &MetricDef, labels: &[(&str, &str)], value: f64) {
        if !self.takes(def) {
            return;
        }
        let pairs = label_pairs(labels.iter().copied().filter(|(_, v)| !v.is_empty()));
        let mut gauge = Gauge::default();
        gauge.set_value(value);
        let mut metric = Metric::from_label(pairs);
        metric.set_gauge(gauge);
        self.families
            .entry(def.name)
            .or_insert_with(|| new_family(def, MetricType::GAUGE))
            .mut_metric()
            .push(metric);
    }

    /// Whether samples of `def` belong to this rendering: callers check it
    /// before building labels that cost an allocation.
    pub(super) fn takes(&self, def: &MetricDef) -> bool {
        def.changes == self.changes
    }

    /// Adds a sample that is 1 when `flag` holds, else 0.
    pub(super) fn flag(&mut self, def: &MetricDef, labels: &[(&str, &str)], flag: bool) {
        self.gauge(def, labels, if flag { 1.0 } else { 0.0 });
    }

    /// The families filled so far.
    pub(super) fn into_families(self) -> impl Iterator<Item = MetricFamily> {
        self.families.into_values()
    }
}

/// The label pairs of `labels`, in the order given.
pub(super) fn label_pairs<'a>(labels: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<LabelPair> {
    let pair = |(name, value): (&str, &str)| {
        let mut pair = LabelPair::default();
        pair.set_name(name.to_owned());
        pair.set_value(value.to_owned());
        pair
    };
    labels.map(pair).collect()
}

/// An empty family of `def` with its served help, of type `kind`.
pub(super) fn new_family(def: &MetricDef, kind: MetricType) -> MetricFamily {
    let mut family = MetricFamily::default();
    family.set_name(def.name.to_owned());
    family.set_help(def.served_help());
    family.set_field_type(kind);
    family
}
