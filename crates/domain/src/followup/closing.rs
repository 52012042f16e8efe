//! Closing a follow-up period locks its reports for good, so it is shown first what is
//! still missing and it takes an explicit confirmation.

use super::review::ReportState;

/// What is missing in a period before it is closed: activities by number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClosingGaps {
    /// Activities that run in the period and sent no report.
    pub without_report: Vec<u32>,
    /// Reports sent and not yet reviewed by internal control.
    pub not_reviewed: Vec<u32>,
    /// Reports returned to the office and not sent again.
    pub returned: Vec<u32>,
}

impl ClosingGaps {
    /// From each activity expected to report in the period and where its report stands.
    pub fn of(expected: impl IntoIterator<Item = (u32, Option<ReportState>)>) -> ClosingGaps {
        let mut gaps = ClosingGaps::default();
        for (activity, state) in expected {
            match state {
                None => gaps.without_report.push(activity),
                Some(ReportState::Submitted) => gaps.not_reviewed.push(activity),
                Some(ReportState::Returned) => gaps.returned.push(activity),
                Some(ReportState::Accepted) => {}
            }
        }
        gaps
    }

    pub fn is_empty(&self) -> bool {
        self.without_report.is_empty() && self.not_reviewed.is_empty() && self.returned.is_empty()
    }
}

/// Why a close was not carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CloseRefusal {
    #[error("para cerrar el periodo marque la casilla que confirma que entiende que sus reportes quedan bloqueados")]
    NotConfirmed,
}

/// A close goes ahead only when confirmed, whatever is missing: what is missing is shown
/// on the confirmation page, and closing with gaps is the auditor's decision.
pub fn check_close(confirmed: bool) -> Result<(), CloseRefusal> {
    if confirmed {
        Ok(())
    } else {
        Err(CloseRefusal::NotConfirmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_list_what_has_no_report_no_review_or_was_returned() {
        let gaps = ClosingGaps::of([
            (1, None),
            (2, Some(ReportState::Submitted)),
            (3, Some(ReportState::Accepted)),
            (4, Some(ReportState::Returned)),
            (5, None),
        ]);
        assert_eq!(gaps.without_report, vec![1, 5]);
        assert_eq!(gaps.not_reviewed, vec![2]);
        assert_eq!(gaps.returned, vec![4]);
        assert!(!gaps.is_empty());
        assert!(ClosingGaps::of([(3, Some(ReportState::Accepted))]).is_empty());
    }

    #[test]
    fn a_close_needs_its_confirmation() {
        assert_eq!(check_close(false), Err(CloseRefusal::NotConfirmed));
        assert!(check_close(false)
            .unwrap_err()
            .to_string()
            .contains("marque la casilla"));
        assert_eq!(check_close(true), Ok(()));
    }
}
