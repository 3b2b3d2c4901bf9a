//! The browser bundle (wasm and JS of the islands) as the store serves it: from the site
//! dir when one holds a bundle (development, or an override), else from the copy embedded
//! in the binary (`embed-site`), so the binary alone serves a working store.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[cfg(feature = "embed-site")]
static EMBEDDED: include_dir::Dir<'static> = include_dir::include_dir!("$TRADEWIND_SITE_DIR/embed");

/// The name of the bundle the site dir holds, if it holds one.
pub fn on_disk(site_dir: &std::path::Path) -> Option<String> {
    std::fs::read_to_string(site_dir.join("pkg").join("current"))
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// The name of the bundle built into this binary, if any.
pub fn embedded() -> Option<String> {
    #[cfg(feature = "embed-site")]
    {
        EMBEDDED
            .get_file("current")
            .and_then(|f| f.contents_utf8())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }
    #[cfg(not(feature = "embed-site"))]
    {
        None
    }
}

fn embedded_file(name: &str) -> Option<&'static [u8]> {
    #[cfg(feature = "embed-site")]
    {
        EMBEDDED.get_file(name).map(|f| f.contents())
    }
    #[cfg(not(feature = "embed-site"))]
    {
        let _ = name;
        None
    }
}

fn content_type(name: &str) -> &'static str {
    if name.ends_with(".wasm") {
        "application/wasm"
    } else if name.ends_with(".js") {
        "text/javascript; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

/// `/pkg/{file}` from the embedded bundle: brotli or gzip when the browser takes them (the
/// bundle is precompressed at build time), cached for a year (the names carry a hash).
pub async fn serve_embedded(Path(name): Path<String>, headers: HeaderMap) -> Response {
    if name.contains('/') || name == "current" {
        return StatusCode::NOT_FOUND.into_response();
    }
    let accepts = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let takes = |coding: &str| {
        accepts
            .split(',')
            .any(|c| c.trim().split(';').next() == Some(coding))
    };
    let chosen = [("br", ".br"), ("gzip", ".gz")]
        .into_iter()
        .filter(|(coding, _)| takes(coding))
        .find_map(|(coding, ext)| {
            embedded_file(&format!("{name}{ext}")).map(|bytes| (Some(coding), bytes))
        })
        .or_else(|| embedded_file(&name).map(|bytes| (None, bytes)));
    let Some((coding, bytes)) = chosen else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&name)),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(coding) = coding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    res
}
