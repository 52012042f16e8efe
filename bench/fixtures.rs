//! What the public-path benches create before they load a server: a survey like the
//! seed's activity 5, and a forum, a hearing and the suggestions campaign beside it.

use participa_domain::participation::forum::Moderation;
use participa_domain::participation::survey::{check_question, QuestionKind};
use participa_domain::participation::ConsultationKind;
use participa_store::{Actor, ConsultationData, HearingData, Store};

/// A consultation of `kind` open from today for 30 days, tied to no activity: its id.
pub async fn open_consultation(store: &Store, title: &str, kind: ConsultationKind) -> i64 {
    let today = participa_app::dates::today();
    store
        .create_consultation(
            &ConsultationData {
                title: title.into(),
                description: String::new(),
                opens_on: today,
                closes_on: today + chrono::Duration::days(30),
                activity: None,
                kind,
                identification: false,
            },
            &Actor::system(),
        )
        .await
        .unwrap()
}

/// A survey like the seed's activity 5 (a scale and a free-text question, results
/// public) in the database at `url`: its id.
pub async fn create_survey(url: &str) -> i64 {
    let store = Store::connect(url).await.unwrap();
    let id = open_consultation(
        &store,
        "Encuesta para el plan de acción",
        ConsultationKind::Survey,
    )
    .await;
    let mut qs = Vec::new();
    let q1 = check_question(
        &qs,
        "¿Cómo califica el servicio?",
        QuestionKind::Scale(Default::default()),
        true,
        None,
    )
    .unwrap();
    qs.push(q1);
    let q2 = check_question(&qs, "¿Qué mejoraría?", QuestionKind::Text, true, None).unwrap();
    qs.push(q2);
    for q in &qs {
        store
            .add_consultation_question(id, q, &Actor::system())
            .await
            .unwrap();
    }
    store
        .publish_consultation_results(id, true, &Actor::system())
        .await
        .unwrap();
    store.close().await;
    id
}

/// Every public form of one entity, ready to be written to.
pub struct PublicForms {
    /// Survey: `p1` a scale, `p2` free text.
    pub survey: i64,
    /// A forum moderated afterwards, and its one topic.
    pub forum: i64,
    pub topic: i64,
    pub hearing: i64,
    /// A value group a registration may name.
    pub group: String,
}

/// A survey, an open forum with a topic and a hearing in the database at `url`.
pub async fn create_public_forms(url: &str) -> PublicForms {
    let survey = create_survey(url).await;
    let store = Store::connect(url).await.unwrap();
    let today = participa_app::dates::today();
    let forum = open_consultation(
        &store,
        "Foro sobre el plan de acción",
        ConsultationKind::Forum(Moderation::After),
    )
    .await;
    let topic = store
        .add_forum_topic(
            forum,
            "Vivienda",
            "¿Qué cambiaría del trámite de vivienda?",
            &Actor::system(),
        )
        .await
        .unwrap();
    let hearing = store
        .create_hearing(
            &HearingData {
                title: "Audiencia pública de rendición de cuentas".into(),
                held_on: today + chrono::Duration::days(20),
                starts_at: "10:00".into(),
                place: "Auditorio principal".into(),
                stream_url: String::new(),
                report_url: String::new(),
                report_published_on: None,
                convocation: "Página web y redes sociales".into(),
                activity: None,
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let group = store.value_groups().await.unwrap()[0].code.clone();
    store.close().await;
    PublicForms {
        survey,
        forum,
        topic,
        hearing,
        group,
    }
}
