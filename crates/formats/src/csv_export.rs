//! One row per activity, for spreadsheets and open-data portals. UTF-8 with BOM so that
//! Excel configured in Spanish shows accents; comma-separated (RFC 4180). The MIPG/MURC/FURAG
//! tags come last, as their codes separated by `;`.
//!
//! A text a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`) is written with
//! a leading `'` ([`crate::formula_guard::neutralise`]); a consumer reading the file as
//! data takes it off with [`crate::formula_guard::restore`]. The numeric columns (year,
//! activity number) are never negative and the dates are ISO, so no number is touched.

use crate::formula_guard::neutralise;
use participa_domain::tagging::{codes, Tag};
use participa_domain::Plan;

pub const CSV_HEADER: [&str; 19] = [
    "entidad",
    "vigencia",
    "plan",
    "numero",
    "actividad",
    "fecha_inicial",
    "fecha_final",
    "responsables",
    "dependencias_responsables",
    "producto_entregable",
    "fases_ciclo",
    "etapas_murc",
    "elementos_murc",
    "grupos_valor",
    "nivel_incidencia",
    "canal",
    "medio",
    "preguntas_furag",
    "componentes_cubiertos",
];

pub fn write_csv(plan: &Plan) -> Vec<u8> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(CSV_HEADER)
            .expect("writing to memory cannot fail");
        let year = plan.year.to_string();
        for a in &plan.activities {
            let offices: Vec<&str> = a.responsible.iter().map(|c| c.as_str()).collect();
            let t = &a.tags;
            let names: Vec<&str> = a
                .responsible
                .iter()
                .map(|c| plan.office(c).map_or(c.as_str(), |o| o.name.as_str()))
                .collect();
            let record = [
                plan.entity.as_str(),
                &year,
                &plan.title,
                &a.number.to_string(),
                &a.description,
                &a.start.to_string(),
                &a.end.to_string(),
                &offices.join("-"),
                &names.join("; "),
                &a.deliverable,
                &codes(&t.phases),
                &codes(&t.murc_stages),
                &codes(&t.murc_elements),
                &t.value_groups.join(";"),
                &codes(&t.influence),
                t.channel.map_or("", |c| c.code()),
                &t.medium,
                &t.furag.join(";"),
                &codes(&t.covers),
            ];
            let cells: Vec<_> = record.iter().map(|f| neutralise(f)).collect();
            w.write_record(cells.iter().map(|c| c.as_bytes()))
                .expect("writing to memory cannot fail");
        }
        w.flush().expect("writing to memory cannot fail");
    }
    out
}
