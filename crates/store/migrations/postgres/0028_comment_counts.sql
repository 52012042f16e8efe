-- A forum's counts kept with it, as a survey's responses are (0027): how many comments
-- it has, and how many of them are published, moved by each comment and each moderation
-- step in its own transaction. Its pages no longer count its comments on every view.
ALTER TABLE consultations ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE consultations ADD COLUMN published_comment_count BIGINT NOT NULL DEFAULT 0;

-- Under scope «*», as in 0027: row-level security would otherwise hide every row.
SELECT set_config('participa.entities', '*', true);

UPDATE consultations SET
    comment_count = (SELECT COUNT(*) FROM forum_comments c JOIN forum_topics t ON t.id = c.topic_id
                     WHERE t.consultation_id = consultations.id),
    published_comment_count = (SELECT COUNT(*) FROM forum_comments c JOIN forum_topics t ON t.id = c.topic_id
                               WHERE t.consultation_id = consultations.id AND c.status = 'publicado');
