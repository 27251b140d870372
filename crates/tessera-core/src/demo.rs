//! Realistic demo data for trying Tessera out and for benchmarks: departments, teams, agents
//! and any number of tickets with varied German and English threads.

use tessera_domain::{
    AgentId, BodyFormat, ContactId, DepartmentId, EntryKind, Lang, Priority, Role, TeamId,
    TicketId, TicketStatus, Timestamp,
};
use tessera_store::{NewEntry, NewTicket};

use crate::{NewAgent, Result, Tessera};

/// The password of every demo agent (`demo1` … `demo10`, and the administrator `demo-admin`).
pub const DEMO_PASSWORD: &str = "demo-passwort-123";

const SUBJECTS: &[&str] = &[
    "Plakat für das Sommerfest",
    "Flyer Blutspende im März",
    "Facebook-Veranstaltung Nikolausschwimmen",
    "Website: Kontaktformular geht nicht",
    "Idee: Newsletter für Ehrenamtliche",
    "Pressemitteilung Jahresbericht",
    "Logo in hoher Auflösung benötigt",
    "Poster for the charity run",
    "Website shows an old opening time",
    "Instagram account access",
    "Roll-up banner for the information stand",
    "Fotos vom Katastrophenschutz-Tag",
];

const BODIES: &[&str] = &[
    "Hallo zusammen, wir brauchen bis Ende des Monats ein Plakat im Corporate Design. Eine Skizze hänge ich an.",
    "Könnt ihr bitte den Flyer noch einmal prüfen? Die Telefonnummer auf der Rückseite stimmt nicht.",
    "Hello team, the contact form on the website returns an error after submitting. Tested in Firefox and Chrome.",
    "Wir haben die Fotos vom Wochenende. Wer kümmert sich um die Auswahl für die Zeitung?",
    "Please send us the logo as SVG, we need it for the printing company by Friday.",
    "Danke für den Entwurf! Kleine Änderung: Der Termin ist am Samstag, nicht am Sonntag.",
    "The event page should mention that registration is required and parking is limited.",
    "Kurze Rückfrage: Soll die Pressemitteilung auch an die Lokalradios gehen?",
];

const REPLIES: &[&str] = &[
    "Danke für die Anfrage, ich kümmere mich darum und melde mich bis Mittwoch.",
    "Der Entwurf ist fertig, bitte einmal drüberschauen.",
    "Thanks, we have fixed it — please check again and let us know.",
    "Ich habe das an das Team Social Media weitergegeben.",
];

/// A tiny deterministic generator, so that two demo runs produce the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &'a [&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

impl Tessera {
    /// Adds `tickets` demo tickets (and, on first use, demo departments, teams and agents),
    /// reporting progress to `progress(done, total)`.
    pub async fn demo(&self, tickets: u64, mut progress: impl FnMut(u64, u64)) -> Result<()> {
        let mut conn = self.db().conn().await?;
        let existing = conn.h().agent_login("demo1").await?;
        let offset: i64 = conn.h().ticket_count().await?;
        drop(conn);
        let (departments, agents, teams) = if existing.is_none() {
            let mut departments = vec![DepartmentId(1)];
            for (name, mail) in [
                ("Öffentlichkeitsarbeit", "presse@demo.test"),
                ("IT", "it@demo.test"),
            ] {
                departments.push(self.create_department(name, mail).await?);
            }
            let mut agents = Vec::new();
            for i in 1..=10usize {
                let id = self
                    .create_agent(NewAgent {
                        username: format!("demo{i}"),
                        email: format!("demo{i}@demo.test"),
                        display_name: format!("Demo Agent {i}"),
                        password: DEMO_PASSWORD.into(),
                        is_admin: false,
                        lang: if i.is_multiple_of(3) {
                            Lang::En
                        } else {
                            Lang::De
                        },
                        one_time_password: false,
                    })
                    .await?;
                self.set_department_role(id, departments[i % departments.len()], Role::Agent)
                    .await?;
                agents.push(id);
            }
            self.create_agent(NewAgent {
                username: "demo-admin".into(),
                email: "demo-admin@demo.test".into(),
                display_name: "Demo Admin".into(),
                password: DEMO_PASSWORD.into(),
                is_admin: true,
                lang: Lang::De,
                one_time_password: false,
            })
            .await?;
            let teams = vec![
                self.create_team("Grafik", &agents[0..3]).await?,
                self.create_team("Social Media", &agents[3..6]).await?,
            ];
            for d in &departments {
                self.set_department_alerts(*d, false).await?;
            }
            (departments, agents, teams)
        } else {
            let mut conn = self.db().conn().await?;
            let departments = conn
                .h()
                .active_departments()
                .await?
                .into_iter()
                .map(|(id, _)| DepartmentId(id))
                .collect();
            let agents = conn
                .h()
                .active_agents()
                .await?
                .into_iter()
                .map(|a| AgentId(a.agent_id))
                .collect();
            let teams = conn
                .h()
                .active_teams()
                .await?
                .into_iter()
                .map(|(id, _)| TeamId(id))
                .collect();
            (departments, agents, teams)
        };
        let topics = {
            let mut conn = self.db().conn().await?;
            conn.h().public_help_topics().await?
        };
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ offset as u64);
        let start = Timestamp::now().plus_secs(-(tickets as i64) * 60);
        let batch = 500;
        let mut done = 0;
        while done < tickets {
            let mut tx = self.db().begin().await?;
            for _ in 0..batch.min(tickets - done) {
                let i = offset as u64 + done;
                let now = Timestamp(start.0 + (done as i64) * 60_000_000);
                let person = rng.below(tickets / 4 + 10);
                let lang = if person.is_multiple_of(3) {
                    Lang::En
                } else {
                    Lang::De
                };
                let email = format!("person{person}@example.org");
                let contact: ContactId = tx
                    .h()
                    .upsert_contact(&email, &email, &format!("Person {person}"), lang)
                    .await?;
                let topic = &topics[rng.below(topics.len() as u64) as usize];
                let department = departments[rng.below(departments.len() as u64) as usize];
                let number = format!("{}", 10_000_000 + i);
                let ticket: TicketId = tx
                    .h()
                    .insert_ticket(&NewTicket {
                        number: &number,
                        subject: rng.pick(SUBJECTS),
                        priority: Priority::Normal,
                        source: "portal",
                        help_topic_id: Some(topic.id),
                        department_id: department,
                        requester_id: contact,
                        now,
                    })
                    .await?;
                let entries = 1 + rng.below(6);
                let mut answered = false;
                for e in 0..entries {
                    let by_agent = e % 2 == 1;
                    let agent = agents[rng.below(agents.len() as u64) as usize];
                    tx.h()
                        .insert_entry(&NewEntry {
                            ticket_id: ticket,
                            kind: if by_agent {
                                EntryKind::Reply
                            } else {
                                EntryKind::Message
                            },
                            author_contact_id: (!by_agent).then_some(contact),
                            author_agent_id: by_agent.then_some(agent),
                            body: if by_agent {
                                rng.pick(REPLIES)
                            } else {
                                rng.pick(BODIES)
                            },
                            body_format: BodyFormat::Markdown,
                            now: Timestamp(now.0 + e as i64 * 1_000_000),
                        })
                        .await?;
                    answered = by_agent;
                }
                let roll = rng.below(100);
                if roll < 70 {
                    let agent = agents[rng.below(agents.len() as u64) as usize];
                    let team = (roll < 15).then(|| teams[rng.below(teams.len() as u64) as usize]);
                    tx.h().set_assignee(ticket, Some(agent), team, now).await?;
                }
                if answered {
                    tx.h().mark_answered(ticket, now).await?;
                }
                if roll % 10 < 6 {
                    tx.h().set_status(ticket, TicketStatus::Closed, now).await?;
                } else if roll % 10 == 6 {
                    tx.h().set_priority(ticket, Priority::High, now).await?;
                }
                tx.h().reindex_ticket(ticket).await?;
                done += 1;
            }
            tx.commit().await?;
            progress(done, tickets);
        }
        self.db().analyze().await?;
        self.changed();
        Ok(())
    }
}
