-- Results that do not grow with the answers: each response adds to its consultation's
-- count, to the count of responses that answered each question, and to the count of
-- each value given to a closed question (choices, scale, number), in the same
-- transaction. The results pages read these, never the answers themselves.
ALTER TABLE consultations ADD COLUMN response_count BIGINT NOT NULL DEFAULT 0;

-- The counts below are brought up to date for every entity's consultations: row-level
-- security (0025) shows this migration all of them only under the scope «*», set for
-- its own transaction.
SELECT set_config('participa.entities', '*', true);

CREATE TABLE consultation_answered (
    consultation_id BIGINT NOT NULL REFERENCES consultations (id),
    question        BIGINT NOT NULL,
    n               BIGINT NOT NULL,
    PRIMARY KEY (consultation_id, question)
);

CREATE TABLE consultation_tallies (
    consultation_id BIGINT NOT NULL REFERENCES consultations (id),
    question        BIGINT NOT NULL,
    value           TEXT NOT NULL,
    n               BIGINT NOT NULL,
    PRIMARY KEY (consultation_id, question, value)
);

UPDATE consultations SET response_count =
    (SELECT COUNT(*) FROM consultation_responses r WHERE r.consultation_id = consultations.id);

INSERT INTO consultation_answered (consultation_id, question, n)
SELECT r.consultation_id, a.question, COUNT(DISTINCT a.response_id)
FROM consultation_answers a JOIN consultation_responses r ON r.id = a.response_id
GROUP BY r.consultation_id, a.question;

INSERT INTO consultation_tallies (consultation_id, question, value, n)
SELECT r.consultation_id, a.question, a.value, COUNT(*)
FROM consultation_answers a
JOIN consultation_responses r ON r.id = a.response_id
JOIN consultation_questions q ON q.consultation_id = r.consultation_id AND q.number = a.question
WHERE q.kind <> 'texto'
GROUP BY r.consultation_id, a.question, a.value;
