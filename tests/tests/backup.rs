//! `tradewind backup` / `restore` on SQLite and PostgreSQL: a backup taken while pages are
//! served restores into an empty store with the same products, prices, pictures, synonyms
//! and search results; damaged archives and stores in use are refused and change nothing.

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use http::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::io::Read;
use std::path::{Path, PathBuf};
use tradewind_domain::entity::{product, tax_rate};
use tradewind_server::backup::{self, BackupError};
use tradewind_tests::TestStore;

tradewind_tests::on_both_backends!(
    a_backup_taken_while_serving_restores_the_same_store,
    damaged_archives_and_stores_in_use_are_refused,
);

/// Gives the store's data dir pictures and a synonyms file, as a real store has.
fn fill_data_dir(s: &TestStore) -> Vec<(String, u64)> {
    let media = s.data_dir.join("media");
    std::fs::create_dir_all(&media).unwrap();
    for entry in std::fs::read_dir(&s.state.media_dir)
        .unwrap()
        .flatten()
        .take(12)
    {
        std::fs::copy(entry.path(), media.join(entry.file_name())).unwrap();
    }
    let synonyms = s.data_dir.join("synonyms");
    std::fs::create_dir_all(&synonyms).unwrap();
    std::fs::write(synonyms.join("en.txt"), "mug, cup\n").unwrap();
    files(&s.data_dir)
}

/// Media and synonym files below `dir`, with their sizes.
fn files(dir: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for folder in ["media", "synonyms"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(folder)) {
            for e in entries.flatten() {
                let len = e.metadata().unwrap().len();
                out.push((format!("{folder}/{}", e.file_name().to_string_lossy()), len));
            }
        }
    }
    out.sort();
    out
}

fn scratch(s: &TestStore, what: &str) -> PathBuf {
    let dir = s.data_dir.with_extension(what);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn a_backup_taken_while_serving_restores_the_same_store(s: &TestStore) {
    let expected_files = fill_data_dir(s);
    let archive = scratch(s, "archive.tar.gz");
    // Shoppers keep browsing while the backup runs.
    let browsing = async {
        for _ in 0..20 {
            let page = s.get("/en/products/lotus-teapot").await;
            assert_eq!(page.status, StatusCode::OK);
        }
    };
    let (report, ()) = tokio::join!(
        backup::backup(&s.db, &s.url, &s.data_dir, &archive),
        browsing
    );
    let report = report.unwrap();
    assert_eq!(report.files, expected_files.len() + 1, "database + files");

    let target = scratch(s, "restored");
    let url = s.another_database().await;
    let restored = backup::restore(&archive, &target, &url, false)
        .await
        .unwrap();
    assert_eq!(restored.files, report.files);
    assert_eq!(files(&target), expected_files, "pictures and synonyms");

    let db = tradewind_server::db::connect_with(&url, 2).await.unwrap();
    tradewind_server::db::migrate(&db).await.unwrap();
    assert_eq!(
        product::Entity::find().count(&db).await.unwrap(),
        product::Entity::find().count(&s.db).await.unwrap()
    );
    assert_eq!(
        tax_rate::Entity::find().count(&db).await.unwrap(),
        tax_rate::Entity::find().count(&s.db).await.unwrap()
    );
    // The same prices and the same search results, from a rebuilt index.
    let catalog = tradewind_server::catalog(db.clone()).await.unwrap();
    let (index, _) = tradewind_server::search_index(&catalog, &target).unwrap();
    index.rebuild(&catalog, false).await.unwrap();
    let original = &s.state.app.catalog;
    for market in original.markets().all() {
        let ids: Vec<i32> = (1..=10).collect();
        let before = original
            .cards(&ids, tradewind_domain::Locale::En, market)
            .await
            .unwrap();
        let mine = catalog.markets().by_code(&market.code).unwrap();
        let after = catalog
            .cards(&ids, tradewind_domain::Locale::En, mine)
            .await
            .unwrap();
        assert_eq!(before, after, "{}", market.code);
    }
    assert_eq!(index.document_count(), s.state.app.search.document_count());
    db.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&target);
    let _ = std::fs::remove_file(&archive);
}

/// The archive's entries, decompressed: (name, bytes).
fn entries(archive: &Path) -> Vec<(String, Vec<u8>)> {
    let mut tar = tar::Archive::new(GzDecoder::new(std::fs::File::open(archive).unwrap()));
    tar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (name, bytes)
        })
        .collect()
}

fn write_archive(path: &Path, entries: &[(String, Vec<u8>)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::fast()));
    for (name, bytes) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes.as_slice())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

async fn damaged_archives_and_stores_in_use_are_refused(s: &TestStore) {
    fill_data_dir(s);
    let archive = scratch(s, "good.tar.gz");
    backup::backup(&s.db, &s.url, &s.data_dir, &archive)
        .await
        .unwrap();
    let good = entries(&archive);

    // A picture changed after the manifest was written: its checksum no longer matches.
    let tampered = scratch(s, "tampered.tar.gz");
    let mut changed = good.clone();
    let picture = changed
        .iter_mut()
        .find(|(name, _)| name.starts_with("media/"))
        .unwrap();
    picture.1[0] ^= 0xff;
    write_archive(&tampered, &changed);
    // A file missing at the end, as when a copy was cut short.
    let short = scratch(s, "short.tar.gz");
    write_archive(&short, &good[..good.len() - 1]);
    // Bytes cut off the compressed stream.
    let cut = scratch(s, "cut.tar.gz");
    let bytes = std::fs::read(&archive).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();

    let url = s.another_database().await;
    for bad in [&tampered, &short, &cut] {
        let target = scratch(s, "refused");
        let err = backup::restore(bad, &target, &url, false)
            .await
            .unwrap_err();
        assert!(matches!(err, BackupError::Corrupt(_)), "{bad:?}: {err}");
        assert!(files(&target).is_empty(), "{bad:?}: nothing restored");
        assert!(!target.join("tradewind.db").exists());
    }
    // The empty database stayed empty: the good archive still restores into it.
    let target = scratch(s, "restored");
    backup::restore(&archive, &target, &url, false)
        .await
        .unwrap();
    // A store in use is refused without --force, and left as it was.
    let before = files(&s.data_dir);
    let err = backup::restore(&archive, &s.data_dir, &s.url, false)
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::NotEmpty(_)), "{err}");
    assert_eq!(files(&s.data_dir), before);
    for path in [&archive, &tampered, &short, &cut] {
        let _ = std::fs::remove_file(path);
    }
    let _ = std::fs::remove_dir_all(&target);
    let _ = std::fs::remove_dir_all(scratch(s, "refused"));
}
