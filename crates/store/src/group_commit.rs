//! Group commit for citizens' survey answers: every answer waits in one queue, and a
//! single writer task stores whatever has gathered in one transaction, so that one
//! durable commit (one `fsync`) acknowledges many answers. Under light load a batch is
//! one answer and costs what a direct write costs; under heavy load the batch grows while
//! the previous one commits.

use crate::responses::NewResponse;
use crate::{Result, Store, StoreError};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// The most answers one transaction stores.
pub const MAX_BATCH: usize = 256;

/// Answers that may wait at once; a submission beyond them waits for room.
const QUEUE: usize = 4 * MAX_BATCH;

struct Job {
    entity: i64,
    response: NewResponse,
    reply: oneshot::Sender<Result<i64>>,
}

/// The queue's sending end, started on first use, shared by every clone of a store and
/// every entity's store made from it; and what the writer has done.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    queue: OnceLock<mpsc::Sender<Job>>,
    stats: Arc<BatchStats>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("entity", &self.entity).finish()
    }
}

/// Batches and answers committed by the writer, for the operators' metrics.
#[derive(Debug, Default)]
pub struct BatchStats {
    pub batches: AtomicU64,
    pub answers: AtomicU64,
    /// The largest batch committed so far.
    pub largest: AtomicU64,
}

impl BatchStats {
    fn record(&self, size: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.answers.fetch_add(size as u64, Ordering::Relaxed);
        self.largest.fetch_max(size as u64, Ordering::Relaxed);
    }
}

impl Store {
    /// Stores a checked response through the group-commit writer and answers once it is
    /// durable: its id, or why it was refused (as [`Store::add_responses`]).
    pub async fn submit_response(&self, response: NewResponse) -> Result<i64> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            entity: self.entity,
            response,
            reply,
        };
        self.queue()
            .send(job)
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// How many batches and answers the writer has committed.
    pub fn batch_stats(&self) -> &BatchStats {
        &self.writer.stats
    }

    fn queue(&self) -> &mpsc::Sender<Job> {
        self.writer.queue.get_or_init(|| {
            let (send, receive) = mpsc::channel(QUEUE);
            // The task's own store has a writer of its own, never started: the queue
            // closes, and the task ends, when the last store that can send is dropped.
            let store = Store {
                writer: Arc::new(Writer {
                    queue: OnceLock::new(),
                    stats: self.writer.stats.clone(),
                }),
                ..self.clone()
            };
            tokio::spawn(write(store, receive));
            send
        })
    }
}

/// The writer: takes whatever has gathered (at least one answer, at most
/// [`MAX_BATCH`]), stores it in one transaction per entity, and answers each submitter.
async fn write(store: Store, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let mut by_entity: BTreeMap<i64, (Vec<NewResponse>, Vec<oneshot::Sender<_>>)> =
            BTreeMap::new();
        for job in jobs.drain(..) {
            let (responses, replies) = by_entity.entry(job.entity).or_default();
            responses.push(job.response);
            replies.push(job.reply);
        }
        for (entity, (responses, replies)) in by_entity {
            let results = store.for_entity(entity).add_responses(&responses).await;
            store.writer.stats.record(responses.len());
            for (reply, result) in replies.into_iter().zip(results) {
                // A submitter that went away (its request was cancelled) needs no answer;
                // its response is stored all the same.
                let _ = reply.send(result);
            }
        }
    }
}
