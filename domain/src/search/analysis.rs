//! How each locale's text becomes search terms.
//!
//! - en, de, fr, es, pt-BR: words, lower case, accents folded (shoppers often omit them),
//!   Snowball stemming; German also splits compounds into known parts ("Teekanne" → tee, kanne).
//! - vi: words, lower case, tones folded ("am tra" finds "Ấm trà").
//! - id: words, lower case.
//! - ar: words, diacritics and tatweel removed, alef/yeh/teh marbuta unified, the article "ال"
//!   dropped ("ابريق" finds "الإبريق").
//! - zh-CN: jieba segmentation (its dictionary ships inside the crate), search mode.
//! - ja: overlapping character bigrams for kana and kanji, words for Latin text.
//!
//! The same analyzer runs on queries, so both sides meet on the same terms.

use crate::locale::Locale;
use std::sync::OnceLock;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer,
    SplitCompoundWords, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// The tokenizer name registered for a locale's text fields.
pub fn analyzer_name(locale: Locale) -> String {
    format!("tw_{}", locale.code().to_lowercase().replace('-', "_"))
}

/// Words longer than this are noise (base64, URLs) and only bloat the index.
const MAX_TOKEN: usize = 60;

/// Household-goods word parts for German compounds. Unknown compounds stay whole.
const GERMAN_PARTS: &[&str] = &[
    "tee",
    "kanne",
    "kaffee",
    "becher",
    "tasse",
    "schale",
    "teller",
    "schüssel",
    "vase",
    "lampe",
    "tisch",
    "kerze",
    "duft",
    "kissen",
    "bezug",
    "tasche",
    "trage",
    "tuch",
    "seide",
    "seiden",
    "notiz",
    "buch",
    "papier",
    "porzellan",
    "keramik",
    "stein",
    "gut",
    "glas",
    "holz",
    "leinen",
    "baumwolle",
    "decke",
    "geschenk",
    "blumen",
    "wasser",
    "reis",
    "nudel",
    "küche",
    "bad",
    "wohn",
    "zimmer",
    "licht",
    "schirm",
    "sieb",
    "deckel",
    "griff",
    "henkel",
    "farbe",
    // Plurals, so "Teekannen" splits like "Teekanne".
    "kannen",
    "tassen",
    "schalen",
    "schüsseln",
    "vasen",
    "lampen",
    "kerzen",
    "taschen",
    "tücher",
    "bücher",
    "decken",
    "geschenke",
    "griffe",
];

/// The analyzer for `locale`, built once (the German one holds a compound dictionary).
pub fn analyzer(locale: Locale) -> TextAnalyzer {
    static BUILT: OnceLock<Vec<TextAnalyzer>> = OnceLock::new();
    let all = BUILT.get_or_init(|| Locale::ALL.into_iter().map(build).collect());
    all[locale.index()].clone()
}

fn build(locale: Locale) -> TextAnalyzer {
    let words = || {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN))
            .filter(LowerCaser)
    };
    // Shoppers leave out accents: fold them, then stem.
    let folded_and_stemmed = |language| {
        words()
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(language))
            .build()
    };
    match locale {
        Locale::En => words().filter(Stemmer::new(Language::English)).build(),
        Locale::De => {
            let split = SplitCompoundWords::from_dictionary(GERMAN_PARTS.iter().copied());
            match split {
                Ok(split) => words()
                    .filter(split)
                    .filter(AsciiFoldingFilter)
                    .filter(Stemmer::new(Language::German))
                    .build(),
                Err(_) => folded_and_stemmed(Language::German),
            }
        }
        Locale::Fr => folded_and_stemmed(Language::French),
        Locale::Es => folded_and_stemmed(Language::Spanish),
        Locale::PtBr => folded_and_stemmed(Language::Portuguese),
        Locale::Vi => words().filter(AsciiFoldingFilter).build(),
        Locale::Id => words().build(),
        Locale::Ar => words().filter(ArabicNormalizer).build(),
        Locale::ZhCn => TextAnalyzer::builder(JiebaTokenizer)
            .filter(LowerCaser)
            .build(),
        Locale::Ja => TextAnalyzer::builder(BigramTokenizer)
            .filter(LowerCaser)
            .build(),
    }
}

/// Exact codes (SKU, barcode): the whole value, lower case.
pub fn code_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
        .filter(LowerCaser)
        .build()
}

/// The terms `text` yields under `locale`'s analyzer, in order.
pub fn terms(locale: Locale, text: &str) -> Vec<String> {
    let mut analyzer = analyzer(locale);
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // hiragana, katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0xFF66..=0xFF9F // half-width katakana
        | 0xAC00..=0xD7AF // hangul
    )
}

/// A token stream over precomputed tokens, for tokenizers that segment all at once.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl VecTokenStream {
    fn new(tokens: Vec<Token>) -> Self {
        Self { tokens, index: 0 }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self
            .index
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1))]
    }
    fn token_mut(&mut self) -> &mut Token {
        let i = self
            .index
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

fn token(from: usize, to: usize, position: usize, text: String) -> Token {
    Token {
        offset_from: from,
        offset_to: to,
        position,
        text,
        position_length: 1,
    }
}

/// Runs of letters/digits as words; runs of CJK characters as overlapping bigrams.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let mut tokens = Vec::new();
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let end_of = |i: usize| chars.get(i + 1).map(|(b, _)| *b).unwrap_or(text.len());
        let mut i = 0;
        while i < chars.len() {
            let (start, c) = chars[i];
            if is_cjk(c) {
                let mut j = i;
                while j + 1 < chars.len() && is_cjk(chars[j + 1].1) {
                    j += 1;
                }
                if i == j {
                    tokens.push(token(start, end_of(i), tokens.len(), c.to_string()));
                } else {
                    for k in i..j {
                        let text: String = [chars[k].1, chars[k + 1].1].iter().collect();
                        tokens.push(token(chars[k].0, end_of(k + 1), tokens.len(), text));
                    }
                }
                i = j + 1;
            } else if c.is_alphanumeric() {
                let mut j = i;
                while j + 1 < chars.len()
                    && chars[j + 1].1.is_alphanumeric()
                    && !is_cjk(chars[j + 1].1)
                {
                    j += 1;
                }
                if j - i < MAX_TOKEN {
                    tokens.push(token(
                        start,
                        end_of(j),
                        tokens.len(),
                        text[start..end_of(j)].to_owned(),
                    ));
                }
                i = j + 1;
            } else {
                i += 1;
            }
        }
        VecTokenStream::new(tokens)
    }
}

fn jieba() -> &'static jieba_rs::Jieba {
    static JIEBA: OnceLock<jieba_rs::Jieba> = OnceLock::new();
    JIEBA.get_or_init(jieba_rs::Jieba::new)
}

/// Chinese words by jieba in search mode (long words also yield their parts).
#[derive(Clone, Default)]
pub struct JiebaTokenizer;

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        // jieba counts in chars; tantivy wants byte offsets.
        let bytes: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain([text.len()])
            .collect();
        let mut tokens = Vec::new();
        for t in jieba().tokenize(text, jieba_rs::TokenizeMode::Search, true) {
            if !t.word.chars().any(char::is_alphanumeric) || t.word.chars().count() > MAX_TOKEN {
                continue;
            }
            let (from, to) = (
                bytes[t.start.min(bytes.len() - 1)],
                bytes[t.end.min(bytes.len() - 1)],
            );
            tokens.push(token(from, to, tokens.len(), t.word.to_owned()));
        }
        VecTokenStream::new(tokens)
    }
}

/// Arabic normalization as light as shoppers' typing: no diacritics, one alef.
#[derive(Clone, Copy)]
pub struct ArabicNormalizer;

pub fn normalize_arabic(word: &str) -> String {
    let mut out: String = word
        .chars()
        .filter(|c| !matches!(*c as u32, 0x064B..=0x065F | 0x0670 | 0x0640))
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            'ؤ' => 'و',
            'ئ' => 'ي',
            c => c,
        })
        .collect();
    if out.chars().count() > 3 && out.starts_with("ال") {
        out = out.chars().skip(2).collect();
    }
    out
}

impl TokenFilter for ArabicNormalizer {
    type Tokenizer<T: Tokenizer> = ArabicNormalizerTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ArabicNormalizerTokenizer<T> {
        ArabicNormalizerTokenizer(tokenizer)
    }
}

#[derive(Clone)]
pub struct ArabicNormalizerTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for ArabicNormalizerTokenizer<T> {
    type TokenStream<'a> = ArabicNormalizerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ArabicNormalizerStream(self.0.token_stream(text))
    }
}

pub struct ArabicNormalizerStream<S>(S);

impl<S: TokenStream> TokenStream for ArabicNormalizerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let token = self.0.token_mut();
        token.text = normalize_arabic(&token.text);
        true
    }
    fn token(&self) -> &Token {
        self.0.token()
    }
    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_locales_stem_and_fold() {
        assert_eq!(terms(Locale::En, "Teapots, MUGS!"), ["teapot", "mug"]);
        assert_eq!(
            terms(Locale::Vi, "Ấm trà Hoa Sen"),
            ["am", "tra", "hoa", "sen"]
        );
        assert_eq!(
            terms(Locale::PtBr, "Canecas de porcelana"),
            terms(Locale::PtBr, "caneca de porcelana")
        );
        assert_eq!(terms(Locale::Fr, "Théière"), terms(Locale::Fr, "theiere"));
    }

    #[test]
    fn german_compounds_split_into_parts() {
        let parts = terms(Locale::De, "Teekanne");
        assert!(parts.contains(&terms(Locale::De, "Kanne")[0]), "{parts:?}");
    }

    #[test]
    fn arabic_ignores_hamza_forms_and_the_article() {
        assert_eq!(terms(Locale::Ar, "الإبريق"), terms(Locale::Ar, "ابريق"));
        assert_eq!(normalize_arabic("مُزَهْرِيَّة"), "مزهريه");
    }

    #[test]
    fn japanese_uses_bigrams_and_chinese_uses_words() {
        assert_eq!(
            terms(Locale::Ja, "蓮のティーポット"),
            ["蓮の", "のテ", "ティ", "ィー", "ーポ", "ポッ", "ット"]
        );
        assert_eq!(terms(Locale::Ja, "A5 ノート"), ["a5", "ノー", "ート"]);
        let zh = terms(Locale::ZhCn, "莲花茶壶");
        assert!(zh.contains(&"茶壶".to_owned()), "{zh:?}");
    }
}
