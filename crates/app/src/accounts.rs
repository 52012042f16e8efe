//! Staff accounts as the web and the command line create them: random passwords,
//! Argon2id hashes, and the first admin of a new installation.

use crate::Error;
use participa_domain::{PasswordOrigin, Role};
use participa_store::{Actor, AuditAction, Change, Store, UserData};

/// Argon2id computations that may run at once: each takes some 19 MiB and a core, so
/// sign-ins beyond this wait their turn instead of multiplying the memory without bound.
fn hashing_turns() -> &'static tokio::sync::Semaphore {
    static TURNS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    TURNS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.max(2))
    })
}

/// Runs one Argon2id computation off the async threads, when a turn is free.
async fn with_hashing_turn<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    let _turn = hashing_turns()
        .acquire()
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(e.to_string()))
}

/// An Argon2id hash (PHC string), computed off the async threads.
pub async fn hash_password(password: String) -> Result<String, Error> {
    with_hashing_turn(move || password_auth::generate_hash(password)).await
}

/// Whether `password` matches the Argon2id `hash` (false also when it could not be
/// checked), computed off the async threads.
pub async fn verify_password(password: String, hash: String) -> bool {
    with_hashing_turn(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .unwrap_or(false)
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
        position: String::new(),
    };
    let system = Actor::system();
    store
        .create_user(
            &data,
            &hash,
            PasswordOrigin::Temporary,
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

/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;

/// The longest password accepted: long passphrases are welcome, but the strength
/// estimate's cost grows with the length.
pub const MAX_PASSWORD_LEN: usize = 128;

/// Why a new password is refused, or None when it is acceptable: long enough, without
/// the user name, and hard to guess by the `zxcvbn` estimate (score 3 of 4, that is,
/// more than about 10^10 guesses), where the user's own name, the entity's name and
/// the words any guesser here tries first count as guessable.
pub fn password_problem(password: &str, username: &str, entity: &str) -> Option<String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LEN {
        return Some(format!(
            "La contraseña debe tener al menos {MIN_PASSWORD_LEN} caracteres."
        ));
    }
    if length > MAX_PASSWORD_LEN {
        return Some(format!(
            "La contraseña admite hasta {MAX_PASSWORD_LEN} caracteres."
        ));
    }
    if password.to_lowercase().contains(&username.to_lowercase()) {
        return Some("La contraseña no puede contener el nombre de usuario.".into());
    }
    let entity = entity.to_lowercase();
    let entity_words: Vec<&str> = entity.split_whitespace().collect();
    let entity_joined: String = entity_words.concat();
    let mut guessable = vec![username, entity.as_str(), entity_joined.as_str()];
    guessable.extend(entity_words.iter().copied());
    guessable.extend_from_slice(GUESSABLE_WORDS);
    let estimate = zxcvbn::zxcvbn(password, &guessable);
    if estimate.score() >= zxcvbn::Score::Three {
        return None;
    }
    let why = estimate
        .feedback()
        .and_then(|f| f.warning())
        .map(weakness)
        .unwrap_or("se adivina con pocos intentos");
    Some(format!(
        "La contraseña es fácil de adivinar: {why}. Use una frase de varias palabras poco comunes, o mezcle palabras, números y signos."
    ))
}

/// Words the estimator's (English) dictionaries lack but any guesser here tries first.
const GUESSABLE_WORDS: &[&str] = &[
    "contraseña",
    "contrasena",
    "clave",
    "secreto",
    "colombia",
    "bogota",
    "participa",
    "participacion",
    "ciudadana",
    "planeacion",
    "usuario",
    "administrador",
    "bienvenido",
];

/// The estimator's warning, in Spanish.
fn weakness(w: zxcvbn::feedback::Warning) -> &'static str {
    use zxcvbn::feedback::Warning::*;
    match w {
        StraightRowsOfKeysAreEasyToGuess | ShortKeyboardPatternsAreEasyToGuess => {
            "sigue una fila o un patrón del teclado"
        }
        RepeatsLikeAaaAreEasyToGuess => "repite el mismo carácter (como «aaa»)",
        RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
            "repite un mismo grupo de caracteres (como «abcabc»)"
        }
        ThisIsATop10Password | ThisIsATop100Password | ThisIsACommonPassword => {
            "es una de las contraseñas más usadas"
        }
        ThisIsSimilarToACommonlyUsedPassword => "se parece a una contraseña muy usada",
        SequencesLikeAbcAreEasyToGuess => "es una secuencia (como «abc» o «6543»)",
        RecentYearsAreEasyToGuess => "usa años recientes",
        AWordByItselfIsEasyToGuess => "es una sola palabra",
        DatesAreOftenEasyToGuess => "usa una fecha",
        NamesAndSurnamesByThemselvesAreEasyToGuess | CommonNamesAndSurnamesAreEasyToGuess => {
            "usa nombres o apellidos comunes"
        }
    }
}

#[cfg(test)]
mod password_tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_the_reason_in_spanish() {
        for weak in [
            "aaaaaaaaaaaa",
            "123456789012",
            "qwertyuiopasdf",
            "contraseña2025",
            "participa2025!",
            "cajahonor2025!",
        ] {
            let why = password_problem(weak, "ana", "Caja Honor")
                .unwrap_or_else(|| panic!("{weak} accepted"));
            assert!(
                why.starts_with("La contraseña es fácil de adivinar"),
                "{weak}: {why}"
            );
        }
        for strong in [
            "otra clave de prueba bastante larga",
            "Caballo-Grapa-Bateria-Correcta-77",
        ] {
            assert_eq!(
                password_problem(strong, "ana", "Caja Honor"),
                None,
                "{strong}"
            );
        }
        let long = "x".repeat(MAX_PASSWORD_LEN + 1);
        assert!(password_problem(&long, "ana", "Caja Honor")
            .unwrap()
            .contains("hasta 128"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_waits_while_every_turn_is_taken() {
        let turns = hashing_turns();
        let all = turns.available_permits() as u32;
        let held = turns.acquire_many(all).await.unwrap();
        let hashing = tokio::spawn(hash_password("una clave de prueba".into()));
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(
            !hashing.is_finished(),
            "no turn was free: the hash must wait"
        );
        drop(held);
        let hash = hashing.await.unwrap().unwrap();
        assert!(verify_password("una clave de prueba".into(), hash).await);
    }
}
