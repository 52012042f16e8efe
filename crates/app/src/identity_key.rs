//! Where the secret of the consultations' identity digests comes from: never the
//! database (see `participa_store::IdentitySecret`), but an environment variable — the
//! same value on every server behind a proxy — or a key file, created on first start
//! with permissions 0600 (owner only).
//!
//! Backups keep the key file (or the variable's value) apart from the database: the two
//! together are what turns a document number into its digest. Losing the key loses
//! nothing else: a person who already answered an open consultation is just no longer
//! recognised (and the server refuses to start with another key until told to replace
//! it, so that this never happens by accident).

use participa_store::{IdentitySecret, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable that carries the secret itself (at least 32 characters).
pub const SECRET_VARIABLE: &str = "PARTICIPA_CLAVE_IDENTIDAD";

/// What the key file is called next to a SQLite database: `participa.db` →
/// `participa.db.clave-identidad`.
pub const KEY_FILE_SUFFIX: &str = ".clave-identidad";

/// The key file used with PostgreSQL (or an in-memory SQLite database) when none is
/// named: in the working directory, like the evidence folder.
pub const DEFAULT_KEY_FILE: &str = "participa.clave-identidad";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no se pudo leer el archivo de clave de identidad {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no se pudo crear el archivo de clave de identidad {}: {source}", .path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: {source}")]
    Invalid { origin: String, source: StoreError },
}

/// The secret, and where it came from in words (for the start-up message).
#[derive(Debug)]
pub struct LoadedSecret {
    pub secret: IdentitySecret,
    pub origin: String,
    /// A warning to print: a key file others can read.
    pub warning: Option<String>,
}

/// The key file that goes with `database_url` when none is given.
pub fn default_key_file(database_url: &str) -> PathBuf {
    let sqlite = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"));
    match sqlite.map(|p| p.split('?').next().unwrap_or_default()) {
        Some(path) if !path.is_empty() && !path.contains(":memory:") => {
            PathBuf::from(format!("{path}{KEY_FILE_SUFFIX}"))
        }
        _ => PathBuf::from(DEFAULT_KEY_FILE),
    }
}

/// The secret from `variable` (the value of [`SECRET_VARIABLE`], if set and not empty),
/// else from `file`, created with a new random key when absent.
pub fn load(variable: Option<&str>, file: &Path) -> Result<LoadedSecret, KeyError> {
    if let Some(value) = variable.map(str::trim).filter(|v| !v.is_empty()) {
        let secret = IdentitySecret::new(value).map_err(|source| KeyError::Invalid {
            origin: SECRET_VARIABLE.into(),
            source,
        })?;
        return Ok(LoadedSecret {
            secret,
            origin: format!("variable {SECRET_VARIABLE}"),
            warning: None,
        });
    }
    let created = if file.exists() { false } else { create(file)? };
    let text = std::fs::read_to_string(file).map_err(|source| KeyError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let secret = IdentitySecret::new(text.trim()).map_err(|source| KeyError::Invalid {
        origin: file.display().to_string(),
        source,
    })?;
    Ok(LoadedSecret {
        secret,
        origin: format!(
            "archivo {}{}",
            file.display(),
            if created { " (creado ahora)" } else { "" }
        ),
        warning: readable_by_others(file).then(|| {
            format!(
                "Atención: otros usuarios del sistema pueden leer {}; déjelo solo para el dueño (chmod 600).",
                file.display()
            )
        }),
    })
}

/// Creates `file` with a new random key, readable by its owner only; false when another
/// process created it first. The key is written to a temporary file and linked into
/// place, so nobody ever reads a half-written key.
fn create(file: &Path) -> Result<bool, KeyError> {
    let err = |source| KeyError::Create {
        path: file.to_path_buf(),
        source,
    };
    let key = IdentitySecret::generate().map_err(|e| err(std::io::Error::other(e.to_string())))?;
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    // A start that crashed here left its temporary file; in a container the next start
    // often has the same process id, so the leftover is ours to remove.
    let _ = std::fs::remove_file(&tmp);
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        writeln!(f, "{key}")?;
        f.sync_all()?;
        std::fs::hard_link(&tmp, file)
    })();
    let _ = std::fs::remove_file(&tmp);
    match written {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && file.exists() => Ok(false),
        Err(e) => Err(err(e)),
    }
}

/// Writes `key` to `file`, readable only by its owner (0600), through a temporary file
/// renamed over it: a restore puts back the key its backup carried.
pub fn write_key_file(file: &Path, key: &str) -> std::io::Result<()> {
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.restaurando", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let written = (|| {
        let mut f = options.open(&tmp)?;
        writeln!(f, "{}", key.trim())?;
        f.sync_all()?;
        std::fs::rename(&tmp, file)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(unix)]
fn readable_by_others(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_goes_next_to_a_sqlite_database() {
        assert_eq!(
            default_key_file("sqlite://participa.db"),
            PathBuf::from("participa.db.clave-identidad")
        );
        assert_eq!(
            default_key_file("sqlite:/srv/datos/p.db?mode=rwc"),
            PathBuf::from("/srv/datos/p.db.clave-identidad")
        );
        assert_eq!(
            default_key_file("postgres://u@h/db"),
            PathBuf::from("participa.clave-identidad")
        );
        assert_eq!(
            default_key_file("sqlite::memory:"),
            PathBuf::from("participa.clave-identidad")
        );
    }

    #[test]
    fn a_key_file_is_created_once_owner_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("participa.db.clave-identidad");
        let first = load(None, &file).unwrap();
        assert!(first.origin.contains("creado ahora"), "{}", first.origin);
        assert!(first.warning.is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text.trim().len(), 64);
        let again = load(None, &file).unwrap();
        assert!(!again.origin.contains("creado"));
        assert_eq!(again.secret.fingerprint(), first.secret.fingerprint());
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // The variable wins over the file, and must be long enough.
        let from_env = load(Some("una clave compartida por todos los servidores"), &file).unwrap();
        assert_ne!(from_env.secret.fingerprint(), first.secret.fingerprint());
        assert!(matches!(
            load(Some("corta"), &file),
            Err(KeyError::Invalid { .. })
        ));
        // A file others can read is used, with a warning.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(load(None, &file).unwrap().warning.is_some());
        }
        // An empty key file is refused, not used.
        std::fs::write(&file, "\n").unwrap();
        assert!(matches!(load(None, &file), Err(KeyError::Invalid { .. })));
        // A crashed start's temporary file (same process id, as in a container) does not
        // stop the next start from creating the key.
        let other = dir.path().join("otra.clave-identidad");
        let leftover = dir
            .path()
            .join(format!(".otra.clave-identidad.{}.tmp", std::process::id()));
        std::fs::write(&leftover, "a medio escribir").unwrap();
        assert!(load(None, &other).unwrap().origin.contains("creado ahora"));
        assert!(!leftover.exists());
    }
}
