//! The open-data JSON contract. Field names are a public promise: keep them; add new
//! ones only as optional fields.

use chrono::NaiveDate;
use participa_domain::{
    Activity, ActivityDetails, ActivityNumber, ActivityTags, Alignment, CodedText, DocumentVersion,
    LegalFramework, Norm, Office, OfficeCode, OfficeRole, Plan, PlanDraft, PlanErrors, PlanYear,
    Signature, SignatureRole,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct PlanJson {
    pub title: String,
    pub year: PlanYear,
    pub entity: String,
    pub alignment: AlignmentJson,
    pub objectives: Vec<String>,
    pub legal_framework: LegalFrameworkJson,
    pub offices: Vec<OfficeJson>,
    /// The document's own sentence naming the offices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offices_text: Option<String>,
    pub activities: Vec<ActivityJson>,
    pub signatures: Vec<SignatureJson>,
    pub version: Option<VersionJson>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct AlignmentJson {
    pub policy: String,
    pub strategic_objective: CodedText,
    pub office_objective: CodedText,
    pub strategic_initiative: CodedText,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LegalFrameworkJson {
    pub text: String,
    pub norms: Vec<NormJson>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct NormJson {
    pub kind: String,
    pub number: Option<String>,
    pub year: Option<i32>,
    pub articles: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct OfficeJson {
    pub code: OfficeCode,
    pub name: String,
    pub role: OfficeRole,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ActivityJson {
    pub number: ActivityNumber,
    pub description: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub responsible: Vec<OfficeCode>,
    pub deliverable: String,
    /// The office names as the document writes them after the codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible_text: Option<String>,
    /// MIPG/MURC/FURAG tagging (optional; left out when empty).
    #[serde(default, skip_serializing_if = "ActivityTags::is_empty")]
    pub tags: ActivityTags,
    /// What the entity's own table said beyond these fields: its identifier and
    /// numbering, the dates as written, goal, indicator, component and other columns
    /// (optional; left out when empty).
    #[serde(default, skip_serializing_if = "ActivityDetails::is_empty")]
    pub details: ActivityDetails,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SignatureJson {
    pub role: SignatureRole,
    pub name: String,
    pub position: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct VersionJson {
    pub number: u32,
    pub date: NaiveDate,
}

impl From<&Plan> for PlanJson {
    fn from(p: &Plan) -> Self {
        PlanJson {
            title: p.title.clone(),
            year: p.year,
            entity: p.entity.clone(),
            alignment: AlignmentJson {
                policy: p.alignment.policy.clone(),
                strategic_objective: p.alignment.strategic_objective.clone(),
                office_objective: p.alignment.office_objective.clone(),
                strategic_initiative: p.alignment.strategic_initiative.clone(),
            },
            objectives: p.objectives.clone(),
            legal_framework: LegalFrameworkJson {
                text: p.legal_framework.text.clone(),
                norms: p
                    .legal_framework
                    .norms
                    .iter()
                    .map(|n| NormJson {
                        kind: n.kind.clone(),
                        number: n.number.clone(),
                        year: n.year,
                        articles: n.articles.clone(),
                    })
                    .collect(),
            },
            offices: p
                .offices
                .iter()
                .map(|o| OfficeJson {
                    code: o.code.clone(),
                    name: o.name.clone(),
                    role: o.role,
                })
                .collect(),
            offices_text: Some(p.offices_text.clone()),
            activities: p
                .activities
                .iter()
                .map(|a| ActivityJson {
                    number: a.number,
                    description: a.description.clone(),
                    start: a.start,
                    end: a.end,
                    responsible: a.responsible.clone(),
                    deliverable: a.deliverable.clone(),
                    responsible_text: Some(a.responsible_text.clone()),
                    tags: a.tags.clone(),
                    details: a.details.clone(),
                })
                .collect(),
            signatures: p
                .signatures
                .iter()
                .map(|s| SignatureJson {
                    role: s.role,
                    name: s.name.clone(),
                    position: s.position.clone(),
                })
                .collect(),
            version: p.version.as_ref().map(|v| VersionJson {
                number: v.number,
                date: v.date,
            }),
        }
    }
}

impl PlanJson {
    /// Back to a plan, through the same rules as every other way in.
    pub fn into_plan(self) -> Result<Plan, PlanErrors> {
        let offices: Vec<Office> = self
            .offices
            .into_iter()
            .map(|o| Office {
                code: o.code,
                name: o.name,
                role: o.role,
            })
            .collect();
        let offices_text = self
            .offices_text
            .unwrap_or_else(|| participa_domain::offices_sentence(&offices));
        Plan::try_from_draft(PlanDraft {
            entity: self.entity,
            title: self.title,
            year: self.year,
            alignment: Alignment {
                policy: self.alignment.policy,
                strategic_objective: self.alignment.strategic_objective,
                office_objective: self.alignment.office_objective,
                strategic_initiative: self.alignment.strategic_initiative,
            },
            objectives: self.objectives,
            legal_framework: LegalFramework {
                text: self.legal_framework.text,
                norms: self
                    .legal_framework
                    .norms
                    .into_iter()
                    .map(|n| Norm {
                        kind: n.kind,
                        number: n.number,
                        year: n.year,
                        articles: n.articles,
                    })
                    .collect(),
            },
            offices,
            offices_text,
            activities: self
                .activities
                .into_iter()
                .map(|a| Activity {
                    number: a.number,
                    description: a.description,
                    start: a.start,
                    end: a.end,
                    responsible: a.responsible,
                    responsible_text: a.responsible_text.unwrap_or_default(),
                    deliverable: a.deliverable,
                    tags: a.tags,
                    details: a.details,
                })
                .collect(),
            signatures: self
                .signatures
                .into_iter()
                .map(|s| Signature {
                    role: s.role,
                    name: s.name,
                    position: s.position,
                })
                .collect(),
            version: self.version.map(|v| DocumentVersion {
                number: v.number,
                date: v.date,
            }),
        })
    }
}

/// The plan as pretty-printed open-data JSON.
pub fn write_json(plan: &Plan) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&PlanJson::from(plan)).expect("plan serialises");
    out.push(b'\n');
    out
}
