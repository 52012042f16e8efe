//! Staff accounts: role, offices (for reporters), password hash, active flag.

use crate::audit::{record, Change};
use crate::tx::{on_tx, Tx};
use crate::{on_conn, Entity, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use participa_domain::{OfficeCode, PasswordOrigin, Role};
use sqlx::{QueryBuilder, Row};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub active: bool,
    pub offices: Vec<OfficeCode>,
    pub created_at: DateTime<Utc>,
    /// Where follow-up reminders go.
    pub email: Option<String>,
    /// Raised on every password change or reset; a session opened with another value
    /// is no longer valid.
    pub session_epoch: i64,
    /// The position (cargo) printed under the name when the user signs (e.g. approves).
    pub position: String,
    /// The password was generated for the user (someone else saw it): it must be
    /// changed before any other staff page opens.
    pub must_change_password: bool,
}

/// What an account is made of, for creating or updating one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserData {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub active: bool,
    pub offices: Vec<OfficeCode>,
    pub email: Option<String>,
    /// The position (cargo); empty when not given.
    pub position: String,
}

const USER_COLUMNS: &str =
    "id, username, full_name, role, active, created_at, email, session_epoch, position, must_change_password";

/// Decodes a user row of either backend.
fn user_of<R: Row>(r: &R, offices: Vec<OfficeCode>) -> Result<User>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> DateTime<Utc>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        full_name: r.try_get("full_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::CorruptValue {
            id: 0,
            what: format!("rol «{role}»"),
        })?,
        active: r.try_get("active")?,
        offices,
        created_at: r.try_get("created_at")?,
        email: r.try_get("email")?,
        session_epoch: r.try_get("session_epoch")?,
        position: r.try_get("position")?,
        must_change_password: r.try_get("must_change_password")?,
    })
}

fn codes(list: Vec<String>) -> Vec<OfficeCode> {
    list.into_iter()
        .filter_map(|c| OfficeCode::parse(&c).ok())
        .collect()
}

fn unique_violation(e: sqlx::Error, username: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::UsernameTaken(username.to_string())
        }
        _ => StoreError::Database(e),
    }
}

/// Inserts a user's offices in transaction `tx`.
async fn insert_offices(tx: &mut Tx, id: i64, offices: &[OfficeCode]) -> Result<()> {
    if offices.is_empty() {
        return Ok(());
    }
    on_tx!(tx, |conn| {
        let mut q = QueryBuilder::new("INSERT INTO user_offices (user_id, office_code) ");
        q.push_values(offices, |mut b, o| {
            b.push_bind(id).push_bind(o.as_str());
        });
        q.build().execute(&mut *conn).await?;
    });
    Ok(())
}

/// Sets a new password hash in transaction `tx`: every session of the user ends (the
/// session epoch is raised and returned, and their records are deleted), the browsers
/// remembered for the user are forgotten, the recovery links not yet used stop working,
/// and a [`PasswordOrigin::Temporary`] password must be changed at the next sign-in.
pub(crate) async fn set_password(
    tx: &mut Tx,
    id: i64,
    password_hash: &str,
    origin: PasswordOrigin,
    now: DateTime<Utc>,
) -> Result<i64> {
    let entity = tx.entity;
    let epoch: Option<i64> = on_tx!(tx, |conn| {
        sqlx::query(
            "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1, \
             must_change_password = $2 WHERE id = $3 AND entity_id = $4 RETURNING session_epoch",
        )
        .bind(password_hash)
        .bind(origin.must_change())
        .bind(id)
        .bind(entity)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get("session_epoch"))
        .transpose()?
    });
    let Some(epoch) = epoch else {
        return Err(StoreError::not_found(Entity::User, id));
    };
    on_tx!(tx, |conn| {
        // The browsers remembered under the old password are strangers' from now on:
        // only a sign-in with the new one remembers a browser again.
        sqlx::query("DELETE FROM trusted_devices WHERE user_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        // The epoch already refuses them; their records go too, so the account page
        // does not list them.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE password_recoveries SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    });
    Ok(epoch)
}

impl Store {
    pub async fn user_count(&self) -> Result<i64> {
        on_conn!(self.conn().await?, |conn| {
            Ok(
                sqlx::query("SELECT COUNT(*) AS n FROM users WHERE entity_id = $1")
                    .bind(self.entity)
                    .fetch_one(&mut *conn)
                    .await?
                    .try_get("n")?,
            )
        })
    }

    /// Creates an account; a taken user name is [`StoreError::UsernameTaken`]. A
    /// [`PasswordOrigin::Temporary`] password must be changed at the first sign-in.
    pub async fn create_user(
        &self,
        data: &UserData,
        password_hash: &str,
        origin: PasswordOrigin,
        change: &Change<'_>,
    ) -> Result<i64> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let id = insert_user(&mut tx, data, password_hash, origin, now).await?;
        record(&mut tx, change, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Updates name, role, active flag and offices (the user name stays).
    pub async fn update_user(&self, id: i64, data: &UserData, change: &Change<'_>) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let entity = tx.entity;
        on_tx!(&mut tx, |conn| {
            let done = sqlx::query(
                "UPDATE users SET full_name = $1, role = $2, active = $3, email = $4, position = $5 \
                 WHERE id = $6 AND entity_id = $7",
            )
            .bind(&data.full_name)
            .bind(data.role.as_str())
            .bind(data.active)
            .bind(&data.email)
            .bind(data.position.trim())
            .bind(id)
            .bind(entity)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::not_found(Entity::User, id));
            }
            sqlx::query("DELETE FROM user_offices WHERE user_id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            if !data.active {
                // A deactivated account's browsers are strangers' again, and the
                // recovery links it was sent no longer work.
                sqlx::query("DELETE FROM trusted_devices WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "UPDATE password_recoveries SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            }
        });
        insert_offices(&mut tx, id, &data.offices).await?;
        record(&mut tx, change, now).await?;
        tx.commit().await
    }

    /// Sets a new password hash and ends every session of the user (raising the session
    /// epoch, which is returned); see [`set_password`].
    pub async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        origin: PasswordOrigin,
        change: &Change<'_>,
    ) -> Result<i64> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let epoch = set_password(&mut tx, id, password_hash, origin, now).await?;
        record(&mut tx, change, now).await?;
        tx.commit().await?;
        Ok(epoch)
    }

    /// An account and its password hash, by user name (for signing in).
    pub async fn user_for_login(&self, username: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1 AND entity_id = $2");
        on_conn!(self.conn().await?, |conn| {
            let Some(r) = sqlx::query(&sql)
                .bind(username)
                .bind(self.entity)
                .fetch_optional(&mut *conn)
                .await?
            else {
                return Ok(None);
            };
            let id: i64 = r.try_get("id")?;
            let offices = sqlx::query(
                "SELECT office_code FROM user_offices WHERE user_id = $1 ORDER BY office_code",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|o| o.try_get("office_code"))
            .collect::<Result<Vec<String>, _>>()?;
            Ok(Some((
                user_of(&r, codes(offices))?,
                r.try_get("password_hash")?,
            )))
        })
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND entity_id = $2");
        on_conn!(self.conn().await?, |conn| {
            let Some(r) = sqlx::query(&sql)
                .bind(id)
                .bind(self.entity)
                .fetch_optional(&mut *conn)
                .await?
            else {
                return Ok(None);
            };
            let offices = sqlx::query(
                "SELECT office_code FROM user_offices WHERE user_id = $1 ORDER BY office_code",
            )
            .bind(id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|o| o.try_get("office_code"))
            .collect::<Result<Vec<String>, _>>()?;
            Ok(Some(user_of(&r, codes(offices))?))
        })
    }

    /// The offices the plans name, as choices for a reporter's account: each code once,
    /// with its name in the newest plan that has it, by code.
    pub async fn office_choices(&self) -> Result<Vec<(OfficeCode, String)>> {
        let rows: Vec<(String, String)> = on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "SELECT o.code, o.name FROM plan_offices o JOIN plans p ON p.id = o.plan_id \
                 WHERE p.entity_id = $1 ORDER BY p.year DESC, p.id DESC",
            )
            .bind(self.entity)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("code")?, r.try_get("name")?)))
            .collect::<Result<Vec<_>>>()
        })?;
        let mut seen = std::collections::BTreeMap::new();
        for (code, name) in rows {
            if let Ok(code) = OfficeCode::parse(&code) {
                seen.entry(code).or_insert(name);
            }
        }
        Ok(seen.into_iter().collect())
    }

    /// Every account, by user name: two queries.
    pub async fn users(&self) -> Result<Vec<User>> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users WHERE entity_id = $1 ORDER BY username");
        on_conn!(self.conn().await?, |conn| {
            let mut offices: HashMap<i64, Vec<String>> = HashMap::new();
            for r in
                sqlx::query(
                    "SELECT o.user_id, o.office_code FROM user_offices o JOIN users u ON u.id = o.user_id \
                     WHERE u.entity_id = $1 ORDER BY o.office_code",
                )
                .bind(self.entity)
                .fetch_all(&mut *conn)
                    .await?
            {
                offices
                    .entry(r.try_get("user_id")?)
                    .or_default()
                    .push(r.try_get("office_code")?);
            }
            sqlx::query(&sql)
                .bind(self.entity)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| {
                    let id: i64 = r.try_get("id")?;
                    user_of(r, codes(offices.remove(&id).unwrap_or_default()))
                })
                .collect()
        })
    }
}

/// Inserts an account of the transaction's entity with its offices (the caller writes
/// the audit entry); a user name taken anywhere in the deployment is
/// [`StoreError::UsernameTaken`].
pub(crate) async fn insert_user(
    tx: &mut Tx,
    data: &UserData,
    password_hash: &str,
    origin: PasswordOrigin,
    now: DateTime<Utc>,
) -> Result<i64> {
    let entity = tx.entity;
    let id: i64 = on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO users (username, full_name, role, password_hash, active, created_at, email, position, \
             must_change_password, entity_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&data.username)
        .bind(&data.full_name)
        .bind(data.role.as_str())
        .bind(password_hash)
        .bind(data.active)
        .bind(now)
        .bind(&data.email)
        .bind(data.position.trim())
        .bind(origin.must_change())
        .bind(entity)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| unique_violation(e, &data.username))?
        .try_get("id")?
    });
    insert_offices(tx, id, &data.offices).await?;
    Ok(id)
}
