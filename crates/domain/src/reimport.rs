//! A plan's file imported again over the plan: the file's header and activities
//! replace the plan's, each activity matched to the plan's by the entity's own
//! numbering (`2.3`) when both have it, else by number, and keeping the plan's number
//! so that its follow-up, evidence and participation stay linked. Activities the file
//! adds get numbers after the plan's last. Activities of the plan the file does not
//! have are never dropped silently: they stay unless the person said to remove them.

use crate::plan::{Plan, PlanDraft};
use crate::{Activity, ActivityNumber};

/// What a file imported over a plan does to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reimport {
    /// The plan as it would be after the import.
    pub draft: PlanDraft,
    /// (number in the plan, number in the file) of each activity matched.
    pub matched: Vec<(ActivityNumber, ActivityNumber)>,
    /// The file's activities that are new, with the number each takes in the plan.
    pub added: Vec<ActivityNumber>,
    /// The plan's activities the file does not have (kept, or removed if asked).
    pub missing: Vec<Activity>,
}

/// Why a file cannot be imported over a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReimportError {
    #[error("el archivo es de la vigencia {file} y el plan de la vigencia {plan}: impórtelo como un plan nuevo")]
    OtherYear { file: i32, plan: i32 },
}

/// `incoming` (a file just read) over `current` (the plan as saved); `remove_missing`
/// drops the plan's activities the file lacks.
pub fn reimport(
    current: &Plan,
    incoming: &Plan,
    remove_missing: bool,
) -> Result<Reimport, ReimportError> {
    if current.year != incoming.year {
        return Err(ReimportError::OtherYear {
            file: incoming.year.get(),
            plan: current.year.get(),
        });
    }
    let mut taken = vec![false; current.activities.len()];
    let mut matched = Vec::new();
    let mut unmatched = Vec::new();
    for a in &incoming.activities {
        // The entity's identifier first, then its numbering, then the number.
        let by_id =
            (!a.details.external_id.is_empty())
                .then(|| {
                    current.activities.iter().enumerate().position(|(i, c)| {
                        !taken[i] && c.details.external_id == a.details.external_id
                    })
                })
                .flatten();
        // Two activities that both carry the entity's identifier are the same only by
        // it.
        let unidentified =
            |c: &Activity| c.details.external_id.is_empty() || a.details.external_id.is_empty();
        let by_label = (!a.details.label.is_empty())
            .then(|| {
                current.activities.iter().enumerate().position(|(i, c)| {
                    !taken[i] && unidentified(c) && c.details.label == a.details.label
                })
            })
            .flatten();
        let found = by_id.or(by_label).or_else(|| {
            current
                .activities
                .iter()
                .enumerate()
                // Two activities that both carry the entity's numbering are the same
                // only by it.
                .position(|(i, c)| {
                    !taken[i]
                        && unidentified(c)
                        && c.number == a.number
                        && (c.details.label.is_empty() || a.details.label.is_empty())
                })
        });
        match found {
            Some(i) => {
                taken[i] = true;
                matched.push((i, a));
            }
            None => unmatched.push(a),
        }
    }
    let mut activities = Vec::new();
    let mut pairs = Vec::new();
    for (i, a) in matched {
        let old = &current.activities[i];
        let mut new = a.clone();
        new.number = old.number;
        // A file without tagging columns leaves the plan's tagging as it was.
        if new.tags.is_empty() {
            new.tags = old.tags.clone();
        }
        pairs.push((old.number, a.number));
        activities.push(new);
    }
    let missing: Vec<Activity> = current
        .activities
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken[*i])
        .map(|(_, a)| a.clone())
        .collect();
    if !remove_missing {
        activities.extend(missing.iter().cloned());
    }
    let mut next = current
        .activities
        .iter()
        .map(|a| a.number.get())
        .max()
        .unwrap_or(0);
    let mut added = Vec::new();
    for a in unmatched {
        next += 1;
        let mut new = a.clone();
        if let Ok(n) = ActivityNumber::new(next) {
            new.number = n;
            added.push(n);
        }
        activities.push(new);
    }
    activities.sort_by_key(|a| a.number);
    let mut draft = incoming.clone().into_draft();
    draft.entity = current.entity.clone();
    draft.activities = activities;
    Ok(Reimport {
        draft,
        matched: pairs,
        added,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::plan_with as seed_like;

    #[test]
    fn matched_activities_keep_their_number_new_ones_follow_and_missing_ones_stay_unless_removed() {
        let current = seed_like(&[1, 2, 3]);
        // The file: activity 2 changed, 3 gone, a new one (its own number 3).
        let mut draft = current.clone().into_draft();
        draft.activities[1].deliverable = "Informe corregido".into();
        draft.activities.remove(2);
        let mut new = draft.activities[0].clone();
        new.number = ActivityNumber::new(3).unwrap();
        new.description = "Actividad nueva".into();
        draft.activities.push(new);
        let incoming = Plan::try_from_draft(draft).unwrap();

        // Number 3 of the file matches number 3 of the plan: same number, so it is the
        // same activity to the importer (changed), and nothing is missing.
        let r = reimport(&current, &incoming, false).unwrap();
        assert!(r.missing.is_empty() && r.added.is_empty());
        assert_eq!(r.draft.activities[1].deliverable, "Informe corregido");
        assert_eq!(r.draft.activities[2].description, "Actividad nueva");

        // With the entity's own numbering, the new one is told apart.
        let mut cur = current.clone().into_draft();
        for (a, l) in cur.activities.iter_mut().zip(["1.1", "1.2", "2.1"]) {
            a.details.label = l.into();
        }
        let current = Plan::try_from_draft(cur).unwrap();
        let mut inc = incoming.clone().into_draft();
        for (a, l) in inc.activities.iter_mut().zip(["1.1", "1.2", "3.1"]) {
            a.details.label = l.into();
        }
        let incoming = Plan::try_from_draft(inc).unwrap();
        let kept = reimport(&current, &incoming, false).unwrap();
        assert_eq!(kept.added, [ActivityNumber::new(4).unwrap()]);
        assert_eq!(kept.missing.len(), 1);
        assert_eq!(kept.missing[0].details.label, "2.1");
        let numbers: Vec<u32> = kept
            .draft
            .activities
            .iter()
            .map(|a| a.number.get())
            .collect();
        assert_eq!(numbers, [1, 2, 3, 4], "the missing one stays");
        let removed = reimport(&current, &incoming, true).unwrap();
        let numbers: Vec<u32> = removed
            .draft
            .activities
            .iter()
            .map(|a| a.number.get())
            .collect();
        assert_eq!(numbers, [1, 2, 4], "removed only when asked");
        assert!(Plan::try_edit(&current, removed.draft).is_ok());
    }

    #[test]
    fn the_entitys_identifiers_match_activities_whatever_their_order_and_number() {
        let mut cur = seed_like(&[1, 2]).into_draft();
        cur.activities[0].details.external_id = "A-7".into();
        cur.activities[1].details.external_id = "B-9".into();
        let current = Plan::try_from_draft(cur).unwrap();
        // The file swaps their order (and so their numbers) and changes B-9.
        let mut inc = current.clone().into_draft();
        inc.activities[0].details.external_id = "B-9".into();
        inc.activities[0].deliverable = "Informe de B".into();
        inc.activities[1].details.external_id = "A-7".into();
        let incoming = Plan::try_from_draft(inc).unwrap();
        let r = reimport(&current, &incoming, false).unwrap();
        let b = r
            .draft
            .activities
            .iter()
            .find(|a| a.details.external_id == "B-9")
            .unwrap();
        assert_eq!(
            (b.number.get(), b.deliverable.as_str()),
            (2, "Informe de B")
        );
        assert!(r.missing.is_empty() && r.added.is_empty());
    }

    #[test]
    fn a_file_of_another_year_is_refused() {
        let current = seed_like(&[1]);
        let mut draft = current.clone().into_draft();
        draft.year = crate::PlanYear::new(current.year.get() + 1).unwrap();
        for a in &mut draft.activities {
            a.start = a.start.with_year(a.start.year() + 1).unwrap();
            a.end = a.end.with_year(a.end.year() + 1).unwrap();
        }
        let incoming = Plan::try_from_draft(draft).unwrap();
        let e = reimport(&current, &incoming, false).unwrap_err();
        assert!(
            e.to_string().contains("impórtelo como un plan nuevo"),
            "{e}"
        );
    }

    use chrono::Datelike;
}
