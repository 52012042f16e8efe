//! Staff accounts as the web and the command line create them: random passwords,
//! Argon2id hashes, and the first admin of a new installation.

use crate::Error;
use participa_domain::Role;
use participa_store::{Actor, AuditAction, Change, Store, UserData};

/// An Argon2id hash (PHC string), computed off the async threads.
pub async fn hash_password(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| Error::Internal(e.to_string()))
}

/// A random password of 16 characters without look-alikes (0/O, 1/l/I).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// On a database without users, creates `admin` with a random password and returns
/// the credentials (to be shown once); otherwise None.
pub async fn ensure_first_admin(store: &Store) -> Result<Option<(String, String)>, Error> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let password = random_password();
    let hash = hash_password(password.clone()).await?;
    let data = UserData {
        username: "admin".into(),
        full_name: "Administrador de la plataforma".into(),
        role: Role::Admin,
        active: true,
        offices: vec![],
        email: None,
    };
    let system = Actor::system();
    store
        .create_user(
            &data,
            &hash,
            &Change {
                actor: &system,
                action: AuditAction::UserCreate,
                plan_id: None,
                subject: "usuario admin".into(),
                before: None,
                after: Some("rol admin (primer inicio)".into()),
            },
        )
        .await?;
    Ok(Some(("admin".into(), password)))
}
