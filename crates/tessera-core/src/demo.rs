//! Realistic demo data for trying Tessera out and for benchmarks: departments, teams,
//! agents, help topics and any number of tickets with varied German and English threads,
//! attachments' metadata, statuses and assignments spread as in a real helpdesk (most old
//! tickets closed, the open ones recent). Tickets are written in bulk (`tessera-store`'s
//! `demo.rs`), so a million take minutes.
//!
//! Two words are planted for benchmarks: "Drucker" is in about a quarter of all tickets
//! (a common word) and "Quastenflosser" in one of every 25,000 (a rare one).

use std::collections::HashSet;

use tessera_domain::{
    AgentId, DepartmentId, Lang, Priority, Role, TeamId, Timestamp,
    queue::priority_rank,
    search::{stems, words},
};
use tessera_store::{DemoEntry, DemoTicket};

use crate::{Actor, NewAgent, Result, Tessera, TopicAdmin};

/// The password of every demo agent (`demo1` … `demo20`, and the administrator `demo-admin`).
pub const DEMO_PASSWORD: &str = "demo-passwort-123";

/// The word planted in about a quarter of the demo tickets.
pub const DEMO_COMMON_WORD: &str = "Drucker";

/// The word planted in one of every 25,000 demo tickets.
pub const DEMO_RARE_WORD: &str = "Quastenflosser";

const RARE_EVERY: u64 = 25_000;

const SUBJECTS_DE: &[&str] = &[
    "Drucker im 2. OG druckt nicht",
    "Plakat für das Sommerfest",
    "Flyer Blutspende im März",
    "Website: Kontaktformular geht nicht",
    "Neuer Laptop für Praktikantin",
    "VPN-Verbindung bricht ab",
    "Heizung im Besprechungsraum kalt",
    "Urlaubsantrag wird nicht angezeigt",
    "Passwort vergessen",
    "Beamer im Saal zeigt kein Bild",
    "Schlüssel für die Halle verloren",
    "Pressemitteilung Jahresbericht",
    "Toner für den Drucker bestellen",
    "E-Mail-Postfach ist voll",
    "Lohnabrechnung fehlt",
    "Wasserfleck an der Decke",
];

const SUBJECTS_EN: &[&str] = &[
    "Printer on the second floor is jammed",
    "Poster for the charity run",
    "Cannot connect to the VPN",
    "New starter needs an account",
    "Website shows an old opening time",
    "Projector in room 3 is flickering",
    "Mailbox quota exceeded",
    "Payslip for November missing",
    "Leaking tap in the kitchen",
    "Instagram account access",
];

const SENTENCES_DE: &[&str] = &[
    "Seit heute Morgen zieht der Drucker kein Papier mehr ein.",
    "Der Drucker zeigt die Meldung „Papierstau“, obwohl kein Papier klemmt.",
    "Könnt ihr bitte den Drucker im Flur neu einrichten?",
    "Wir brauchen bis Ende des Monats ein Plakat im Corporate Design.",
    "Die Telefonnummer auf der Rückseite des Flyers stimmt nicht.",
    "Das Kontaktformular meldet nach dem Absenden einen Fehler.",
    "Ich habe es in Firefox und in Chrome versucht.",
    "Die VPN-Verbindung bricht nach etwa zehn Minuten ab.",
    "Im Besprechungsraum ist es seit Tagen eiskalt.",
    "Mein Urlaubsantrag vom letzten Montag erscheint nicht im Kalender.",
    "Ich komme nicht mehr in mein Konto, das Passwort wird abgelehnt.",
    "Der Beamer im großen Saal zeigt nur ein blaues Bild.",
    "Ich habe den Schlüssel für die Sporthalle verloren.",
    "Die Pressemitteilung soll auch an die Lokalradios gehen.",
    "Mein Postfach ist voll und ich kann keine E-Mails mehr senden.",
    "Die Lohnabrechnung für Oktober ist nicht im Portal.",
    "An der Decke im Archiv ist ein Wasserfleck aufgetaucht.",
    "Eine Skizze hänge ich an.",
    "Es eilt leider etwas, weil die Veranstaltung am Samstag ist.",
    "Der Fehler tritt nur an meinem Arbeitsplatz auf.",
    "Ein Neustart hat leider nichts geändert.",
    "Wer kümmert sich um die Auswahl der Fotos für die Zeitung?",
    "Die neue Kollegin fängt am Ersten an und braucht einen Laptop.",
    "Vielen Dank schon einmal für eure Hilfe!",
];

const SENTENCES_EN: &[&str] = &[
    "Since this morning the printer will not take any paper.",
    "The printer says paper jam, but there is no paper stuck.",
    "Could you please set up the printer in the hallway again?",
    "The contact form on the website returns an error after submitting.",
    "I tried it in Firefox and in Chrome.",
    "The VPN drops after about ten minutes.",
    "Please send us the logo as SVG, we need it for the printing company by Friday.",
    "The projector in room 3 keeps flickering during presentations.",
    "My mailbox is full and I cannot send any mail.",
    "My payslip for November is not in the portal.",
    "The tap in the kitchen on the first floor is leaking.",
    "The event page should mention that registration is required.",
    "A restart did not help, unfortunately.",
    "It only happens on my machine.",
    "Thanks a lot in advance!",
];

const REPLIES_DE: &[&str] = &[
    "Danke für die Meldung, ich kümmere mich darum und melde mich bis Mittwoch.",
    "Ich habe den Drucker zurückgesetzt, bitte noch einmal versuchen.",
    "Der Entwurf ist fertig, bitte einmal drüberschauen.",
    "Das Passwort wurde zurückgesetzt; den Link bekommen Sie per E-Mail.",
    "Der Hausmeister schaut sich das morgen früh an.",
    "Ich habe das an das Team weitergegeben.",
    "Können Sie mir bitte einen Screenshot der Fehlermeldung schicken?",
    "Das sollte jetzt wieder funktionieren.",
];

const REPLIES_EN: &[&str] = &[
    "Thanks, we have fixed it — please check again and let us know.",
    "I have reset the printer, please try once more.",
    "Could you send a screenshot of the error message?",
    "Facilities will have a look tomorrow morning.",
    "Your account has been created; you will get the details by mail.",
];

const NOTES: &[&str] = &[
    "Intern: Ersatzteil ist bestellt, Lieferung nächste Woche.",
    "Intern: betrifft auch zwei andere Räume.",
    "Internal: waiting for the vendor to call back.",
];

const FIRST_NAMES: &[&str] = &[
    "Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hamid", "Ida", "Jonas", "Katrin",
    "Lukas", "Mia", "Noah", "Olga", "Paul", "Rosa", "Sven", "Tara", "Uwe", "Vera", "Yusuf", "Emma",
    "Oliver", "Sophie", "James", "Laura", "Max", "Nina", "Tom",
];

const LAST_NAMES: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Yılmaz",
    "Nowak",
    "Smith",
    "Jones",
    "Brown",
    "Taylor",
    "Wilson",
    "Jansen",
    "Berger",
    "Krause",
];

const FILES: &[(&str, &str)] = &[
    ("screenshot.png", "image/png"),
    ("fehlermeldung.png", "image/png"),
    ("skizze.pdf", "application/pdf"),
    ("rechnung.pdf", "application/pdf"),
    ("protokoll.txt", "text/plain"),
    ("notizen.txt", "text/plain"),
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
        self.next() % n.max(1)
    }
    fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A text with its index stems, worked out once for the whole run.
struct Piece {
    text: &'static str,
    stems: Vec<String>,
}

fn pieces(texts: &[&'static str]) -> Vec<Piece> {
    texts
        .iter()
        .map(|t| Piece {
            text: t,
            stems: stems_of(t),
        })
        .collect()
}

fn stems_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in words(text) {
        let (a, b) = stems(&w);
        out.push(a);
        out.extend(b);
    }
    out
}

struct Texts {
    subjects: [Vec<Piece>; 2],
    sentences: [Vec<Piece>; 2],
    replies: [Vec<Piece>; 2],
    notes: Vec<Piece>,
    files: Vec<Vec<String>>,
    rare: Vec<String>,
}

impl Texts {
    fn new() -> Self {
        let sentences = [pieces(SENTENCES_DE), pieces(SENTENCES_EN)];
        Texts {
            subjects: [pieces(SUBJECTS_DE), pieces(SUBJECTS_EN)],
            sentences,
            replies: [pieces(REPLIES_DE), pieces(REPLIES_EN)],
            notes: pieces(NOTES),
            files: FILES.iter().map(|f| stems_of(f.0)).collect(),
            rare: stems_of(DEMO_RARE_WORD),
        }
    }
}

/// The organisation tickets are spread over.
struct Org {
    departments: Vec<DepartmentId>,
    /// Agents of each department (same order).
    members: Vec<Vec<AgentId>>,
    teams: Vec<TeamId>,
    /// (topic, its department's index).
    topics: Vec<(i64, usize)>,
    /// Placeholder blobs by content type, so that attachment downloads work: (type, key,
    /// size).
    blobs: Vec<(String, String, i64)>,
}

impl Tessera {
    /// Adds `tickets` demo tickets (and, on first use, demo departments, teams, agents and
    /// help topics), reporting progress to `progress(done, total)`.
    pub async fn demo(&self, tickets: u64, mut progress: impl FnMut(u64, u64)) -> Result<()> {
        let org = self.demo_org().await?;
        let texts = Texts::new();
        let mut conn = self.db().conn().await?;
        let offset = conn.h().ticket_count().await? as u64;
        drop(conn);
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (offset + 1).wrapping_mul(0x2545_f491));
        // A requester writes in about five tickets; people are made once, up front.
        let people_count = tickets / 5 + 10;
        let now = Timestamp::now();
        let people: Vec<(u64, String, &'static str)> = (0..people_count)
            .map(|i| {
                let n = offset / 5 + i;
                let name = format!(
                    "{} {}",
                    FIRST_NAMES[(n as usize * 7) % FIRST_NAMES.len()],
                    LAST_NAMES[(n as usize * 13 / 3) % LAST_NAMES.len()]
                );
                (n, name, if n.is_multiple_of(3) { "en" } else { "de" })
            })
            .collect();
        let contacts = {
            let mut tx = self.db().begin().await?;
            let all = tx.h().demo_contacts(&people, now.0).await?;
            tx.commit().await?;
            let map: std::collections::HashMap<String, i64> = all.into_iter().collect();
            people
                .iter()
                .map(|(n, name, lang)| {
                    let email = format!("person{n}@example.org");
                    let id = map.get(&email).copied().unwrap_or_default();
                    (id, email, name.clone(), *lang)
                })
                .collect::<Vec<_>>()
        };
        // Five years of history, newest last; at least a minute between tickets.
        let span: i64 = (5 * 365 * 24 * 3600i64).max(tickets as i64 * 60) * 1_000_000;
        let start = now.0 - span;
        let step = span / (tickets as i64).max(1);
        let mut done = 0u64;
        while done < tickets {
            let n = (tickets - done).min(5_000);
            let mut batch = Vec::with_capacity(n as usize);
            for k in 0..n {
                let i = done + k;
                let created = start + i as i64 * step;
                let person = &contacts[rng.index(contacts.len())];
                batch.push(demo_ticket(
                    &mut rng,
                    &texts,
                    &org,
                    offset + i,
                    person,
                    created,
                    now.0,
                ));
            }
            let mut tx = self.db().begin().await?;
            let (t, e, a) = tx.h().demo_next_ids().await?;
            tx.h().insert_demo_tickets(&batch, t, e, a).await?;
            tx.commit().await?;
            done += n;
            progress(done, tickets);
        }
        self.db().analyze().await?;
        self.changed();
        Ok(())
    }

    async fn demo_org(&self) -> Result<Org> {
        let mut conn = self.db().conn().await?;
        let existing = conn.h().agent_login("demo1").await?;
        drop(conn);
        if existing.is_none() {
            let mut departments = vec![DepartmentId(1)];
            for (name, mail) in [
                ("Öffentlichkeitsarbeit", "presse@demo.test"),
                ("IT", "it@demo.test"),
                ("Haustechnik", "haustechnik@demo.test"),
                ("Personal", "personal@demo.test"),
            ] {
                departments.push(self.create_department(Actor::Cli, name, mail).await?);
            }
            let mut agents = Vec::new();
            for i in 1..=20usize {
                let id = self
                    .create_agent(
                        Actor::Cli,
                        NewAgent {
                            username: format!("demo{i}"),
                            email: format!("demo{i}@demo.test"),
                            display_name: format!(
                                "{} {}.",
                                FIRST_NAMES[(i * 11) % FIRST_NAMES.len()],
                                &LAST_NAMES[i % LAST_NAMES.len()][..1]
                            ),
                            password: DEMO_PASSWORD.into(),
                            is_admin: false,
                            lang: if i.is_multiple_of(3) {
                                Lang::En
                            } else {
                                Lang::De
                            },
                            one_time_password: false,
                        },
                    )
                    .await?;
                self.set_department_role(
                    Actor::Cli,
                    id,
                    departments[i % departments.len()],
                    Role::Agent,
                )
                .await?;
                if i.is_multiple_of(4) {
                    // Some agents help out in a second department.
                    let other = departments[(i + 1) % departments.len()];
                    self.set_department_role(Actor::Cli, id, other, Role::Agent)
                        .await?;
                }
                agents.push(id);
            }
            self.create_agent(
                Actor::Cli,
                NewAgent {
                    username: "demo-admin".into(),
                    email: "demo-admin@demo.test".into(),
                    display_name: "Demo Admin".into(),
                    password: DEMO_PASSWORD.into(),
                    is_admin: true,
                    lang: Lang::De,
                    one_time_password: false,
                },
            )
            .await?;
            self.create_team(Actor::Cli, "Grafik", &agents[0..3])
                .await?;
            self.create_team(Actor::Cli, "Social Media", &agents[3..6])
                .await?;
            self.create_team(Actor::Cli, "Netzwerk", &agents[6..10])
                .await?;
            self.create_team(Actor::Cli, "Hausmeister", &agents[10..13])
                .await?;
            for (i, (de, en)) in [
                ("Plakate und Flyer", "Posters and flyers"),
                ("Computer und Drucker", "Computers and printers"),
                ("Gebäude und Räume", "Buildings and rooms"),
                ("Urlaub und Abrechnung", "Leave and payroll"),
            ]
            .into_iter()
            .enumerate()
            {
                self.save_topic(
                    Actor::Cli,
                    TopicAdmin {
                        id: tessera_domain::HelpTopicId(0),
                        name_de: de.into(),
                        name_en: en.into(),
                        department: departments[i + 1],
                        is_public: true,
                        is_active: true,
                        sort_order: 10 + i as i64,
                        sla_plan: None,
                        default_priority: tessera_domain::Priority::Normal,
                        auto_agent: None,
                        auto_team: None,
                    },
                )
                .await?;
            }
            for d in &departments {
                self.set_department_alerts(Actor::Cli, *d, false).await?;
            }
        }
        let mut conn = self.db().conn().await?;
        let departments: Vec<DepartmentId> = conn
            .h()
            .active_departments()
            .await?
            .into_iter()
            .map(|(id, _)| DepartmentId(id))
            .collect();
        let agents: Vec<tessera_store::AgentBrief> = conn.h().active_agents().await?;
        let mut members = vec![Vec::new(); departments.len()];
        for a in &agents {
            if let Some(agent) = conn.h().agent(AgentId(a.agent_id)).await? {
                for d in agent.department_ids() {
                    if let Some(i) = departments.iter().position(|x| *x == d) {
                        members[i].push(agent.id);
                    }
                }
            }
        }
        let teams = conn
            .h()
            .active_teams()
            .await?
            .into_iter()
            .map(|(id, _)| TeamId(id))
            .collect();
        let topics = conn
            .h()
            .public_help_topics()
            .await?
            .into_iter()
            .map(|t| {
                let d = departments
                    .iter()
                    .position(|d| *d == t.department_id)
                    .unwrap_or(0);
                (t.id.0, d)
            })
            .collect();
        drop(conn);
        let mut blobs = Vec::new();
        for (ty, bytes) in [
            ("image/png", PNG_1X1),
            ("application/pdf", PDF_EMPTY),
            ("text/plain", b"Demo attachment.\n".as_slice()),
        ] {
            let mut tmp = self.blobs().create_temp().await?;
            tmp.write(bytes).await?;
            let size = bytes.len() as i64;
            blobs.push((ty.to_owned(), self.blobs().commit(tmp).await?, size));
        }
        Ok(Org {
            departments,
            members,
            teams,
            topics,
            blobs,
        })
    }
}

const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

const PDF_EMPTY: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// Picks a piece of text and appends it to `body`.
fn pick<'a>(pool: &'a [Piece], rng: &mut Rng, body: &mut String) -> &'a Piece {
    let p = &pool[rng.index(pool.len())];
    if !body.is_empty() {
        body.push(' ');
    }
    body.push_str(p.text);
    p
}

/// Adds stems to an index document, each once.
fn add<'a>(stems: &'a [String], doc: &mut String, seen: &mut HashSet<&'a str>) {
    for s in stems {
        if seen.insert(s) {
            if !doc.is_empty() {
                doc.push(' ');
            }
            doc.push_str(s);
        }
    }
}

/// One ticket: a subject and 1–10 entries in the requester's language, statuses and
/// assignments by age.
fn demo_ticket(
    rng: &mut Rng,
    texts: &Texts,
    org: &Org,
    serial: u64,
    person: &(i64, String, String, &'static str),
    created: i64,
    now: i64,
) -> DemoTicket {
    let (contact, email, name, lang) = person;
    let l = usize::from(*lang == "en");
    let (topic, dept_index) = org.topics[rng.index(org.topics.len())];
    let department = org.departments[dept_index];
    let members = &org.members[dept_index];
    let subject = &texts.subjects[l][rng.index(texts.subjects[l].len())];
    let number = format!("{}", 10_000_000 + serial);
    let own = stems_of(&format!("{number} {name} {email}"));
    let mut seen: HashSet<&str> = HashSet::new();
    let mut doc = String::new();
    add(&own, &mut doc, &mut seen);
    add(&subject.stems, &mut doc, &mut seen);
    let head = doc.clone();
    let age_days = (now - created) / 86_400_000_000;
    // Entries: mostly short threads, a few long ones.
    let count = match rng.below(100) {
        0..=34 => 1,
        35..=64 => 2,
        65..=84 => 3 + rng.below(2),
        _ => 5 + rng.below(6),
    } as usize;
    let mut entries = Vec::with_capacity(count);
    let mut at = created;
    let mut answered = false;
    let agent = if members.is_empty() {
        None
    } else {
        Some(members[rng.index(members.len())])
    };
    for e in 0..count {
        let by_agent = e % 2 == 1 && agent.is_some();
        let note = by_agent && rng.chance(10);
        let mut body = String::new();
        let mut used: Vec<&Piece> = Vec::new();
        if note {
            used.push(pick(&texts.notes, rng, &mut body));
        } else if by_agent {
            used.push(pick(&texts.replies[l], rng, &mut body));
        } else {
            for _ in 0..1 + rng.below(4) {
                used.push(pick(&texts.sentences[l], rng, &mut body));
            }
        }
        if e == 0 && serial.is_multiple_of(RARE_EVERY) {
            body.push_str(&format!(
                " PS: Der {DEMO_RARE_WORD} auf dem Plakat ist Absicht."
            ));
            add(&texts.rare, &mut doc, &mut seen);
        }
        for p in used {
            add(&p.stems, &mut doc, &mut seen);
        }
        let mut attachments = Vec::new();
        if !by_agent && rng.chance(15) {
            for _ in 0..1 + rng.below(2) {
                let f = rng.index(FILES.len());
                let (fname, ty) = FILES[f];
                // The stored size is the placeholder's, so that downloads are whole.
                let (key, size) = org
                    .blobs
                    .iter()
                    .find(|(t, _, _)| t == ty)
                    .or(org.blobs.last())
                    .map(|b| (b.1.clone(), b.2))
                    .unwrap_or_default();
                attachments.push((fname.to_owned(), ty, size, key));
                add(&texts.files[f], &mut doc, &mut seen);
            }
        }
        entries.push(DemoEntry {
            kind: if note {
                "note"
            } else if by_agent {
                "reply"
            } else {
                "message"
            },
            author_contact_id: (!by_agent).then_some(*contact),
            author_agent_id: if by_agent { agent.map(|a| a.0) } else { None },
            body,
            created_at: at,
            attachments,
        });
        if !note {
            answered = by_agent;
        }
        // Answers come within hours, follow-ups within a day or two.
        at += (600 + rng.below(if by_agent { 36 * 3600 } else { 8 * 3600 }) as i64) * 1_000_000;
    }
    let updated = at.min(now);
    // Old tickets are done; of the last month's, about half still open.
    let roll = rng.below(100);
    let status = if age_days > 30 {
        if roll < 97 {
            if roll < 20 { "resolved" } else { "closed" }
        } else {
            "open"
        }
    } else if roll < 50 {
        "open"
    } else if roll < 65 {
        "resolved"
    } else {
        "closed"
    };
    let assigned = rng.chance(if status == "open" { 60 } else { 90 });
    let team = (assigned && rng.chance(15) && !org.teams.is_empty())
        .then(|| org.teams[rng.index(org.teams.len())].0);
    let priority = match rng.below(100) {
        0..=14 => Priority::Low,
        15..=84 => Priority::Normal,
        85..=96 => Priority::High,
        _ => Priority::Emergency,
    };
    let due_at = (status == "open" && rng.chance(40))
        .then(|| created + (2 + rng.below(10) as i64) * 86_400_000_000);
    DemoTicket {
        number,
        subject: subject.text.to_owned(),
        status,
        priority: (priority.as_str(), priority_rank(priority)),
        help_topic_id: topic,
        department_id: department.0,
        requester_id: *contact,
        assignee_agent_id: if assigned { agent.map(|a| a.0) } else { None },
        assignee_team_id: team,
        is_answered: answered,
        due_at,
        // Alerted when it fell due, as a running helpdesk would have done: a fresh data set
        // does not start with a backlog of overdue alerts that would run beside every
        // benchmark.
        overdue_alerted_at: due_at.filter(|d| *d < now),
        closed_at: (status != "open").then_some(updated),
        created_at: created,
        updated_at: updated,
        entries,
        search_doc: doc,
        search_head: head,
    }
}
