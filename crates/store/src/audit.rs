//! The audit log: who changed what, when, from where, with the before and after.
//! Append-only: the schema's triggers refuse UPDATE and DELETE on both backends.

use crate::tx::{on_tx, Tx};
use crate::{on_conn, Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use participa_domain::Transition;
use sqlx::{QueryBuilder, Row};

/// Who acts, and from which address; the part of every audit entry a request knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub address: Option<String>,
}

impl Actor {
    /// The platform itself (first start, command line).
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            username: "sistema".into(),
            address: None,
        }
    }

    /// A citizen using the public pages: no account, and no address kept (a
    /// citizen's submission keeps only what they chose to give).
    pub fn citizen() -> Actor {
        Actor {
            user_id: None,
            username: "ciudadano".into(),
            address: None,
        }
    }
}

/// What an audit entry records. Each action is stored as its [`code`](Self::code) (the
/// short text the log has always held, so existing databases read back unchanged) and
/// shown to people as its [`label`](Self::label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    ActivityCreate,
    ActivityUpdate,
    ActivityDelete,
    /// An activity rescheduled or cancelled, or back to its computed status.
    ActivityStatus,
    Login,
    LoginFailed,
    /// The sign-in attempts counted against a user name were cleared by an operator.
    LoginUnlock,
    HolidayAdd,
    HolidayRemove,
    /// The secret of the consultations' identity digests: old digests re-keyed with it,
    /// or a lost one replaced.
    IdentitySecret,
    ChannelImport,
    ConsultationCreate,
    ConsultationQuestion,
    ConsultationResults,
    /// An entity added to the deployment.
    EntityCreate,
    /// An entity's settings changed (name, footer data, colour, logo).
    EntityUpdate,
    /// A user given (or refused) a platform role.
    PlatformGrant,
    /// A deliverable report published for the public, or withdrawn.
    ReportPublish,
    CoverageAccept,
    EventCreate,
    FollowupSettings,
    FollowupWeights,
    ForumModerate,
    ForumTopic,
    /// A corrected FURAG questionnaire loaded for a year.
    FuragQuestionnaire,
    HearingAnswer,
    HearingCreate,
    HearingEraseRegistration,
    HearingEvaluation,
    HearingQuestion,
    HearingRegister,
    IndicatorCreate,
    ParameterSet,
    PeriodClose,
    PlanCreate,
    /// The entity's file imported again over a plan.
    PlanReimport,
    PlanTags,
    PlanUpdateHeader,
    /// A step of the plan's lifecycle.
    PlanTransition(Transition),
    ProgressCorrection,
    ProgressReview,
    ProgressSubmit,
    SuggestionCreate,
    SuggestionErasePersonalData,
    SuggestionUpdate,
    UserCreate,
    UserPasswordChange,
    UserPasswordReset,
    UserUpdate,
    ValueGroupSet,
    ConsultationOpen,
    ConsultationAnnounce,
    ConsultationEdit,
    ConsultationQuestionEdit,
    ConsultationQuestionDelete,
    ConsultationQuestionMove,
    HearingEdit,
    /// A user ended their other sessions from the account page.
    SessionsEndOthers,
    /// A password-recovery link was sent to a user's e-mail.
    PasswordRecoveryRequest,
    /// A user set a new password with a recovery link.
    PasswordRecover,
    /// An evidence file shown on, or withdrawn from, the public plan page.
    EvidencePublish,
}

impl AuditAction {
    /// Every action, for parsing stored codes back.
    pub const ALL: [AuditAction; 65] = [
        AuditAction::ActivityCreate,
        AuditAction::ActivityUpdate,
        AuditAction::ActivityDelete,
        AuditAction::ActivityStatus,
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::LoginUnlock,
        AuditAction::HolidayAdd,
        AuditAction::HolidayRemove,
        AuditAction::IdentitySecret,
        AuditAction::ChannelImport,
        AuditAction::ConsultationCreate,
        AuditAction::ConsultationQuestion,
        AuditAction::ConsultationResults,
        AuditAction::ReportPublish,
        AuditAction::CoverageAccept,
        AuditAction::EventCreate,
        AuditAction::FollowupSettings,
        AuditAction::FollowupWeights,
        AuditAction::ForumModerate,
        AuditAction::ForumTopic,
        AuditAction::FuragQuestionnaire,
        AuditAction::HearingAnswer,
        AuditAction::HearingCreate,
        AuditAction::HearingEraseRegistration,
        AuditAction::HearingEvaluation,
        AuditAction::HearingQuestion,
        AuditAction::HearingRegister,
        AuditAction::IndicatorCreate,
        AuditAction::ParameterSet,
        AuditAction::PeriodClose,
        AuditAction::PlanCreate,
        AuditAction::PlanReimport,
        AuditAction::PlanTags,
        AuditAction::PlanUpdateHeader,
        AuditAction::PlanTransition(Transition::Consolidate),
        AuditAction::PlanTransition(Transition::Review),
        AuditAction::PlanTransition(Transition::Approve),
        AuditAction::PlanTransition(Transition::Publish),
        AuditAction::PlanTransition(Transition::ReturnToDraft),
        AuditAction::ProgressCorrection,
        AuditAction::ProgressReview,
        AuditAction::ProgressSubmit,
        AuditAction::SuggestionCreate,
        AuditAction::SuggestionErasePersonalData,
        AuditAction::SuggestionUpdate,
        AuditAction::UserCreate,
        AuditAction::EntityCreate,
        AuditAction::EntityUpdate,
        AuditAction::PlatformGrant,
        AuditAction::UserPasswordChange,
        AuditAction::UserPasswordReset,
        AuditAction::UserUpdate,
        AuditAction::ValueGroupSet,
        AuditAction::ConsultationOpen,
        AuditAction::ConsultationAnnounce,
        AuditAction::ConsultationEdit,
        AuditAction::ConsultationQuestionEdit,
        AuditAction::ConsultationQuestionDelete,
        AuditAction::ConsultationQuestionMove,
        AuditAction::HearingEdit,
        AuditAction::SessionsEndOthers,
        AuditAction::PasswordRecoveryRequest,
        AuditAction::PasswordRecover,
        AuditAction::EvidencePublish,
    ];

    /// The code stored in `audit_log.action`. Never change one: stored entries keep it.
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::ActivityCreate => "activity.create",
            AuditAction::ActivityUpdate => "activity.update",
            AuditAction::ActivityDelete => "activity.delete",
            AuditAction::ActivityStatus => "activity.status",
            AuditAction::Login => "auth.login",
            AuditAction::LoginFailed => "auth.login_failed",
            AuditAction::LoginUnlock => "auth.unlock",
            AuditAction::HolidayAdd => "calendar.add_holiday",
            AuditAction::HolidayRemove => "calendar.remove_holiday",
            AuditAction::ChannelImport => "channel.import",
            AuditAction::ConsultationCreate => "consultation.create",
            AuditAction::ConsultationQuestion => "consultation.question",
            AuditAction::ConsultationResults => "consultation.results",
            AuditAction::ReportPublish => "report.publish",
            AuditAction::CoverageAccept => "coverage.accept",
            AuditAction::EventCreate => "event.create",
            AuditAction::FollowupSettings => "followup.settings",
            AuditAction::FollowupWeights => "followup.weights",
            AuditAction::ForumModerate => "forum.moderate",
            AuditAction::ForumTopic => "forum.topic",
            AuditAction::FuragQuestionnaire => "furag.questionnaire",
            AuditAction::HearingAnswer => "hearing.answer",
            AuditAction::HearingCreate => "hearing.create",
            AuditAction::HearingEraseRegistration => "hearing.erase_registration",
            AuditAction::HearingEvaluation => "hearing.evaluation",
            AuditAction::HearingQuestion => "hearing.question",
            AuditAction::HearingRegister => "hearing.register",
            AuditAction::IndicatorCreate => "indicator.create",
            AuditAction::ParameterSet => "parameter.set",
            AuditAction::PeriodClose => "period.close",
            AuditAction::PlanCreate => "plan.create",
            AuditAction::PlanReimport => "plan.reimport",
            AuditAction::PlanTags => "plan.tags",
            AuditAction::PlanUpdateHeader => "plan.update_header",
            // `plan.` and the transition's code, as stored since the lifecycle existed.
            AuditAction::PlanTransition(t) => match t {
                Transition::Consolidate => "plan.consolidar",
                Transition::Review => "plan.revisar",
                Transition::Approve => "plan.aprobar",
                Transition::Publish => "plan.publicar",
                Transition::ReturnToDraft => "plan.devolver",
            },
            AuditAction::ProgressCorrection => "progress.correction",
            AuditAction::ProgressReview => "progress.review",
            AuditAction::ProgressSubmit => "progress.submit",
            AuditAction::SuggestionCreate => "suggestion.create",
            AuditAction::SuggestionErasePersonalData => "suggestion.erase_personal_data",
            AuditAction::SuggestionUpdate => "suggestion.update",
            AuditAction::UserCreate => "user.create",
            AuditAction::EntityCreate => "entity.create",
            AuditAction::EntityUpdate => "entity.update",
            AuditAction::PlatformGrant => "platform.grant",
            AuditAction::UserPasswordChange => "user.password_change",
            AuditAction::UserPasswordReset => "user.password_reset",
            AuditAction::UserUpdate => "user.update",
            AuditAction::ValueGroupSet => "value_group.set",
            AuditAction::IdentitySecret => "identity.secret",
            AuditAction::ConsultationOpen => "consultation.open",
            AuditAction::ConsultationAnnounce => "consultation.announce",
            AuditAction::ConsultationEdit => "consultation.edit",
            AuditAction::ConsultationQuestionEdit => "consultation.question_edit",
            AuditAction::ConsultationQuestionDelete => "consultation.question_delete",
            AuditAction::ConsultationQuestionMove => "consultation.question_move",
            AuditAction::HearingEdit => "hearing.edit",
            AuditAction::SessionsEndOthers => "user.end_other_sessions",
            AuditAction::PasswordRecoveryRequest => "user.password_recovery_request",
            AuditAction::PasswordRecover => "user.password_recover",
            AuditAction::EvidencePublish => "evidence.publish",
        }
    }

    /// Whether the entry changes what the entity publishes, so that it moves the site's
    /// "última actualización" date. Accounts, sign-ins and secrets do not; neither do
    /// citizens' own submissions (a suggestion, a registration or a question for a
    /// hearing) nor their erasing their own data: participation, not the entity updating
    /// its site. Staff work on a draft (a plan, a consultation) counts too: the date is
    /// that of the entity's latest change to the platform, whether or not it shows yet.
    pub fn updates_site(self) -> bool {
        match self {
            AuditAction::Login
            | AuditAction::LoginFailed
            | AuditAction::LoginUnlock
            | AuditAction::IdentitySecret
            | AuditAction::UserCreate
            | AuditAction::EntityCreate
            | AuditAction::PlatformGrant
            | AuditAction::UserPasswordChange
            | AuditAction::UserPasswordReset
            | AuditAction::UserUpdate
            | AuditAction::SessionsEndOthers
            | AuditAction::PasswordRecoveryRequest
            | AuditAction::PasswordRecover
            | AuditAction::SuggestionCreate
            | AuditAction::HearingRegister
            | AuditAction::HearingQuestion
            | AuditAction::HearingEraseRegistration
            | AuditAction::SuggestionErasePersonalData => false,
            AuditAction::EntityUpdate
            | AuditAction::ActivityCreate
            | AuditAction::ActivityUpdate
            | AuditAction::ActivityDelete
            | AuditAction::ActivityStatus
            | AuditAction::HolidayAdd
            | AuditAction::HolidayRemove
            | AuditAction::ChannelImport
            | AuditAction::ConsultationCreate
            | AuditAction::ConsultationQuestion
            | AuditAction::ConsultationResults
            | AuditAction::ReportPublish
            | AuditAction::CoverageAccept
            | AuditAction::EventCreate
            | AuditAction::FollowupSettings
            | AuditAction::FollowupWeights
            | AuditAction::ForumModerate
            | AuditAction::ForumTopic
            | AuditAction::FuragQuestionnaire
            | AuditAction::HearingAnswer
            | AuditAction::HearingCreate
            | AuditAction::HearingEvaluation
            | AuditAction::IndicatorCreate
            | AuditAction::ParameterSet
            | AuditAction::PeriodClose
            | AuditAction::PlanCreate
            | AuditAction::PlanReimport
            | AuditAction::PlanTags
            | AuditAction::PlanUpdateHeader
            | AuditAction::PlanTransition(_)
            | AuditAction::ProgressCorrection
            | AuditAction::ProgressReview
            | AuditAction::ProgressSubmit
            | AuditAction::SuggestionUpdate
            | AuditAction::ValueGroupSet
            | AuditAction::ConsultationOpen
            | AuditAction::ConsultationAnnounce
            | AuditAction::ConsultationEdit
            | AuditAction::ConsultationQuestionEdit
            | AuditAction::ConsultationQuestionDelete
            | AuditAction::ConsultationQuestionMove
            | AuditAction::HearingEdit
            | AuditAction::EvidencePublish => true,
        }
    }

    /// What was done, in plain Spanish, for the audit page.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::ActivityCreate => "Creó una actividad",
            AuditAction::ActivityUpdate => "Modificó una actividad",
            AuditAction::ActivityDelete => "Eliminó una actividad",
            AuditAction::ActivityStatus => {
                "Cambió el estado de una actividad (reprogramada o cancelada)"
            }
            AuditAction::Login => "Ingresó a la plataforma",
            AuditAction::LoginFailed => "Intentó ingresar sin éxito",
            AuditAction::LoginUnlock => "Desbloqueó el ingreso de un usuario",
            AuditAction::HolidayAdd => "Agregó un festivo",
            AuditAction::HolidayRemove => "Quitó un festivo",
            AuditAction::ChannelImport => "Importó cifras de un canal",
            AuditAction::ConsultationCreate => "Creó una consulta",
            AuditAction::ConsultationQuestion => "Agregó una pregunta a una consulta",
            AuditAction::ConsultationResults => "Publicó o reservó los resultados de una consulta",
            AuditAction::ReportPublish => "Publicó o retiró un informe del sitio público",
            AuditAction::CoverageAccept => "Aceptó un hallazgo de la verificación de cobertura",
            AuditAction::EventCreate => "Registró un evento",
            AuditAction::FollowupSettings => "Cambió la configuración del seguimiento",
            AuditAction::FollowupWeights => "Cambió los pesos de las actividades",
            AuditAction::ForumModerate => "Moderó un comentario del foro",
            AuditAction::ForumTopic => "Abrió un tema en un foro",
            AuditAction::FuragQuestionnaire => "Cargó un cuestionario FURAG corregido",
            AuditAction::HearingAnswer => "Respondió una pregunta de una audiencia",
            AuditAction::HearingCreate => "Creó una audiencia pública",
            AuditAction::HearingEraseRegistration => {
                "Borró los datos de una inscripción a una audiencia"
            }
            AuditAction::HearingEvaluation => "Creó la encuesta de evaluación de una audiencia",
            AuditAction::HearingQuestion => "Hizo una pregunta para una audiencia",
            AuditAction::HearingRegister => "Se inscribió a una audiencia",
            AuditAction::IndicatorCreate => "Creó un indicador",
            AuditAction::ParameterSet => "Cambió un parámetro legal",
            AuditAction::PeriodClose => "Cerró un periodo de seguimiento",
            AuditAction::PlanCreate => "Creó un plan",
            AuditAction::PlanReimport => "Importó de nuevo el archivo de un plan",
            AuditAction::PlanTags => "Etiquetó las actividades de un plan",
            AuditAction::PlanUpdateHeader => "Modificó el encabezado de un plan",
            AuditAction::PlanTransition(t) => match t {
                Transition::Consolidate => "Consolidó un plan",
                Transition::Review => "Revisó un plan",
                Transition::Approve => "Aprobó un plan",
                Transition::Publish => "Publicó un plan",
                Transition::ReturnToDraft => "Devolvió un plan a borrador",
            },
            AuditAction::ProgressCorrection => "Corrigió un avance de un periodo cerrado",
            AuditAction::ProgressReview => "Revisó un reporte de avance",
            AuditAction::ProgressSubmit => "Reportó un avance",
            AuditAction::SuggestionCreate => "Envió una sugerencia",
            AuditAction::SuggestionErasePersonalData => {
                "Borró los datos de contacto de una sugerencia"
            }
            AuditAction::SuggestionUpdate => "Tramitó una sugerencia",
            AuditAction::UserCreate => "Creó un usuario",
            AuditAction::EntityCreate => "Agregó una entidad a la plataforma",
            AuditAction::EntityUpdate => "Cambió los datos de la entidad",
            AuditAction::PlatformGrant => "Cambió un rol de la plataforma",
            AuditAction::UserPasswordChange => "Cambió su contraseña",
            AuditAction::UserPasswordReset => "Restableció la contraseña de un usuario",
            AuditAction::UserUpdate => "Modificó un usuario",
            AuditAction::ValueGroupSet => "Agregó o modificó un grupo de valor",
            AuditAction::IdentitySecret => {
                "Cifró las huellas de documentos con la clave externa o la reemplazó"
            }
            AuditAction::ConsultationOpen => "Abrió una consulta",
            AuditAction::ConsultationAnnounce => "Anunció una consulta",
            AuditAction::ConsultationEdit => "Modificó los datos de una consulta",
            AuditAction::ConsultationQuestionEdit => "Modificó una pregunta de una consulta",
            AuditAction::ConsultationQuestionDelete => "Eliminó una pregunta de una consulta",
            AuditAction::ConsultationQuestionMove => {
                "Cambió el orden de las preguntas de una consulta"
            }
            AuditAction::HearingEdit => "Modificó una audiencia pública",
            AuditAction::SessionsEndOthers => "Cerró sus otras sesiones abiertas",
            AuditAction::PasswordRecoveryRequest => "Pidió un enlace para recuperar su contraseña",
            AuditAction::PasswordRecover => "Recuperó su contraseña con un enlace",
            AuditAction::EvidencePublish => "Publicó o retiró una evidencia del sitio público",
        }
    }

    /// The action stored as `code`, if it is one of today's.
    pub fn from_code(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// The action of a stored entry: one of today's, or a code this version does not know
/// (kept as text, so an old or newer entry never fails to read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordedAction {
    Known(AuditAction),
    Unknown(String),
}

impl RecordedAction {
    pub fn parse(code: String) -> RecordedAction {
        match AuditAction::from_code(&code) {
            Some(a) => RecordedAction::Known(a),
            None => RecordedAction::Unknown(code),
        }
    }

    /// The stored code.
    pub fn code(&self) -> &str {
        match self {
            RecordedAction::Known(a) => a.code(),
            RecordedAction::Unknown(code) => code,
        }
    }

    /// The Spanish label; an unknown code shows as itself.
    pub fn label(&self) -> &str {
        match self {
            RecordedAction::Known(a) => a.label(),
            RecordedAction::Unknown(code) => code,
        }
    }
}

/// One change to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<'a> {
    pub actor: &'a Actor,
    pub action: AuditAction,
    pub plan_id: Option<i64>,
    /// What it was done to, in words (`actividad 3`).
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub address: Option<String>,
    pub action: RecordedAction,
    pub plan_id: Option<i64>,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Which entries to list; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    pub plan_id: Option<i64>,
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    /// Only this action.
    pub action: Option<AuditAction>,
    pub limit: i64,
}

/// The most characters an audit entry keeps of who did it (name, address) and of its
/// subject: they carry what a stranger typed (a failed login's user name).
const MAX_NAME: usize = 64;
const MAX_SUBJECT: usize = 500;
/// The most characters kept of the data before and after a change.
const MAX_DATA: usize = 100_000;

/// `text` cut to `max` characters, saying how long it was: the log stays bounded
/// however much was sent.
fn bounded(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!(
            "{}… [recortado: {} caracteres en total]",
            &text[..end],
            text.chars().count()
        )),
    }
}

/// Writes `change` in transaction `tx` at `now`: an audit entry is committed with the
/// change it describes, or not at all.
pub(crate) async fn record(tx: &mut Tx, change: &Change<'_>, now: DateTime<Utc>) -> Result<()> {
    let username = bounded(&change.actor.username, MAX_NAME);
    let address = change
        .actor
        .address
        .as_deref()
        .map(|a| bounded(a, MAX_NAME));
    let subject = bounded(&change.subject, MAX_SUBJECT);
    let before = change.before.as_deref().map(|d| bounded(d, MAX_DATA));
    let after = change.after.as_deref().map(|d| bounded(d, MAX_DATA));
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO audit_log (at, user_id, username, address, action, plan_id, subject, before_data, after_data, entity_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(now)
        .bind(change.actor.user_id)
        .bind(username.as_ref())
        .bind(address.as_deref())
        .bind(change.action.code())
        .bind(change.plan_id)
        .bind(subject.as_ref())
        .bind(before.as_deref())
        .bind(after.as_deref())
        .bind(tx.entity)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

impl Store {
    /// The id of the latest audit entry (0 when none). Every staff change is audited in
    /// the same transaction as the change itself, so a page built only from staff data
    /// can be cached until this moves.
    pub async fn last_change(&self) -> Result<i64> {
        on_conn!(self.conn().await?, |conn| {
            let id: i64 = sqlx::query(
                "SELECT COALESCE(MAX(id), 0) AS id FROM audit_log WHERE entity_id = $1",
            )
            .bind(self.entity)
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            Ok(id)
        })
    }

    /// The entries after `after` (an audit id): the latest id among them (`after` when
    /// there is none) and the moment of the latest that [updates the
    /// site](AuditAction::updates_site). With `after` the last id seen, this reads only
    /// what was written since, so asking it often costs the same however long the log is.
    /// (On SQLite `MAX(at)` compares text: every entry is written by [`record`] through
    /// sqlx in one format, so text order is time order.)
    pub async fn site_updates_since(&self, after: i64) -> Result<(i64, Option<DateTime<Utc>>)> {
        let quiet: Vec<&'static str> = AuditAction::ALL
            .into_iter()
            .filter(|a| !a.updates_site())
            .map(AuditAction::code)
            .collect();
        on_conn!(self.conn().await?, |conn| {
            let mut q = QueryBuilder::new(
                "SELECT COALESCE(MAX(id), 0) AS id, MAX(CASE WHEN action NOT IN (",
            );
            let mut list = q.separated(", ");
            for code in &quiet {
                list.push_bind(*code);
            }
            q.push(") THEN at END) AS at FROM audit_log WHERE entity_id = ")
                .push_bind(self.entity)
                .push(" AND id > ")
                .push_bind(after);
            let row = q.build().fetch_one(&mut *conn).await?;
            let id: i64 = row.try_get("id")?;
            let at: Option<DateTime<Utc>> = row.try_get("at")?;
            Ok((id.max(after), at))
        })
    }

    /// Records a change that touches nothing else (a login, a refused attempt).
    pub async fn record(&self, change: &Change<'_>) -> Result<()> {
        let mut tx = self.begin().await?;
        record(&mut tx, change, Utc::now()).await?;
        tx.commit().await
    }

    /// Entries matching `filter`, newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let from = filter
            .from
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
        let to = filter
            .to
            .and_then(|d| d.succ_opt())
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
        let limit = if filter.limit > 0 { filter.limit } else { 500 };
        on_conn!(self.conn().await?, |conn| {
            let mut q = QueryBuilder::new(
                "SELECT id, at, user_id, username, address, action, plan_id, subject, before_data, after_data \
                 FROM audit_log WHERE entity_id = ",
            );
            q.push_bind(self.entity);
            if let Some(u) = filter.user_id {
                q.push(" AND user_id = ").push_bind(u);
            }
            if let Some(p) = filter.plan_id {
                q.push(" AND plan_id = ").push_bind(p);
            }
            if let Some(a) = filter.action {
                q.push(" AND action = ").push_bind(a.code());
            }
            if let Some(f) = from {
                q.push(" AND at >= ").push_bind(f);
            }
            if let Some(t) = to {
                q.push(" AND at < ").push_bind(t);
            }
            q.push(" ORDER BY at DESC, id DESC LIMIT ").push_bind(limit);
            let rows = q.build().fetch_all(&mut *conn).await?;
            rows.iter()
                .map(|r| {
                    Ok(AuditEntry {
                        id: r.try_get("id")?,
                        at: r.try_get("at")?,
                        user_id: r.try_get("user_id")?,
                        username: r.try_get("username")?,
                        address: r.try_get("address")?,
                        action: RecordedAction::parse(r.try_get("action")?),
                        plan_id: r.try_get("plan_id")?,
                        subject: r.try_get("subject")?,
                        before: r.try_get("before_data")?,
                        after: r.try_get("after_data")?,
                    })
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_text_is_cut_and_says_so() {
        assert_eq!(bounded("corto", 10), "corto");
        let long = "ñ".repeat(300_000);
        let cut = bounded(&long, MAX_NAME);
        assert!(cut.starts_with(&"ñ".repeat(MAX_NAME)));
        assert!(
            cut.ends_with("[recortado: 300000 caracteres en total]"),
            "{cut}"
        );
        assert!(cut.chars().count() < 120);
    }

    #[test]
    fn every_action_reads_back_from_its_code_and_codes_are_unique() {
        let mut codes = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert!(codes.insert(a.code()), "{} twice", a.code());
            assert_eq!(AuditAction::from_code(a.code()), Some(a));
            assert!(a.label().chars().next().is_some_and(char::is_uppercase));
        }
        assert_eq!(
            AuditAction::PlanTransition(Transition::Publish).code(),
            "plan.publicar"
        );
    }

    #[test]
    fn sign_ins_accounts_and_citizens_own_actions_do_not_date_the_site() {
        for a in [
            AuditAction::Login,
            AuditAction::LoginFailed,
            AuditAction::UserPasswordChange,
            AuditAction::SuggestionCreate,
            AuditAction::SuggestionErasePersonalData,
            AuditAction::HearingRegister,
            AuditAction::HearingQuestion,
            AuditAction::HearingEraseRegistration,
        ] {
            assert!(!a.updates_site(), "{}", a.code());
        }
        for a in [
            AuditAction::PlanTransition(Transition::Publish),
            AuditAction::ProgressReview,
            AuditAction::EvidencePublish,
            AuditAction::ReportPublish,
            AuditAction::SuggestionUpdate,
        ] {
            assert!(a.updates_site(), "{}", a.code());
        }
        // The query's list of the others is never empty (`NOT IN ()` is not SQL).
        assert!(AuditAction::ALL.iter().any(|a| !a.updates_site()));
    }

    #[test]
    fn an_unknown_stored_code_is_kept_as_text() {
        let a = RecordedAction::parse("plan.archivar".into());
        assert_eq!(a, RecordedAction::Unknown("plan.archivar".into()));
        assert_eq!((a.code(), a.label()), ("plan.archivar", "plan.archivar"));
        let known = RecordedAction::parse("user.create".into());
        assert_eq!(known, RecordedAction::Known(AuditAction::UserCreate));
        assert_eq!(known.label(), "Creó un usuario");
    }
}
