-- A hearing's counts kept with it (as 0027 and 0028 do for consultations): its
-- registrations, questions and answered questions, moved in the transaction of each.
ALTER TABLE hearings ADD COLUMN registration_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hearings ADD COLUMN question_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hearings ADD COLUMN answered_count INTEGER NOT NULL DEFAULT 0;

UPDATE hearings SET
    registration_count = (SELECT COUNT(*) FROM hearing_registrations r WHERE r.hearing_id = hearings.id),
    question_count = (SELECT COUNT(*) FROM hearing_questions q WHERE q.hearing_id = hearings.id),
    answered_count = (SELECT COUNT(*) FROM hearing_questions q
                      WHERE q.hearing_id = hearings.id AND q.answered_at IS NOT NULL);
