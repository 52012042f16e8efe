//! The `participa` binary end to end, against SQLite and against PostgreSQL.

#[path = "support/mail_server.rs"]
mod mail_server;

use participa_store::testing::TestDatabase;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/seed/plan-participacion-ciudadana-2025.txt"
);

fn participa(db: &TestDatabase, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_participa"))
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env_remove("PARTICIPA_ENTITY")
        .output()
        .expect("the binary runs")
}

fn ok(db: &TestDatabase, args: &[&str]) -> Vec<u8> {
    let out = participa(db, args);
    assert!(
        out.status.success(),
        "participa {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $test() { super::$test(participa_store::testing::sqlite()) })*
        }
        mod postgres {
            $(#[test] fn $test() {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                super::$test(rt.block_on(participa_store::testing::postgres()))
            })*
        }
    };
}

on_both_backends!(
    import_list_and_export_the_seed,
    a_bad_file_is_refused_whole_and_changes_nothing,
    exports_read_back_as_the_same_plan,
    unknown_plan_and_missing_file_fail_without_writing,
    first_start_loads_the_seed_once,
    serve_prints_url_and_credentials_serves_and_stops_on_sigterm,
    users_are_created_and_passwords_reset_from_the_command_line,
    festivos_prints_the_year_and_follows_overrides,
    parameters_are_listed_with_their_norms_and_can_be_changed,
    check_lists_findings_and_exits_1_until_each_is_covered_or_accepted,
    reports_are_written_as_pdf_and_xlsx,
    reminders_are_printed_and_sent_by_email,
    tags_name_only_groups_of_value_in_the_catalogue,
    notifications_wait_for_the_mail_server_and_go_out_once,
    reminders_are_written_on_business_days_once_per_stage,
    reminders_written_by_two_servers_at_once_are_written_once,
    entities_are_added_listed_and_chosen_with_entity,
    another_layouts_columns_are_shown_and_corrected_with_a_mapping_file,
    furag_answers_are_written_as_a_workbook,
);

fn import_list_and_export_the_seed(db: TestDatabase) {
    let out = text(ok(&db, &["import", SEED]));
    assert!(out.starts_with("Plan 1 importado: Plan de Participación Ciudadana 2025 (vigencia 2025, Caja Honor): 15 actividades, 5 dependencias, 2 firmas, versión 1 del 27 nov 2023"), "{out}");
    assert_eq!(
        text(ok(&db, &["plans"])),
        "1\t2025\tPlan de Participación Ciudadana 2025\t15\n"
    );

    let json: serde_json::Value =
        serde_json::from_slice(&ok(&db, &["export", "1", "--format", "json"])).unwrap();
    assert_eq!(json["activities"].as_array().unwrap().len(), 15);
    assert_eq!(json["alignment"]["strategic_initiative"]["code"], "5.5.1");
    assert_eq!(json["version"]["date"], "2023-11-27");

    let csv = ok(&db, &["export", "1", "--format", "csv"]);
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    assert_eq!(text(csv).lines().count(), 16);
}

fn another_layouts_columns_are_shown_and_corrected_with_a_mapping_file(db: TestDatabase) {
    let layout = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/crates/formats/tests/layouts/meta-indicador.tsv"
    );
    // A title the importer does not know: the table is not found, nothing is imported.
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("plan.tsv");
    let text_of = std::fs::read_to_string(layout).unwrap();
    std::fs::write(
        &odd,
        text_of.replace("\tActividad\tMeta", "\tQué haremos\tMeta"),
    )
    .unwrap();
    let odd = odd.to_str().unwrap();
    let out = participa(&db, &["import", odd]);
    assert!(!out.status.success());
    assert!(text(out.stderr).contains("no se encontró la fila de títulos"));
    // The detected columns, printed in the mapping file's own format…
    let shown = text(ok(&db, &["import", "--show-mapping", layout]));
    assert!(shown.contains("\nNo. = Número\n"), "{shown}");
    assert!(
        shown.contains("\nPresupuesto = Otra columna (se conserva)\n"),
        "{shown}"
    );
    assert_eq!(text(ok(&db, &["plans"])), "");
    // …corrected by hand and given back: the file imports.
    let mapping = dir.path().join("columnas.txt");
    std::fs::write(
        &mapping,
        shown.replace("Actividad = Actividad", "Qué haremos = Actividad"),
    )
    .unwrap();
    let mapping = mapping.to_str().unwrap();
    let out = text(ok(&db, &["import", "--mapping", mapping, odd]));
    assert!(out.starts_with("Plan 1 importado: Plan de Participación Ciudadana 2026 (vigencia 2026, Alcaldía de Tunja): 4 actividades"), "{out}");
    // The corrected file over that plan: matched by number, the one it lacks kept
    // unless asked.
    let shorter = dir.path().join("corregido.tsv");
    let without_4: String = text_of
        .lines()
        .filter(|l| !l.starts_with("4\t"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&shorter, without_4).unwrap();
    let shorter = shorter.to_str().unwrap();
    let out = text(ok(&db, &["import", "--sobre", "1", shorter]));
    assert!(
        out.contains("3 actividades coinciden, 0 nuevas, 1 que el archivo no tiene (conservadas)"),
        "{out}"
    );
    assert_eq!(
        text(ok(&db, &["plans"]))
            .lines()
            .next()
            .unwrap()
            .split('\t')
            .nth(3),
        Some("4")
    );
    let out = text(ok(
        &db,
        &["import", "--sobre", "1", "--quitar-faltantes", shorter],
    ));
    assert!(out.contains("(quitadas)"), "{out}");
    assert_eq!(
        text(ok(&db, &["plans"]))
            .lines()
            .next()
            .unwrap()
            .split('\t')
            .nth(3),
        Some("3")
    );
    // A field that does not exist names its line.
    std::fs::write(dir.path().join("malo.txt"), "Qué haremos = Acción\n").unwrap();
    let bad = dir.path().join("malo.txt");
    let out = participa(&db, &["import", "--mapping", bad.to_str().unwrap(), odd]);
    assert!(!out.status.success());
    assert!(text(out.stderr).contains("línea 1: «Acción» no es un campo"));
}

fn a_bad_file_is_refused_whole_and_changes_nothing(db: TestDatabase) {
    ok(&db, &["import", SEED]);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("malo.txt");
    let seed = std::fs::read_to_string(SEED).unwrap();
    std::fs::write(
        &bad,
        seed.replace("10-mar-25\t4-abr-25", "10-marz-25\t4-abr-25")
            .replace("1-abr-25\t28-nov-25\tARVIV", "1-abr-25\t28-mar-25\tARVIV"),
    )
    .unwrap();
    let before = ok(&db, &["plans"]);
    let out = participa(&db, &["import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(out.stderr);
    let name = bad.display().to_string();
    assert!(
        stderr.contains(&format!(
            "{name}: línea 20: Fecha inicial: mes desconocido «marz»"
        )),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{name}: línea 32: Fecha Final: la actividad 12 termina (28 mar 2025) antes de empezar (1 abr 2025)")), "{stderr}");
    assert!(stderr.contains("no se importó nada; 2 errores"), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(ok(&db, &["plans"]), before);
}

fn exports_read_back_as_the_same_plan(db: TestDatabase) {
    ok(&db, &["import", SEED]);
    let dir = tempfile::tempdir().unwrap();
    for (i, format) in ["tsv", "xlsx"].iter().enumerate() {
        let file = dir.path().join(format!("plan.{format}"));
        ok(
            &db,
            &[
                "export",
                "1",
                "--format",
                format,
                "-o",
                file.to_str().unwrap(),
            ],
        );
        let out = text(ok(&db, &["import", file.to_str().unwrap()]));
        assert!(
            out.starts_with(&format!("Plan {} importado", i + 2)),
            "{out}"
        );
    }
    let original = ok(&db, &["export", "1", "--format", "json"]);
    assert_eq!(ok(&db, &["export", "2", "--format", "json"]), original);
    assert_eq!(ok(&db, &["export", "3", "--format", "json"]), original);
    let xlsx = std::fs::read(dir.path().join("plan.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK"));
}

fn unknown_plan_and_missing_file_fail_without_writing(db: TestDatabase) {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("nada.json");
    let out = participa(
        &db,
        &[
            "export",
            "7",
            "--format",
            "json",
            "-o",
            target.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(text(out.stderr).contains("el plan 7 no existe"));
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left"
    );

    let out = participa(&db, &["import", "/no/such/plan.txt"]);
    assert!(!out.status.success());
    assert!(text(out.stderr).contains("no se pudo leer /no/such/plan.txt"));

    let out = participa(&db, &["export", "1", "--format", "pdf"]);
    assert!(!out.status.success());
    assert!(text(out.stderr).contains("se esperaba json, csv, xlsx o tsv"));
}

fn first_start_loads_the_seed_once(db: TestDatabase) {
    let out = text(ok(&db, &["init"]));
    assert!(out.contains("plan de ejemplo cargado"), "{out}");
    assert!(
        out.contains("Plan 1 importado: Plan de Participación Ciudadana 2025"),
        "{out}"
    );
    assert!(out.contains("usuario:    admin"), "{out}");
    let again = text(ok(&db, &["init"]));
    assert!(!again.contains("cargado"), "{again}");
    assert!(
        !again.contains("contraseña:"),
        "the password is shown once: {again}"
    );
    assert_eq!(text(ok(&db, &["plans"])).lines().count(), 1);
}

#[test]
fn the_default_database_is_a_sqlite_file_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_participa"))
        .arg("plans")
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(Path::new(&dir.path().join("participa.db")).exists());
}

fn serve_prints_url_and_credentials_serves_and_stops_on_sigterm(db: TestDatabase) {
    // With PostgreSQL the identity key file goes to the working directory.
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_participa"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("DATABASE_URL", &db.url)
        .env_remove("PARTICIPA_CLAVE_IDENTIDAD")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        printed.push(line.clone());
        if let Some(rest) = line.strip_prefix("Participa está en http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    let printed = printed.join("\n");
    assert!(printed.contains("usuario:    admin"), "{printed}");
    assert!(printed.contains("contraseña: "), "{printed}");
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(
        reply.contains("Participación ciudadana en Caja Honor"),
        "{reply}"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l == "Participa se detuvo."), "{rest:?}");
}

/// One HTTP/1.1 request on a fresh connection; the whole reply (head and body).
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request += &format!("{name}: {value}\r\n");
    }
    if method == "POST" {
        request += &format!(
            "Content-Type: application/x-www-form-urlencoded\r\nOrigin: http://{addr}\r\nContent-Length: {}\r\n",
            body.len()
        );
    }
    request += "\r\n";
    request += body;
    conn.write_all(request.as_bytes()).unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    reply
}

/// A server process, killed when the test ends however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The bare `participa` (what `cargo run --release` runs) takes every serve setting
/// from the environment, as `participa serve` does.
#[test]
fn the_bare_command_takes_the_serve_settings_from_the_environment() {
    const POLICY: &str = "https://www.entidad.gov.co/politica-de-datos";
    let db = participa_store::testing::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let evidence = dir.path().join("evidencias-de-prueba");
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_participa"))
            .current_dir(dir.path())
            .env("DATABASE_URL", &db.url)
            .env("PARTICIPA_BIND", &addr)
            .env("PARTICIPA_ENTITY", "Entidad de Prueba")
            .env("PARTICIPA_SECURE_COOKIES", "true")
            .env("PARTICIPA_POLITICA_DATOS", POLICY)
            .env("PARTICIPA_PROXIES_CONFIABLES", "10.0.0.1,127.0.0.1")
            .env("PARTICIPA_LIMITE_RAFAGA", "2")
            .env("PARTICIPA_EVIDENCIAS", &evidence)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let listening = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        printed.push(line.clone());
        if let Some(rest) = line.strip_prefix("Participa está en http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    assert_eq!(listening, addr, "PARTICIPA_BIND applies: {printed:?}");
    let password = printed
        .iter()
        .find_map(|l| l.trim().strip_prefix("contraseña: "))
        .expect("the first admin's password is printed")
        .to_string();
    let evidence_line = lines.next().unwrap().unwrap();
    let evidence_line = if evidence_line.starts_with("Detener") {
        lines.next().unwrap().unwrap()
    } else {
        evidence_line
    };
    assert_eq!(
        evidence_line,
        format!("Evidencias en {}", evidence.display()),
        "PARTICIPA_EVIDENCIAS applies"
    );

    let home = http(&addr, "GET", "/", &[], "");
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(
        home.contains("Participación ciudadana en Entidad de Prueba"),
        "PARTICIPA_ENTITY applies: {home}"
    );

    let form = http(&addr, "GET", "/sugerencias", &[], "");
    assert!(
        form.contains(&format!("<a href=\"{POLICY}\"")),
        "PARTICIPA_POLITICA_DATOS applies: {form}"
    );

    let login = http(
        &addr,
        "POST",
        "/ingresar",
        &[],
        &format!("usuario=admin&clave={password}&siguiente=/admin/planes"),
    );
    assert!(login.starts_with("HTTP/1.1 303"), "{login}");
    let cookie = login
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: participa_sesion=")
        })
        .unwrap_or_else(|| panic!("a session cookie: {login}"));
    assert!(
        cookie.contains("; Secure"),
        "PARTICIPA_SECURE_COOKIES applies: {cookie}"
    );

    // The peer (127.0.0.1) is a trusted proxy, so each address it forwards has its own
    // quota of PARTICIPA_LIMITE_RAFAGA submissions (the honeypot: counted, then dropped).
    let suggest = |client: &str| {
        let reply = http(
            &addr,
            "POST",
            "/sugerencias",
            &[("X-Forwarded-For", client)],
            "categoria=vivienda&texto=hola&sitio_web=x",
        );
        reply.lines().next().unwrap_or_default().to_string()
    };
    assert!(suggest("203.0.113.5").contains(" 303 "));
    assert!(suggest("203.0.113.5").contains(" 303 "));
    assert!(
        suggest("203.0.113.5").contains(" 429 "),
        "PARTICIPA_LIMITE_RAFAGA applies"
    );
    assert!(
        suggest("203.0.113.6").contains(" 303 "),
        "PARTICIPA_PROXIES_CONFIABLES applies: another citizen behind the proxy is served"
    );
    drop(server);
}

fn users_are_created_and_passwords_reset_from_the_command_line(db: TestDatabase) {
    ok(&db, &["init"]);
    let out = text(ok(
        &db,
        &[
            "user",
            "create",
            "Carlos",
            "--role",
            "reporter",
            "--name",
            "Carlos Comunicaciones",
            "--offices",
            "ARCOM",
        ],
    ));
    assert!(out.contains("usuario:    carlos"), "{out}");
    let first = out
        .lines()
        .find(|l| l.starts_with("contraseña: "))
        .unwrap()
        .to_string();
    assert!(out.contains("Es temporal"), "{out}");
    let again = text(ok(&db, &["user", "reset-password", "carlos"]));
    let second = again
        .lines()
        .find(|l| l.starts_with("contraseña: "))
        .unwrap()
        .to_string();
    assert_ne!(first, second);
    let missing = participa(
        &db,
        &["user", "create", "x", "--role", "reporter", "--name", "X"],
    );
    assert!(!missing.status.success());
    assert!(text(missing.stderr).contains("necesita --offices"));
    let unknown = participa(&db, &["user", "reset-password", "nadie"]);
    assert!(!unknown.status.success());
    assert!(text(unknown.stderr).contains("«nadie» no existe"));
    // A name locked by strangers' failures is unlocked by an operator, audited.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = rt
        .block_on(participa_store::Store::connect(&db.url))
        .unwrap();
    let window = chrono::Duration::minutes(15);
    let carlos = [participa_store::Quota::new("u:carlos", 5)];
    for _ in 0..5 {
        rt.block_on(store.take_attempt(&carlos, window)).unwrap();
    }
    let locked = rt.block_on(store.take_attempt(&carlos, window)).unwrap();
    assert!(matches!(locked, participa_store::Attempt::Refused { .. }));
    let out = text(ok(&db, &["user", "unlock", "Carlos"]));
    assert!(out.contains("Ingreso de «carlos» desbloqueado."), "{out}");
    let out = text(ok(&db, &["user", "unlock", "carlos"]));
    assert!(out.contains("no estaba bloqueado"), "{out}");
    let again = rt.block_on(store.take_attempt(&carlos, window)).unwrap();
    assert!(matches!(again, participa_store::Attempt::Allowed { .. }));
    // A password printed here (or on the first start) must be changed at the first
    // sign-in (issue 14, part 9).
    for name in ["carlos", "admin"] {
        let (user, _) = rt.block_on(store.user_for_login(name)).unwrap().unwrap();
        assert!(user.must_change_password, "{name}");
    }
    rt.block_on(store.close());
    let taken = participa(
        &db,
        &[
            "user", "create", "carlos", "--role", "auditor", "--name", "Otro",
        ],
    );
    assert!(text(taken.stderr).contains("ya existe"));
}

fn festivos_prints_the_year_and_follows_overrides(db: TestDatabase) {
    let out = text(ok(&db, &["festivos", "2026"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 19, "{out}");
    assert_eq!(lines[0], "2026-01-01\tAño Nuevo");
    assert!(lines.contains(&"2026-01-12\tDía de los Reyes Magos"));
    assert!(lines.contains(&"2026-04-02\tJueves Santo"));
    assert!(lines.contains(&"2026-07-13\tDía de Nuestra Señora del Rosario de Chiquinquirá"));
    ok(
        &db,
        &[
            "holiday",
            "add",
            "2026-09-14",
            "--name",
            "Día cívico",
            "--reason",
            "Decreto 1 de 2026",
        ],
    );
    ok(
        &db,
        &["holiday", "remove", "2026-12-08", "--reason", "Prueba"],
    );
    let after = text(ok(&db, &["festivos", "2026"]));
    assert!(after.contains("2026-09-14\tDía cívico"), "{after}");
    assert!(!after.contains("2026-12-08"), "{after}");
    let bad = participa(
        &db,
        &[
            "holiday",
            "add",
            "2026-02-30",
            "--name",
            "x",
            "--reason",
            "y",
        ],
    );
    assert!(!bad.status.success());
}

fn parameters_are_listed_with_their_norms_and_can_be_changed(db: TestDatabase) {
    let out = text(ok(&db, &["parametros", "--fecha", "2026-06-01"]));
    let line = out
        .lines()
        .find(|l| l.starts_with("peticion.general\t"))
        .unwrap();
    assert!(line.contains("15 días hábiles"), "{line}");
    assert!(line.contains("Ley 1755 de 2015"), "{line}");
    assert!(line.contains("valor por defecto"), "{line}");
    assert!(out.contains("plan.publicacion\t31 de enero"), "{out}");
    ok(
        &db,
        &[
            "parameter",
            "set",
            "peticion.general",
            "20",
            "--from",
            "2026-05-01",
            "--reason",
            "Prueba",
        ],
    );
    let after = text(ok(&db, &["parametros", "--fecha", "2026-06-01"]));
    let line = after
        .lines()
        .find(|l| l.starts_with("peticion.general\t"))
        .unwrap();
    assert!(
        line.contains("20 días hábiles") && line.contains("desde 1 may 2026"),
        "{line}"
    );
    let bad = participa(
        &db,
        &[
            "parameter",
            "set",
            "plan.publicacion",
            "230",
            "--from",
            "2026-05-01",
            "--reason",
            "x",
        ],
    );
    assert!(!bad.status.success());
    assert!(text(bad.stderr).contains("no es válido"));
}

fn check_lists_findings_and_exits_1_until_each_is_covered_or_accepted(db: TestDatabase) {
    ok(&db, &["init"]);
    let out = participa(&db, &["check", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let listed = text(out.stdout);
    let codes: Vec<&str> = listed
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(codes.len(), 12, "{listed}");
    let norm = listed
        .lines()
        .find(|l| l.starts_with("NORMA:Ley 1750 de 2015\tpendiente"))
        .unwrap();
    assert!(
        norm.contains("Ley 1757 de 2015") && norm.contains("Fuente: "),
        "{norm}"
    );
    // Tagging an activity as the control-social space makes that finding disappear.
    let dir = tempfile::tempdir().unwrap();
    let tags = dir.path().join("etiquetas.tsv");
    std::fs::write(
        &tags,
        "numero\tfases\tcubre\n13\timplementacion;evaluacion_seguimiento\tcontrol_social\n",
    )
    .unwrap();
    ok(&db, &["tags", "1", tags.to_str().unwrap()]);
    let after = text(participa(&db, &["check", "1"]).stdout);
    assert!(!after.contains("COMPONENTE:control_social"), "{after}");
    assert_eq!(after.lines().count(), 11);
    // Accepting every other finding, with a justification, lets the check pass.
    let unknown = participa(&db, &["accept", "1", "NO:EXISTE", "--justification", "x"]);
    assert!(!unknown.status.success());
    for code in after.lines().map(|l| l.split('\t').next().unwrap()) {
        ok(
            &db,
            &[
                "accept",
                "1",
                code,
                "--justification",
                "Se cubre en el plan de acción",
            ],
        );
    }
    let done = participa(&db, &["check", "1"]);
    assert_eq!(done.status.code(), Some(0), "{}", text(done.stderr));
    assert!(text(done.stdout).contains("aceptado: Se cubre en el plan de acción"));
}

fn tags_name_only_groups_of_value_in_the_catalogue(db: TestDatabase) {
    ok(&db, &["init"]);
    let dir = tempfile::tempdir().unwrap();
    let tags = dir.path().join("grupos.tsv");
    std::fs::write(&tags, "numero\tgrupos_valor\n6\tafiliados;reservistas\n").unwrap();
    let refused = participa(&db, &["tags", "1", tags.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(text(refused.stderr).contains("no están en el catálogo: reservistas"));
    ok(
        &db,
        &[
            "grupo",
            "reservistas",
            "--name",
            "Reservistas de honor",
            "--furag",
            "Ciudadanos / usuarios",
        ],
    );
    assert!(text(ok(&db, &["grupos"]))
        .contains("reservistas\tReservistas de honor\tCiudadanos / usuarios"));
    ok(&db, &["tags", "1", tags.to_str().unwrap()]);
    let json: serde_json::Value =
        serde_json::from_slice(&ok(&db, &["export", "1", "--format", "json"])).unwrap();
    let tags = &json["activities"][5]["tags"];
    assert_eq!(
        tags["value_groups"],
        serde_json::json!(["afiliados", "reservistas"])
    );
    // Columns the file does not have keep their values.
    assert_eq!(tags["phases"], serde_json::json!(["implementacion"]));
    assert_eq!(tags["furag"], serde_json::json!(["SEC211", "SEC214"]));
}

/// The text `pdftotext` (poppler-utils) reads from a PDF file.
fn pdf_text(path: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils; scripts/test.sh does)");
    assert!(out.status.success());
    text(out.stdout)
}

fn reports_are_written_as_pdf_and_xlsx(db: TestDatabase) {
    ok(&db, &["init"]);
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.pdf");
    ok(&db, &["report", "plan", "1", "-o", plan.to_str().unwrap()]);
    let words = pdf_text(&plan);
    for expected in [
        "Plan de Participación Ciudadana 2025",
        "Desarrollar ferias inmobiliarias virtuales o presenciales",
        "Consolidó",
    ] {
        assert!(words.contains(expected), "missing «{expected}»:\n{words}");
    }
    let xlsx = dir.path().join("seguimiento.xlsx");
    ok(
        &db,
        &[
            "report",
            "seguimiento",
            "1",
            "--period",
            "2",
            "-o",
            xlsx.to_str().unwrap(),
        ],
    );
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&xlsx).unwrap();
    let sheet = book.worksheet_range("Seguimiento").unwrap();
    let cells: Vec<String> = sheet.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(
        cells
            .iter()
            .any(|c| c == "Cuatrimestre 2 (corte 31 ago 2025)"),
        "{cells:?}"
    );
    assert!(
        cells.iter().any(|c| c == "Vencida"),
        "activity 1 ended in March"
    );
    let pdf = dir.path().join("seguimiento.pdf");
    ok(
        &db,
        &[
            "report",
            "seguimiento",
            "1",
            "--period",
            "2",
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(pdf_text(&pdf).contains("Informe de seguimiento"));
    let wrong = participa(
        &db,
        &[
            "report",
            "seguimiento",
            "1",
            "--period",
            "9",
            "-o",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(!wrong.status.success());
    assert!(text(wrong.stderr).contains("no tiene el periodo 9"));
    let odd = participa(&db, &["report", "plan", "1", "-o", "plan.docx"]);
    assert!(text(odd.stderr).contains("use -o ARCHIVO.pdf"));
}

/// A minimal SMTP server on loopback that accepts every message and keeps it (with its
/// envelope recipients), decoding quoted-printable.
fn smtp_sink() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = mails.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let kept = kept.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut w = stream;
                let _ = w.write_all(b"220 sumidero ESMTP\r\n");
                let mut envelope = String::new();
                let mut line = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sumidero\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("DATA") {
                        let _ = w.write_all(b"354 termine con un punto\r\n");
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            if reader.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                                break;
                            }
                            data.push_str(&l);
                        }
                        let decoded = quoted_printable(&data);
                        kept.lock().unwrap().push(format!("{envelope}\n{decoded}"));
                        envelope.clear();
                        b"250 aceptado\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = w.write_all(b"221 adios\r\n");
                        return;
                    } else {
                        if upper.starts_with("RCPT") {
                            envelope.push_str(line.trim());
                        }
                        b"250 OK\r\n"
                    };
                    let _ = w.write_all(reply);
                }
            });
        }
    });
    (port, mails)
}

fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn reminders_are_printed_and_sent_by_email(db: TestDatabase) {
    ok(&db, &["init"]);
    // The seed plan goes through its lifecycle to published, and ARCOM has a reporter
    // with an e-mail address.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use participa_domain::Role;
        use participa_store::{PlanId, Store};
        let store = Store::connect(&db.url).await.unwrap();
        participa_store::testing::publish_plan(&store, PlanId(1)).await;
        participa_store::testing::create_user(
            &store,
            "carlos",
            "Carlos Comunicaciones",
            Role::Reporter,
            &["ARCOM"],
            "x",
        )
        .await;
        store.close().await;
    });
    // Without SMTP they are printed: on 20 April 2025 ARCOM owes period 1 of activity 13.
    let printed = text(ok(&db, &["recordatorios", "--fecha", "2025-04-20"]));
    assert!(
        printed
            .lines()
            .any(|l| l.starts_with("1\tARCOM\treportar\t13\t")),
        "{printed}"
    );
    assert!(
        printed
            .lines()
            .any(|l| l.starts_with("1\tOAPLA\tVencida\t1\t")),
        "{printed}"
    );
    let (port, mails) = smtp_sink();
    let smtp = format!("smtp://127.0.0.1:{port}");
    let sent = text(ok(
        &db,
        &[
            "recordatorios",
            "--fecha",
            "2025-04-20",
            "--smtp",
            &smtp,
            "--remitente",
            "Participa <participa@cajahonor.test>",
            "--url",
            "https://participa.cajahonor.test",
        ],
    ));
    assert!(sent.contains("Recordatorios enviados: 1"), "{sent}");
    let mails = mails.lock().unwrap();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    for expected in [
        "carlos@participa.test",
        "Hola, Carlos Comunicaciones",
        "Área de Comunicaciones",
        "13. Generar estrategias de participación",
        "a más tardar el",
        "https://participa.cajahonor.test/admin/planes/1/seguimiento?dependencia=ARCOM",
    ] {
        assert!(mail.contains(expected), "missing «{expected}» in:\n{mail}");
    }
}

/// Starts `participa serve` on a free port with `envs`; the server once it listens, or
/// what it printed on stderr when it exited instead.
fn start_server(
    db: &TestDatabase,
    dir: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
) -> Result<(Server, Vec<String>), String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_participa"));
    command
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .current_dir(dir)
        .env("DATABASE_URL", &db.url)
        .env_remove("PARTICIPA_CLAVE_IDENTIDAD")
        .env_remove("PARTICIPA_CLAVE_IDENTIDAD_ARCHIVO")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        command.env(k, v);
    }
    let mut server = Server(command.spawn().unwrap());
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    loop {
        match lines.next() {
            Some(Ok(line)) => {
                let listening = line.starts_with("Participa está en http://");
                printed.push(line);
                if listening {
                    // The rest of the start-up lines come right after.
                    for _ in 0..3 {
                        if let Some(Ok(l)) = lines.next() {
                            printed.push(l);
                        }
                    }
                    // Whatever it prints later is read and dropped: a server whose
                    // standard output nobody reads any more fails on its next line.
                    std::thread::spawn(move || lines.for_each(drop));
                    return Ok((server, printed));
                }
            }
            _ => {
                let mut err = String::new();
                server
                    .0
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                return Err(err);
            }
        }
    }
}

/// Issue 13, item 5: the secret of the identity digests lives outside the database — a
/// key file made on first start, owner-only, next to the SQLite database (or the
/// variable PARTICIPA_CLAVE_IDENTIDAD) — and a server with another secret is refused.
#[test]
fn serve_keeps_the_identity_key_outside_the_database() {
    let db = participa_store::testing::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let db_file = db.url.strip_prefix("sqlite://").unwrap().to_string();
    let key_file = format!("{db_file}.clave-identidad");
    let (server, printed) = start_server(&db, dir.path(), &[], &[]).unwrap();
    drop(server);
    let printed = printed.join("\n");
    assert!(
        printed.contains(&format!(
            "Clave de las huellas de identidad: archivo {key_file} (creado ahora)"
        )),
        "{printed}"
    );
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(key.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is for its owner only");
    }
    // The database does not hold it.
    let database = std::fs::read(&db_file).unwrap();
    assert!(
        !database.windows(64).any(|w| w == key.trim().as_bytes()),
        "the key is in the database file"
    );
    // The same file again: accepted, not re-created.
    let (server, printed) = start_server(&db, dir.path(), &[], &[]).unwrap();
    drop(server);
    assert!(!printed.join("\n").contains("creado ahora"));
    // Another secret (a second server with its own key) is refused, and says why.
    let other = [(
        "PARTICIPA_CLAVE_IDENTIDAD",
        "otra clave de al menos treinta y dos caracteres",
    )];
    let refused = start_server(&db, dir.path(), &[], &other)
        .err()
        .expect("refused");
    assert!(
        refused.contains("no es la que usa esta base de datos"),
        "{refused}"
    );
    // A secret too short is refused before anything starts.
    let short = start_server(
        &db,
        dir.path(),
        &[],
        &[("PARTICIPA_CLAVE_IDENTIDAD", "corta")],
    )
    .err()
    .expect("refused");
    assert!(short.contains("demasiado corta"), "{short}");
    // Replacing a lost key is a deliberate act.
    let (server, printed) =
        start_server(&db, dir.path(), &["--replace-identity-key"], &other).unwrap();
    drop(server);
    assert!(printed
        .join("\n")
        .contains("variable PARTICIPA_CLAVE_IDENTIDAD"));
    // A key file named elsewhere is created there.
    let elsewhere = dir.path().join("claves").join("participa.clave");
    std::fs::create_dir(elsewhere.parent().unwrap()).unwrap();
    let elsewhere_text = elsewhere.display().to_string();
    let refused = start_server(
        &db,
        dir.path(),
        &[],
        &[("PARTICIPA_CLAVE_IDENTIDAD_ARCHIVO", &elsewhere_text)],
    )
    .err()
    .expect("a new key file holds another key");
    assert!(
        refused.contains("no es la que usa esta base de datos"),
        "{refused}"
    );
    assert!(elsewhere.exists());
}

/// Issue 13, item 10: a date typed on the command line is checked as in the forms.
#[test]
fn command_line_dates_are_kept_in_range() {
    let db = participa_store::testing::sqlite();
    for args in [
        &["parametros", "--fecha", "+262142-12-31"][..],
        &[
            "holiday",
            "add",
            "9999-12-31",
            "--name",
            "X",
            "--reason",
            "Y",
        ][..],
        &["festivos", "9999"][..],
    ] {
        let out = participa(&db, args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("1900 y 2200") || err.contains("2200"),
            "{args:?}: {err}"
        );
    }
}

/// Waits (up to a minute) until `done` holds.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "waited a minute for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Issue 14, item 2: `participa serve` delivers the outbox itself. The mail server is
/// down when the step happens: the message waits, retried with backoff, and arrives
/// once the server (a real aiosmtpd process) comes up. A server killed and started
/// again sends nothing twice.
fn notifications_wait_for_the_mail_server_and_go_out_once(db: TestDatabase) {
    use participa_domain::{Role, Transition};
    use participa_store::{Actor, PlanId, Store};
    ok(&db, &["init"]);
    let rt = runtime();
    let store = rt.block_on(async {
        let store = Store::connect(&db.url).await.unwrap();
        participa_store::testing::accept_all_findings(&store, PlanId(1)).await;
        participa_store::testing::create_user(
            &store,
            "aprueba",
            "Ana Aprobadora",
            Role::Approver,
            &[],
            "x",
        )
        .await;
        store
    });
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("correo");
    let port = mail_server::free_port();
    let smtp = format!("smtp://127.0.0.1:{port}");
    let args = [
        "--smtp",
        smtp.as_str(),
        "--remitente",
        "Participa <participa@cajahonor.test>",
        "--url-publica",
        "https://participa.cajahonor.test",
        "--correo-cada",
        "1",
        "--correo-reintento",
        "1",
    ];
    let (server, printed) = start_server(&db, dir.path(), &args, &[]).unwrap();
    assert!(
        printed
            .iter()
            .any(|l| l.contains("Notificaciones por correo: activas")),
        "{printed:?}"
    );
    rt.block_on(store.transition(PlanId(1), Transition::Consolidate, None, &Actor::system()))
        .unwrap();
    wait_until("a failed attempt while the mail server is down", || {
        rt.block_on(store.outbox_states())
            .unwrap()
            .iter()
            .any(|(_, _, state, attempts)| state == "pending" && *attempts >= 1)
    });
    let mail = mail_server::MailServer::start(port, &maildir);
    let got = mail.wait_for(1);
    let first = &got[0];
    assert!(first.to.contains("aprueba@participa.test"), "{first:?}");
    assert!(first.to.contains("Ana Aprobadora"), "{first:?}");
    assert!(first.subject.starts_with("Plan consolidado: "), "{first:?}");
    for expected in [
        "Hola, Ana Aprobadora:",
        "consolidó la versión 1",
        "Para verlo: https://participa.cajahonor.test/admin/planes/1",
        "https://participa.cajahonor.test/admin/notificaciones",
    ] {
        assert!(
            first.body.contains(expected),
            "missing «{expected}» in {first:#?}"
        );
    }
    // Killed (no orderly stop) and started again: the message sent is not sent again,
    // and the next step's message goes out.
    wait_until("the first marked sent", || {
        rt.block_on(store.outbox_states())
            .unwrap()
            .iter()
            .all(|(_, _, s, _)| s == "sent")
    });
    drop(server);
    let (_server, _) = start_server(&db, dir.path(), &args, &[]).unwrap();
    rt.block_on(store.transition(PlanId(1), Transition::Review, None, &Actor::system()))
        .unwrap();
    let got = mail.wait_for(2);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(
        got[1].subject.starts_with("Plan para aprobar: "),
        "{got:#?}"
    );
    assert_ne!(got[0].message_id, got[1].message_id);
    wait_until("both marked sent", || {
        rt.block_on(store.outbox_states())
            .unwrap()
            .iter()
            .all(|(_, _, s, _)| s == "sent")
    });
    assert_eq!(mail.messages().len(), 2);
    rt.block_on(store.close());
}

/// Issue 14, item 2: the reminders `participa recordatorios` sent from cron are written
/// by the server itself, on business days from the set hour, once per office, person,
/// plan, period and stage however often the task runs.
fn reminders_are_written_on_business_days_once_per_stage(db: TestDatabase) {
    use chrono::{Duration, NaiveDate, TimeZone, Utc};
    use participa_app::outbox::{write_reminders, ReminderSchedule};
    use participa_domain::Role;
    use participa_store::{NoticeKind, PlanId, Store};
    ok(&db, &["init"]);
    let rt = runtime();
    rt.block_on(async {
        let store = Store::connect(&db.url).await.unwrap();
        participa_store::testing::publish_plan(&store, PlanId(1)).await;
        let carlos = participa_store::testing::create_user(
            &store,
            "carlos",
            "Carlos Comunicaciones",
            Role::Reporter,
            &["ARCOM"],
            "x",
        )
        .await;
        let olga = participa_store::testing::create_user(
            &store,
            "olga",
            "Olga Planeación",
            Role::Reporter,
            &["OAPLA"],
            "x",
        )
        .await;
        let calendar = store.calendar().await.unwrap();
        // ARCOM's deadline for period 1, and the business day two before it.
        let reminders = participa_app::reminders::all_reminders(
            &store,
            NaiveDate::from_ymd_opt(2025, 4, 20).unwrap(),
        )
        .await
        .unwrap();
        let arcom = reminders
            .iter()
            .find(|r| r.office == "ARCOM")
            .expect("ARCOM owes");
        let (_, closes) = arcom.due_period.expect("a period due");
        let mut day = closes;
        while !(calendar.is_business_day(day) && calendar.business_days_between(day, closes) == 2) {
            day -= Duration::days(1);
        }
        // Colombian time is UTC-5.
        let at = |d: NaiveDate, hour: u32| {
            Utc.from_utc_datetime(&d.and_hms_opt(hour + 5, 0, 0).unwrap())
        };
        let schedule = ReminderSchedule {
            hour: 7,
            days_before: 3,
        };
        let notices = |user| {
            let store = store.clone();
            async move { store.notifications(user, 50).await.unwrap() }
        };
        assert_eq!(
            write_reminders(&store, at(day, 6), &schedule)
                .await
                .unwrap(),
            0,
            "before the hour"
        );
        let mut saturday = day;
        while saturday.format("%u").to_string() != "6" {
            saturday += Duration::days(1);
        }
        assert_eq!(
            write_reminders(&store, at(saturday, 9), &schedule)
                .await
                .unwrap(),
            0,
            "a day off"
        );
        assert!(
            write_reminders(&store, at(day, 8), &schedule)
                .await
                .unwrap()
                >= 2
        );
        let to_carlos = notices(carlos).await;
        let closing: Vec<_> = to_carlos
            .iter()
            .filter(|n| n.kind == NoticeKind::PeriodClosing)
            .collect();
        assert_eq!(closing.len(), 1, "{to_carlos:?}");
        assert!(
            closing[0].body.contains("quedan 2 días hábiles"),
            "{:?}",
            closing[0]
        );
        assert!(closing[0].body.contains("13. "), "{:?}", closing[0]);
        assert_eq!(
            closing[0].link,
            "/admin/planes/1/seguimiento?dependencia=ARCOM"
        );
        let overdue: Vec<_> = notices(olga)
            .await
            .into_iter()
            .filter(|n| n.kind == NoticeKind::ReportOverdue)
            .collect();
        assert_eq!(overdue.len(), 1);
        assert!(overdue[0].body.contains("vencida"), "{:?}", overdue[0]);
        // Again the same day, and the next one: nothing new for the deadline; the
        // overdue list comes back a week later.
        assert_eq!(
            write_reminders(&store, at(day, 9), &schedule)
                .await
                .unwrap(),
            0
        );
        let week_later = calendar.add_business_days(day, 5);
        write_reminders(&store, at(week_later, 8), &schedule)
            .await
            .unwrap();
        let closing_now = notices(carlos)
            .await
            .into_iter()
            .filter(|n| n.kind == NoticeKind::PeriodClosing)
            .count();
        assert_eq!(closing_now, 1);
        let overdue_now = notices(olga)
            .await
            .into_iter()
            .filter(|n| n.kind == NoticeKind::ReportOverdue)
            .count();
        assert_eq!(overdue_now, 2);
        store.close().await;
    });
}

/// Issue 16, point 6 (scheduled tasks): two servers writing the same day's reminders at
/// once — two connection pools, as two processes have — write each one once.
fn reminders_written_by_two_servers_at_once_are_written_once(db: TestDatabase) {
    use chrono::{NaiveDate, TimeZone, Utc};
    use participa_app::outbox::{write_reminders, ReminderSchedule};
    use participa_domain::Role;
    use participa_store::{NoticeKind, PlanId, Store};
    ok(&db, &["init"]);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let one = Store::connect(&db.url).await.unwrap();
        let two = Store::connect(&db.url).await.unwrap();
        participa_store::testing::publish_plan(&one, PlanId(1)).await;
        let olga = participa_store::testing::create_user(
            &one,
            "olga",
            "Olga Planeación",
            Role::Reporter,
            &["OAPLA"],
            "x",
        )
        .await;
        // Tuesday 2 December 2025, 9:00 in Colombia: a business day, with the plan's
        // activities overdue.
        let now = Utc.from_utc_datetime(
            &NaiveDate::from_ymd_opt(2025, 12, 2)
                .unwrap()
                .and_hms_opt(14, 0, 0)
                .unwrap(),
        );
        let schedule = ReminderSchedule {
            hour: 7,
            days_before: 3,
        };
        for _ in 0..5 {
            let (a, b) = tokio::join!(
                write_reminders(&one, now, &schedule),
                write_reminders(&two, now, &schedule)
            );
            a.unwrap();
            b.unwrap();
        }
        let overdue = one
            .notifications(olga, 50)
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.kind == NoticeKind::ReportOverdue)
            .count();
        assert_eq!(
            overdue, 1,
            "one overdue reminder, however many servers wrote it"
        );
    });
}

/// Issue 16, point 8: `participa entity add|list`, and `--entity SLUG` on the commands
/// that read or write an entity's data (the only entity by default; with several, an
/// error naming them).
fn entities_are_added_listed_and_chosen_with_entity(db: TestDatabase) {
    ok(&db, &["init"]);
    let added = text(ok(
        &db,
        &[
            "entity",
            "add",
            "alcaldia-tunja",
            "--name",
            "Alcaldía de Tunja",
            "--host",
            "Participa.Tunja.gov.co",
            "--orden",
            "territorial",
            "--departamento",
            "15",
            "--municipio",
            "15001",
        ],
    ));
    assert!(added.contains("Entidad alcaldia-tunja agregada"), "{added}");
    assert_eq!(
        text(ok(&db, &["entity", "list"])),
        "alcaldia-tunja\tAlcaldía de Tunja\tterritorial\tparticipa.tunja.gov.co\nentidad\tCaja Honor\tnacional\t\n"
    );
    // With two entities, a command must say which.
    let out = participa(&db, &["plans"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--entity") && err.contains("alcaldia-tunja") && err.contains("entidad"),
        "{err}"
    );
    assert_eq!(
        text(ok(&db, &["--entity", "entidad", "plans"])),
        "1\t2025\tPlan de Participación Ciudadana 2025\t15\n"
    );
    let imported = text(ok(
        &db,
        &[
            "import",
            SEED,
            "--entity",
            "alcaldia-tunja",
            "--nombre-entidad",
            "Alcaldía de Tunja",
        ],
    ));
    assert!(imported.starts_with("Plan 2 importado"), "{imported}");
    assert_eq!(
        text(ok(&db, &["plans", "--entity", "alcaldia-tunja"])),
        "2\t2025\tPlan de Participación Ciudadana 2025\t15\n"
    );
    // Each entity's plan is its own: Tunja's commands do not reach plan 1.
    let other = participa(&db, &["--entity", "alcaldia-tunja", "check", "1"]);
    assert!(!other.status.success());
    assert!(
        String::from_utf8_lossy(&other.stderr).contains("el plan 1 no existe"),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
    let unknown = participa(&db, &["--entity", "nadie", "plans"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("la entidad «nadie» no existe"));
    // Bad input is refused with what to write, and nothing is added.
    for (args, expected) in [
        (
            vec!["Mal Nombre", "--name", "X"],
            "identificador «Mal Nombre»",
        ),
        (
            vec!["otra", "--name", "Otra", "--host", "https://otra.gov.co"],
            "nombre de servidor",
        ),
        (
            vec![
                "otra",
                "--name",
                "Otra",
                "--departamento",
                "15",
                "--municipio",
                "25001",
            ],
            "DIVIPOLA",
        ),
        (vec!["entidad", "--name", "Repetida"], "ya existe"),
        (
            vec!["otra", "--name", "Otra", "--host", "participa.tunja.gov.co"],
            "ya es de otra entidad",
        ),
    ] {
        let mut all = vec!["entity", "add"];
        all.extend(args);
        let out = participa(&db, &all);
        assert!(!out.status.success(), "{all:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{all:?}: {err}");
    }
    assert_eq!(text(ok(&db, &["entity", "list"])).lines().count(), 2);
}

/// An nginx master process, stopped with its workers when the test ends (SIGKILL would
/// leave the workers running).
struct Nginx(std::process::Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// Issue 16, point 6: two `participa serve` processes on one PostgreSQL behind nginx
/// (round robin) behave as one: a session opened through one works on both, a change
/// made through one shows on the other's cached pages within a second or so, the
/// public forms' quota is one for the pair, and each e-mail of the outbox goes out once.
#[test]
fn two_servers_behind_nginx_behave_as_one() {
    use participa_domain::Role;
    use participa_store::{NoticeKind, PlanId, Recipients, Store};
    let rt = runtime();
    let db = rt.block_on(participa_store::testing::postgres());
    ok(&db, &["init"]);
    const PASSWORD: &str = "una clave larga para los dos servidores";
    let store = rt.block_on(async {
        let store = Store::connect(&db.url).await.unwrap();
        participa_store::testing::publish_plan(&store, PlanId(1)).await;
        participa_store::testing::create_user(
            &store,
            "ana",
            "Ana Planeación",
            Role::Admin,
            &[],
            &password_auth::generate_hash(PASSWORD),
        )
        .await;
        store
    });
    let dir = tempfile::tempdir().unwrap();
    let mail_port = mail_server::free_port();
    let mail = mail_server::MailServer::start(mail_port, &dir.path().join("correo"));
    let smtp = format!("smtp://127.0.0.1:{mail_port}");
    let evidence = dir.path().join("evidencias");
    let args = [
        "--smtp",
        smtp.as_str(),
        "--correo-cada",
        "1",
        "--public-burst",
        "4",
        "--public-per-minute",
        "1",
        "--evidence",
        evidence.to_str().unwrap(),
    ];
    let key = [(
        "PARTICIPA_CLAVE_IDENTIDAD",
        "la clave de identidad compartida por los dos servidores",
    )];
    let address = |printed: &[String]| -> String {
        printed
            .iter()
            .find_map(|l| l.strip_prefix("Participa está en http://"))
            .and_then(|rest| rest.split('/').next())
            .unwrap()
            .to_string()
    };
    let (_one, printed) = start_server(&db, dir.path(), &args, &key).unwrap();
    let one = address(&printed);
    let (_two, printed) = start_server(&db, dir.path(), &args, &key).unwrap();
    let two = address(&printed);
    let proxy_port = mail_server::free_port();
    let proxy = format!("127.0.0.1:{proxy_port}");
    let nginx_dir = dir.path().join("nginx");
    std::fs::create_dir_all(&nginx_dir).unwrap();
    let conf = nginx_dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 128; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
               upstream participa {{ server {one}; server {two}; }}\n\
               server {{ listen {proxy};\n    location / {{ proxy_pass http://participa;\n      proxy_set_header Host $http_host; }} }}\n}}\n",
            d = nginx_dir.display()
        ),
    )
    .unwrap();
    let _nginx = Nginx(
        Command::new("nginx")
            .args([
                "-p",
                nginx_dir.to_str().unwrap(),
                "-c",
                conf.to_str().unwrap(),
            ])
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (apt-get install nginx-light; scripts/test.sh does)"),
    );
    wait_until("nginx to listen", || {
        std::net::TcpStream::connect(&proxy).is_ok()
    });
    let status = |reply: &str| reply.split(' ').nth(1).unwrap_or_default().to_string();

    // A session opened through the proxy works on both servers.
    let login = http(
        &proxy,
        "POST",
        "/ingresar",
        &[],
        &format!(
            "usuario=ana&clave={}&siguiente=%2Fadmin",
            PASSWORD.replace(' ', "+")
        ),
    );
    assert_eq!(status(&login), "303", "{login}");
    let cookie = login
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .find(|c| c.starts_with("participa_sesion="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    for server in [&one, &two, &proxy, &proxy, &proxy, &proxy] {
        let page = http(server, "GET", "/admin", &[("Cookie", &cookie)], "");
        assert_eq!(status(&page), "200", "GET /admin on {server}: {page}");
    }

    // A change through one server shows on the other's cached portal promptly.
    let title = "Audiencia de prueba con dos servidores";
    for _ in 0..2 {
        assert!(!http(&two, "GET", "/", &[], "").contains(title));
    }
    let day = (participa_app::dates::today() + chrono::Duration::days(20)).to_string();
    let created = http(
        &one,
        "POST",
        "/admin/audiencias",
        &[("Cookie", &cookie)],
        &format!(
            "titulo={}&fecha={day}&hora=10%3A00&lugar=Bogot%C3%A1&transmision=&informe=&informe_fecha=&convocatoria=Sitio+web&actividad=1%3A4",
            title.replace(' ', "+")
        ),
    );
    assert_eq!(status(&created), "303", "{created}");
    let changed = std::time::Instant::now();
    while !http(&two, "GET", "/", &[], "").contains(title) {
        assert!(
            changed.elapsed() < std::time::Duration::from_secs(3),
            "the other server's portal still misses the new hearing after 3 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    eprintln!(
        "the other server showed the change after {:?}",
        changed.elapsed()
    );

    // The public forms' quota is one for both servers: 4 in all, not 4 each.
    let answers: Vec<String> = (0..6)
        .map(|i| {
            status(&http(
                &proxy,
                "POST",
                "/sugerencias",
                &[],
                &format!("categoria=vivienda&texto=Sugerencia+n%C3%BAmero+{i}"),
            ))
        })
        .collect();
    assert_eq!(
        answers,
        ["303", "303", "303", "303", "429", "429"],
        "{answers:?}"
    );

    // Each e-mail of the outbox goes out once, though both servers deliver.
    rt.block_on(async {
        for i in 0..30 {
            let notice = participa_store::Notice::new(
                Recipients::Address {
                    email: format!("persona{i}@participa.test"),
                    name: format!("Persona {i}"),
                },
                NoticeKind::PasswordRecovery,
                format!("Mensaje {i}"),
                "Cuerpo",
                "",
            );
            store.notify(&notice).await.unwrap();
        }
    });
    let got = mail.wait_for(30);
    std::thread::sleep(std::time::Duration::from_secs(3));
    let got_later = mail.messages();
    assert_eq!(
        got_later.len(),
        30,
        "{} messages for 30 notices",
        got_later.len()
    );
    let mut subjects: Vec<&str> = got.iter().map(|m| m.subject.as_str()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 30);

    // An entity's settings changed through one server show on the other's site within
    // about a second, and its mail goes out under its own sender.
    let tunja = rt.block_on(async {
        let id = store
            .add_entity(
                &participa_store::EntityData {
                    slug: "tunja".into(),
                    name: "Alcaldía de Tunja".into(),
                    ..Default::default()
                },
                &participa_store::Actor::system(),
            )
            .await
            .unwrap();
        store.for_entity(id)
    });
    wait_until("the other server to serve the new entity", || {
        status(&http(&two, "GET", "/e/tunja/", &[], "")) == "200"
    });
    assert!(http(&two, "GET", "/e/tunja/", &[], "").contains("Alcaldía de Tunja"));
    rt.block_on(async {
        let mut data = tunja.entity_record().await.unwrap().data;
        data.name = "Alcaldía Mayor de Tunja".into();
        data.address = "Calle 19 # 9-95".into();
        data.mail_from = "participa@tunja.gov.co".into();
        tunja
            .update_entity(Some(&data), None, &participa_store::Actor::system())
            .await
            .unwrap();
    });
    let changed = std::time::Instant::now();
    for server in [&one, &two] {
        while !http(server, "GET", "/e/tunja/", &[], "").contains("Calle 19 # 9-95") {
            assert!(
                changed.elapsed() < std::time::Duration::from_secs(3),
                "{server} still shows Tunja's old footer after 3 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    rt.block_on(async {
        let notice = participa_store::Notice::new(
            Recipients::Address {
                email: "ciudadana@participa.test".into(),
                name: "Ciudadana".into(),
            },
            NoticeKind::PasswordRecovery,
            "Mensaje de Tunja".to_string(),
            "Cuerpo",
            "",
        );
        tunja.notify(&notice).await.unwrap();
    });
    let from_tunja = mail.wait_for(31).pop().unwrap();
    assert_eq!(from_tunja.subject, "Mensaje de Tunja");
    assert!(
        from_tunja.from.contains("Alcaldía Mayor de Tunja")
            && from_tunja.from.contains("<participa@tunja.gov.co>"),
        "{}",
        from_tunja.from
    );
}

/// A survey with one free-text question, open from today for a month: what the backup
/// tests answer under load.
async fn open_survey(store: &participa_store::Store) -> i64 {
    use participa_domain::participation::survey::{check_question, QuestionKind};
    use participa_store::{Actor, ConsultationData};
    let today = participa_app::dates::today();
    let id = store
        .create_consultation(
            &ConsultationData {
                title: "Encuesta durante el respaldo".into(),
                description: String::new(),
                opens_on: today,
                closes_on: today + chrono::Duration::days(30),
                activity: None,
                kind: participa_domain::participation::ConsultationKind::Survey,
                identification: false,
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let q = check_question(&[], "¿Qué mejoraría?", QuestionKind::Text, true, None).unwrap();
    store
        .add_consultation_question(id, &q, &Actor::system())
        .await
        .unwrap();
    id
}

/// Issue 17, point 5: `participa backup` taken while citizens keep answering holds every
/// answer acknowledged before it began, with the evidence files and the identity key;
/// `participa restore` brings them into a new database that serves, and refuses to
/// overwrite one in use.
#[test]
fn a_backup_taken_under_load_restores_every_answer_acknowledged_before_it() {
    use participa_store::{check_evidence, Objects, PlanId, Store};
    let db = participa_store::testing::sqlite();
    ok(&db, &["init"]);
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("evidencias");
    let rt = runtime();
    let survey = rt.block_on(async {
        let store = Store::connect(&db.url).await.unwrap();
        let objects = Objects::local(&evidence).unwrap();
        let report = participa_store::NewReport {
            plan_id: PlanId(1),
            activity: 3,
            period: 1,
            input: participa_domain::followup::ProgressInput {
                percent: 50.0,
                narrative: "Audiencia preparada".into(),
                ..Default::default()
            },
            figures: vec![],
            evidence: vec![check_evidence(
                "acta.pdf",
                b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n".to_vec(),
                1 << 20,
            )
            .unwrap()],
            correction: None,
        };
        participa_store::testing::publish_plan(&store, PlanId(1)).await;
        store
            .submit_report(report, &objects, &participa_store::Actor::system())
            .await
            .unwrap();
        let id = open_survey(&store).await;
        store.close().await;
        id
    });
    let evidence_arg = evidence.display().to_string();
    let (server, printed) = start_server(
        &db,
        dir.path(),
        &["--evidence", &evidence_arg, "--public-burst", "0"],
        &[],
    )
    .unwrap();
    let address = printed
        .iter()
        .find_map(|l| l.strip_prefix("Participa está en http://"))
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_string();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let loaders: Vec<_> = (0..4)
        .map(|t| {
            let (address, stop) = (address.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let tag = format!("respuesta-{t}-{i}");
                    let reply = http(
                        &address,
                        "POST",
                        &format!("/consultas/{survey}/respuestas"),
                        &[],
                        &format!("p1={tag}"),
                    );
                    if reply.starts_with("HTTP/1.1 303") {
                        acked.push((tag, std::time::Instant::now()));
                    }
                    i += 1;
                }
                acked
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let backup = dir.path().join("respaldo.tar");
    let began = std::time::Instant::now();
    let out = text(ok(
        &db,
        &[
            "backup",
            "-o",
            backup.to_str().unwrap(),
            "--evidence",
            &evidence_arg,
        ],
    ));
    assert!(
        out.contains("base SQLite, 1 evidencia, con la clave de identidad"),
        "{out}"
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let acked: Vec<(String, std::time::Instant)> = loaders
        .into_iter()
        .flat_map(|l| l.join().unwrap())
        .collect();
    drop(server);
    let before: Vec<&String> = acked
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(t, _)| t)
        .collect();
    assert!(
        !before.is_empty(),
        "answers were acknowledged before the backup"
    );
    assert!(
        acked.len() > before.len(),
        "answers kept coming while the backup was taken"
    );

    // Restored into a new place: its own database, evidence folder and key file.
    let target = tempfile::tempdir().unwrap();
    let restored_url = format!("sqlite://{}", target.path().join("participa.db").display());
    let restored_evidence = target.path().join("evidencias");
    let restore = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_participa"))
            .args(["restore", backup.to_str().unwrap(), "--evidence"])
            .arg(&restored_evidence)
            .args(extra)
            .env("DATABASE_URL", &restored_url)
            .env_remove("PARTICIPA_CLAVE_IDENTIDAD")
            .output()
            .unwrap()
    };
    let done = restore(&[]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(
        said.contains("1 evidencia, clave de identidad en"),
        "{said}"
    );
    let again = restore(&[]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("ya tiene datos"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let original_key = std::fs::read_to_string(format!(
        "{}.clave-identidad",
        db.url.trim_start_matches("sqlite://")
    ))
    .unwrap();
    let restored_key =
        std::fs::read_to_string(target.path().join("participa.db.clave-identidad")).unwrap();
    assert_eq!(original_key.trim(), restored_key.trim());
    rt.block_on(async {
        let store = Store::connect(&restored_url).await.unwrap();
        let integrity: String = match store.db() {
            participa_store::Db::Sqlite(p) => sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(p)
                .await
                .unwrap(),
            participa_store::Db::Postgres(_) => unreachable!(),
        };
        assert_eq!(integrity, "ok");
        let stored: std::collections::HashSet<String> = store
            .responses(survey)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|r| r.answers.get(&1).and_then(|v| v.first().cloned()))
            .collect();
        let missing: Vec<&&String> = before
            .iter()
            .filter(|t| !stored.contains(t.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "acknowledged before the backup, not in it: {missing:?}"
        );
        // The counts the results pages read came along, consistent with the answers.
        let c = store.consultation(survey).await.unwrap();
        assert_eq!(c.responses as usize, stored.len());
        let f = store.followup(PlanId(1)).await.unwrap();
        let key = &f.reports[0].evidence[0].object_key;
        let objects = Objects::local(&restored_evidence).unwrap();
        assert!(objects.get(key).await.unwrap().starts_with(b"%PDF"));
        store.close().await;
    });
    // The restored deployment serves, with its key.
    let restored = TestDatabase::at(&restored_url);
    let (_server, printed) = start_server(
        &restored,
        target.path(),
        &["--evidence", restored_evidence.to_str().unwrap()],
        &[],
    )
    .unwrap();
    assert!(
        printed.iter().any(|l| l.starts_with("Participa está en")),
        "{printed:?}"
    );
}

/// Issue 17, point 5, on PostgreSQL: `participa backup` runs `pg_dump` and `participa
/// restore` runs `pg_restore`, as an ordinary role under row-level security (both with
/// the scope of every entity), into a new database.
#[test]
fn a_postgres_backup_restores_into_a_new_database() {
    use participa_store::{PlanId, Store};
    let rt = runtime();
    let server = std::env::var("TEST_DATABASE_URL")
        .expect("TEST_DATABASE_URL: run scripts/test.sh, or source scripts/pg-temp.sh");
    let base = server.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    let unique = format!(
        "respaldo_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let (source, target) = (format!("{unique}_a"), format!("{unique}_b"));
    rt.block_on(async {
        let pool = sqlx::PgPool::connect(&server).await.unwrap();
        for name in [&source, &target] {
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&pool)
                .await
                .unwrap();
        }
        pool.close().await;
    });
    let db = TestDatabase::at(&format!("{base}/{source}"));
    ok(&db, &["init"]);
    let survey = rt.block_on(async {
        let store = Store::connect(&db.url).await.unwrap();
        participa_store::testing::publish_plan(&store, PlanId(1)).await;
        let id = open_survey(&store).await;
        let mut answers = std::collections::BTreeMap::new();
        answers.insert(1, vec!["Más sedes".to_string()]);
        store.add_response(id, &answers, None).await.unwrap();
        store.close().await;
        id
    });
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("respaldo.tar");
    let evidence = dir.path().join("evidencias");
    let key_file = dir.path().join("clave");
    std::fs::write(
        &key_file,
        "una clave de identidad de al menos treinta y dos bytes\n",
    )
    .unwrap();
    let out = text(ok(
        &db,
        &[
            "backup",
            "-o",
            backup.to_str().unwrap(),
            "--evidence",
            evidence.to_str().unwrap(),
            "--identity-key-file",
            key_file.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("base PostgreSQL"), "{out}");
    let restored = TestDatabase::at(&format!("{base}/{target}"));
    let restored_key = dir.path().join("clave-restaurada");
    let out = text(ok(
        &restored,
        &[
            "restore",
            backup.to_str().unwrap(),
            "--evidence",
            dir.path().join("evidencias-b").to_str().unwrap(),
            "--identity-key-file",
            restored_key.to_str().unwrap(),
        ],
    ));
    assert!(out.contains("base PostgreSQL"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&restored_key).unwrap().trim(),
        "una clave de identidad de al menos treinta y dos bytes"
    );
    rt.block_on(async {
        let store = Store::connect(&restored.url).await.unwrap();
        assert!(store.row_security_applies().await.unwrap());
        assert!(store.published_plan(PlanId(1)).await.unwrap().is_some());
        assert_eq!(store.consultation(survey).await.unwrap().responses, 1);
        assert_eq!(store.answer_counts(survey).await.unwrap()[&1].0, 1);
        assert_eq!(store.users().await.unwrap().len(), 1);
        store.close().await;
    });
    // Into a database that already holds Participa: refused.
    let again = participa(
        &restored,
        &[
            "restore",
            backup.to_str().unwrap(),
            "--identity-key-file",
            restored_key.to_str().unwrap(),
        ],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("ya tiene datos"));
    rt.block_on(async {
        let pool = sqlx::PgPool::connect(&server).await.unwrap();
        for name in [&source, &target] {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&pool)
                .await;
        }
    });
}

/// Issue 17, point 6: with `--metricas`, Prometheus's text is served on that address
/// only (the public one answers 404 for it), counting requests by route, citizens'
/// submissions and the group-commit writer's batches; `--registro json` writes one JSON
/// object per line; every answer carries its request's id, also on the error page.
#[test]
fn metrics_are_served_only_on_their_own_address_and_logs_can_be_json() {
    let db = participa_store::testing::sqlite();
    ok(&db, &["init"]);
    let rt = runtime();
    let survey = rt.block_on(async {
        let store = participa_store::Store::connect(&db.url).await.unwrap();
        let id = open_survey(&store).await;
        store.close().await;
        id
    });
    let dir = tempfile::tempdir().unwrap();
    let (mut server, printed) = start_server(
        &db,
        dir.path(),
        &["--metricas", "127.0.0.1:0", "--registro", "json"],
        &[],
    )
    .unwrap();
    let address = |prefix: &str| -> String {
        printed
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no «{prefix}» in {printed:?}"))
            .to_string()
    };
    let public = address("Participa está en http://");
    let metrics = address("Métricas para Prometheus en http://");
    let status = |reply: &str| reply.split(' ').nth(1).unwrap_or_default().to_string();
    assert_eq!(status(&http(&public, "GET", "/", &[], "")), "200");
    let answered = http(
        &public,
        "POST",
        &format!("/consultas/{survey}/respuestas"),
        &[],
        "p1=M%C3%A1s+sedes",
    );
    assert_eq!(status(&answered), "303", "{answered}");
    let missing = http(&public, "GET", "/planes/999", &[], "");
    let id = missing
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .expect("a request id")
        .trim()
        .to_string();
    assert_eq!(id.len(), 16);
    assert!(
        missing.contains(&format!("Código de la solicitud: <code>{id}</code>")),
        "{missing}"
    );
    assert_eq!(status(&http(&public, "GET", "/metrics", &[], "")), "404");
    let text = http(&metrics, "GET", "/metrics", &[], "");
    assert_eq!(status(&text), "200", "{text}");
    for line in [
        "participa_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 1",
        "participa_http_requests_total{method=\"GET\",route=\"/planes/{id}\",status=\"404\"} 1",
        "participa_submissions_total{kind=\"consulta\"} 1",
        "participa_group_commit_answers_total 1",
        "participa_outbox_pending 0",
    ] {
        assert!(text.contains(line), "missing «{line}» in:\n{text}");
    }
    assert!(text.contains("participa_http_request_duration_seconds_bucket{le="));
    // The log: JSON lines.
    let _ = server.0.kill();
    let _ = server.0.wait();
    let mut log = String::new();
    server
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "something was logged");
    for l in lines {
        let v: serde_json::Value =
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"));
        assert!(v["level"].is_string(), "{l}");
    }
}

/// Issue 19: `participa furag PLAN -o FILE.xlsx` writes one row per question of the
/// year's questionnaire and says how ready they stand; a missing plan writes nothing.
fn furag_answers_are_written_as_a_workbook(db: TestDatabase) {
    use calamine::{Data, Reader, Xlsx};
    ok(&db, &["import", SEED]);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("furag.xlsx");
    let out = participa(&db, &["furag", "1", "-o", target.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(out.stderr.clone()));
    let said = text(out.stderr);
    assert!(said.starts_with("FURAG 2025: 19 preguntas en "), "{said}");
    assert!(said.contains("Pregunta por confirmar: 3"), "{said}");
    let mut book: Xlsx<_> = calamine::open_workbook(&target).unwrap();
    let sheet = book.worksheet_range("Preguntas").unwrap();
    let codes: Vec<String> = sheet
        .rows()
        .filter_map(|r| match &r[0] {
            Data::String(s) if s.starts_with("PCI") => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(codes.len(), 19);
    let missing = dir.path().join("nada.xlsx");
    let out = participa(&db, &["furag", "7", "-o", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(out.stderr).contains("el plan 7 no existe"));
    assert!(!missing.exists());
}
