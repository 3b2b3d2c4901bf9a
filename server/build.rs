//! With the `embed-site` feature, rebuild when the browser bundle does: the embedded copy
//! must never lag behind the one `scripts/build-site.sh` just made.
fn main() {
    println!("cargo:rerun-if-env-changed=TRADEWIND_SITE_DIR");
    if std::env::var_os("CARGO_FEATURE_EMBED_SITE").is_some() {
        match std::env::var("TRADEWIND_SITE_DIR") {
            Ok(dir) => println!("cargo:rerun-if-changed={dir}/embed/current"),
            Err(_) => println!(
                "cargo:warning=embed-site needs TRADEWIND_SITE_DIR (scripts/env.sh sets it) after scripts/build-site.sh"
            ),
        }
    }
}
