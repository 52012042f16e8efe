//! Backups and restores of a whole deployment in one file: the database, every evidence
//! file, and the key of the identity digests (kept outside the database, so that a
//! copy of the database alone cannot turn a document number into its digest — which is
//! exactly why a backup must carry it, or restored surveys would no longer recognise
//! who already answered).
//!
//! The file is a tar archive:
//! - `respaldo.txt`: what it holds (format, date, database kind, counts);
//! - `base.sqlite` — a `VACUUM INTO` snapshot, taken while the server keeps writing —
//!   or `base.pgdump` — `pg_dump --format=custom`, PostgreSQL's documented way;
//! - `clave-identidad`, when there is a key;
//! - `evidencias/…`, each evidence file under its key.
//!
//! The database is copied first and the evidence files after: a file is always stored
//! before the row that names it and never deleted once named, so every file the copied
//! database names is in the archive.
//!
//! On PostgreSQL the tables have row-level security (see the store's migration 0025):
//! `pg_dump` and `pg_restore` run with `--enable-row-security` and the scope `*`, so they
//! see and write every entity's rows without being a superuser.

use participa_store::{Backend, Objects, Store};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the archive's format is; a restore refuses any other.
const FORMAT: &str = "1";
const MANIFEST: &str = "respaldo.txt";
const SQLITE_FILE: &str = "base.sqlite";
const PG_FILE: &str = "base.pgdump";
const KEY_FILE: &str = "clave-identidad";
const EVIDENCE_DIR: &str = "evidencias/";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Store(#[from] participa_store::StoreError),
    #[error("almacenamiento de evidencias: {0}")]
    Objects(#[from] participa_store::ObjectsError),
    #[error("{path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("no se pudo ejecutar {program} (¿está instalado? En Debian: apt-get install postgresql-client): {source}")]
    Spawn {
        program: &'static str,
        source: std::io::Error,
    },
    #[error("{program} terminó con error: {stderr}")]
    Tool {
        program: &'static str,
        stderr: String,
    },
    #[error("{0} no es un respaldo de Participa (le falta respaldo.txt al comienzo)")]
    NotABackup(String),
    #[error("{file}: formato de respaldo «{found}» desconocido (esta versión lee el {FORMAT})")]
    Format { file: String, found: String },
    #[error("el respaldo es de una base {archive} y el destino es una base {target}: restáurelo en una base {archive}")]
    WrongKind {
        archive: &'static str,
        target: &'static str,
    },
    #[error("la base de destino ya tiene datos ({0}): restaure en una base nueva, o use --reemplazar para sobrescribirla")]
    TargetNotEmpty(String),
    #[error("la clave de identidad {0} ya existe y es distinta de la del respaldo: muévala o use --reemplazar")]
    KeyDiffers(String),
    #[error("el respaldo no trae la base de datos")]
    NoDatabase,
}

impl BackupError {
    fn file(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
        move |source| BackupError::File {
            path: path.display().to_string(),
            source,
        }
    }
}

/// What a backup or a restore copied.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub database: &'static str,
    pub evidence_files: usize,
    pub identity_key: bool,
    pub bytes: u64,
}

fn kind_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

/// `url` with `option` added to the startup options libpq sends (`options=…`), next to
/// any the address already has (an address's own `options` hides `PGOPTIONS`).
pub fn with_pg_option(url: &str, option: &str) -> String {
    let encoded = option.replace(' ', "%20").replace('=', "%3D");
    match url.find("options=") {
        Some(at) => {
            let value_at = at + "options=".len();
            let end = url[value_at..]
                .find('&')
                .map_or(url.len(), |e| value_at + e);
            format!("{}%20{encoded}{}", &url[..end], &url[end..])
        }
        None => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}options={encoded}")
        }
    }
}

/// What `pg_dump` and `pg_restore` connect with: every entity in scope.
fn pg_url(url: &str) -> String {
    with_pg_option(url, "-c participa.entities=*")
}

fn run(program: &'static str, command: &mut Command) -> Result<(), BackupError> {
    let out = command
        .output()
        .map_err(|source| BackupError::Spawn { program, source })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool {
            program,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

fn append_bytes<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
    header.set_cksum();
    tar.append_data(&mut header, name, bytes)
}

/// Writes a backup of the database at `url`, the files in `objects` and the identity
/// key `key` (the key file's text) to `output`, through a temporary file renamed at the
/// end: a backup cut short leaves no file that looks whole.
pub async fn backup(
    url: &str,
    objects: &Objects,
    key: Option<&str>,
    output: &Path,
) -> Result<Summary, BackupError> {
    let store = Store::connect(url).await?;
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let work = tempfile::tempdir_in(dir).map_err(BackupError::file(dir))?;
    let backend = store.backend();
    let (db_file, db_name) = match backend {
        Backend::Sqlite => {
            let path = work.path().join(SQLITE_FILE);
            store.sqlite_snapshot(&path).await?;
            (path, SQLITE_FILE)
        }
        Backend::Postgres => {
            let path = work.path().join(PG_FILE);
            run(
                "pg_dump",
                Command::new("pg_dump")
                    .args(["--format=custom", "--no-owner", "--enable-row-security"])
                    .arg("--file")
                    .arg(&path)
                    .arg("--dbname")
                    .arg(pg_url(url)),
            )?;
            (path, PG_FILE)
        }
    };
    store.close().await;
    let keys = objects.keys().await?;
    let partial = work.path().join("respaldo.parcial");
    let file = std::fs::File::create(&partial).map_err(BackupError::file(&partial))?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    let manifest = format!(
        "formato: {FORMAT}\nprograma: Participa {}\nfecha: {}\nbase: {}\nevidencias: {}\nclave de identidad: {}\n",
        env!("CARGO_PKG_VERSION"),
        chrono::Utc::now().to_rfc3339(),
        kind_name(backend),
        keys.len(),
        if key.is_some() { "sí" } else { "no" }
    );
    let io = BackupError::file(output);
    (|| -> std::io::Result<()> {
        append_bytes(&mut tar, MANIFEST, manifest.as_bytes())?;
        tar.append_path_with_name(&db_file, db_name)?;
        if let Some(key) = key {
            append_bytes(&mut tar, KEY_FILE, key.as_bytes())?;
        }
        Ok(())
    })()
    .map_err(io)?;
    for k in &keys {
        let bytes = objects.get(k).await?;
        append_bytes(&mut tar, &format!("{EVIDENCE_DIR}{k}"), &bytes)
            .map_err(BackupError::file(output))?;
    }
    let mut out = tar.into_inner().map_err(BackupError::file(output))?;
    out.flush().map_err(BackupError::file(output))?;
    out.get_ref()
        .sync_all()
        .map_err(BackupError::file(output))?;
    drop(out);
    std::fs::rename(&partial, output).map_err(BackupError::file(output))?;
    let bytes = std::fs::metadata(output).map_or(0, |m| m.len());
    Ok(Summary {
        database: kind_name(backend),
        evidence_files: keys.len(),
        identity_key: key.is_some(),
        bytes,
    })
}

/// The SQLite file an address names, if it is one.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// Restores the backup `archive` into the database at `url` (a new one, unless
/// `replace`), its evidence files into `objects` and its identity key into `key_file`
/// (refused when a different key is there, unless `replace`). The database is brought
/// up to this version's schema at the end.
pub async fn restore(
    archive: &Path,
    url: &str,
    objects: &Objects,
    key_file: &Path,
    replace: bool,
) -> Result<Summary, BackupError> {
    let target = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let file = std::fs::File::open(archive).map_err(BackupError::file(archive))?;
    let mut tar = tar::Archive::new(std::io::BufReader::new(file));
    let work = tempfile::tempdir().map_err(BackupError::file(archive))?;
    let name = archive.display().to_string();
    let mut summary = Summary::default();
    let mut seen_manifest = false;
    let mut database = false;
    let entries = tar.entries().map_err(BackupError::file(archive))?;
    for entry in entries {
        let mut entry = entry.map_err(BackupError::file(archive))?;
        let path = entry
            .path()
            .map_err(BackupError::file(archive))?
            .to_string_lossy()
            .into_owned();
        if !seen_manifest {
            if path != MANIFEST {
                return Err(BackupError::NotABackup(name));
            }
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(BackupError::file(archive))?;
            let found = text
                .lines()
                .find_map(|l| l.strip_prefix("formato: "))
                .unwrap_or("")
                .trim()
                .to_string();
            if found != FORMAT {
                return Err(BackupError::Format { file: name, found });
            }
            seen_manifest = true;
            continue;
        }
        match path.as_str() {
            SQLITE_FILE | PG_FILE => {
                let archived = if path == SQLITE_FILE {
                    Backend::Sqlite
                } else {
                    Backend::Postgres
                };
                if archived != target {
                    return Err(BackupError::WrongKind {
                        archive: kind_name(archived),
                        target: kind_name(target),
                    });
                }
                let copy = work.path().join(&path);
                entry.unpack(&copy).map_err(BackupError::file(&copy))?;
                restore_database(&copy, target, url, replace).await?;
                summary.database = kind_name(target);
                database = true;
            }
            KEY_FILE => {
                let mut key = String::new();
                entry
                    .read_to_string(&mut key)
                    .map_err(BackupError::file(archive))?;
                restore_key(key.trim(), key_file, replace)?;
                summary.identity_key = true;
            }
            other => {
                if let Some(key) = other.strip_prefix(EVIDENCE_DIR) {
                    let mut bytes = Vec::with_capacity(entry.size() as usize);
                    entry
                        .read_to_end(&mut bytes)
                        .map_err(BackupError::file(archive))?;
                    objects.put(key, bytes).await?;
                    summary.evidence_files += 1;
                }
            }
        }
    }
    if !seen_manifest {
        return Err(BackupError::NotABackup(name));
    }
    if !database {
        return Err(BackupError::NoDatabase);
    }
    // The schema of this version (a backup from an older one is migrated here).
    Store::connect(url).await?.close().await;
    summary.bytes = std::fs::metadata(archive).map_or(0, |m| m.len());
    Ok(summary)
}

async fn restore_database(
    copy: &Path,
    target: Backend,
    url: &str,
    replace: bool,
) -> Result<(), BackupError> {
    match target {
        Backend::Sqlite => {
            let path = sqlite_path(url).ok_or_else(|| BackupError::TargetNotEmpty(url.into()))?;
            if path.exists() && !replace {
                return Err(BackupError::TargetNotEmpty(path.display().to_string()));
            }
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(BackupError::file(parent))?;
            }
            // Next to the target, then renamed over it: never half a database.
            let staged = PathBuf::from(format!("{}.restaurando", path.display()));
            std::fs::copy(copy, &staged).map_err(BackupError::file(&staged))?;
            std::fs::File::open(&staged)
                .and_then(|f| f.sync_all())
                .map_err(BackupError::file(&staged))?;
            for suffix in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{suffix}", path.display()));
                if side.exists() {
                    std::fs::remove_file(&side).map_err(BackupError::file(&side))?;
                }
            }
            std::fs::rename(&staged, &path).map_err(BackupError::file(&path))?;
        }
        Backend::Postgres => {
            let mut command = Command::new("pg_restore");
            command.args(["--no-owner", "--enable-row-security", "--exit-on-error"]);
            if replace {
                command.args(["--clean", "--if-exists"]);
            } else if participa_store::has_schema(url).await? {
                return Err(BackupError::TargetNotEmpty(
                    "tiene las tablas de Participa".into(),
                ));
            }
            command
                .args(["--single-transaction", "--dbname"])
                .arg(pg_url(url))
                .arg(copy);
            run("pg_restore", &mut command)?;
        }
    }
    Ok(())
}

fn restore_key(key: &str, file: &Path, replace: bool) -> Result<(), BackupError> {
    if let Ok(existing) = std::fs::read_to_string(file) {
        if existing.trim() == key {
            return Ok(());
        }
        if !replace {
            return Err(BackupError::KeyDiffers(file.display().to_string()));
        }
    }
    crate::identity_key::write_key_file(file, key).map_err(BackupError::file(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_startup_option_joins_those_the_address_has() {
        assert_eq!(
            with_pg_option("postgres://u@h/db", "-c a=b"),
            "postgres://u@h/db?options=-c%20a%3Db"
        );
        assert_eq!(
            with_pg_option("postgres://u@h/db?sslmode=disable", "-c a=*"),
            "postgres://u@h/db?sslmode=disable&options=-c%20a%3D*"
        );
        assert_eq!(
            with_pg_option(
                "postgres://u@h/db?options=-c%20search_path%3Dt1&sslmode=disable",
                "-c a=*"
            ),
            "postgres://u@h/db?options=-c%20search_path%3Dt1%20-c%20a%3D*&sslmode=disable"
        );
    }

    #[test]
    fn only_a_file_address_names_a_sqlite_file() {
        assert_eq!(
            sqlite_path("sqlite://datos/participa.db?mode=rwc"),
            Some(PathBuf::from("datos/participa.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
    }
}
