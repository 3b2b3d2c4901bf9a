//! `tradewind backup` and `tradewind restore`: the whole store in one archive (database,
//! media, synonyms) with a manifest of versions and checksums, made while the store keeps
//! serving, and restored only after every byte has been checked.
//!
//! The archive is a gzipped tar whose first entry is `manifest.json`. SQLite is copied with
//! `VACUUM INTO` (a consistent snapshot while others read and write); PostgreSQL with
//! `pg_dump --format=custom`, which must be on PATH. The search index is not archived: it is
//! rebuilt from the database after a restore.

use crate::db;
use base64::Engine;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The archive's own format; a restore refuses formats it does not know.
const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "database/tradewind.db";
const PG_FILE: &str = "database/tradewind.pgdump";
/// Folders of the data dir that belong in a backup (the search index is rebuilt instead).
const FOLDERS: [&str; 2] = ["media", "synonyms"];

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error(
        "pg_dump/pg_restore not found on PATH: install the PostgreSQL client (apt-get install postgresql-client)"
    )]
    NoPgTools,
    #[error("{tool} failed: {message}")]
    Tool { tool: &'static str, message: String },
    #[error("not a Tradewind backup, or a damaged one: {0}")]
    Corrupt(String),
    #[error("{0} is not empty: restore into an empty data dir and database, or add --force")]
    NotEmpty(String),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// `tradewind --version` of the binary that made it.
    pub tradewind: String,
    /// The newest migration the database had run.
    pub schema: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub created_at: String,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub bytes: u64,
    /// Base64 of the file's SHA-256.
    pub sha256: String,
}

/// What a backup or restore did, for the command to print.
#[derive(Debug)]
pub struct Report {
    pub files: usize,
    pub bytes: u64,
    pub schema: String,
}

fn digest(path: &Path) -> io::Result<(u64, String)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let bytes = io::copy(&mut file, &mut hasher)?;
    let sum = base64::engine::general_purpose::STANDARD.encode(hasher.finalize());
    Ok((bytes, sum))
}

/// Every file below `dir`, as paths relative to `base`, sorted.
fn files_below(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files_below(base, &path, out)?;
        } else if path.is_file()
            && let Ok(rel) = path.strip_prefix(base)
        {
            out.push(rel.to_path_buf());
        }
    }
    out.sort();
    Ok(())
}

/// The archive path of a data-dir file: forward slashes, whatever the platform.
fn archive_name(rel: &Path) -> String {
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Writes a backup of the store to `output`. The database is snapshotted first, then the
/// media and synonyms are added with their checksums; the archive appears under its name
/// only once complete.
pub async fn backup(
    db: &DatabaseConnection,
    database_url: &str,
    data_dir: &Path,
    output: &Path,
) -> Result<Report, BackupError> {
    let work = tempdir_near(output)?;
    let result = backup_into(db, database_url, data_dir, output, &work).await;
    let _ = fs::remove_dir_all(&work);
    result
}

async fn backup_into(
    db: &DatabaseConnection,
    database_url: &str,
    data_dir: &Path,
    output: &Path,
    work: &Path,
) -> Result<Report, BackupError> {
    let backend = db.get_database_backend();
    let (db_name, snapshot) = match backend {
        DatabaseBackend::Postgres => {
            let file = work.join("tradewind.pgdump");
            run_tool(
                "pg_dump",
                Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--no-owner")
                    .arg("--no-privileges")
                    .arg("--file")
                    .arg(&file)
                    .arg(database_url),
            )?;
            (PG_FILE, file)
        }
        _ => {
            let file = work.join("tradewind.db");
            let target = file.to_string_lossy().replace('\'', "''");
            db.execute_unprepared(&format!("VACUUM INTO '{target}'"))
                .await?;
            (SQLITE_FILE, file)
        }
    };
    let mut entries = vec![(db_name.to_owned(), snapshot)];
    let mut rels = Vec::new();
    for folder in FOLDERS {
        files_below(data_dir, &data_dir.join(folder), &mut rels)?;
    }
    entries.extend(
        rels.into_iter()
            .map(|rel| (archive_name(&rel), data_dir.join(rel))),
    );
    let mut files = Vec::with_capacity(entries.len());
    for (name, path) in &entries {
        let (bytes, sha256) = digest(path)?;
        files.push(FileEntry {
            path: name.clone(),
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: FORMAT,
        tradewind: crate::config::VERSION.to_owned(),
        schema: db::latest_migration(),
        backend: match backend {
            DatabaseBackend::Postgres => "postgres",
            _ => "sqlite",
        }
        .to_owned(),
        created_at: chrono::Utc::now().to_rfc3339(),
        files,
    };
    let partial = output.with_extension("partial");
    {
        let file = File::create(&partial)?;
        let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::fast()));
        let json = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| BackupError::Corrupt(e.to_string()))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(json.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, MANIFEST, json.as_slice())?;
        for (name, path) in &entries {
            tar.append_path_with_name(path, name)?;
        }
        tar.into_inner()?.finish()?.sync_all()?;
    }
    fs::rename(&partial, output)?;
    Ok(Report {
        files: manifest.files.len(),
        bytes: manifest.files.iter().map(|f| f.bytes).sum(),
        schema: manifest.schema,
    })
}

/// A scratch folder beside `near`, so the final rename stays on one file system.
fn tempdir_near(near: &Path) -> io::Result<PathBuf> {
    let parent = near
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let stamp = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let dir = parent.join(format!(".tradewind-backup-{}-{stamp}", std::process::id()));
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn run_tool(tool: &'static str, cmd: &mut Command) -> Result<(), BackupError> {
    let out = cmd.output().map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => BackupError::NoPgTools,
        _ => BackupError::Io(e),
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool {
            tool,
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        })
    }
}

/// Unpacks and checks an archive into `staging`: the manifest first, then every file it
/// lists with the size and checksum it lists, nothing else. Any difference is an error.
fn unpack_checked(archive: &Path, staging: &Path) -> Result<Manifest, BackupError> {
    let corrupt = |what: String| BackupError::Corrupt(what);
    let mut tar = tar::Archive::new(GzDecoder::new(File::open(archive)?));
    let mut entries = tar.entries().map_err(|e| corrupt(e.to_string()))?;
    let mut first = entries
        .next()
        .ok_or_else(|| corrupt("empty archive".into()))?
        .map_err(|e| corrupt(e.to_string()))?;
    if first.path().map_err(|e| corrupt(e.to_string()))?.as_ref() != Path::new(MANIFEST) {
        return Err(corrupt("no manifest at the start".into()));
    }
    let mut json = Vec::new();
    first
        .by_ref()
        .take(16 * 1024 * 1024)
        .read_to_end(&mut json)
        .map_err(|e| corrupt(e.to_string()))?;
    let manifest: Manifest =
        serde_json::from_slice(&json).map_err(|e| corrupt(format!("manifest: {e}")))?;
    if manifest.format != FORMAT {
        return Err(corrupt(format!(
            "archive format {} (this binary reads {FORMAT})",
            manifest.format
        )));
    }
    let mut seen = 0;
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(e.to_string()))?;
        let name = archive_name(&entry.path().map_err(|e| corrupt(e.to_string()))?);
        let listed = manifest
            .files
            .iter()
            .find(|f| f.path == name)
            .ok_or_else(|| corrupt(format!("{name} is not in the manifest")))?;
        // Only plain relative names: nothing may land outside the staging folder.
        let rel = Path::new(&listed.path);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(corrupt(format!("unsafe path {name}")));
        }
        let target = staging.join(rel);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut out = File::create(&target)?;
        let mut hasher = Sha256::new();
        let mut buf = [0u8; 64 * 1024];
        let mut bytes = 0u64;
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| corrupt(format!("{name}: {e}")))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            bytes += n as u64;
        }
        let sum = base64::engine::general_purpose::STANDARD.encode(hasher.finalize());
        if bytes != listed.bytes || sum != listed.sha256 {
            return Err(corrupt(format!("{name} does not match its checksum")));
        }
        seen += 1;
    }
    if seen != manifest.files.len() {
        return Err(corrupt(format!(
            "{} of {} files present: the archive is truncated",
            seen,
            manifest.files.len()
        )));
    }
    Ok(manifest)
}

/// Whether the data dir holds anything a restore would overwrite.
fn data_dir_in_use(data_dir: &Path) -> io::Result<bool> {
    if !data_dir.exists() {
        return Ok(false);
    }
    for entry in fs::read_dir(data_dir)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with(".tradewind-restore") {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Restores `archive` into `data_dir` and the database at `database_url`. Refuses a data
/// dir (or PostgreSQL database) that is in use unless `force`; checks every file before
/// anything is replaced. The caller migrates and rebuilds the search index afterwards.
pub async fn restore(
    archive: &Path,
    data_dir: &Path,
    database_url: &str,
    force: bool,
) -> Result<Report, BackupError> {
    let postgres = database_url.starts_with("postgres");
    if !force {
        if data_dir_in_use(data_dir)? && !postgres_only_dir(data_dir, postgres)? {
            return Err(BackupError::NotEmpty(data_dir.display().to_string()));
        }
        if postgres && postgres_in_use(database_url).await? {
            return Err(BackupError::NotEmpty("the PostgreSQL database".into()));
        }
    }
    fs::create_dir_all(data_dir)?;
    let staging = data_dir.join(format!(".tradewind-restore-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging)?;
    let result = restore_from(archive, data_dir, database_url, postgres, &staging);
    let _ = fs::remove_dir_all(&staging);
    result
}

/// With PostgreSQL the data dir holds only files (media, synonyms, the index): an empty
/// one of those is as good as none.
fn postgres_only_dir(data_dir: &Path, postgres: bool) -> io::Result<bool> {
    if !postgres {
        return Ok(false);
    }
    let mut files = Vec::new();
    for folder in FOLDERS {
        files_below(data_dir, &data_dir.join(folder), &mut files)?;
    }
    Ok(files.is_empty())
}

async fn postgres_in_use(database_url: &str) -> Result<bool, BackupError> {
    let conn = db::connect_with(database_url, 1).await?;
    let row = conn
        .query_one(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
        ))
        .await?;
    conn.close().await?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(n > 0)
}

fn restore_from(
    archive: &Path,
    data_dir: &Path,
    database_url: &str,
    postgres: bool,
    staging: &Path,
) -> Result<Report, BackupError> {
    let manifest = unpack_checked(archive, staging)?;
    let wanted = if postgres { "postgres" } else { "sqlite" };
    if manifest.backend != wanted {
        return Err(BackupError::Corrupt(format!(
            "a {} backup cannot be restored into {wanted} (yet)",
            manifest.backend
        )));
    }
    // Everything checked: now replace.
    if postgres {
        run_tool(
            "pg_restore",
            Command::new("pg_restore")
                .arg("--clean")
                .arg("--if-exists")
                .arg("--no-owner")
                .arg("--no-privileges")
                .arg("--exit-on-error")
                .arg("--dbname")
                .arg(database_url)
                .arg(staging.join(PG_FILE)),
        )?;
    } else {
        let target = sqlite_file(database_url, data_dir);
        for suffix in ["-wal", "-shm"] {
            let _ = fs::remove_file(format!("{}{suffix}", target.display()));
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::rename(staging.join(SQLITE_FILE), &target)?;
    }
    for folder in FOLDERS {
        let from = staging.join(folder);
        let to = data_dir.join(folder);
        let _ = fs::remove_dir_all(&to);
        if from.exists() {
            fs::rename(&from, &to)?;
        }
    }
    // The index is the database's: rebuilt, never restored.
    let _ = fs::remove_dir_all(data_dir.join("search"));
    Ok(Report {
        files: manifest.files.len(),
        bytes: manifest.files.iter().map(|f| f.bytes).sum(),
        schema: manifest.schema,
    })
}

/// The SQLite file a `sqlite://…` URL names (query string dropped).
fn sqlite_file(database_url: &str, data_dir: &Path) -> PathBuf {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .unwrap_or(database_url)
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() {
        data_dir.join("tradewind.db")
    } else {
        PathBuf::from(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        let dir = Path::new("/data");
        assert_eq!(
            sqlite_file("sqlite:///data/tradewind.db?mode=rwc", dir),
            PathBuf::from("/data/tradewind.db")
        );
        assert_eq!(
            sqlite_file("sqlite://shop.db", dir),
            PathBuf::from("shop.db")
        );
    }
}
