//! The ten storefront locales, their text direction, and how a missing translation falls back.

use std::fmt;
use std::str::FromStr;

/// Stored and sent as its BCP 47 tag, never as its place in this list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    En,
    ZhCn,
    Es,
    PtBr,
    De,
    Fr,
    Ja,
    Ar,
    Vi,
    Id,
}

impl Locale {
    pub const ALL: [Locale; 10] = [
        Self::En,
        Self::ZhCn,
        Self::Es,
        Self::PtBr,
        Self::De,
        Self::Fr,
        Self::Ja,
        Self::Ar,
        Self::Vi,
        Self::Id,
    ];

    /// This locale's place in `ALL`, for tables kept per locale in that order.
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    /// The locale a storefront path is under (`/ja/products/…` → `ja`), if any: every
    /// page's URL starts with its locale.
    pub fn of_path(path: &str) -> Option<Locale> {
        path.trim_start_matches('/').split('/').next()?.parse().ok()
    }

    /// The store's default: what every chain ends in and what `x-default` points at.
    pub const DEFAULT: Locale = Locale::En;

    /// BCP 47 tag, as used in URLs, `lang=` and `hreflang=`.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
            Self::Es => "es",
            Self::PtBr => "pt-BR",
            Self::De => "de",
            Self::Fr => "fr",
            Self::Ja => "ja",
            Self::Ar => "ar",
            Self::Vi => "vi",
            Self::Id => "id",
        }
    }

    /// The language's name in itself, for the switcher.
    pub fn endonym(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::ZhCn => "简体中文",
            Self::Es => "Español",
            Self::PtBr => "Português (Brasil)",
            Self::De => "Deutsch",
            Self::Fr => "Français",
            Self::Ja => "日本語",
            Self::Ar => "العربية",
            Self::Vi => "Tiếng Việt",
            Self::Id => "Bahasa Indonesia",
        }
    }

    pub fn is_rtl(self) -> bool {
        self == Self::Ar
    }

    pub fn dir(self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }

    /// Language codes to try, most specific first: `pt-BR` → `pt` → the store default.
    /// Content rows may be stored under a bare language (`pt`) shared by several locales.
    pub fn fallback_chain(self) -> Vec<&'static str> {
        let mut chain = vec![self.code()];
        if let Some((lang, _)) = self.code().split_once('-') {
            chain.push(lang);
        }
        if self != Self::DEFAULT {
            chain.push(Self::DEFAULT.code());
        }
        chain
    }
}

crate::serde_as_code!(Locale, "a storefront locale tag", |s: &str| s
    .parse::<Locale>()
    .ok());

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLocale(pub String);

impl fmt::Display for UnknownLocale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown locale `{}`", self.0)
    }
}

impl std::error::Error for UnknownLocale {}

impl FromStr for Locale {
    type Err = UnknownLocale;

    /// Exact tags only (case-insensitive): URLs must be canonical, so `/pt/` is not `/pt-BR/`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownLocale(s.to_owned()))
    }
}

/// Picks the best storefront locale for an `Accept-Language` header.
#[cfg(feature = "server")]
pub fn negotiate(accept_language: &str) -> Locale {
    let wanted = accept_language::parse(accept_language);
    for tag in &wanted {
        if let Ok(exact) = tag.parse::<Locale>() {
            return exact;
        }
        // `zh`, `zh-Hans`, `pt-PT`, `de-AT`: match on the language alone.
        let lang = tag.split('-').next().unwrap_or_default();
        if let Some(l) = Locale::ALL.into_iter().find(|l| {
            l.code()
                .split('-')
                .next()
                .is_some_and(|c| c.eq_ignore_ascii_case(lang))
        }) {
            return l;
        }
    }
    Locale::DEFAULT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_tags_only() {
        assert_eq!("pt-br".parse::<Locale>(), Ok(Locale::PtBr));
        assert_eq!("zh-CN".parse::<Locale>(), Ok(Locale::ZhCn));
        assert!("pt".parse::<Locale>().is_err());
        assert!("".parse::<Locale>().is_err());
    }

    #[test]
    fn the_first_path_segment_names_the_locale() {
        assert_eq!(Locale::of_path("/ja/products/x"), Some(Locale::Ja));
        assert_eq!(Locale::of_path("/pt-BR"), Some(Locale::PtBr));
        assert_eq!(Locale::of_path("/api/suggest"), None);
        assert_eq!(Locale::of_path(""), None);
    }

    #[test]
    fn fallback_goes_region_then_language_then_default() {
        assert_eq!(Locale::PtBr.fallback_chain(), vec!["pt-BR", "pt", "en"]);
        assert_eq!(Locale::Ja.fallback_chain(), vec!["ja", "en"]);
        assert_eq!(Locale::En.fallback_chain(), vec!["en"]);
    }

    #[test]
    fn only_arabic_is_rtl() {
        for l in Locale::ALL {
            assert_eq!(l.dir() == "rtl", l == Locale::Ar);
        }
    }

    #[test]
    fn negotiates_accept_language() {
        assert_eq!(negotiate("ja,en-US;q=0.8"), Locale::Ja);
        assert_eq!(negotiate("zh-Hans-CN,zh;q=0.9"), Locale::ZhCn);
        assert_eq!(negotiate("pt-PT,pt;q=0.9"), Locale::PtBr);
        assert_eq!(negotiate("de-AT"), Locale::De);
        assert_eq!(negotiate("xx, *;q=0.1"), Locale::En);
        assert_eq!(negotiate(""), Locale::En);
    }
}
