//! The deliverable reports built from the platform's data: the suggestions campaign
//! (seed activity 11), the events (activities 6, 7, 8, 10, 12) and the channel figures
//! (activities 9, 13, 14). Each becomes a [`DeliverableReport`] that
//! `participa-reports` lays out as PDF and XLSX. The small-cell and term rules are the
//! domain's (`participation::deliverables`); no citizen's personal data reaches a report.

use crate::channels::channel_label;
use crate::dates::{colombia_date, fecha};
use crate::followup::pct;
use crate::text_analysis::{themes_for_report, TextReport};
use participa_domain::calendar::MONTH_NAMES;
use participa_domain::followup::indicators::Aggregation;
use participa_domain::participation::deliverables::{
    group_open_answers, term_compliance, value_group_question, AnswerGroup, ShownCount,
    TermCompliance,
};
use participa_domain::participation::forum::CommentStatus;
use participa_domain::participation::survey::{average, tally_counted, Question, QuestionKind};
use participa_domain::participation::{public_count, Category, ConsultationKind, SuggestionStatus};
use participa_domain::Calendar;
use participa_reports::{Bar, Cell, DeliverableReport, Section};
use participa_store::{
    ActivityChoice, AnswerCounts, ChannelFigure, Consultation, Event, ForumComment, ForumTopic,
    Store, StoreError, SuggestionRecord,
};
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

fn count_bar(label: &str, n: usize) -> Bar {
    Bar {
        label: label.into(),
        value: Some(n as f64),
        text: n.to_string(),
    }
}

fn month_label(year: i32, month: u32) -> String {
    format!(
        "{} de {year}",
        MONTH_NAMES[(month as usize).clamp(1, 12) - 1]
    )
}

/// The business-day term of a petition (`peticion.general`), 15 when the parameter is
/// not in business days.
pub fn term_days(term: &participa_domain::parameters::Term) -> u32 {
    match term.unit {
        participa_domain::parameters::Unit::BusinessDays => u32::try_from(term.value).unwrap_or(15),
        _ => 15,
    }
}

/// The suggestions campaign: by topic, by status, and the time to answer against the
/// Ley 1755 term in business days. Only categories, statuses and dates are read; the
/// texts, contact data and tracking codes stay out.
pub fn suggestions_report(
    entity: &str,
    suggestions: &[SuggestionRecord],
    calendar: &Calendar,
    term_days: u32,
    today: NaiveDate,
) -> DeliverableReport {
    let mut by_topic: BTreeMap<Category, usize> = BTreeMap::new();
    let mut by_status: BTreeMap<SuggestionStatus, usize> = BTreeMap::new();
    // (on time, late, pending, overdue, business days of the answered)
    let mut term = [0usize; 4];
    let mut days: Vec<i64> = vec![];
    let mut by_month: BTreeMap<(i32, u32), [usize; 5]> = BTreeMap::new();
    for s in suggestions {
        *by_topic.entry(s.category).or_default() += 1;
        *by_status.entry(s.status).or_default() += 1;
        let received = colombia_date(s.created_at);
        let answered = s.answered_at.map(colombia_date);
        let m = by_month
            .entry((received.year(), received.month()))
            .or_default();
        m[0] += 1;
        let i = match term_compliance(calendar, received, answered, term_days, today) {
            TermCompliance::OnTime { days: d } => {
                days.push(d);
                0
            }
            TermCompliance::Late { days: d } => {
                days.push(d);
                1
            }
            TermCompliance::Pending => 2,
            TermCompliance::Overdue => 3,
        };
        term[i] += 1;
        m[i + 1] += 1;
    }
    let total = suggestions.len();
    let answered = term[0] + term[1];
    let average = (!days.is_empty()).then(|| days.iter().sum::<i64>() as f64 / days.len() as f64);
    let mut topic = Section::new(
        "Sugerencias por tema",
        "Por tema",
        &["Tema", "Sugerencias", "Porcentaje"],
    );
    let share = |n: usize| {
        let p = if total == 0 {
            0.0
        } else {
            n as f64 * 100.0 / total as f64
        };
        Cell::number((p * 10.0).round() / 1000.0, format!("{} %", pct(p)))
    };
    let mut bars = vec![];
    for c in Category::ALL {
        let n = by_topic.get(c).copied().unwrap_or(0);
        topic
            .rows
            .push(vec![Cell::text(c.label()), Cell::count(n), share(n)]);
        bars.push(count_bar(c.label(), n));
    }
    let topic = topic.with_chart("Sugerencias por tema", &bars);
    let mut status = Section::new(
        "Sugerencias por estado",
        "Por estado",
        &["Estado", "Sugerencias", "Porcentaje"],
    );
    let mut bars = vec![];
    for s in SuggestionStatus::ALL {
        let n = by_status.get(s).copied().unwrap_or(0);
        status
            .rows
            .push(vec![Cell::text(s.label()), Cell::count(n), share(n)]);
        bars.push(count_bar(s.label(), n));
    }
    let status = status.with_chart("Sugerencias por estado", &bars);
    let labels = [
        "Respondidas dentro del término",
        "Respondidas fuera del término",
        "Sin respuesta, en término",
        "Sin respuesta, con el término vencido",
    ];
    let mut timing = Section::new(
        "Tiempo de respuesta frente al término de la Ley 1755 de 2015",
        "Término de respuesta",
        &["Situación", "Sugerencias", "Porcentaje"],
    );
    timing.intro = format!(
        "Término: {term_days} días hábiles desde el día siguiente al recibo, con el calendario de festivos de la plataforma."
    );
    let mut bars = vec![];
    for (label, n) in labels.iter().zip(term) {
        timing
            .rows
            .push(vec![Cell::text(*label), Cell::count(n), share(n)]);
        bars.push(count_bar(label, n));
    }
    let timing = timing.with_chart("Sugerencias frente al término de respuesta", &bars);
    let mut months = Section::new(
        "Sugerencias por mes de recibo",
        "Por mes",
        &[
            "Mes",
            "Recibidas",
            "Dentro del término",
            "Fuera del término",
            "Sin respuesta, en término",
            "Sin respuesta, vencidas",
        ],
    );
    for ((y, m), n) in &by_month {
        let mut row = vec![Cell::text(month_label(*y, *m))];
        row.extend(n.iter().map(|n| Cell::count(*n)));
        months.rows.push(row);
    }
    let on_time_share = if answered == 0 {
        Cell::text("—")
    } else {
        let p = term[0] as f64 * 100.0 / answered as f64;
        Cell::number((p * 10.0).round() / 1000.0, format!("{} %", pct(p)))
    };
    DeliverableReport {
        entity: entity.into(),
        title: "Informe de la campaña de sugerencias".into(),
        subtitle: format!("Estado al {}", fecha(today)),
        header: vec![
            ("Sugerencias recibidas".into(), Cell::count(total)),
            ("Respondidas".into(), Cell::count(answered)),
            (
                "Respondidas dentro del término".into(),
                Cell::count(term[0]),
            ),
            ("Respondidas fuera del término".into(), Cell::count(term[1])),
            ("Parte respondida dentro del término".into(), on_time_share),
            (
                "Sin respuesta con el término vencido".into(),
                Cell::count(term[3]),
            ),
            (
                "Tiempo promedio de respuesta (días hábiles)".into(),
                average.map_or(Cell::text("—"), |a| {
                    Cell::number((a * 10.0).round() / 10.0, pct(a))
                }),
            ),
            (
                "Término de respuesta (días hábiles)".into(),
                Cell::count(term_days as usize),
            ),
            ("Estado al".into(), Cell::date(today, fecha(today))),
        ],
        sections: vec![topic, status, timing, months],
        note: "El informe cuenta sugerencias por tema, estado y fechas; no incluye códigos de \
               seguimiento ni datos de contacto de quienes las enviaron. Los temas de lo que \
               escribieron se citan sin nombres, correos, teléfonos ni números de documento."
            .into(),
        generated: fecha(today),
    }
}

/// Reads what the suggestions report needs and builds it.
pub async fn load_suggestions_report(
    store: &Store,
    entity: &str,
    today: NaiveDate,
) -> Result<DeliverableReport, StoreError> {
    let suggestions = store.suggestions(&Default::default()).await?;
    let calendar = store.calendar().await?;
    let term = store.term("peticion.general", today).await?;
    let texts = suggestions
        .iter()
        .map(|s| (s.text.clone(), colombia_date(s.created_at)))
        .collect();
    let mut report = suggestions_report(entity, &suggestions, &calendar, term_days(&term), today);
    if let Some(r) = themes_for_report(texts).await {
        report
            .sections
            .push(themes_section("Temas de lo que escribieron", "Temas", &r));
    }
    Ok(report)
}

fn activity_label(choices: &[ActivityChoice], activity: Option<(i64, u32)>) -> String {
    match activity {
        None => "Sin actividad del plan".into(),
        Some((plan, number)) => match choices
            .iter()
            .find(|c| c.plan_id == plan && c.number == number)
        {
            Some(c) => {
                let mut d: String = c.description.chars().take(90).collect();
                if c.description.chars().count() > 90 {
                    d.push('…');
                }
                format!("{} · {number}. {d}", c.year)
            }
            None => format!("Actividad {number}"),
        },
    }
}

/// An event's modality as people read it (the stored code is the lowercase word).
fn modality_label(code: &str) -> String {
    match code {
        "presencial" => "Presencial".into(),
        "virtual" => "Virtual".into(),
        "mixto" => "Mixto".into(),
        other => other.into(),
    }
}

fn satisfaction_cell(sum: i64, count: i64) -> Cell {
    if count > 0 {
        let s = sum as f64 / count as f64;
        Cell::number((s * 10.0).round() / 10.0, format!("{} / 5", pct(s)))
    } else {
        Cell::text("—")
    }
}

/// The events report: each event (date, place, modality, attendees, satisfaction) and
/// the totals by activity of the plan. Attendance is counted, never named.
pub fn events_report(
    entity: &str,
    events: &[Event],
    choices: &[ActivityChoice],
    today: NaiveDate,
) -> DeliverableReport {
    let mut events: Vec<&Event> = events.iter().collect();
    events.sort_by_key(|e| (e.data.held_on, e.id));
    // Per activity: events, attendees, satisfaction sum and count.
    type Totals = (usize, i64, i64, i64);
    let mut totals: BTreeMap<Option<(i64, u32)>, Totals> = BTreeMap::new();
    let mut list = Section::new(
        "Eventos",
        "Eventos",
        &[
            "Evento",
            "Fecha",
            "Lugar",
            "Modalidad",
            "Asistentes",
            "Satisfacción",
            "Actividad",
        ],
    );
    for e in &events {
        let d = &e.data;
        let t = totals.entry(d.activity).or_default();
        t.0 += 1;
        t.1 = t.1.saturating_add(d.attendees);
        t.2 = t.2.saturating_add(d.satisfaction_sum);
        t.3 = t.3.saturating_add(d.satisfaction_count);
        let place = [d.place.as_str(), d.territory.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        list.rows.push(vec![
            Cell::text(&d.title),
            Cell::date(d.held_on, fecha(d.held_on)),
            Cell::text(place),
            Cell::text(modality_label(&d.modality)),
            Cell::number(d.attendees as f64, d.attendees.to_string()),
            satisfaction_cell(d.satisfaction_sum, d.satisfaction_count),
            Cell::text(activity_label(choices, d.activity)),
        ]);
    }
    let mut by_activity = Section::new(
        "Totales por actividad",
        "Por actividad",
        &["Actividad", "Eventos", "Asistentes", "Satisfacción"],
    );
    let mut bars = vec![];
    for (activity, (n, people, sum, count)) in &totals {
        let label = activity_label(choices, *activity);
        by_activity.rows.push(vec![
            Cell::text(&label),
            Cell::count(*n),
            Cell::number(*people as f64, people.to_string()),
            satisfaction_cell(*sum, *count),
        ]);
        bars.push(Bar {
            label,
            value: Some(*people as f64),
            text: format!("{people} asistentes"),
        });
    }
    let by_activity = by_activity.with_chart("Asistentes por actividad", &bars);
    let people: i64 = totals.values().map(|t| t.1).sum();
    let (sum, count) = totals
        .values()
        .fold((0i64, 0i64), |(s, c), t| (s + t.2, c + t.3));
    DeliverableReport {
        entity: entity.into(),
        title: "Informe de eventos de participación".into(),
        subtitle: format!("Ferias, capacitaciones y demás eventos · estado al {}", fecha(today)),
        header: vec![
            ("Eventos".into(), Cell::count(events.len())),
            ("Asistentes".into(), Cell::number(people as f64, people.to_string())),
            ("Satisfacción promedio".into(), satisfaction_cell(sum, count)),
        ],
        sections: vec![by_activity, list],
        note: "La asistencia se registra como cifras; el informe no incluye nombres ni datos de los asistentes."
            .into(),
        generated: fecha(today),
    }
}

pub async fn load_events_report(
    store: &Store,
    entity: &str,
    today: NaiveDate,
) -> Result<DeliverableReport, StoreError> {
    let events = store.events().await?;
    let choices = store.activity_choices().await?;
    Ok(events_report(entity, &events, &choices, today))
}

/// The channel figures report: every imported figure by channel, metric and month, and
/// each metric's total as the import said to add it up.
pub fn channels_report(
    entity: &str,
    figures: &[(i64, ChannelFigure)],
    choices: &[ActivityChoice],
    today: NaiveDate,
) -> DeliverableReport {
    let mut monthly = Section::new(
        "Cifras por canal, métrica y mes",
        "Por mes",
        &["Canal", "Métrica", "Mes", "Valor", "Actividad"],
    );
    type Key = (String, String, i64, u32);
    let mut totals: BTreeMap<Key, (Aggregation, Vec<f64>)> = BTreeMap::new();
    for (plan, f) in figures {
        monthly.rows.push(vec![
            Cell::text(channel_label(&f.channel)),
            Cell::text(&f.metric),
            Cell::date(
                NaiveDate::from_ymd_opt(f.year, f.month, 1).unwrap_or(today),
                month_label(f.year, f.month),
            ),
            Cell::number(f.value, pct(f.value)),
            Cell::text(activity_label(choices, Some((*plan, f.activity)))),
        ]);
        totals
            .entry((f.channel.clone(), f.metric.clone(), *plan, f.activity))
            .or_insert_with(|| (f.aggregation, vec![]))
            .1
            .push(f.value);
    }
    let mut summary = Section::new(
        "Totales por canal y métrica",
        "Totales",
        &["Canal y métrica", "Meses", "Total", "Cómo se suma"],
    );
    let mut bars = vec![];
    for ((channel, metric, _, _), (aggregation, values)) in &totals {
        let total = aggregation.total(values);
        let label = format!("{} · {metric}", channel_label(channel));
        summary.rows.push(vec![
            Cell::text(&label),
            Cell::count(values.len()),
            Cell::number(total, pct(total)),
            Cell::text(aggregation.label()),
        ]);
        bars.push(Bar {
            label,
            value: Some(total),
            text: pct(total),
        });
    }
    let summary = summary.with_chart("Total por canal y métrica", &bars);
    DeliverableReport {
        entity: entity.into(),
        title: "Informe de cifras de los canales".into(),
        subtitle: format!(
            "Centro de contacto, redes sociales y sitio web · estado al {}",
            fecha(today)
        ),
        header: vec![
            ("Cifras importadas".into(), Cell::count(figures.len())),
            ("Métricas".into(), Cell::count(totals.len())),
        ],
        sections: vec![summary, monthly],
        note: "Cifras agregadas de los canales, importadas por el personal; sin datos de personas."
            .into(),
        generated: fecha(today),
    }
}

pub async fn load_channels_report(
    store: &Store,
    entity: &str,
    today: NaiveDate,
) -> Result<DeliverableReport, StoreError> {
    let choices = store.activity_choices().await?;
    let mut plans: Vec<i64> = choices.iter().map(|c| c.plan_id).collect();
    plans.sort_unstable();
    plans.dedup();
    let mut figures = vec![];
    // One query per plan (a handful: one plan per year), not per figure.
    for plan in plans {
        figures.extend(
            store
                .channel_figures(plan)
                .await?
                .into_iter()
                .map(|f| (plan, f)),
        );
    }
    Ok(channels_report(entity, &figures, &choices, today))
}

// ------------------------------------------------------------ consultation results

/// A count under the small-cell rule: the figure as a number cell, or «menos de 5».
fn shown_cell(n: usize) -> Cell {
    match ShownCount::of(n) {
        ShownCount::Figure(n) => Cell::count(n),
        s @ ShownCount::Suppressed => Cell::text(s.label()),
    }
}

/// A bar of a count under the small-cell rule (a suppressed one has no bar).
fn shown_bar(label: &str, n: usize) -> Bar {
    let shown = ShownCount::of(n);
    Bar {
        label: label.into(),
        value: shown.figure().map(|n| n as f64),
        text: shown.label(),
    }
}

/// The share of `n` in `total`, or «—» when `n` is suppressed (a percentage would give
/// the small count away).
fn shown_share(n: usize, total: usize) -> Cell {
    match ShownCount::of(n) {
        ShownCount::Suppressed => Cell::text("—"),
        ShownCount::Figure(_) if total == 0 => Cell::text("—"),
        ShownCount::Figure(n) => {
            let p = n as f64 * 100.0 / total as f64;
            Cell::number((p * 10.0).round() / 1000.0, format!("{} %", pct(p)))
        }
    }
}

/// What the results report reads of a consultation or forum: no response's identity,
/// only counts, the times answers came in and the texts of open answers.
pub struct ResultsInput<'a> {
    pub consultation: &'a Consultation,
    /// Per question: how many answered and how many gave each value (a survey).
    pub counts: &'a AnswerCounts,
    /// Per free-text question, its answers (a survey).
    pub open: &'a BTreeMap<u32, Vec<String>>,
    /// When each response came in (a survey).
    pub times: &'a [DateTime<Utc>],
    /// A forum's topics and comments (only published ones are counted and quoted).
    pub forum: Option<(&'a [ForumTopic], &'a [ForumComment])>,
    pub group_names: &'a [String],
    pub choices: &'a [ActivityChoice],
    /// The themes of the open texts: per free-text question (a survey), or under 0 for
    /// the published comments (a forum).
    pub themes: &'a BTreeMap<u32, TextReport>,
}

/// The themes the analysis found in a set of open texts: each with its texts (the
/// small-cell rule applies), its words and a quote without identities.
fn themes_section(heading: &str, sheet: &str, r: &TextReport) -> Section {
    let mut s = Section::new(
        heading,
        sheet,
        &["Tema", "Textos", "Palabras que lo distinguen", "Cita"],
    );
    s.intro = format!(
        "La plataforma agrupó los {} textos por las palabras que comparten (sin tildes, \
         mayúsculas ni palabras vacías, cada palabra por su raíz); los textos casi idénticos \
         cuentan una vez al buscar los temas. Las citas no muestran nombres ni datos de contacto.",
        r.texts
    );
    if !r.campaigns.is_empty() {
        let copies: usize = r.campaigns.iter().map(|c| c.size).sum();
        s.intro += &format!(
            " {} textos forman {} grupos casi idénticos, que suelen venir de campañas de copiar y pegar.",
            copies,
            r.campaigns.len()
        );
    }
    for t in &r.themes {
        let quote = match (public_count(t.size), t.quotes.first()) {
            (Some(_), Some(q)) => format!("«{q}»"),
            _ => String::new(),
        };
        s.rows.push(vec![
            Cell::text(&t.title),
            shown_cell(t.size),
            Cell::text(t.keywords.join(", ")),
            Cell::text(quote),
        ]);
    }
    s
}

fn by_day_section(times: impl Iterator<Item = DateTime<Utc>>, column: &str) -> Section {
    let mut days: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for t in times {
        *days.entry(colombia_date(t)).or_default() += 1;
    }
    let mut s = Section::new("Participación por día", "Por día", &["Día", column]);
    let mut bars = vec![];
    for (day, n) in &days {
        s.rows
            .push(vec![Cell::date(*day, fecha(*day)), shown_cell(*n)]);
        bars.push(shown_bar(&fecha(*day), *n));
    }
    s.with_chart(&format!("{column} por día"), &bars)
}

/// The results report of a consultation (survey) or forum: participation by day and by
/// group of value, every question's results with a chart, and the open answers grouped
/// and quoted without identities. Every count under 5 reads «menos de 5».
pub fn results_report(entity: &str, input: &ResultsInput, today: NaiveDate) -> DeliverableReport {
    let c = input.consultation;
    let forum = matches!(c.data.kind, ConsultationKind::Forum(_));
    let mut sections = vec![];
    let mut header = vec![
        ("Consulta".into(), Cell::text(&c.data.title)),
        (
            "Tipo".into(),
            Cell::text(if forum { "Foro" } else { "Encuesta" }),
        ),
        (
            "Abrió".into(),
            Cell::date(c.data.opens_on, fecha(c.data.opens_on)),
        ),
        (
            "Cerró".into(),
            Cell::date(c.data.closes_on, fecha(c.data.closes_on)),
        ),
        (
            "Actividad del plan".into(),
            Cell::text(activity_label(input.choices, c.data.activity)),
        ),
    ];
    if let (true, Some((topics, comments))) = (forum, input.forum) {
        let published: Vec<&ForumComment> = comments
            .iter()
            .filter(|m| m.status == CommentStatus::Published)
            .collect();
        header.push(("Comentarios publicados".into(), shown_cell(published.len())));
        sections.push(by_day_section(
            published.iter().map(|m| m.at),
            "Comentarios",
        ));
        let mut groups = Section::new(
            "Participación por grupo de valor",
            "Por grupo de valor",
            &["Grupo de valor", "Comentarios"],
        );
        groups.intro =
            "Los comentarios del foro no dicen a qué grupo de valor pertenece quien los escribe."
                .into();
        sections.push(groups);
        let mut per_topic =
            Section::new("Comentarios por tema", "Por tema", &["Tema", "Comentarios"]);
        let mut bars = vec![];
        for t in topics {
            let n = published.iter().filter(|m| m.topic_id == t.id).count();
            per_topic
                .rows
                .push(vec![Cell::text(&t.title), shown_cell(n)]);
            bars.push(shown_bar(&t.title, n));
        }
        sections.push(per_topic.with_chart("Comentarios publicados por tema", &bars));
        if let Some(r) = input.themes.get(&0) {
            sections.push(themes_section("Temas de los comentarios", "Temas", r));
        }
        for (i, t) in topics.iter().enumerate() {
            let bodies = published
                .iter()
                .filter(|m| m.topic_id == t.id)
                .map(|m| m.body.as_str());
            sections.push(open_section(
                &format!("Tema {}. {}", i + 1, t.title),
                &format!("Tema {}", i + 1),
                group_open_answers(bodies),
            ));
        }
    } else {
        let total = c.responses.max(0) as usize;
        header.push(("Respuestas".into(), shown_cell(total)));
        sections.push(by_day_section(input.times.iter().copied(), "Respuestas"));
        let names: Vec<&str> = input.group_names.iter().map(String::as_str).collect();
        let group_question = value_group_question(&c.questions, &names);
        let mut groups = Section::new(
            "Participación por grupo de valor",
            "Por grupo de valor",
            &["Grupo de valor", "Respuestas", "Porcentaje"],
        );
        match group_question.and_then(|n| c.questions.iter().find(|q| q.number == n)) {
            Some(q) => {
                groups.intro = format!("Según la pregunta {}: «{}».", q.number, q.text);
                let empty = (0, BTreeMap::new());
                let (answered, values) = input.counts.get(&q.number).unwrap_or(&empty);
                let (counted, n) = tally_counted(q, *answered, values);
                let mut bars = vec![];
                for (option, k) in counted {
                    groups
                        .rows
                        .push(vec![Cell::text(&option), shown_cell(k), shown_share(k, n)]);
                    bars.push(shown_bar(&option, k));
                }
                groups = groups.with_chart("Respuestas por grupo de valor", &bars);
            }
            None => {
                groups.intro =
                    "La encuesta no pregunta a qué grupo de valor pertenece quien responde.".into()
            }
        }
        sections.push(groups);
        for q in &c.questions {
            sections.push(question_section(q, input));
            if let Some(r) = input.themes.get(&q.number) {
                sections.push(themes_section(
                    &format!("Pregunta {}: temas de las respuestas", q.number),
                    &format!("Temas {}", q.number),
                    r,
                ));
            }
        }
    }
    DeliverableReport {
        entity: entity.into(),
        title: if forum {
            "Informe de resultados del foro".into()
        } else {
            "Informe de resultados de la consulta".into()
        },
        subtitle: format!(
            "{} · del {} al {} · estado al {}",
            c.data.title,
            fecha(c.data.opens_on),
            fecha(c.data.closes_on),
            fecha(today)
        ),
        header,
        sections,
        note: "Las cifras menores que 5 se escriben «menos de 5» y sin porcentaje, para que nadie \
               pueda ser identificado (Ley 1581 de 2012). Las respuestas abiertas se citan como \
               se escribieron, agrupadas cuando dicen lo mismo, sin nombres ni datos de quienes \
               las dieron."
            .into(),
        generated: fecha(today),
    }
}

fn open_section(heading: &str, sheet: &str, groups: Vec<AnswerGroup>) -> Section {
    let mut s = Section::new(heading, sheet, &["Respuesta", "Veces"]);
    for g in groups {
        let count = match g.count {
            ShownCount::Figure(n) => Cell::count(n),
            ShownCount::Suppressed => Cell::text(g.count.label()),
        };
        s.rows
            .push(vec![Cell::text(format!("«{}»", g.quote)), count]);
    }
    s
}

fn question_section(q: &Question, input: &ResultsInput) -> Section {
    let heading = format!("Pregunta {}. {}", q.number, q.text);
    let sheet = format!("Pregunta {}", q.number);
    let empty = (0, BTreeMap::new());
    let (answered, values) = input.counts.get(&q.number).unwrap_or(&empty);
    let mut s = match &q.kind {
        QuestionKind::Single(_) | QuestionKind::Multiple(_) | QuestionKind::Scale(_) => {
            let mut s = Section::new(&heading, &sheet, &["Opción", "Respuestas", "Porcentaje"]);
            let (counted, n) = tally_counted(q, *answered, values);
            let mut bars = vec![];
            for (option, k) in counted {
                let label = q.kind.value_label(&option);
                s.rows
                    .push(vec![Cell::text(&label), shown_cell(k), shown_share(k, n)]);
                bars.push(shown_bar(&label, k));
            }
            s.with_chart(&format!("Pregunta {}", q.number), &bars)
        }
        QuestionKind::Number => {
            let mut s = Section::new(&heading, &sheet, &["Dato", "Valor"]);
            s.rows
                .push(vec![Cell::text("Respuestas"), shown_cell(*answered)]);
            if public_count(*answered).is_some_and(|n| n > 0) {
                if let Some(a) = average(values) {
                    s.rows.push(vec![
                        Cell::text("Promedio"),
                        Cell::number((a * 10.0).round() / 10.0, pct(a)),
                    ]);
                }
            }
            s
        }
        QuestionKind::Text => {
            let answers = input.open.get(&q.number).map(Vec::as_slice).unwrap_or(&[]);
            open_section(
                &heading,
                &sheet,
                group_open_answers(answers.iter().map(String::as_str)),
            )
        }
    };
    let answered_text = ShownCount::of(*answered).label();
    s.intro = match &q.kind {
        QuestionKind::Multiple(_) => format!(
            "Respondieron {answered_text}; cada persona pudo elegir varias opciones, por eso los porcentajes suman más de 100 %."
        ),
        QuestionKind::Scale(ends) if public_count(*answered).is_some_and(|n| n > 0) => {
            let mut t = format!("Respondieron {answered_text}.");
            if let Some(a) = average(values) {
                t += &format!(" Promedio: {} de 5.", pct(a));
            }
            if ends.is_labelled() {
                t += &format!(" {}", ends.sentence());
            }
            t
        }
        QuestionKind::Text => format!(
            "Respondieron {answered_text}; las respuestas iguales se agrupan y se citan una vez."
        ),
        _ => format!("Respondieron {answered_text}."),
    };
    s
}

/// Reads what the results report of consultation `id` needs (a handful of queries,
/// one per free-text question) and builds it.
pub async fn load_results_report(
    store: &Store,
    entity: &str,
    id: i64,
    today: NaiveDate,
) -> Result<DeliverableReport, StoreError> {
    let c = store.consultation(id).await?;
    let choices = store.activity_choices().await?;
    let group_names: Vec<String> = store
        .value_groups()
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    let (counts, open, times, forum) = match c.data.kind {
        ConsultationKind::Forum(_) => {
            let forum = store.forum(id).await?;
            (AnswerCounts::new(), BTreeMap::new(), vec![], Some(forum))
        }
        ConsultationKind::Survey => {
            let text: Vec<u32> = c
                .questions
                .iter()
                .filter(|q| q.kind == QuestionKind::Text)
                .map(|q| q.number)
                .collect();
            let counts = store.answer_counts(id).await?;
            let mut open = BTreeMap::new();
            for n in text {
                open.insert(n, store.open_answers(id, n, OPEN_ANSWERS_READ).await?);
            }
            (counts, open, store.response_times(id).await?, None)
        }
    };
    // Themes of the open texts (the day is the consultation's: the report shows no
    // course by month).
    let mut themes = BTreeMap::new();
    let day = c.data.opens_on;
    if let Some((_, comments)) = &forum {
        let published: Vec<(String, NaiveDate)> = comments
            .iter()
            .filter(|m| m.status == CommentStatus::Published)
            .map(|m| (m.body.clone(), day))
            .collect();
        if let Some(r) = themes_for_report(published).await {
            themes.insert(0, r);
        }
    }
    for (n, answers) in &open {
        let texts = answers.iter().map(|a| (a.clone(), day)).collect();
        if let Some(r) = themes_for_report(texts).await {
            themes.insert(*n, r);
        }
    }
    let input = ResultsInput {
        consultation: &c,
        counts: &counts,
        open: &open,
        times: &times,
        forum: forum.as_ref().map(|(t, m)| (t.as_slice(), m.as_slice())),
        group_names: &group_names,
        choices: &choices,
        themes: &themes,
    };
    Ok(results_report(entity, &input, today))
}

/// The most open answers of one question the report reads (the newest): far above a
/// consultation's usual size, and a bound on memory.
const OPEN_ANSWERS_READ: i64 = 50_000;
