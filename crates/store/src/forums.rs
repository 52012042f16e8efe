//! Forums: topics staff open in a consultation of kind `foro`, citizens' threaded
//! comments with their moderation status, and abuse reports.

use crate::audit::{record, Actor, AuditAction, Change};
use crate::entities::Owned;
use crate::tx::{on_tx, Locked, Tx};
use crate::{on_conn, Entity, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use participa_domain::participation::forum::{
    can_moderate, CommentStatus, ForumError, NewComment, Threaded,
};
use sqlx::Row;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForumTopic {
    pub id: i64,
    pub consultation_id: i64,
    pub title: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForumComment {
    pub id: i64,
    pub topic_id: i64,
    pub parent: Option<i64>,
    pub body: String,
    /// The name published with the comment (given with consent), if any.
    pub author: Option<String>,
    pub status: CommentStatus,
    pub hidden_reason: String,
    pub at: DateTime<Utc>,
    /// Abuse reports not yet resolved by a moderator, and their reasons.
    pub open_reports: Vec<String>,
}

impl Threaded for ForumComment {
    fn id(&self) -> i64 {
        self.id
    }
    fn parent(&self) -> Option<i64> {
        self.parent
    }
}

impl Store {
    pub async fn add_forum_topic(
        &self,
        consultation: i64,
        title: &str,
        body: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::ForumTopic,
            plan_id: None,
            subject: format!("tema «{title}» del foro {consultation}"),
            before: None,
            after: Some(body.to_string()),
        };
        let mut tx = self.begin().await?;
        tx.owns(Owned::Consultation, consultation).await?;
        let out = on_tx!(&mut tx, |conn| {
            let id: i64 = sqlx::query(
                "INSERT INTO forum_topics (consultation_id, title, body, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(consultation)
            .bind(title)
            .bind(body)
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            id
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Where a new comment would go: whether `topic` is one of the forum's topics, and
    /// whether `parent` (when it is a reply) is a published comment of that topic. Two
    /// lookups by key, whatever the forum holds.
    pub async fn comment_target(
        &self,
        consultation: i64,
        topic: i64,
        parent: Option<i64>,
    ) -> Result<(bool, bool)> {
        self.owns(Owned::Consultation, consultation).await?;
        on_conn!(self.conn().await?, |conn| {
            let topic_ok = sqlx::query(
                "SELECT 1 AS one FROM forum_topics WHERE id = $1 AND consultation_id = $2",
            )
            .bind(topic)
            .bind(consultation)
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
            let parent_ok = match parent {
                Some(p) if topic_ok => sqlx::query(
                    "SELECT 1 AS one FROM forum_comments WHERE id = $1 AND topic_id = $2 AND status = $3",
                )
                .bind(p)
                .bind(topic)
                .bind(CommentStatus::Published.code())
                .fetch_optional(&mut *conn)
                .await?
                .is_some(),
                _ => false,
            };
            Ok((topic_ok, parent_ok))
        })
    }

    /// A forum's topics and every comment with its open reports (three queries).
    pub async fn forum(&self, consultation: i64) -> Result<(Vec<ForumTopic>, Vec<ForumComment>)> {
        let (topics, comments, _) = self.read_forum(consultation, None).await?;
        Ok((topics, comments))
    }

    /// What the public forum page shows, whatever the forum holds: its topics and, for
    /// each, the `per_topic` most recent threads (a comment and every reply under it)
    /// that are not waiting for moderation, or for `paged` (topic, page from 1) that
    /// page of its threads; and how many threads of each topic were read, one more than
    /// `per_topic` when older ones exist (that one is left out). Two queries, each
    /// along an index.
    pub async fn forum_page(
        &self,
        consultation: i64,
        per_topic: i64,
        paged: Option<(i64, i64)>,
    ) -> Result<(Vec<ForumTopic>, Vec<ForumComment>, HashMap<i64, i64>)> {
        self.read_forum(consultation, Some((per_topic, paged)))
            .await
    }

    /// The page of its topic's threads (`per_topic` a page, most recent first) that
    /// shows `comment`: where a reply that was refused is shown again with what was
    /// typed.
    pub async fn comment_page(&self, topic: i64, comment: i64, per_topic: i64) -> Result<i64> {
        self.owns(Owned::Topic, topic).await?;
        let pending = CommentStatus::Pending.code();
        let rank: Option<i64> = on_conn!(self.conn().await?, |conn| {
            sqlx::query_scalar(
                "WITH RECURSIVE up AS ( \
                   SELECT id, parent_id FROM forum_comments WHERE id = $1 AND topic_id = $2 \
                   UNION ALL \
                   SELECT c.id, c.parent_id FROM forum_comments c JOIN up ON c.id = up.parent_id \
                 ) \
                 SELECT COUNT(*) FROM forum_comments r \
                 WHERE r.topic_id = $2 AND r.parent_id IS NULL AND r.status <> $3 \
                   AND r.id >= (SELECT id FROM up WHERE parent_id IS NULL)",
            )
            .bind(comment)
            .bind(topic)
            .bind(pending)
            .fetch_optional(&mut *conn)
            .await?
        });
        let rank = rank.unwrap_or(1).max(1);
        Ok((rank - 1) / per_topic.max(1) + 1)
    }

    async fn read_forum(
        &self,
        consultation: i64,
        threads: Option<(i64, Option<(i64, i64)>)>,
    ) -> Result<(Vec<ForumTopic>, Vec<ForumComment>, HashMap<i64, i64>)> {
        self.owns(Owned::Consultation, consultation).await?;
        let pending = CommentStatus::Pending.code();
        let (per_topic, (paged_topic, page)) = match threads {
            Some((n, paged)) => (n, paged.unwrap_or((0, 1))),
            None => (0, (0, 1)),
        };
        let skip = (page.max(1) - 1) * per_topic;
        on_conn!(self.conn().await?, |conn| {
            let topics = sqlx::query(
                "SELECT id, consultation_id, title, body, created_at FROM forum_topics \
                 WHERE consultation_id = $1 ORDER BY id",
            )
            .bind(consultation)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                Ok(ForumTopic {
                    id: r.try_get("id")?,
                    consultation_id: r.try_get("consultation_id")?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                    at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
            let rows = if threads.is_none() {
                sqlx::query(
                    "SELECT c.id, c.topic_id, c.parent_id, c.body, c.author, c.status, c.hidden_reason, c.created_at \
                     FROM forum_comments c JOIN forum_topics t ON t.id = c.topic_id \
                     WHERE t.consultation_id = $1 ORDER BY c.id",
                )
                .bind(consultation)
                .fetch_all(&mut *conn)
                .await?
            } else {
                // Each topic's page of conversations by recency (one more than a
                // page, to know whether older ones exist), read backwards along the
                // topic's index; then every reply under them, by parent.
                let pages: Vec<String> = topics
                    .iter()
                    .map(|t: &ForumTopic| {
                        let (limit, offset) = if t.id == paged_topic {
                            (per_topic + 1, skip)
                        } else {
                            (per_topic + 1, 0)
                        };
                        format!(
                            "SELECT * FROM (SELECT id FROM forum_comments WHERE topic_id = {} \
                             AND parent_id IS NULL AND status <> $1 ORDER BY id DESC LIMIT {limit} OFFSET {offset}) p{}",
                            t.id, t.id
                        )
                    })
                    .collect();
                if pages.is_empty() {
                    Vec::new()
                } else {
                    let sql = format!(
                        "WITH RECURSIVE chosen AS ({}), tree AS ( \
                           SELECT id FROM chosen \
                           UNION ALL \
                           SELECT c.id FROM forum_comments c JOIN tree ON c.parent_id = tree.id WHERE c.status <> $1 \
                         ) \
                         SELECT c.id, c.topic_id, c.parent_id, c.body, c.author, c.status, c.hidden_reason, c.created_at \
                         FROM forum_comments c WHERE c.id IN (SELECT id FROM tree) ORDER BY c.id",
                        pages.join(" UNION ALL ")
                    );
                    sqlx::query(&sql)
                        .bind(pending)
                        .fetch_all(&mut *conn)
                        .await?
                }
            };
            let mut comments = rows
                .iter()
                .map(|r| {
                    let status: String = r.try_get("status")?;
                    Ok(ForumComment {
                        id: r.try_get("id")?,
                        topic_id: r.try_get("topic_id")?,
                        parent: r.try_get("parent_id")?,
                        body: r.try_get("body")?,
                        author: r.try_get("author")?,
                        status: CommentStatus::from_code(&status).unwrap_or(CommentStatus::Pending),
                        hidden_reason: r.try_get("hidden_reason")?,
                        at: r.try_get("created_at")?,
                        open_reports: vec![],
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let mut counts = HashMap::new();
            if threads.is_some() {
                // Conversations of each topic read: one more than a page says there
                // are older ones, and that one is not shown.
                let mut roots: HashMap<i64, Vec<i64>> = HashMap::new();
                for c in comments.iter().filter(|c| c.parent.is_none()) {
                    roots.entry(c.topic_id).or_default().push(c.id);
                }
                let mut dropped = Vec::new();
                for (topic, mut ids) in roots {
                    ids.sort_unstable();
                    if ids.len() as i64 > per_topic {
                        // The oldest one read is the extra.
                        dropped.push(ids[0]);
                    }
                    counts.insert(topic, ids.len() as i64);
                }
                if !dropped.is_empty() {
                    let mut gone: std::collections::HashSet<i64> = dropped.into_iter().collect();
                    // Its replies go with it.
                    for c in &comments {
                        if c.parent.is_some_and(|p| gone.contains(&p)) {
                            gone.insert(c.id);
                        }
                    }
                    comments.retain(|c| !gone.contains(&c.id));
                }
            } else {
                let reports = sqlx::query(
                    "SELECT a.comment_id, a.reason FROM forum_abuse_reports a \
                     JOIN forum_comments c ON c.id = a.comment_id JOIN forum_topics t ON t.id = c.topic_id \
                     WHERE t.consultation_id = $1 AND a.resolved_at IS NULL ORDER BY a.id",
                )
                .bind(consultation)
                .fetch_all(&mut *conn)
                .await?;
                for r in &reports {
                    let id: i64 = r.try_get("comment_id")?;
                    if let Ok(i) = comments.binary_search_by_key(&id, |c| c.id) {
                        comments[i].open_reports.push(r.try_get("reason")?);
                    }
                }
            }
            Ok((topics, comments, counts))
        })
    }

    /// A citizen's checked comment, with the status the forum's moderation gives it. No
    /// audit entry: the comment is its own record.
    pub async fn add_forum_comment(
        &self,
        topic: i64,
        comment: &NewComment,
        status: CommentStatus,
    ) -> Result<i64> {
        self.owns(Owned::Topic, topic).await?;
        let _turn = self.sqlite_write_turn().await;
        let now = Utc::now();
        let published = i64::from(status == CommentStatus::Published);
        let mut tx = self.begin().await?;
        let id = on_tx!(&mut tx, |conn| {
            let id: i64 = sqlx::query(
                "INSERT INTO forum_comments (topic_id, parent_id, body, author, consent_at, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(topic)
            .bind(comment.parent)
            .bind(&comment.body)
            .bind(&comment.author)
            .bind(comment.author.as_ref().map(|_| now))
            .bind(status.code())
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            // The forum's counts, in the comment's own transaction.
            sqlx::query(
                "UPDATE consultations SET comment_count = comment_count + 1, \
                 published_comment_count = published_comment_count + $1 \
                 WHERE id = (SELECT consultation_id FROM forum_topics WHERE id = $2)",
            )
            .bind(published)
            .bind(topic)
            .execute(&mut *conn)
            .await?;
            id
        });
        tx.commit().await?;
        Ok(id)
    }

    /// Anyone may report a comment; the report waits in the moderation queue.
    pub async fn report_forum_comment(&self, comment: i64, reason: &str) -> Result<()> {
        self.owns(Owned::Comment, comment).await?;
        let now = Utc::now();
        on_conn!(self.conn().await?, |conn| {
            sqlx::query(
                "INSERT INTO forum_abuse_reports (comment_id, reason, created_at) VALUES ($1, $2, $3)",
            )
            .bind(comment)
            .bind(reason)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// The forum (consultation id) and status of a comment.
    pub async fn forum_comment_place(&self, comment: i64) -> Result<(i64, CommentStatus)> {
        let mut tx = self.begin_read().await?;
        let place = read_comment_place(&mut tx, comment).await?;
        tx.commit().await?;
        Ok(place)
    }

    /// Publishes, hides (with its reason) or restores a comment, and resolves its open
    /// reports; `to == from == Published` only resolves the reports (the comment stays).
    pub async fn moderate_forum_comment(
        &self,
        comment: i64,
        to: CommentStatus,
        reason: &str,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.lock(Locked::Comment, comment).await?;
        let (forum, from) = read_comment_place(&mut tx, comment).await?;
        let keep = from == CommentStatus::Published && to == CommentStatus::Published;
        if !keep {
            can_moderate(from, to)?;
        }
        if to == CommentStatus::Hidden && reason.trim().is_empty() {
            return Err(ForumError::ReasonRequired.into());
        }
        let now = Utc::now();
        let change = Change {
            actor,
            action: AuditAction::ForumModerate,
            plan_id: None,
            subject: format!("comentario {comment} del foro"),
            before: Some(from.label().to_string()),
            after: Some(if keep {
                "Reportes descartados".to_string()
            } else if to == CommentStatus::Hidden {
                format!("{}: {}", to.label(), reason.trim())
            } else {
                to.label().to_string()
            }),
        };
        on_tx!(&mut tx, |conn| {
            sqlx::query(
                "UPDATE forum_comments SET status = $1, hidden_reason = $2, moderated_by = $3, moderated_at = $4 \
                 WHERE id = $5",
            )
            .bind(to.code())
            .bind(if to == CommentStatus::Hidden { reason.trim() } else { "" })
            .bind(actor.user_id)
            .bind(now)
            .bind(comment)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE forum_abuse_reports SET resolved_by = $1, resolved_at = $2 \
                 WHERE comment_id = $3 AND resolved_at IS NULL",
            )
            .bind(actor.user_id)
            .bind(now)
            .bind(comment)
            .execute(&mut *conn)
            .await?;
            let moved = i64::from(to == CommentStatus::Published)
                - i64::from(from == CommentStatus::Published);
            if moved != 0 {
                sqlx::query(
                    "UPDATE consultations SET published_comment_count = published_comment_count + $1 \
                     WHERE id = $2",
                )
                .bind(moved)
                .bind(forum)
                .execute(&mut *conn)
                .await?;
            }
        });
        record(&mut tx, &change, now).await?;
        tx.commit().await
    }
}

/// The forum (consultation id) and status of a comment, read in transaction `tx`.
async fn read_comment_place(tx: &mut Tx, comment: i64) -> Result<(i64, CommentStatus)> {
    let entity = tx.entity;
    on_tx!(tx, |conn| {
        let row = sqlx::query(
            "SELECT t.consultation_id, c.status FROM forum_comments c \
             JOIN forum_topics t ON t.id = c.topic_id \
             JOIN consultations k ON k.id = t.consultation_id \
             WHERE c.id = $1 AND k.entity_id = $2",
        )
        .bind(comment)
        .bind(entity)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found(Entity::Comment, comment))?;
        let status: String = row.try_get("status")?;
        Ok((
            row.try_get("consultation_id")?,
            CommentStatus::from_code(&status).unwrap_or(CommentStatus::Pending),
        ))
    })
}
