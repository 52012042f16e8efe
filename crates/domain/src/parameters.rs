//! The legal parameters: every term and deadline the platform uses, each with its value,
//! unit, the norm it comes from, whether that source was checked, and the date it
//! applies from. Later features read deadlines only through here, and an admin can
//! change a value (with a reason) when a norm changes.

use crate::calendar::Calendar;
use chrono::{Duration, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    BusinessDays,
    CalendarDays,
    /// A multiplier (the most a term may be extended to).
    Times,
    /// A date of the year, as month × 100 + day (`131` is 31 January).
    MonthDay,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::BusinessDays => "business_days",
            Unit::CalendarDays => "calendar_days",
            Unit::Times => "times",
            Unit::MonthDay => "month_day",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Unit::BusinessDays => "días hábiles",
            Unit::CalendarDays => "días calendario",
            Unit::Times => "veces",
            Unit::MonthDay => "fecha del año",
        }
    }
}

/// How sure the source is: checked against the norm's text, or recalled and to be
/// confirmed (see shared/reference/regulation.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    Verified,
    Recalled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParameterDefinition {
    pub key: &'static str,
    pub label: &'static str,
    pub value: i64,
    pub unit: Unit,
    pub source: &'static str,
    pub certainty: Certainty,
    /// For a recalled source, what to confirm and where, as a planning office reads it
    /// (which article of which norm, and the official site that has its text); empty
    /// when the source was checked.
    pub to_confirm: &'static str,
}

use Certainty::*;
use Unit::*;

/// The registry with its default values.
pub const LEGAL_PARAMETERS: &[ParameterDefinition] = &[
    ParameterDefinition {
        key: "peticion.general",
        label: "Respuesta a un derecho de petición",
        value: 15,
        unit: BusinessDays,
        source: "Ley 1437 de 2011 art. 14, sustituido por la Ley 1755 de 2015",
        certainty: Verified,
        to_confirm: "",
    },
    ParameterDefinition {
        key: "peticion.documentos",
        label: "Respuesta a una petición de documentos e información",
        value: 10,
        unit: BusinessDays,
        source: "Ley 1755 de 2015 art. 14 num. 1",
        certainty: Verified,
        to_confirm: "",
    },
    ParameterDefinition {
        key: "peticion.consulta",
        label: "Respuesta a una consulta",
        value: 30,
        unit: BusinessDays,
        source: "Ley 1755 de 2015 art. 14 num. 2",
        certainty: Verified,
        to_confirm: "",
    },
    ParameterDefinition {
        key: "peticion.ampliacion_maxima",
        label: "Ampliación máxima del término (sobre el original)",
        value: 2,
        unit: Times,
        source: "Ley 1755 de 2015 art. 14 parágrafo",
        certainty: Verified,
        to_confirm: "",
    },
    ParameterDefinition {
        key: "datos.consulta",
        label: "Respuesta a una consulta de datos personales",
        value: 10,
        unit: BusinessDays,
        source: "Ley 1581 de 2012 art. 14; Decreto 1377 de 2013",
        certainty: Verified,
        to_confirm: "",
    },
    ParameterDefinition {
        key: "datos.consulta_prorroga",
        label: "Prórroga de la consulta de datos personales",
        value: 5,
        unit: BusinessDays,
        source: "Ley 1581 de 2012 art. 14",
        certainty: Verified,
        to_confirm: "",
    },
    ParameterDefinition {
        key: "datos.reclamo",
        label: "Respuesta a un reclamo de datos personales",
        value: 15,
        unit: BusinessDays,
        source: "Ley 1581 de 2012 art. 15",
        certainty: Verified,
        to_confirm: "",
    },
    ParameterDefinition {
        key: "datos.reclamo_prorroga",
        label: "Prórroga del reclamo de datos personales",
        value: 8,
        unit: BusinessDays,
        source: "Ley 1581 de 2012 art. 15",
        certainty: Verified,
        to_confirm: "",
    },
    ParameterDefinition {
        key: "audiencia.respuestas",
        label: "Respuesta escrita a las preguntas de la audiencia de rendición de cuentas",
        value: 15,
        unit: BusinessDays,
        source: "Ley 1757 de 2015 art. 56; Manual Único de Rendición de Cuentas",
        certainty: Recalled,
        to_confirm: "Confirme en el artículo 56 de la Ley 1757 de 2015 y en el Manual Único de Rendición de Cuentas (funcionpublica.gov.co/web/murc) el plazo para responder por escrito las preguntas de la audiencia y si se cuenta en días hábiles o calendario. El texto de la ley está en el Gestor Normativo de Función Pública (funcionpublica.gov.co/eva/gestornormativo) o en SUIN-Juriscol (suin-juriscol.gov.co).",
    },
    ParameterDefinition {
        key: "audiencia.informe_previo",
        label: "Publicación del informe de gestión antes de la audiencia",
        value: 30,
        unit: CalendarDays,
        source: "Ley 1757 de 2015 art. 56; Manual Único de Rendición de Cuentas",
        certainty: Recalled,
        to_confirm: "Confirme en el artículo 56 de la Ley 1757 de 2015 y en el Manual Único de Rendición de Cuentas (funcionpublica.gov.co/web/murc) con cuántos días de anticipación a la audiencia se publica el informe de gestión. El texto de la ley está en el Gestor Normativo de Función Pública (funcionpublica.gov.co/eva/gestornormativo) o en SUIN-Juriscol (suin-juriscol.gov.co).",
    },
    ParameterDefinition {
        key: "plan.publicacion",
        label: "Publicación del plan de la vigencia",
        value: 131,
        unit: MonthDay,
        source: "Ley 1474 de 2011 art. 74; Decreto 612 de 2018",
        certainty: Recalled,
        to_confirm: "Confirme en el artículo 74 de la Ley 1474 de 2011 y en el Decreto 612 de 2018 la fecha límite para publicar el plan de la vigencia en el sitio web. Sus textos están en el Gestor Normativo de Función Pública (funcionpublica.gov.co/eva/gestornormativo) o en SUIN-Juriscol (suin-juriscol.gov.co).",
    },
    ParameterDefinition {
        key: "seguimiento.reporte_tras_corte",
        label: "Reporte de avance después de cada corte",
        value: 10,
        unit: BusinessDays,
        source: "Decreto 124 de 2016 (seguimiento del PAAC por la OCI)",
        certainty: Recalled,
        to_confirm: "Confirme en el Decreto 124 de 2016 (artículo 2.1.4.6 del Decreto 1081 de 2015) y en la guía «Estrategias para la construcción del Plan Anticorrupción y de Atención al Ciudadano», versión 2, cuántos días hábiles hay para reportar después de cada corte; si la entidad ya adoptó el Programa de Transparencia y Ética Pública (Decreto 1122 de 2024), el plazo es el de su programa. Los decretos están en el Gestor Normativo de Función Pública (funcionpublica.gov.co/eva/gestornormativo) o en SUIN-Juriscol (suin-juriscol.gov.co).",
    },
];

pub fn definition(key: &str) -> Option<&'static ParameterDefinition> {
    LEGAL_PARAMETERS.iter().find(|p| p.key == key)
}

/// A term as the platform applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub value: i64,
    pub unit: Unit,
}

impl Term {
    /// The deadline of this term counted from `start` (business days from the day after
    /// `start`; a month-day term is that date in `start`'s year). None for a multiplier.
    pub fn deadline(&self, calendar: &Calendar, start: NaiveDate) -> Option<NaiveDate> {
        use chrono::Datelike;
        match self.unit {
            BusinessDays => {
                Some(calendar.add_business_days(start, u32::try_from(self.value).ok()?))
            }
            CalendarDays => start.checked_add_signed(Duration::days(self.value)),
            MonthDay => NaiveDate::from_ymd_opt(
                start.year(),
                u32::try_from(self.value / 100).ok()?,
                u32::try_from(self.value % 100).ok()?,
            ),
            Times => None,
        }
    }

    /// `15 días hábiles`, `31 de enero`.
    pub fn describe(&self) -> String {
        match self.unit {
            MonthDay => {
                let m = (self.value / 100).clamp(1, 12) as usize;
                format!(
                    "{} de {}",
                    self.value % 100,
                    crate::calendar::MONTH_NAMES[m - 1]
                )
            }
            unit => format!("{} {}", self.value, unit.label()),
        }
    }

    /// Whether `value` makes sense for this unit.
    pub fn valid(value: i64, unit: Unit) -> bool {
        match unit {
            BusinessDays | CalendarDays => (0..=3650).contains(&value),
            Times => (1..=10).contains(&value),
            // MMDD of a day that exists in a leap year (so 29 February is one).
            MonthDay => {
                (101..=1231).contains(&value)
                    && u32::try_from(value / 100)
                        .ok()
                        .zip(u32::try_from(value % 100).ok())
                        .is_some_and(|(m, d)| NaiveDate::from_ymd_opt(2024, m, d).is_some())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_of_the_year_is_a_real_day_and_never_wraps() {
        assert!(Term::valid(229, MonthDay));
        assert!(Term::valid(1231, MonthDay));
        for bad in [
            0,
            100,
            230,
            1232,
            1301,
            4_294_967_297 * 100 + 1,
            i64::MAX,
            i64::MIN,
            -101,
        ] {
            assert!(!Term::valid(bad, MonthDay), "{bad}");
        }
    }

    #[test]
    fn every_default_is_valid_and_keys_are_unique() {
        let mut keys = std::collections::HashSet::new();
        for p in LEGAL_PARAMETERS {
            assert!(keys.insert(p.key), "{}", p.key);
            assert!(Term::valid(p.value, p.unit), "{}", p.key);
            assert!(!p.source.is_empty());
            // A recalled source says what to confirm, in which norm and where.
            match p.certainty {
                Recalled => {
                    assert!(p.to_confirm.starts_with("Confirme en "), "{}", p.key);
                    assert!(p.to_confirm.contains("funcionpublica.gov.co"), "{}", p.key);
                }
                Verified => assert!(p.to_confirm.is_empty(), "{}", p.key),
            }
        }
    }

    #[test]
    fn deadlines_follow_the_unit() {
        let c = Calendar::default();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let petition = Term {
            value: 15,
            unit: BusinessDays,
        };
        assert_eq!(
            petition.deadline(&c, d("2025-12-19")),
            Some(d("2026-01-14"))
        );
        let report = Term {
            value: 30,
            unit: CalendarDays,
        };
        assert_eq!(report.deadline(&c, d("2025-03-01")), Some(d("2025-03-31")));
        let publication = Term {
            value: 131,
            unit: MonthDay,
        };
        assert_eq!(
            publication.deadline(&c, d("2026-01-01")),
            Some(d("2026-01-31"))
        );
        assert_eq!(publication.describe(), "31 de enero");
        assert_eq!(petition.describe(), "15 días hábiles");
        assert!(!Term::valid(230, MonthDay));
        assert!(!Term::valid(-1, BusinessDays));
    }
}
