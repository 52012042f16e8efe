//! What citizens wrote, read for analysis: the text and when it came in, never who
//! wrote it (no name, contact or identity column is selected here).

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::entities::Owned;
use crate::{on_conn, Result, Store};

/// A set of open texts of the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextSource {
    /// The answers to a survey's free-text questions (one question, or all of them).
    Survey {
        consultation: i64,
        question: Option<u32>,
    },
    /// A forum's comments and replies, but those moderation hid.
    Forum(i64),
    /// A hearing's questions.
    Hearing(i64),
    /// The suggestions received.
    Suggestions,
}

/// One text and when it came in.
#[derive(Debug, Clone)]
pub struct WrittenText {
    pub text: String,
    pub at: DateTime<Utc>,
}

impl Store {
    /// The newest `limit` texts of a source, newest first (one query along an index).
    pub async fn written_texts(&self, source: TextSource, limit: i64) -> Result<Vec<WrittenText>> {
        let (sql, binds): (&str, Vec<i64>) = match source {
            TextSource::Survey {
                consultation,
                question,
            } => {
                self.owns(Owned::Consultation, consultation).await?;
                (
                    "SELECT a.value AS text, r.created_at AS at FROM consultation_answers a \
                     JOIN consultation_responses r ON r.id = a.response_id \
                     JOIN consultation_questions q ON q.consultation_id = r.consultation_id AND q.number = a.question \
                     WHERE r.consultation_id = $1 AND q.kind = 'texto' AND ($2 < 0 OR a.question = $2) \
                     ORDER BY a.response_id DESC LIMIT $3",
                    vec![consultation, question.map_or(-1, i64::from), limit],
                )
            }
            TextSource::Forum(consultation) => {
                self.owns(Owned::Consultation, consultation).await?;
                (
                    "SELECT c.body AS text, c.created_at AS at FROM forum_comments c \
                     JOIN forum_topics t ON t.id = c.topic_id \
                     WHERE t.consultation_id = $1 AND c.status <> 'oculto' \
                     ORDER BY c.id DESC LIMIT $2",
                    vec![consultation, limit],
                )
            }
            TextSource::Hearing(hearing) => {
                self.owns(Owned::Hearing, hearing).await?;
                (
                    "SELECT text, created_at AS at FROM hearing_questions \
                     WHERE hearing_id = $1 ORDER BY id DESC LIMIT $2",
                    vec![hearing, limit],
                )
            }
            TextSource::Suggestions => (
                "SELECT text, created_at AS at FROM suggestions \
                 WHERE entity_id = $1 ORDER BY id DESC LIMIT $2",
                vec![self.entity, limit],
            ),
        };
        on_conn!(self.conn().await?, |conn| {
            let mut query = sqlx::query(sql);
            for b in &binds {
                query = query.bind(*b);
            }
            let rows = query.fetch_all(&mut *conn).await?;
            rows.iter()
                .map(|r| {
                    Ok(WrittenText {
                        text: r.try_get("text")?,
                        at: r.try_get("at")?,
                    })
                })
                .collect()
        })
    }
}
