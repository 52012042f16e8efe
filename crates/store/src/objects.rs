//! Evidence files: what is accepted (type read from the content, not the name; a plain
//! file name; a size limit) and where the bytes go — an `object_store` on local disk by
//! default, S3-compatible in production, in memory in tests.

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;

/// The default upload limit: 20 MB.
pub const DEFAULT_EVIDENCE_LIMIT: usize = 20 * 1024 * 1024;

/// Where evidence bytes live.
#[derive(Clone)]
pub struct Objects {
    inner: Arc<dyn ObjectStore>,
    description: String,
}

impl fmt::Debug for Objects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Objects({})", self.description)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ObjectsError {
    #[error("almacenamiento de evidencias «{url}»: {source}")]
    Open {
        url: String,
        source: object_store::Error,
    },
    #[error("no se pudo crear la carpeta de evidencias {dir}: {source}")]
    Dir { dir: String, source: std::io::Error },
    #[error("almacenamiento de evidencias: {0}")]
    Io(#[from] object_store::Error),
}

impl Objects {
    /// Files under `dir` on local disk (created when absent).
    pub fn local(dir: &std::path::Path) -> Result<Objects, ObjectsError> {
        std::fs::create_dir_all(dir).map_err(|source| ObjectsError::Dir {
            dir: dir.display().to_string(),
            source,
        })?;
        let fs = LocalFileSystem::new_with_prefix(dir).map_err(|source| ObjectsError::Open {
            url: dir.display().to_string(),
            source,
        })?;
        Ok(Objects {
            inner: Arc::new(fs),
            description: dir.display().to_string(),
        })
    }

    pub fn memory() -> Objects {
        Objects {
            inner: Arc::new(InMemory::new()),
            description: "memoria".into(),
        }
    }

    /// `s3://bucket[/prefix]` (credentials, region and endpoint from the usual `AWS_*`
    /// variables, so MinIO and other S3-compatible services work), or a local directory.
    pub fn open(location: &str) -> Result<Objects, ObjectsError> {
        Objects::open_with(location, &[])
    }

    /// [`Objects::open`], with S3 settings given here rather than in the environment:
    /// `object_store`'s names for them (`aws_endpoint`, `aws_access_key_id`,
    /// `aws_allow_http`…), which override the `AWS_*` variables. Ignored for a directory.
    pub fn open_with(location: &str, settings: &[(&str, &str)]) -> Result<Objects, ObjectsError> {
        if let Some(rest) = location.strip_prefix("s3://") {
            // The bucket, and the folder inside it every key goes under (object_store's
            // S3 client reads only the bucket from the address).
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let prefix = prefix.trim_matches('/');
            let mut builder = AmazonS3Builder::from_env().with_url(format!("s3://{bucket}"));
            for (key, value) in settings {
                let key = key.parse().map_err(|source| ObjectsError::Open {
                    url: location.into(),
                    source,
                })?;
                builder = builder.with_config(key, *value);
            }
            let s3 = builder.build().map_err(|source| ObjectsError::Open {
                url: location.into(),
                source,
            })?;
            let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(PrefixStore::new(s3, prefix))
            };
            return Ok(Objects {
                inner,
                description: location.into(),
            });
        }
        let dir = location.strip_prefix("file://").unwrap_or(location);
        Objects::local(std::path::Path::new(dir))
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), ObjectsError> {
        self.inner
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, ObjectsError> {
        let r = self.inner.get(&ObjectPath::from(key)).await?;
        Ok(r.bytes().await?.to_vec())
    }

    /// Every object's key, in no particular order (for backups and tests).
    pub async fn keys(&self) -> Result<Vec<String>, ObjectsError> {
        use futures::TryStreamExt;
        let listed: Vec<_> = self.inner.list(None).try_collect().await?;
        Ok(listed.into_iter().map(|m| m.location.to_string()).collect())
    }

    /// Removes an object; used only to undo an upload whose database write failed.
    pub async fn delete(&self, key: &str) -> Result<(), ObjectsError> {
        self.inner.delete(&ObjectPath::from(key)).await?;
        Ok(())
    }
}

/// A kind of evidence file Participa accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceKind {
    Pdf,
    Png,
    Jpeg,
    Webp,
    Xlsx,
    Docx,
    Csv,
    Zip,
}

/// The file endings of every evidence kind, as an `<input type="file" accept>` lists
/// them, so the browser's file chooser offers only files that can be sent.
pub const EVIDENCE_ACCEPT: &str = ".pdf,.png,.jpg,.jpeg,.webp,.xlsx,.docx,.csv,.zip";

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 8] = [
        EvidenceKind::Pdf,
        EvidenceKind::Png,
        EvidenceKind::Jpeg,
        EvidenceKind::Webp,
        EvidenceKind::Xlsx,
        EvidenceKind::Docx,
        EvidenceKind::Csv,
        EvidenceKind::Zip,
    ];

    pub fn media_type(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "application/pdf",
            EvidenceKind::Png => "image/png",
            EvidenceKind::Jpeg => "image/jpeg",
            EvidenceKind::Webp => "image/webp",
            EvidenceKind::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            EvidenceKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            EvidenceKind::Csv => "text/csv",
            EvidenceKind::Zip => "application/zip",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            EvidenceKind::Pdf => &["pdf"],
            EvidenceKind::Png => &["png"],
            EvidenceKind::Jpeg => &["jpg", "jpeg"],
            EvidenceKind::Webp => &["webp"],
            EvidenceKind::Xlsx => &["xlsx"],
            EvidenceKind::Docx => &["docx"],
            EvidenceKind::Csv => &["csv"],
            EvidenceKind::Zip => &["zip"],
        }
    }

    fn name(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "un PDF",
            EvidenceKind::Png => "una imagen PNG",
            EvidenceKind::Jpeg => "una imagen JPEG",
            EvidenceKind::Webp => "una imagen WebP",
            EvidenceKind::Xlsx => "una hoja de cálculo XLSX",
            EvidenceKind::Docx => "un documento DOCX",
            EvidenceKind::Csv => "un CSV",
            EvidenceKind::Zip => "un ZIP",
        }
    }

    /// The kind the bytes are, read from their content.
    fn sniff(bytes: &[u8]) -> Option<EvidenceKind> {
        match infer::get(bytes).map(|t| t.mime_type()) {
            Some("application/pdf") => Some(EvidenceKind::Pdf),
            Some("image/png") => Some(EvidenceKind::Png),
            Some("image/jpeg") => Some(EvidenceKind::Jpeg),
            Some("image/webp") => Some(EvidenceKind::Webp),
            Some(m) if m == EvidenceKind::Xlsx.media_type() => Some(EvidenceKind::Xlsx),
            Some(m) if m == EvidenceKind::Docx.media_type() => Some(EvidenceKind::Docx),
            Some("application/zip") => Some(EvidenceKind::Zip),
            Some(_) => None,
            // Text has no magic number: CSV is UTF-8 (or Windows-1252) text without NULs
            // or other control characters than tab and line ends.
            None if !bytes.is_empty()
                && !bytes
                    .iter()
                    .any(|b| *b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) =>
            {
                Some(EvidenceKind::Csv)
            }
            None => None,
        }
    }
}

/// Why an evidence file is refused, in words for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("el archivo «{name}» pesa {size} bytes y el límite es {limit} bytes ({} MB)", limit / (1024 * 1024))]
    TooLarge {
        name: String,
        size: usize,
        limit: usize,
    },
    /// Refused while it arrived, so its whole size is not known.
    #[error("el archivo «{name}» supera el tamaño permitido: el límite es {limit} bytes ({} MB) por archivo", limit / (1024 * 1024))]
    TooLargeWhileReceived { name: String, limit: usize },
    #[error("el archivo está vacío")]
    Empty,
    #[error("el nombre de archivo «{0}» no es válido: use un nombre simple, sin carpetas, «..» ni caracteres invisibles")]
    BadName(String),
    #[error("el contenido de «{0}» no es de un tipo admitido (PDF, PNG, JPEG, WebP, XLSX, DOCX, CSV o ZIP)")]
    Type(String),
    #[error(
        "el contenido de «{name}» es {actual}, que no corresponde a la extensión «.{extension}»"
    )]
    Mismatch {
        name: String,
        actual: &'static str,
        extension: String,
    },
}

/// An evidence file that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedEvidence {
    pub file_name: String,
    pub kind: EvidenceKind,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// Checks a file someone uploads as evidence.
/// Characters that change how the text around them is shown without being seen
/// themselves: bidirectional controls (U+202E shows `gpj.exe` as `exe.jpg`) and
/// invisible joiners or marks.
fn disguises_text(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}')
}

pub fn check_evidence(
    file_name: &str,
    bytes: Vec<u8>,
    limit: usize,
) -> Result<CheckedEvidence, EvidenceError> {
    let name = file_name.trim();
    let plain = !name.is_empty()
        && name.chars().count() <= 200
        && !name.contains(['/', '\\'])
        && !name.starts_with('.')
        && !name.contains("..")
        && !name.chars().any(|c| c.is_control() || disguises_text(c));
    if !plain {
        // Shown back with the invisible characters made visible.
        let shown = file_name
            .chars()
            .take(200)
            .map(|c| {
                if c.is_control() || disguises_text(c) {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect();
        return Err(EvidenceError::BadName(shown));
    }
    if bytes.len() > limit {
        return Err(EvidenceError::TooLarge {
            name: name.into(),
            size: bytes.len(),
            limit,
        });
    }
    if bytes.is_empty() {
        return Err(EvidenceError::Empty);
    }
    let kind = EvidenceKind::sniff(&bytes).ok_or_else(|| EvidenceError::Type(name.into()))?;
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    if !kind.extensions().contains(&extension.as_str()) {
        return Err(EvidenceError::Mismatch {
            name: name.into(),
            actual: kind.name(),
            extension,
        });
    }
    let sha256 = crate::hex(&Sha256::digest(&bytes));
    Ok(CheckedEvidence {
        file_name: name.into(),
        kind,
        sha256,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";
    const ELF: &[u8] = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";

    #[test]
    fn the_type_comes_from_the_content() {
        let ok = check_evidence("acta.pdf", PDF.to_vec(), 1000).unwrap();
        assert_eq!(ok.kind, EvidenceKind::Pdf);
        assert_eq!(ok.sha256.len(), 64);
        assert_eq!(
            check_evidence("lista.csv", b"nombre;asistio\nAna;si\n".to_vec(), 1000)
                .unwrap()
                .kind,
            EvidenceKind::Csv
        );
        assert_eq!(
            check_evidence("programa.pdf", ELF.to_vec(), 1000).unwrap_err(),
            EvidenceError::Type("programa.pdf".into())
        );
        let e = check_evidence("foto.pdf", PNG.to_vec(), 1000).unwrap_err();
        assert!(e.to_string().contains("una imagen PNG"), "{e}");
        assert_eq!(
            check_evidence("foto.PNG", PNG.to_vec(), 1000).unwrap().kind,
            EvidenceKind::Png
        );
    }

    #[test]
    fn the_file_chooser_offers_every_kind_and_nothing_else() {
        let offered: Vec<&str> = EVIDENCE_ACCEPT.split(',').collect();
        let kinds: Vec<String> = EvidenceKind::ALL
            .iter()
            .flat_map(|k| k.extensions().iter().map(|e| format!(".{e}")))
            .collect();
        assert_eq!(offered, kinds);
    }

    #[test]
    fn names_and_sizes_are_checked() {
        for bad in [
            "../../x.pdf",
            "a/b.pdf",
            "c:\\x.pdf",
            ".htaccess",
            "",
            "x\u{0}.pdf",
            // Shown on screen as "acta_fdp.pdf"-like disguises.
            "acta\u{202E}fdp.exe.pdf",
            "informe\u{2066}.pdf",
            "acta\u{200B}.pdf",
        ] {
            assert!(
                matches!(
                    check_evidence(bad, PDF.to_vec(), 1000),
                    Err(EvidenceError::BadName(_))
                ),
                "{bad:?}"
            );
        }
        let e = check_evidence("acta.pdf", PDF.to_vec(), 10).unwrap_err();
        assert!(matches!(e, EvidenceError::TooLarge { .. }));
        assert_eq!(
            check_evidence("acta.pdf", vec![], 10),
            Err(EvidenceError::Empty)
        );
    }

    #[tokio::test]
    async fn objects_round_trip_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::open(dir.path().to_str().unwrap()).unwrap();
        objects
            .put("evidencias/1/a.pdf", PDF.to_vec())
            .await
            .unwrap();
        assert_eq!(objects.get("evidencias/1/a.pdf").await.unwrap(), PDF);
        assert!(dir.path().join("evidencias/1/a.pdf").exists());
        objects.delete("evidencias/1/a.pdf").await.unwrap();
        assert!(!dir.path().join("evidencias/1/a.pdf").exists());
    }
}
