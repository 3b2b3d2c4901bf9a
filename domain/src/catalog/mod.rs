//! The catalog as shoppers see it: read models (`view`) and the queries that fill them.

pub mod view;

use crate::locale::Locale;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What stays as it is in a path segment (RFC 3986 unreserved); everything else, the
/// UTF-8 of a Japanese or Arabic slug included, is percent-encoded, as search engines
/// recommend for localized URLs and as sitemaps and `Location` headers require.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn product_path(locale: Locale, slug: &str) -> String {
    format!(
        "/{}/products/{}",
        locale.code(),
        utf8_percent_encode(slug, SEGMENT)
    )
}

pub fn collection_path(locale: Locale, slug: &str) -> String {
    format!(
        "/{}/collections/{}",
        locale.code(),
        utf8_percent_encode(slug, SEGMENT)
    )
}

/// The URL slug of a title in `locale`, in the shopper's own script: Latin-script languages
/// are transliterated to ASCII (`Théière Lotus` → `theiere-lotus`, `Ấm trà` → `am-tra`);
/// Chinese, Japanese and Arabic keep their words (`蓮のティーポット`, `إبريق-شاي-اللوتس`),
/// which no reader would recognize through a romanization of Chinese readings.
#[cfg(feature = "server")]
pub fn slug_for(locale: Locale, title: &str) -> String {
    match locale {
        Locale::ZhCn | Locale::Ja | Locale::Ar => native_slug(title),
        _ => slug::slugify(title),
    }
}

#[cfg(feature = "server")]
fn native_slug(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut gap = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        // Arabic short vowels and other combining marks belong to their letter.
        if matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0300}'..='\u{036F}') {
            continue;
        }
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

#[cfg(feature = "server")]
mod query;
#[cfg(feature = "server")]
pub use query::*;

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_the_shoppers_script() {
        assert_eq!(slug_for(Locale::Ja, "蓮のティーポット"), "蓮のティーポット");
        assert_eq!(slug_for(Locale::Ar, "إبريق شاي اللوتس"), "إبريق-شاي-اللوتس");
        assert_eq!(slug_for(Locale::Ar, "إِبْرِيق"), "إبريق");
        assert_eq!(slug_for(Locale::ZhCn, "莲花茶壶 (大)"), "莲花茶壶-大");
        assert_eq!(slug_for(Locale::Fr, "Théière Lotus"), "theiere-lotus");
        assert_eq!(slug_for(Locale::Vi, "Ấm trà Hoa Sen"), "am-tra-hoa-sen");
        assert_eq!(slug_for(Locale::Ja, "・・"), "");
    }

    #[test]
    fn paths_are_percent_encoded_utf8() {
        assert_eq!(
            product_path(Locale::Ja, "蓮のティーポット"),
            "/ja/products/%E8%93%AE%E3%81%AE%E3%83%86%E3%82%A3%E3%83%BC%E3%83%9D%E3%83%83%E3%83%88"
        );
        assert_eq!(
            product_path(Locale::En, "lotus-teapot"),
            "/en/products/lotus-teapot"
        );
        assert_eq!(
            collection_path(Locale::En, "a/b?c"),
            "/en/collections/a%2Fb%3Fc"
        );
    }
}
