-- Evidence is private by default. The office responsible for the activity (or the
-- planning office) may publish a file on the public plan page once it has confirmed
-- that it holds no personal data; the flag says when and who, and is audited.
ALTER TABLE evidence ADD COLUMN published_at TIMESTAMP;
ALTER TABLE evidence ADD COLUMN published_by INTEGER REFERENCES users (id);
