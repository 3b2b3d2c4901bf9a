//! HTML that is safe to put into a page. `SafeHtml` can only be made by sanitizing (or, in
//! this crate, from escaped pieces and fixed tags), and it is the only thing the templates
//! render as HTML, so no write path that forgets to clean its input can turn into stored XSS.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SafeHtml(String);

impl SafeHtml {
    /// Rich text from anywhere (the database, a merchant's editor, an import) cleaned with
    /// ammonia: no scripts, no event handlers, no `javascript:` links, no styles.
    #[cfg(feature = "server")]
    pub fn sanitize(untrusted: &str) -> Self {
        Self(ammonia::clean(untrusted))
    }

    /// HTML assembled by this crate from escaped pieces and fixed tags (search highlights).
    #[cfg(feature = "server")]
    pub(crate) fn assembled(html: String) -> Self {
        Self(html)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// `&`, `<`, `>`, `"` and `'` as entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Serialize for SafeHtml {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// What the server receives is never trusted: it is cleaned again. The browser build only
/// ever receives values the server made (and cleaned), so it takes them as sent.
impl<'de> Deserialize<'de> for SafeHtml {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        #[cfg(feature = "server")]
        {
            Ok(Self::sanitize(&raw))
        }
        #[cfg(not(feature = "server"))]
        {
            Ok(Self(raw))
        }
    }
}

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let dirty = r#"<p onclick="x()">Tea <b>pot</b><script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)">a</a></p>"#;
        let clean = SafeHtml::sanitize(dirty);
        for bad in ["<script", "onclick", "onerror", "javascript:"] {
            assert!(!clean.as_str().contains(bad), "{bad} in {}", clean.as_str());
        }
        assert!(clean.as_str().contains("<b>pot</b>"));
        assert_eq!(escape("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
        let back: SafeHtml = serde_json::from_str(r#""<script>x</script>ok""#).unwrap();
        assert_eq!(back.as_str(), "ok");
    }
}
