//! The channels whose monthly figures an entity imports (contact center, social media,
//! website), by code, with the name people read.

pub const CHANNELS: [(&str, &str); 3] = [
    ("centro_contacto", "Centro de contacto"),
    ("redes_sociales", "Redes sociales"),
    ("sitio_web", "Sitio web"),
];

/// The name of a channel code; an unknown code is shown as it is.
pub fn channel_label(code: &str) -> &str {
    CHANNELS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| l)
}
