-- A forum page reads a page of conversations and the replies under them: by parent.
CREATE INDEX forum_comments_by_parent ON forum_comments (parent_id);
