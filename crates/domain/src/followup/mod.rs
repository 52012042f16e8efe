//! Follow-up (seguimiento): periods and their cut-offs, indicators, progress reports with
//! evidence, internal control's review, and schedule compliance.

pub mod closing;
pub mod indicators;
pub mod periods;
pub mod progress;
pub mod publication;
pub mod review;
pub mod schedule;

pub use closing::{check_close, CloseRefusal, ClosingGaps};
pub use indicators::{Aggregation, Indicator};
pub use periods::{periods, Frequency, Period, ReportingWindow};
pub use progress::{ProgressError, ProgressInput};
pub use publication::{check_visibility, EvidencePublishError};
pub use review::{Decision, ReportState, ReviewError, ReviewInput, Sufficiency};
pub use schedule::{expected_progress, status, ManualStatus, ScheduleStatus, Thresholds};
