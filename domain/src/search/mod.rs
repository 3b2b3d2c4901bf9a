//! Product search, in-process with tantivy: one document per active product with its text in
//! all ten locales (each with its own analyzer), exact codes (SKU, barcode), and fast fields
//! for facets and sorting (collections, vendor, type, tags, option values, a price per market,
//! stock, age).
//!
//! The index lives under the data dir. It is rebuilt when missing, unreadable, or made by an
//! older schema (a marker file holds the schema version and the market list), and kept
//! current by `reindex` whenever products change.

pub mod analysis;
mod bonus;
mod collect;
pub mod facets;
pub mod log;
mod query;
mod synonyms;

use collect::FacetCache;
pub use collect::FacetCounts;
pub use query::{
    Filters, Hit, MAX_QUERY_CHARS, PriceBucket, QueryProblem, SearchRequest, SearchResults,
    SearchSort, clip, price_bounds, price_buckets,
};

use crate::catalog::Catalog;
use crate::catalog::view::{PriceView, ProductCard};
use crate::error::{DomainError, Result};
use crate::locale::Locale;
use crate::market::{Localized, Market};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use synonyms::Synonyms;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

/// Bump when fields or analyzers change, or the stored card's layout (`CardData` and the types
/// in it: postcard stores fields by position; `Currency` is stored by its ISO code; the
/// test `card_layout_is_pinned` fails when it changes): the index is then rebuilt at start.
const SCHEMA_VERSION: u32 = 5;
const MARKER: &str = "tradewind-schema";
const LABELS: &str = "facet-labels.json";
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// Searches whose results are kept by default (a results page is roughly 30 KB).
pub const DEFAULT_CACHED_RESULTS: usize = 256;

impl From<tantivy::TantivyError> for DomainError {
    fn from(e: tantivy::TantivyError) -> Self {
        DomainError::Search(e.to_string())
    }
}

impl From<tantivy::directory::error::OpenDirectoryError> for DomainError {
    fn from(e: tantivy::directory::error::OpenDirectoryError) -> Self {
        DomainError::Search(e.to_string())
    }
}

/// What a product contributes to the index, read from the catalog.
#[derive(Clone, Debug, Default)]
pub struct SearchRecord {
    pub id: i32,
    /// Per locale in `Locale::ALL` order: title and plain body text (with fallback applied).
    pub texts: Vec<(String, String)>,
    pub codes: Vec<String>,
    pub collections: Vec<String>,
    pub vendor: String,
    pub product_type: String,
    pub tags: Vec<String>,
    /// `name=value` keys in the store's default language, lower case: "colour=jade green".
    pub options: Vec<String>,
    pub card: CardData,
    pub created: i64,
}

/// What a results card shows besides its title, kept in the index (stored in postcard's
/// binary form, which reads several times faster than JSON) so that a results page or a
/// suggestion needs no database read. The price and stock fields used
/// for facets and sorting are taken from here too, so they cannot disagree with the card.
/// So a change to a product's variants, prices, overrides, stock, pictures or translations
/// must reach the index: bump `product.updated_at` (the sync job reindexes it within a
/// second) or call `SearchIndex::reindex`. A change to its layout needs a new `SCHEMA_VERSION`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CardData {
    /// Per locale in `Locale::ALL` order, fallback applied.
    pub slugs: Vec<String>,
    pub image: Option<CardImage>,
    /// Per market code: the lowest variant price in that market, "from" when variants differ.
    pub prices: Vec<(String, PriceView)>,
    pub available: bool,
    pub tax_class: crate::tax::TaxClass,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CardImage {
    pub file: String,
    pub width: i32,
    pub height: i32,
    pub alt: Localized,
}

impl CardData {
    /// The card as shown in `locale` and `market`, or `None` when the product has no price
    /// there (no variants).
    pub fn view(
        &self,
        id: i32,
        title: String,
        locale: Locale,
        market: &str,
    ) -> Option<ProductCard> {
        Some(ProductCard {
            id,
            slug: self.slugs.get(locale.index())?.clone(),
            title,
            price: self.price(market)?.clone(),
            image: self
                .image
                .as_ref()
                .map(|i| crate::media::view(&i.file, i.width, i.height, i.alt.get(locale))),
            available: self.available,
            tax_class: self.tax_class,
        })
    }

    fn price(&self, market: &str) -> Option<&PriceView> {
        self.prices
            .iter()
            .find(|(m, _)| m == market)
            .map(|(_, p)| p)
    }
}

/// How facet values are shown: localized names for the keys the index stores.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FacetLabels {
    /// "colour=jade green" → (option name, value label)
    pub options: HashMap<String, (Localized, Localized)>,
    /// collection handle → title
    pub collections: HashMap<String, Localized>,
}

impl FacetLabels {
    pub fn merge(&mut self, other: FacetLabels) {
        self.options.extend(other.options);
        self.collections.extend(other.collections);
    }
}

pub(crate) struct Fields {
    pub id: Field,
    pub title: Vec<Field>,
    pub body: Vec<Field>,
    pub code: Field,
    pub collection: Field,
    pub vendor: Field,
    pub kind: Field,
    pub tag: Field,
    pub option: Field,
    pub prices: Vec<(String, Field)>,
    pub in_stock: Field,
    pub created: Field,
    pub card: Field,
}

impl Fields {
    pub fn title(&self, locale: Locale) -> Field {
        self.title[locale.index()]
    }
    pub fn body(&self, locale: Locale) -> Field {
        self.body[locale.index()]
    }
    pub fn price(&self, market: &str) -> Option<Field> {
        self.prices
            .iter()
            .find(|(m, _)| m == market)
            .map(|(_, f)| *f)
    }
}

fn field_suffix(locale: Locale) -> String {
    locale.code().to_lowercase().replace('-', "_")
}

pub(crate) fn price_field_name(market: &str) -> String {
    format!("price_{}", market.to_lowercase())
}

fn schema(markets: &[String]) -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |locale: Locale| {
        TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(&analysis::analyzer_name(locale))
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored()
    };
    let id = b.add_u64_field("id", INDEXED | STORED | FAST);
    let mut title = Vec::new();
    let mut body = Vec::new();
    for l in Locale::ALL {
        title.push(b.add_text_field(&format!("title_{}", field_suffix(l)), text(l)));
        body.push(b.add_text_field(&format!("body_{}", field_suffix(l)), text(l)));
    }
    let code = b.add_text_field(
        "code",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("tw_code")
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    let fields = Fields {
        id,
        title,
        body,
        code,
        collection: b.add_text_field("collection", STRING | FAST),
        vendor: b.add_text_field("vendor", STRING | FAST),
        kind: b.add_text_field("kind", STRING | FAST),
        tag: b.add_text_field("tag", STRING | FAST),
        option: b.add_text_field("option", STRING | FAST),
        prices: markets
            .iter()
            .map(|m| {
                (
                    m.clone(),
                    b.add_i64_field(&price_field_name(m), INDEXED | FAST),
                )
            })
            .collect(),
        in_stock: b.add_u64_field("in_stock", INDEXED | FAST),
        created: b.add_i64_field("created", FAST),
        card: b.add_bytes_field("card", STORED),
    };
    (b.build(), fields)
}

pub struct SearchIndex {
    dir: PathBuf,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Shared with every search that reads them; replaced whole when they change.
    labels: RwLock<Arc<FacetLabels>>,
    synonyms: Synonyms,
    facet_cache: FacetCache,
    /// Every market's price field name, in `Fields::prices` order.
    price_fields: Vec<String>,
    results: ResultCache,
    searches: AtomicU64,
    search_micros: AtomicU64,
}

/// The results of recent searches: shoppers repeat the popular queries, and a repeat costs a
/// copy instead of a search. Keys carry what else decides the results, the reader generation
/// and the synonyms file's version, so a change to the index (a reload) or to the synonyms
/// makes earlier entries unreachable; they then age out.
struct ResultCache {
    entries: Mutex<Option<lru::LruCache<ResultKey, SearchResults>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What the index has done since it opened, for the operator's metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchStats {
    /// Results pages computed (not served from the cache).
    pub searches: u64,
    /// Their total time, in microseconds.
    pub search_micros: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
}

type ResultKey = (u64, Option<std::time::SystemTime>, SearchRequest);

impl ResultCache {
    fn new(entries: usize) -> Self {
        Self {
            entries: Mutex::new(std::num::NonZeroUsize::new(entries).map(lru::LruCache::new)),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn get(&self, key: &ResultKey) -> Option<SearchResults> {
        let found = self.entries.lock().ok()?.as_mut()?.get(key).cloned();
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn put(&self, key: ResultKey, results: &SearchResults) {
        if let Ok(mut cache) = self.entries.lock()
            && let Some(cache) = cache.as_mut()
        {
            cache.put(key, results.clone());
        }
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, or creates it empty. The flag says whether it must be
    /// (re)built from the catalog: new, unreadable, from another schema, or made with another
    /// base currency, other markets or price rules (cards and price facets hold prices per
    /// market).
    pub fn open(
        dir: &Path,
        synonyms_dir: PathBuf,
        base: crate::money::Currency,
        markets: &[Market],
    ) -> Result<(Self, bool)> {
        let rules: Vec<String> = markets
            .iter()
            .map(|m| {
                let rule = serde_json::to_string(&m.price_rule).unwrap_or_default();
                format!("{}:{rule}", m.code)
            })
            .collect();
        // Cards keep one slug per locale in `Locale::ALL` order: a change of that order
        // must rebuild the index, never mislabel slugs.
        let locales: Vec<&str> = Locale::ALL.iter().map(|l| l.code()).collect();
        let fingerprint = format!(
            "v{SCHEMA_VERSION} base={} markets={} locales={}",
            base.code(),
            rules.join(","),
            locales.join(",")
        );
        let codes: Vec<String> = markets.iter().map(|m| m.code.clone()).collect();
        let (schema, fields) = schema(&codes);
        let marker = std::fs::read_to_string(dir.join(MARKER)).unwrap_or_default();
        let existing = if marker.trim() == fingerprint {
            match Index::open_in_dir(dir) {
                Ok(index) => Some(index),
                Err(e) => {
                    tracing::warn!(dir = %dir.display(), error = %e, "search index unreadable: rebuilding");
                    None
                }
            }
        } else {
            if dir.exists() {
                tracing::info!(dir = %dir.display(), "search index schema changed: rebuilding");
            }
            None
        };
        let fresh = existing.is_none();
        let index = match existing {
            Some(index) => index,
            None => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir)?;
                }
                std::fs::create_dir_all(dir)?;
                let index = Index::create_in_dir(dir, schema)?;
                std::fs::write(dir.join(MARKER), &fingerprint)?;
                index
            }
        };
        for l in Locale::ALL {
            index
                .tokenizers()
                .register(&analysis::analyzer_name(l), analysis::analyzer(l));
        }
        index
            .tokenizers()
            .register("tw_code", analysis::code_analyzer());
        // Load jieba's dictionary now, not during a shopper's first Chinese search (~0.3 s).
        analysis::terms(Locale::ZhCn, "茶壶");
        let writer = index.writer(WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let labels = std::fs::read(dir.join(LABELS))
            .ok()
            .and_then(|b| serde_json::from_slice::<FacetLabels>(&b).ok())
            .unwrap_or_default();
        Ok((
            Self {
                dir: dir.to_path_buf(),
                reader,
                writer: Mutex::new(writer),
                fields,
                labels: RwLock::new(Arc::new(labels)),
                synonyms: Synonyms::new(synonyms_dir),
                facet_cache: FacetCache::default(),
                price_fields: codes.iter().map(|m| price_field_name(m)).collect(),
                results: ResultCache::new(DEFAULT_CACHED_RESULTS),
                searches: AtomicU64::new(0),
                search_micros: AtomicU64::new(0),
            },
            fresh,
        ))
    }

    fn document(&self, r: &SearchRecord) -> TantivyDocument {
        let f = &self.fields;
        let mut d = doc!(
            f.id => r.id as u64,
            f.vendor => r.vendor.clone(),
            f.kind => r.product_type.clone(),
            f.in_stock => u64::from(r.card.available),
            f.created => r.created,
        );
        match postcard::to_allocvec(&r.card) {
            Ok(card) => d.add_bytes(f.card, &card),
            Err(e) => tracing::error!(product = r.id, error = %e, "search card not stored"),
        }
        for (i, (title, body)) in r.texts.iter().enumerate() {
            if let (Some(tf), Some(bf)) = (f.title.get(i), f.body.get(i)) {
                d.add_text(*tf, title);
                d.add_text(*bf, body);
            }
        }
        for c in &r.codes {
            d.add_text(f.code, c);
        }
        for c in &r.collections {
            d.add_text(f.collection, c);
        }
        for t in &r.tags {
            d.add_text(f.tag, t);
        }
        for o in &r.options {
            d.add_text(f.option, o);
        }
        for (market, field) in &f.prices {
            if let Some(price) = r.card.price(market) {
                d.add_i64(*field, price.amount.minor);
            }
        }
        d
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>> {
        self.writer
            .lock()
            .map_err(|_| DomainError::Search("index writer poisoned".into()))
    }

    /// Replaces the whole index with the catalog's active products.
    pub async fn rebuild(&self, catalog: &Catalog, progress: bool) -> Result<usize> {
        let total = catalog.active_product_count().await?;
        let bar = if progress {
            indicatif::ProgressBar::new(total)
        } else {
            indicatif::ProgressBar::hidden()
        };
        {
            let writer = self.writer()?;
            writer.delete_all_documents()?;
            // The batches below would otherwise start merges of their own, and the merge at
            // the end could not include the segments those were busy with.
            writer.set_merge_policy(Box::new(NoMergePolicy));
        }
        let filled = self.fill(catalog, &bar).await;
        {
            let mut writer = self.writer()?;
            // One segment: a query then sets up its terms and scorers once instead of once
            // per segment the batches left (eight for 100,000 products).
            // Blocking, with the writer held: rebuilds run at start and from the command line,
            // never while the store serves.
            let merged = match writer.index().searchable_segment_ids() {
                Ok(segments) if filled.is_ok() && segments.len() > 1 => {
                    writer.merge(&segments).wait().map(drop)
                }
                other => other.map(drop),
            };
            if let Err(e) = merged {
                tracing::warn!(error = %e, "search index left in several segments: searches stay correct, a little slower");
            }
            writer.set_merge_policy(Box::new(LogMergePolicy::default()));
        }
        let (count, labels) = filled?;
        self.reader.reload()?;
        if let Ok(mut l) = self.labels.write() {
            *l = Arc::new(labels);
        }
        self.save_labels()?;
        bar.finish_and_clear();
        Ok(count)
    }

    /// Writes every active product and commits: the rebuild's batches.
    async fn fill(
        &self,
        catalog: &Catalog,
        bar: &indicatif::ProgressBar,
    ) -> Result<(usize, FacetLabels)> {
        let mut labels = FacetLabels::default();
        let mut after = 0;
        let mut count = 0;
        loop {
            let (records, batch_labels) = catalog.search_records(None, after, 1000).await?;
            let Some(last) = records.last().map(|r| r.id) else {
                break;
            };
            {
                let writer = self.writer()?;
                for r in &records {
                    writer.add_document(self.document(r))?;
                }
            }
            labels.merge(batch_labels);
            count += records.len();
            bar.set_position(count as u64);
            after = last;
        }
        self.writer()?.commit()?;
        Ok((count, labels))
    }

    /// Brings the given products up to date: edited, archived (removed), restocked, new.
    /// Visible to searches as soon as this returns.
    pub async fn reindex(&self, catalog: &Catalog, ids: &[i32]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let (records, labels) = catalog
            .search_records(Some(ids), 0, ids.len() as u64)
            .await?;
        {
            let mut writer = self.writer()?;
            for id in ids {
                writer.delete_term(Term::from_field_u64(self.fields.id, *id as u64));
            }
            for r in &records {
                writer.add_document(self.document(r))?;
            }
            writer.commit()?;
        }
        self.reader.reload()?;
        if let Ok(mut l) = self.labels.write() {
            Arc::make_mut(&mut l).merge(labels);
        }
        self.save_labels()
    }

    /// Keeps the labels beside the index, so an existing index needs no catalog scan.
    fn save_labels(&self) -> Result<()> {
        let labels = self.labels();
        let json = serde_json::to_vec(&labels).map_err(|e| DomainError::Search(e.to_string()))?;
        let tmp = self.dir.join(format!("{LABELS}.tmp"));
        std::fs::write(&tmp, json)?;
        std::fs::rename(tmp, self.dir.join(LABELS))?;
        Ok(())
    }

    /// How many recent searches keep their results; 0 turns the cache off.
    pub fn cache_results(&self, entries: usize) {
        if let Ok(mut cache) = self.results.entries.lock() {
            *cache = std::num::NonZeroUsize::new(entries).map(lru::LruCache::new);
        }
    }

    pub fn stats(&self) -> SearchStats {
        SearchStats {
            searches: self.searches.load(Ordering::Relaxed),
            search_micros: self.search_micros.load(Ordering::Relaxed),
            cache_hits: self.results.hits.load(Ordering::Relaxed),
            cache_misses: self.results.misses.load(Ordering::Relaxed),
        }
    }

    pub fn labels(&self) -> Arc<FacetLabels> {
        self.labels
            .read()
            .map(|l| Arc::clone(&l))
            .unwrap_or_default()
    }

    pub fn document_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The product ids stored in a hit.
    fn id_of(doc: &TantivyDocument, field: Field) -> Option<i32> {
        doc.get_first(field)
            .and_then(|v| v.as_u64())
            .and_then(|v| i32::try_from(v).ok())
    }
}

/// Plain text of sanitized HTML: tags dropped, entities decoded, spaces collapsed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored cards are read by position: this fails when their layout changes, which must
    /// come with a new `SCHEMA_VERSION` (and then new bytes here).
    #[test]
    fn card_layout_is_pinned() {
        use crate::catalog::view::PriceView;
        use crate::money::{Currency, Money};
        let card = CardData {
            slugs: vec!["mug".into(), "bei".into()],
            image: Some(CardImage {
                file: "ab".into(),
                width: 8,
                height: 6,
                alt: Localized([("en".to_owned(), "a".to_owned())].into()),
            }),
            prices: vec![(
                "EU".into(),
                PriceView {
                    amount: Money::new(1299, Currency::Eur),
                    compare_at: None,
                    from: true,
                },
            )],
            available: true,
            tax_class: crate::tax::TaxClass::Reduced,
        };
        let bytes = postcard::to_allocvec(&card).expect("encodes");
        assert_eq!(
            SCHEMA_VERSION, 5,
            "new schema: pin the new card bytes below"
        );
        let pinned = [
            2, 3, 109, 117, 103, 3, 98, 101, 105, 1, 2, 97, 98, 16, 12, 1, 2, 101, 110, 1, 97, 1,
            2, 69, 85, 166, 20, 3, 69, 85, 82, 0, 1, 1, 7, 114, 101, 100, 117, 99, 101, 100,
        ];
        assert_eq!(bytes, pinned, "card layout changed: bump SCHEMA_VERSION");
        assert_eq!(postcard::from_bytes::<CardData>(&bytes).ok(), Some(card));
    }

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            html_to_text("<p>Tea &amp; cups</p><p>for  two</p>"),
            "Tea & cups for two"
        );
    }
}
