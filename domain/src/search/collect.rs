//! Facet counts over every matching product, read from fast fields segment by segment.

use std::collections::HashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Counts per facet value. Price counts are per bucket of `FacetCollector::bounds`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FacetCounts {
    pub collection: HashMap<String, u64>,
    pub vendor: HashMap<String, u64>,
    pub kind: HashMap<String, u64>,
    pub tag: HashMap<String, u64>,
    pub option: HashMap<String, u64>,
    pub price: Vec<u64>,
    pub in_stock: u64,
}

pub const STR_FACETS: [&str; 5] = ["collection", "vendor", "kind", "tag", "option"];

pub struct FacetCollector {
    pub price_field: String,
    /// Ascending bucket starts after the first (which starts at 0): `[t1, t2, t3]` makes
    /// buckets `[0, t1) [t1, t2) [t2, t3) [t3, ∞)`.
    pub bounds: Vec<i64>,
}

pub struct FacetSegment {
    strs: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
    price: Option<Column<i64>>,
    stock: Option<Column<u64>>,
    bounds: Vec<i64>,
    price_counts: Vec<u64>,
    in_stock: u64,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let fast = reader.fast_fields();
        let strs: Vec<Option<StrColumn>> = STR_FACETS
            .iter()
            .map(|f| fast.str(f).ok().flatten())
            .collect();
        let counts = strs
            .iter()
            .map(|c| vec![0; c.as_ref().map(|c| c.num_terms()).unwrap_or(0)])
            .collect();
        Ok(FacetSegment {
            strs,
            counts,
            price: fast.i64(&self.price_field).ok(),
            stock: fast.u64("in_stock").ok(),
            bounds: self.bounds.clone(),
            price_counts: vec![0; self.bounds.len() + 1],
            in_stock: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut all = FacetCounts {
            price: vec![0; self.bounds.len() + 1],
            ..Default::default()
        };
        for f in fruits {
            for (into, from) in [
                (&mut all.collection, f.collection),
                (&mut all.vendor, f.vendor),
                (&mut all.kind, f.kind),
                (&mut all.tag, f.tag),
                (&mut all.option, f.option),
            ] {
                for (k, v) in from {
                    *into.entry(k).or_default() += v;
                }
            }
            for (i, n) in f.price.into_iter().enumerate() {
                if let Some(slot) = all.price.get_mut(i) {
                    *slot += n;
                }
            }
            all.in_stock += f.in_stock;
        }
        Ok(all)
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.strs.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(c) = counts.get_mut(ord as usize) {
                        *c += 1;
                    }
                }
            }
        }
        if let Some(price) = self.price.as_ref().and_then(|p| p.first(doc)) {
            let bucket = self.bounds.iter().take_while(|b| price >= **b).count();
            if let Some(c) = self.price_counts.get_mut(bucket) {
                *c += 1;
            }
        }
        if self.stock.as_ref().and_then(|s| s.first(doc)) == Some(1) {
            self.in_stock += 1;
        }
    }

    fn harvest(self) -> FacetCounts {
        let mut named: Vec<HashMap<String, u64>> = Vec::new();
        for (column, counts) in self.strs.iter().zip(self.counts) {
            let mut map = HashMap::new();
            if let Some(column) = column {
                let mut text = String::new();
                for (ord, n) in counts.into_iter().enumerate() {
                    if n > 0 && column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                        map.insert(text.clone(), n);
                    }
                }
            }
            named.push(map);
        }
        let mut named = named.into_iter();
        FacetCounts {
            collection: named.next().unwrap_or_default(),
            vendor: named.next().unwrap_or_default(),
            kind: named.next().unwrap_or_default(),
            tag: named.next().unwrap_or_default(),
            option: named.next().unwrap_or_default(),
            price: self.price_counts,
            in_stock: self.in_stock,
        }
    }
}
