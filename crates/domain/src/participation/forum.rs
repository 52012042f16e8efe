//! Forums (seed activity 2: the online forum before the accountability hearing): staff
//! open topics; citizens comment and reply without an account. Comments are moderated
//! before publication (`previa`: nothing shows until staff publish it) or after it
//! (`posterior`: shown at once, hidden later if needed). Hiding always states a reason,
//! and anyone can report a comment for abuse, which puts it in the moderation queue.

use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Comments wait in the queue until staff publish them.
    Before,
    /// Comments show at once; staff hide them afterwards when needed.
    After,
}

impl Moderation {
    pub const CODES: [&'static str; 2] = ["previa", "posterior"];

    pub fn code(self) -> &'static str {
        match self {
            Moderation::Before => "previa",
            Moderation::After => "posterior",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "previa" => Some(Moderation::Before),
            "posterior" => Some(Moderation::After),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Moderation::Before => "Antes de publicar",
            Moderation::After => "Después de publicar",
        }
    }

    /// The status a new comment gets.
    pub fn initial_status(self) -> CommentStatus {
        match self {
            Moderation::Before => CommentStatus::Pending,
            Moderation::After => CommentStatus::Published,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentStatus {
    Pending,
    Published,
    Hidden,
}

impl CommentStatus {
    pub fn code(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pendiente",
            CommentStatus::Published => "publicado",
            CommentStatus::Hidden => "oculto",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "pendiente" => Some(CommentStatus::Pending),
            "publicado" => Some(CommentStatus::Published),
            "oculto" => Some(CommentStatus::Hidden),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CommentStatus::Pending => "En revisión",
            CommentStatus::Published => "Publicado",
            CommentStatus::Hidden => "Oculto",
        }
    }
}

pub const MIN_COMMENT: usize = 3;
pub const MAX_COMMENT: usize = 4000;
pub const MAX_AUTHOR: usize = 80;
pub const MAX_REASON: usize = 500;
pub const MAX_TITLE: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForumError {
    CommentTooShort,
    CommentTooLong,
    AuthorTooLong,
    /// A name is published with the comment only with consent (Ley 1581 de 2012).
    AuthorNeedsConsent,
    /// Replies go to a published comment of the same topic.
    NoSuchParent,
    ReasonRequired,
    ReasonTooLong,
    TitleRequired,
    TitleTooLong,
    /// A moderation step that does not apply to the comment's status.
    Transition(CommentStatus, CommentStatus),
}

impl ForumError {
    pub fn field(&self) -> &'static str {
        match self {
            ForumError::CommentTooShort | ForumError::CommentTooLong => "comentario",
            ForumError::AuthorTooLong => "nombre",
            ForumError::AuthorNeedsConsent => "autorizacion",
            ForumError::NoSuchParent => "padre",
            ForumError::ReasonRequired | ForumError::ReasonTooLong => "motivo",
            ForumError::TitleRequired | ForumError::TitleTooLong => "titulo",
            ForumError::Transition(..) => "estado",
        }
    }
}

impl fmt::Display for ForumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForumError::CommentTooShort => {
                write!(f, "escriba su comentario (al menos {MIN_COMMENT} caracteres)")
            }
            ForumError::CommentTooLong => {
                write!(f, "el comentario pasa de {MAX_COMMENT} caracteres")
            }
            ForumError::AuthorTooLong => write!(f, "el nombre pasa de {MAX_AUTHOR} caracteres"),
            ForumError::AuthorNeedsConsent => write!(
                f,
                "para publicar su nombre con el comentario marque la autorización, o deje el nombre vacío"
            ),
            ForumError::NoSuchParent => {
                write!(f, "el comentario al que responde no está publicado en este tema")
            }
            ForumError::ReasonRequired => write!(f, "escriba el motivo"),
            ForumError::ReasonTooLong => write!(f, "el motivo pasa de {MAX_REASON} caracteres"),
            ForumError::TitleRequired => write!(f, "escriba el título del tema"),
            ForumError::TitleTooLong => write!(f, "el título pasa de {MAX_TITLE} caracteres"),
            ForumError::Transition(from, to) => write!(
                f,
                "un comentario «{}» no puede pasar a «{}»",
                from.label(),
                to.label()
            ),
        }
    }
}

impl std::error::Error for ForumError {}

/// A citizen's comment, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub body: String,
    /// The name to publish, only with consent.
    pub author: Option<String>,
    pub parent: Option<i64>,
}

/// Checks a comment. `published_in_topic` are the ids a reply may answer.
pub fn check_comment(
    body: &str,
    author: &str,
    consented: bool,
    parent: Option<i64>,
    published_in_topic: &[i64],
) -> Result<NewComment, Vec<ForumError>> {
    let body = body.trim();
    let author = author.trim();
    let mut errors = Vec::new();
    let n = body.chars().count();
    if n < MIN_COMMENT {
        errors.push(ForumError::CommentTooShort);
    } else if n > MAX_COMMENT {
        errors.push(ForumError::CommentTooLong);
    }
    if author.chars().count() > MAX_AUTHOR {
        errors.push(ForumError::AuthorTooLong);
    }
    if !author.is_empty() && !consented {
        errors.push(ForumError::AuthorNeedsConsent);
    }
    if let Some(p) = parent {
        if !published_in_topic.contains(&p) {
            errors.push(ForumError::NoSuchParent);
        }
    }
    if errors.is_empty() {
        Ok(NewComment {
            body: body.to_string(),
            author: (!author.is_empty()).then(|| author.to_string()),
            parent,
        })
    } else {
        Err(errors)
    }
}

/// A reason to hide a comment or to report it: required and bounded.
pub fn check_reason(reason: &str) -> Result<String, ForumError> {
    let reason = reason.trim();
    if reason.is_empty() {
        Err(ForumError::ReasonRequired)
    } else if reason.chars().count() > MAX_REASON {
        Err(ForumError::ReasonTooLong)
    } else {
        Ok(reason.to_string())
    }
}

pub fn check_title(title: &str) -> Result<String, ForumError> {
    let title = title.trim();
    if title.is_empty() {
        Err(ForumError::TitleRequired)
    } else if title.chars().count() > MAX_TITLE {
        Err(ForumError::TitleTooLong)
    } else {
        Ok(title.to_string())
    }
}

/// Moderation steps: publish what waits; hide what waits or shows; restore what was
/// hidden. Hiding needs a reason (checked with [`check_reason`]).
pub fn can_moderate(from: CommentStatus, to: CommentStatus) -> Result<(), ForumError> {
    use CommentStatus::*;
    match (from, to) {
        (Pending, Published) | (Pending, Hidden) | (Published, Hidden) | (Hidden, Published) => {
            Ok(())
        }
        _ => Err(ForumError::Transition(from, to)),
    }
}

/// The least a thread needs to know of a comment to be laid out.
pub trait Threaded {
    fn id(&self) -> i64;
    fn parent(&self) -> Option<i64>;
}

/// Deepest indentation shown; deeper replies line up at this depth.
pub const MAX_DEPTH: usize = 4;

/// Lays out comments as a thread: each comment followed by its replies, depth first, in
/// the order given (oldest first). Replies whose parent is absent (not visible) are left
/// out with their own replies, so a hidden branch never shows through its answers.
pub fn thread<T: Threaded>(comments: &[T]) -> Vec<(usize, &T)> {
    let mut children: BTreeMap<Option<i64>, Vec<&T>> = BTreeMap::new();
    for c in comments {
        children.entry(c.parent()).or_default().push(c);
    }
    let mut out = Vec::with_capacity(comments.len());
    let mut stack: Vec<(usize, &T)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|c| (0, *c)).collect())
        .unwrap_or_default();
    while let Some((depth, c)) = stack.pop() {
        out.push((depth.min(MAX_DEPTH), c));
        if let Some(replies) = children.get(&Some(c.id())) {
            stack.extend(replies.iter().rev().map(|r| (depth + 1, *r)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct C(i64, Option<i64>);
    impl Threaded for C {
        fn id(&self) -> i64 {
            self.0
        }
        fn parent(&self) -> Option<i64> {
            self.1
        }
    }

    #[test]
    fn moderation_before_holds_comments_and_after_shows_them() {
        assert_eq!(Moderation::Before.initial_status(), CommentStatus::Pending);
        assert_eq!(Moderation::After.initial_status(), CommentStatus::Published);
        for code in Moderation::CODES {
            assert_eq!(Moderation::from_code(code).unwrap().code(), code);
        }
        assert_eq!(Moderation::from_code("nunca"), None);
    }

    #[test]
    fn a_comment_needs_text_and_a_published_name_needs_consent() {
        let ok = check_comment("  Buena idea  ", "", false, None, &[]).unwrap();
        assert_eq!(ok.body, "Buena idea");
        assert_eq!(ok.author, None);
        let errs = check_comment("a", "Ana", false, Some(9), &[1, 2]).unwrap_err();
        assert_eq!(
            errs,
            vec![
                ForumError::CommentTooShort,
                ForumError::AuthorNeedsConsent,
                ForumError::NoSuchParent
            ]
        );
        let named = check_comment("Estoy de acuerdo", "Ana", true, Some(2), &[1, 2]).unwrap();
        assert_eq!(named.author.as_deref(), Some("Ana"));
        assert_eq!(named.parent, Some(2));
        let long = "x".repeat(MAX_COMMENT + 1);
        assert_eq!(
            check_comment(&long, "", false, None, &[]).unwrap_err(),
            vec![ForumError::CommentTooLong]
        );
    }

    #[test]
    fn hiding_needs_a_reason_and_follows_the_allowed_steps() {
        assert_eq!(check_reason("  "), Err(ForumError::ReasonRequired));
        assert_eq!(check_reason(" Insulta ").unwrap(), "Insulta");
        use CommentStatus::*;
        assert!(can_moderate(Pending, Published).is_ok());
        assert!(can_moderate(Published, Hidden).is_ok());
        assert!(can_moderate(Hidden, Published).is_ok());
        assert_eq!(
            can_moderate(Published, Published),
            Err(ForumError::Transition(Published, Published))
        );
        assert!(can_moderate(Hidden, Pending).is_err());
    }

    #[test]
    fn threads_put_replies_under_their_parent_depth_first() {
        let cs = vec![
            C(1, None),
            C(2, None),
            C(3, Some(1)),
            C(4, Some(3)),
            C(5, Some(1)),
            C(6, Some(99)),
            C(7, Some(6)),
        ];
        let laid: Vec<(usize, i64)> = thread(&cs).into_iter().map(|(d, c)| (d, c.0)).collect();
        assert_eq!(laid, vec![(0, 1), (1, 3), (2, 4), (1, 5), (0, 2)]);
    }

    #[test]
    fn deep_threads_stop_indenting() {
        let cs: Vec<C> = (1..=8)
            .map(|i| C(i, if i == 1 { None } else { Some(i - 1) }))
            .collect();
        let depths: Vec<usize> = thread(&cs).into_iter().map(|(d, _)| d).collect();
        assert_eq!(depths, vec![0, 1, 2, 3, 4, 4, 4, 4]);
    }
}
