//! From what a shopper typed to ranked hits and facet counts. Queries are parsed here, never
//! by tantivy's query language, so quotes, colons or brackets are just characters.
//!
//! Ranking: every word must match (in title or description); an exact word outranks a typo
//! or a prefix; a title match outranks a body match; the words as a phrase in the title rank
//! highest. Typos allowed per word: none up to 4 characters, 1 up to 8, 2 beyond; the last
//! word also matches as a prefix while the shopper is still typing. A query equal to a SKU
//! or barcode finds that product.

use super::collect::{FacetCollector, FacetCounts};
use super::{SearchIndex, analysis, price_field_name};
use crate::error::Result;
use crate::locale::Locale;
use std::collections::BTreeMap;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, TantivyDocument, Term};

pub use crate::catalog::view::MAX_QUERY_CHARS;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SearchSort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl SearchSort {
    pub const ALL: [SearchSort; 4] = [
        Self::Relevance,
        Self::PriceAsc,
        Self::PriceDesc,
        Self::Newest,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::PriceAsc => "price-asc",
            Self::PriceDesc => "price-desc",
            Self::Newest => "newest",
        }
    }

    pub fn from_key(key: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.key() == key)
            .unwrap_or_default()
    }
}

/// Narrowing chosen from the facets. Values are the keys the index stores.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    pub collection: Option<String>,
    pub vendor: Option<String>,
    pub kind: Option<String>,
    pub tag: Option<String>,
    pub options: Vec<String>,
    /// Price range in the market's minor units, upper bound exclusive.
    pub price: Option<(i64, Option<i64>)>,
    pub in_stock: bool,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

#[derive(Clone, Debug)]
pub struct SearchRequest {
    pub locale: Locale,
    pub market: String,
    pub text: String,
    pub filters: Filters,
    pub sort: SearchSort,
    pub offset: usize,
    pub limit: usize,
    /// Price bucket starts for the facet (market minor units), see `price_buckets`.
    pub price_bounds: Vec<i64>,
}

/// Why a query could not run as typed; the page says so instead of failing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryProblem {
    Empty,
    NoWords,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub id: i32,
    /// HTML: the title with matched words in `<mark>`, escaped otherwise.
    pub title_html: String,
    /// HTML: a fragment of the description around the matches.
    pub snippet_html: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
    /// The query after trimming to `MAX_QUERY_CHARS`.
    pub shortened: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceBucket {
    pub from: i64,
    pub to: Option<i64>,
}

/// Round price thresholds to two significant digits, so buckets read like prices.
fn nice(v: i64) -> i64 {
    if v < 100 {
        return v.max(1);
    }
    let mut scale = 1;
    while v / scale >= 100 {
        scale *= 10;
    }
    (v + scale / 2) / scale * scale
}

/// Buckets from thresholds given in base-currency minor units, converted for a market.
pub fn price_bounds(thresholds: &[i64], convert: impl Fn(i64) -> i64) -> Vec<i64> {
    let mut bounds: Vec<i64> = thresholds.iter().map(|t| nice(convert(*t))).collect();
    bounds.dedup();
    bounds
}

pub fn price_buckets(bounds: &[i64]) -> Vec<PriceBucket> {
    let mut from = 0;
    let mut out = Vec::new();
    for b in bounds {
        out.push(PriceBucket { from, to: Some(*b) });
        from = *b;
    }
    out.push(PriceBucket { from, to: None });
    out
}

struct QueryWord {
    term: String,
    chars: usize,
    cjk: bool,
}

/// How one query word may match: exactly, within `typos` edits, as a prefix, or as a synonym.
struct Planned {
    term: String,
    typos: u8,
    prefix: bool,
    synonyms: Vec<String>,
}

impl Planned {
    fn matches(&self, term: &str) -> bool {
        term == self.term
            || self.synonyms.iter().any(|s| s == term)
            || (self.prefix && term.starts_with(&self.term))
            || (self.typos > 0
                && strsim::damerau_levenshtein(term, &self.term) <= usize::from(self.typos))
    }
}

/// The document's own terms that a query matched, for highlighting typos and synonyms too.
fn matched_terms(locale: Locale, text: &str, plan: &[Planned]) -> BTreeMap<String, f32> {
    analysis::terms(locale, text)
        .into_iter()
        .filter(|t| plan.iter().any(|p| p.matches(t)))
        .map(|t| (t, 1.0))
        .collect()
}

fn words(locale: Locale, text: &str) -> Vec<QueryWord> {
    let mut analyzer = analysis::analyzer(locale);
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = stream.token();
        let raw = text.get(t.offset_from..t.offset_to).unwrap_or(&t.text);
        out.push(QueryWord {
            term: t.text.clone(),
            chars: raw.chars().count(),
            cjk: raw.chars().any(is_cjk_char),
        });
    }
    out
}

fn is_cjk_char(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF)
}

/// Typos tolerated in a word of `chars` characters.
pub fn typo_budget(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

fn boosted(q: impl Query + 'static, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(Box::new(q), boost))
}

/// Cuts `text` to at most `MAX_QUERY_CHARS` characters.
pub fn clip(text: &str) -> (String, bool) {
    let trimmed = text.trim();
    if trimmed.chars().count() > MAX_QUERY_CHARS {
        (trimmed.chars().take(MAX_QUERY_CHARS).collect(), true)
    } else {
        (trimmed.to_owned(), false)
    }
}

impl SearchIndex {
    /// The text part of a query and how each word may match, or why there is none.
    fn text_query(
        &self,
        locale: Locale,
        text: &str,
    ) -> std::result::Result<(Box<dyn Query>, Vec<Planned>), QueryProblem> {
        if text.trim().is_empty() {
            return Err(QueryProblem::Empty);
        }
        let words = words(locale, text);
        let code = TermQuery::new(
            Term::from_field_text(self.fields.code, &text.trim().to_lowercase()),
            IndexRecordOption::Basic,
        );
        if words.is_empty() {
            return Err(QueryProblem::NoWords);
        }
        let still_typing = !text.ends_with(char::is_whitespace);
        let (title, body) = (self.fields.title(locale), self.fields.body(locale));
        let mut all_words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut plan = Vec::new();
        for (i, w) in words.iter().enumerate() {
            // A lone CJK character is shorter than the bigrams indexed: match it as a prefix.
            let last = (i + 1 == words.len() && still_typing && !w.cjk) || (w.cjk && w.chars == 1);
            let typos = if w.cjk { 0 } else { typo_budget(w.chars) };
            let synonyms = self.synonyms.expand(locale, &w.term);
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, weight) in [(title, 3.0), (body, 1.0)] {
                let term = Term::from_field_text(field, &w.term);
                any.push((
                    Occur::Should,
                    boosted(
                        TermQuery::new(term.clone(), IndexRecordOption::WithFreqs),
                        weight * 2.0,
                    ),
                ));
                if typos > 0 {
                    any.push((
                        Occur::Should,
                        boosted(FuzzyTermQuery::new(term.clone(), typos, true), weight * 0.5),
                    ));
                }
                if last {
                    any.push((
                        Occur::Should,
                        boosted(
                            FuzzyTermQuery::new_prefix(term.clone(), 0, false),
                            weight * 0.8,
                        ),
                    ));
                }
                for s in &synonyms {
                    let t = Term::from_field_text(field, s);
                    any.push((
                        Occur::Should,
                        boosted(
                            TermQuery::new(t, IndexRecordOption::WithFreqs),
                            weight * 1.5,
                        ),
                    ));
                }
            }
            all_words.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            plan.push(Planned {
                term: w.term.clone(),
                typos,
                prefix: last,
                synonyms,
            });
        }
        let mut text_part: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(all_words)))];
        if words.len() >= 2 {
            let terms: Vec<(usize, Term)> = words
                .iter()
                .enumerate()
                .map(|(i, w)| (i, Term::from_field_text(title, &w.term)))
                .collect();
            text_part.push((
                Occur::Should,
                boosted(PhraseQuery::new_with_offset(terms), 4.0),
            ));
        }
        let query: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (Occur::Should, Box::new(BooleanQuery::new(text_part))),
            (Occur::Should, boosted(code, 20.0)),
        ]));
        Ok((query, plan))
    }

    fn filter_clauses(&self, req: &SearchRequest) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let term = |field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            ))
        };
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let filters = &req.filters;
        if let Some(c) = &filters.collection {
            out.push((Occur::Must, term(f.collection, c)));
        }
        if let Some(v) = &filters.vendor {
            out.push((Occur::Must, term(f.vendor, v)));
        }
        if let Some(k) = &filters.kind {
            out.push((Occur::Must, term(f.kind, k)));
        }
        if let Some(t) = &filters.tag {
            out.push((Occur::Must, term(f.tag, t)));
        }
        for o in &filters.options {
            out.push((Occur::Must, term(f.option, o)));
        }
        if filters.in_stock {
            out.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.in_stock, 1),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let (Some((from, to)), Some(field)) = (filters.price, f.price(&req.market)) {
            use std::ops::Bound;
            let upper = match to {
                Some(to) => Bound::Excluded(Term::from_field_i64(field, to)),
                None => Bound::Unbounded,
            };
            out.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(field, from)),
                    upper,
                )),
            ));
        }
        out
    }

    /// Runs a search: hits for one page, the total, and facet counts over all matches.
    pub fn search(
        &self,
        req: &SearchRequest,
    ) -> Result<std::result::Result<SearchResults, QueryProblem>> {
        let (text, shortened) = clip(&req.text);
        let (text_query, plan) = match self.text_query(req.locale, &text) {
            Ok(q) => q,
            Err(problem) => return Ok(Err(problem)),
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query.box_clone())];
        clauses.extend(self.filter_clauses(req));
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let facets = FacetCollector {
            price_field: price_field_name(&req.market),
            bounds: req.price_bounds.clone(),
        };
        let limit = req.limit.max(1);
        let (addresses, total, facets): (Vec<DocAddress>, usize, FacetCounts) = match req.sort {
            SearchSort::Relevance => {
                let top = TopDocs::with_limit(limit).and_offset(req.offset);
                let (hits, total, facets) = searcher.search(&query, &(top, Count, facets))?;
                (hits.into_iter().map(|(_, a)| a).collect(), total, facets)
            }
            SearchSort::PriceAsc | SearchSort::PriceDesc => {
                let order = if req.sort == SearchSort::PriceAsc {
                    Order::Asc
                } else {
                    Order::Desc
                };
                let top = TopDocs::with_limit(limit)
                    .and_offset(req.offset)
                    .order_by_fast_field::<i64>(price_field_name(&req.market), order);
                let (hits, total, facets) = searcher.search(&query, &(top, Count, facets))?;
                (hits.into_iter().map(|(_, a)| a).collect(), total, facets)
            }
            SearchSort::Newest => {
                let top = TopDocs::with_limit(limit)
                    .and_offset(req.offset)
                    .order_by_fast_field::<i64>("created", Order::Desc);
                let (hits, total, facets) = searcher.search(&query, &(top, Count, facets))?;
                (hits.into_iter().map(|(_, a)| a).collect(), total, facets)
            }
        };

        let title_field = self.fields.title(req.locale);
        let body_field = self.fields.body(req.locale);
        let analyzer = analysis::analyzer(req.locale);
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            let Some(id) = Self::id_of(&doc, self.fields.id) else {
                continue;
            };
            let text_of = |field| {
                use tantivy::schema::Value;
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let (title_text, body_text) = (text_of(title_field), text_of(body_field));
            let terms = matched_terms(req.locale, &format!("{title_text} {body_text}"), &plan);
            let fragment = |text: &str, field, max: usize| {
                let generator = SnippetGenerator::new(terms.clone(), analyzer.clone(), field, max);
                let mut snippet = generator.snippet(text);
                snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
                if snippet.fragment().is_empty() {
                    escape(&text.chars().take(max).collect::<String>())
                } else {
                    snippet.to_html()
                }
            };
            let title_html = fragment(&title_text, title_field, 300);
            let snippet_html = fragment(&body_text, body_field, 160);
            hits.push(Hit {
                id,
                title_html,
                snippet_html,
            });
        }
        Ok(Ok(SearchResults {
            total,
            hits,
            facets,
            shortened,
        }))
    }

    /// Product ids for search-as-you-type: the best few matches for what is typed so far.
    pub fn suggest(&self, locale: Locale, text: &str, limit: usize) -> Result<Vec<i32>> {
        let (text, _) = clip(text);
        let Ok((query, _)) = self.text_query(locale, &text) else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let top = searcher.search(&*query, &TopDocs::with_limit(limit.max(1)))?;
        let mut ids = Vec::new();
        for (_, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = Self::id_of(&doc, self.fields.id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typo_budget_grows_with_word_length() {
        assert_eq!([1, 4, 5, 8, 9, 20].map(typo_budget), [0, 0, 1, 1, 2, 2]);
    }

    #[test]
    fn long_queries_are_clipped_on_characters() {
        let (clipped, cut) = clip(&"茶".repeat(10_000));
        assert!(cut);
        assert_eq!(clipped.chars().count(), MAX_QUERY_CHARS);
        assert_eq!(clip("  mug "), ("mug".to_owned(), false));
    }

    #[test]
    fn price_buckets_read_like_prices() {
        assert_eq!(nice(375_000), 380_000);
        assert_eq!(nice(2_300), 2_300);
        assert_eq!(nice(12_345), 12_000);
        let bounds = price_bounds(&[2500, 5000, 10000], |usd| usd * 150 / 100);
        assert_eq!(bounds, [3_800, 7_500, 15_000]);
        let buckets = price_buckets(&bounds);
        assert_eq!(buckets.len(), 4);
        assert_eq!(
            buckets[3],
            PriceBucket {
                from: 15_000,
                to: None
            }
        );
    }
}
