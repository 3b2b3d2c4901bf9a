//! From what a shopper typed to ranked hits and facet counts. Queries are parsed here, never
//! by tantivy's query language, so quotes, colons or brackets are just characters.
//!
//! Ranking: every word must match (in title or description); an exact word outranks a typo
//! or a prefix; a title match outranks a body match; the words as a phrase in the title rank
//! highest. Typos allowed per word: none up to 4 characters, 1 up to 8, 2 beyond; the last
//! word also matches as a prefix while the shopper is still typing. A query equal to a SKU
//! or barcode finds that product.

use super::bonus::Bonus;
use super::collect::{FacetCollector, FacetCounts};
use super::{SearchIndex, analysis, price_field_name};
use crate::catalog::view::ProductCard;
use crate::error::Result;
use crate::html::{SafeHtml, escape};
use crate::locale::Locale;
use std::collections::HashSet;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::Field;
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

pub use crate::catalog::view::MAX_QUERY_CHARS;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
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

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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
    /// Title, link, picture, price in the request's market and availability, from the index.
    pub card: ProductCard,
    /// HTML: the title with matched words in `<mark>`, escaped otherwise.
    pub title_html: SafeHtml,
    /// HTML: a fragment of the description around the matches.
    pub snippet_html: SafeHtml,
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
    /// The indexed words it matched, in the title or the description (for highlighting).
    matched: HashSet<String>,
    /// Set when its prefixes or typos were too many to list: words are then tested directly.
    any_prefix: bool,
    any_typo: Option<Typos>,
}

impl Planned {
    /// Remembers what the word matched in one field.
    fn note(&mut self, found: &Expansion) {
        self.matched.extend(found.synonyms.iter().cloned());
        for terms in [&found.prefix, &found.typo].into_iter().flatten() {
            self.matched.extend(terms.iter().cloned());
        }
        self.any_prefix |= self.prefix && found.prefix.is_none();
        if self.typos > 0 && found.typo.is_none() && self.any_typo.is_none() {
            self.any_typo = Some(typo_automaton(&self.term, self.typos));
        }
    }

    /// Whether an analyzed word of a hit's text is one the query matched.
    fn matches(&self, term: &str) -> bool {
        term == self.term
            || self.matched.contains(term)
            || (self.any_prefix && term.starts_with(&self.term))
            || self
                .any_typo
                .as_ref()
                .is_some_and(|typos| typos.matches(term))
    }
}

/// `text` as HTML with the words the query matched (typos and synonyms too) in `<mark>`.
/// Text longer than `max` characters is cut to the stretch of about `max` characters that
/// holds the most matches. One pass of the analyzer finds the words and their places.
fn highlight(analyzer: &mut TextAnalyzer, text: &str, plan: &[Planned], max: usize) -> SafeHtml {
    let mut marks: Vec<(usize, usize)> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        if plan.iter().any(|p| p.matches(&t.text)) {
            marks.push((t.offset_from, t.offset_to));
        }
    }
    // Compound parts and segmenters may give overlapping words: mark their union.
    marks.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(marks.len());
    for (from, to) in marks {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    let (start, end) = window(text, &merged, max);
    let mut html = String::with_capacity(end - start + merged.len() * 13);
    let mut at = start;
    for &(from, to) in &merged {
        if from < at || to > end {
            continue;
        }
        let (Some(before), Some(word)) = (text.get(at..from), text.get(from..to)) else {
            continue;
        };
        html.push_str(&escape(before));
        html.push_str("<mark>");
        html.push_str(&escape(word));
        html.push_str("</mark>");
        at = to;
    }
    html.push_str(&escape(text.get(at..end).unwrap_or_default()));
    SafeHtml::assembled(html)
}

/// Byte range of `text` to show: all of it when short, else about `max` characters starting a
/// little before the match that has the most matches after it.
fn window(text: &str, marks: &[(usize, usize)], max: usize) -> (usize, usize) {
    let end_after = |start: usize| {
        text.get(start..)
            .and_then(|rest| rest.char_indices().nth(max))
            .map_or(text.len(), |(i, _)| start + i)
    };
    if end_after(0) == text.len() {
        return (0, text.len());
    }
    let mut best = (0, 0);
    for &(from, _) in marks.iter().take(64) {
        let end = end_after(from);
        let inside = marks
            .iter()
            .filter(|(f, t)| *f >= from && *t <= end)
            .count();
        if inside > best.1 {
            best = (from, inside);
        }
    }
    // A few words of context before the first match, starting at a word (or at the start
    // of the text when it is that close).
    let mut start = best.0;
    if start > 0 {
        let earliest = text
            .get(..start)
            .and_then(|head| head.char_indices().rev().nth(30))
            .map_or(0, |(i, _)| i);
        start = if earliest == 0 {
            0
        } else {
            text.get(earliest..start)
                .and_then(|lead| lead.char_indices().find(|(_, c)| c.is_whitespace()))
                .map_or(start, |(i, c)| earliest + i + c.len_utf8())
        };
    }
    let mut end = end_after(start);
    // End at a word boundary where the text has spaces (not in Chinese or Japanese).
    if end < text.len()
        && let Some(space) = text
            .get(start..end)
            .and_then(|s| s.rfind(char::is_whitespace))
        && space > (end - start) / 2
    {
        end = start + space;
    }
    (start, end)
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

/// A query's text part as boolean clauses, and how each word may match (for highlighting).
type TextQuery = (Vec<(Occur, Box<dyn Query>)>, Vec<Planned>);

/// The indexed terms of one field that a query word matches, by how they match. As with
/// tantivy's automaton queries before, the exact term is also in the prefix and typo sets
/// (it is its own prefix, at distance 0), so an exact word collects every bonus a near miss
/// can and always ranks above it.
#[derive(Default)]
struct Expansion {
    exact: bool,
    synonyms: Vec<String>,
    /// `None`: more than `MAX_EXPANSIONS` terms; the automaton query matches them instead.
    prefix: Option<Vec<String>>,
    typo: Option<Vec<String>>,
}

/// Terms a prefix or typo may expand to per word and field before the query falls back to
/// tantivy's automaton query (a bitset of every match per segment), which costs more per
/// query but never drops a match.
const MAX_EXPANSIONS: usize = 64;

/// A Levenshtein automaton (with transpositions) as a term-dictionary automaton.
struct Typos(levenshtein_automata::DFA);

impl tantivy_fst::Automaton for Typos {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(
            self.0.distance(*state),
            levenshtein_automata::Distance::Exact(_)
        )
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

impl Typos {
    fn matches(&self, term: &str) -> bool {
        use tantivy_fst::Automaton;
        let mut state = self.start();
        for byte in term.bytes() {
            if !self.can_match(&state) {
                return false;
            }
            state = self.accept(&state, byte);
        }
        self.is_match(&state)
    }
}

/// Building an automaton builder is slow (milliseconds for two typos): one per distance.
fn typo_automaton(term: &str, typos: u8) -> Typos {
    use levenshtein_automata::LevenshteinAutomatonBuilder;
    use std::sync::OnceLock;
    static BUILDERS: [OnceLock<LevenshteinAutomatonBuilder>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let typos = typos.min(2);
    let builder =
        BUILDERS[usize::from(typos)].get_or_init(|| LevenshteinAutomatonBuilder::new(typos, true));
    Typos(builder.build_dfa(term))
}

/// Adds a streamed term to a capped set; `None` once the set is over the cap.
fn collect_term(set: &mut Option<HashSet<String>>, key: &[u8]) {
    if let Some(terms) = set
        && let Ok(key) = std::str::from_utf8(key)
    {
        terms.insert(key.to_owned());
        if terms.len() > MAX_EXPANSIONS {
            *set = None;
        }
    }
}

/// What a planned word matches in `field`, over all segments. Walking the term dictionaries
/// here instead of using tantivy's automaton queries avoids building, per query and segment,
/// a bitset of every document that matches (the cost of broad prefixes like "mug").
fn expand(searcher: &Searcher, field: Field, word: &Planned) -> Result<Expansion> {
    let mut exact = false;
    let mut synonyms: HashSet<String> = HashSet::new();
    let mut prefix = word.prefix.then(HashSet::new);
    let mut typo = (word.typos > 0).then(HashSet::new);
    let automaton = (word.typos > 0).then(|| typo_automaton(&word.term, word.typos));
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let terms = index.terms();
        exact |= terms.get(word.term.as_bytes())?.is_some();
        for s in &word.synonyms {
            if terms.get(s.as_bytes())?.is_some() {
                synonyms.insert(s.clone());
            }
        }
        if prefix.is_some() {
            let mut stream = terms.range().ge(word.term.as_bytes()).into_stream()?;
            while prefix.is_some()
                && stream.advance()
                && stream.key().starts_with(word.term.as_bytes())
            {
                collect_term(&mut prefix, stream.key());
            }
        }
        if let (Some(automaton), true) = (&automaton, typo.is_some()) {
            let mut stream = terms.search(automaton).into_stream()?;
            while typo.is_some() && stream.advance() {
                collect_term(&mut typo, stream.key());
            }
        }
    }
    let sorted = |set: HashSet<String>| {
        let mut v: Vec<String> = set.into_iter().collect();
        v.sort();
        v
    };
    Ok(Expansion {
        exact,
        synonyms: sorted(synonyms),
        prefix: if word.prefix {
            prefix.map(sorted)
        } else {
            Some(Vec::new())
        },
        typo: if word.typos > 0 {
            typo.map(sorted)
        } else {
            Some(Vec::new())
        },
    })
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
    /// The text part of a query as clauses (every word must match; the words as a phrase in
    /// the title and an exact code score higher) and how each word may match, or why there
    /// is none.
    fn text_query(
        &self,
        searcher: &Searcher,
        locale: Locale,
        text: &str,
    ) -> Result<std::result::Result<TextQuery, QueryProblem>> {
        if text.trim().is_empty() {
            return Ok(Err(QueryProblem::Empty));
        }
        let words = words(locale, text);
        if words.is_empty() {
            return Ok(Err(QueryProblem::NoWords));
        }
        let still_typing = !text.ends_with(char::is_whitespace);
        let (title, body) = (self.fields.title(locale), self.fields.body(locale));
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut plan = Vec::new();
        for (i, w) in words.iter().enumerate() {
            // A lone CJK character is shorter than the bigrams indexed: match it as a prefix.
            let prefix =
                (i + 1 == words.len() && still_typing && !w.cjk) || (w.cjk && w.chars == 1);
            let mut planned = Planned {
                term: w.term.clone(),
                typos: if w.cjk { 0 } else { typo_budget(w.chars) },
                prefix,
                synonyms: self.synonyms.expand(locale, &w.term),
                matched: HashSet::new(),
                any_prefix: false,
                any_typo: None,
            };
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, weight) in [(title, 3.0), (body, 1.0)] {
                let found = expand(searcher, field, &planned)?;
                planned.note(&found);
                let scored = |term: &str, boost: f32| -> (Occur, Box<dyn Query>) {
                    let term = Term::from_field_text(field, term);
                    (
                        Occur::Should,
                        boosted(TermQuery::new(term, IndexRecordOption::WithFreqs), boost),
                    )
                };
                // Prefix and typo matches score a constant once per word, however many
                // terms they cover: a rare near miss must not outrank a common exact word.
                // A set that holds only the exact word adds its constant to the exact
                // word's score instead, which ranks the same (up to float rounding) and reads
                // its postings once.
                let term = Term::from_field_text(field, &w.term);
                let mut bonus = 0.0;
                let mut near = Vec::new();
                for (set, boost, fallback) in [
                    (
                        found.prefix,
                        0.8,
                        FuzzyTermQuery::new_prefix(term.clone(), 0, false),
                    ),
                    (
                        found.typo,
                        0.5,
                        FuzzyTermQuery::new(term, planned.typos, true),
                    ),
                ] {
                    match set {
                        Some(terms) if terms.is_empty() => {}
                        Some(terms) if found.exact && terms == [w.term.as_str()] => {
                            bonus += weight * boost;
                        }
                        set => near.push((set, boost, fallback)),
                    }
                }
                if found.exact {
                    let (occur, exact) = scored(&w.term, weight * 2.0);
                    any.push(if bonus > 0.0 {
                        (occur, Box::new(Bonus::new(exact, bonus)))
                    } else {
                        (occur, exact)
                    });
                }
                for s in &found.synonyms {
                    any.push(scored(s, weight * 1.5));
                }
                for (set, boost, fallback) in near {
                    let matched: Box<dyn Query> = match set {
                        Some(terms) => Box::new(BooleanQuery::new(
                            terms
                                .iter()
                                .map(|t| {
                                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                                        Term::from_field_text(field, t),
                                        IndexRecordOption::Basic,
                                    ));
                                    (Occur::Should, q)
                                })
                                .collect(),
                        )),
                        None => Box::new(fallback),
                    };
                    any.push((
                        Occur::Should,
                        Box::new(ConstScoreQuery::new(matched, weight * boost)),
                    ));
                }
            }
            if any.is_empty() {
                // A word found nowhere: nothing matches, but the query still runs (and
                // facets and the count say so) rather than dropping the word.
                any.push((
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(title, &w.term),
                        IndexRecordOption::Basic,
                    )),
                ));
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            plan.push(planned);
        }
        if words.len() >= 2 {
            let terms: Vec<(usize, Term)> = words
                .iter()
                .enumerate()
                .map(|(i, w)| (i, Term::from_field_text(title, &w.term)))
                .collect();
            clauses.push((
                Occur::Should,
                boosted(PhraseQuery::new_with_offset(terms), 4.0),
            ));
        }
        // A SKU or barcode typed whole finds its product even when the words do not match.
        let code = Term::from_field_text(self.fields.code, &text.trim().to_lowercase());
        if searcher.doc_freq(&code)? > 0 {
            let either: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Should, Box::new(BooleanQuery::new(clauses))),
                (
                    Occur::Should,
                    boosted(TermQuery::new(code, IndexRecordOption::Basic), 20.0),
                ),
            ];
            clauses = vec![(Occur::Must, Box::new(BooleanQuery::new(either)))];
        }
        Ok(Ok((clauses, plan)))
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
        let searcher = self.reader.searcher();
        let (text, shortened) = clip(&req.text);
        // Keyed on the clipped text: a 10 KB query is not kept whole.
        let key = (
            searcher.generation().generation_id(),
            self.synonyms.version(req.locale),
            SearchRequest {
                text: text.clone(),
                ..req.clone()
            },
        );
        let started = std::time::Instant::now();
        if let Some(cached) = self.results.get(&key) {
            return Ok(Ok(SearchResults {
                shortened,
                ..cached
            }));
        }
        let (mut clauses, plan) = match self.text_query(&searcher, req.locale, &text)? {
            Ok(q) => q,
            Err(problem) => return Ok(Err(problem)),
        };
        clauses.extend(self.filter_clauses(req));
        let query = BooleanQuery::new(clauses);
        self.facet_cache.keep_only(&searcher);
        let facets = FacetCollector {
            cache: &self.facet_cache,
            price_fields: &self.price_fields,
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

        let mut analyzer = analysis::analyzer(req.locale);
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let Some(stored) = self.stored(&searcher, address, req.locale)? else {
                continue;
            };
            let title_html = highlight(&mut analyzer, &stored.title, &plan, 300);
            let snippet_html = highlight(&mut analyzer, &stored.body, &plan, 160);
            let Some(card) = stored
                .card
                .view(stored.id, stored.title, req.locale, &req.market)
            else {
                continue;
            };
            hits.push(Hit {
                card,
                title_html,
                snippet_html,
            });
        }
        let results = SearchResults {
            total,
            hits,
            facets,
            shortened,
        };
        self.results.put(key, &results);
        self.searches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.search_micros
            .fetch_add(micros, std::sync::atomic::Ordering::Relaxed);
        Ok(Ok(results))
    }

    /// Cards for search-as-you-type: the best few matches for what is typed so far.
    pub fn suggest(
        &self,
        locale: Locale,
        market: &str,
        text: &str,
        limit: usize,
    ) -> Result<Vec<ProductCard>> {
        let (text, _) = clip(text);
        let searcher = self.reader.searcher();
        let Ok((clauses, _)) = self.text_query(&searcher, locale, &text)? else {
            return Ok(Vec::new());
        };
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)))?;
        let mut cards = Vec::new();
        for (_, address) in top {
            if let Some(s) = self.stored(&searcher, address, locale)?
                && let Some(card) = s.card.view(s.id, s.title, locale, market)
            {
                cards.push(card);
            }
        }
        Ok(cards)
    }

    /// What a hit keeps in the index for `locale`: id, title, description text and card.
    fn stored(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        locale: Locale,
    ) -> Result<Option<StoredHit>> {
        use tantivy::schema::Value;
        let doc: TantivyDocument = searcher.doc(address)?;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let id = Self::id_of(&doc, self.fields.id);
        let card = doc
            .get_first(self.fields.card)
            .and_then(|v| v.as_bytes())
            .and_then(|b| match postcard::from_bytes(b) {
                Ok(card) => Some(card),
                Err(e) => {
                    tracing::warn!(product = ?id, error = %e, "search card unreadable: reindex");
                    None
                }
            });
        let (Some(id), Some(card)) = (id, card) else {
            return Ok(None);
        };
        Ok(Some(StoredHit {
            id,
            title: text_of(self.fields.title(locale)),
            body: text_of(self.fields.body(locale)),
            card,
        }))
    }
}

struct StoredHit {
    id: i32,
    title: String,
    body: String,
    card: super::CardData,
}

impl crate::catalog::PriceOrder for SearchIndex {
    fn by_price(
        &self,
        collection: &str,
        market: &str,
        descending: bool,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<i32>, u64)> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.fields.collection, collection),
            IndexRecordOption::Basic,
        );
        // Counted first: a page past the end costs no buffer of `offset` entries.
        let total = searcher.search(&query, &Count)?;
        if offset >= total {
            return Ok((Vec::new(), total as u64));
        }
        let order = if descending { Order::Desc } else { Order::Asc };
        let top = TopDocs::with_limit(limit.max(1))
            .and_offset(offset)
            .order_by_fast_field::<i64>(price_field_name(market), order);
        let hits = searcher.search(&query, &top)?;
        let mut ids = Vec::with_capacity(hits.len());
        for (_, address) in hits {
            let column = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64("id")?;
            if let Some(id) = column
                .first(address.doc_id)
                .and_then(|id| i32::try_from(id).ok())
            {
                ids.push(id);
            }
        }
        Ok((ids, total as u64))
    }
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
