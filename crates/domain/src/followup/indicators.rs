//! Indicators an activity declares (participants, events held, pieces published…): their
//! target and how the figures of each period add up.

use serde::{Deserialize, Serialize};

/// How an indicator's period figures make its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Added over the periods (participants, events).
    Sum,
    /// The latest period's figure (a stock: followers, a satisfaction index).
    Last,
    /// The highest figure of any period.
    Max,
}

impl Aggregation {
    pub const ALL: [Aggregation; 3] = [Aggregation::Sum, Aggregation::Last, Aggregation::Max];

    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Sum => "suma",
            Aggregation::Last => "ultimo",
            Aggregation::Max => "maximo",
        }
    }

    pub fn parse(s: &str) -> Option<Aggregation> {
        Aggregation::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Aggregation::Sum => "Suma de los periodos",
            Aggregation::Last => "Valor del último periodo",
            Aggregation::Max => "Máximo de los periodos",
        }
    }

    /// The total of `figures`, given in period order.
    pub fn total(self, figures: &[f64]) -> f64 {
        match self {
            Aggregation::Sum => figures.iter().sum(),
            Aggregation::Last => figures.last().copied().unwrap_or(0.0),
            Aggregation::Max => figures.iter().copied().fold(0.0, f64::max),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: String,
    /// `participantes`, `eventos`, `publicaciones`…
    pub unit: String,
    pub target: f64,
    pub aggregation: Aggregation,
}

impl Indicator {
    /// The indicator an entity's table declares with its «Meta» and «Indicador» cells:
    /// the goal's leading figure is the target and the words after it the unit
    /// (`4 talleres`, `1.500 participantes`, `100 %`), added over the periods. None
    /// when the goal starts with no figure (`Informe publicado`) or the figure is not
    /// a valid target.
    pub fn from_goal(goal: &str, indicator: &str) -> Option<Indicator> {
        let goal = goal.trim();
        let figure: String = goal
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
            .collect();
        let rest = goal[figure.len()..].trim();
        let figure = figure.trim_end_matches(['.', ',']);
        if figure.is_empty() {
            return None;
        }
        // Colombian figures: `1.500` is fifteen hundred, `2,5` two and a half.
        let target: f64 = figure.replace('.', "").replace(',', ".").parse().ok()?;
        let unit = if rest.is_empty() { "unidades" } else { rest };
        let name = if indicator.trim().is_empty() {
            goal
        } else {
            indicator.trim()
        };
        Indicator::new(name, unit, target, Aggregation::Sum).ok()
    }

    /// Checks a declared indicator, naming what is wrong.
    pub fn new(
        name: &str,
        unit: &str,
        target: f64,
        aggregation: Aggregation,
    ) -> Result<Indicator, String> {
        if name.trim().is_empty() {
            return Err("el indicador necesita un nombre".into());
        }
        if unit.trim().is_empty() {
            return Err(format!(
                "el indicador «{}» necesita una unidad",
                name.trim()
            ));
        }
        if !(target.is_finite() && target > 0.0) {
            return Err(format!(
                "la meta del indicador «{}» debe ser mayor que cero",
                name.trim()
            ));
        }
        if target > crate::participation::counts::MAX_FIGURE {
            return Err(format!(
                "la meta del indicador «{}» es demasiado grande: escriba una cifra hasta {}",
                name.trim(),
                crate::participation::counts::thousands(
                    crate::participation::counts::MAX_FIGURE as i64
                )
            ));
        }
        Ok(Indicator {
            name: name.trim().into(),
            unit: unit.trim().into(),
            target,
            aggregation,
        })
    }

    /// Progress towards the target, 0–100.
    pub fn progress(&self, figures: &[f64]) -> f64 {
        (100.0 * self.aggregation.total(figures) / self.target).clamp(0.0, 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_add_up_as_declared() {
        let f = [120.0, 80.0, 100.0];
        assert_eq!(Aggregation::Sum.total(&f), 300.0);
        assert_eq!(Aggregation::Last.total(&f), 100.0);
        assert_eq!(Aggregation::Max.total(&f), 120.0);
        assert_eq!(Aggregation::Sum.total(&[]), 0.0);
        let participants =
            Indicator::new("Participantes", "personas", 600.0, Aggregation::Sum).unwrap();
        assert_eq!(participants.progress(&f), 50.0);
        assert_eq!(participants.progress(&[1000.0]), 100.0);
        assert!(
            Indicator::new("Participantes", "personas", 9.3e18, Aggregation::Sum)
                .unwrap_err()
                .contains("demasiado grande")
        );
        assert!(Indicator::new("x", "personas", 0.0, Aggregation::Sum).is_err());
        assert!(Indicator::new(" ", "personas", 1.0, Aggregation::Sum).is_err());
        for a in Aggregation::ALL {
            assert_eq!(Aggregation::parse(a.as_str()), Some(a));
        }
    }
}

#[cfg(test)]
mod goal_tests {
    use super::*;

    #[test]
    fn a_goal_with_a_figure_declares_an_indicator() {
        let i = Indicator::from_goal("4 talleres", "Talleres realizados").unwrap();
        assert_eq!(
            (i.name.as_str(), i.unit.as_str(), i.target),
            ("Talleres realizados", "talleres", 4.0)
        );
        let i = Indicator::from_goal("1.500 participantes", "").unwrap();
        assert_eq!(
            (i.name.as_str(), i.unit.as_str(), i.target),
            ("1.500 participantes", "participantes", 1500.0)
        );
        assert_eq!(
            Indicator::from_goal("2,5 horas", "Horas").unwrap().target,
            2.5
        );
        assert_eq!(Indicator::from_goal("100%", "Avance").unwrap().unit, "%");
        assert_eq!(Indicator::from_goal("3", "Foros").unwrap().unit, "unidades");
        assert!(Indicator::from_goal("Informe publicado", "Informe").is_none());
        assert!(Indicator::from_goal("0 quejas", "Quejas").is_none());
        assert!(Indicator::from_goal("", "").is_none());
    }
}
