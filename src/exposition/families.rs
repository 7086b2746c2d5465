//! The one way a rendering fills metric families: a sample is added under
//! its [`MetricDef`], and the family, with the definition's name and served
//! help, is created with its first sample, so no family is ever empty.

use std::collections::BTreeMap;

use prometheus::proto::{Gauge, LabelPair, Metric, MetricFamily, MetricType};

use crate::exposition::definitions::MetricDef;

/// The gauge families of one rendering, by name.
#[derive(Debug, Default)]
pub(super) struct Families(BTreeMap<&'static str, MetricFamily>);

impl Families {
    /// Adds a sample of the gauge `def`. Labels with empty values are left
    /// out, as Prometheus treats an empty label as an absent one.
    pub(super) fn gauge(&mut self, def: &MetricDef, labels: &[(&str, &str)], value: f64) {
        let pairs = labels
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| {
                let mut pair = LabelPair::default();
                pair.set_name((*k).to_owned());
                pair.set_value((*v).to_owned());
                pair
            })
            .collect();
        let mut gauge = Gauge::default();
        gauge.set_value(value);
        let mut metric = Metric::from_label(pairs);
        metric.set_gauge(gauge);
        self.0.entry(def.name).or_insert_with(|| new_gauge_family(def)).mut_metric().push(metric);
    }

    /// Adds a sample that is 1 when `flag` holds, else 0.
    pub(super) fn flag(&mut self, def: &MetricDef, labels: &[(&str, &str)], flag: bool) {
        self.gauge(def, labels, if flag { 1.0 } else { 0.0 });
    }

    /// The families filled so far.
    pub(super) fn into_families(self) -> impl Iterator<Item = MetricFamily> {
        self.0.into_values()
    }
}

fn new_gauge_family(def: &MetricDef) -> MetricFamily {
    let mut family = MetricFamily::default();
    family.set_name(def.name.to_owned());
    family.set_help(def.served_help());
    family.set_field_type(MetricType::GAUGE);
    family
}
