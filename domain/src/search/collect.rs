//! Facet counts over every matching product.
//!
//! A broad query ("mug") matches a tenth of a large catalog, and every match counts towards
//! every facet. Reading each match's values from tantivy's columns costs several lookups per
//! facet; instead, each segment's values are laid out once in flat arrays (segments never
//! change; merges make new ones), and counting a match is a few array increments.

use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

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

/// A product without a price in a market (no variants).
const NO_PRICE: i64 = i64::MIN;

/// One segment's facet values, in the shape counting wants.
struct SegmentFacets {
    /// The values of document `d` are `ords[starts[d]..starts[d + 1]]`: numbers into `values`.
    starts: Vec<u32>,
    ords: Vec<u32>,
    /// Per number: which of `STR_FACETS` and the value.
    values: Vec<(usize, String)>,
    /// Per market price field (in the order given): each document's lowest price, or
    /// `NO_PRICE`.
    prices: Vec<Vec<i64>>,
    in_stock: Vec<bool>,
    /// Per market (its place in `prices`) and price bounds: a byte per document.
    marks: Mutex<HashMap<MarksKey, Marks>>,
}

type MarksKey = (Option<usize>, Vec<i64>);

/// A document's price bucket (`NO_BUCKET` without a price) and, in the high bit, whether it
/// is in stock: what counting reads per match besides the values, in one byte instead of an
/// eight-byte price and a flag in another array (one cache line fewer per match).
type Marks = Arc<Vec<u8>>;

const IN_STOCK: u8 = 0x80;
const NO_BUCKET: u8 = 0x7f;

impl SegmentFacets {
    fn read(reader: &SegmentReader, price_fields: &[String]) -> tantivy::Result<Self> {
        let fast = reader.fast_fields();
        let max_doc = reader.max_doc();
        let mut columns = Vec::new();
        let mut values = Vec::new();
        for (facet, name) in STR_FACETS.iter().enumerate() {
            let Some(column) = fast.str(name)? else {
                continue;
            };
            let first = values.len() as u32;
            let mut text = String::new();
            for ord in 0..column.num_terms() as u64 {
                text.clear();
                column.ord_to_str(ord, &mut text)?;
                values.push((facet, text.clone()));
            }
            columns.push((first, column));
        }
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut ords = Vec::new();
        starts.push(0);
        for doc in 0..max_doc {
            for (first, column) in &columns {
                ords.extend(column.term_ords(doc).map(|o| first + o as u32));
            }
            starts.push(ords.len() as u32);
        }
        let mut prices = Vec::new();
        for field in price_fields {
            let column = fast.i64(field)?;
            prices.push(
                (0..max_doc)
                    .map(|d| column.first(d).unwrap_or(NO_PRICE))
                    .collect(),
            );
        }
        let stock = fast.u64("in_stock")?;
        let in_stock = (0..max_doc).map(|d| stock.first(d) == Some(1)).collect();
        Ok(Self {
            starts,
            ords,
            values,
            prices,
            in_stock,
            marks: Mutex::default(),
        })
    }

    /// The marks for a market's prices (by its place in `prices`) cut at `bounds`, made on
    /// first use: a market's bounds only change with the store's settings.
    fn marks(&self, market: Option<usize>, bounds: &[i64]) -> Marks {
        let prices = market.and_then(|m| self.prices.get(m));
        let make = || -> Result<Marks, Infallible> {
            Ok(Arc::new(
                self.in_stock
                    .iter()
                    .enumerate()
                    .map(|(d, stocked)| {
                        let bucket = match prices.and_then(|p| p.get(d)) {
                            Some(&price) if price != NO_PRICE => {
                                let n = bounds.iter().take_while(|b| price >= **b).count();
                                u8::try_from(n).map_or(NO_BUCKET, |n| n.min(NO_BUCKET))
                            }
                            _ => NO_BUCKET,
                        };
                        if *stocked { bucket | IN_STOCK } else { bucket }
                    })
                    .collect(),
            ))
        };
        let Ok(marks) = get_or_make(&self.marks, (market, bounds.to_vec()), make);
        marks
    }
}

/// Facet arrays per segment, made on a segment's first search and dropped with it.
#[derive(Default)]
pub struct FacetCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentFacets>>>,
}

impl FacetCache {
    /// Forgets segments that `searcher` no longer has (merged or deleted).
    pub fn keep_only(&self, searcher: &Searcher) {
        if let Ok(mut segments) = self.segments.lock() {
            segments.retain(|id, _| {
                searcher
                    .segment_readers()
                    .iter()
                    .any(|r| r.segment_id() == *id)
            });
        }
    }

    fn get(
        &self,
        reader: &SegmentReader,
        price_fields: &[String],
    ) -> tantivy::Result<Arc<SegmentFacets>> {
        get_or_make(&self.segments, reader.segment_id(), || {
            SegmentFacets::read(reader, price_fields).map(Arc::new)
        })
    }
}

/// The value kept under `key`, or the one `make` makes, then kept. Made outside the lock, so
/// searches wait only for each other's lookups; two racing on a new key both make it, once.
fn get_or_make<K: Eq + Hash, V: Clone, E>(
    map: &Mutex<HashMap<K, V>>,
    key: K,
    make: impl FnOnce() -> Result<V, E>,
) -> Result<V, E> {
    if let Some(found) = map.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(found);
    }
    let made = make()?;
    if let Ok(mut m) = map.lock() {
        m.insert(key, made.clone());
    }
    Ok(made)
}

pub struct FacetCollector<'a> {
    pub cache: &'a FacetCache,
    /// Every market's price field, so a segment's arrays are made once for all markets.
    pub price_fields: &'a [String],
    pub price_field: String,
    /// Ascending bucket starts after the first (which starts at 0): `[t1, t2, t3]` makes
    /// buckets `[0, t1) [t1, t2) [t2, t3) [t3, ∞)`.
    pub bounds: Vec<i64>,
}

pub struct FacetSegment {
    facets: Arc<SegmentFacets>,
    marks: Marks,
    counts: Vec<u32>,
    price_counts: Vec<u64>,
    in_stock: u64,
}

impl Collector for FacetCollector<'_> {
    type Fruit = FacetCounts;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let facets = self.cache.get(reader, self.price_fields)?;
        let market = self
            .price_fields
            .iter()
            .position(|f| *f == self.price_field);
        Ok(FacetSegment {
            counts: vec![0; facets.values.len()],
            marks: facets.marks(market, &self.bounds),
            facets,
            // Bucket `NO_BUCKET` and later ones cannot be told apart: no more are counted.
            price_counts: vec![0; (self.bounds.len() + 1).min(usize::from(NO_BUCKET))],
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
        let d = doc as usize;
        let f = &*self.facets;
        if let (Some(&from), Some(&to)) = (f.starts.get(d), f.starts.get(d + 1))
            && let Some(ords) = f.ords.get(from as usize..to as usize)
        {
            for &o in ords {
                if let Some(c) = self.counts.get_mut(o as usize) {
                    *c += 1;
                }
            }
        }
        if let Some(&mark) = self.marks.get(d) {
            if mark & IN_STOCK != 0 {
                self.in_stock += 1;
            }
            if let Some(c) = self.price_counts.get_mut(usize::from(mark & NO_BUCKET)) {
                *c += 1;
            }
        }
    }

    fn harvest(self) -> FacetCounts {
        let mut named: Vec<HashMap<String, u64>> = vec![HashMap::new(); STR_FACETS.len()];
        for (n, (facet, value)) in self.counts.iter().zip(&self.facets.values) {
            if *n > 0
                && let Some(map) = named.get_mut(*facet)
            {
                map.insert(value.clone(), u64::from(*n));
            }
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
