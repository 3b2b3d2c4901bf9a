//! Pages render HTML from data in exactly two places: `RichText`/`RichInline`, which take
//! nothing but sanitized `SafeHtml`, and the JSON-LD script (serde_json with `<` escaped).
//! Any other `inner_html` would be a way round the sanitizer, so it fails here.

use std::path::Path;

fn scan(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            scan(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("read source");
            for (n, line) in text.lines().enumerate() {
                if line.contains("inner_html=") {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
}

#[test]
fn only_safe_html_is_rendered_as_html() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    let mut found = Vec::new();
    scan(&app, &mut found);
    let allowed = |l: &String| {
        (l.contains("components/mod.rs") && l.contains("inner_html=html.into_string()"))
            || (l.contains("components/layout.rs") && l.contains("inner_html=super::json_ld(v)"))
    };
    let other: Vec<&String> = found.iter().filter(|l| !allowed(l)).collect();
    assert!(
        other.is_empty(),
        "HTML rendered outside SafeHtml: {other:#?}"
    );
    assert_eq!(found.len(), 3, "{found:#?}");
}
