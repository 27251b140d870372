//! Administration of the organisation: departments, teams and help topics. Nothing that
//! tickets still reference is deleted; it is deactivated.

use tessera_domain::{EmailAddress, Problem, validate};
use tessera_store::{CannedRow, DepartmentRow, SlaRow, TopicRow};

use crate::{
    Actor, CannedAdmin, CoreError, DepartmentAdmin, Result, SlaPlan, Tessera, TopicAdmin,
    admin::record,
};

/// What the service level form carries (the grace period in hours, as typed).
#[derive(Debug, Clone)]
pub struct SlaForm {
    /// Key, 0 to create.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Hours, decimals allowed.
    pub grace_hours: String,
    /// Business hours, empty for around the clock.
    pub schedule: String,
    /// Holidays.
    pub holidays: String,
    /// IANA time zone of the hours and holidays; empty for UTC.
    pub timezone: String,
    /// Offered for topics.
    pub active: bool,
}

/// A team with its members, for administrators.
#[derive(Debug, Clone)]
pub struct TeamAdmin {
    /// Key.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Offered for assignment.
    pub is_active: bool,
    /// Members: (agent id, lead).
    pub members: Vec<(i64, bool)>,
}

/// Audits a create (no `before`) or an update of a `kind` of thing.
async fn record_change(
    h: &mut tessera_store::Handle<'_>,
    actor: Actor<'_>,
    kind: &str,
    target: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<()> {
    let action = format!(
        "{kind}-{}",
        if before.is_some() { "update" } else { "create" }
    );
    record(h, actor, &action, target, before, after, None).await
}

fn named(e: tessera_store::StoreError, field: &'static str) -> CoreError {
    if e.is_conflict_on("name") {
        let mut p = Problem::default();
        p.add(field, "error-name-taken");
        CoreError::Invalid(p)
    } else {
        e.into()
    }
}

impl Tessera {
    /// Every department.
    pub async fn departments_admin(&self, actor: Actor<'_>) -> Result<Vec<DepartmentAdmin>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let rows = conn.h().all_departments().await?;
        Ok(rows.into_iter().map(DepartmentAdmin::from_row).collect())
    }

    /// Creates (`id` = 0) or changes a department; returns its id.
    pub async fn save_department(&self, actor: Actor<'_>, d: DepartmentAdmin) -> Result<i64> {
        actor.require_admin()?;
        let d = d.into_row();
        let mut p = Problem::default();
        let name = validate::text(&mut p, "name", &d.name, 100);
        let email = EmailAddress::parse(&d.email);
        if email.is_none() {
            p.add("email", "error-email");
        }
        let (Some(name), Some(email)) = (name, email) else {
            return Err(CoreError::Invalid(p));
        };
        let mut tx = self.db().begin().await?;
        let before = tx
            .h()
            .all_departments()
            .await?
            .into_iter()
            .find(|x| x.department_id == d.department_id);
        let id = match &before {
            None => {
                tx.h()
                    .insert_department(&name, email.as_str())
                    .await
                    .map_err(|e| named(e, "name"))?
                    .0
            }
            Some(_) => d.department_id,
        };
        let row = DepartmentRow {
            department_id: id,
            name: name.clone(),
            email: email.to_string(),
            ..d
        };
        tx.h()
            .update_department(&row)
            .await
            .map_err(|e| named(e, "name"))?;
        let describe = |x: &DepartmentRow| {
            format!(
                "{} <{}> alerts={} active={}",
                x.name, x.email, x.alert_new_ticket, x.is_active
            )
        };
        let b = before.as_ref().map(describe);
        record_change(
            &mut tx.h(),
            actor,
            "department",
            &name,
            b.as_deref(),
            Some(&describe(&row)),
        )
        .await?;
        tx.commit().await?;
        self.changed();
        Ok(id)
    }

    /// Every team with its members.
    pub async fn teams_admin(&self, actor: Actor<'_>) -> Result<Vec<TeamAdmin>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let mut out = Vec::new();
        for (id, name, is_active) in conn.h().all_teams().await? {
            let members = conn.h().team_roster(id).await?;
            out.push(TeamAdmin {
                id,
                name,
                is_active,
                members,
            });
        }
        Ok(out)
    }

    /// Creates (`id` = 0) or changes a team and its members; returns its id.
    pub async fn save_team(&self, actor: Actor<'_>, t: TeamAdmin) -> Result<i64> {
        actor.require_admin()?;
        let mut p = Problem::default();
        let Some(name) = validate::text(&mut p, "name", &t.name, 100) else {
            return Err(CoreError::Invalid(p));
        };
        let mut tx = self.db().begin().await?;
        let before = tx.h().all_teams().await?.into_iter().find(|x| x.0 == t.id);
        let id = match before {
            None => {
                tx.h()
                    .insert_team(&name)
                    .await
                    .map_err(|e| named(e, "name"))?
                    .0
            }
            Some(_) => t.id,
        };
        tx.h()
            .update_team(id, &name, t.is_active)
            .await
            .map_err(|e| named(e, "name"))?;
        let members: Vec<i64> = t.members.iter().map(|(m, _)| *m).collect();
        let lead = t.members.iter().find(|(_, l)| *l).map(|(m, _)| *m);
        let old = tx.h().team_roster(id).await?;
        tx.h().set_team_roster(id, &members, lead).await?;
        let describe = |n: &str, a: bool, m: &[(i64, bool)]| {
            let list: Vec<String> = m
                .iter()
                .map(|(x, l)| if *l { format!("{x}*") } else { x.to_string() })
                .collect();
            format!("{n} active={a} members={}", list.join(","))
        };
        let after = describe(&name, t.is_active, &t.members);
        let b = before.map(|(_, n, a)| describe(&n, a, &old));
        record_change(
            &mut tx.h(),
            actor,
            "team",
            &name,
            b.as_deref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        self.changed();
        Ok(id)
    }

    /// Every help topic with its settings.
    pub async fn topics_admin(&self, actor: Actor<'_>) -> Result<Vec<TopicAdmin>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let rows = conn.h().all_topic_rows().await?;
        Ok(rows.into_iter().map(TopicAdmin::from_row).collect())
    }

    /// Creates (`id` = 0) or changes a help topic; returns its id.
    pub async fn save_topic(&self, actor: Actor<'_>, t: TopicAdmin) -> Result<i64> {
        actor.require_admin()?;
        let t = t.into_row();
        let mut p = Problem::default();
        let de = validate::text(&mut p, "name_de", &t.name_de, 100);
        let en = validate::text(&mut p, "name_en", &t.name_en, 100);
        let mut tx = self.db().begin().await?;
        let departments = tx.h().all_departments().await?;
        if !departments
            .iter()
            .any(|d| d.department_id == t.department_id)
        {
            p.add("department_id", "error-department");
        }
        if let Some(plan) = t.sla_plan_id
            && !tx
                .h()
                .all_sla_plans()
                .await?
                .iter()
                .any(|x| x.sla_plan_id == plan)
        {
            p.add("sla_plan_id", "error-required");
        }
        if let Some(a) = t.auto_agent_id
            && !tx
                .h()
                .active_agents()
                .await?
                .iter()
                .any(|x| x.agent_id == a)
        {
            p.add("auto_agent_id", "error-assignee");
        }
        if let Some(team) = t.auto_team_id
            && !tx.h().active_teams().await?.iter().any(|x| x.0 == team)
        {
            p.add("auto_team_id", "error-assignee");
        }
        let (Some(de), Some(en)) = (de, en) else {
            return Err(CoreError::Invalid(p));
        };
        p.into_result()?;
        let before = tx
            .h()
            .all_topic_rows()
            .await?
            .into_iter()
            .find(|x| x.help_topic_id == t.help_topic_id);
        let dept = tessera_domain::DepartmentId(t.department_id);
        let id = match &before {
            None => {
                tx.h()
                    .insert_help_topic(&de, &en, dept, t.sort_order)
                    .await?
                    .0
            }
            Some(_) => t.help_topic_id,
        };
        let row = TopicRow {
            help_topic_id: id,
            name_de: de.clone(),
            name_en: en,
            ..t
        };
        tx.h().update_topic(&row).await?;
        let describe = |x: &TopicRow| {
            format!(
                "{} / {} department={} public={} active={} order={} sla={:?}",
                x.name_de,
                x.name_en,
                x.department_id,
                x.is_public,
                x.is_active,
                x.sort_order,
                x.sla_plan_id
            )
        };
        let b = before.as_ref().map(describe);
        record_change(
            &mut tx.h(),
            actor,
            "topic",
            &de,
            b.as_deref(),
            Some(&describe(&row)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every service level plan.
    pub async fn sla_plans_admin(&self, actor: Actor<'_>) -> Result<Vec<SlaPlan>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let rows = conn.h().all_sla_plans().await?;
        Ok(rows.into_iter().map(SlaPlan::from_row).collect())
    }

    /// Creates (`id` = 0) or changes a service level plan from its form values; the grace
    /// period comes in hours (decimals allowed).
    pub async fn save_sla_plan(&self, actor: Actor<'_>, f: SlaForm) -> Result<i64> {
        actor.require_admin()?;
        let SlaForm {
            id,
            name,
            grace_hours,
            schedule,
            holidays,
            timezone,
            active,
        } = f;
        let mut p = Problem::default();
        let name = validate::text(&mut p, "name", &name, 100);
        let grace = grace_hours
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|h| *h > 0.0 && *h <= 8760.0);
        if grace.is_none() {
            p.add("grace_hours", "error-hours");
        }
        let schedule = schedule.trim();
        if !schedule.is_empty() && tessera_domain::sla::Schedule::parse(schedule).is_none() {
            p.add("schedule", "error-schedule");
        }
        let holidays = match tessera_domain::sla::parse_holidays(&holidays) {
            Ok(days) => days
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            Err(_) => {
                p.add("holidays", "error-holidays");
                String::new()
            }
        };
        // An empty zone is UTC: forms from before plans had zones meant that.
        let timezone = match timezone.trim() {
            "" => Some(tessera_domain::sla::Tz::UTC),
            z => tessera_domain::sla::parse_zone(z),
        };
        if timezone.is_none() {
            p.add("timezone", "error-timezone");
        }
        let (Some(name), Some(grace), Some(timezone)) = (name, grace, timezone) else {
            return Err(CoreError::Invalid(p));
        };
        p.into_result()?;
        let row = SlaRow {
            sla_plan_id: id,
            name: name.clone(),
            grace_seconds: (grace * 3600.0).round().max(1.0) as i64,
            schedule: schedule.to_owned(),
            holidays,
            is_active: active,
            timezone: timezone.name().to_owned(),
        };
        let mut tx = self.db().begin().await?;
        let before = tx
            .h()
            .all_sla_plans()
            .await?
            .into_iter()
            .find(|x| x.sla_plan_id == id);
        let id = tx
            .h()
            .save_sla_plan(&row)
            .await
            .map_err(|e| named(e, "name"))?;
        let describe = |x: &SlaRow| {
            format!(
                "{} grace={}s hours={:?} holidays={:?} tz={} active={}",
                x.name, x.grace_seconds, x.schedule, x.holidays, x.timezone, x.is_active
            )
        };
        let b = before.as_ref().map(describe);
        record_change(
            &mut tx.h(),
            actor,
            "sla",
            &name,
            b.as_deref(),
            Some(&describe(&row)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every canned response.
    pub async fn canned_admin(&self, actor: Actor<'_>) -> Result<Vec<CannedAdmin>> {
        actor.require_admin()?;
        let mut conn = self.db().conn().await?;
        let rows = conn.h().all_canned().await?;
        Ok(rows.into_iter().map(CannedAdmin::from_row).collect())
    }

    /// Creates (`id` = 0) or changes a canned response; returns its id.
    pub async fn save_canned(&self, actor: Actor<'_>, r: CannedAdmin) -> Result<i64> {
        actor.require_admin()?;
        let r = r.into_row();
        let mut p = Problem::default();
        let title = validate::text(&mut p, "title", &r.title, 100);
        let body = validate::text(&mut p, "body", &r.body, crate::MAX_BODY);
        let (Some(title), Some(body)) = (title, body) else {
            return Err(CoreError::Invalid(p));
        };
        let row = CannedRow {
            title: title.clone(),
            body,
            ..r
        };
        let describe = |x: &CannedRow| {
            format!(
                "{} department={:?} active={}",
                x.title, x.department_id, x.is_active
            )
        };
        let mut tx = self.db().begin().await?;
        let before = tx
            .h()
            .all_canned()
            .await?
            .iter()
            .find(|x| x.canned_response_id == row.canned_response_id)
            .map(describe);
        let id = tx.h().save_canned(&row).await?;
        record_change(
            &mut tx.h(),
            actor,
            "canned",
            &title,
            before.as_deref(),
            Some(&describe(&row)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
