//! The fields of an entity a form sends (the platform administrator's «agregar
//! entidad» and the entity admin's «datos de la entidad»), parsed into an
//! [`EntityData`] with each problem on its field.

use crate::form::{sentence, FieldErrors, FormData};
use participa_domain::entity::{check_divipola, parse_colour, parse_entity_name, parse_nit};
use participa_domain::EntityOrder;
use participa_store::EntityData;

/// Reads the identity of an entity (name, NIT, order, sector, DIVIPOLA codes) into
/// `data`, as typed when a field is wrong (the page shows it again with its error).
pub fn read_identity(form: &FormData, data: &mut EntityData, errors: &mut FieldErrors) {
    data.name = form.get("nombre").trim().to_string();
    if let Err(e) = parse_entity_name(&data.name) {
        errors.insert("nombre", sentence(&e.to_string()));
    }
    data.nit = form.get("nit").trim().to_string();
    match parse_nit(&data.nit) {
        Ok(nit) => data.nit = nit,
        Err(e) => {
            errors.insert("nit", sentence(&e.to_string()));
        }
    }
    match EntityOrder::parse(form.get("orden")) {
        Ok(order) => data.order = order,
        Err(e) => {
            errors.insert("orden", sentence(&e.to_string()));
        }
    }
    data.sector = form.get("sector").trim().to_string();
    data.department_code = form.get("departamento").trim().to_string();
    data.municipality_code = form.get("municipio").trim().to_string();
    if let Err(e) = check_divipola(&data.department_code, &data.municipality_code) {
        let field = if data.municipality_code.is_empty() || data.department_code.len() != 2 {
            "departamento"
        } else {
            "municipio"
        };
        errors.insert(field, sentence(&e.to_string()));
    }
}

/// Reads what an entity's site shows of it (footer data, data policy, e-mail sender,
/// colour) into `data`.
pub fn read_settings(form: &FormData, data: &mut EntityData, errors: &mut FieldErrors) {
    data.address = form.get("direccion").trim().to_string();
    data.phone = form.get("telefono").trim().to_string();
    data.contact_email =
        crate::form::email_of(form.get("correo"), "correo", errors).unwrap_or_default();
    data.hours = form.get("horario").trim().to_string();
    let policy = form.get("politica").trim();
    data.privacy_policy_url = (!policy.is_empty()).then(|| policy.to_string());
    if !policy.is_empty() && !crate::is_web_address(policy) {
        errors.insert(
            "politica",
            format!(
                "«{policy}» no es una dirección web: escríbala completa, con https:// (por ejemplo https://www.entidad.gov.co/politica-datos)."
            ),
        );
    }
    data.privacy_contact = form.get("contacto_datos").trim().to_string();
    data.mail_from =
        crate::form::email_of(form.get("remitente"), "remitente", errors).unwrap_or_default();
    if !data.mail_from.is_empty()
        && !errors.contains_key("remitente")
        && !participa_app::mail::sendable(&data.mail_from)
    {
        errors.insert(
            "remitente",
            format!(
                "«{}» no sirve como remitente de correos: escriba una dirección completa, sin espacios ni tildes (por ejemplo participa@entidad.gov.co).",
                data.mail_from
            ),
        );
    }
    data.colour = form.get("color").trim().to_string();
    match parse_colour(&data.colour) {
        Ok(c) => data.colour = c,
        Err(e) => {
            errors.insert("color", sentence(&e.to_string()));
        }
    }
}

/// The order choices of a form, the entity's selected.
pub fn order_choices(selected: EntityOrder) -> Vec<(&'static str, &'static str, bool)> {
    [EntityOrder::National, EntityOrder::Territorial]
        .into_iter()
        .map(|o| (o.as_str(), o.label(), o == selected))
        .collect()
}
