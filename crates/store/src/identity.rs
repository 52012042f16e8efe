//! The digests kept instead of identity documents, and the secret that keys them.
//!
//! A survey that takes one answer per person keeps, for each answer, a digest of the
//! citizen's document — never the number. The digest is
//! `HMAC-SHA256(secret, SHA-256(identity_key ‖ "\n" ‖ canonical document))`:
//! - the inner SHA-256 with the consultation's random `identity_key` (stored with the
//!   consultation) makes the digests of two consultations impossible to match with each
//!   other;
//! - the outer HMAC with the [`IdentitySecret`], which is **not** in the database (a key
//!   file or an environment variable, see `participa serve --help`), makes a copy of the
//!   database useless for turning a document number into a digest: without the secret,
//!   trying every 10-digit cédula against the rows gets nowhere.
//!
//! Databases from before the secret hold the inner digest alone. The inner digest is
//! exactly the old one, so [`Store::with_identity_secret`] re-keys them in place once
//! (`HMAC(secret, old)`), consultation by consultation, each in its own transaction and
//! marked with `identity_rekeyed`: a crash half-way leaves every consultation either
//! wholly old or wholly new, and the next start finishes the work. A returning person is
//! recognised across the upgrade.
//!
//! The database keeps a fingerprint of the secret (an HMAC of a fixed text): a server
//! started with another secret — a second server that made its own key file, a file
//! that was lost — is refused, instead of silently no longer recognising anybody.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::tx::{on_tx, Locked, Tx};
use crate::{Result, Store, StoreError};
use chrono::Utc;
use hmac::{Hmac, Mac};
use participa_domain::participation::identity::Document;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::fmt;
use std::sync::Arc;

/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

/// The secret that keys identity digests. Its `Debug` form never shows it.
#[derive(Clone)]
pub struct IdentitySecret(Arc<[u8]>);

impl fmt::Debug for IdentitySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdentitySecret(…)")
    }
}

impl IdentitySecret {
    /// A secret of at least [`MIN_SECRET_BYTES`] bytes.
    pub fn new(bytes: impl AsRef<[u8]>) -> Result<IdentitySecret> {
        let bytes = bytes.as_ref();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(StoreError::WeakIdentitySecret(bytes.len()));
        }
        Ok(IdentitySecret(bytes.into()))
    }

    /// 32 random bytes as 64 hex digits: the content of a new key file.
    pub fn generate() -> Result<String> {
        crate::random_token()
    }

    fn mac(&self, data: &[u8]) -> String {
        let mut m =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        m.update(data);
        crate::hex(&m.finalize().into_bytes())
    }

    /// What the database keeps to recognise this secret: an HMAC of a fixed text,
    /// from which the secret cannot be worked out.
    pub fn fingerprint(&self) -> String {
        self.mac(b"participa: huella de la clave de identidad de las consultas")
    }

    /// The digest kept for `document` in the consultation whose key is `key`.
    pub(crate) fn digest(&self, key: &str, document: &Document) -> String {
        self.rekey(&inner_digest(key, document))
    }

    /// An inner (old-scheme) digest, keyed with the secret.
    fn rekey(&self, inner: &str) -> String {
        self.mac(inner.as_bytes())
    }
}

/// SHA-256 of the consultation's key and the canonical document, as hex: the digest
/// databases kept before the secret, and the inner step of today's.
pub fn inner_digest(key: &str, document: &Document) -> String {
    let mut h = Sha256::new();
    h.update(key.as_bytes());
    h.update(b"\n");
    h.update(document.canonical().as_bytes());
    crate::hex(&h.finalize())
}

/// Responses re-keyed per statement batch (bounded memory on any table size).
const REKEY_PAGE: i64 = 500;

/// Re-keys the digests of consultation `id` in transaction `tx` unless it already is;
/// whether it did. The consultation's row is locked first, so two servers starting at
/// once cannot both re-key it.
pub(crate) async fn rekey_consultation(
    tx: &mut Tx,
    secret: &IdentitySecret,
    id: i64,
) -> Result<bool> {
    tx.lock(Locked::Consultation, id).await?;
    let done: bool = on_tx!(&mut *tx, |conn| {
        sqlx::query("SELECT identity_rekeyed FROM consultations WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?
            .try_get("identity_rekeyed")?
    });
    if done {
        return Ok(false);
    }
    let mut after = 0i64;
    loop {
        let rows: Vec<(i64, String)> = on_tx!(&mut *tx, |conn| {
            let rows = sqlx::query(
                "SELECT id, identity FROM consultation_responses \
                 WHERE consultation_id = $1 AND identity IS NOT NULL AND id > $2 ORDER BY id LIMIT $3",
            )
            .bind(id)
            .bind(after)
            .bind(REKEY_PAGE)
            .fetch_all(&mut *conn)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((r.try_get("id")?, r.try_get("identity")?));
            }
            out
        });
        let Some((last, _)) = rows.last() else {
            break;
        };
        after = *last;
        for (response, old) in &rows {
            on_tx!(&mut *tx, |conn| {
                sqlx::query("UPDATE consultation_responses SET identity = $1 WHERE id = $2")
                    .bind(secret.rekey(old))
                    .bind(response)
                    .execute(&mut *conn)
                    .await?;
            });
        }
    }
    on_tx!(&mut *tx, |conn| {
        sqlx::query("UPDATE consultations SET identity_rekeyed = TRUE WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    });
    Ok(true)
}

impl Store {
    /// This store with `secret` for identity digests, after checking it is the one the
    /// database's digests use (the first secret given is recorded) and re-keying the
    /// consultations of an older database (see the module's doc). A different secret is
    /// refused with [`StoreError::IdentitySecretMismatch`], unless `replace`: then it is
    /// recorded in its place (the old one was lost: people who already answered are no
    /// longer recognised), with an audit entry.
    pub async fn with_identity_secret(
        mut self,
        secret: IdentitySecret,
        replace: bool,
    ) -> Result<Store> {
        self.check_identity_secret(&secret, replace).await?;
        let rekeyed = self.rekey_identities(&secret).await?;
        if rekeyed > 0 {
            self.record(&Change {
                actor: &Actor::system(),
                action: AuditAction::IdentitySecret,
                plan_id: None,
                subject: "huellas de documentos de las consultas".into(),
                before: Some("SHA-256 con la clave de cada consulta".into()),
                after: Some(format!(
                    "HMAC-SHA256 con la clave externa: {}",
                    participa_domain::numbers::count(
                        rekeyed as u64,
                        "consulta recifrada",
                        "consultas recifradas"
                    )
                )),
            })
            .await?;
        }
        self.identity = Some(secret);
        // A writer started before held the store without the secret: this one starts
        // its own.
        self.writer = Default::default();
        Ok(self)
    }

    async fn check_identity_secret(&self, secret: &IdentitySecret, replace: bool) -> Result<()> {
        let now = Utc::now();
        let mine = secret.fingerprint();
        let mut tx = self.begin().await?;
        let recorded: String = on_tx!(&mut tx, |conn| {
            sqlx::query(
                "INSERT INTO identity_secret (id, fingerprint, recorded_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&mine)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query("SELECT fingerprint FROM identity_secret WHERE id = 1")
                .fetch_one(&mut *conn)
                .await?
                .try_get("fingerprint")?
        });
        if recorded != mine {
            if !replace {
                return Err(StoreError::IdentitySecretMismatch);
            }
            on_tx!(&mut tx, |conn| {
                sqlx::query(
                    "UPDATE identity_secret SET fingerprint = $1, recorded_at = $2 WHERE id = 1",
                )
                .bind(&mine)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            });
            let change = Change {
                actor: &Actor::system(),
                action: AuditAction::IdentitySecret,
                plan_id: None,
                subject: "clave de las huellas de documentos de las consultas".into(),
                before: Some("clave perdida".into()),
                after: Some(
                    "clave nueva: quien ya respondió no será reconocido en las consultas abiertas"
                        .into(),
                ),
            };
            record(&mut tx, &change, now).await?;
        }
        tx.commit().await
    }

    /// Re-keys every consultation not yet re-keyed, of any entity (the secret is the
    /// deployment's), one transaction each in its entity; how many.
    async fn rekey_identities(&self, secret: &IdentitySecret) -> Result<usize> {
        let scope = crate::tx::Scope::All;
        let pending: Vec<(i64, i64)> = crate::on_conn!(self.conn_for(scope).await?, |conn| {
            let rows = sqlx::query(
                "SELECT id, entity_id FROM consultations WHERE identity_rekeyed = FALSE ORDER BY id",
            )
            .fetch_all(&mut *conn)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push((
                    r.try_get::<i64, _>("id")?,
                    r.try_get::<i64, _>("entity_id")?,
                ));
            }
            out
        });
        let mut n = 0;
        for (id, entity) in pending {
            let mut tx = self.for_entity(entity).begin().await?;
            if rekey_consultation(&mut tx, secret, id).await? {
                n += 1;
            }
            tx.commit().await?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use participa_domain::participation::identity::check_document;

    #[test]
    fn the_digest_needs_the_secret_and_wraps_the_old_one() {
        let secret = IdentitySecret::new([7u8; 32]).unwrap();
        let other = IdentitySecret::new([8u8; 32]).unwrap();
        let doc = check_document("CC", "1.020.304.050", true).unwrap();
        let key = "clave-de-la-consulta";
        let d = secret.digest(key, &doc);
        assert_eq!(d.len(), 64);
        assert_ne!(
            d,
            inner_digest(key, &doc),
            "the database alone gives the digest"
        );
        assert_ne!(d, other.digest(key, &doc));
        assert_ne!(d, secret.digest("otra-consulta", &doc));
        // An old digest re-keyed is today's digest of the same person.
        assert_eq!(secret.rekey(&inner_digest(key, &doc)), d);
        assert_ne!(secret.fingerprint(), other.fingerprint());
        assert!(IdentitySecret::new([1u8; 31]).is_err());
        assert_eq!(format!("{secret:?}"), "IdentitySecret(…)");
    }
}
