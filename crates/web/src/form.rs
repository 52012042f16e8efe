//! A submitted HTML form as its list of name/value pairs, so that repeated names
//! (checkboxes) and unknown fields are handled by the page that reads them.

use crate::error::AppError;
use axum::extract::{FromRequest, Request};
use axum::Form;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge
                } else {
                    unreadable()
                }
            })?;
        check_sizes(&pairs)?;
        Ok(FormData(pairs))
    }
}

/// The most fields one form may send (checkbox lists included).
pub const MAX_FIELDS: usize = 2_000;

/// The characters a field holds as its page's `maxlength` counts them: a line break is
/// one, though the browser sends it as two (`\r\n`).
pub fn char_count(value: &str) -> usize {
    value.chars().filter(|c| *c != '\r').count()
}

/// Refuses a form with too many fields, or with a field longer than its limit (see
/// [`max_chars`]). Every page draws its fields with that `maxlength`, so a person
/// typing in a browser never meets this: it stops scripts that post megabytes into a
/// name or a title, before anything is stored or logged.
pub fn check_sizes(pairs: &[(String, String)]) -> Result<(), AppError> {
    if pairs.len() > MAX_FIELDS {
        return Err(AppError::BadRequest(format!(
            "El formulario trae {} campos; se admiten hasta {MAX_FIELDS}.",
            pairs.len()
        )));
    }
    for (name, value) in pairs {
        let max = max_chars(name);
        let count = char_count(value);
        if name.len() > 100 {
            return Err(AppError::BadRequest(
                "El formulario trae un campo que ninguna página de Participa tiene.".into(),
            ));
        }
        if count > max {
            return Err(too_long(name, count));
        }
    }
    Ok(())
}

/// A text field of a multipart form, read chunk by chunk and bounded like a plain
/// form's fields (see [`max_chars`]): reading stops as soon as the field is too long.
pub async fn multipart_text(
    mut field: axum::extract::multipart::Field<'_>,
) -> Result<String, AppError> {
    let name = field.name().unwrap_or_default().to_string();
    // A character is at most four bytes in UTF-8.
    let max_bytes = max_chars(&name) * 4;
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > max_bytes {
            let count = char_count(&String::from_utf8_lossy(&bytes));
            return Err(too_long(&name, count.max(max_chars(&name) + 1)));
        }
    }
    let text = String::from_utf8(bytes).map_err(|_| unreadable())?;
    check_sizes(&[(name, text.clone())])?;
    Ok(text)
}

/// A file field of a multipart form, read chunk by chunk; `None` as soon as it passes
/// `limit` bytes (nothing more is read of it).
pub async fn multipart_file_up_to(
    field: &mut axum::extract::multipart::Field<'_>,
    limit: usize,
) -> Result<Option<Vec<u8>>, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > limit {
            return Ok(None);
        }
    }
    Ok(Some(bytes))
}

/// Whether a file field holds anything, reading no more than its first chunk.
pub async fn multipart_file_is_empty(
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<bool, AppError> {
    Ok(field
        .chunk()
        .await
        .map_err(|_| unreadable())?
        .is_none_or(|c| c.is_empty()))
}

/// A form body that could not be read to its end.
pub(crate) fn unreadable() -> AppError {
    AppError::BadRequest(
        "El envío llegó incompleto o dañado, o supera el tamaño permitido. Vuelva a la página anterior y envíelo de nuevo."
            .into(),
    )
}

fn too_long(name: &str, count: usize) -> AppError {
    AppError::BadRequest(format!(
        "El campo «{}» admite hasta {} caracteres y llegaron {}. Vuelva a la página anterior, acorte el texto y envíelo de nuevo.",
        field_label(name),
        thousands(max_chars(name)),
        thousands(count)
    ))
}

/// A long text's limit (descriptions, answers, comments, observations): the default.
pub const LONG_TEXT: usize = 20_000;
/// A title's or a name's limit.
pub const TITLE: usize = 300;

/// The most characters field `name` may hold, on every form that has it.
pub fn max_chars(name: &str) -> usize {
    match name {
        "usuario" => 64,
        // A password set before the 128-character cap still signs in.
        "clave" | "actual" => 1_024,
        "nueva" | "repetir" => crate::auth::MAX_PASSWORD_LEN,
        "siguiente" => 2_000,
        "correo" | "correo_admin" | "remitente" => 254,
        "identificador" | "nit" | "departamento" | "municipio" | "color" => 40,
        "servidor" => 253,
        "otras_dependencias" => 200,
        "telefono" | "documento" | "identificacion" | "tipo_documento" => 40,
        "codigo" | "oe_codigo" | "od_codigo" | "ie_codigo" | "numero" | "acta_numero"
        | "vigencia" | "hora" => 40,
        "fecha" | "inicio" | "fin" | "desde" | "hasta" | "abre" | "cierra" | "acta_fecha"
        | "informe_fecha" => 40,
        "avance"
        | "avance_verificado"
        | "asistentes"
        | "valor"
        | "meta"
        | "satisfaccion"
        | "respuestas_satisfaccion" => 40,
        "accion"
        | "decision"
        | "estado"
        | "estado_manual"
        | "tipo"
        | "rol"
        | "categoria"
        | "modalidad"
        | "moderacion"
        | "medio"
        | "canal"
        | "frecuencia"
        | "agregacion"
        | "periodo"
        | "padre"
        | "activo"
        | "obligatoria"
        | "autorizacion"
        | "autorizacion_pregunta"
        | "actividad"
        | "plan"
        | "grupo"
        | "grupo_furag"
        | "dependencia"
        | "responsables"
        | "parametro"
        | "condicion"
        | "suficiencia"
        | "atraso"
        | "riesgo"
        | "lista"
        | "publicos"
        | "extremo_bajo"
        | "extremo_alto"
        | "a"
        | "sitio_web" => 200,
        "nombre" | "titulo" | "lugar" | "tema" | "quien" | "unidad" | "territorio"
        | "transmision" | "responsable_texto" | "politica" | "convocatoria" | "cargo"
        | "sector" | "direccion" | "horario" | "contacto_datos" | "nombre_admin" => TITLE,
        "cuestionario" => participa_domain::furag::MAX_QUESTIONNAIRE_BYTES,
        _ => LONG_TEXT,
    }
}

/// How a field is called on its page, for the message that it is too long.
fn field_label(name: &str) -> &'static str {
    match name {
        "usuario" => "Usuario",
        "clave" => "Contraseña",
        "actual" => "Contraseña actual",
        "nueva" => "Contraseña nueva",
        "repetir" => "Repita la contraseña nueva",
        "correo" => "Correo electrónico",
        "telefono" => "Teléfono",
        "documento" | "identificacion" => "Número de documento",
        "nombre" => "Nombre",
        "cargo" => "Cargo",
        "titulo" => "Título",
        "descripcion" => "Descripción",
        "texto" => "Texto",
        "comentario" => "Comentario",
        "respuesta" => "Respuesta",
        "pregunta" => "Pregunta",
        "cuestionario" => "Cuestionario",
        "opciones" => "Opciones",
        "extremo_bajo" => "Qué significa el 1",
        "extremo_alto" => "Qué significa el 5",
        "observaciones" => "Observaciones",
        "motivo" | "motivo_correccion" => "Motivo",
        "justificacion" | "justificacion_estado" | "justificacion_disminucion" => "Justificación",
        "lugar" => "Lugar",
        "tema" => "Tema",
        "entregable" => "Entregable",
        "objetivos" => "Objetivos",
        "marco_legal" => "Marco legal",
        "dependencias" => "Dependencias",
        "otras_dependencias" => "Otras dependencias",
        "dificultades" => "Dificultades",
        "acciones" => "Acciones",
        "recomendaciones" => "Recomendaciones",
        "responsable_texto" => "Responsable como lo escribe el documento",
        "siguiente" => "Página siguiente",
        "identificador" => "Identificador",
        "sector" => "Sector",
        "direccion" => "Dirección",
        "horario" => "Horario de atención",
        "contacto_datos" => "Contacto para datos personales",
        "nombre_admin" => "Nombre del administrador",
        "remitente" => "Remitente de los correos",
        _ => "uno de los campos",
    }
}

fn thousands(n: usize) -> String {
    participa_domain::numbers::grouped(n as u64)
}

/// A user name as the «usuario» field sends it, trimmed and lowercased; one that is
/// not 1 to 64 unaccented letters, digits, dots, hyphens or underscores is an error
/// on that field.
pub fn username_of(text: &str, errors: &mut FieldErrors) -> String {
    let username = text.trim().to_lowercase();
    let ok = !username.is_empty()
        && username.len() <= 64
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        errors.insert(
            "usuario",
            "El usuario lleva letras sin tilde, números, punto, guion o guion bajo (hasta 64)."
                .into(),
        );
    }
    username
}

/// A plausible e-mail address (one `@`, something on each side, no spaces), or None
/// for an empty field; an implausible one is an error on `field`.
pub fn email_of(text: &str, field: &'static str, errors: &mut FieldErrors) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let plausible = text.len() <= 254
        && !text.contains(char::is_whitespace)
        && text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if !plausible {
        errors.insert(
            field,
            format!(
                "«{text}» no parece un correo electrónico (por ejemplo nombre@entidad.gov.co)."
            ),
        );
    }
    Some(text.to_string())
}

/// A form's errors by field name (the field's `id`): the page shows each next to its
/// field, marks the field `aria-invalid`, and lists them all above the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(HashMap<&'static str, String>);

impl FieldErrors {
    pub fn new() -> Self {
        FieldErrors::default()
    }

    /// The status of a form page: 200, or 422 when it comes back with errors.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.0.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    /// Puts a domain error next to `field`, written as a sentence (see [`sentence`]);
    /// replaces an earlier message of that field.
    pub fn add(&mut self, field: &'static str, error: impl std::fmt::Display) {
        self.0.insert(field, sentence(&error.to_string()));
    }

    /// Like [`FieldErrors::add`], but a field keeps the first message it got.
    pub fn add_first(&mut self, field: &'static str, error: impl std::fmt::Display) {
        self.0
            .entry(field)
            .or_insert_with(|| sentence(&error.to_string()));
    }

    /// The message for `field`, if it has one.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// The value of the field's `aria-invalid` attribute.
    pub fn invalid(&self, field: &str) -> &'static str {
        if self.0.contains_key(field) {
            "true"
        } else {
            "false"
        }
    }

    /// The errors in field-name order, for the summary above the form.
    pub fn sorted(&self) -> Vec<(&'static str, &str)> {
        let mut list: Vec<(&'static str, &str)> =
            self.0.iter().map(|(k, v)| (*k, v.as_str())).collect();
        list.sort();
        list
    }
}

impl Deref for FieldErrors {
    type Target = HashMap<&'static str, String>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for FieldErrors {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// A domain message as people read it on a page. Domain errors are written as clauses
/// ("falta el título") so that the importer and the command line can put them after a
/// place ("línea 3, columna 2: falta el título"); a page shows them as sentences, and
/// this is the one place that turns one into the other: first letter capitalised, one
/// final period.
pub fn sentence(clause: &str) -> String {
    let clause = clause.trim();
    let mut chars = clause.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn a_field_past_its_limit_is_refused_with_its_name_and_the_counts() {
        let pairs = vec![("usuario".to_string(), "x".repeat(300_000))];
        let AppError::BadRequest(m) = check_sizes(&pairs).unwrap_err() else {
            panic!("not a bad request")
        };
        assert!(m.contains("«Usuario» admite hasta 64 caracteres"), "{m}");
        assert!(m.contains("300\u{a0}000"), "{m}");
        let ok = vec![
            ("usuario".to_string(), "x".repeat(64)),
            ("descripcion".to_string(), "línea\r\n".repeat(LONG_TEXT / 6)),
        ];
        assert!(
            check_sizes(&ok).is_ok(),
            "a CR LF counts once, as in the browser"
        );
        let many = vec![("responsables".to_string(), "ARCOM".to_string()); MAX_FIELDS + 1];
        assert!(check_sizes(&many).is_err());
    }

    /// Every text field a page draws carries its `maxlength`, so the server's limit
    /// never takes text from a person typing in a browser.
    #[test]
    fn every_text_field_of_every_page_has_a_maxlength() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let no_text = [
            "checkbox", "radio", "hidden", "file", "submit", "date", "number", "time",
        ];
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let html = std::fs::read_to_string(&path).unwrap();
            for (i, _) in html.match_indices('<') {
                let rest = &html[i..];
                if !(rest.starts_with("<input") || rest.starts_with("<textarea")) {
                    continue;
                }
                let tag = &rest[..rest.find('>').unwrap()];
                let kind = tag
                    .split("type=\"")
                    .nth(1)
                    .and_then(|t| t.split('"').next())
                    .unwrap_or("text");
                // A type chosen by the template is a checkbox or a radio button here.
                let choice = no_text.contains(&kind) || kind.starts_with("{%");
                if choice {
                    assert!(!tag.contains("maxlength="), "{}: {tag}", path.display());
                }
                if !tag.contains("name=") || choice {
                    continue;
                }
                checked += 1;
                assert!(tag.contains("maxlength="), "{}: {tag}", path.display());
                // The limit drawn is the server's limit for that very field, or a
                // stricter number (a rule of the page's own, such as a short reason).
                let name = tag
                    .split("name=\"")
                    .nth(1)
                    .and_then(|n| n.split('"').next());
                if let Some(name) = name.filter(|n| !n.contains('{')) {
                    let drawn =
                        format!("maxlength=\"{{{{ crate::form::max_chars(\"{name}\") }}}}\"");
                    let literal = tag
                        .split("maxlength=\"")
                        .nth(1)
                        .and_then(|v| v.split('"').next())
                        .and_then(|v| v.parse::<usize>().ok());
                    let own_rule = tag.contains("maxlength=\"{{") && !tag.contains("max_chars(");
                    assert!(
                        tag.contains(&drawn)
                            || own_rule
                            || literal.is_some_and(|n| n <= max_chars(name)),
                        "{}: {tag}",
                        path.display()
                    );
                }
            }
        }
        assert!(checked > 50, "only {checked} fields found");
    }
}

/// Adds the "reason required" error when a published plan is changed without one.
pub fn require_reason<T>(
    result: Result<T, FieldErrors>,
    needs_reason: bool,
    reason: &str,
    field: &'static str,
) -> Result<T, FieldErrors> {
    if !needs_reason || !reason.trim().is_empty() {
        return result;
    }
    let mut errors = result.err().unwrap_or_default();
    errors.insert(
        field,
        "Escriba el motivo del cambio: el plan está publicado y se creará una nueva versión."
            .into(),
    );
    Err(errors)
}

#[cfg(test)]
mod sentence_tests {
    use super::{sentence, FieldErrors};

    #[test]
    fn clauses_become_sentences_once() {
        assert_eq!(sentence("falta el título"), "Falta el título.");
        assert_eq!(sentence("ésta ya termina."), "Ésta ya termina.");
        assert_eq!(sentence(""), "");
        let mut e = FieldErrors::new();
        e.add_first("a", "primero");
        e.add_first("a", "segundo");
        assert_eq!(e.error("a"), Some("Primero."));
        e.add("a", "tercero");
        assert_eq!(e.error("a"), Some("Tercero."));
    }
}
