//! A progress report: what a responsible office says about one activity in one period.

use std::fmt;

/// What the reporter enters (evidence files travel apart: only their count matters here).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProgressInput {
    /// Cumulative percent complete, 0–100.
    pub percent: f64,
    pub narrative: String,
    pub difficulties: String,
    pub corrective_actions: String,
    /// Why the percent went down since the last report.
    pub decrease_justification: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProgressError {
    Percent(f64),
    NarrativeRequired,
    DecreaseNeedsJustification { previous: f64 },
    DoneNeedsEvidence,
}

impl ProgressError {
    /// The form field the error belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            ProgressError::Percent(_) | ProgressError::DoneNeedsEvidence => "avance",
            ProgressError::NarrativeRequired => "descripcion",
            ProgressError::DecreaseNeedsJustification { .. } => "justificacion_disminucion",
        }
    }
}

impl fmt::Display for ProgressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgressError::Percent(p) => write!(f, "el avance {p} no está entre 0 y 100"),
            ProgressError::NarrativeRequired => write!(f, "describa lo que se hizo en el periodo"),
            ProgressError::DecreaseNeedsJustification { previous } => write!(
                f,
                "el avance baja del {previous} % reportado antes: justifique la disminución"
            ),
            ProgressError::DoneNeedsEvidence => write!(
                f,
                "una actividad solo se da por cumplida al 100 % con al menos una evidencia"
            ),
        }
    }
}

impl ProgressInput {
    /// Every broken rule: percent in range, a narrative, a justification when the percent
    /// goes down from `previous`, and evidence (`evidence` files in all its reports,
    /// counting this one's) when it reaches 100 %.
    pub fn check(&self, previous: Option<f64>, evidence: usize) -> Result<(), Vec<ProgressError>> {
        let mut errors = Vec::new();
        if !(self.percent.is_finite() && (0.0..=100.0).contains(&self.percent)) {
            errors.push(ProgressError::Percent(self.percent));
        }
        if self.narrative.trim().is_empty() {
            errors.push(ProgressError::NarrativeRequired);
        }
        if let Some(previous) = previous {
            if self.percent < previous && self.decrease_justification.trim().is_empty() {
                errors.push(ProgressError::DecreaseNeedsJustification { previous });
            }
        }
        if self.percent >= 100.0 && evidence == 0 {
            errors.push(ProgressError::DoneNeedsEvidence);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(percent: f64) -> ProgressInput {
        ProgressInput {
            percent,
            narrative: "Se realizó la feria de servicios".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_report_needs_a_narrative_and_a_percent_in_range() {
        assert!(input(40.0).check(None, 0).is_ok());
        let e = ProgressInput {
            percent: 120.0,
            ..Default::default()
        }
        .check(None, 0)
        .unwrap_err();
        assert_eq!(
            e,
            vec![
                ProgressError::Percent(120.0),
                ProgressError::NarrativeRequired,
                ProgressError::DoneNeedsEvidence
            ]
        );
        assert_eq!(e[1].field(), "descripcion");
    }

    #[test]
    fn going_down_needs_a_justification() {
        let e = input(30.0).check(Some(50.0), 0).unwrap_err();
        assert_eq!(
            e,
            vec![ProgressError::DecreaseNeedsJustification { previous: 50.0 }]
        );
        assert!(e[0].to_string().contains("50 %"));
        let justified = ProgressInput {
            decrease_justification: "Se anuló un evento que no cumplía".into(),
            ..input(30.0)
        };
        assert!(justified.check(Some(50.0), 0).is_ok());
    }

    #[test]
    fn done_needs_evidence() {
        assert_eq!(
            input(100.0).check(Some(80.0), 0).unwrap_err(),
            vec![ProgressError::DoneNeedsEvidence]
        );
        assert!(input(100.0).check(Some(80.0), 1).is_ok());
    }
}
