//! A case's recommendation turned into training: on the case page, the institution's case
//! worker proposes a remediation action for each unit its substantiated findings name, with the
//! module that teaches against the violation. The trainers find it in their list, marked as
//! coming from an institution's recommendation, with the unit, the module and a worded issue
//! made from the violation's label: never the case, its id or its words.
//!
//! Trainers (and admins) cannot read cases (404), so the case worker, who can, opens it.

use std::collections::BTreeMap;
use std::sync::Arc;

use rocket::response::{Flash, Redirect};
use rocket::State;

use super::model;
use crate::accounts::routes::Auth;
use crate::auth::guards::{Audit, CaseWorker};
use crate::error::AppError;
use crate::taxonomy::Taxonomy;
use crate::web::{Checked, NoFields};

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![remediation_from_case]
}

/// `POST /staff/cases/<id>/training-remediation`: one remediation action per unit named by a
/// substantiated finding of the case (a case of another institution is 404). Needs a
/// recommendation on the case; a unit already proposed from this case is not proposed again.
#[rocket::post("/staff/cases/<id>/training-remediation", data = "<_form>")]
async fn remediation_from_case(
    auth: Auth<'_>,
    worker: CaseWorker<'_>,
    tax: &State<Arc<Taxonomy>>,
    id: i32,
    _form: Checked<NoFields>,
) -> Result<Flash<Redirect>, AppError> {
    let back = Redirect::to(format!("/staff/cases/{id}#recommendations"));
    let institution = worker.0.institution;
    let (recs, findings, done, vmods) = worker
        .0
        .db
        .run(move |c| {
            // Security: the case worker's own institution only (another's is NotFound, 404).
            crate::cases::model::find_case(c, id, institution)?;
            Ok((
                model::recommendation_count(c, id)?,
                model::substantiated_units_of_case(c, id)?,
                model::units_remediated_for_case(c, id)?,
                model::violation_modules(c)?,
            ))
        })
        .await?;
    if recs == 0 {
        return Ok(Flash::error(back, "training-from-case-no-recommendation|"));
    }
    // Per unit not yet proposed: its first violation type (by id) that a module teaches.
    let mut per_unit: BTreeMap<i32, (i32, Option<i32>)> = BTreeMap::new();
    for (unit, vt) in findings.iter().filter(|(u, _)| !done.contains(u)) {
        let module = vmods.iter().filter(|(v, _)| v == vt).map(|(_, m)| *m).min();
        let e = per_unit.entry(*unit).or_insert((*vt, module));
        if e.1.is_none() && module.is_some() {
            *e = (*vt, module);
        }
    }
    if per_unit.is_empty() {
        let key =
            if findings.is_empty() { "training-from-case-no-finding" } else { "training-from-case-already" };
        return Ok(Flash::error(back, format!("{key}|")));
    }
    let lang = worker.0.lang.clone();
    let planned: Vec<(i32, Option<i32>, String, i32)> = per_unit
        .into_iter()
        .map(|(unit, (vt, module))| {
            let violation = tax.violation_type_by_id(vt).map(|(_, t)| t.label(&lang)).unwrap_or_default();
            (unit, module, super::actions::from_case_issue(auth.catalog, &lang, violation), vt)
        })
        .collect();
    let uid = worker.0.user.id;
    // Under the case's lock, the units proposed meanwhile (a second click, a colleague) are
    // read again and left out: each unit once per case.
    let created = worker
        .0
        .write_all(move |c| {
            crate::cases::model::lock_case(c, id)?;
            let done = model::units_remediated_for_case(c, id)?;
            let mut ids = vec![];
            for (unit, module, issue, vt) in planned.iter().filter(|p| !done.contains(&p.0)) {
                ids.push(model::insert_remediation(
                    c,
                    &model::NewRemediation {
                        issue,
                        module_id: *module,
                        unit_id: Some(*unit),
                        review_on: None,
                        created_by: uid,
                        case_id: Some(id),
                        partner_id: None,
                        violation_type_id: Some(*vt),
                    },
                )?);
            }
            if ids.is_empty() {
                return Ok((0, vec![]));
            }
            let list: Vec<String> = ids.iter().map(i32::to_string).collect();
            let entry = Audit::new(
                "case.training_remediation",
                "case",
                id,
                format!("remediation_actions={}", list.join(",")),
            );
            Ok((ids.len(), vec![entry]))
        })
        .await?;
    if created == 0 {
        return Ok(Flash::error(back, "training-from-case-already|"));
    }
    Ok(Flash::success(back, format!("training-from-case-done|{created}")))
}
