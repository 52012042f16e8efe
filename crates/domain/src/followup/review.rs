//! Internal control's review of a progress report, and the report's states: submitted,
//! returned to the office, accepted. Every step is a new entry; nothing is overwritten.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sufficiency {
    Yes,
    No,
    Partial,
}

impl Sufficiency {
    pub const ALL: [Sufficiency; 3] = [Sufficiency::Yes, Sufficiency::Partial, Sufficiency::No];

    pub fn as_str(self) -> &'static str {
        match self {
            Sufficiency::Yes => "si",
            Sufficiency::No => "no",
            Sufficiency::Partial => "parcial",
        }
    }

    pub fn parse(s: &str) -> Option<Sufficiency> {
        Sufficiency::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Sufficiency::Yes => "Sí",
            Sufficiency::No => "No",
            Sufficiency::Partial => "Parcial",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Accept,
    Return,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accept => "aceptar",
            Decision::Return => "devolver",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        [Decision::Accept, Decision::Return]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportState {
    Submitted,
    Returned,
    Accepted,
}

impl ReportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Submitted => "submitted",
            ReportState::Returned => "returned",
            ReportState::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<ReportState> {
        [
            ReportState::Submitted,
            ReportState::Returned,
            ReportState::Accepted,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportState::Submitted => "Enviado, en revisión de control interno",
            ReportState::Returned => "Devuelto a la dependencia",
            ReportState::Accepted => "Aceptado por control interno",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReviewError {
    PeriodClosed,
    AlreadyAccepted,
    NothingToReview,
    VerifiedPercent(f64),
    ObservationRequired,
}

impl ReviewError {
    pub fn field(&self) -> &'static str {
        match self {
            ReviewError::VerifiedPercent(_) => "avance_verificado",
            ReviewError::ObservationRequired => "observaciones",
            _ => "estado",
        }
    }
}

impl fmt::Display for ReviewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReviewError::PeriodClosed => write!(f, "el periodo está cerrado: sus reportes no cambian; registre una corrección documentada"),
            ReviewError::AlreadyAccepted => write!(f, "el reporte ya fue aceptado por control interno"),
            ReviewError::NothingToReview => write!(f, "no hay un reporte enviado para revisar"),
            ReviewError::VerifiedPercent(p) => write!(f, "el avance verificado {p} no está entre 0 y 100"),
            ReviewError::ObservationRequired => write!(f, "al devolver un reporte escriba la observación para la dependencia"),
        }
    }
}

/// What internal control records on a report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewInput {
    pub decision: Decision,
    pub verified_percent: Option<f64>,
    pub sufficiency: Sufficiency,
    pub observations: String,
    pub recommendations: String,
}

/// The state after the office submits (or resubmits) a report.
pub fn submit(
    current: Option<ReportState>,
    period_closed: bool,
) -> Result<ReportState, ReviewError> {
    if period_closed {
        return Err(ReviewError::PeriodClosed);
    }
    match current {
        Some(ReportState::Accepted) => Err(ReviewError::AlreadyAccepted),
        _ => Ok(ReportState::Submitted),
    }
}

/// The state after internal control reviews, or every broken rule.
pub fn review(
    current: Option<ReportState>,
    period_closed: bool,
    input: &ReviewInput,
) -> Result<ReportState, Vec<ReviewError>> {
    if period_closed {
        return Err(vec![ReviewError::PeriodClosed]);
    }
    if current != Some(ReportState::Submitted) {
        return Err(vec![ReviewError::NothingToReview]);
    }
    let mut errors = Vec::new();
    match (input.decision, input.verified_percent) {
        (_, Some(p)) if !(p.is_finite() && (0.0..=100.0).contains(&p)) => {
            errors.push(ReviewError::VerifiedPercent(p))
        }
        (Decision::Accept, None) => errors.push(ReviewError::VerifiedPercent(f64::NAN)),
        _ => {}
    }
    if input.decision == Decision::Return && input.observations.trim().is_empty() {
        errors.push(ReviewError::ObservationRequired);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(match input.decision {
        Decision::Accept => ReportState::Accepted,
        Decision::Return => ReportState::Returned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(decision: Decision, verified: Option<f64>, obs: &str) -> ReviewInput {
        ReviewInput {
            decision,
            verified_percent: verified,
            sufficiency: Sufficiency::Partial,
            observations: obs.into(),
            recommendations: String::new(),
        }
    }

    #[test]
    fn a_report_goes_submitted_returned_submitted_accepted() {
        let s = submit(None, false).unwrap();
        let r = review(
            Some(s),
            false,
            &input(Decision::Return, None, "Falta el listado de asistencia"),
        )
        .unwrap();
        assert_eq!(r, ReportState::Returned);
        let s = submit(Some(r), false).unwrap();
        let a = review(Some(s), false, &input(Decision::Accept, Some(35.0), "")).unwrap();
        assert_eq!(a, ReportState::Accepted);
        assert_eq!(submit(Some(a), false), Err(ReviewError::AlreadyAccepted));
    }

    #[test]
    fn reviews_need_their_fields_and_an_open_period() {
        assert_eq!(
            review(
                Some(ReportState::Submitted),
                false,
                &input(Decision::Return, None, " ")
            ),
            Err(vec![ReviewError::ObservationRequired])
        );
        let e = review(
            Some(ReportState::Submitted),
            false,
            &input(Decision::Accept, None, ""),
        )
        .unwrap_err();
        assert_eq!(e[0].field(), "avance_verificado");
        assert!(review(
            Some(ReportState::Submitted),
            false,
            &input(Decision::Accept, Some(101.0), "")
        )
        .is_err());
        assert_eq!(
            review(
                Some(ReportState::Returned),
                false,
                &input(Decision::Accept, Some(10.0), "")
            ),
            Err(vec![ReviewError::NothingToReview])
        );
        assert_eq!(submit(None, true), Err(ReviewError::PeriodClosed));
        assert_eq!(
            review(
                Some(ReportState::Submitted),
                true,
                &input(Decision::Accept, Some(10.0), "")
            ),
            Err(vec![ReviewError::PeriodClosed])
        );
        for s in [
            ReportState::Submitted,
            ReportState::Returned,
            ReportState::Accepted,
        ] {
            assert_eq!(ReportState::parse(s.as_str()), Some(s));
        }
    }
}
