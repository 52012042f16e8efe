//! The store suite: every test runs against SQLite and against PostgreSQL.

use participa_domain::{OfficeCode, PasswordOrigin, PlanStatus, Role, Transition};
use participa_domain::{Plan, PlanYear};
use participa_formats::{import_plan, ReadOptions};
use participa_store::testing::{self, accept_all_findings, TestDatabase};
use participa_store::{
    on_conn, Acta, Actor, AuditAction, AuditFilter, Backend, Change, Entity, PlanId, SessionMeta,
    Store, StoreError, UserData,
};

const SEED: &[u8] = include_bytes!("../../../seed/plan-participacion-ciudadana-2025.txt");

fn seed() -> Plan {
    import_plan("seed.txt", SEED, &ReadOptions::default()).unwrap()
}

/// The secret of identity digests in these tests (the server's comes from a key file or
/// an environment variable, never from the database).
fn test_secret() -> participa_store::IdentitySecret {
    testing::identity_secret()
}

async fn open(db: &TestDatabase) -> Store {
    Store::connect(&db.url)
        .await
        .unwrap_or_else(|e| panic!("connect {}: {e}", db.url))
        .with_identity_secret(test_secret(), false)
        .await
        .expect("identity secret")
}

/// Runs each listed test once per backend.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $test() { super::$test(participa_store::testing::sqlite()).await })*
        }
        mod postgres {
            $(#[tokio::test] async fn $test() { super::$test(participa_store::testing::postgres().await).await })*
        }
    };
}

on_both_backends!(
    furag_readiness_reaches_the_national_figures,
    a_database_made_by_the_last_one_entity_release_becomes_its_first_entity,
    another_entitys_data_does_not_exist_for_a_store_scoped_to_this_one,
    entities_are_added_with_unique_slugs_and_hosts,
    seed_plan_reads_back_equal,
    plans_are_listed_newest_year_first_with_their_activity_counts,
    a_missing_plan_is_an_error,
    a_failed_insert_leaves_the_database_unchanged,
    reconnecting_keeps_data_and_schema,
    plans_without_optional_parts_read_back_equal,
    a_plan_goes_through_its_lifecycle_and_a_change_after_publishing_opens_version_2,
    a_plan_under_review_is_locked_and_steps_cannot_be_skipped,
    users_are_created_listed_updated_and_names_are_unique,
    sessions_expire_and_can_be_deleted,
    the_audit_log_is_append_only_and_filterable,
    the_site_update_date_moves_with_the_entitys_changes_not_with_sign_ins,
    holiday_overrides_change_the_calendar_and_keep_their_history,
    a_changed_parameter_changes_the_deadlines_computed_from_it,
    activity_tags_are_stored_and_read_back,
    what_an_entitys_table_says_beyond_the_fields_is_kept_and_its_goals_become_indicators,
    the_value_group_catalogue_starts_from_the_defaults_and_is_editable,
    a_report_is_returned_resubmitted_accepted_and_locked_when_the_period_closes,
    refused_submissions_leave_no_file_and_no_row,
    suggestions_are_followed_by_code_answered_and_their_contact_erased,
    a_consultation_keeps_its_questions_and_responses,
    a_batch_of_responses_keeps_the_counts_a_recount_of_its_answers_gives,
    every_connection_waits_for_the_disk_before_a_commit_returns,
    answers_submitted_at_once_are_committed_together_and_each_answered,
    an_identified_survey_takes_one_answer_per_person_and_keeps_no_document,
    a_copy_of_the_database_cannot_turn_a_document_into_its_digest,
    an_old_database_is_rekeyed_once_and_still_refuses_the_same_person,
    the_identity_secret_is_checked_against_the_database,
    forum_comments_are_moderated_hidden_with_a_reason_and_reported,
    a_hearing_gets_its_evaluation_survey,
    a_suggestion_moves_only_as_the_rules_allow,
    asking_twice_for_a_hearing_evaluation_gives_one_survey,
    forty_attempts_at_once_check_no_more_than_the_limit,
    remembered_browsers_are_kept_by_digest_and_only_the_newest,
    a_consultation_is_built_as_a_draft_and_corrected_only_in_wording_once_answered,
    an_edited_hearing_is_audited_and_a_new_date_reaches_its_registrants,
    workflow_steps_notify_who_acts_next_in_their_own_transaction,
    the_outbox_claims_each_mail_once_retries_with_backoff_and_forgets_what_it_must,
    a_password_someone_else_saw_must_be_changed_and_a_chosen_one_need_not,
    a_user_sees_their_valid_sessions_and_ends_the_others,
    a_recovery_link_sets_a_password_once_and_only_in_time,
    recovery_links_go_only_to_active_accounts_with_an_e_mail,
    the_inbox_reads_latest_steps_open_items_and_the_moderation_queue,
);

async fn a_consultation_is_built_as_a_draft_and_corrected_only_in_wording_once_answered(
    db: TestDatabase,
) {
    use participa_domain::participation::builder::{BuilderError, QuestionInput, Stage};
    use participa_domain::participation::survey::{check_question, Condition, QuestionKind};
    use participa_store::{ConsultationData, ConsultationEdit, StoreError};
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let today = day(3, 1);
    let id = store
        .create_consultation(
            &ConsultationData {
                title: "Encuesta de vivienda".into(),
                description: "Díganos".into(),
                opens_on: day(3, 10),
                closes_on: day(3, 31),
                activity: None,
                kind: participa_domain::participation::ConsultationKind::Survey,
                identification: false,
            },
            &ana,
        )
        .await
        .unwrap();
    let c = store.consultation(id).await.unwrap();
    assert!(c.draft);
    assert_eq!(c.stage(today), Stage::Draft);
    // Opening an empty survey is refused; announcing a draft is not.
    assert!(matches!(
        store.open_consultation_now(id, today, &ana).await,
        Err(StoreError::Builder(BuilderError::Empty { forum: false }))
    ));
    let mut qs = Vec::new();
    for (text, kind, condition) in [
        (
            "¿Usó el subsidio?",
            QuestionKind::from_code("unica", "Sí\nNo").unwrap(),
            None,
        ),
        (
            "¿Qué tan fácil fue?",
            QuestionKind::Scale(Default::default()),
            Some((1, "Sí")),
        ),
        ("¿Qué mejoraría?", QuestionKind::Text, None),
    ] {
        let condition = condition.map(|(question, answer): (u32, &str)| Condition {
            question,
            answer: answer.into(),
        });
        let q = check_question(&qs, text, kind, false, condition).unwrap();
        store.add_consultation_question(id, &q, &ana).await.unwrap();
        qs.push(q);
    }
    // Reorder: question 3 to the top; the condition follows question 1, now 2.
    store
        .move_consultation_question(id, 3, 1, &ana)
        .await
        .unwrap();
    let c = store.consultation(id).await.unwrap();
    let texts: Vec<&str> = c.questions.iter().map(|q| q.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "¿Qué mejoraría?",
            "¿Usó el subsidio?",
            "¿Qué tan fácil fue?"
        ]
    );
    assert_eq!(c.questions[2].condition.as_ref().unwrap().question, 2);
    // A reorder that would put a question before the one it depends on is refused.
    assert!(matches!(
        store.move_consultation_question(id, 3, 1, &ana).await,
        Err(StoreError::Builder(BuilderError::ConditionOrder {
            question: 3,
            depends_on: 2
        }))
    ));
    assert!(matches!(
        store.delete_consultation_question(id, 2, &ana).await,
        Err(StoreError::Builder(BuilderError::DependedOn { by: 3 }))
    ));
    store
        .delete_consultation_question(id, 1, &ana)
        .await
        .unwrap();
    let c = store.consultation(id).await.unwrap();
    assert_eq!(c.questions.len(), 2);
    assert_eq!(c.questions[1].condition.as_ref().unwrap().question, 1);
    // Before the first answer a question changes entirely, dates too.
    let input = |text: &str, kind: QuestionKind| QuestionInput {
        text: text.into(),
        kind,
        required: true,
        condition: None,
    };
    store
        .edit_consultation_question(
            id,
            1,
            input(
                "¿Usó el subsidio de vivienda?",
                QuestionKind::from_code("unica", "Sí\nNo\nNo sabe").unwrap(),
            ),
            &ana,
        )
        .await
        .unwrap();
    let edit = |title: &str, opens_on, closes_on| ConsultationEdit {
        title: title.into(),
        description: "Díganos".into(),
        opens_on,
        closes_on,
        activity: None,
    };
    store
        .edit_consultation(
            id,
            &edit("Encuesta de vivienda", day(3, 10), day(4, 30)),
            &ana,
        )
        .await
        .unwrap();
    store.announce_consultation(id, today, &ana).await.unwrap();
    assert_eq!(
        store.consultation(id).await.unwrap().stage(today),
        Stage::Announced
    );
    store.open_consultation_now(id, today, &ana).await.unwrap();
    let c = store.consultation(id).await.unwrap();
    assert_eq!((c.data.opens_on, c.stage(today)), (today, Stage::Open));
    assert!(store.consultation_corrections(id).await.unwrap().is_empty());
    // The first answer: from now on only wording.
    let mut a = std::collections::BTreeMap::new();
    a.insert(1, vec!["Sí".to_string()]);
    store.add_response(id, &a, None).await.unwrap();
    let c = store.consultation(id).await.unwrap();
    assert!(c.answered);
    let q1 = c.questions[0].clone();
    let same = QuestionInput {
        text: "¿Ha usado el subsidio de vivienda?".into(),
        kind: q1.kind.clone(),
        required: q1.required,
        condition: None,
    };
    store
        .edit_consultation_question(id, 1, same, &ana)
        .await
        .unwrap();
    assert!(matches!(
        store
            .edit_consultation_question(id, 1, input("x", QuestionKind::Text), &ana)
            .await,
        Err(StoreError::Builder(BuilderError::OnlyWording))
    ));
    assert!(matches!(
        store.delete_consultation_question(id, 2, &ana).await,
        Err(StoreError::Builder(BuilderError::OnlyWording))
    ));
    assert!(matches!(
        store.add_consultation_question(id, &q1, &ana).await,
        Err(StoreError::Builder(BuilderError::OnlyWording))
    ));
    assert!(matches!(
        store
            .edit_consultation(id, &edit("Encuesta de vivienda", today, day(5, 30)), &ana)
            .await,
        Err(StoreError::Builder(BuilderError::DataLocked))
    ));
    store
        .edit_consultation(
            id,
            &edit("Encuesta de vivienda 2026", today, day(4, 30)),
            &ana,
        )
        .await
        .unwrap();
    let history = store.consultation_corrections(id).await.unwrap();
    let kept: Vec<(&str, bool)> = history
        .iter()
        .map(|k| {
            (
                k.subject.as_str(),
                k.after.contains("2026") || k.after.contains("¿Ha usado"),
            )
        })
        .collect();
    assert_eq!(kept, [("Pregunta 1", true), ("Nombre", true)]);
    assert_eq!(history[1].before, "Encuesta de vivienda");
    assert_eq!(history[0].by.as_deref(), Some("ana full"));
    let c = store.consultation(id).await.unwrap();
    assert_eq!(c.questions[0].text, "¿Ha usado el subsidio de vivienda?");
    assert_eq!(c.data.title, "Encuesta de vivienda 2026");
    // Every change is in the audit log.
    let actions: Vec<String> = store
        .audit_entries(&participa_store::AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action.code().to_string())
        .collect();
    for code in [
        "consultation.question_move",
        "consultation.question_delete",
        "consultation.question_edit",
        "consultation.edit",
        "consultation.announce",
        "consultation.open",
    ] {
        assert!(actions.iter().any(|a| a == code), "{code} in {actions:?}");
    }
}

async fn an_edited_hearing_is_audited_and_a_new_date_reaches_its_registrants(db: TestDatabase) {
    use participa_store::{HearingData, NewRegistration, RescheduleNotice};
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let mut data = HearingData {
        title: "Rendición de cuentas 2026".into(),
        held_on: day(7, 30),
        starts_at: "10:00".into(),
        place: "Bogotá".into(),
        stream_url: String::new(),
        report_url: String::new(),
        report_published_on: None,
        convocation: String::new(),
        activity: None,
    };
    let h = store.create_hearing(&data, &ana).await.unwrap();
    for (code, email) in [
        ("IN-AAAA-AAAA", Some("ana@example.org")),
        ("IN-BBBB-BBBB", None),
    ] {
        store
            .register_for_hearing(
                h,
                &NewRegistration {
                    code,
                    name: "Ana",
                    email,
                    phone: Some("3001234567"),
                    value_group: "afiliados",
                    consent_purpose: "inscripción",
                },
            )
            .await
            .unwrap();
    }
    let notice = RescheduleNotice {
        subject: "Nueva fecha".into(),
        body: "La audiencia cambió de fecha.".into(),
        link: format!("/audiencias/{h}"),
    };
    data.place = "Medellín".into();
    assert_eq!(
        store.edit_hearing(h, &data, &notice, &ana).await.unwrap(),
        0
    );
    data.held_on = day(8, 6);
    assert_eq!(
        store.edit_hearing(h, &data, &notice, &ana).await.unwrap(),
        1
    );
    let kept = store.hearing(h).await.unwrap().data;
    assert_eq!((kept.held_on, kept.place.as_str()), (day(8, 6), "Medellín"));
    // The notice waits in the outbox for the registrant who left an e-mail.
    let mails = store
        .claim_mail(
            chrono::Utc::now(),
            &participa_store::RetryPolicy::default(),
            10,
        )
        .await
        .unwrap();
    let mails: Vec<(&str, &str, &str)> = mails
        .iter()
        .map(|m| (m.to.as_str(), m.subject.as_str(), m.link.as_str()))
        .collect();
    assert_eq!(
        mails,
        [(
            "ana@example.org",
            "Nueva fecha",
            &*format!("/audiencias/{h}")
        )]
    );
    let edits: Vec<_> = store
        .audit_entries(&participa_store::AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.code() == "hearing.edit")
        .collect();
    assert_eq!(edits.len(), 2);
    assert!(edits
        .iter()
        .any(|e| e.before.as_deref().is_some_and(|b| b.contains("Bogotá"))));
}

fn account_change<'a>(actor: &'a Actor, action: AuditAction) -> Change<'a> {
    Change {
        actor,
        action,
        plan_id: None,
        subject: "usuario prueba".into(),
        before: None,
        after: None,
    }
}

fn mail() -> participa_store::RecoveryMail {
    participa_store::RecoveryMail {
        to: "ana@entidad.gov.co".into(),
        name: "Ana".into(),
        subject: "Recuperar".into(),
        body: "Enlace".into(),
    }
}

fn meta(user: i64, epoch: i64, minutes_ago: i64, agent: &str) -> SessionMeta {
    let now = chrono::Utc::now();
    SessionMeta {
        user_id: Some(user),
        epoch: Some(epoch),
        started_at: Some(now - chrono::Duration::minutes(minutes_ago + 30)),
        last_seen_at: Some(now - chrono::Duration::minutes(minutes_ago)),
        address: Some("10.0.0.7".into()),
        user_agent: Some(agent.into()),
    }
}

async fn a_password_someone_else_saw_must_be_changed_and_a_chosen_one_need_not(db: TestDatabase) {
    let store = open(&db).await;
    let system = Actor::system();
    let data = UserData {
        username: "nueva".into(),
        full_name: "Nueva".into(),
        role: Role::Auditor,
        active: true,
        offices: vec![],
        email: None,
        position: String::new(),
    };
    let id = store
        .create_user(
            &data,
            "h1",
            PasswordOrigin::Temporary,
            &account_change(&system, AuditAction::UserCreate),
        )
        .await
        .unwrap();
    assert!(store.user(id).await.unwrap().unwrap().must_change_password);
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    store
        .session_save("s1", "{}", later, &meta(id, 0, 1, "Firefox/125.0"))
        .await
        .unwrap();
    let epoch = store
        .set_password(
            id,
            "h2",
            PasswordOrigin::Chosen,
            &account_change(&system, AuditAction::UserPasswordChange),
        )
        .await
        .unwrap();
    let user = store.user(id).await.unwrap().unwrap();
    assert!(!user.must_change_password);
    assert_eq!(user.session_epoch, epoch);
    assert_eq!(
        store.session_load("s1").await.unwrap(),
        None,
        "a new password ends the sessions"
    );
    store
        .set_password(
            id,
            "h3",
            PasswordOrigin::Temporary,
            &account_change(&system, AuditAction::UserPasswordReset),
        )
        .await
        .unwrap();
    assert!(store.user(id).await.unwrap().unwrap().must_change_password);
}

async fn a_user_sees_their_valid_sessions_and_ends_the_others(db: TestDatabase) {
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let luis = admin(&store, "luis", Role::Auditor).await;
    let (a, l) = (ana.user_id.unwrap(), luis.user_id.unwrap());
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    store
        .session_save("ana-here", "{}", later, &meta(a, 0, 0, "Chrome/124"))
        .await
        .unwrap();
    store
        .session_create("ana-phone", "{}", later, &meta(a, 0, 10, "Safari/604"))
        .await
        .unwrap();
    store
        .session_save("ana-old", "{}", past, &meta(a, 0, 100, "Firefox/1"))
        .await
        .unwrap();
    store
        .session_save("ana-stale", "{}", later, &meta(a, 7, 5, "Firefox/2"))
        .await
        .unwrap();
    store
        .session_save("luis", "{}", later, &meta(l, 0, 0, "Edg/1"))
        .await
        .unwrap();
    let open: Vec<String> = store
        .user_sessions(a)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(
        open,
        ["ana-here", "ana-phone"],
        "valid ones only, the most recently seen first"
    );
    let listed = &store.user_sessions(a).await.unwrap()[1];
    assert_eq!(listed.address.as_deref(), Some("10.0.0.7"));
    assert_eq!(listed.user_agent.as_deref(), Some("Safari/604"));
    assert!(listed.started_at.unwrap() < listed.last_seen_at.unwrap());
    let (epoch, ended) = store
        .end_other_sessions(
            a,
            "ana-here",
            &account_change(&ana, AuditAction::SessionsEndOthers),
        )
        .await
        .unwrap();
    assert_eq!(epoch, 1);
    assert_eq!(ended, 2, "the phone and the stale record");
    assert_eq!(store.user(a).await.unwrap().unwrap().session_epoch, 1);
    let left: Vec<String> = store
        .user_sessions(a)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(left, ["ana-here"]);
    assert!(store.session_load("ana-phone").await.unwrap().is_none());
    assert!(
        store.session_load("luis").await.unwrap().is_some(),
        "another user's session stays"
    );
    let audit = store
        .audit_entries(&AuditFilter {
            user_id: Some(a),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit[0].action.code(), "user.end_other_sessions");
}

async fn a_recovery_link_sets_a_password_once_and_only_in_time(db: TestDatabase) {
    use participa_domain::LinkState;
    use participa_store::Recovery;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let id = ana.user_id.unwrap();
    let now = chrono::Utc::now();
    let in_time = now + chrono::Duration::minutes(30);
    let token = participa_store::random_token().unwrap();
    let first = participa_store::random_token().unwrap();
    for t in [&first, &token] {
        store
            .issue_recovery(
                id,
                t,
                now,
                in_time,
                &mail(),
                &account_change(&ana, AuditAction::PasswordRecoveryRequest),
            )
            .await
            .unwrap();
    }
    // Only digests are kept: the token is nowhere in the database.
    let kept: Vec<String> = on_conn!(store.conn().await.unwrap(), |pool| {
        sqlx::query("SELECT token_digest FROM password_recoveries")
            .fetch_all(&mut *pool)
            .await
            .unwrap()
            .iter()
            .map(|r| sqlx::Row::get::<String, _>(r, "token_digest"))
            .collect::<Vec<String>>()
    });
    assert_eq!(kept.len(), 2);
    assert!(!kept.contains(&token) && !kept.contains(&first));
    let link = store.recovery_link(&token, now).await.unwrap().unwrap();
    assert_eq!(
        (link.user_id, link.state),
        (id, LinkState::Usable),
        "a second request leaves the link usable"
    );
    assert_eq!(
        store
            .recovery_link(&first, now)
            .await
            .unwrap()
            .unwrap()
            .state,
        LinkState::Usable,
        "and the first one too"
    );
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    store
        .session_save("ana", "{}", later, &meta(id, 0, 0, "Chrome/1"))
        .await
        .unwrap();
    let done = store
        .recover_password(&token, "nuevo-hash", now, Some("10.1.1.1".into()))
        .await
        .unwrap();
    assert_eq!(
        done,
        Recovery::Done {
            user_id: id,
            username: "ana".into()
        }
    );
    let (user, hash) = store.user_for_login("ana").await.unwrap().unwrap();
    assert_eq!(hash, "nuevo-hash");
    assert_eq!(user.session_epoch, 1, "every session ended");
    assert!(!user.must_change_password);
    assert!(store.session_load("ana").await.unwrap().is_none());
    assert_eq!(
        store
            .recover_password(&token, "otro", now, None)
            .await
            .unwrap(),
        Recovery::Refused(LinkState::Used)
    );
    assert_eq!(
        store
            .recover_password(&first, "otro", now, None)
            .await
            .unwrap(),
        Recovery::Refused(LinkState::Used),
        "the new password voids the other links"
    );
    assert_eq!(
        store.user_for_login("ana").await.unwrap().unwrap().1,
        "nuevo-hash"
    );
    // A link past its time.
    let late = participa_store::random_token().unwrap();
    store
        .issue_recovery(
            id,
            &late,
            now,
            in_time,
            &mail(),
            &account_change(&ana, AuditAction::PasswordRecoveryRequest),
        )
        .await
        .unwrap();
    let after = in_time + chrono::Duration::seconds(1);
    assert_eq!(
        store
            .recovery_link(&late, after)
            .await
            .unwrap()
            .unwrap()
            .state,
        LinkState::Expired
    );
    assert_eq!(
        store
            .recover_password(&late, "otro", after, None)
            .await
            .unwrap(),
        Recovery::Refused(LinkState::Expired)
    );
    assert_eq!(
        store
            .recover_password("no-existe", "otro", now, None)
            .await
            .unwrap(),
        Recovery::Unknown
    );
    let audit = store
        .audit_entries(&AuditFilter {
            user_id: Some(id),
            ..Default::default()
        })
        .await
        .unwrap();
    let recovered = audit
        .iter()
        .find(|e| e.action.code() == "user.password_recover")
        .expect("audited");
    assert_eq!(recovered.address.as_deref(), Some("10.1.1.1"));
}

async fn recovery_links_go_only_to_active_accounts_with_an_e_mail(db: TestDatabase) {
    let store = open(&db).await;
    let system = Actor::system();
    let mut made = Vec::new();
    for (name, email, active) in [
        ("ana", Some("Ana@Entidad.gov.co"), true),
        ("sin", None, true),
        ("vieja", Some("vieja@entidad.gov.co"), false),
    ] {
        let data = UserData {
            username: name.into(),
            full_name: name.into(),
            role: Role::Auditor,
            active,
            offices: vec![],
            email: email.map(String::from),
            position: String::new(),
        };
        made.push(
            store
                .create_user(
                    &data,
                    "h",
                    PasswordOrigin::Chosen,
                    &account_change(&system, AuditAction::UserCreate),
                )
                .await
                .unwrap(),
        );
    }
    let names = |v: Vec<participa_store::RecoveryAccount>| -> Vec<String> {
        v.into_iter().map(|a| a.username).collect()
    };
    assert_eq!(
        names(store.recovery_accounts("ANA ").await.unwrap()),
        ["ana"]
    );
    assert_eq!(
        names(store.recovery_accounts("ana@entidad.gov.co").await.unwrap()),
        ["ana"]
    );
    assert!(store.recovery_accounts("sin").await.unwrap().is_empty());
    assert!(store.recovery_accounts("vieja").await.unwrap().is_empty());
    assert!(store.recovery_accounts("").await.unwrap().is_empty());
    // Deactivating an account voids the link it was sent.
    let token = participa_store::random_token().unwrap();
    let now = chrono::Utc::now();
    store
        .issue_recovery(
            made[0],
            &token,
            now,
            now + chrono::Duration::minutes(30),
            &mail(),
            &account_change(&system, AuditAction::PasswordRecoveryRequest),
        )
        .await
        .unwrap();
    let mut ana = store.user(made[0]).await.unwrap().unwrap();
    ana.active = false;
    let data = UserData {
        username: ana.username.clone(),
        full_name: ana.full_name.clone(),
        role: ana.role,
        active: false,
        offices: vec![],
        email: ana.email.clone(),
        position: String::new(),
    };
    store
        .update_user(
            made[0],
            &data,
            &account_change(&system, AuditAction::UserUpdate),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .recover_password(&token, "otro", now, None)
            .await
            .unwrap(),
        participa_store::Recovery::Refused(participa_domain::LinkState::Used)
    );
}

async fn forty_attempts_at_once_check_no_more_than_the_limit(db: TestDatabase) {
    use participa_store::{Attempt, Quota};
    let store = open(&db).await;
    let window = chrono::Duration::minutes(15);
    let quotas = vec![Quota::new("u:ana", 5), Quota::new("a:10.0.0.1", 20)];
    let tries = (0..40).map(|_| {
        let store = store.clone();
        let quotas = quotas.clone();
        tokio::spawn(async move { store.take_attempt(&quotas, window).await.unwrap() })
    });
    let mut allowed = 0;
    for t in tries {
        match t.await.unwrap() {
            Attempt::Allowed { .. } => allowed += 1,
            Attempt::Refused { retry_after } => {
                assert!(retry_after > chrono::Duration::zero());
                assert!(retry_after <= window);
            }
        }
    }
    assert_eq!(allowed, 5, "only the per-user limit is ever checked");
    // Another name from the same address: the 15 refused attempts were not counted
    // against the address, so 15 more are left of its 20.
    let other = vec![Quota::new("u:luis", 50), Quota::new("a:10.0.0.1", 20)];
    let mut more = 0;
    while let Attempt::Allowed { last } = store.take_attempt(&other, window).await.unwrap() {
        more += 1;
        assert_eq!(
            last,
            more == 15,
            "the last attempt of the address is said to be"
        );
    }
    assert_eq!(more, 15);
    // A right password: the name starts over and the address gets its attempt back.
    store
        .attempt_succeeded(&[Quota::new("u:ana", 5)], &[Quota::new("a:10.0.0.1", 20)])
        .await
        .unwrap();
    assert_eq!(
        store
            .take_attempt(&[Quota::new("u:ana", 5)], window)
            .await
            .unwrap(),
        Attempt::Allowed { last: false }
    );
    assert_eq!(
        store
            .take_attempt(&[Quota::new("a:10.0.0.1", 20)], window)
            .await
            .unwrap(),
        Attempt::Allowed { last: true }
    );
    // A window that ended counts as empty.
    let short = chrono::Duration::milliseconds(300);
    let q = [Quota::new("u:breve", 1)];
    let once = Attempt::Allowed { last: true };
    assert_eq!(store.take_attempt(&q, short).await.unwrap(), once);
    assert_ne!(store.take_attempt(&q, short).await.unwrap(), once);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(store.take_attempt(&q, short).await.unwrap(), once);

    // Right and wrong passwords for one name and address at the same moment (a double
    // submit): counting and giving back lock the rows in one order, so no deadlock.
    let pair = vec![Quota::new("u:doble", 1000), Quota::new("a:10.0.0.9", 1000)];
    let mixed = (0..30).map(|i| {
        let store = store.clone();
        let pair = pair.clone();
        tokio::spawn(async move {
            store.take_attempt(&pair, window).await.unwrap();
            if i % 2 == 0 {
                store
                    .attempt_succeeded(&pair[..1], &pair[1..])
                    .await
                    .unwrap();
            }
        })
    });
    for t in mixed {
        t.await.unwrap();
    }
}

async fn remembered_browsers_are_kept_by_digest_and_only_the_newest(db: TestDatabase) {
    let store = open(&db).await;
    let actor = admin(&store, "equipos", Role::Admin).await;
    let user = actor.user_id.unwrap();
    let tokens: Vec<String> = (0..21).map(|i| format!("{i:064x}")).collect();
    for t in &tokens {
        store.trust_device(user, t).await.unwrap();
    }
    assert_eq!(
        store.trusted_device_user(&tokens[20]).await.unwrap(),
        Some((user, "equipos".to_string()))
    );
    assert_eq!(
        store.trusted_device_user(&"f".repeat(64)).await.unwrap(),
        None
    );
    let kept: i64 = on_conn!(store.conn().await.unwrap(), |pool| {
        let digests: Vec<String> = sqlx::query_scalar("SELECT token_digest FROM trusted_devices")
            .fetch_all(&mut *pool)
            .await
            .unwrap();
        assert!(
            digests.iter().all(|d| !tokens.contains(d)),
            "only digests of the tokens are kept"
        );
        digests.len() as i64
    });
    assert_eq!(kept, 20, "the oldest browser is forgotten");
    // Signing in again from a remembered browser makes it the newest: the next one
    // pushes out another.
    store.trust_device(user, &tokens[1]).await.unwrap();
    store
        .trust_device(user, &format!("{:064x}", 99))
        .await
        .unwrap();
    assert!(store
        .trusted_device_user(&tokens[1])
        .await
        .unwrap()
        .is_some());
    assert!(store
        .trusted_device_user(&tokens[2])
        .await
        .unwrap()
        .is_none());
    // A used-up browser is forgotten; a new password forgets them all.
    store.forget_device(&tokens[20]).await.unwrap();
    assert!(store
        .trusted_device_user(&tokens[20])
        .await
        .unwrap()
        .is_none());
    store
        .set_password(
            user,
            "otro-hash",
            PasswordOrigin::Chosen,
            &Change {
                actor: &actor,
                action: AuditAction::UserPasswordChange,
                plan_id: None,
                subject: "usuario equipos".into(),
                before: None,
                after: None,
            },
        )
        .await
        .unwrap();
    assert!(store
        .trusted_device_user(&tokens[1])
        .await
        .unwrap()
        .is_none());
}

async fn seed_plan_reads_back_equal(db: TestDatabase) {
    let store = open(&db).await;
    let plan = seed();
    let id = store.insert_plan(&plan, Some("seed.txt")).await.unwrap();
    assert_eq!(store.plan(id).await.unwrap(), plan);
    assert_eq!(store.counts().await.unwrap(), (1, 15));
}

async fn plans_are_listed_newest_year_first_with_their_activity_counts(db: TestDatabase) {
    let store = open(&db).await;
    let older = seed();
    let mut draft = seed().into_draft();
    draft.year = PlanYear::new(2026).unwrap();
    draft.title = "Plan de Participación Ciudadana 2026".into();
    draft.activities.truncate(4);
    let newer = Plan::try_from_draft(draft).unwrap();
    let a = store.insert_plan(&older, None).await.unwrap();
    let b = store.insert_plan(&newer, None).await.unwrap();
    let list = store.plans().await.unwrap();
    let got: Vec<(PlanId, i32, &str, i64, &str)> = list
        .iter()
        .map(|p| {
            (
                p.id,
                p.year,
                p.title.as_str(),
                p.activity_count,
                p.entity.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                b,
                2026,
                "Plan de Participación Ciudadana 2026",
                4,
                "Caja Honor"
            ),
            (
                a,
                2025,
                "Plan de Participación Ciudadana 2025",
                15,
                "Caja Honor"
            ),
        ]
    );
    assert_eq!(store.plan(b).await.unwrap(), newer);
}

async fn a_missing_plan_is_an_error(db: TestDatabase) {
    let store = open(&db).await;
    assert!(matches!(
        store.plan(PlanId(42)).await,
        Err(StoreError::NotFound { entity: Entity::Plan, ref id }) if id == "42"
    ));
}

async fn a_failed_insert_leaves_the_database_unchanged(db: TestDatabase) {
    let store = open(&db).await;
    store.insert_plan(&seed(), None).await.unwrap();
    // Make the last statement of the insert fail: everything before it must roll back.
    on_conn!(store.conn().await.unwrap(), |pool| {
        sqlx::query("DROP TABLE plan_signatures")
            .execute(&mut *pool)
            .await
            .unwrap();
    });
    let mut draft = seed().into_draft();
    draft.entity = "Otra entidad".into();
    let other = Plan::try_from_draft(draft).unwrap();
    assert!(store.insert_plan(&other, None).await.is_err());
    assert_eq!(store.counts().await.unwrap(), (1, 15));
    let entities: i64 = on_conn!(store.conn().await.unwrap(), |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM entities")
            .fetch_one(&mut *pool)
            .await
            .unwrap()
    });
    assert_eq!(entities, 1);
}

async fn reconnecting_keeps_data_and_schema(db: TestDatabase) {
    let store = open(&db).await;
    let id = store.insert_plan(&seed(), None).await.unwrap();
    store.close().await;
    let again = open(&db).await;
    assert_eq!(again.plan(id).await.unwrap(), seed());
    let expected = if db.url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    assert_eq!(again.backend(), expected);
}

async fn plans_without_optional_parts_read_back_equal(db: TestDatabase) {
    let store = open(&db).await;
    let mut draft = seed().into_draft();
    draft.signatures.clear();
    draft.version = None;
    draft
        .objectives
        .push("Segundo objetivo con «comillas» y acentos: ñ, ü".into());
    draft.legal_framework = participa_domain::LegalFramework::from_text("Sin normas citadas");
    let plan = Plan::try_from_draft(draft).unwrap();
    let id = store.insert_plan(&plan, None).await.unwrap();
    assert_eq!(store.plan(id).await.unwrap(), plan);
}

#[tokio::test]
async fn sqlite_file_is_created_with_a_wal_journal() {
    let db = testing::sqlite();
    let store = open(&db).await;
    let path = db.url.trim_start_matches("sqlite://");
    assert!(std::path::Path::new(path).exists());
    let mode: String = on_conn!(store.conn().await.unwrap(), |pool| {
        sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *pool)
            .await
            .unwrap()
    });
    assert_eq!(mode, "wal");
}

/// The second wall between entities (migration 0025): on PostgreSQL, a query that
/// forgets its entity filter still sees, changes and adds nothing of another entity,
/// and a connection with no scope sees nothing at all. The suite connects as an
/// ordinary role (scripts/pg-temp.sh), as production must, so the wall is real here.
#[tokio::test]
async fn postgres_row_security_hides_other_entities_from_a_query_without_its_filter() {
    use participa_store::EntityData;
    let db = testing::postgres().await;
    let a = open(&db).await;
    assert!(
        a.row_security_applies().await.unwrap(),
        "the tests must connect as a role that row-level security binds (not a superuser)"
    );
    admin(&a, "ana", Role::Admin).await;
    a.insert_plan(&seed(), None).await.unwrap();
    let b_id = a
        .add_entity(
            &EntityData {
                slug: "alcaldia-tunja".into(),
                name: "Alcaldía de Tunja".into(),
                ..Default::default()
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let b = a.for_entity(b_id);
    admin(&b, "berta", Role::Admin).await;
    admin(&b, "bruno", Role::Auditor).await;
    let count = |store: &Store, table: &'static str| {
        let store = store.clone();
        async move {
            on_conn!(store.conn().await.unwrap(), |conn| {
                sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap()
            })
        }
    };
    // No WHERE at all: each entity's connection counts its own rows only.
    assert_eq!(count(&a, "plans").await, 1);
    assert_eq!(count(&b, "plans").await, 0);
    assert_eq!(count(&a, "users").await, 1);
    assert_eq!(count(&b, "users").await, 2);
    let audit_a = count(&a, "audit_log").await;
    assert!(audit_a >= 2, "{audit_a}");
    // An UPDATE and a DELETE without a filter touch nothing of A.
    let (updated, deleted) = on_conn!(b.conn().await.unwrap(), |conn| {
        let u = sqlx::query("UPDATE users SET full_name = 'cambiado'")
            .execute(&mut *conn)
            .await
            .unwrap()
            .rows_affected();
        let d = sqlx::query("DELETE FROM plans")
            .execute(&mut *conn)
            .await
            .unwrap()
            .rows_affected();
        (u, d)
    });
    assert_eq!((updated, deleted), (2, 0));
    assert_eq!(count(&a, "plans").await, 1);
    let ana = a.users().await.unwrap();
    assert_eq!(ana[0].full_name, "ana full");
    // A row written for another entity is refused.
    let a_id = a.entity_id();
    let refused = on_conn!(b.conn().await.unwrap(), |conn| {
        sqlx::query(
            "INSERT INTO suggestions (code, category, text, status, created_at, due_on, \
             updated_at, entity_id) \
             VALUES ('SG-X', 'vivienda', 'texto', 'recibida', now(), current_date, now(), $1)",
        )
        .bind(a_id)
        .execute(&mut *conn)
        .await
        .unwrap_err()
        .to_string()
    });
    assert!(refused.contains("row-level security"), "{refused}");
    // The deployment's own housekeeping sees every entity on purpose: expired sessions
    // of B are purged through A's store.
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    b.session_save("sesion-vencida-b", "{}", past, &SessionMeta::default())
        .await
        .unwrap();
    assert_eq!(count(&b, "sessions").await, 1);
    assert_eq!(a.sessions_purge_expired().await.unwrap(), 1);
    assert_eq!(count(&b, "sessions").await, 0);
    // A connection straight from the pool, with no scope set, sees nothing.
    let participa_store::Db::Postgres(pool) = a.db() else {
        unreachable!("a PostgreSQL store")
    };
    let mut raw = pool.acquire().await.unwrap();
    sqlx::query("SELECT set_config('participa.entities', '', false)")
        .execute(&mut *raw)
        .await
        .unwrap();
    for table in ["plans", "users", "audit_log", "sessions"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut *raw)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} without a scope");
    }
}

#[tokio::test]
async fn unknown_url_schemes_are_refused() {
    let err = Store::connect("mysql://x").await.unwrap_err();
    assert!(err.to_string().contains("no admitida"), "{err}");
}

#[test]
fn both_backends_have_the_same_migrations() {
    let names = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
        v.sort();
        v
    };
    assert!(!names("sqlite").is_empty());
    assert_eq!(names("sqlite"), names("postgres"));
}

async fn admin(store: &Store, name: &str, role: Role) -> Actor {
    let full_name = format!("{name} full");
    let id = testing::create_user(store, name, &full_name, role, &[], "hash").await;
    Actor {
        user_id: Some(id),
        username: name.into(),
        address: Some("127.0.0.1".into()),
    }
}

fn edit<'a>(actor: &'a Actor, id: PlanId) -> Change<'a> {
    Change {
        actor,
        action: AuditAction::ActivityUpdate,
        plan_id: Some(id.0),
        subject: "actividad 1".into(),
        before: Some("antes".into()),
        after: Some("después".into()),
    }
}

async fn a_plan_goes_through_its_lifecycle_and_a_change_after_publishing_opens_version_2(
    db: TestDatabase,
) {
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let sec = admin(&store, "sec", Role::Approver).await;
    let plan = seed();
    let id = store
        .create_plan(&plan, Some("seed.txt"), &ana)
        .await
        .unwrap();
    assert_eq!(
        store.plan_state(id).await.unwrap().status,
        PlanStatus::Draft
    );
    assert!(store.published_plan(id).await.unwrap().is_none());

    let mut draft = plan.clone().into_draft();
    draft.activities[0].deliverable = "Plan ajustado".into();
    let changed = participa_domain::Plan::try_from_draft(draft).unwrap();
    let saved = store
        .save_plan(id, &changed, None, &edit(&ana, id))
        .await
        .unwrap();
    assert_eq!((saved.version, saved.new_version), (1, false));

    // The coverage check stands between a draft and its consolidation.
    let refused = store
        .transition(id, Transition::Consolidate, None, &ana)
        .await;
    match refused {
        Err(StoreError::FindingsPending(codes)) => {
            assert!(
                codes.contains(&"NORMA:Ley 1750 de 2015".to_string()),
                "{codes:?}"
            )
        }
        other => panic!("consolidated with pending findings: {other:?}"),
    }
    let blank = store
        .accept_finding(id, "NORMA:Ley 1750 de 2015", "  ", &ana)
        .await;
    assert!(
        matches!(blank, Err(StoreError::JustificationRequired)),
        "{blank:?}"
    );
    let unknown = store.accept_finding(id, "NO:EXISTE", "x", &ana).await;
    assert!(
        matches!(
            unknown,
            Err(StoreError::NotFound {
                entity: Entity::Finding,
                ..
            })
        ),
        "{unknown:?}"
    );
    accept_all_findings(&store, id).await;
    assert!(store.coverage(id).await.unwrap().pending().is_empty());
    store
        .transition(id, Transition::Consolidate, None, &ana)
        .await
        .unwrap();
    let late = store
        .accept_finding(id, "NORMA:Ley 1750 de 2015", "x", &ana)
        .await;
    assert!(matches!(late, Err(StoreError::Locked(_))), "{late:?}");
    store
        .transition(id, Transition::Review, None, &ana)
        .await
        .unwrap();
    let missing = store.transition(id, Transition::Approve, None, &sec).await;
    assert!(
        matches!(missing, Err(StoreError::ActaRequired)),
        "{missing:?}"
    );
    let acta = Acta {
        number: "012".into(),
        date: chrono::NaiveDate::from_ymd_opt(2025, 1, 28).unwrap(),
    };
    store
        .transition(id, Transition::Approve, Some(&acta), &sec)
        .await
        .unwrap();
    store
        .transition(id, Transition::Publish, None, &ana)
        .await
        .unwrap();
    let public = store.published_plan(id).await.unwrap().unwrap();
    assert_eq!(public.version, 1);
    assert_eq!(public.plan, changed);

    let no_reason = store
        .save_plan(id, &plan, Some("  "), &edit(&ana, id))
        .await;
    assert!(
        matches!(no_reason, Err(StoreError::ReasonRequired)),
        "{no_reason:?}"
    );
    let saved = store
        .save_plan(id, &plan, Some("Ajuste de fechas"), &edit(&ana, id))
        .await
        .unwrap();
    assert_eq!((saved.version, saved.new_version), (2, true));
    // The acceptances travel with the plan into its new version.
    let v2 = store.coverage(id).await.unwrap();
    assert_eq!(v2.version, 2);
    assert!(v2.pending().is_empty(), "{:?}", v2.pending());
    assert_eq!(
        v2.items[0].acceptance.as_ref().unwrap().justification,
        "Aceptado para la prueba"
    );
    assert_eq!(store.plan(id).await.unwrap(), plan);
    // The public still sees version 1 until version 2 is published.
    assert_eq!(store.published_plan(id).await.unwrap().unwrap().version, 1);
    assert_eq!(store.version_plan(id, 1).await.unwrap(), changed);
    assert_eq!(store.version_plan(id, 2).await.unwrap(), plan);

    let versions = store.versions(id).await.unwrap();
    assert_eq!(versions.len(), 2);
    let v1 = &versions[0];
    assert_eq!(v1.status, PlanStatus::Published);
    assert_eq!(
        v1.consolidated.as_ref().unwrap().by.as_deref(),
        Some("ana full")
    );
    assert_eq!(
        v1.approved.as_ref().unwrap().by.as_deref(),
        Some("sec full")
    );
    assert_eq!(v1.acta_number.as_deref(), Some("012"));
    assert_eq!(versions[1].reason, "Ajuste de fechas");
    assert_eq!(versions[1].status, PlanStatus::Draft);
    let list = store.plans().await.unwrap();
    assert_eq!((list[0].version, list[0].status), (2, PlanStatus::Draft));
    assert_eq!(store.published_plans().await.unwrap().len(), 1);
}

async fn a_plan_under_review_is_locked_and_steps_cannot_be_skipped(db: TestDatabase) {
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let plan = seed();
    let id = store.create_plan(&plan, None, &ana).await.unwrap();
    let skip = store.transition(id, Transition::Publish, None, &ana).await;
    assert!(matches!(skip, Err(StoreError::Lifecycle(_))), "{skip:?}");
    accept_all_findings(&store, id).await;
    store
        .transition(id, Transition::Consolidate, None, &ana)
        .await
        .unwrap();
    let locked = store.save_plan(id, &plan, Some("x"), &edit(&ana, id)).await;
    assert!(
        matches!(locked, Err(StoreError::Locked(PlanStatus::Consolidated))),
        "{locked:?}"
    );
    store
        .transition(id, Transition::ReturnToDraft, None, &ana)
        .await
        .unwrap();
    let v = &store.versions(id).await.unwrap()[0];
    assert_eq!(v.status, PlanStatus::Draft);
    assert!(v.consolidated.is_none());
    store
        .save_plan(id, &plan, None, &edit(&ana, id))
        .await
        .unwrap();
}

async fn users_are_created_listed_updated_and_names_are_unique(db: TestDatabase) {
    let store = open(&db).await;
    let system = Actor::system();
    let change = |s: &str| Change {
        actor: &system,
        action: AuditAction::UserCreate,
        plan_id: None,
        subject: s.into(),
        before: None,
        after: None,
    };
    let mut data = UserData {
        username: "rep".into(),
        full_name: "Reportera".into(),
        role: Role::Reporter,
        active: true,
        offices: vec![
            OfficeCode::parse("ARCOM").unwrap(),
            OfficeCode::parse("OAPLA").unwrap(),
        ],
        email: Some("rep@cajahonor.gov.co".into()),
        position: String::new(),
    };
    let id = store
        .create_user(&data, "h1", PasswordOrigin::Temporary, &change("rep"))
        .await
        .unwrap();
    let again = store
        .create_user(&data, "h2", PasswordOrigin::Chosen, &change("rep"))
        .await;
    assert!(
        matches!(again, Err(StoreError::UsernameTaken(ref n)) if n == "rep"),
        "{again:?}"
    );
    let (user, hash) = store.user_for_login("rep").await.unwrap().unwrap();
    assert_eq!(hash, "h1");
    assert_eq!(user.offices.len(), 2);
    assert_eq!(user.email.as_deref(), Some("rep@cajahonor.gov.co"));
    data.active = false;
    data.offices.truncate(1);
    store.update_user(id, &data, &change("rep")).await.unwrap();
    store
        .set_password(id, "h3", PasswordOrigin::Temporary, &change("rep"))
        .await
        .unwrap();
    let u = store.user(id).await.unwrap().unwrap();
    assert!(!u.active);
    assert_eq!(u.offices, vec![OfficeCode::parse("ARCOM").unwrap()]);
    assert_eq!(store.user_for_login("rep").await.unwrap().unwrap().1, "h3");
    assert_eq!(store.users().await.unwrap().len(), 1);
    assert_eq!(store.user_count().await.unwrap(), 1);
}

async fn sessions_expire_and_can_be_deleted(db: TestDatabase) {
    let store = open(&db).await;
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    let none = SessionMeta::default();
    assert!(store.session_create("a", "{}", later, &none).await.unwrap());
    assert!(!store.session_create("a", "{}", later, &none).await.unwrap());
    store
        .session_save("a", "{\"x\":1}", later, &none)
        .await
        .unwrap();
    assert_eq!(
        store.session_load("a").await.unwrap().as_deref(),
        Some("{\"x\":1}")
    );
    store.session_save("old", "{}", past, &none).await.unwrap();
    assert_eq!(store.session_load("old").await.unwrap(), None);
    assert_eq!(store.sessions_purge_expired().await.unwrap(), 1);
    store.session_delete("a").await.unwrap();
    assert_eq!(store.session_load("a").await.unwrap(), None);
}

async fn the_site_update_date_moves_with_the_entitys_changes_not_with_sign_ins(db: TestDatabase) {
    let store = open(&db).await;
    assert_eq!(store.site_updates_since(0).await.unwrap(), (0, None));
    let ana = admin(&store, "ana", Role::Admin).await;
    // Creating an account is not a change to the site.
    let (seen, at) = store.site_updates_since(0).await.unwrap();
    assert!(seen > 0);
    assert_eq!(at, None);
    store.create_plan(&seed(), None, &ana).await.unwrap();
    let (after_plan, created) = store.site_updates_since(seen).await.unwrap();
    assert!(after_plan > seen);
    let created = created.expect("a new plan updates the site");
    store
        .record(&account_change(&ana, AuditAction::Login))
        .await
        .unwrap();
    let (after_login, at) = store.site_updates_since(after_plan).await.unwrap();
    assert!(after_login > after_plan);
    assert_eq!(at, None, "a sign-in moved the date");
    // Nothing new: the id stays where it was.
    assert_eq!(
        store.site_updates_since(after_login).await.unwrap(),
        (after_login, None)
    );
    // From the start, the latest change is still the plan's creation.
    assert_eq!(
        store.site_updates_since(0).await.unwrap(),
        (after_login, Some(created))
    );
}

async fn the_audit_log_is_append_only_and_filterable(db: TestDatabase) {
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let id = store.create_plan(&seed(), None, &ana).await.unwrap();
    store
        .save_plan(id, &seed(), None, &edit(&ana, id))
        .await
        .unwrap();
    let mine = store
        .audit_entries(&AuditFilter {
            user_id: ana.user_id,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].action.code(), "activity.update");
    assert_eq!(mine[0].address.as_deref(), Some("127.0.0.1"));
    assert_eq!(mine[0].before.as_deref(), Some("antes"));
    let by_plan = store
        .audit_entries(&AuditFilter {
            plan_id: Some(id.0),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_plan.len(), 2);
    let edits = store
        .audit_entries(&AuditFilter {
            action: Some(AuditAction::ActivityUpdate),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].action.label(), "Modificó una actividad");
    let tomorrow = chrono::Utc::now().date_naive().succ_opt().unwrap();
    let none = store
        .audit_entries(&AuditFilter {
            from: Some(tomorrow),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
    let all = store.audit_entries(&AuditFilter::default()).await.unwrap();
    assert_eq!(all.len(), 3, "user creation, plan creation, edit");
    let (upd, del) = on_conn!(store.conn().await.unwrap(), |pool| {
        (
            sqlx::query("UPDATE audit_log SET subject = 'x'")
                .execute(&mut *pool)
                .await
                .is_err(),
            sqlx::query("DELETE FROM audit_log")
                .execute(&mut *pool)
                .await
                .is_err(),
        )
    });
    assert!(upd && del, "the audit log refused neither change");
    assert_eq!(
        store
            .audit_entries(&AuditFilter::default())
            .await
            .unwrap()
            .len(),
        3
    );
}

async fn holiday_overrides_change_the_calendar_and_keep_their_history(db: TestDatabase) {
    use participa_domain::Override;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 9, 14).unwrap();
    assert!(store.calendar().await.unwrap().is_business_day(day));
    let add = Override::Add {
        date: day,
        name: "Día cívico".into(),
    };
    store
        .override_holiday(&add, "Decreto de día cívico", &ana)
        .await
        .unwrap();
    assert!(!store.calendar().await.unwrap().is_business_day(day));
    store
        .override_holiday(&Override::Remove { date: day }, "Decreto derogado", &ana)
        .await
        .unwrap();
    assert!(store.calendar().await.unwrap().is_business_day(day));
    let history = store.holiday_overrides().await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].change, add);
    assert_eq!(history[0].by.as_deref(), Some("ana full"));
    let log = store.audit_entries(&AuditFilter::default()).await.unwrap();
    assert_eq!(log[0].action.code(), "calendar.remove_holiday");
    assert_eq!(log[1].action.code(), "calendar.add_holiday");
}

async fn a_changed_parameter_changes_the_deadlines_computed_from_it(db: TestDatabase) {
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let calendar = store.calendar().await.unwrap();
    let received = d("2026-03-02");
    let term = store.term("peticion.general", received).await.unwrap();
    assert_eq!(term.value, 15);
    assert_eq!(term.deadline(&calendar, received), Some(d("2026-03-24")));
    store
        .set_parameter(
            "peticion.general",
            20,
            d("2026-03-01"),
            "Ley hipotética que amplía el término",
            &ana,
        )
        .await
        .unwrap();
    let term = store.term("peticion.general", received).await.unwrap();
    assert_eq!(term.value, 20);
    assert_eq!(term.deadline(&calendar, received), Some(d("2026-03-31")));
    // Before the date it applies from, the old value still holds.
    assert_eq!(
        store
            .term("peticion.general", d("2026-02-27"))
            .await
            .unwrap()
            .value,
        15
    );
    let bad = store
        .set_parameter("peticion.general", -3, d("2026-03-01"), "x", &ana)
        .await;
    assert!(
        matches!(bad, Err(StoreError::InvalidParameter { .. })),
        "{bad:?}"
    );
    let unknown = store.term("no.existe", received).await;
    assert!(matches!(unknown, Err(StoreError::UnknownParameter(_))));
    let history = store.parameter_history().await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].by.as_deref(), Some("ana full"));
    let log = store.audit_entries(&AuditFilter::default()).await.unwrap();
    assert_eq!(log[0].action.code(), "parameter.set");
    assert_eq!(log[0].before.as_deref(), Some("15 días hábiles"));
}

async fn what_an_entitys_table_says_beyond_the_fields_is_kept_and_its_goals_become_indicators(
    db: TestDatabase,
) {
    use participa_domain::ActivityDetails;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let mut draft = seed().into_draft();
    draft.activities[0].details = ActivityDetails {
        external_id: "PPC-2025-01".into(),
        label: "1.1".into(),
        schedule: "5 al 14 de febrero de 2025".into(),
        goal: "4 talleres".into(),
        indicator: "Talleres realizados".into(),
        component: "Información".into(),
        extra: vec![("Presupuesto".into(), "$8.000.000".into())],
    };
    draft.activities[1].details.goal = "Informe publicado".into();
    let plan = Plan::try_from_draft(draft).unwrap();
    let id = store
        .create_plan(&plan, Some("plan.tsv"), &ana)
        .await
        .unwrap();
    assert_eq!(store.plan(id).await.unwrap(), plan);
    assert_eq!(store.version_plan(id, 1).await.unwrap(), plan);
    // «4 talleres» declares an indicator; «Informe publicado» has no figure: none.
    let indicators = store.followup(id).await.unwrap().indicators;
    assert_eq!(indicators.len(), 1);
    let i = &indicators[0];
    assert_eq!(i.activity, 1);
    assert_eq!(
        (
            i.indicator.name.as_str(),
            i.indicator.unit.as_str(),
            i.indicator.target
        ),
        ("Talleres realizados", "talleres", 4.0)
    );
    // Saved again with a change elsewhere, the details stay.
    let mut draft = plan.clone().into_draft();
    draft.activities[2].deliverable = "Piezas de divulgación".into();
    let changed = Plan::try_from_draft(draft).unwrap();
    store
        .save_plan(id, &changed, None, &edit(&ana, id))
        .await
        .unwrap();
    assert_eq!(
        store.plan(id).await.unwrap().activities[0].details,
        plan.activities[0].details
    );
}

async fn activity_tags_are_stored_and_read_back(db: TestDatabase) {
    use participa_domain::tagging::*;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let mut draft = seed().into_draft();
    draft.activities[3].tags = ActivityTags {
        phases: vec![CyclePhase::Evaluation],
        murc_stages: vec![MurcStage::Execution],
        murc_elements: vec![MurcElement::Dialogue, MurcElement::Information],
        value_groups: vec!["afiliados".into(), "veedurias".into()],
        influence: vec![InfluenceLevel::Consultation],
        channel: Some(Channel::Virtual),
        medium: "Facebook Live".into(),
        furag: vec!["PCI205".into(), "PCI218".into()],
        covers: vec![Component::HearingAnswers],
    };
    let plan = Plan::try_from_draft(draft).unwrap();
    let id = store.create_plan(&plan, None, &ana).await.unwrap();
    assert_eq!(store.plan(id).await.unwrap(), plan);
    let mut draft = plan.clone().into_draft();
    draft.activities[3].tags.covers.clear();
    draft.activities[0].tags.phases = vec![CyclePhase::Diagnosis];
    let changed = Plan::try_from_draft(draft).unwrap();
    store
        .save_plan(id, &changed, None, &edit(&ana, id))
        .await
        .unwrap();
    assert_eq!(store.plan(id).await.unwrap(), changed);
    assert_eq!(store.version_plan(id, 1).await.unwrap(), changed);
}

async fn the_value_group_catalogue_starts_from_the_defaults_and_is_editable(db: TestDatabase) {
    use participa_store::ValueGroup;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let defaults = store.value_groups().await.unwrap();
    assert_eq!(
        defaults.len(),
        participa_domain::tagging::VALUE_GROUPS.len()
    );
    let new = ValueGroup {
        code: "reservistas".into(),
        name: "Reservistas de honor".into(),
        furag_group: "Ciudadanos / usuarios".into(),
    };
    store.set_value_group(&new, &ana).await.unwrap();
    let renamed = ValueGroup {
        code: "academia".into(),
        name: "Academia y centros de investigación".into(),
        furag_group: "Academia".into(),
    };
    store.set_value_group(&renamed, &ana).await.unwrap();
    let all = store.value_groups().await.unwrap();
    assert_eq!(all.len(), defaults.len() + 1);
    assert!(all.contains(&new) && all.contains(&renamed));
    let log = store.audit_entries(&AuditFilter::default()).await.unwrap();
    assert_eq!(log[0].action.code(), "value_group.set");
    assert_eq!(log[0].before.as_deref(), Some("Academia → Academia"));
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";

fn progress(percent: f64, narrative: &str) -> participa_domain::followup::ProgressInput {
    participa_domain::followup::ProgressInput {
        percent,
        narrative: narrative.into(),
        ..Default::default()
    }
}

async fn a_report_is_returned_resubmitted_accepted_and_locked_when_the_period_closes(
    db: TestDatabase,
) {
    use participa_domain::followup::{
        Aggregation, Decision, Indicator, ReportState, ReviewInput, Sufficiency,
    };
    use participa_store::{check_evidence, FollowupError, NewReport, Objects};
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let oci = admin(&store, "oci", Role::Auditor).await;
    let carlos = admin(&store, "carlos", Role::Reporter).await;
    let id = store.create_plan(&seed(), None, &ana).await.unwrap();
    let fresh = store.followup(id).await.unwrap();
    assert_eq!(fresh.settings, participa_store::FollowupSettings::default());
    assert!(fresh.reports.is_empty());
    let participants =
        Indicator::new("Participantes", "personas", 500.0, Aggregation::Sum).unwrap();
    let ind = store
        .add_indicator(id, 6, &participants, &ana)
        .await
        .unwrap();
    let objects = Objects::memory();
    let evidence = check_evidence("asistencia.pdf", PDF.to_vec(), 1 << 20).unwrap();
    let sha = evidence.sha256.clone();
    let first = NewReport {
        plan_id: id,
        activity: 6,
        period: 1,
        input: progress(40.0, "Feria de servicios en Bogotá"),
        figures: vec![(ind, 120.0)],
        evidence: vec![evidence],
        correction: None,
    };
    store
        .submit_report(first.clone(), &objects, &carlos)
        .await
        .unwrap();
    let f = store.followup(id).await.unwrap();
    assert_eq!(f.state(6, 1), Some(ReportState::Submitted));
    assert_eq!(f.reports[0].evidence[0].sha256, sha);
    assert_eq!(f.reports[0].by.as_deref(), Some("carlos full"));
    let key = f.reports[0].evidence[0].object_key.clone();
    assert_eq!(objects.get(&key).await.unwrap(), PDF);

    let back = ReviewInput {
        decision: Decision::Return,
        verified_percent: None,
        sufficiency: Sufficiency::Partial,
        observations: "Falta la lista de asistencia firmada".into(),
        recommendations: String::new(),
    };
    assert_eq!(
        store.review_report(id, 6, 1, &back, &oci).await.unwrap(),
        ReportState::Returned
    );
    let again = NewReport {
        input: progress(45.0, "Feria de servicios con lista firmada"),
        evidence: vec![],
        figures: vec![(ind, 130.0)],
        ..first.clone()
    };
    store.submit_report(again, &objects, &carlos).await.unwrap();
    let accept = ReviewInput {
        decision: Decision::Accept,
        verified_percent: Some(35.0),
        sufficiency: Sufficiency::Yes,
        observations: "Verificado contra la lista".into(),
        recommendations: "Publicar la relatoría".into(),
    };
    store.review_report(id, 6, 1, &accept, &oci).await.unwrap();
    let f = store.followup(id).await.unwrap();
    assert_eq!(f.state(6, 1), Some(ReportState::Accepted));
    assert_eq!(f.submissions(6, 1).len(), 2);
    // The reported percent is kept apart from the verified one, which rules the status.
    assert_eq!(f.reported(6), Some(45.0));
    assert_eq!(f.verified(6), Some(35.0));
    assert_eq!(f.progress(6), Some(35.0));
    assert_eq!(
        f.reports[0].reviews[0].observations,
        "Falta la lista de asistencia firmada"
    );
    assert_eq!(f.figures(&f.indicators[0]), vec![130.0]);

    // Weights must sum to 100; a cancelled activity keeps its justification.
    let bad = store.set_weights(id, &[(6, 50.0), (7, 40.0)], &ana).await;
    assert!(matches!(bad, Err(StoreError::Followup(_))));
    assert!(bad.unwrap_err().to_string().contains("suman 90"));
    let all: Vec<(u32, f64)> = (1..=15)
        .map(|n| (n, if n == 6 { 30.0 } else { 5.0 }))
        .collect();
    store.set_weights(id, &all, &ana).await.unwrap();
    assert_eq!(
        store.followup(id).await.unwrap().weights.get(&6),
        Some(&30.0)
    );
    use participa_domain::followup::ManualStatus;
    let blank = store
        .set_manual_status(id, 12, Some(ManualStatus::Cancelled), " ", &ana)
        .await;
    assert!(matches!(blank, Err(StoreError::Followup(_))));
    store
        .set_manual_status(
            id,
            12,
            Some(ManualStatus::Cancelled),
            "Sin presupuesto para ferias",
            &ana,
        )
        .await
        .unwrap();
    let m = store.followup(id).await.unwrap().manual[&12].clone();
    assert_eq!(
        (m.status, m.justification.as_str()),
        (Some(ManualStatus::Cancelled), "Sin presupuesto para ferias")
    );
    store
        .set_manual_status(id, 12, None, "Se consiguió el presupuesto", &ana)
        .await
        .unwrap();
    assert_eq!(store.followup(id).await.unwrap().manual[&12].status, None);

    // After the period closes nothing of it changes.
    store.close_period(id, 1, &oci).await.unwrap();
    assert!(matches!(
        store.close_period(id, 1, &oci).await,
        Err(StoreError::Followup(FollowupError::AlreadyClosed(1)))
    ));
    let late = NewReport {
        activity: 7,
        ..first.clone()
    };
    let refused = store.submit_report(late, &objects, &carlos).await;
    assert!(
        matches!(refused, Err(StoreError::Followup(FollowupError::Review(_)))),
        "{refused:?}"
    );
    assert!(refused.unwrap_err().to_string().contains("cerrado"));
    let review_late = store.review_report(id, 6, 1, &accept, &oci).await;
    assert!(matches!(review_late, Err(StoreError::Followup(_))));
    // A documented correction is the only way in, with its reason; an open period
    // takes reports, not corrections.
    let fix = |reason: &str, period: u32| NewReport {
        input: progress(50.0, "Se sumó la feria de Cali"),
        evidence: vec![],
        figures: vec![],
        period,
        correction: Some(reason.to_string()),
        ..first.clone()
    };
    let no_reason = store.submit_report(fix(" ", 1), &objects, &carlos).await;
    assert!(
        matches!(&no_reason, Err(StoreError::Followup(_))),
        "{no_reason:?}"
    );
    assert!(no_reason
        .unwrap_err()
        .to_string()
        .contains("necesita su motivo"));
    let open = store.submit_report(fix("x", 2), &objects, &carlos).await;
    assert!(matches!(&open, Err(StoreError::Followup(_))), "{open:?}");
    assert!(open.unwrap_err().to_string().contains("está abierto"));
    store
        .submit_report(fix("Faltó la feria de Cali", 1), &objects, &carlos)
        .await
        .unwrap();
    let f = store.followup(id).await.unwrap();
    let last = f.latest(6, 1).unwrap();
    assert_eq!(last.correction.as_deref(), Some("Faltó la feria de Cali"));
    assert_eq!(f.submissions(6, 1)[1].correction, None);
    // History cannot be rewritten in the database either.
    let (upd, del) = on_conn!(store.conn().await.unwrap(), |pool| {
        (
            sqlx::query("UPDATE progress_reports SET percent = 100")
                .execute(&mut *pool)
                .await
                .is_err(),
            sqlx::query("DELETE FROM evidence")
                .execute(&mut *pool)
                .await
                .is_err(),
        )
    });
    assert!(upd && del, "follow-up history was rewritable");
    let actions: Vec<String> = store
        .audit_entries(&AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action.code().to_string())
        .collect();
    for a in [
        "progress.submit",
        "progress.review",
        "period.close",
        "indicator.create",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} not audited");
    }
}

async fn refused_submissions_leave_no_file_and_no_row(db: TestDatabase) {
    use participa_store::{check_evidence, FollowupError, NewReport, Objects};
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let id = store.create_plan(&seed(), None, &ana).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let objects = Objects::local(dir.path()).unwrap();
    let base = NewReport {
        plan_id: id,
        activity: 3,
        period: 1,
        input: progress(50.0, "Audiencia preparada"),
        figures: vec![],
        evidence: vec![check_evidence("acta.pdf", PDF.to_vec(), 1 << 20).unwrap()],
        correction: None,
    };
    store
        .submit_report(base.clone(), &objects, &ana)
        .await
        .unwrap();
    // Going down without a justification, or a figure of another activity's indicator.
    let down = NewReport {
        input: progress(30.0, "Se repite"),
        ..base.clone()
    };
    let e = store.submit_report(down, &objects, &ana).await.unwrap_err();
    assert!(matches!(e, StoreError::Followup(_)), "{e:?}");
    assert!(e.to_string().contains("justifique la disminución"), "{e}");
    let foreign = NewReport {
        figures: vec![(999, 1.0)],
        ..base.clone()
    };
    assert!(matches!(
        store.submit_report(foreign, &objects, &ana).await,
        Err(StoreError::Followup(FollowupError::NoSuchIndicator(999)))
    ));
    // 100 % needs evidence somewhere in the activity's reports: activity 4 has none.
    let done = NewReport {
        activity: 4,
        input: progress(100.0, "Hecho"),
        evidence: vec![],
        ..base.clone()
    };
    let e = store.submit_report(done, &objects, &ana).await.unwrap_err();
    assert!(matches!(e, StoreError::Followup(_)), "{e:?}");
    assert!(e.to_string().contains("al menos una evidencia"), "{e}");
    let f = store.followup(id).await.unwrap();
    assert_eq!(f.reports.len(), 1);
    let files = walk(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
}

/// Issue 17, point 7: evidence on a real S3-compatible server (the one scripts/test.sh
/// starts): stored and read back byte for byte, under its entity's folder inside the
/// configured prefix, and a refused report leaves no object behind.
#[tokio::test]
async fn evidence_on_a_real_s3_server_is_kept_under_its_entity_and_a_refusal_leaves_nothing() {
    use participa_store::{check_evidence, EntityData, NewReport};
    let db = participa_store::testing::sqlite();
    let store = open(&db).await;
    let objects = participa_store::testing::s3();
    assert!(objects.keys().await.unwrap().is_empty(), "a fresh prefix");
    // The store itself: put, list, get, delete.
    objects
        .put("prueba/hola.txt", b"hola".to_vec())
        .await
        .unwrap();
    assert_eq!(
        objects.keys().await.unwrap(),
        vec!["prueba/hola.txt".to_string()]
    );
    assert_eq!(objects.get("prueba/hola.txt").await.unwrap(), b"hola");
    objects.delete("prueba/hola.txt").await.unwrap();
    assert!(objects.keys().await.unwrap().is_empty());

    // A second entity's report: its file goes under its own folder.
    let other = store
        .add_entity(
            &EntityData {
                slug: "alcaldia-tunja".into(),
                name: "Alcaldía de Tunja".into(),
                ..Default::default()
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let tunja = store.for_entity(other);
    let berta = admin(&tunja, "berta", Role::Admin).await;
    let plan = tunja.create_plan(&seed(), None, &berta).await.unwrap();
    let report = NewReport {
        plan_id: plan,
        activity: 3,
        period: 1,
        input: progress(50.0, "Audiencia preparada"),
        figures: vec![],
        evidence: vec![check_evidence("acta.pdf", PDF.to_vec(), 1 << 20).unwrap()],
        correction: None,
    };
    tunja
        .submit_report(report.clone(), &objects, &berta)
        .await
        .unwrap();
    let f = tunja.followup(plan).await.unwrap();
    let record = f.reports[0].evidence[0].clone();
    assert!(
        record
            .object_key
            .starts_with(&format!("entidad-{other}/evidencias/")),
        "{}",
        record.object_key
    );
    assert_eq!(
        objects.keys().await.unwrap(),
        vec![record.object_key.clone()]
    );
    assert_eq!(objects.get(&record.object_key).await.unwrap(), PDF);

    // Refused (going down without a justification): nothing more in the bucket.
    let down = NewReport {
        input: progress(30.0, "Se repite"),
        ..report.clone()
    };
    assert!(tunja.submit_report(down, &objects, &berta).await.is_err());
    assert_eq!(objects.keys().await.unwrap().len(), 1);

    // The configured prefix is a folder of the bucket: seen from the bucket's root, the
    // file is under it.
    let root = participa_store::testing::s3_at("s3://participa-pruebas");
    let everything = root.keys().await.unwrap();
    let full: Vec<&String> = everything
        .iter()
        .filter(|k| k.ends_with(&record.object_key))
        .collect();
    assert_eq!(full.len(), 1, "{everything:?}");
    assert_ne!(
        full[0], &record.object_key,
        "stored under the prefix: {}",
        full[0]
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

async fn suggestions_are_followed_by_code_answered_and_their_contact_erased(db: TestDatabase) {
    use participa_domain::participation::{
        Consent, ContactData, NewSuggestion, SuggestionStatus, TrackingCode,
    };
    use participa_store::SuggestionFilter;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let code = TrackingCode::from_random([1, 2, 3, 4, 5, 6, 7, 8]);
    let s = NewSuggestion::check("vivienda", "Más ferias de vivienda en Cali").unwrap();
    let contact = ContactData {
        name: "Ana Pérez".into(),
        email: "ana@correo.co".into(),
        phone: String::new(),
    };
    let consent = Consent {
        purpose: "Responder su sugerencia".into(),
        policy: "Política de tratamiento de datos, versión 3".into(),
    };
    let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
    store
        .create_suggestion(&code, &s, Some((&contact, &consent)), due)
        .await
        .unwrap();
    let again = store.create_suggestion(&code, &s, None, due).await;
    assert!(matches!(again, Err(StoreError::CodeTaken)), "{again:?}");
    let other = TrackingCode::from_random([9, 9, 9, 9, 9, 9, 9, 9]);
    let anonymous = NewSuggestion::check("otro", "Abrir la oficina los sábados").unwrap();
    store
        .create_suggestion(&other, &anonymous, None, due)
        .await
        .unwrap();

    let found = store.suggestion_by_code(&code).await.unwrap().unwrap();
    assert_eq!(found.status, SuggestionStatus::Received);
    assert_eq!(found.contact.as_ref().unwrap().email, "ana@correo.co");
    assert_eq!(found.consent.as_ref().unwrap().0, "Responder su sugerencia");
    assert_eq!(found.due_on, due);
    store
        .update_suggestion(
            found.id,
            SuggestionStatus::Answered,
            Some("Habrá feria en marzo"),
            &ana,
        )
        .await
        .unwrap();
    let answered = store.suggestion_by_code(&code).await.unwrap().unwrap();
    assert_eq!(answered.answer, "Habrá feria en marzo");
    assert_eq!(answered.answered_by.as_deref(), Some("ana full"));
    let filter = SuggestionFilter {
        status: Some(SuggestionStatus::Answered),
        category: None,
    };
    assert_eq!(store.suggestions(&filter).await.unwrap().len(), 1);
    assert_eq!(
        store
            .suggestions(&SuggestionFilter::default())
            .await
            .unwrap()
            .len(),
        2
    );

    assert!(store.erase_suggestion_contact(&code).await.unwrap());
    let erased = store.suggestion_by_code(&code).await.unwrap().unwrap();
    assert!(erased.contact.is_none());
    assert!(erased.erased_at.is_some());
    assert_eq!(
        erased.text, "Más ferias de vivienda en Cali",
        "the suggestion stays"
    );
}

async fn a_consultation_keeps_its_questions_and_responses(db: TestDatabase) {
    use participa_domain::participation::survey::{check_question, Condition, QuestionKind};
    use participa_store::ConsultationData;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let plan = store.create_plan(&seed(), None, &ana).await.unwrap();
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    let id = store
        .create_consultation(
            &ConsultationData {
                title: "Encuesta previa a la rendición de cuentas".into(),
                description: "Díganos qué temas quiere oír".into(),
                opens_on: day(3, 10),
                closes_on: day(4, 4),
                activity: Some((plan.0, 2)),
                kind: participa_domain::participation::ConsultationKind::Survey,
                identification: false,
            },
            &ana,
        )
        .await
        .unwrap();
    let mut qs = Vec::new();
    let q1 = check_question(
        &qs,
        "¿Ha usado el subsidio?",
        QuestionKind::from_code("unica", "Sí\nNo").unwrap(),
        true,
        None,
    )
    .unwrap();
    qs.push(q1);
    let cond = Some(Condition {
        question: 1,
        answer: "Sí".into(),
    });
    let q2 = check_question(
        &qs,
        "¿Cómo califica el trámite?",
        QuestionKind::Scale(Default::default()),
        true,
        cond,
    )
    .unwrap();
    qs.push(q2);
    let q3 = check_question(&qs, "¿Qué mejoraría?", QuestionKind::Text, false, None).unwrap();
    qs.push(q3);
    for q in &qs {
        store.add_consultation_question(id, q, &ana).await.unwrap();
    }
    let mut a = std::collections::BTreeMap::new();
    a.insert(1, vec!["Sí".to_string()]);
    a.insert(2, vec!["4".to_string()]);
    a.insert(3, vec!["Más horarios de atención".to_string()]);
    store.add_response(id, &a, None).await.unwrap();
    let mut b = std::collections::BTreeMap::new();
    b.insert(1, vec!["No".to_string()]);
    store.add_response(id, &b, None).await.unwrap();
    let c = store.consultation(id).await.unwrap();
    assert_eq!(c.questions, qs);
    assert_eq!(c.responses, 2);
    // The database counts: question 1 answered twice (Sí, No), question 2 once (4).
    let counts = store.answer_counts(id).await.unwrap();
    assert_eq!(counts[&1].0, 2);
    assert_eq!(counts[&1].1[&"Sí".to_string()], 1);
    assert_eq!(
        counts[&2],
        (1, [("4".to_string(), 1)].into_iter().collect())
    );
    // A free-text question is counted as answered, its values are not grouped.
    assert_eq!(counts[&3], (1, Default::default()));
    assert_eq!(
        store.open_answers(id, 3, 5).await.unwrap(),
        vec!["Más horarios de atención".to_string()]
    );
    assert_eq!(
        store.open_answers(id, 1, 1).await.unwrap(),
        vec!["No".to_string()]
    );
    let light = store.consultation_to_answer(id).await.unwrap();
    assert_eq!((light.questions, light.data), (qs.clone(), c.data.clone()));
    assert_eq!(light.responses, 0, "the answer path does not count");
    assert_eq!(c.data.activity, Some((plan.0, 2)));
    let r = store.responses(id).await.unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].answers, a);
    assert_eq!(r[1].answers, b);
    store
        .publish_consultation_results(id, true, &ana)
        .await
        .unwrap();
    assert!(store.consultation(id).await.unwrap().results_public);
}

async fn a_batch_of_responses_keeps_the_counts_a_recount_of_its_answers_gives(db: TestDatabase) {
    use participa_domain::participation::identity::check_document;
    use participa_domain::participation::survey::{check_question, QuestionKind};
    use participa_store::{ConsultationData, EntityData, NewResponse, StoreError};
    use std::collections::BTreeMap;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    let data = |title: &str, identification| ConsultationData {
        title: title.into(),
        description: String::new(),
        opens_on: day(3, 1),
        closes_on: day(3, 31),
        activity: None,
        kind: participa_domain::participation::ConsultationKind::Survey,
        identification,
    };
    let plain = store
        .create_consultation(&data("Abierta", false), &ana)
        .await
        .unwrap();
    let identified = store
        .create_consultation(&data("Con documento", true), &ana)
        .await
        .unwrap();
    let mut qs = Vec::new();
    for (text, kind) in [
        (
            "¿Qué canales usa?",
            QuestionKind::from_code("multiple", "Web\nTeléfono\nSede").unwrap(),
        ),
        (
            "¿Cómo califica la atención?",
            QuestionKind::Scale(Default::default()),
        ),
        ("¿Cuántas veces vino este año?", QuestionKind::Number),
        ("¿Qué mejoraría?", QuestionKind::Text),
    ] {
        let q = check_question(&qs, text, kind, false, None).unwrap();
        qs.push(q);
    }
    for q in &qs {
        store
            .add_consultation_question(plain, q, &ana)
            .await
            .unwrap();
    }
    // Another entity's consultation is not this store's to answer.
    let other = store
        .add_entity(
            &EntityData {
                slug: "alcaldia-tunja".into(),
                name: "Alcaldía de Tunja".into(),
                ..Default::default()
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let tunja = store.for_entity(other);
    let berta = admin(&tunja, "berta", Role::Admin).await;
    let theirs = tunja
        .create_consultation(&data("De Tunja", false), &berta)
        .await
        .unwrap();
    // 300 responses, spread over the options by a fixed rule, written in batches.
    let channels = ["Web", "Teléfono", "Sede"];
    let response = |i: usize| {
        let mut answers = BTreeMap::new();
        let chosen: Vec<String> = channels
            .iter()
            .enumerate()
            .filter(|(k, _)| (i >> k) & 1 == 1)
            .map(|(_, c)| c.to_string())
            .collect();
        if !chosen.is_empty() {
            answers.insert(1, chosen);
        }
        answers.insert(2, vec![(1 + i % 5).to_string()]);
        if i.is_multiple_of(3) {
            answers.insert(3, vec![(i % 7).to_string()]);
        }
        if i.is_multiple_of(4) {
            answers.insert(4, vec![format!("Comentario {i}")]);
        }
        NewResponse {
            consultation: plain,
            answers,
            identification: None,
        }
    };
    let all: Vec<NewResponse> = (0..300).map(response).collect();
    for batch in all.chunks(64) {
        for r in store.add_responses(batch).await {
            r.unwrap();
        }
    }
    // A batch mixing what must be refused with what must be kept: each gets its answer,
    // and the refused ones leave nothing.
    let doc = check_document("CC", "1020304050", true).unwrap();
    let person = |d: &participa_domain::participation::identity::Document| NewResponse {
        consultation: identified,
        answers: BTreeMap::new(),
        identification: Some((d.clone(), "Contar una respuesta por persona".into())),
    };
    let mixed = vec![
        person(&doc),
        person(&doc),
        NewResponse {
            consultation: theirs,
            ..response(1)
        },
        response(7),
    ];
    let out = store.add_responses(&mixed).await;
    assert_eq!(out.len(), 4);
    assert!(out[0].is_ok(), "{:?}", out[0]);
    assert!(
        matches!(out[1], Err(StoreError::AlreadyAnswered)),
        "{:?}",
        out[1]
    );
    assert!(
        matches!(out[2], Err(StoreError::NotFound { .. })),
        "{:?}",
        out[2]
    );
    assert!(out[3].is_ok(), "{:?}", out[3]);
    assert_eq!(store.consultation(identified).await.unwrap().responses, 1);
    assert_eq!(tunja.consultation(theirs).await.unwrap().responses, 0);
    // The kept counts are what grouping every stored answer gives.
    let c = store.consultation(plain).await.unwrap();
    assert_eq!(c.responses, 301);
    let counts = store.answer_counts(plain).await.unwrap();
    let mut recount: participa_store::AnswerCounts = BTreeMap::new();
    for r in store.responses(plain).await.unwrap() {
        for (q, values) in &r.answers {
            let entry = recount.entry(*q).or_default();
            entry.0 += 1;
            if *q != 4 {
                for v in values {
                    *entry.1.entry(v.clone()).or_default() += 1;
                }
            }
        }
    }
    assert_eq!(counts, recount);
    assert_eq!(counts[&2].1.values().sum::<usize>(), 301);
    assert_eq!(counts[&4], (75, BTreeMap::new()));
}

async fn every_connection_waits_for_the_disk_before_a_commit_returns(db: TestDatabase) {
    let store = open(&db).await;
    // Several connections held at once: each a different one of the pool.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(store.conn().await.unwrap());
    }
    for conn in &mut held {
        let setting: String = match conn {
            participa_store::Conn::Sqlite(c) => {
                let (n,): (i64,) = sqlx::query_as("PRAGMA synchronous")
                    .fetch_one(&mut **c)
                    .await
                    .unwrap();
                // 2 is FULL: the WAL is synced at every commit.
                if n == 2 {
                    "full".into()
                } else {
                    n.to_string()
                }
            }
            participa_store::Conn::Postgres(c) => {
                let (s,): (String,) = sqlx::query_as("SHOW synchronous_commit")
                    .fetch_one(&mut **c)
                    .await
                    .unwrap();
                if s == "on" {
                    "full".into()
                } else {
                    s
                }
            }
        };
        assert_eq!(setting, "full");
    }
}

async fn answers_submitted_at_once_are_committed_together_and_each_answered(db: TestDatabase) {
    use participa_domain::participation::identity::check_document;
    use participa_domain::participation::survey::{check_question, QuestionKind};
    use participa_store::{ConsultationData, NewResponse, StoreError};
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    let id = store
        .create_consultation(
            &ConsultationData {
                title: "Encuesta de satisfacción".into(),
                description: String::new(),
                opens_on: day(3, 1),
                closes_on: day(3, 31),
                activity: None,
                kind: participa_domain::participation::ConsultationKind::Survey,
                identification: true,
            },
            &ana,
        )
        .await
        .unwrap();
    let q = check_question(
        &[],
        "¿Cómo califica la atención?",
        QuestionKind::Scale(Default::default()),
        true,
        None,
    )
    .unwrap();
    store.add_consultation_question(id, &q, &ana).await.unwrap();
    // 200 citizens at once, and one of them twice.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..201u32 {
        let store = store.clone();
        tasks.spawn(async move {
            let person =
                check_document("CC", &format!("{}", 10_000_000 + i.min(199)), true).unwrap();
            let mut answers = std::collections::BTreeMap::new();
            answers.insert(1, vec![(1 + i % 5).to_string()]);
            store
                .submit_response(NewResponse {
                    consultation: id,
                    answers,
                    identification: Some((person, "Contar una respuesta por persona".into())),
                })
                .await
        });
    }
    let mut kept = std::collections::BTreeSet::new();
    let mut refused = 0;
    while let Some(done) = tasks.join_next().await {
        match done.unwrap() {
            Ok(id) => assert!(kept.insert(id), "each answer its own id"),
            Err(StoreError::AlreadyAnswered) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((kept.len(), refused), (200, 1));
    assert_eq!(store.consultation(id).await.unwrap().responses, 200);
    let counts = store.answer_counts(id).await.unwrap();
    assert_eq!(counts[&1].0, 200);
    assert_eq!(counts[&1].1.values().sum::<usize>(), 200);
    // Fewer transactions than answers: they were gathered.
    let stats = store.batch_stats();
    let batches = stats.batches.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        stats.answers.load(std::sync::atomic::Ordering::Relaxed),
        201
    );
    assert!(batches < 201, "{batches} batches for 201 answers");
    assert!(stats.largest.load(std::sync::atomic::Ordering::Relaxed) > 1);
}

async fn an_identified_survey_takes_one_answer_per_person_and_keeps_no_document(db: TestDatabase) {
    use participa_domain::participation::identity::check_document;
    use participa_store::{ConsultationData, Identification, StoreError};
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    let data = |title: &str| ConsultationData {
        title: title.into(),
        description: String::new(),
        opens_on: day(3, 1),
        closes_on: day(3, 31),
        activity: None,
        kind: participa_domain::participation::ConsultationKind::Survey,
        identification: true,
    };
    let first = store
        .create_consultation(&data("Primera"), &ana)
        .await
        .unwrap();
    let second = store
        .create_consultation(&data("Segunda"), &ana)
        .await
        .unwrap();
    assert!(store.consultation(first).await.unwrap().data.identification);
    let doc = check_document("CC", "1.020.304.050", true).unwrap();
    let same = check_document("CC", "1020304050", true).unwrap();
    let other = check_document("CC", "79000111", true).unwrap();
    let answers = std::collections::BTreeMap::new();
    let with = |d| {
        Some(Identification {
            document: d,
            purpose: "Contar una respuesta por persona",
        })
    };
    store
        .add_response(first, &answers, with(&doc))
        .await
        .unwrap();
    let again = store.add_response(first, &answers, with(&same)).await;
    assert!(
        matches!(again, Err(StoreError::AlreadyAnswered)),
        "{again:?}"
    );
    store
        .add_response(first, &answers, with(&other))
        .await
        .unwrap();
    // The same person answers another consultation: digests differ between them.
    store
        .add_response(second, &answers, with(&doc))
        .await
        .unwrap();
    assert_eq!(store.consultation(first).await.unwrap().responses, 2);
    let digests: Vec<(String, String)> = match store.db() {
        participa_store::Db::Sqlite(p) => sqlx::query_as(
            "SELECT identity, consent_purpose FROM consultation_responses ORDER BY id",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        participa_store::Db::Postgres(p) => sqlx::query_as(
            "SELECT identity, consent_purpose FROM consultation_responses ORDER BY id",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    };
    assert_eq!(digests.len(), 3);
    assert!(digests
        .iter()
        .all(|(d, _)| d.len() == 64 && !d.contains("1020304050")));
    assert_ne!(digests[0].0, digests[2].0, "same person, two consultations");
    assert_eq!(digests[0].1, "Contar una respuesta por persona");
}

/// (identity_key of the consultation, identity of each response): what a copy of the
/// database holds.
async fn identity_rows(store: &Store, consultation: i64) -> (String, Vec<String>) {
    on_conn!(store.conn().await.unwrap(), |pool| {
        let key: (String,) = sqlx::query_as("SELECT identity_key FROM consultations WHERE id = $1")
            .bind(consultation)
            .fetch_one(&mut *pool)
            .await
            .unwrap();
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT identity FROM consultation_responses WHERE consultation_id = $1 \
             AND identity IS NOT NULL ORDER BY id",
        )
        .bind(consultation)
        .fetch_all(&mut *pool)
        .await
        .unwrap();
        (key.0, rows.into_iter().map(|r| r.0).collect())
    })
}

fn identified_survey(title: &str) -> participa_store::ConsultationData {
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    participa_store::ConsultationData {
        title: title.into(),
        description: String::new(),
        opens_on: day(3, 1),
        closes_on: day(3, 31),
        activity: None,
        kind: participa_domain::participation::ConsultationKind::Survey,
        identification: true,
    }
}

fn answered_by(
    document: &participa_domain::participation::identity::Document,
) -> Option<participa_store::Identification<'_>> {
    Some(participa_store::Identification {
        document,
        purpose: "Contar una respuesta por persona",
    })
}

async fn a_copy_of_the_database_cannot_turn_a_document_into_its_digest(db: TestDatabase) {
    use participa_domain::participation::identity::check_document;
    use sha2::{Digest, Sha256};
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let id = store
        .create_consultation(&identified_survey("Encuesta"), &ana)
        .await
        .unwrap();
    let doc = check_document("CC", "1020304050", true).unwrap();
    let answers = std::collections::BTreeMap::new();
    store
        .add_response(id, &answers, answered_by(&doc))
        .await
        .unwrap();
    // Whoever holds a copy of the database has the consultation's key and the digest;
    // trying document numbers with it (the old scheme, or plain hashes) never gives the
    // digest: the secret it needs is not in the database.
    let (key, digests) = identity_rows(&store, id).await;
    assert_eq!(digests.len(), 1);
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let tries = [
        participa_store::legacy_identity_digest(&key, &doc),
        hex(&Sha256::digest(format!("{key}\n{}", doc.canonical()))),
        hex(&Sha256::digest(format!("{key}{}", doc.canonical()))),
        hex(&Sha256::digest(doc.canonical())),
        hex(&Sha256::digest("1020304050")),
    ];
    for t in &tries {
        assert_ne!(
            &digests[0], t,
            "a digest reproduced from the database alone"
        );
    }
    assert!(!digests[0].contains("1020304050"));
    // The same person is still refused a second answer.
    let again = store.add_response(id, &answers, answered_by(&doc)).await;
    assert!(
        matches!(again, Err(StoreError::AlreadyAnswered)),
        "{again:?}"
    );
    // A store opened without the secret takes no identified answers, and says why.
    let bare = Store::connect(&db.url).await.unwrap();
    let other = check_document("CC", "79000111", true).unwrap();
    let refused = bare.add_response(id, &answers, answered_by(&other)).await;
    assert!(
        matches!(refused, Err(StoreError::IdentitySecretMissing)),
        "{refused:?}"
    );
    bare.add_response(id, &answers, None).await.unwrap();
}

/// Writes a response the way databases before the identity secret did: the digest is
/// SHA-256 of the consultation's key and the document, and the consultation is marked
/// as not re-keyed (what the migration leaves on an existing row).
async fn old_scheme_response(
    store: &Store,
    consultation: i64,
    document: &participa_domain::participation::identity::Document,
) {
    let (key, _) = identity_rows(store, consultation).await;
    let digest = participa_store::legacy_identity_digest(&key, document);
    let now = chrono::Utc::now();
    on_conn!(store.conn().await.unwrap(), |pool| {
        sqlx::query("UPDATE consultations SET identity_rekeyed = FALSE WHERE id = $1")
            .bind(consultation)
            .execute(&mut *pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO consultation_responses (consultation_id, created_at, identity, consent_purpose, consent_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(consultation)
        .bind(now)
        .bind(&digest)
        .bind("Contar una respuesta por persona")
        .bind(now)
        .execute(&mut *pool)
        .await
        .unwrap();
    });
}

async fn an_old_database_is_rekeyed_once_and_still_refuses_the_same_person(db: TestDatabase) {
    use participa_domain::participation::identity::check_document;
    // The database as an older Participa left it: no secret, digests of the old scheme.
    let old = Store::connect(&db.url).await.unwrap();
    let system = Actor::system();
    let first = old
        .create_consultation(&identified_survey("Antes de la clave"), &system)
        .await
        .unwrap();
    let second = old
        .create_consultation(&identified_survey("Otra"), &system)
        .await
        .unwrap();
    let ana = check_document("CC", "1.020.304.050", true).unwrap();
    let luis = check_document("CE", "E-123456", true).unwrap();
    old_scheme_response(&old, first, &ana).await;
    old_scheme_response(&old, first, &luis).await;
    old_scheme_response(&old, second, &ana).await;
    let (key, before) = identity_rows(&old, first).await;
    assert_eq!(
        before[0],
        participa_store::legacy_identity_digest(&key, &ana)
    );
    old.close().await;

    // The first start with the secret re-keys every old digest.
    let store = open(&db).await;
    let (_, after) = identity_rows(&store, first).await;
    assert_eq!(after.len(), 2);
    for (b, a) in before.iter().zip(&after) {
        assert_ne!(a, b, "an old digest was left as it was");
    }
    let rekeyed: Vec<(bool,)> = on_conn!(store.conn().await.unwrap(), |pool| sqlx::query_as(
        "SELECT identity_rekeyed FROM consultations ORDER BY id"
    )
    .fetch_all(&mut *pool)
    .await
    .unwrap());
    assert!(rekeyed.iter().all(|r| r.0), "{rekeyed:?}");
    // The person who answered before the upgrade is still refused; a new one is not.
    let answers = std::collections::BTreeMap::new();
    let again = store.add_response(first, &answers, answered_by(&ana)).await;
    assert!(
        matches!(again, Err(StoreError::AlreadyAnswered)),
        "{again:?}"
    );
    let again = store
        .add_response(second, &answers, answered_by(&ana))
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyAnswered)),
        "{again:?}"
    );
    let marta = check_document("CC", "52111222", true).unwrap();
    store
        .add_response(first, &answers, answered_by(&marta))
        .await
        .unwrap();
    let logged = store
        .audit_entries(&AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == participa_store::RecordedAction::Known(AuditAction::IdentitySecret))
        .count();
    assert_eq!(logged, 1);
    store.close().await;

    // Idempotent: the next start changes nothing.
    let store = open(&db).await;
    let (_, later) = identity_rows(&store, first).await;
    assert_eq!(&later[..2], &after[..]);
    let again = store
        .add_response(first, &answers, answered_by(&luis))
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyAnswered)),
        "{again:?}"
    );

    // A consultation found in the old scheme while serving is re-keyed before the
    // answer is compared (a server that started before another finished re-keying).
    old_scheme_response(&store, second, &luis).await;
    let again = store
        .add_response(second, &answers, answered_by(&luis))
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyAnswered)),
        "{again:?}"
    );
}

async fn the_identity_secret_is_checked_against_the_database(db: TestDatabase) {
    use participa_domain::participation::identity::check_document;
    use participa_store::IdentitySecret;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let id = store
        .create_consultation(&identified_survey("Encuesta"), &ana)
        .await
        .unwrap();
    let doc = check_document("CC", "1020304050", true).unwrap();
    let answers = std::collections::BTreeMap::new();
    store
        .add_response(id, &answers, answered_by(&doc))
        .await
        .unwrap();
    store.close().await;
    // Another secret (a second server that made its own key file, a lost file) is
    // refused: with it nobody who answered would be recognised.
    let other = IdentitySecret::new([42u8; 32]).unwrap();
    let refused = Store::connect(&db.url)
        .await
        .unwrap()
        .with_identity_secret(other.clone(), false)
        .await;
    assert!(
        matches!(refused, Err(StoreError::IdentitySecretMismatch)),
        "{refused:?}"
    );
    assert!(IdentitySecret::new("corta").is_err());
    // Replaced on purpose (the key was lost): recorded, and audited.
    let replaced = Store::connect(&db.url)
        .await
        .unwrap()
        .with_identity_secret(other.clone(), true)
        .await
        .unwrap();
    let answered_again = replaced.add_response(id, &answers, answered_by(&doc)).await;
    assert!(answered_again.is_ok(), "a lost key forgets who answered");
    replaced.close().await;
    let reopened = Store::connect(&db.url)
        .await
        .unwrap()
        .with_identity_secret(other, false)
        .await
        .unwrap();
    let again = reopened.add_response(id, &answers, answered_by(&doc)).await;
    assert!(
        matches!(again, Err(StoreError::AlreadyAnswered)),
        "{again:?}"
    );
    assert!(reopened
        .audit_entries(&AuditFilter::default())
        .await
        .unwrap()
        .iter()
        .any(|e| e.subject.contains("clave de las huellas")));
}

async fn forum_comments_are_moderated_hidden_with_a_reason_and_reported(db: TestDatabase) {
    use participa_domain::participation::forum::{
        check_comment, thread, CommentStatus, ForumError, Moderation,
    };
    use participa_store::{ConsultationData, StoreError};
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    let id = store
        .create_consultation(
            &ConsultationData {
                title: "Foro de rendición de cuentas".into(),
                description: String::new(),
                opens_on: day(3, 1),
                closes_on: day(3, 31),
                activity: None,
                kind: participa_domain::participation::ConsultationKind::Forum(Moderation::Before),
                identification: false,
            },
            &ana,
        )
        .await
        .unwrap();
    let c = store.consultation(id).await.unwrap();
    assert_eq!(c.data.kind.moderation(), Some(Moderation::Before));
    let topic = store
        .add_forum_topic(id, "Vivienda", "¿Qué esperan del subsidio?", &ana)
        .await
        .unwrap();
    let first = check_comment("Más ferias en Cali", "Ana", true, None, &[]).unwrap();
    let c1 = store
        .add_forum_comment(topic, &first, CommentStatus::Pending)
        .await
        .unwrap();
    let hidden = store
        .moderate_forum_comment(c1, CommentStatus::Hidden, "  ", &ana)
        .await;
    assert!(matches!(
        hidden,
        Err(StoreError::Forum(ForumError::ReasonRequired))
    ));
    store
        .moderate_forum_comment(c1, CommentStatus::Published, "", &ana)
        .await
        .unwrap();
    let reply = check_comment("De acuerdo", "", false, Some(c1), &[c1]).unwrap();
    let c2 = store
        .add_forum_comment(topic, &reply, CommentStatus::Published)
        .await
        .unwrap();
    store
        .report_forum_comment(c2, "Es publicidad")
        .await
        .unwrap();
    let (topics, comments) = store.forum(id).await.unwrap();
    assert_eq!(topics.len(), 1);
    assert_eq!(comments[1].open_reports, vec!["Es publicidad".to_string()]);
    assert_eq!(comments[0].author.as_deref(), Some("Ana"));
    let laid: Vec<(usize, i64)> = thread(&comments).iter().map(|(d, c)| (*d, c.id)).collect();
    assert_eq!(laid, vec![(0, c1), (1, c2)]);
    store
        .moderate_forum_comment(c2, CommentStatus::Hidden, "Publicidad", &ana)
        .await
        .unwrap();
    let (_, comments) = store.forum(id).await.unwrap();
    assert_eq!(comments[1].status, CommentStatus::Hidden);
    assert_eq!(comments[1].hidden_reason, "Publicidad");
    assert!(
        comments[1].open_reports.is_empty(),
        "hiding resolves the reports"
    );
    assert_eq!(store.consultation(id).await.unwrap().comments, 1);
    assert_eq!(store.consultation(id).await.unwrap().participations(), 1);
    // The count kept with the forum is what counting its published comments gives.
    let published = comments
        .iter()
        .filter(|c| c.status == CommentStatus::Published)
        .count() as i64;
    assert_eq!(store.consultation(id).await.unwrap().comments, published);
    assert!(store.consultation(id).await.unwrap().answered);
    let again = store
        .moderate_forum_comment(c1, CommentStatus::Pending, "", &ana)
        .await;
    assert!(matches!(
        again,
        Err(StoreError::Forum(ForumError::Transition(..)))
    ));
    assert!(matches!(
        store.forum_comment_place(999).await,
        Err(StoreError::NotFound { entity: Entity::Comment, ref id }) if id == "999"
    ));
}

async fn a_hearing_gets_its_evaluation_survey(db: TestDatabase) {
    use participa_store::HearingData;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let plan = store.create_plan(&seed(), None, &ana).await.unwrap();
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    let h = store
        .create_hearing(
            &HearingData {
                title: "Rendición de cuentas 2025".into(),
                held_on: day(7, 30),
                starts_at: "10:00".into(),
                place: "Bogotá".into(),
                stream_url: String::new(),
                report_url: String::new(),
                report_published_on: None,
                convocation: String::new(),
                activity: Some((plan.0, 4)),
            },
            &ana,
        )
        .await
        .unwrap();
    assert_eq!(store.hearing(h).await.unwrap().evaluation, None);
    let e = store
        .create_hearing_evaluation(h, day(8, 15), &ana)
        .await
        .unwrap();
    assert_eq!(store.hearing(h).await.unwrap().evaluation, Some(e));
    let c = store.consultation(e).await.unwrap();
    assert_eq!(c.data.opens_on, day(7, 30));
    assert_eq!(c.data.activity, Some((plan.0, 4)));
    assert_eq!(
        c.questions,
        participa_domain::participation::hearing::evaluation_questions()
    );
}

/// The status rule is checked by the store inside the write, on the row as it is then:
/// a move the rules forbid changes nothing, whatever the page showed.
async fn a_suggestion_moves_only_as_the_rules_allow(db: TestDatabase) {
    use participa_domain::participation::{NewSuggestion, SuggestionStatus, TrackingCode};
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let code = TrackingCode::from_random([3, 1, 4, 1, 5, 9, 2, 6]);
    let s = NewSuggestion::check("vivienda", "Más ferias de vivienda").unwrap();
    let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
    store.create_suggestion(&code, &s, None, due).await.unwrap();
    let id = store.suggestion_by_code(&code).await.unwrap().unwrap().id;
    let entries = |store: Store| async move {
        store
            .audit_entries(&participa_store::AuditFilter::default())
            .await
            .unwrap()
            .len()
    };
    let before = entries(store.clone()).await;
    let refused = store
        .update_suggestion(id, SuggestionStatus::Closed, Some("Cerrada"), &ana)
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::SuggestionMove {
                from: SuggestionStatus::Received,
                to: SuggestionStatus::Closed
            })
        ),
        "{refused:?}"
    );
    let kept = store.suggestion_by_code(&code).await.unwrap().unwrap();
    assert_eq!(kept.status, SuggestionStatus::Received);
    assert_eq!(kept.answer, "");
    assert_eq!(entries(store.clone()).await, before, "nothing audited");
    store
        .update_suggestion(id, SuggestionStatus::InProgress, None, &ana)
        .await
        .unwrap();
    store
        .update_suggestion(id, SuggestionStatus::Answered, Some("En marzo"), &ana)
        .await
        .unwrap();
}

async fn asking_twice_for_a_hearing_evaluation_gives_one_survey(db: TestDatabase) {
    use participa_store::HearingData;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    let h = store
        .create_hearing(
            &HearingData {
                title: "Rendición de cuentas 2025".into(),
                held_on: day(7, 30),
                starts_at: "10:00".into(),
                place: "Bogotá".into(),
                stream_url: String::new(),
                report_url: String::new(),
                report_published_on: None,
                convocation: String::new(),
                activity: None,
            },
            &ana,
        )
        .await
        .unwrap();
    let (first, second) = tokio::join!(
        store.create_hearing_evaluation(h, day(8, 15), &ana),
        store.create_hearing_evaluation(h, day(8, 20), &ana)
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first, second);
    assert_eq!(store.hearing(h).await.unwrap().evaluation, Some(first));
    assert_eq!(store.consultations().await.unwrap().len(), 1);
}

/// Issue 14, item 2: each step writes, in its own transaction, a notification for the
/// people who must act next; a refused step writes none.
async fn workflow_steps_notify_who_acts_next_in_their_own_transaction(db: TestDatabase) {
    let store = open(&db).await;
    let id = store.insert_plan(&seed(), None).await.unwrap();
    let approver = testing::create_user(
        &store,
        "aprueba",
        "Ana Aprobadora",
        Role::Approver,
        &[],
        "x",
    )
    .await;
    let admin =
        testing::create_user(&store, "planea", "Pedro Planeación", Role::Admin, &[], "x").await;
    let auditor =
        testing::create_user(&store, "control", "Olga Control", Role::Auditor, &[], "x").await;
    let arcom = testing::create_user(
        &store,
        "arcom",
        "Carlos Comunicaciones",
        Role::Reporter,
        &["ARCOM"],
        "x",
    )
    .await;
    let other = testing::create_user(
        &store,
        "otra",
        "Otra Dependencia",
        Role::Reporter,
        &["OAPLA"],
        "x",
    )
    .await;
    // Refused (findings pending): no notification.
    assert!(store
        .transition(id, Transition::Consolidate, None, &Actor::system())
        .await
        .is_err());
    assert!(store.notifications(approver, 10).await.unwrap().is_empty());
    accept_all_findings(&store, id).await;
    store
        .transition(id, Transition::Consolidate, None, &Actor::system())
        .await
        .unwrap();
    store
        .transition(id, Transition::Review, None, &Actor::system())
        .await
        .unwrap();
    let mine = store.notifications(approver, 10).await.unwrap();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(mine[0].kind, participa_store::NoticeKind::PlanReviewed);
    assert!(mine[0].subject.contains("Plan para aprobar"));
    assert_eq!(mine[0].link, format!("/admin/planes/{}", id.0));
    assert_eq!(mine[0].mail_state, "pending", "the approver has an e-mail");
    assert_eq!(store.unread_notifications(approver).await.unwrap(), 2);
    assert!(store.notifications(admin, 10).await.unwrap().is_empty());
    let acta = Acta {
        number: "3".into(),
        date: chrono::NaiveDate::from_ymd_opt(2025, 1, 28).unwrap(),
    };
    store
        .transition(id, Transition::Approve, Some(&acta), &Actor::system())
        .await
        .unwrap();
    let to_admin = store.notifications(admin, 10).await.unwrap();
    assert_eq!(to_admin.len(), 1);
    assert_eq!(to_admin[0].kind, participa_store::NoticeKind::PlanApproved);
    store
        .transition(id, Transition::Publish, None, &Actor::system())
        .await
        .unwrap();
    // Publishing tells the responsible offices' reporters.
    assert_eq!(
        store.notifications(arcom, 10).await.unwrap()[0].kind,
        participa_store::NoticeKind::PlanPublished
    );
    assert_eq!(store.notifications(other, 10).await.unwrap().len(), 1);
    assert!(store.notifications(auditor, 10).await.unwrap().is_empty());
    // Opening marks read, only for its owner.
    let first = mine[0].id;
    assert!(matches!(
        store.open_notification(admin, first).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store.open_notification(approver, first).await.unwrap(),
        mine[0].link
    );
    assert_eq!(store.unread_notifications(approver).await.unwrap(), 1);
    assert_eq!(store.read_all_notifications(approver).await.unwrap(), 1);
    assert_eq!(store.unread_notifications(approver).await.unwrap(), 0);
}

/// Issue 14, item 2: the outbox's delivery side.
async fn the_outbox_claims_each_mail_once_retries_with_backoff_and_forgets_what_it_must(
    db: TestDatabase,
) {
    use participa_store::{Notice, NoticeKind, Recipients, RetryPolicy};
    let store = open(&db).await;
    let ana = testing::create_user(&store, "ana", "Ana", Role::Auditor, &[], "x").await;
    let notice = |to| Notice::new(to, NoticeKind::ReportSubmitted, "Asunto", "Texto", "/admin");
    assert_eq!(
        store.notify(&notice(Recipients::User(ana))).await.unwrap(),
        1
    );
    assert_eq!(
        store
            .notify(&notice(Recipients::Address {
                email: "ciudadana@example.org".into(),
                name: "Ciudadana".into(),
            }))
            .await
            .unwrap(),
        1
    );
    // A notice with a once key is written once per recipient, however often.
    let mut once = notice(Recipients::All(vec![
        Recipients::User(ana),
        Recipients::Role(Role::Auditor),
    ]));
    once.once = Some("recordatorio|1|ARCOM|1|antes".into());
    assert_eq!(store.notify(&once).await.unwrap(), 1, "ana once, not twice");
    assert_eq!(store.notify(&once).await.unwrap(), 0);

    let policy = RetryPolicy {
        first_wait: chrono::Duration::seconds(30),
        ..RetryPolicy::default()
    };
    let now = chrono::Utc::now();
    let claimed = store.claim_mail(now, &policy, 10).await.unwrap();
    assert_eq!(claimed.len(), 3);
    // Held by the first claim: a second server gets nothing until the lease ends.
    assert!(store.claim_mail(now, &policy, 10).await.unwrap().is_empty());
    let after_lease = now + policy.lease + chrono::Duration::seconds(1);
    let again = store.claim_mail(after_lease, &policy, 10).await.unwrap();
    assert_eq!(again.len(), 3, "a dead server's claim passes on");
    // The old claim can no longer mark them.
    assert!(!store.mail_sent(&claimed[0], after_lease).await.unwrap());
    for m in &again[..2] {
        assert!(store.mail_sent(m, after_lease).await.unwrap());
    }
    let next = store
        .mail_failed(&again[2], "conexión rechazada", after_lease, &policy)
        .await
        .unwrap()
        .expect("retried");
    assert_eq!(next, after_lease + chrono::Duration::seconds(30));
    // Not before its time; then again, with the attempt counted.
    assert!(store
        .claim_mail(next - chrono::Duration::seconds(1), &policy, 10)
        .await
        .unwrap()
        .is_empty());
    let retry = store.claim_mail(next, &policy, 10).await.unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].attempts, 1);
    store.mail_sent(&retry[0], next).await.unwrap();
    let states = store.outbox_states().await.unwrap();
    assert!(states.iter().all(|(_, _, s, _)| s == "sent"), "{states:?}");
    // The citizen's address and text are gone once sent.
    let leftovers: i64 = on_conn!(store.conn().await.unwrap(), |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE mail_to = 'ciudadana@example.org' OR (user_id IS NULL AND body <> '')")
            .fetch_one(&mut *pool)
            .await
            .unwrap()
    });
    assert_eq!(leftovers, 0);

    // Giving up after the last attempt; turning mail off stops what waits.
    let give_up = RetryPolicy {
        max_attempts: 1,
        ..policy
    };
    store.notify(&notice(Recipients::User(ana))).await.unwrap();
    let m = store.claim_mail(next, &give_up, 10).await.unwrap();
    assert_eq!(
        store
            .mail_failed(&m[0], "no", next, &give_up)
            .await
            .unwrap(),
        None
    );
    store.notify(&notice(Recipients::User(ana))).await.unwrap();
    store.set_wants_email(ana, false).await.unwrap();
    assert!(!store.wants_email(ana).await.unwrap());
    assert!(store
        .claim_mail(next, &policy, 10)
        .await
        .unwrap()
        .is_empty());
    store.notify(&notice(Recipients::User(ana))).await.unwrap();
    assert!(
        store
            .claim_mail(next, &policy, 10)
            .await
            .unwrap()
            .is_empty(),
        "in the app only"
    );
    let states = store.outbox_states().await.unwrap();
    let tail: Vec<&str> = states
        .iter()
        .rev()
        .take(3)
        .map(|(_, _, s, _)| s.as_str())
        .collect();
    assert_eq!(tail, ["none", "none", "failed"]);
    // A message nobody could send for too long expires instead of going out late.
    store.set_wants_email(ana, true).await.unwrap();
    store.notify(&notice(Recipients::User(ana))).await.unwrap();
    let late = chrono::Utc::now() + policy.expire_after + chrono::Duration::minutes(1);
    assert!(store
        .claim_mail(late, &policy, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.outbox_states().await.unwrap().last().unwrap().2,
        "expired"
    );
}

/// What "Mis pendientes" reads: each plan's latest lifecycle step (a return to draft
/// included), the suggestions and hearing questions still open, the comments waiting
/// for a moderator, and a term on several dates.
async fn the_inbox_reads_latest_steps_open_items_and_the_moderation_queue(db: TestDatabase) {
    use participa_domain::participation::forum::{check_comment, CommentStatus, Moderation};
    use participa_domain::participation::{NewSuggestion, SuggestionStatus, TrackingCode};
    use participa_store::{ConsultationData, HearingData};
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d).unwrap();

    // Plans: one never moved, one consolidated and returned to draft.
    let still = store.create_plan(&seed(), None, &ana).await.unwrap();
    let mut draft = seed().into_draft();
    draft.year = PlanYear::new(2026).unwrap();
    let other = Plan::try_from_draft(draft).unwrap();
    let back = store.create_plan(&other, None, &ana).await.unwrap();
    accept_all_findings(&store, back).await;
    store
        .transition(back, Transition::Consolidate, None, &ana)
        .await
        .unwrap();
    store
        .transition(back, Transition::ReturnToDraft, None, &ana)
        .await
        .unwrap();
    let steps = store.latest_plan_steps().await.unwrap();
    assert_eq!(steps.len(), 1, "{steps:?}");
    assert_eq!(steps[0].plan_id, back.0);
    assert_eq!(steps[0].transition, Transition::ReturnToDraft);
    assert_eq!(steps[0].by, "ana full");
    assert!(steps.iter().all(|s| s.plan_id != still.0));

    // Suggestions: the answered one is no longer open.
    let s = NewSuggestion::check("vivienda", "Más ferias de vivienda en Cali").unwrap();
    for (code, due) in [([1u8; 8], day(3, 20)), ([2u8; 8], day(3, 10))] {
        store
            .create_suggestion(&TrackingCode::from_random(code), &s, None, due)
            .await
            .unwrap();
    }
    let answered = store
        .suggestion_by_code(&TrackingCode::from_random([1u8; 8]))
        .await
        .unwrap()
        .unwrap()
        .id;
    let open_ids = |list: Vec<participa_store::OpenSuggestion>| {
        list.iter().map(|s| s.due_on).collect::<Vec<_>>()
    };
    assert_eq!(
        open_ids(store.open_suggestions().await.unwrap()),
        [day(3, 10), day(3, 20)],
        "oldest deadline first"
    );
    store
        .update_suggestion(answered, SuggestionStatus::InProgress, None, &ana)
        .await
        .unwrap();
    assert_eq!(
        store.open_suggestions().await.unwrap().len(),
        2,
        "in progress"
    );
    store
        .update_suggestion(answered, SuggestionStatus::Answered, Some("En marzo"), &ana)
        .await
        .unwrap();
    assert_eq!(
        open_ids(store.open_suggestions().await.unwrap()),
        [day(3, 10)]
    );

    // Hearing questions: an answered one leaves the list.
    let plan = store.create_plan(&seed(), None, &ana).await.unwrap();
    let h = store
        .create_hearing(
            &HearingData {
                title: "Rendición de cuentas 2025".into(),
                held_on: day(7, 30),
                starts_at: "10:00".into(),
                place: "Bogotá".into(),
                stream_url: String::new(),
                report_url: String::new(),
                report_published_on: None,
                convocation: String::new(),
                activity: Some((plan.0, 4)),
            },
            &ana,
        )
        .await
        .unwrap();
    let q1 = store
        .ask_question(h, "AP-AAAA-BBBB", "¿Habrá feria en Cali?", None)
        .await
        .unwrap();
    let q2 = store
        .ask_question(h, "AP-CCCC-DDDD", "¿Y en Medellín?", None)
        .await
        .unwrap();
    store
        .answer_question(h, q1, "Sí, en agosto", &ana)
        .await
        .unwrap();
    let open = store.unanswered_questions().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, q2);
    assert_eq!(open[0].hearing_id, h);
    assert_eq!(open[0].held_on, day(7, 30));
    assert_eq!(open[0].hearing_title, "Rendición de cuentas 2025");
    // The counts the hearing keeps: a second answer to the same question is not counted.
    store
        .answer_question(h, q1, "Sí, en agosto, en el centro de eventos", &ana)
        .await
        .unwrap();
    let counts = store.hearing_counts(plan.0).await.unwrap();
    assert_eq!(
        (
            counts[0].registrations,
            counts[0].questions,
            counts[0].answered
        ),
        (0, 2, 1)
    );

    // The moderation queue: pending comments and reported ones, not the published.
    let forum = store
        .create_consultation(
            &ConsultationData {
                title: "Foro de vivienda".into(),
                description: String::new(),
                opens_on: day(3, 1),
                closes_on: day(3, 31),
                activity: None,
                kind: participa_domain::participation::ConsultationKind::Forum(Moderation::Before),
                identification: false,
            },
            &ana,
        )
        .await
        .unwrap();
    let topic = store
        .add_forum_topic(forum, "Vivienda", "¿Qué esperan?", &ana)
        .await
        .unwrap();
    let comment = |text: &str| check_comment(text, "", false, None, &[]).unwrap();
    let pending = store
        .add_forum_comment(topic, &comment("Más ferias"), CommentStatus::Pending)
        .await
        .unwrap();
    let fine = store
        .add_forum_comment(topic, &comment("De acuerdo"), CommentStatus::Published)
        .await
        .unwrap();
    let reported = store
        .add_forum_comment(topic, &comment("Compre aquí"), CommentStatus::Published)
        .await
        .unwrap();
    store
        .report_forum_comment(reported, "Es publicidad")
        .await
        .unwrap();
    let queue = store.moderation_queue().await.unwrap();
    let ids: Vec<i64> = queue.iter().map(|c| c.id).collect();
    assert_eq!(ids, [pending, reported]);
    assert!(!ids.contains(&fine));
    assert!(queue
        .iter()
        .all(|c| c.consultation_id == forum && c.consultation_title == "Foro de vivienda"));

    // A term on several dates: one change applies from a date on.
    store
        .set_parameter(
            "audiencia.respuestas",
            20,
            day(6, 1),
            "Ajuste de prueba",
            &ana,
        )
        .await
        .unwrap();
    let terms = store
        .terms_on("audiencia.respuestas", &[day(5, 31), day(6, 1)])
        .await
        .unwrap();
    assert_eq!(terms.iter().map(|t| t.value).collect::<Vec<_>>(), [15, 20]);
    assert!(store.terms_on("no.existe", &[day(1, 1)]).await.is_err());
}

/// Loads the database the 0120227 release made (its demo: a published plan with a year
/// of follow-up and participation), then opens it with this code, which migrates it.
async fn release_database(db: &TestDatabase) -> Store {
    let key = if db.url.starts_with("sqlite:") {
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(&db.url)
            .unwrap()
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        sqlx::raw_sql(include_str!("fixtures/release-0120227-sqlite.sql"))
            .execute(&pool)
            .await
            .expect("load the SQLite database of release 0120227");
        pool.close().await;
        include_str!("fixtures/release-0120227-sqlite.clave")
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        sqlx::raw_sql(include_str!("fixtures/release-0120227-postgres.sql"))
            .execute(&pool)
            .await
            .expect("load the PostgreSQL database of release 0120227");
        pool.close().await;
        include_str!("fixtures/release-0120227-postgres.clave")
    };
    // The release's own identity key (kept beside the database, as `participa serve`
    // keeps it): the upgraded database must still accept it.
    let secret = participa_store::IdentitySecret::new(key.trim()).unwrap();
    Store::connect(&db.url)
        .await
        .unwrap()
        .with_identity_secret(secret, false)
        .await
        .expect("the release's identity key")
}

use std::str::FromStr;

async fn a_database_made_by_the_last_one_entity_release_becomes_its_first_entity(db: TestDatabase) {
    let store = release_database(&db).await;
    let entities = store.entities().await.unwrap();
    assert_eq!(entities.len(), 1, "{entities:?}");
    let first = &entities[0];
    assert_eq!(first.data.name, "Caja Honor");
    assert_eq!(first.data.slug, "entidad");
    assert_eq!(store.entity_id(), first.id);
    // Everything the release held is the first entity's, as it was.
    let plans = store.plans().await.unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].activity_count, 15);
    let plan = plans[0].id;
    assert!(store.published_plan(plan).await.unwrap().is_some());
    assert_eq!(store.users().await.unwrap().len(), 8);
    assert!(store.user_for_login("planeacion").await.unwrap().is_some());
    let followup = store.followup(plan).await.unwrap();
    assert_eq!(followup.reports.len(), 36);
    let suggestions = store
        .suggestions(&participa_store::SuggestionFilter::default())
        .await
        .unwrap();
    assert_eq!(suggestions.len(), 7);
    let hearings = store.hearings().await.unwrap();
    assert_eq!(hearings.len(), 1);
    assert_eq!(store.registrations(hearings[0].id).await.unwrap().len(), 28);
    let consultations = store.consultations().await.unwrap();
    assert_eq!(consultations.len(), 2);
    assert_eq!(consultations.iter().map(|c| c.responses).sum::<i64>(), 300);
    assert_eq!(store.events().await.unwrap().len(), 6);
    assert_eq!(store.channel_figures(plan.0).await.unwrap().len(), 36);
    let log = store
        .audit_entries(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 184);
    assert!(store.last_change().await.unwrap() >= 184);
    // The upgraded database takes new entities beside the first.
    let other = store
        .add_entity(
            &participa_store::EntityData {
                slug: "alcaldia-tunja".into(),
                name: "Alcaldía de Tunja".into(),
                ..Default::default()
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let tunja = store.for_entity(other);
    assert!(tunja.plans().await.unwrap().is_empty());
    assert!(tunja.users().await.unwrap().is_empty());
    assert_eq!(store.plans().await.unwrap().len(), 1);
}

async fn another_entitys_data_does_not_exist_for_a_store_scoped_to_this_one(db: TestDatabase) {
    use participa_domain::participation::{NewSuggestion, TrackingCode};
    use participa_store::{ConsultationData, EntityData, HearingData};
    let a = open(&db).await;
    let ana = admin(&a, "ana", Role::Admin).await;
    let plan = a.insert_plan(&seed(), None).await.unwrap();
    let code = TrackingCode::from_random([1, 2, 3, 4, 5, 6, 7, 8]);
    let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 18).unwrap();
    let suggestion = a
        .create_suggestion(
            &code,
            &NewSuggestion::check("vivienda", "Más ferias de vivienda").unwrap(),
            None,
            due,
        )
        .await
        .unwrap();
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let hearing = a
        .create_hearing(
            &HearingData {
                title: "Rendición de cuentas".into(),
                held_on: day(7, 30),
                starts_at: "10:00".into(),
                place: "Bogotá".into(),
                stream_url: String::new(),
                report_url: String::new(),
                report_published_on: None,
                convocation: String::new(),
                activity: Some((plan.0, 1)),
            },
            &ana,
        )
        .await
        .unwrap();
    let consultation = a
        .create_consultation(
            &ConsultationData {
                title: "Encuesta".into(),
                description: "Díganos".into(),
                opens_on: day(3, 10),
                closes_on: day(3, 31),
                activity: None,
                kind: participa_domain::participation::ConsultationKind::Survey,
                identification: false,
            },
            &ana,
        )
        .await
        .unwrap();
    let b_id = a
        .add_entity(
            &EntityData {
                slug: "alcaldia-tunja".into(),
                name: "Alcaldía de Tunja".into(),
                ..Default::default()
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let b = a.for_entity(b_id);
    let missing = |r: Result<(), StoreError>| {
        assert!(matches!(r, Err(StoreError::NotFound { .. })), "{r:?}");
    };
    // Lists are empty, and every id of A is missing.
    assert!(b.plans().await.unwrap().is_empty());
    assert!(b.published_plans().await.unwrap().is_empty());
    assert!(b.activity_choices().await.unwrap().is_empty());
    assert!(b.office_choices().await.unwrap().is_empty());
    assert!(b.users().await.unwrap().is_empty());
    assert!(b.hearings().await.unwrap().is_empty());
    assert!(b.consultations().await.unwrap().is_empty());
    assert!(b
        .suggestions(&participa_store::SuggestionFilter::default())
        .await
        .unwrap()
        .is_empty());
    missing(b.plan(plan).await.map(|_| ()));
    missing(b.plan_state(plan).await.map(|_| ()));
    missing(b.versions(plan).await.map(|_| ()));
    missing(b.version_plan(plan, 1).await.map(|_| ()));
    missing(b.followup(plan).await.map(|_| ()));
    missing(b.coverage(plan).await.map(|_| ()));
    missing(b.hearing(hearing).await.map(|_| ()));
    missing(b.consultation(consultation).await.map(|_| ()));
    missing(b.answer_counts(consultation).await.map(|_| ()));
    missing(b.forum(consultation).await.map(|_| ()));
    assert!(b.registrations(hearing).await.unwrap().is_empty());
    assert!(b.questions(hearing).await.unwrap().is_empty());
    assert!(b.published_version(plan).await.unwrap().is_none());
    assert!(b.published_plan(plan).await.unwrap().is_none());
    assert!(b.suggestion(suggestion).await.unwrap().is_none());
    assert!(b.suggestion_by_code(&code).await.unwrap().is_none());
    assert!(b.user(ana.user_id.unwrap()).await.unwrap().is_none());
    assert!(b.user_for_login("ana").await.unwrap().is_none());
    assert!(b.channel_figures(plan.0).await.unwrap().is_empty());
    // Writes naming A's ids change nothing of A's.
    let boss = Actor::system();
    missing(
        b.accept_finding(plan, "MIPG-1", "no", &boss)
            .await
            .map(|_| ()),
    );
    missing(
        b.update_suggestion(
            suggestion,
            participa_domain::participation::SuggestionStatus::InProgress,
            Some("x"),
            &boss,
        )
        .await,
    );
    missing(
        b.publish_consultation_results(consultation, true, &boss)
            .await,
    );
    missing(
        b.add_response(consultation, &Default::default(), None)
            .await
            .map(|_| ()),
    );
    assert!(!b.erase_suggestion_contact(&code).await.unwrap());
    missing(b.answer_question(hearing, 1, "respuesta", &boss).await);
    // B's own data lives beside A's under the same ids' space, and A's stays its own.
    let b_plan = b.insert_plan(&seed(), None).await.unwrap();
    assert_ne!(b_plan, plan);
    assert_eq!(b.plans().await.unwrap().len(), 1);
    assert_eq!(a.plans().await.unwrap().len(), 1);
    assert_eq!(a.plans().await.unwrap()[0].id, plan);
    // Each entity's audit log holds its own changes only.
    let log_b = b.audit_entries(&AuditFilter::default()).await.unwrap();
    assert!(log_b.iter().all(|e| e.plan_id != Some(plan.0)), "{log_b:?}");
    let log_a = a.audit_entries(&AuditFilter::default()).await.unwrap();
    assert!(log_a.iter().all(|e| e.plan_id != Some(b_plan.0)));
}

async fn entities_are_added_with_unique_slugs_and_hosts(db: TestDatabase) {
    use participa_store::EntityData;
    let store = open(&db).await;
    let data = EntityData {
        slug: "alcaldia-tunja".into(),
        name: "Alcaldía de Tunja".into(),
        hosts: vec!["participa.tunja.gov.co".into()],
        department_code: "15".into(),
        municipality_code: "15001".into(),
        order: participa_domain::EntityOrder::Territorial,
        ..Default::default()
    };
    let id = store.add_entity(&data, &Actor::system()).await.unwrap();
    let found = store
        .entity_by_slug("alcaldia-tunja")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.data, data);
    let by_host = store
        .entity_by_host("participa.tunja.gov.co")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_host.id, id);
    assert!(store.entity_by_host("otra.gov.co").await.unwrap().is_none());
    let again = store.add_entity(&data, &Actor::system()).await;
    assert!(
        matches!(again, Err(StoreError::EntityTaken(_))),
        "{again:?}"
    );
    let host_taken = store
        .add_entity(
            &EntityData {
                slug: "gobernacion-boyaca".into(),
                name: "Gobernación de Boyacá".into(),
                hosts: vec!["participa.tunja.gov.co".into()],
                ..Default::default()
            },
            &Actor::system(),
        )
        .await;
    assert!(
        matches!(host_taken, Err(StoreError::HostTaken(_))),
        "{host_taken:?}"
    );
    // Nothing of the refused entity stays.
    assert!(store
        .entity_by_slug("gobernacion-boyaca")
        .await
        .unwrap()
        .is_none());
    let bad = store
        .add_entity(
            &EntityData {
                slug: "Mal Nombre".into(),
                name: "X".into(),
                ..Default::default()
            },
            &Actor::system(),
        )
        .await;
    assert!(matches!(bad, Err(StoreError::EntityField(_))), "{bad:?}");
    assert_eq!(store.entities().await.unwrap().len(), 2);
    // The new entity's log starts with its creation; the first entity's does not show it.
    let tunja = store.for_entity(id);
    let log = tunja.audit_entries(&AuditFilter::default()).await.unwrap();
    assert_eq!(log.len(), 1);
    assert!(store
        .audit_entries(&AuditFilter::default())
        .await
        .unwrap()
        .iter()
        .all(|e| e.action != participa_store::RecordedAction::Known(AuditAction::EntityCreate)));
}

/// Issue 19: a plan's FURAG readiness reaches the national figures; a corrected
/// questionnaire is the entity's own and is audited.
async fn furag_readiness_reaches_the_national_figures(db: TestDatabase) {
    use participa_store::FuragReadiness;
    let store = open(&db).await;
    let ana = admin(&store, "ana", Role::Admin).await;
    let id = store.create_plan(&seed(), None, &ana).await.unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
    let before = store.national_figures(2025, today, None).await.unwrap();
    assert!(before
        .iter()
        .all(|f| f.plan.as_ref().is_none_or(|p| p.furag.is_none())));
    let r = FuragReadiness {
        ready: 7,
        partial: 8,
        missing: 1,
        to_confirm: 3,
    };
    store.save_furag_readiness(id, r).await.unwrap();
    store
        .save_furag_readiness(id, FuragReadiness { ready: 9, ..r })
        .await
        .unwrap();
    let after = store.national_figures(2025, today, None).await.unwrap();
    let furag = after
        .iter()
        .find_map(|f| {
            f.plan
                .as_ref()
                .filter(|p| p.plan_id == id.0)
                .and_then(|p| p.furag)
        })
        .unwrap();
    assert_eq!(
        (furag.ready, furag.partial, furag.missing, furag.to_confirm),
        (9, 8, 1, 3)
    );
    assert_eq!(furag.sentence(), "9 de 21 listas, 8 parciales");

    assert!(store.furag_questionnaire(2025).await.unwrap().is_none());
    store
        .set_furag_questionnaire(2025, "PCI200\tEstrategias\n", &ana)
        .await
        .unwrap();
    store
        .set_furag_questionnaire(2025, "PCI200\tEstrategias corregidas\n", &ana)
        .await
        .unwrap();
    let (text, _) = store.furag_questionnaire(2025).await.unwrap().unwrap();
    assert_eq!(text, "PCI200\tEstrategias corregidas\n");
    assert!(store.furag_questionnaire(2026).await.unwrap().is_none());
    let log = store.audit_entries(&Default::default()).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action.code() == "furag.questionnaire")
            .count(),
        2
    );
}
