//! The entities a deployment hosts, and the scope a [`Store`] works in.
//!
//! A `Store` always works for one entity ([`Store::entity_id`]): every query on a
//! tenant's data is filtered by it, in the SQL (`entity_id = $n` on the tenant roots,
//! a join to the root for what belongs through it), so a handler cannot reach another
//! entity's rows by passing their ids. [`Store::for_entity`] gives the same pool scoped
//! to another entity. What is not any one entity's (the entities themselves, the
//! identity secret, the mail outbox's delivery) is read here or in its own module.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::{on_conn, Result, Store, StoreError, UserData};
use chrono::Utc;
use participa_domain::{EntityOrder, EntitySlug};
use sqlx::Row;

/// The name a database's first entity has until its first plan names it.
pub const PLACEHOLDER_NAME: &str = "Entidad";

/// What an entity is and how it shows itself: its identity, settings and host names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRecord {
    pub id: i64,
    pub data: EntityData,
    /// Moves with every change of its settings ([`Store::update_entity`]).
    pub revision: i64,
}

/// The fields of an entity a platform administrator or its own admin sets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EntityData {
    pub slug: String,
    pub name: String,
    pub nit: String,
    pub order: EntityOrder,
    pub sector: String,
    pub department_code: String,
    pub municipality_code: String,
    pub hosts: Vec<String>,
    pub address: String,
    pub phone: String,
    pub contact_email: String,
    pub hours: String,
    pub privacy_policy_url: Option<String>,
    pub privacy_contact: String,
    pub mail_from: String,
    pub colour: String,
}

const COLUMNS: &str = "id, slug, name, nit, entity_order, sector, department_code, \
     municipality_code, address, phone, contact_email, hours, privacy_policy_url, \
     privacy_contact, mail_from, colour, revision";

fn decode<R: Row>(r: &R) -> Result<EntityRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let order: String = r.try_get("entity_order")?;
    let id: i64 = r.try_get("id")?;
    Ok(EntityRecord {
        id,
        revision: r.try_get("revision")?,
        data: EntityData {
            slug: r.try_get("slug")?,
            name: r.try_get("name")?,
            nit: r.try_get("nit")?,
            order: EntityOrder::parse(&order).map_err(|_| StoreError::CorruptValue {
                id,
                what: format!("orden de entidad «{order}»"),
            })?,
            sector: r.try_get("sector")?,
            department_code: r.try_get("department_code")?,
            municipality_code: r.try_get("municipality_code")?,
            hosts: Vec::new(),
            address: r.try_get("address")?,
            phone: r.try_get("phone")?,
            contact_email: r.try_get("contact_email")?,
            hours: r.try_get("hours")?,
            privacy_policy_url: r.try_get("privacy_policy_url")?,
            privacy_contact: r.try_get("privacy_contact")?,
            mail_from: r.try_get("mail_from")?,
            colour: r.try_get("colour")?,
        },
    })
}

impl Store {
    /// The id of the entity this store works for.
    pub fn entity_id(&self) -> i64 {
        self.entity
    }

    /// The same database, working for entity `id` (which the caller found through
    /// [`Store::entities`], [`Store::entity_by_slug`] or [`Store::entity_by_host`]).
    pub fn for_entity(&self, id: i64) -> Store {
        Store {
            entity: id,
            ..self.clone()
        }
    }

    /// The first entity (the lowest id): the one a database made before entities were
    /// records holds, and the one a store from [`Store::connect`] works for.
    pub(crate) async fn first_entity(&self) -> Result<i64> {
        on_conn!(self.conn().await?, |conn| {
            let id: Option<i64> = sqlx::query("SELECT MIN(id) AS id FROM entities")
                .fetch_one(&mut *conn)
                .await?
                .try_get("id")?;
            id.ok_or_else(|| StoreError::not_found(crate::Entity::Tenant, "primera"))
        })
    }

    /// A value that moves whenever an entity or a host name is added, or an entity's
    /// settings change: the highest entity id, the number of host names (neither is
    /// ever removed or renamed) and the sum of the entities' revisions.
    pub async fn entities_generation(&self) -> Result<(i64, i64, i64)> {
        on_conn!(self.conn().await?, |conn| {
            let r = sqlx::query(
                "SELECT (SELECT COALESCE(MAX(id), 0) FROM entities) AS last, \
                 (SELECT COUNT(*) FROM entity_hosts) AS hosts, \
                 (SELECT CAST(COALESCE(SUM(revision), 0) AS BIGINT) FROM entities) AS revisions",
            )
            .fetch_one(&mut *conn)
            .await?;
            Ok((
                r.try_get("last")?,
                r.try_get("hosts")?,
                r.try_get("revisions")?,
            ))
        })
    }

    /// Every entity, by name, with its host names: two queries.
    pub async fn entities(&self) -> Result<Vec<EntityRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM entities ORDER BY name, id");
        let (mut entities, hosts) = on_conn!(self.conn().await?, |conn| {
            let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
            let entities = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
            let hosts = sqlx::query("SELECT host, entity_id FROM entity_hosts ORDER BY host")
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| Ok((r.try_get::<i64, _>("entity_id")?, r.try_get("host")?)))
                .collect::<Result<Vec<(i64, String)>>>()?;
            (entities, hosts)
        });
        for (entity, host) in hosts {
            if let Some(e) = entities.iter_mut().find(|e| e.id == entity) {
                e.data.hosts.push(host);
            }
        }
        Ok(entities)
    }

    /// The entity this store works for.
    pub async fn entity_record(&self) -> Result<EntityRecord> {
        self.entity_where("id = $1", Key::Id(self.entity))
            .await?
            .ok_or_else(|| StoreError::not_found(crate::Entity::Tenant, self.entity))
    }

    pub async fn entity_by_slug(&self, slug: &str) -> Result<Option<EntityRecord>> {
        self.entity_where("slug = $1", Key::Text(slug)).await
    }

    /// The entity whose site answers on `host` (lowercase, without port).
    pub async fn entity_by_host(&self, host: &str) -> Result<Option<EntityRecord>> {
        self.entity_where(
            "id = (SELECT entity_id FROM entity_hosts WHERE host = $1)",
            Key::Text(host),
        )
        .await
    }

    async fn entity_where(&self, filter: &str, key: Key<'_>) -> Result<Option<EntityRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM entities WHERE {filter}");
        on_conn!(self.conn().await?, |conn| {
            let q = sqlx::query(&sql);
            let q = match key {
                Key::Id(id) => q.bind(id),
                Key::Text(t) => q.bind(t.to_string()),
            };
            let Some(row) = q.fetch_optional(&mut *conn).await? else {
                return Ok(None);
            };
            let mut e = decode(&row)?;
            e.data.hosts =
                sqlx::query("SELECT host FROM entity_hosts WHERE entity_id = $1 ORDER BY host")
                    .bind(e.id)
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(|r| r.try_get("host"))
                    .collect::<Result<Vec<String>, _>>()?;
            Ok(Some(e))
        })
    }

    /// The entity's logo and its media type, when it has one.
    pub async fn entity_logo(&self) -> Result<Option<(Vec<u8>, String)>> {
        on_conn!(self.conn().await?, |conn| {
            let row = sqlx::query("SELECT logo, logo_type FROM entities WHERE id = $1")
                .bind(self.entity)
                .fetch_one(&mut *conn)
                .await?;
            let logo: Option<Vec<u8>> = row.try_get("logo")?;
            let kind: Option<String> = row.try_get("logo_type")?;
            Ok(logo.zip(kind))
        })
    }

    /// Adds an entity with its host names (audited in the new entity's own log) and
    /// returns its id. The slug and each host name must be free.
    pub async fn add_entity(&self, data: &EntityData, actor: &Actor) -> Result<i64> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let id = insert_entity(&mut tx, data, actor, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds an entity and its first administrator in one transaction: either both
    /// exist afterwards or neither (a user name taken anywhere in the deployment
    /// leaves no entity behind). The account's password was generated for it and must
    /// be changed at its first sign-in. Returns (entity id, user id).
    pub async fn add_entity_with_admin(
        &self,
        data: &EntityData,
        admin: &UserData,
        password_hash: &str,
        actor: &Actor,
    ) -> Result<(i64, i64)> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let id = insert_entity(&mut tx, data, actor, now).await?;
        let user = crate::users::insert_user(
            &mut tx,
            admin,
            password_hash,
            participa_domain::PasswordOrigin::Temporary,
            now,
        )
        .await?;
        let change = Change {
            actor,
            action: AuditAction::UserCreate,
            plan_id: None,
            subject: format!("usuario {}", admin.username),
            before: None,
            after: Some(format!(
                "{} ({}), primer administrador de la entidad",
                admin.full_name,
                admin.role.label()
            )),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok((id, user))
    }

    /// Changes this entity's settings, when `data` is `Some` (everything in it but its
    /// slug and host names, which only the platform sets), and its logo when `logo` is
    /// `Some` (`Some(None)` takes it away); what is `None` stays as it is in the
    /// database. Audited with what changed; moves its revision.
    pub async fn update_entity(
        &self,
        data: Option<&EntityData>,
        logo: Option<Option<(&[u8], &str)>>,
        actor: &Actor,
    ) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let entity = tx.entity;
        let sql = format!("SELECT {COLUMNS} FROM entities WHERE id = $1");
        let before = crate::tx::on_tx!(&mut tx, |conn| {
            let row = sqlx::query(&sql).bind(entity).fetch_one(&mut *conn).await?;
            decode(&row)?.data
        });
        let data = data.unwrap_or(&before);
        let changed = describe_changes(&before, data, logo.is_some());
        let taken = crate::tx::on_tx!(&mut tx, |conn| {
            sqlx::query("SELECT 1 AS x FROM entities WHERE name = $1 AND id <> $2")
                .bind(&data.name)
                .bind(entity)
                .fetch_optional(&mut *conn)
                .await?
                .is_some()
        });
        if taken {
            return Err(StoreError::EntityTaken(data.name.clone()));
        }
        crate::tx::on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE entities SET name = $1, nit = $2, entity_order = $3, sector = $4, \
                 department_code = $5, municipality_code = $6, address = $7, phone = $8, \
                 contact_email = $9, hours = $10, privacy_policy_url = $11, \
                 privacy_contact = $12, mail_from = $13, colour = $14, revision = revision + 1 \
                 WHERE id = $15",
            )
            .bind(&data.name)
            .bind(&data.nit)
            .bind(data.order.as_str())
            .bind(&data.sector)
            .bind(&data.department_code)
            .bind(&data.municipality_code)
            .bind(&data.address)
            .bind(&data.phone)
            .bind(&data.contact_email)
            .bind(&data.hours)
            .bind(&data.privacy_policy_url)
            .bind(&data.privacy_contact)
            .bind(&data.mail_from)
            .bind(&data.colour)
            .bind(entity)
            .execute(&mut *conn)
            .await?;
            if let Some(logo) = logo {
                let (bytes, kind) = logo.map_or((None, None), |(b, k)| (Some(b), Some(k)));
                sqlx::query("UPDATE entities SET logo = $1, logo_type = $2 WHERE id = $3")
                    .bind(bytes)
                    .bind(kind)
                    .bind(entity)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        let change = Change {
            actor,
            action: AuditAction::EntityUpdate,
            plan_id: None,
            subject: format!("entidad {}", before.slug),
            before: Some(changed.0),
            after: Some(changed.1),
        };
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }
}

/// What an update changes, field by field: (before, after), each as «campo: valor»
/// lines; the logo only as «cambiado».
fn describe_changes(before: &EntityData, after: &EntityData, logo: bool) -> (String, String) {
    let fields: [(&str, &str, &str); 13] = [
        ("nombre", &before.name, &after.name),
        ("NIT", &before.nit, &after.nit),
        ("orden", before.order.label(), after.order.label()),
        ("sector", &before.sector, &after.sector),
        (
            "departamento",
            &before.department_code,
            &after.department_code,
        ),
        (
            "municipio",
            &before.municipality_code,
            &after.municipality_code,
        ),
        ("dirección", &before.address, &after.address),
        ("teléfono", &before.phone, &after.phone),
        ("correo", &before.contact_email, &after.contact_email),
        ("horario", &before.hours, &after.hours),
        (
            "contacto de datos personales",
            &before.privacy_contact,
            &after.privacy_contact,
        ),
        ("remitente de correos", &before.mail_from, &after.mail_from),
        ("color", &before.colour, &after.colour),
    ];
    let policy = |d: &EntityData| d.privacy_policy_url.clone().unwrap_or_default();
    let (mut old, mut new) = (Vec::new(), Vec::new());
    for (name, a, b) in fields {
        if a != b {
            old.push(format!("{name}: {a}"));
            new.push(format!("{name}: {b}"));
        }
    }
    if policy(before) != policy(after) {
        old.push(format!("política de datos: {}", policy(before)));
        new.push(format!("política de datos: {}", policy(after)));
    }
    if logo {
        new.push("logo: cambiado".into());
    }
    if new.is_empty() {
        new.push("sin cambios".into());
    }
    (old.join("\n"), new.join("\n"))
}

/// Inserts an entity with its host names, and its audit entry in its own log; the
/// transaction works for the new entity afterwards.
async fn insert_entity(
    tx: &mut crate::tx::Tx,
    data: &EntityData,
    actor: &Actor,
    now: chrono::DateTime<Utc>,
) -> Result<i64> {
    let slug = EntitySlug::parse(&data.slug)?;
    let taken = crate::tx::on_tx!(tx, |conn| {
        sqlx::query("SELECT 1 AS x FROM entities WHERE slug = $1 OR name = $2")
            .bind(slug.as_str())
            .bind(&data.name)
            .fetch_optional(&mut *conn)
            .await?
            .is_some()
    });
    if taken {
        return Err(StoreError::EntityTaken(data.slug.clone()));
    }
    let id = crate::tx::on_tx!(tx, |conn| {
        let id: i64 = sqlx::query(
            "INSERT INTO entities (name, created_at, slug, nit, entity_order, sector, \
             department_code, municipality_code, address, phone, contact_email, hours, \
             privacy_policy_url, privacy_contact, mail_from, colour) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             RETURNING id",
        )
        .bind(&data.name)
        .bind(now)
        .bind(slug.as_str())
        .bind(&data.nit)
        .bind(data.order.as_str())
        .bind(&data.sector)
        .bind(&data.department_code)
        .bind(&data.municipality_code)
        .bind(&data.address)
        .bind(&data.phone)
        .bind(&data.contact_email)
        .bind(&data.hours)
        .bind(&data.privacy_policy_url)
        .bind(&data.privacy_contact)
        .bind(&data.mail_from)
        .bind(&data.colour)
        .fetch_one(&mut *conn)
        .await?
        .try_get("id")?;
        for host in &data.hosts {
            let clash = sqlx::query("SELECT 1 AS x FROM entity_hosts WHERE host = $1")
                .bind(host)
                .fetch_optional(&mut *conn)
                .await?;
            if clash.is_some() {
                return Err(StoreError::HostTaken(host.clone()));
            }
            sqlx::query("INSERT INTO entity_hosts (host, entity_id) VALUES ($1, $2)")
                .bind(host)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        id
    });
    tx.rescope(id).await?;
    let change = Change {
        actor,
        action: AuditAction::EntityCreate,
        plan_id: None,
        subject: format!("entidad {}: {}", slug, data.name),
        before: None,
        after: Some(data.hosts.join(", ")),
    };
    record(tx, &change, now).await?;
    Ok(id)
}

enum Key<'a> {
    Id(i64),
    Text(&'a str),
}

/// What a handler may name by id, and how its row reaches its entity: a tenant root
/// carries `entity_id`, the rest join to their root.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Owned {
    Plan,
    Hearing,
    Consultation,
    Topic,
    Comment,
    User,
}

impl Owned {
    /// `FROM …` naming row `$1` of entity `$2`.
    fn rows(self) -> &'static str {
        match self {
            Owned::Plan => "plans t WHERE t.id = $1 AND t.entity_id = $2",
            Owned::Hearing => "hearings t WHERE t.id = $1 AND t.entity_id = $2",
            Owned::Consultation => "consultations t WHERE t.id = $1 AND t.entity_id = $2",
            Owned::Topic => {
                "forum_topics f JOIN consultations t ON t.id = f.consultation_id \
                 WHERE f.id = $1 AND t.entity_id = $2"
            }
            Owned::Comment => {
                "forum_comments c JOIN forum_topics f ON f.id = c.topic_id \
                 JOIN consultations t ON t.id = f.consultation_id \
                 WHERE c.id = $1 AND t.entity_id = $2"
            }
            Owned::User => "users t WHERE t.id = $1 AND t.entity_id = $2",
        }
    }

    fn not_found(self, id: i64) -> StoreError {
        use crate::Entity as E;
        let entity = match self {
            Owned::Plan => E::Plan,
            Owned::Hearing => E::Hearing,
            Owned::Consultation | Owned::Topic => E::Consultation,
            Owned::Comment => E::Comment,
            Owned::User => E::User,
        };
        StoreError::not_found(entity, id)
    }
}

impl Store {
    /// Ok when row `id` of `what` is this store's entity's; otherwise the not-found
    /// error a missing row gives (another entity's rows do not exist here).
    pub(crate) async fn owns(&self, what: Owned, id: i64) -> Result<()> {
        let sql = format!("SELECT 1 AS x FROM {}", what.rows());
        let found = on_conn!(self.conn().await?, |conn| {
            sqlx::query(&sql)
                .bind(id)
                .bind(self.entity)
                .fetch_optional(&mut *conn)
                .await?
                .is_some()
        });
        if found {
            Ok(())
        } else {
            Err(what.not_found(id))
        }
    }
}

impl crate::tx::Tx {
    /// [`Store::owns`] inside this transaction.
    pub(crate) async fn owns(&mut self, what: Owned, id: i64) -> Result<()> {
        let sql = format!("SELECT 1 AS x FROM {}", what.rows());
        let entity = self.entity;
        let found = crate::tx::on_tx!(self, |conn| {
            sqlx::query(&sql)
                .bind(id)
                .bind(entity)
                .fetch_optional(&mut *conn)
                .await?
                .is_some()
        });
        if found {
            Ok(())
        } else {
            Err(what.not_found(id))
        }
    }
}
