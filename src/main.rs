//! `participa`: the command line of the Participa platform.

use anyhow::{Context, Result};
use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use participa_domain::{OfficeCode, Role};
use participa_formats::{import_plan, ExportFormat, ImportErrors, ReadOptions};
use participa_store::{Actor, AuditAction, Change, PlanId, Store, UserData, DEFAULT_DATABASE_URL};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The seed plan, loaded as example data into an empty database.
const SEED_NAME: &str = "plan-participacion-ciudadana-2025.txt";
const SEED: &[u8] = include_bytes!("../seed/plan-participacion-ciudadana-2025.txt");
/// The seed's activities tagged as the regulation reference maps them (§10).
const SEED_TAGS: &[u8] = include_bytes!("../seed/etiquetas-2025.tsv");
const DEFAULT_BIND: &str = "127.0.0.1:8080";

#[derive(Parser)]
#[command(
    name = "participa",
    version,
    about = "Plan de Participación Ciudadana: formulación, seguimiento y transparencia"
)]
struct Cli {
    /// Base de datos: sqlite://ARCHIVO (se crea si no existe) o postgres://…
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,

    /// La entidad cuyos datos lee o cambia el comando (su identificador, ver
    /// `participa entity list`); sin él, la única que haya.
    #[arg(long = "entity", env = "PARTICIPA_ENTIDAD", global = true)]
    entity_slug: Option<String>,

    /// Sin subcomando, `participa` sirve la plataforma con estas opciones (ver
    /// [`parse_cli`] para cuando llegan antes de otro subcomando).
    #[command(flatten)]
    serve: ServeOptions,

    #[command(subcommand)]
    command: Option<Command>,
}

/// The options of `participa serve`, which the bare `participa` takes too: one struct,
/// so an option or its environment variable cannot apply to one and not the other.
#[derive(clap::Args)]
struct ServeOptions {
    /// Dirección y puerto donde escuchar.
    #[arg(long, env = "PARTICIPA_BIND", default_value = DEFAULT_BIND)]
    bind: SocketAddr,
    /// El nombre de la primera entidad cuando su registro aún no tiene uno.
    #[arg(
        long = "nombre-entidad",
        env = "PARTICIPA_ENTITY",
        default_value = "Caja Honor"
    )]
    entity: String,
    /// Marca la cookie de sesión como `Secure` (cuando se sirve detrás de HTTPS).
    #[arg(long, env = "PARTICIPA_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Dónde guardar las evidencias: una carpeta, o s3://bucket/prefijo (credenciales,
    /// región y endpoint en las variables AWS_*; sirve para MinIO y similares).
    #[arg(long, env = "PARTICIPA_EVIDENCIAS", default_value = "evidencias")]
    evidence: String,
    /// Tamaño máximo de cada archivo de evidencia, en MB.
    #[arg(long, env = "PARTICIPA_EVIDENCIA_MAX_MB", default_value_t = 20)]
    evidence_max_mb: usize,
    /// Envíos de formularios públicos seguidos que admite cada cliente (0 quita el
    /// límite: solo para pruebas de carga, donde todo llega desde una dirección).
    #[arg(long, env = "PARTICIPA_LIMITE_RAFAGA", default_value_t = participa_web::PUBLIC_BURST)]
    public_burst: u32,
    /// Envíos por minuto que admite cada cliente después de la ráfaga.
    #[arg(long, env = "PARTICIPA_LIMITE_POR_MINUTO", default_value_t = participa_web::PUBLIC_PER_MINUTE)]
    public_per_minute: u32,
    /// Proxy inverso de confianza (repetible): de él se acepta X-Forwarded-For para
    /// saber la dirección del ciudadano (límites de envío y auditoría).
    #[arg(
        long = "trusted-proxy",
        env = "PARTICIPA_PROXIES_CONFIABLES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Dirección física de la entidad, en el pie de cada página.
    #[arg(long, env = "PARTICIPA_DIRECCION", default_value = "")]
    direccion: String,
    /// Teléfono o línea de atención, en el pie de cada página.
    #[arg(long, env = "PARTICIPA_TELEFONO", default_value = "")]
    telefono: String,
    /// Correo de contacto de la entidad, en el pie de cada página.
    #[arg(
        long = "correo-contacto",
        env = "PARTICIPA_CORREO_CONTACTO",
        default_value = ""
    )]
    correo_contacto: String,
    /// Horario de atención, en el pie de cada página (por ejemplo «lunes a viernes,
    /// 8:00 a. m. a 5:00 p. m.»).
    #[arg(long, env = "PARTICIPA_HORARIO", default_value = "")]
    horario: String,
    /// Logo de la entidad (PNG, JPEG o WebP, hasta 512 kB), en el encabezado.
    #[arg(long, env = "PARTICIPA_LOGO")]
    logo: Option<PathBuf>,
    /// Dirección (https://…) de la política de tratamiento de datos personales de la
    /// entidad: se enlaza junto a cada autorización y se guarda con ella.
    #[arg(long, env = "PARTICIPA_POLITICA_DATOS")]
    privacy_policy_url: Option<String>,
    /// Archivo con la clave secreta de las huellas de documento de las consultas de una
    /// respuesta por persona (la clave no se guarda en la base de datos). Se crea al
    /// primer arranque, legible solo por su dueño (0600). Por omisión, junto a la base
    /// SQLite (ARCHIVO.db.clave-identidad) o, con PostgreSQL, participa.clave-identidad
    /// en la carpeta de trabajo. La variable PARTICIPA_CLAVE_IDENTIDAD (la clave misma,
    /// de al menos 32 caracteres; la misma en todos los servidores) tiene prioridad.
    /// Respáldelo aparte de la base de datos.
    #[arg(long, env = "PARTICIPA_CLAVE_IDENTIDAD_ARCHIVO")]
    identity_key_file: Option<PathBuf>,
    /// Solo si la clave de identidad se perdió: acepta la actual como la nueva clave de
    /// la base de datos (quien ya respondió una consulta abierta no será reconocido).
    /// Solo en la línea de órdenes, para un arranque: nunca queda puesta por descuido en
    /// la configuración del servicio.
    #[arg(long)]
    replace_identity_key: bool,
    /// Servidor SMTP para enviar las notificaciones por correo: smtp://servidor:25,
    /// smtp://usuario:clave@servidor:587?tls=required o smtps://usuario:clave@servidor.
    /// Sin él, las notificaciones quedan solo en la plataforma.
    #[arg(long, env = "PARTICIPA_SMTP")]
    smtp: Option<String>,
    /// Remitente de los correos.
    #[arg(
        long,
        env = "PARTICIPA_REMITENTE",
        default_value = "Participa <participa@localhost>"
    )]
    remitente: String,
    /// Dirección pública de la plataforma (https://participa.entidad.gov.co), para los
    /// enlaces de los correos. Por omisión, la dirección donde escucha.
    #[arg(long = "url-publica", env = "PARTICIPA_URL")]
    public_url: Option<String>,
    /// Hora de Colombia (0 a 23) desde la que, cada día hábil, se escriben los
    /// recordatorios de seguimiento.
    #[arg(long, env = "PARTICIPA_HORA_RECORDATORIOS", default_value_t = 7)]
    hora_recordatorios: u32,
    /// Días hábiles antes del plazo de reporte en que empiezan los recordatorios.
    #[arg(long, env = "PARTICIPA_DIAS_AVISO", default_value_t = 3)]
    dias_aviso: u32,
    /// Cada cuántos segundos se buscan correos por enviar y recordatorios.
    #[arg(long, env = "PARTICIPA_CORREO_CADA", default_value_t = 10)]
    correo_cada: u64,
    /// Segundos de espera tras el primer envío fallido de un correo (se duplica en cada
    /// intento, hasta una hora).
    #[arg(long, env = "PARTICIPA_CORREO_REINTENTO", default_value_t = 30)]
    correo_reintento: u64,
    /// Minutos que sirve un enlace para recuperar la contraseña (se usa una sola vez).
    #[arg(long, env = "PARTICIPA_MINUTOS_RECUPERACION", default_value_t = participa_domain::account::RECOVERY_LINK_MINUTES)]
    recovery_link_minutes: i64,
    /// Dirección donde servir /metrics para Prometheus (por ejemplo 127.0.0.1:9464), aparte
    /// de la dirección pública; sin ella no se miden ni se publican métricas. Déjela en una
    /// red privada.
    #[arg(long = "metricas", env = "PARTICIPA_METRICAS")]
    metrics: Option<SocketAddr>,
    /// Formato del registro (en la salida de errores): texto, o json (un objeto JSON por
    /// línea, con el código de la solicitud).
    #[arg(long = "registro", env = "PARTICIPA_REGISTRO", value_enum, default_value_t = LogFormat::Texto)]
    log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Texto,
    Json,
}

/// A date typed on the command line: `AAAA-MM-DD`, in the years Participa accepts.
fn typed_date(text: &str) -> Result<chrono::NaiveDate, String> {
    participa_domain::dates::parse_field("la fecha", text).map_err(|e| e.to_string())
}

#[derive(Subcommand)]
enum Command {
    /// Sirve la plataforma web (lo que hace `participa` sin subcomando).
    Serve(ServeOptions),
    /// Prepara la base de datos: esquema, plan de ejemplo y primer administrador.
    Init,
    /// Las entidades de la plataforma: agregar una, listarlas.
    Entity {
        #[command(subcommand)]
        action: EntityCommand,
    },
    /// Imprime los festivos de un año, uno por línea: AAAA-MM-DD<TAB>nombre.
    Festivos {
        /// El año (por ejemplo 2026).
        year: i32,
    },
    /// Cambia el calendario de festivos para una fecha (queda en la auditoría).
    Holiday {
        #[command(subcommand)]
        action: HolidayCommand,
    },
    /// Lista los parámetros legales vigentes: clave, término, norma de origen.
    Parametros {
        /// La fecha a la que se consulta (AAAA-MM-DD; por defecto hoy).
        #[arg(long, value_parser = typed_date)]
        fecha: Option<chrono::NaiveDate>,
    },
    /// Cambia el valor de un parámetro legal desde una fecha (queda en la auditoría).
    Parameter {
        #[command(subcommand)]
        action: ParameterCommand,
    },
    /// Revisa la cobertura del plan (MIPG, MURC, FURAG, normas): un hallazgo por línea;
    /// sale con 1 si queda alguno sin aceptar.
    Check { plan_id: i64 },
    /// Las respuestas que la plataforma propone para el FURAG de la vigencia del plan
    /// (política de participación ciudadana), con su justificación y el índice de
    /// evidencias (nombre, fecha, enlace, SHA-256), en un libro XLSX.
    Furag {
        plan_id: i64,
        /// El archivo XLSX que se escribe.
        #[arg(short = 'o', long = "salida")]
        output: PathBuf,
    },
    /// Acepta un hallazgo de la revisión de cobertura para la versión actual, con su justificación.
    Accept {
        plan_id: i64,
        /// El código del hallazgo (primera columna de `participa check`).
        code: String,
        #[arg(long)]
        justification: String,
    },
    /// Recordatorios de seguimiento: lo que cada dependencia debe reportar antes del
    /// próximo corte y lo vencido. Sin --smtp los imprime; con --smtp los envía por correo
    /// a cada responsable activo con correo (para programarlo, por ejemplo, con cron).
    Recordatorios {
        /// Fecha de referencia (por omisión, hoy en Colombia).
        #[arg(long, value_parser = typed_date)]
        fecha: Option<chrono::NaiveDate>,
        /// Servidor SMTP: smtp://servidor:25, smtp://usuario:clave@servidor:587?tls=required
        /// o smtps://usuario:clave@servidor.
        #[arg(long, env = "PARTICIPA_SMTP")]
        smtp: Option<String>,
        /// Remitente de los correos.
        #[arg(
            long,
            env = "PARTICIPA_REMITENTE",
            default_value = "Participa <participa@localhost>"
        )]
        remitente: String,
        /// Dirección pública de la plataforma, para los enlaces de los correos.
        #[arg(long, env = "PARTICIPA_URL", default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// Genera un informe: el documento del plan (PDF) o el informe de seguimiento de un
    /// periodo (PDF o XLSX, según la extensión de -o).
    Report {
        #[command(subcommand)]
        kind: ReportCommand,
    },
    /// Etiqueta las actividades de un plan desde un TSV (numero, fases, etapas_murc,
    /// elementos_murc, grupos_valor, incidencia, canal, medio, furag, cubre).
    Tags { plan_id: i64, file: PathBuf },
    /// Lista el catálogo de grupos de valor: código, nombre, lista FURAG.
    Grupos,
    /// Agrega un grupo de valor o cambia su nombre o su equivalencia en FURAG (auditado).
    Grupo {
        code: String,
        #[arg(long)]
        name: String,
        /// La lista de FURAG a la que corresponde (p. ej. «Ciudadanos / usuarios»).
        #[arg(long)]
        furag: String,
    },
    /// Usuarios: crear uno o restablecer su contraseña (la nueva se muestra una vez).
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Importa un plan desde su documento (texto separado por tabulaciones o XLSX).
    Import {
        /// El archivo del plan.
        file: PathBuf,
        /// El nombre de la entidad, cuando el archivo no la nombra.
        #[arg(
            long = "nombre-entidad",
            env = "PARTICIPA_ENTITY",
            default_value = "Caja Honor"
        )]
        entity: String,
        /// Un archivo con el campo de cada columna de la tabla de actividades
        /// («Título de la columna = campo» por línea), sobre lo que dicen sus nombres.
        #[arg(long = "mapping", value_name = "ARCHIVO")]
        mapping: Option<PathBuf>,
        /// Solo muestra las columnas que se reconocieron y el campo de cada una, en el
        /// formato de --mapping, sin importar nada.
        #[arg(long = "show-mapping")]
        show_mapping: bool,
        /// Importa el archivo sobre este plan (su id) en vez de crear uno nuevo: sus
        /// actividades se reconocen por la numeración de la entidad o por su número y
        /// conservan su seguimiento; las que el archivo no tiene se conservan.
        #[arg(long = "sobre", value_name = "PLAN")]
        over: Option<i64>,
        /// Con --sobre: quita del plan las actividades que el archivo no tiene.
        #[arg(long = "quitar-faltantes", requires = "over")]
        remove_missing: bool,
        /// Con --sobre, si el plan está publicado: el motivo de la nueva versión.
        #[arg(long, requires = "over")]
        motivo: Option<String>,
    },
    /// Lista los planes: id, vigencia, título y número de actividades.
    Plans,
    /// Construye una base de demostración aparte (el plan de ejemplo aprobado y
    /// publicado, con la actividad del año hasta la fecha: reportes con evidencias,
    /// revisiones, una audiencia, una encuesta, un foro, eventos, cifras de canales y
    /// sugerencias) y la sirve. No toca la base de datos de la plataforma.
    Demo {
        /// La fecha hasta la que hay actividad (AAAA-MM-DD); por omisión, hoy.
        #[arg(long, value_parser = typed_date)]
        fecha: Option<chrono::NaiveDate>,
        /// La base de la demostración (SQLite o PostgreSQL), distinta de la de la plataforma.
        #[arg(long = "base-demo", default_value = "sqlite://participa-demo.db")]
        database: String,
        /// Borra la demostración SQLite que exista y la construye de nuevo.
        #[arg(long)]
        rehacer: bool,
        /// Cuántas entidades tiene la demostración: la primera y, desde la segunda,
        /// municipios de prueba con la misma actividad (para medir la plataforma
        /// nacional); «planeacion» administra la plataforma.
        #[arg(long, default_value_t = 1)]
        entidades: u32,
        #[command(flatten)]
        serve: ServeOptions,
    },
    /// Respalda toda la plataforma en un archivo: la base de datos (SQLite: copia en
    /// caliente mientras el servidor sigue recibiendo; PostgreSQL: pg_dump), las
    /// evidencias y la clave de las huellas de identidad.
    Backup {
        /// El archivo del respaldo (se escribe aparte y se renombra al final).
        #[arg(short = 'o', long)]
        output: PathBuf,
        #[command(flatten)]
        files: DeploymentFiles,
    },
    /// Restaura un respaldo de `participa backup` en una base nueva (o en la actual con
    /// --reemplazar), con sus evidencias y su clave de identidad.
    Restore {
        /// El archivo del respaldo.
        file: PathBuf,
        #[command(flatten)]
        files: DeploymentFiles,
        /// Sobrescribe la base de datos y la clave de identidad que haya en el destino.
        #[arg(long)]
        reemplazar: bool,
    },
    /// Exporta un plan como datos abiertos.
    Export {
        /// El id del plan (ver `participa plans`).
        plan_id: i64,
        /// json, csv, xlsx o tsv.
        #[arg(long, short)]
        format: ExportFormat,
        /// Archivo de salida; sin él, la salida estándar.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Where a deployment keeps what is not in its database: as `serve` takes them.
#[derive(clap::Args)]
struct DeploymentFiles {
    /// Dónde están las evidencias: una carpeta, o s3://bucket/prefijo.
    #[arg(long, env = "PARTICIPA_EVIDENCIAS", default_value = "evidencias")]
    evidence: String,
    /// El archivo de la clave de identidad (por omisión, el mismo que usa `serve`).
    #[arg(long, env = "PARTICIPA_CLAVE_IDENTIDAD_ARCHIVO")]
    identity_key_file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// El plan como lo publica la Oficina de Planeación: encabezado, actividades, firmas.
    Plan {
        plan_id: i64,
        /// Archivo PDF de salida.
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    /// El informe de seguimiento de un periodo.
    Seguimiento {
        plan_id: i64,
        /// Número del periodo (1 = primer corte del año).
        #[arg(long)]
        period: u32,
        /// Archivo de salida, .pdf o .xlsx.
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
}

#[derive(Subcommand)]
enum EntityCommand {
    /// Agrega una entidad a la plataforma (queda en la auditoría).
    Add {
        /// Su identificador en las direcciones (/e/IDENTIFICADOR/) y los comandos.
        slug: String,
        /// Su nombre, como lo ven los ciudadanos.
        #[arg(long)]
        name: String,
        /// Un nombre de servidor propio (participa.entidad.gov.co); puede repetirse.
        #[arg(long = "host")]
        hosts: Vec<String>,
        #[arg(long, default_value = "")]
        nit: String,
        /// nacional o territorial.
        #[arg(long, default_value = "nacional")]
        orden: String,
        #[arg(long, default_value = "")]
        sector: String,
        /// Código DIVIPOLA del departamento (2 cifras).
        #[arg(long, default_value = "")]
        departamento: String,
        /// Código DIVIPOLA del municipio (5 cifras).
        #[arg(long, default_value = "")]
        municipio: String,
    },
    /// Lista las entidades: identificador, nombre, orden, servidores propios.
    List,
    /// Da a un usuario de la entidad (--entity) un rol en toda la plataforma:
    /// administrador (agrega entidades; ve el tablero nacional de todas) u observador
    /// (ve el tablero nacional de las entidades de --entidades, o de todas).
    Grant {
        username: String,
        /// administrador u observador.
        #[arg(long)]
        rol: String,
        /// Identificadores de las entidades que observa, separados por comas.
        #[arg(long, default_value = "")]
        entidades: String,
    },
    /// Quita a un usuario de la entidad (--entity) su rol en la plataforma.
    Revoke { username: String },
}

#[derive(Subcommand)]
enum HolidayCommand {
    /// Declara festiva una fecha que las reglas no conocen (una ley nueva, un día cívico).
    Add {
        /// AAAA-MM-DD.
        #[arg(value_parser = typed_date)]
        date: chrono::NaiveDate,
        #[arg(long)]
        name: String,
        /// La norma o razón.
        #[arg(long)]
        reason: String,
    },
    /// Vuelve hábil una fecha que las reglas hacen festiva.
    Remove {
        #[arg(value_parser = typed_date)]
        date: chrono::NaiveDate,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum ParameterCommand {
    /// Fija el valor de KEY desde --from con un motivo.
    Set {
        key: String,
        value: i64,
        /// AAAA-MM-DD desde cuando aplica.
        #[arg(long, value_parser = typed_date)]
        from: chrono::NaiveDate,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Crea un usuario activo con una contraseña aleatoria.
    Create {
        /// Nombre de usuario.
        username: String,
        /// admin, reporter, auditor o approver.
        #[arg(long)]
        role: String,
        /// Nombre completo.
        #[arg(long)]
        name: String,
        /// Dependencias de un responsable (reporter), separadas por comas: ARCOM,OAPLA.
        #[arg(long, default_value = "")]
        offices: String,
        /// Correo para los recordatorios de seguimiento.
        #[arg(long)]
        email: Option<String>,
    },
    /// Genera una contraseña nueva para un usuario (por ejemplo, si el administrador perdió la suya).
    ResetPassword { username: String },
    /// Desbloquea el ingreso de un usuario cuyo nombre quedó bloqueado por intentos
    /// fallidos de otros (queda en la auditoría).
    Unlock { username: String },
}

/// Parses the command line. The serve options sit at the top level for the bare
/// command; typed before a subcommand they would apply to nothing, so that is refused.
/// (clap's `args_conflicts_with_subcommands` would also refuse the global
/// `--database-url` typed before a subcommand, which has always worked.)
fn parse_cli() -> Cli {
    let mut command = Cli::command();
    let matches = command.get_matches_mut();
    if let Some((name, _)) = matches.subcommand() {
        let misplaced: Vec<String> = command
            .get_arguments()
            .filter(|a| a.get_id() != "database_url" && a.get_id() != "entity_slug")
            .filter(|a| matches.value_source(a.get_id().as_str()) == Some(ValueSource::CommandLine))
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        if !misplaced.is_empty() {
            command
                .error(
                    ErrorKind::ArgumentConflict,
                    format!(
                        "opciones de `serve` antes de `{name}`: {}; escríbalas sin subcomando o después de `serve`",
                        misplaced.join(", ")
                    ),
                )
                .exit();
        }
    }
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// glibc's malloc raises its mmap threshold each time a large mapped block is freed, so
/// from the second sign-in on, Argon2's 19 MiB block comes from the heap of whichever
/// thread hashed, and stays there when freed: a server grew by 19 MiB per thread that
/// ever checked a password (146 MiB after a handful of sign-ins, measured). A fixed
/// threshold keeps every block of 1 MiB or more in its own mapping, handed back to the
/// system when freed, so memory returns to its idle size after a sign-in.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: mallopt only changes an allocator setting; it is called before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}

fn main() -> ExitCode {
    return_large_blocks_to_the_system();
    let cli = parse_cli();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the async runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(import) = e.downcast_ref::<ImportErrors>() {
                eprint!("{import}");
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        None => serve(&cli.database_url, cli.serve).await,
        Some(Command::Serve(options)) => serve(&cli.database_url, options).await,
        Some(Command::Init) => {
            let store = init(&cli.database_url).await?;
            store.close().await;
            Ok(())
        }
        Some(Command::Import {
            file,
            entity,
            mapping,
            show_mapping,
            over,
            remove_missing,
            motivo,
        }) => {
            let mapping = match mapping {
                Some(path) => {
                    // A mapping is a line per column: 64 KB is far more than any needs.
                    const MAPPING_BYTES: u64 = 64 * 1024;
                    let mut text = String::new();
                    std::fs::File::open(&path)
                        .and_then(|f| {
                            use std::io::Read;
                            f.take(MAPPING_BYTES + 1).read_to_string(&mut text)
                        })
                        .with_context(|| format!("no se pudo leer {}", path.display()))?;
                    anyhow::ensure!(
                        text.len() as u64 <= MAPPING_BYTES,
                        "{}: el archivo de columnas pasa de 64 KB; se esperaba una línea «Título = campo» por columna",
                        path.display()
                    );
                    participa_formats::table_columns::Mapping::parse(&text).map_err(|errors| {
                        anyhow::anyhow!("{}: {}", path.display(), errors.join("; "))
                    })?
                }
                None => Default::default(),
            };
            let options = ReadOptions {
                entity,
                mapping,
                ..Default::default()
            };
            // One byte past the limit is enough for the import to refuse the file.
            let mut bytes = Vec::new();
            std::fs::File::open(&file)
                .and_then(|f| {
                    use std::io::Read;
                    f.take(options.limits.file_bytes as u64 + 1)
                        .read_to_end(&mut bytes)
                })
                .with_context(|| format!("no se pudo leer {}", file.display()))?;
            let name = file.display().to_string();
            if show_mapping {
                let (columns, found) = participa_formats::detect_columns(&name, &bytes, &options)?;
                if !found {
                    eprintln!("{name}: ninguna fila se lee como la de títulos de la tabla de actividades; estos son los títulos de la fila que más lo parece: diga qué guarda cada columna y use el archivo con --mapping");
                }
                print!(
                    "{}",
                    participa_formats::table_columns::write_mapping(&columns)
                );
                return Ok(());
            }
            // Parse and check before touching the database: bad input writes nothing.
            let plan = import_plan(&name, &bytes, &options)?;
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let Some(over) = over else {
                let id = store.insert_plan(&plan, Some(&name)).await?;
                println!("{}", summary(id, &plan));
                store.close().await;
                return Ok(());
            };
            let reason = motivo.unwrap_or_default();
            let mut summary = String::new();
            let saved = store
                .edit_plan(PlanId(over), &Actor::system(), |current, needs_reason| {
                    use participa_app::reimport::{reimport_edit, Refused};
                    match reimport_edit(
                        over,
                        current,
                        &plan,
                        &name,
                        remove_missing,
                        &reason,
                        needs_reason,
                    ) {
                        Ok((edit, said)) => {
                            summary = said;
                            Ok((edit, ()))
                        }
                        Err(Refused::ReasonRequired) => Err(anyhow::anyhow!(
                            "el plan {over} está publicado: el cambio abre una nueva versión; diga su motivo con --motivo"
                        )),
                        Err(Refused::Refused(why)) => Err(anyhow::anyhow!(why)),
                    }
                })
                .await?
                .0;
            println!(
                "Plan {over} actualizado con {name}{}: {summary}",
                if saved.new_version {
                    format!(" como versión {}", saved.version)
                } else {
                    String::new()
                }
            );
            store.close().await;
            Ok(())
        }
        Some(Command::Festivos { year }) => {
            anyhow::ensure!(
                (1984..=participa_domain::dates::LAST_YEAR).contains(&year),
                "año fuera de rango: {year} (los festivos van de 1984 a {})",
                participa_domain::dates::LAST_YEAR
            );
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let calendar = store.calendar().await?;
            store.close().await;
            let mut out = std::io::stdout().lock();
            for h in calendar.holidays(year) {
                writeln!(out, "{}\t{}", h.date, h.name)?;
            }
            Ok(())
        }
        Some(Command::Holiday { action }) => {
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let (change, reason) = match action {
                HolidayCommand::Add { date, name, reason } => {
                    (participa_domain::Override::Add { date, name }, reason)
                }
                HolidayCommand::Remove { date, reason } => {
                    (participa_domain::Override::Remove { date }, reason)
                }
            };
            anyhow::ensure!(!reason.trim().is_empty(), "--reason no puede estar vacío");
            store
                .override_holiday(&change, &reason, &Actor::system())
                .await?;
            store.close().await;
            Ok(())
        }
        Some(Command::Parametros { fecha }) => {
            let date = fecha.unwrap_or_else(participa_app::dates::today);
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let params = store.parameters(date).await?;
            store.close().await;
            let mut out = std::io::stdout().lock();
            for p in params {
                let d = p.definition;
                let since = p
                    .applies_from
                    .map(|f| format!("desde {}", participa_app::dates::fecha(f)))
                    .unwrap_or_else(|| "valor por defecto".into());
                let certainty = match d.certainty {
                    participa_domain::parameters::Certainty::Verified => "verificada".to_string(),
                    participa_domain::parameters::Certainty::Recalled => {
                        format!("por confirmar: {}", d.to_confirm)
                    }
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{} ({certainty})\t{since}",
                    d.key,
                    p.term.describe(),
                    d.label,
                    d.source
                )?;
            }
            Ok(())
        }
        Some(Command::Parameter {
            action:
                ParameterCommand::Set {
                    key,
                    value,
                    from,
                    reason,
                },
        }) => {
            anyhow::ensure!(!reason.trim().is_empty(), "--reason no puede estar vacío");
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let result = store
                .set_parameter(&key, value, from, &reason, &Actor::system())
                .await;
            store.close().await;
            result?;
            Ok(())
        }
        Some(Command::Grupos) => {
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let groups = store.value_groups().await?;
            store.close().await;
            let mut out = std::io::stdout().lock();
            for g in groups {
                writeln!(out, "{}\t{}\t{}", g.code, g.name, g.furag_group)?;
            }
            Ok(())
        }
        Some(Command::Grupo { code, name, furag }) => {
            let code = code.trim().to_lowercase();
            anyhow::ensure!(
                participa_domain::tagging::valid_group_code(&code),
                "el código «{code}» debe tener solo letras sin tilde, números y guion bajo"
            );
            anyhow::ensure!(
                !name.trim().is_empty() && !furag.trim().is_empty(),
                "--name y --furag no pueden estar vacíos"
            );
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let group = participa_store::ValueGroup {
                code,
                name: name.trim().into(),
                furag_group: furag.trim().into(),
            };
            store.set_value_group(&group, &Actor::system()).await?;
            store.close().await;
            Ok(())
        }
        Some(Command::Check { plan_id }) => {
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let coverage = store.coverage(PlanId(plan_id)).await?;
            store.close().await;
            let mut out = std::io::stdout().lock();
            for item in &coverage.items {
                let f = &item.finding;
                let state = match &item.acceptance {
                    Some(a) => format!("aceptado: {}", a.justification),
                    None => "pendiente".to_string(),
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\tFuente: {}\tSugerencia: {}",
                    f.code, state, f.message, f.source, f.suggestion
                )?;
            }
            out.flush()?;
            let open = coverage.pending().len();
            if open > 0 {
                eprintln!(
                    "{} sin aceptar en la versión {} del plan {plan_id}",
                    participa_domain::numbers::count(open as u64, "hallazgo", "hallazgos"),
                    coverage.version
                );
                std::process::exit(1);
            }
            Ok(())
        }
        Some(Command::Furag { plan_id, output }) => {
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let entity = store.plan(PlanId(plan_id)).await?.entity.clone();
            let (year, title, proposals) =
                participa_app::furag::plan_prefill(&store, PlanId(plan_id)).await?;
            store.close().await;
            let today = participa_app::dates::today();
            let report =
                participa_app::furag::furag_report(&entity, year, &title, &proposals, today);
            let xlsx = participa_reports::deliverable_xlsx(&report)?;
            std::fs::write(&output, xlsx)?;
            let counts = participa_app::furag::readiness_counts(&proposals);
            let summary: Vec<String> = counts
                .iter()
                .map(|(r, n)| format!("{}: {n}", r.label()))
                .collect();
            eprintln!(
                "FURAG {year}: {} preguntas en {} ({})",
                proposals.len(),
                output.display(),
                summary.join("; ")
            );
            Ok(())
        }
        Some(Command::Report { kind }) => {
            report(&cli.database_url, cli.entity_slug.as_deref(), kind).await
        }
        Some(Command::Entity { action }) => {
            let store = match action {
                EntityCommand::Grant { .. } | EntityCommand::Revoke { .. } => {
                    open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?
                }
                _ => Store::connect(&cli.database_url).await?,
            };
            let result = entity_command(&store, action).await;
            store.close().await;
            result
        }
        Some(Command::Recordatorios {
            fecha,
            smtp,
            remitente,
            url,
        }) => {
            let today = fecha.unwrap_or_else(participa_app::dates::today);
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let result = match smtp {
                None => {
                    let all = participa_app::reminders::all_reminders(&store, today).await?;
                    let mut out = std::io::stdout().lock();
                    for r in &all {
                        for (n, d) in &r.due {
                            writeln!(out, "{}\t{}\treportar\t{n}\t{d}", r.plan_id, r.office)?;
                        }
                        for (n, d, status) in &r.overdue {
                            writeln!(out, "{}\t{}\t{status}\t{n}\t{d}", r.plan_id, r.office)?;
                        }
                    }
                    Ok(())
                }
                Some(smtp) => {
                    let mailer = participa_app::mail::Mailer::new(&smtp, &remitente)
                        .map_err(anyhow::Error::msg)?;
                    let sent =
                        participa_app::reminders::send_reminders(&store, &mailer, today, &url)
                            .await
                            .map_err(anyhow::Error::msg)?;
                    println!("Recordatorios enviados: {}", sent.len());
                    for to in sent {
                        println!("{to}");
                    }
                    Ok(())
                }
            };
            store.close().await;
            result
        }
        Some(Command::Accept {
            plan_id,
            code,
            justification,
        }) => {
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let version = store
                .accept_finding(PlanId(plan_id), &code, &justification, &Actor::system())
                .await?;
            store.close().await;
            println!("Hallazgo {code} aceptado para la versión {version} del plan {plan_id}.");
            Ok(())
        }
        Some(Command::Tags { plan_id, file }) => {
            let bytes = std::fs::read(&file)
                .with_context(|| format!("no se pudo leer {}", file.display()))?;
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let id = PlanId(plan_id);
            let name = file.display().to_string();
            let known: Vec<String> = store
                .value_groups()
                .await?
                .into_iter()
                .map(|g| g.code)
                .collect();
            let system = Actor::system();
            // Applied to the plan as it stands inside the save's transaction, so a web
            // edit saved meanwhile is kept.
            let (saved, ()) = store
                .edit_plan(id, &system, |plan, _| -> anyhow::Result<_> {
                    let tagged = participa_formats::tags_tsv::apply_tags(&name, &bytes, plan)?;
                    let unknown: std::collections::BTreeSet<&str> = tagged
                        .activities
                        .iter()
                        .flat_map(|a| a.tags.value_groups.iter())
                        .filter(|g| !known.contains(g))
                        .map(String::as_str)
                        .collect();
                    anyhow::ensure!(
                        unknown.is_empty(),
                        "{name}: no se aplicó nada; grupos de valor que no están en el catálogo: {} (véalos con `participa grupos`, agréguelos con `participa grupo`)",
                        unknown.into_iter().collect::<Vec<_>>().join(", ")
                    );
                    let edit = participa_store::PlanEdit {
                        reason: Some(format!("Etiquetas MIPG/MURC/FURAG desde {name}")),
                        action: AuditAction::PlanTags,
                        subject: format!("etiquetas del plan {plan_id}"),
                        before: None,
                        after: Some(name.clone()),
                        plan: tagged,
                    };
                    Ok((edit, ()))
                })
                .await?;
            store.close().await;
            println!(
                "Etiquetas aplicadas al plan {plan_id} (versión {}).",
                saved.version
            );
            Ok(())
        }
        Some(Command::User { action }) => {
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let result = user_command(&store, action).await;
            store.close().await;
            result
        }
        Some(Command::Demo {
            fecha,
            database,
            rehacer,
            entidades,
            mut serve,
        }) => {
            if serve.evidence == "evidencias" {
                serve.evidence = "evidencias-demo".into();
            }
            demo(&database, fecha, rehacer, entidades, &serve.evidence).await?;
            self::serve(&database, serve).await
        }
        Some(Command::Backup { output, files }) => {
            let objects = participa_store::Objects::open(&files.evidence)?;
            let key_file = files.identity_key_file.unwrap_or_else(|| {
                participa_app::identity_key::default_key_file(&cli.database_url)
            });
            // The key the servers use: the variable first, as `serve` reads it.
            let key = match std::env::var(participa_app::identity_key::SECRET_VARIABLE) {
                Ok(v) if !v.trim().is_empty() => Some(v.trim().to_string()),
                _ => std::fs::read_to_string(&key_file)
                    .ok()
                    .map(|k| k.trim().to_string()),
            };
            let began = std::time::Instant::now();
            let done =
                participa_app::backup::backup(&cli.database_url, &objects, key.as_deref(), &output)
                    .await?;
            println!(
                "Respaldo escrito en {}: base {}, {}, {}; {:.1} MB en {:.1} s.",
                output.display(),
                done.database,
                participa_domain::numbers::count(
                    done.evidence_files as u64,
                    "evidencia",
                    "evidencias"
                ),
                if done.identity_key {
                    "con la clave de identidad"
                } else {
                    "sin clave de identidad (no había)"
                },
                done.bytes as f64 / 1e6,
                began.elapsed().as_secs_f64()
            );
            if done.identity_key {
                println!("Guárdelo como guarda la clave: quien tenga el respaldo puede reconocer los documentos de quienes respondieron.");
            }
            Ok(())
        }
        Some(Command::Restore {
            file,
            files,
            reemplazar,
        }) => {
            let objects = participa_store::Objects::open(&files.evidence)?;
            let key_file = files.identity_key_file.unwrap_or_else(|| {
                participa_app::identity_key::default_key_file(&cli.database_url)
            });
            let done = participa_app::backup::restore(
                &file,
                &cli.database_url,
                &objects,
                &key_file,
                reemplazar,
            )
            .await?;
            println!(
                "Respaldo restaurado en {}: base {}, {}{}.",
                cli.database_url,
                done.database,
                participa_domain::numbers::count(
                    done.evidence_files as u64,
                    "evidencia",
                    "evidencias"
                ),
                if done.identity_key {
                    format!(", clave de identidad en {}", key_file.display())
                } else {
                    String::new()
                }
            );
            Ok(())
        }
        Some(Command::Plans) => {
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let mut out = std::io::stdout().lock();
            for p in store.plans().await? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    p.id, p.year, p.title, p.activity_count
                )?;
            }
            store.close().await;
            Ok(())
        }
        Some(Command::Export {
            plan_id,
            format,
            output,
        }) => {
            let store = open_entity(&cli.database_url, cli.entity_slug.as_deref()).await?;
            let plan = store.plan(PlanId(plan_id)).await?;
            let groups = participa_formats::tags_tsv::GroupNames::new(
                store
                    .value_groups()
                    .await?
                    .into_iter()
                    .map(|g| (g.code, g.name)),
            );
            store.close().await;
            let bytes = participa_formats::export_plan_with(&plan, format, &groups);
            match output {
                Some(path) => write_atomically(&path, &bytes)?,
                None => std::io::stdout().lock().write_all(&bytes)?,
            }
            Ok(())
        }
    }
}

/// The store working for entity `slug`, or for the only one when none is named; an
/// error names the entities there are when the choice is missing or wrong.
async fn open_entity(database_url: &str, slug: Option<&str>) -> Result<Store> {
    let store = Store::connect(database_url).await?;
    let entities = store.entities().await?;
    let choices = || {
        entities
            .iter()
            .map(|e| format!("{} ({})", e.data.slug, e.data.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let id = match slug {
        Some(slug) => match entities.iter().find(|e| e.data.slug == slug) {
            Some(e) => e.id,
            None => anyhow::bail!(
                "la entidad «{slug}» no existe; las entidades son: {}",
                choices()
            ),
        },
        None if entities.len() == 1 => entities[0].id,
        None => anyhow::bail!(
            "la plataforma tiene varias entidades: diga cuál con --entity IDENTIFICADOR ({})",
            choices()
        ),
    };
    Ok(store.for_entity(id))
}

/// `participa entity add|list`.
async fn entity_command(store: &Store, action: EntityCommand) -> Result<()> {
    use participa_domain::entity;
    match action {
        EntityCommand::Add {
            slug,
            name,
            hosts,
            nit,
            orden,
            sector,
            departamento,
            municipio,
        } => {
            let slug = participa_domain::EntitySlug::parse(slug.trim())?;
            entity::check_divipola(departamento.trim(), municipio.trim())?;
            let data = participa_store::EntityData {
                slug: slug.to_string(),
                name: entity::parse_entity_name(&name)?,
                nit: entity::parse_nit(&nit)?,
                order: participa_domain::EntityOrder::parse(&orden)?,
                sector: sector.trim().into(),
                department_code: departamento.trim().into(),
                municipality_code: municipio.trim().into(),
                hosts: hosts
                    .iter()
                    .map(|h| entity::parse_host(h))
                    .collect::<Result<_, _>>()?,
                ..Default::default()
            };
            let id = store.add_entity(&data, &Actor::system()).await?;
            println!("Entidad {} agregada: {} (id {id}).", data.slug, data.name);
            println!(
                "Su sitio: /e/{}/ en el dominio de la plataforma{}.",
                data.slug,
                if data.hosts.is_empty() {
                    String::new()
                } else {
                    format!(", y en {}", data.hosts.join(", "))
                }
            );
            println!("Su primer administrador: participa --entity {} user create USUARIO --role admin --name NOMBRE", data.slug);
        }
        EntityCommand::Grant {
            username,
            rol,
            entidades,
        } => {
            use participa_domain::national::PlatformRole;
            let role = PlatformRole::parse(&rol).with_context(|| {
                format!("el rol «{rol}» no existe: use «administrador» u «observador»")
            })?;
            let (user, _) = store
                .user_for_login(username.trim())
                .await?
                .with_context(|| format!("el usuario «{username}» no existe en esta entidad"))?;
            let all = store.entities().await?;
            let mut entities = Vec::new();
            for slug in entidades
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let e = all
                    .iter()
                    .find(|e| e.data.slug == slug)
                    .with_context(|| format!("la entidad «{slug}» no existe"))?;
                entities.push(e.id);
            }
            let grant = participa_store::PlatformGrant { role, entities };
            store
                .set_platform_grant(user.id, Some(&grant), &Actor::system())
                .await?;
            println!("{} tiene ahora el rol «{}».", user.username, role.label());
        }
        EntityCommand::Revoke { username } => {
            let (user, _) = store
                .user_for_login(username.trim())
                .await?
                .with_context(|| format!("el usuario «{username}» no existe en esta entidad"))?;
            store
                .set_platform_grant(user.id, None, &Actor::system())
                .await?;
            println!("{} ya no tiene rol en la plataforma.", user.username);
        }
        EntityCommand::List => {
            let mut out = std::io::stdout().lock();
            for e in store.entities().await? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    e.data.slug,
                    e.data.name,
                    e.data.order.as_str(),
                    e.data.hosts.join(" ")
                )?;
            }
        }
    }
    Ok(())
}

/// Prepares the database: the schema, the seed plan as example data when there is no
/// plan, and the first admin (credentials printed once) when there is no user.
async fn init(database_url: &str) -> Result<Store> {
    let store = Store::connect(database_url).await?;
    if store.plans().await?.is_empty() {
        let plan = import_plan(SEED_NAME, SEED, &ReadOptions::default())?;
        let plan = participa_formats::tags_tsv::apply_tags("etiquetas-2025.tsv", SEED_TAGS, &plan)?;
        let id = store.insert_plan(&plan, Some(SEED_NAME)).await?;
        println!("Base de datos nueva en {database_url}; plan de ejemplo cargado (en borrador).");
        println!("{}", summary(id, &plan));
    } else {
        println!("Base de datos: {database_url}");
    }
    if let Some((user, password)) = participa_app::accounts::ensure_first_admin(&store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        println!();
        println!("Primer administrador creado (la contraseña se muestra solo esta vez):");
        println!("  usuario:    {user}");
        println!("  contraseña: {password}");
        println!("Al ingresar con ella, la plataforma pide cambiarla antes de seguir.");
    }
    Ok(store)
}

/// Builds the demo database unless it is there already (or `rebuild` starts it over),
/// and prints its accounts.
async fn demo(
    database: &str,
    date: Option<chrono::NaiveDate>,
    rebuild: bool,
    entities: u32,
    evidence: &str,
) -> Result<()> {
    anyhow::ensure!(
        database != DEFAULT_DATABASE_URL,
        "la demostración necesita su propia base de datos (--base-demo), no la de la plataforma"
    );
    if rebuild {
        let file = database
            .strip_prefix("sqlite://")
            .context("--rehacer solo borra una demostración SQLite (sqlite://ARCHIVO)")?;
        let file = file.split('?').next().unwrap_or(file);
        for suffix in ["", "-wal", "-shm"] {
            let path = format!("{file}{suffix}");
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("no se pudo borrar {path}")),
            }
        }
    }
    let store = Store::connect(database).await?;
    if store.user_count().await? > 0 || !store.plans().await?.is_empty() {
        println!("La demostración ya existe en {database}: se sirve como está (--rehacer la construye de nuevo).");
        println!(
            "Cuentas: planeacion, control, cigd y una por dependencia; contraseña «{}».",
            participa_app::demo::DEMO_PASSWORD
        );
        store.close().await;
        return Ok(());
    }
    let date = date.unwrap_or_else(participa_app::dates::today);
    println!(
        "Construyendo la demostración al {}…",
        participa_app::dates::fecha(date)
    );
    let plan = import_plan(SEED_NAME, SEED, &ReadOptions::default())?;
    let plan = participa_formats::tags_tsv::apply_tags("etiquetas-2025.tsv", SEED_TAGS, &plan)?;
    let objects = participa_store::Objects::open(evidence)?;
    let demo = participa_app::demo::build(&store, &objects, plan.clone(), date)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    demo_entities(&store, &objects, &plan, date, entities).await?;
    println!(
        "Demostración lista en {database}: {} reportes de avance, {} respuestas de encuesta, {} sugerencias.",
        demo.reports, demo.survey_answers, demo.suggestions
    );
    println!(
        "Cuentas (contraseña «{}» para todas):",
        participa_app::demo::DEMO_PASSWORD
    );
    for (user, name, role) in &demo.accounts {
        println!("  {user:<12} {name} · {role}");
    }
    store.close().await;
    Ok(())
}

/// The first entity's «planeacion» administers the platform, and with `count` above 1
/// the rest of a national demo: entities 2 to `count`, each a test municipality with
/// the first one's year of activity and ten staff accounts (user names `mNNNN-…`),
/// built four at a time.
async fn demo_entities(
    store: &Store,
    objects: &participa_store::Objects,
    plan: &participa_domain::Plan,
    date: chrono::NaiveDate,
    count: u32,
) -> Result<()> {
    use participa_domain::national::PlatformRole;
    let (admin, _) = store
        .user_for_login("planeacion")
        .await?
        .context("the demo's planning account")?;
    let grant = participa_store::PlatformGrant {
        role: PlatformRole::Administrator,
        entities: vec![],
    };
    store
        .set_platform_grant(admin.id, Some(&grant), &Actor::system())
        .await?;
    if count <= 1 {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let hash = participa_app::accounts::hash_password(participa_app::demo::DEMO_PASSWORD.into())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut next = 2;
    let mut running = tokio::task::JoinSet::new();
    while next <= count || !running.is_empty() {
        while next <= count && running.len() < 4 {
            let (store, objects, plan, hash) =
                (store.clone(), objects.clone(), plan.clone(), hash.clone());
            let i = next;
            running.spawn(async move {
                let department = ["05", "15", "25", "68", "76"][(i % 5) as usize];
                let data = participa_store::EntityData {
                    slug: format!("municipio-{i:04}"),
                    name: format!("Municipio de prueba {i:04}"),
                    order: participa_domain::EntityOrder::Territorial,
                    department_code: department.into(),
                    municipality_code: format!("{department}{:03}", i % 1000),
                    ..Default::default()
                };
                let id = store.add_entity(&data, &Actor::system()).await?;
                let scoped = store.for_entity(id);
                let prefix = format!("m{i:04}-");
                participa_app::demo::build_as(&scoped, &objects, plan, date, &prefix)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                for extra in ["apoyo1", "apoyo2"] {
                    let user = participa_store::UserData {
                        username: format!("{prefix}{extra}"),
                        full_name: format!("Apoyo {extra} del municipio {i:04}"),
                        role: participa_domain::Role::Auditor,
                        active: true,
                        offices: vec![],
                        email: None,
                        position: String::new(),
                    };
                    let change = participa_store::Change {
                        actor: &Actor::system(),
                        action: participa_store::AuditAction::UserCreate,
                        plan_id: None,
                        subject: format!("usuario {}", user.username),
                        before: None,
                        after: None,
                    };
                    scoped
                        .create_user(
                            &user,
                            &hash,
                            participa_domain::PasswordOrigin::Chosen,
                            &change,
                        )
                        .await?;
                }
                anyhow::Ok(())
            });
            next += 1;
        }
        if let Some(done) = running.join_next().await {
            done??;
            let built = next - 1 - running.len() as u32;
            if built.is_multiple_of(50) {
                println!(
                    "  {built} de {count} entidades ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    println!(
        "Demostración nacional: {count} entidades en {:.0} s; «planeacion» administra la plataforma (tablero en /admin/nacional).",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes a report file; the format follows the output's extension.
async fn report(database_url: &str, entity: Option<&str>, kind: ReportCommand) -> Result<()> {
    let store = open_entity(database_url, entity).await?;
    let today = participa_app::dates::today();
    let (bytes, output) = match kind {
        ReportCommand::Plan { plan_id, output } => {
            anyhow::ensure!(
                output.extension().is_some_and(|e| e == "pdf"),
                "el documento del plan es un PDF: use -o ARCHIVO.pdf"
            );
            let id = PlanId(plan_id);
            let state = store.plan_state(id).await?;
            let plan = store.plan(id).await?;
            let status = format!(
                "{} · versión {} en Participa",
                state.status.label(),
                state.version
            );
            let approval = store
                .versions(id)
                .await?
                .into_iter()
                .find(|v| v.version == state.version)
                .and_then(|v| v.approval);
            let doc =
                participa_app::report_data::plan_document(&plan, approval.as_ref(), &status, today);
            (participa_reports::plan_pdf(&doc)?, output)
        }
        ReportCommand::Seguimiento {
            plan_id,
            period,
            output,
        } => {
            let id = PlanId(plan_id);
            let plan = store.plan(id).await?;
            let followup = store.followup(id).await?;
            let calendar = store.calendar().await?;
            let close_after = store.reporting_days(today).await?;
            let automatic = participa_app::report_data::automatic_figures(&store, plan_id).await?;
            let report = participa_app::report_data::followup_report(
                &plan,
                &followup,
                &calendar,
                close_after,
                period,
                today,
                &automatic,
                participa_app::report_data::Audience::Staff,
            )
            .with_context(|| format!("el plan {plan_id} no tiene el periodo {period}"))?;
            let bytes = match output.extension().and_then(|e| e.to_str()) {
                Some("pdf") => participa_reports::followup_pdf(&report)?,
                Some("xlsx") => participa_reports::followup_xlsx(&report)?,
                _ => anyhow::bail!("use -o ARCHIVO.pdf o -o ARCHIVO.xlsx"),
            };
            (bytes, output)
        }
    };
    store.close().await;
    std::fs::write(&output, bytes)
        .with_context(|| format!("no se pudo escribir {}", output.display()))?;
    println!("Informe escrito en {}", output.display());
    Ok(())
}

/// Serves the web platform until Ctrl-C or SIGTERM, then finishes the requests in flight.
async fn serve(database_url: &str, options: ServeOptions) -> Result<()> {
    let bind = options.bind;
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false);
    match options.log_format {
        LogFormat::Texto => logs.init(),
        LogFormat::Json => logs.json().with_current_span(true).init(),
    }
    anyhow::ensure!(
        (1..=1024).contains(&options.evidence_max_mb),
        "--evidence-max-mb debe estar entre 1 y 1024"
    );
    anyhow::ensure!(
        (1..=1440).contains(&options.recovery_link_minutes),
        "--recovery-link-minutes debe estar entre 1 y 1440 (un día)"
    );
    if let Some(url) = &options.privacy_policy_url {
        anyhow::ensure!(
            participa_web::is_web_address(url),
            "--privacy-policy-url debe ser una dirección http:// o https:// (se recibió «{url}»)"
        );
    }
    let objects = participa_store::Objects::open(&options.evidence)?;
    let key_file = options
        .identity_key_file
        .clone()
        .unwrap_or_else(|| participa_app::identity_key::default_key_file(database_url));
    let variable = std::env::var(participa_app::identity_key::SECRET_VARIABLE).ok();
    let key = participa_app::identity_key::load(variable.as_deref(), &key_file)?;
    if let Some(warning) = &key.warning {
        eprintln!("{warning}");
    }
    let store = init(database_url)
        .await?
        .with_identity_secret(key.secret, options.replace_identity_key)
        .await?;
    if store.backend() == participa_store::Backend::Postgres
        && !store.row_security_applies().await?
    {
        eprintln!(
            "Atención: el usuario de PostgreSQL con que se conecta Participa es superusuario o \
             tiene BYPASSRLS, y la seguridad por filas que separa a las entidades no lo ata. \
             Conéctese con un usuario ordinario dueño de la base (vea el README)."
        );
    }
    anyhow::ensure!(
        options.hora_recordatorios <= 23,
        "--hora-recordatorios debe estar entre 0 y 23"
    );
    anyhow::ensure!(
        (1..=3600).contains(&options.correo_cada) && (1..=3600).contains(&options.correo_reintento),
        "--correo-cada y --correo-reintento deben estar entre 1 y 3600 segundos"
    );
    if let Some(url) = &options.public_url {
        anyhow::ensure!(
            participa_web::is_web_address(url),
            "--url-publica debe ser una dirección http:// o https:// (se recibió «{url}»)"
        );
    }
    for (option, value) in [
        ("--direccion", &options.direccion),
        ("--telefono", &options.telefono),
        ("--correo-contacto", &options.correo_contacto),
        ("--horario", &options.horario),
    ] {
        anyhow::ensure!(
            value.chars().count() <= 200 && !value.chars().any(char::is_control),
            "{option}: hasta 200 caracteres, sin saltos de línea"
        );
    }
    anyhow::ensure!(
        options.correo_contacto.is_empty()
            || (options.correo_contacto.contains('@') && !options.correo_contacto.contains(' ')),
        "--correo-contacto debe ser un correo (se recibió «{}»)",
        options.correo_contacto
    );
    let logo = match &options.logo {
        None => None,
        Some(path) => {
            let name = path.display().to_string();
            let media = participa_web::logo_media_type(&name)
                .with_context(|| format!("--logo: {name} debe ser PNG, JPEG o WebP"))?;
            let bytes = std::fs::read(path).with_context(|| format!("no se pudo leer {name}"))?;
            anyhow::ensure!(
                bytes.len() <= participa_web::LOGO_LIMIT,
                "--logo: {name} pesa {} kB; se aceptan hasta {} kB",
                bytes.len() / 1024,
                participa_web::LOGO_LIMIT / 1024
            );
            Some((bytes.into(), media))
        }
    };
    let mailer = match &options.smtp {
        Some(url) => Some(
            participa_app::mail::Mailer::new(url, &options.remitente)
                .map_err(anyhow::Error::msg)?,
        ),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("no se pudo escuchar en {bind}"))?;
    let addr = listener.local_addr()?;
    let public_url = options
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    match &options.smtp {
        Some(_) => println!("Notificaciones por correo: activas (enlaces a {public_url})"),
        None => println!("Notificaciones por correo: no (sin --smtp quedan solo en la plataforma)"),
    }
    // Metrics on their own address, never on the public one.
    let metrics = match options.metrics {
        Some(at) => {
            let metrics = std::sync::Arc::new(participa_web::metrics::Metrics::new());
            let listener = tokio::net::TcpListener::bind(at)
                .await
                .with_context(|| format!("--metricas: no se pudo escuchar en {at}"))?;
            println!(
                "Métricas para Prometheus en http://{}/metrics",
                listener.local_addr()?
            );
            tokio::spawn(participa_web::metrics::serve(
                listener,
                metrics.clone(),
                store.clone(),
            ));
            Some(metrics)
        }
        None => None,
    };
    println!();
    println!("Participa está en http://{addr}/  (funcionarios: http://{addr}/ingresar)");
    println!("Detener: Ctrl-C");
    println!("Evidencias en {}", options.evidence);
    println!("Clave de las huellas de identidad: {}", key.origin);
    if options.public_burst == 0 {
        println!("Atención: sin límite de envíos en los formularios públicos (--public-burst 0).");
    }
    let mail = mailer.is_some();
    let outbox = participa_app::outbox::OutboxSettings {
        mailer,
        base_url: public_url.clone(),
        entity: options.entity.clone(),
        policy: participa_store::RetryPolicy {
            first_wait: chrono::Duration::seconds(options.correo_reintento as i64),
            ..Default::default()
        },
        every: std::time::Duration::from_secs(options.correo_cada),
        reminders: participa_app::outbox::ReminderSchedule {
            hour: options.hora_recordatorios,
            days_before: options.dias_aviso,
        },
    };
    let delivery = tokio::spawn(participa_app::outbox::run(store.clone(), outbox));
    let config = participa_web::Config {
        entity: options.entity,
        secure_cookies: options.secure_cookies,
        evidence: participa_web::EvidenceConfig {
            objects,
            limit: options.evidence_max_mb * 1024 * 1024,
        },
        public_limit: participa_web::PublicLimit {
            burst: options.public_burst,
            per_minute: options.public_per_minute,
        },
        trusted_proxies: options.trusted_proxies,
        privacy_policy: options.privacy_policy_url,
        public_url: Some(public_url),
        mail,
        recovery_minutes: options.recovery_link_minutes,
        contact: participa_web::EntityContact {
            address: options.direccion,
            phone: options.telefono,
            email: options.correo_contacto,
            hours: options.horario,
        },
        logo,
        session_cookie: "participa_sesion".into(),
        colour: String::new(),
        entities_changed: Default::default(),
        asset_version: 0,
        metrics,
    };
    let platform = participa_web::platform::Platform::new(store.clone(), config).await?;

    participa_web::serve_platform(listener, platform, participa_web::shutdown_signal()).await?;
    delivery.abort();
    store.close().await;
    println!("Participa se detuvo.");
    Ok(())
}

/// Clears the failed sign-ins counted against a user name, with its audit entry.
async fn unlock_user(store: &Store, username: &str) -> Result<()> {
    let system = Actor::system();
    let username = username.trim().to_lowercase();
    let (user, _) = store
        .user_for_login(&username)
        .await?
        .with_context(|| format!("el usuario «{username}» no existe"))?;
    let quota = participa_web::throttle::Throttle::default().user_quota(&user.username);
    let cleared = store
        .clear_attempts(
            &[quota],
            &Change {
                actor: &system,
                action: AuditAction::LoginUnlock,
                plan_id: None,
                subject: format!("usuario {} (línea de comandos)", user.username),
                before: None,
                after: None,
            },
        )
        .await?;
    if cleared == 0 {
        println!("El ingreso de «{}» no estaba bloqueado.", user.username);
    } else {
        println!("Ingreso de «{}» desbloqueado.", user.username);
    }
    Ok(())
}

async fn user_command(store: &Store, action: UserCommand) -> Result<()> {
    let system = Actor::system();

    let password = participa_app::accounts::random_password();
    let hash = participa_app::accounts::hash_password(password.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let username = match action {
        UserCommand::Create {
            username,
            role,
            name,
            offices,
            email,
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!("rol «{role}» desconocido: use admin, reporter, auditor o approver")
            })?;
            let offices = offices
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(|o| OfficeCode::parse(o).with_context(|| format!("dependencia «{o}»")))
                .collect::<Result<Vec<_>>>()?;
            anyhow::ensure!(
                role != Role::Reporter || !offices.is_empty(),
                "un responsable de dependencia (reporter) necesita --offices"
            );
            let data = UserData {
                username: username.trim().to_lowercase(),
                full_name: name,
                role,
                active: true,
                offices,
                email,
                position: String::new(),
            };
            store
                .create_user(
                    &data,
                    &hash,
                    participa_domain::PasswordOrigin::Temporary,
                    &Change {
                        actor: &system,
                        action: AuditAction::UserCreate,
                        plan_id: None,
                        subject: format!("usuario {} (línea de comandos)", data.username),
                        before: None,
                        after: Some(format!("rol {}", data.role.as_str())),
                    },
                )
                .await?;
            data.username
        }
        UserCommand::Unlock { username } => return unlock_user(store, &username).await,
        UserCommand::ResetPassword { username } => {
            let (user, _) = store
                .user_for_login(&username)
                .await?
                .with_context(|| format!("el usuario «{username}» no existe"))?;
            store
                .set_password(
                    user.id,
                    &hash,
                    participa_domain::PasswordOrigin::Temporary,
                    &Change {
                        actor: &system,
                        action: AuditAction::UserPasswordReset,
                        plan_id: None,
                        subject: format!("usuario {} (línea de comandos)", user.username),
                        before: None,
                        after: None,
                    },
                )
                .await?;
            user.username
        }
    };
    println!("usuario:    {username}");
    println!("contraseña: {password}");
    println!("Es temporal: al ingresar con ella, la plataforma pide cambiarla antes de seguir.");
    Ok(())
}

fn summary(id: PlanId, plan: &participa_domain::Plan) -> String {
    let version = plan
        .version
        .as_ref()
        .map(|v| {
            format!(
                ", versión {} del {}",
                v.number,
                participa_app::dates::fecha(v.date)
            )
        })
        .unwrap_or_default();
    format!(
        "Plan {id} importado: {} (vigencia {}, {}): {}, {}, {}{version}",
        plan.title,
        plan.year,
        plan.entity,
        participa_domain::numbers::count(plan.activities.len() as u64, "actividad", "actividades"),
        participa_domain::numbers::count(plan.offices.len() as u64, "dependencia", "dependencias"),
        participa_domain::numbers::count(plan.signatures.len() as u64, "firma", "firmas")
    )
}

/// Writes to a temporary file beside the target and renames it: a reader never sees a
/// half-written file, and a failure leaves no file behind.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().context("la salida debe ser un archivo")?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("no se pudo escribir {}", path.display()))
}
