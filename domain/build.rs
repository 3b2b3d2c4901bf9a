//! The Fluent files are compiled into the binary (i18n.rs); rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=../locales");
}
