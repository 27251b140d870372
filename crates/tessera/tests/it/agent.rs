//! The agent area over HTTP: sign-in, queues, visibility, every action with its events and
//! mail, collisions, alerts, and the seed's story from start to end.

use reqwest::{StatusCode, header};
use tessera_core::{NewAgent, NewTicketInput};
use tessera_domain::{AgentId, DepartmentId, Lang, Role, TeamId};

use crate::support::{Mail, SmtpServer, TestApp, Tweak, csrf, eventually, ticket_form};

const PASSWORD: &str = "ein langes geheimes Passwort";

/// The people of the seed: a press team in one department, IT in another.
struct World {
    app: TestApp,
    press: DepartmentId,
    it: DepartmentId,
    nadine: AgentId,
    moritz: AgentId,
    ingo: AgentId,
    social: TeamId,
}

impl World {
    async fn new(smtp: Option<&SmtpServer>) -> World {
        let url = smtp.map(|s| s.url());
        Self::start(Box::new(move |c| c.smtp_url = url)).await
    }

    /// The seed on a changed configuration.
    async fn start(tweak: Tweak) -> World {
        let app = TestApp::start_with(tweak).await;
        let core = &app.app;
        let press = DepartmentId(1);
        let it = core
            .create_department(tessera_core::Actor::Cli, "IT", "it@tessera.test")
            .await
            .unwrap();
        let agent = |u: &str, name: &str| NewAgent {
            username: u.into(),
            email: format!("{u}@tessera.test"),
            display_name: name.into(),
            password: PASSWORD.into(),
            is_admin: false,
            lang: Lang::De,
            one_time_password: false,
        };
        let nadine = core
            .create_agent(tessera_core::Actor::Cli, agent("nadine", "Nadine S."))
            .await
            .unwrap();
        let moritz = core
            .create_agent(tessera_core::Actor::Cli, agent("moritz", "Moritz K."))
            .await
            .unwrap();
        let viewer = core
            .create_agent(tessera_core::Actor::Cli, agent("vera", "Vera V."))
            .await
            .unwrap();
        let ingo = core
            .create_agent(tessera_core::Actor::Cli, agent("ingo", "Ingo IT"))
            .await
            .unwrap();
        core.set_department_role(tessera_core::Actor::Cli, nadine, press, Role::Agent)
            .await
            .unwrap();
        core.set_department_role(tessera_core::Actor::Cli, moritz, press, Role::Agent)
            .await
            .unwrap();
        core.set_department_role(tessera_core::Actor::Cli, viewer, press, Role::View)
            .await
            .unwrap();
        core.set_department_role(tessera_core::Actor::Cli, ingo, it, Role::Agent)
            .await
            .unwrap();
        let social = core
            .create_team(tessera_core::Actor::Cli, "Social Media", &[moritz])
            .await
            .unwrap();
        World {
            app,
            press,
            it,
            nadine,
            moritz,
            ingo,
            social,
        }
    }

    /// A browser signed in as `user`.
    async fn login(&self, user: &str) -> reqwest::Client {
        let c = self.app.client();
        let token = csrf(&c, &self.app.url("/agent/login")).await;
        let res = c
            .post(self.app.url("/agent/login"))
            .form(&[
                ("csrf", token.as_str()),
                ("username", user),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{user} signs in");
        assert!(
            res.url().path().starts_with("/agent/queue/"),
            "{}",
            res.url()
        );
        c
    }

    /// Opens a ticket as a requester (through the use case, as the portal does).
    async fn ticket(&self, email: &str, subject: &str) -> String {
        ticket_with(self, email, "Max Müller", subject, "Bitte ein Plakat.").await
    }

    async fn page(&self, c: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let res = c.get(self.app.url(path)).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }

    /// Posts one of the ticket page's small forms; returns the page it lands on.
    async fn act(&self, c: &reqwest::Client, number: &str, fields: &[(&str, &str)]) -> String {
        let url = self.app.url(&format!("/agent/tickets/{number}"));
        let token = csrf(c, &url).await;
        let mut form = vec![("csrf", token.as_str())];
        form.extend_from_slice(fields);
        let res = c
            .post(format!("{url}/action"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.unwrap()
    }

    async fn reply(
        &self,
        c: &reqwest::Client,
        number: &str,
        body: &str,
        extra: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let url = self.app.url(&format!("/agent/tickets/{number}"));
        let page = c.get(&url).send().await.unwrap().text().await.unwrap();
        let token = csrf(c, &url).await;
        let seen = page
            .split("name=\"seen\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let mut fields = vec![("body", body), ("seen", seen.as_str())];
        fields.extend_from_slice(extra);
        let res = c
            .post(format!("{url}/reply"))
            .multipart(ticket_form(&token, &fields, &[]))
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

fn to(mails: &[Mail], addr: &str) -> Vec<Mail> {
    mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t == addr))
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_first_administrator_signs_in_sets_a_password_and_signs_out() {
    let app = TestApp::start().await;
    let c = app.client();
    let token = csrf(&c, &app.url("/agent/login")).await;
    let wrong = c
        .post(app.url("/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "admin"),
            ("password", "falsch"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Benutzername oder Passwort stimmen nicht.")
    );
    let res = c
        .post(app.url("/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "ADMIN"),
            ("password", app.admin_password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.url().path(),
        "/agent/password",
        "a one-time password must be replaced first"
    );
    // Every agent page leads there until it is done.
    let (_, page) = (
        StatusCode::OK,
        c.get(app.url("/agent/queue/open")).send().await.unwrap(),
    );
    assert_eq!(page.url().path(), "/agent/password");
    let token = csrf(&c, &app.url("/agent/password")).await;
    let short = c
        .post(app.url("/agent/password"))
        .form(&[
            ("csrf", token.as_str()),
            ("current", app.admin_password.as_str()),
            ("new", "kurz"),
            ("repeat", "kurz"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("Das neue Passwort ist zu kurz.")
    );
    let ok = c
        .post(app.url("/agent/password"))
        .form(&[
            ("csrf", token.as_str()),
            ("current", app.admin_password.as_str()),
            ("new", PASSWORD),
            ("repeat", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.url().path(), "/agent/queue/open");
    assert!(
        ok.text()
            .await
            .unwrap()
            .contains("Ihr neues Passwort ist gespeichert.")
    );
    // Signing out ends the session on the server.
    let token = csrf(&c, &app.url("/agent/queue/open")).await;
    c.post(app.url("/agent/logout"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    let after = c.get(app.url("/agent/queue/open")).send().await.unwrap();
    assert_eq!(after.url().path(), "/agent/login");
    assert_eq!(app.count("session WHERE agent_id IS NOT NULL").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn sign_in_gets_a_new_session_and_sessions_expire_when_idle() {
    let w = World::new(None).await;
    let c = w.app.client_no_redirect();
    // A session that exists before sign-in (e.g. fixed by an attacker) is replaced.
    let visitor = w.ticket("max@example.org", "Vorher").await;
    let _ = visitor;
    let token = csrf(&c, &w.app.url("/agent/login")).await;
    let res = c
        .post(w.app.url("/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "nadine@tessera.test"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("tessera_session=") && cookie.contains("HttpOnly"));
    assert_eq!(
        c.get(w.app.url("/agent/queue/open"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // Nine idle hours later the session is gone.
    let nine_hours = 9 * 3600 * 1_000_000i64;
    w.app
        .exec(&format!(
            "UPDATE session SET last_seen_at = last_seen_at - {nine_hours}"
        ))
        .await;
    let res = c.get(w.app.url("/agent/queue/open")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        res.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/agent/login")
    );
    w.app.stop().await;
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_without_locking_out_the_real_agent() {
    let w = World::new(None).await;
    let attacker = reqwest::Client::builder()
        .cookie_store(true)
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let token = csrf(&attacker, &w.app.url("/agent/login")).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let res = attacker
            .post(w.app.url("/agent/login"))
            .form(&[
                ("csrf", token.as_str()),
                ("username", "nadine"),
                ("password", "geraten"),
            ])
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    // Even the right password is refused from there now…
    let res = attacker
        .post(w.app.url("/agent/login"))
        .form(&[
            ("csrf", token.as_str()),
            ("username", "nadine"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // …but Nadine at her own machine signs in.
    w.login("nadine").await;
    w.app.stop().await;
}

fn numbers_in(page: &str) -> Vec<String> {
    page.split("name=\"t\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect()
}

/// A queue row marked as changed since the agent last looked.
fn unseen_row(number: &str) -> String {
    format!("<tr class=\"queue-row unseen\" data-href=\"/agent/tickets/{number}\">")
}

/// A queue row the agent has seen as it is.
fn seen_row(number: &str) -> String {
    format!("<tr class=\"queue-row\" data-href=\"/agent/tickets/{number}\">")
}

fn tab_count(page: &str, queue: &str) -> i64 {
    let marker = format!("<li><a href=\"/agent/queue/{queue}\"");
    let rest = page.split(&marker).nth(1).unwrap();
    rest.split("<span class=\"count\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn queues_hold_the_right_tickets_with_live_counts() {
    let w = World::new(None).await;
    let nadine = w.login("nadine").await;
    let fresh = w.ticket("a@example.org", "Frisch").await;
    let answered = w.ticket("b@example.org", "Beantwortet").await;
    let mine = w.ticket("c@example.org", "Meins").await;
    let team = w.ticket("d@example.org", "Team").await;
    let overdue = w.ticket("e@example.org", "Überfällig").await;
    let closed = w.ticket("f@example.org", "Erledigt").await;
    assert_eq!(
        w.reply(&nadine, &answered, "Wir sind dran.", &[]).await.0,
        StatusCode::OK
    );
    w.act(&nadine, &mine, &[("do", "claim")]).await;
    w.act(
        &nadine,
        &team,
        &[("do", "assign"), ("team", &w.social.0.to_string())],
    )
    .await;
    w.act(&nadine, &overdue, &[("do", "due"), ("due", "2020-01-31")])
        .await;
    w.act(&nadine, &closed, &[("do", "status"), ("status", "closed")])
        .await;

    let (status, open) = w.page(&nadine, "/agent/queue/open").await;
    assert_eq!(status, StatusCode::OK);
    let mut expected = vec![fresh.clone(), mine.clone(), team.clone(), overdue.clone()];
    let mut got = numbers_in(&open);
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "open = not answered, not closed");
    assert_eq!(
        numbers_in(&w.page(&nadine, "/agent/queue/answered").await.1),
        vec![answered.clone()]
    );
    // The reply claimed the unassigned ticket: it is Nadine's now, with the claimed one.
    let mut my = numbers_in(&w.page(&nadine, "/agent/queue/mine").await.1);
    my.sort();
    let mut want = vec![answered.clone(), mine.clone()];
    want.sort();
    assert_eq!(my, want);
    let mut unassigned = numbers_in(&w.page(&nadine, "/agent/queue/unassigned").await.1);
    unassigned.sort();
    let mut want = vec![fresh.clone(), overdue.clone(), closed.clone()];
    want.retain(|n| n != &closed);
    want.sort();
    assert_eq!(unassigned, want);
    assert_eq!(
        numbers_in(&w.page(&nadine, "/agent/queue/overdue").await.1),
        vec![overdue.clone()]
    );
    assert_eq!(
        numbers_in(&w.page(&nadine, "/agent/queue/closed").await.1),
        vec![closed.clone()]
    );
    // Moritz is in the team.
    let moritz = w.login("moritz").await;
    let (_, teams) = w.page(&moritz, "/agent/queue/teams").await;
    assert_eq!(numbers_in(&teams), vec![team.clone()]);
    assert_eq!(tab_count(&open, "open"), 4);
    assert_eq!(tab_count(&open, "answered"), 1);
    assert_eq!(tab_count(&open, "mine"), 2);
    assert_eq!(tab_count(&open, "overdue"), 1);
    assert_eq!(tab_count(&open, "closed"), 1);
    assert_eq!(tab_count(&open, "all"), 6);
    // Counts follow changes at once.
    w.act(&nadine, &fresh, &[("do", "status"), ("status", "closed")])
        .await;
    let (_, open) = w.page(&nadine, "/agent/queue/open").await;
    assert_eq!(tab_count(&open, "open"), 3);
    assert_eq!(tab_count(&open, "closed"), 2);
    w.act(&nadine, &fresh, &[("do", "status"), ("status", "open")])
        .await;
    // Filters combine with the queue.
    let (_, filtered) = w
        .page(
            &nadine,
            &format!("/agent/queue/all?assignee={}", w.nadine.0),
        )
        .await;
    assert_eq!(numbers_in(&filtered).len(), 2);
    let (_, filtered) = w.page(&nadine, "/agent/queue/all?status=closed").await;
    assert_eq!(numbers_in(&filtered), vec![closed.clone()]);
    // Tickets changed by someone else show as unseen; those I touched last do not.
    let (_, open) = w.page(&moritz, "/agent/queue/open").await;
    assert!(open.contains(&unseen_row(&fresh)));
    w.app.stop().await;
}

#[tokio::test]
async fn keyset_pages_visit_every_ticket_once_in_order() {
    let w = World::new(None).await;
    let admin = w.login_admin().await;
    let mut created = Vec::new();
    for i in 0..120 {
        created.push(
            w.ticket(&format!("p{i}@example.org"), &format!("Seite {i}"))
                .await,
        );
    }
    for (sort, dir) in [("updated", ""), ("number", "asc"), ("priority", "")] {
        let mut seen = Vec::new();
        let mut next = Some(format!("/agent/queue/open?sort={sort}&dir={dir}"));
        let mut pages = 0;
        while let Some(url) = next {
            let (status, page) = w.page(&admin, &url).await;
            assert_eq!(status, StatusCode::OK);
            assert!(pages < 10, "paging does not end: {url}");
            seen.extend(numbers_in(&page));
            next = page
                .split("rel=\"next\"")
                .next()
                .and_then(|before| before.rsplit("href=\"").next())
                .filter(|_| page.contains("rel=\"next\""))
                .map(|h| h.split('"').next().unwrap().replace("&#38;", "&"));
            pages += 1;
        }
        assert_eq!(pages, 3, "{sort}: 50 + 50 + 20");
        assert_eq!(seen.len(), 120, "{sort}");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 120, "{sort}: no ticket twice");
        if sort == "number" {
            let mut sorted = seen.clone();
            sorted.sort();
            assert_eq!(seen, sorted);
        }
        if sort == "updated" {
            assert_eq!(seen[0], created[119], "newest activity first");
        }
    }
    w.app.stop().await;
}

/// Follows a queue's "next" links from `first` and returns the ticket numbers in page order.
async fn walk_pages(w: &World, c: &reqwest::Client, first: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut next = Some(first.to_owned());
    let mut pages = 0;
    while let Some(url) = next {
        let (status, page) = w.page(c, &url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        assert!(pages < 10, "paging does not end: {url}");
        seen.extend(numbers_in(&page));
        next = page
            .split("rel=\"next\"")
            .next()
            .and_then(|before| before.rsplit("href=\"").next())
            .filter(|_| page.contains("rel=\"next\""))
            .map(|h| h.split('"').next().unwrap().replace("&#38;", "&"));
        pages += 1;
    }
    seen
}

#[tokio::test]
async fn sorted_queue_pages_walk_every_ticket_once_in_key_order() {
    let w = World::new(None).await;
    let admin = w.login_admin().await;
    // Few distinct priorities and due dates, most tickets without one: pages must break in
    // the middle of a run of equal keys, where the cursor's ticket id decides.
    let mut tickets = Vec::new();
    for i in 0..130i64 {
        let number = w
            .ticket(&format!("s{i}@example.org"), &format!("Sortiert {i}"))
            .await;
        let rank = [3, 2, 2, 1, 4][(i % 5) as usize];
        let due = (i % 4 == 0).then(|| 1_900_000_000_000_000 + (i % 3) * 3_600_000_000);
        let due_sql = due.map_or("NULL".to_owned(), |d| d.to_string());
        w.app
            .exec(&format!(
                "UPDATE ticket SET priority_rank = {rank}, due_at = {due_sql}
                 WHERE number = '{number}'"
            ))
            .await;
        if i % 7 == 0 {
            w.app
                .exec(&format!(
                    "UPDATE ticket SET status = 'closed' WHERE number = '{number}'"
                ))
                .await;
        }
        tickets.push((i, number, rank, due.unwrap_or(i64::MAX), i % 7 == 0));
    }
    for queue in ["all", "closed", "open"] {
        for sort in ["number", "due", "priority"] {
            for dir in ["asc", "desc"] {
                let mut expected: Vec<_> = tickets
                    .iter()
                    .filter(|t| match queue {
                        "closed" => t.4,
                        "open" => !t.4,
                        _ => true,
                    })
                    .collect();
                // Ticket ids follow creation order, so `i` stands for the id.
                expected.sort_by(|a, b| match sort {
                    "number" => a.1.cmp(&b.1),
                    "due" => (a.3, a.0).cmp(&(b.3, b.0)),
                    _ => (a.2, a.0).cmp(&(b.2, b.0)),
                });
                if dir == "desc" {
                    expected.reverse();
                }
                let expected: Vec<String> = expected.into_iter().map(|t| t.1.clone()).collect();
                let seen = walk_pages(
                    &w,
                    &admin,
                    &format!("/agent/queue/{queue}?sort={sort}&dir={dir}"),
                )
                .await;
                assert_eq!(seen, expected, "{queue} by {sort} {dir}");
            }
        }
    }
    w.app.stop().await;
}

/// An agent who sees tickets by department, by their own assignment and by a team's reads
/// the union of those, merged in order across pages: a ticket that is in two of them comes
/// once, answered and closed tickets not at all.
#[tokio::test]
async fn a_restricted_agents_queue_pages_merge_every_way_they_see_a_ticket() {
    let w = World::new(None).await;
    let netz = w
        .app
        .app
        .create_team(tessera_core::Actor::Cli, "Netz", &[w.ingo])
        .await
        .unwrap();
    let ingo = w.login("ingo").await;
    // (number, visible to ingo, open, answered, updated_at)
    let mut tickets = Vec::new();
    for i in 0..300i64 {
        let number = w
            .ticket(&format!("u{i}@example.org"), &format!("Zusammen {i}"))
            .await;
        let in_it = i % 3 == 0;
        let mine = i % 5 == 1 || (in_it && i % 5 == 0);
        let team = i % 7 == 2;
        let answered = i % 2 == 1;
        let closed = i % 11 == 0;
        // Distinct times in an order unlike the tickets' ids.
        let updated = 1_900_000_000_000_000 + ((i * 77) % 300) * 1_000;
        let department = if in_it { w.it } else { w.press };
        let agent = if mine {
            w.ingo.0.to_string()
        } else {
            "NULL".into()
        };
        let team_id = if team {
            netz.0.to_string()
        } else {
            "NULL".into()
        };
        let status = if closed { "closed" } else { "open" };
        w.app
            .exec(&format!(
                "UPDATE ticket SET department_id = {}, assignee_agent_id = {agent},
                        assignee_team_id = {team_id}, is_answered = {answered},
                        status = '{status}', updated_at = {updated}
                 WHERE number = '{number}'",
                department.0
            ))
            .await;
        tickets.push((number, in_it || mine || team, !closed, answered, updated));
    }
    for (queue, answered) in [("open", false), ("answered", true)] {
        let mut expected: Vec<_> = tickets
            .iter()
            .filter(|t| t.1 && t.2 && t.3 == answered)
            .collect();
        expected.sort_by_key(|t| std::cmp::Reverse(t.4));
        let expected: Vec<String> = expected.into_iter().map(|t| t.0.clone()).collect();
        assert!(expected.len() > 50, "{queue}: more than a page");
        let seen = walk_pages(&w, &ingo, &format!("/agent/queue/{queue}")).await;
        assert_eq!(seen, expected, "{queue}");
    }
    w.app.stop().await;
}

impl World {
    async fn login_admin(&self) -> reqwest::Client {
        self.app
            .exec("UPDATE agent SET must_change_password = FALSE WHERE username = 'admin'")
            .await;
        let c = self.app.client();
        let token = csrf(&c, &self.app.url("/agent/login")).await;
        let res = c
            .post(self.app.url("/agent/login"))
            .form(&[
                ("csrf", token.as_str()),
                ("username", "admin"),
                ("password", self.app.admin_password.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert!(res.url().path().starts_with("/agent/queue/"));
        c
    }
}

#[tokio::test]
async fn agents_see_only_their_departments_and_what_is_assigned_to_them() {
    let w = World::new(None).await;
    let press_ticket = w.ticket("a@example.org", "Plakat").await;
    let ingo = w.login("ingo").await;
    let (status, page) = w
        .page(&ingo, &format!("/agent/tickets/{press_ticket}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another department's ticket");
    assert!(!page.contains("Plakat"));
    assert!(numbers_in(&w.page(&ingo, "/agent/queue/all").await.1).is_empty());
    let token = csrf(&ingo, &w.app.url("/agent/queue/open")).await;
    let res = ingo
        .post(w.app.url(&format!("/agent/tickets/{press_ticket}/action")))
        .form(&[("csrf", token.as_str()), ("do", "claim")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Assigned to him, he sees it.
    let nadine = w.login("nadine").await;
    w.act(
        &nadine,
        &press_ticket,
        &[("do", "assign"), ("agent", &w.ingo.0.to_string())],
    )
    .await;
    assert_eq!(
        w.page(&ingo, &format!("/agent/tickets/{press_ticket}"))
            .await
            .0,
        StatusCode::OK
    );
    // A view-only member sees but cannot act.
    let vera = w.login("vera").await;
    let other = w.ticket("b@example.org", "Nur lesen").await;
    let (status, page) = w.page(&vera, &format!("/agent/tickets/{other}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Sie können dieses Ticket nur ansehen."));
    assert!(!page.contains("/reply\""));
    let after = w.act(&vera, &other, &[("do", "claim")]).await;
    assert!(after.contains("Dafür fehlt Ihnen die Berechtigung."));
    assert_eq!(
        w.app
            .count("thread_entry WHERE kind = 'event' AND author_agent_id IS NOT NULL")
            .await,
        1,
        "only Nadine's assignment"
    );
    // The administrator sees everything.
    let admin = w.login_admin().await;
    assert_eq!(
        numbers_in(&w.page(&admin, "/agent/queue/all").await.1).len(),
        2
    );
    let _ = (w.it, w.press, w.moritz);
    w.app.stop().await;
}

#[tokio::test]
async fn every_action_is_recorded_and_notified() {
    let smtp = SmtpServer::start();
    let w = World::new(Some(&smtp)).await;
    let nadine = w.login("nadine").await;
    let n = w.ticket("max@example.org", "Flyer").await;
    let url = format!("/agent/tickets/{n}");

    // Assign to Moritz: he is alerted, the requester is told who has it.
    let page = w
        .act(
            &nadine,
            &n,
            &[("do", "assign"), ("agent", &w.moritz.0.to_string())],
        )
        .await;
    assert!(page.contains("Das Ticket wurde zugewiesen."));
    assert!(page.contains("hat zugewiesen an: Moritz K."));
    assert!(page.contains("Max Müller</span> hat das Ticket über das Portal eröffnet"));
    // Priority, due date, status round trip.
    let page = w
        .act(&nadine, &n, &[("do", "priority"), ("priority", "high")])
        .await;
    assert!(page.contains("hat die Priorität von „Normal“ auf „Hoch“ geändert"));
    let page = w
        .act(&nadine, &n, &[("do", "due"), ("due", "2030-06-01")])
        .await;
    assert!(page.contains("hat die Fälligkeit gesetzt: 2030-06-01") && page.contains("01.06.2030"));
    let page = w
        .act(&nadine, &n, &[("do", "due"), ("due", "morgen")])
        .await;
    assert!(page.contains("Bitte geben Sie ein Datum ein"));
    w.act(&nadine, &n, &[("do", "status"), ("status", "resolved")])
        .await;
    let page = w
        .act(&nadine, &n, &[("do", "status"), ("status", "open")])
        .await;
    assert!(page.contains("hat den Status von „Erledigt“ auf „Offen“ geändert"));
    // A collaborator gets their own link.
    let page = w
        .act(
            &nadine,
            &n,
            &[
                ("do", "collaborator-add"),
                ("email", "Moritz.Presse@Example.org"),
                ("name", "Moritz Presse"),
            ],
        )
        .await;
    assert!(page.contains("hat Moritz.Presse@example.org hinzugefügt"));
    assert!(page.contains("Moritz Presse"));
    // An internal note with an alert for the assignee.
    let token = csrf(&nadine, &w.app.url(&url)).await;
    let res = nadine
        .post(w.app.url(&format!("{url}/note")))
        .multipart(ticket_form(
            &token,
            &[("note", "Nur intern: Budget klären."), ("alert", "1")],
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Die Notiz wurde gespeichert.")
    );
    // Transfer with a comment, then back.
    let page = w
        .act(
            &nadine,
            &n,
            &[
                ("do", "transfer"),
                ("department", &w.it.0.to_string()),
                ("comment", "Bitte Website prüfen"),
            ],
        )
        .await;
    // IT is not Nadine's department and the ticket is Moritz's: she is back at her queue.
    assert!(page.contains("Das Ticket wurde verschoben.") && page.contains("queue-tabs"));
    assert_eq!(w.page(&nadine, &url).await.0, StatusCode::NOT_FOUND);
    let moritz = w.login("moritz").await;
    let page = w.page(&moritz, &url).await.1;
    assert!(page.contains("hat verschoben von Support nach IT"));
    assert!(page.contains("Bitte Website prüfen"));
    w.act(
        &moritz,
        &n,
        &[("do", "transfer"), ("department", &w.press.0.to_string())],
    )
    .await;
    // Moritz replies: requester and collaborator get it, each with a working link.
    let (status, page) = w
        .reply(
            &moritz,
            &n,
            "Hier ist der **Entwurf**.",
            &[("status", "resolved")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ihre Antwort wurde gespeichert"));
    assert!(page.contains("badge status-resolved"));
    // Release, then remove the collaborator: their links stop working.
    w.act(&moritz, &n, &[("do", "release")]).await;
    let collab = w
        .app
        .count("contact WHERE email_key = 'moritz.presse@example.org'")
        .await;
    assert_eq!(collab, 1);

    let mails = w.app.delivered(&smtp).await;
    let requester = to(&mails, "max@example.org");
    let subjects: Vec<&str> = requester.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        requester.len(),
        3,
        "confirmation, assignment, reply: {subjects:#?}"
    );
    assert!(
        requester
            .iter()
            .any(|m| m.text.contains("wird jetzt bearbeitet von: Moritz K."))
    );
    let reply = requester
        .iter()
        .find(|m| m.text.contains("Moritz K. hat auf Ihr Ticket"))
        .unwrap();
    assert!(reply.text.contains("Hier ist der **Entwurf**."));
    assert!(reply.subject.contains(&format!("[#{n}]")));
    let collaborator = to(&mails, "Moritz.Presse@example.org");
    assert_eq!(collaborator.len(), 2, "welcome and reply");
    assert!(
        collaborator
            .iter()
            .any(|m| m.text.contains("hat Sie zum Ticket"))
    );
    let moritz_mails = to(&mails, "moritz@tessera.test");
    assert!(
        moritz_mails
            .iter()
            .any(|m| m.subject.starts_with("Ihnen zugewiesen"))
    );
    assert!(
        moritz_mails
            .iter()
            .any(|m| m.subject.starts_with("Interne Notiz") && m.text.contains("Budget klären"))
    );
    assert!(
        mails
            .iter()
            .all(|m| !m.text.contains("Budget") || m.to == vec!["moritz@tessera.test"]),
        "notes stay internal"
    );
    // The collaborator's link works, until they are removed.
    let link = collaborator
        .iter()
        .find(|m| m.text.contains("Entwurf"))
        .expect("the reply reached the collaborator")
        .access_link();
    let browser = w.app.client();
    let res = browser.get(&link).send().await.unwrap();
    assert_eq!(res.url().path(), format!("/tickets/{n}"));
    let page = res.text().await.unwrap();
    assert!(page.contains("Hier ist der <strong>Entwurf</strong>.") && !page.contains("Budget"));
    let contact_id: i64 = {
        let mut c = w.app.app.db().conn().await.unwrap();
        let t = c.h().ticket_by_number(&n).await.unwrap();
        c.h().collaborators(t.id).await.unwrap()[0].id.0
    };
    w.act(
        &moritz,
        &n,
        &[
            ("do", "collaborator-remove"),
            ("contact", &contact_id.to_string()),
        ],
    )
    .await;
    assert_eq!(
        w.app.client().get(&link).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    w.app.stop().await;
}

#[tokio::test]
async fn a_reply_written_against_a_stale_view_warns_first() {
    let w = World::new(None).await;
    let n = w.ticket("max@example.org", "Gleichzeitig").await;
    let nadine = w.login("nadine").await;
    let moritz = w.login("moritz").await;
    let url = w.app.url(&format!("/agent/tickets/{n}"));
    // Both have it open: each sees the other.
    nadine.get(&url).send().await.unwrap();
    let page = moritz.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Gerade ebenfalls geöffnet von: Nadine S."));
    let presence = nadine
        .get(format!("{url}/presence"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(presence, "Gerade ebenfalls geöffnet von: Moritz K.");
    let anonymous = w
        .app
        .client()
        .get(format!("{url}/presence"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    // Nadine loads the page, Moritz replies, then Nadine sends what she wrote.
    let nadine_page = nadine.get(&url).send().await.unwrap().text().await.unwrap();
    let seen = nadine_page
        .split("name=\"seen\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        w.reply(&moritz, &n, "Ich übernehme.", &[]).await.0,
        StatusCode::OK
    );
    let token = csrf(&nadine, &url).await;
    let stale = nadine
        .post(format!("{url}/reply"))
        .multipart(ticket_form(
            &token,
            &[("body", "Ich auch!"), ("seen", &seen)],
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = stale.text().await.unwrap();
    assert!(page.contains("Inzwischen hat jemand anderes geschrieben."));
    assert!(page.contains(">Ich auch!</textarea>"), "her text is kept");
    assert!(page.contains("Ich übernehme."), "the new entry is shown");
    assert_eq!(w.app.count("thread_entry WHERE kind = 'reply'").await, 1);
    let confirm = page.contains("name=\"confirm\" value=\"1\"");
    assert!(confirm);
    let res = nadine
        .post(format!("{url}/reply"))
        .multipart(ticket_form(
            &token,
            &[("body", "Ich auch!"), ("seen", &seen), ("confirm", "1")],
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(w.app.count("thread_entry WHERE kind = 'reply'").await, 2);
    w.app.stop().await;
}

#[tokio::test]
async fn agents_are_alerted_about_new_tickets_messages_and_overdue_ones() {
    let smtp = SmtpServer::start();
    let w = World::new(Some(&smtp)).await;
    w.app
        .app
        .set_department_alerts(tessera_core::Actor::Cli, w.it, false)
        .await
        .unwrap();
    let n = w.ticket("max@example.org", "Neu").await;
    // Alerts for the press department go to its working members, not to the viewer.
    let mails = w.app.delivered(&smtp).await;
    let alerted: Vec<_> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Neues Ticket"))
        .flat_map(|m| m.to.clone())
        .collect();
    let mut alerted = alerted;
    alerted.sort();
    assert_eq!(alerted, vec!["moritz@tessera.test", "nadine@tessera.test"]);
    // A message on Nadine's ticket alerts her.
    let nadine = w.login("nadine").await;
    w.act(&nadine, &n, &[("do", "claim")]).await;
    let requester = w.app.client();
    let link = to(&mails, "max@example.org")[0].access_link();
    requester.get(&link).send().await.unwrap();
    let ticket_url = w.app.url(&format!("/tickets/{n}"));
    let token = csrf(&requester, &ticket_url).await;
    let res = requester
        .post(format!("{ticket_url}/reply"))
        .multipart(ticket_form(&token, &[("body", "Noch eine Frage")], &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Ihre Antwort wurde gespeichert.")
    );
    // Past its due date, the assignee is alerted once, by the worker on its own.
    w.app.exec("UPDATE ticket SET due_at = 1").await;
    let mails = eventually("the overdue alert", async || {
        let m = w.app.delivered(&smtp).await;
        m.iter()
            .any(|m| m.subject.starts_with("Überfällig"))
            .then_some(m)
    })
    .await;
    let nadine_mails = to(&mails, "nadine@tessera.test");
    let subjects: Vec<_> = nadine_mails.iter().map(|m| m.subject.clone()).collect();
    assert!(
        nadine_mails
            .iter()
            .any(|m| m.subject.starts_with("Neue Nachricht") && m.text.contains("Noch eine Frage")),
        "{subjects:?}"
    );
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.subject.starts_with("Überfällig"))
            .count(),
        1
    );
    assert!(
        nadine_mails
            .iter()
            .any(|m| m.subject.starts_with("Überfällig"))
    );
    // A ticket in IT, whose alerts are off, alerts nobody.
    let ingo = w.ingo;
    let _ = ingo;
    w.app.stop().await;
}

#[tokio::test]
async fn bulk_actions_change_every_selected_ticket_the_agent_may_change() {
    let w = World::new(None).await;
    let nadine = w.login("nadine").await;
    let a = w.ticket("a@example.org", "Eins").await;
    let b = w.ticket("b@example.org", "Zwei").await;
    let c = w.ticket("c@example.org", "Drei").await;
    let token = csrf(&nadine, &w.app.url("/agent/queue/open")).await;
    let bulk = async |action: &str, tickets: &[&str]| {
        let mut body = format!(
            "csrf={token}&back=%2Fagent%2Fqueue%2Fopen&action={}",
            action.replace(':', "%3A")
        );
        for t in tickets {
            body.push_str(&format!("&t={t}"));
        }
        let res = nadine
            .post(w.app.url("/agent/bulk"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res.text().await.unwrap()
    };
    let page = bulk(&format!("team:{}", w.social.0), &[&a, &b]).await;
    assert!(page.contains("Die ausgewählten Tickets wurden geändert."));
    assert_eq!(
        w.app
            .count(&format!("ticket WHERE assignee_team_id = {}", w.social.0))
            .await,
        2
    );
    bulk("priority:emergency", &[&a, &b, &c]).await;
    assert_eq!(
        w.app
            .count("ticket WHERE priority = 'emergency' AND priority_rank = 4")
            .await,
        3
    );
    bulk(&format!("department:{}", w.it.0), &[&c]).await;
    bulk("close", &[&a, &b, &c]).await;
    assert_eq!(
        w.app.count("ticket WHERE status = 'closed'").await,
        2,
        "c moved to IT, out of Nadine's reach"
    );
    let page = bulk("close", &[]).await;
    assert!(page.contains("Bitte wählen Sie Tickets und eine Aktion aus."));
    w.app.stop().await;
}

#[tokio::test]
async fn the_seed_story_from_request_to_closed_ticket() {
    let smtp = SmtpServer::start();
    let w = World::new(Some(&smtp)).await;
    // Max opens a task on the portal.
    let max = w.app.client();
    let page = max
        .get(w.app.url("/open"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let topic = crate::support::first_topic(&page);
    let token = csrf(&max, &w.app.url("/open")).await;
    let res = max
        .post(w.app.url("/open"))
        .multipart(ticket_form(
            &token,
            &[
                ("email", "max@example.org"),
                ("name", "Max"),
                ("help_topic_id", &topic),
                ("subject", "Nikolausschwimmen"),
                ("body", "Plakat, Flyer und Facebook-Veranstaltung bitte."),
            ],
            &[],
        ))
        .send()
        .await
        .unwrap();
    let n = res.url().path().trim_start_matches("/tickets/").to_owned();
    // Nadine (Hamburg) claims it and replies with the poster attached.
    let nadine = w.login("nadine").await;
    w.act(&nadine, &n, &[("do", "claim")]).await;
    let url = w.app.url(&format!("/agent/tickets/{n}"));
    let page = nadine.get(&url).send().await.unwrap().text().await.unwrap();
    let seen = page
        .split("name=\"seen\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let token = csrf(&nadine, &url).await;
    let res = nadine
        .post(format!("{url}/reply"))
        .multipart(ticket_form(
            &token,
            &[("body", "Plakat und Flyer sind fertig."), ("seen", &seen)],
            &[("Plakat.pdf", b"%PDF-poster".to_vec())],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // She hands it to Moritz (Dubai) and adds a colleague.
    w.act(
        &nadine,
        &n,
        &[("do", "assign"), ("agent", &w.moritz.0.to_string())],
    )
    .await;
    w.act(
        &nadine,
        &n,
        &[
            ("do", "collaborator-add"),
            ("email", "leitung@example.org"),
            ("name", "Leitung"),
        ],
    )
    .await;
    // Moritz notes, replies and closes.
    let moritz = w.login("moritz").await;
    let token = csrf(&moritz, &url).await;
    moritz
        .post(format!("{url}/note"))
        .multipart(ticket_form(
            &token,
            &[("note", "Event-Link intern prüfen")],
            &[],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        w.reply(
            &moritz,
            &n,
            "Die Facebook-Veranstaltung ist online.",
            &[("status", "closed")]
        )
        .await
        .0,
        StatusCode::OK
    );

    // Max's page shows every public step and who has it, never the note.
    let page = max
        .get(w.app.url(&format!("/tickets/{n}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for text in [
        "Plakat, Flyer und Facebook-Veranstaltung bitte.",
        "Plakat und Flyer sind fertig.",
        "Plakat.pdf",
        "Die Facebook-Veranstaltung ist online.",
        "Moritz K.",
        "Geschlossen",
    ] {
        assert!(page.contains(text), "{text}");
    }
    assert!(!page.contains("Event-Link intern"));
    let mails = w.app.delivered(&smtp).await;
    let max_mails = to(&mails, "max@example.org");
    assert!(
        max_mails
            .iter()
            .any(|m| m.text.contains("Plakat und Flyer sind fertig.")
                && m.text.contains("Plakat.pdf"))
    );
    assert!(
        max_mails
            .iter()
            .any(|m| m.text.contains("Die Facebook-Veranstaltung ist online."))
    );
    let lead = to(&mails, "leitung@example.org");
    assert!(
        lead.iter()
            .any(|m| m.text.contains("Die Facebook-Veranstaltung ist online."))
    );
    assert!(
        mails.iter().all(|m| !m.text.contains("Event-Link intern")),
        "nobody receives the note"
    );
    w.app.stop().await;
}

#[tokio::test]
async fn an_agent_revokes_a_requesters_access_at_once() {
    let smtp = SmtpServer::start();
    let w = World::new(Some(&smtp)).await;
    let n = w.ticket("max@example.org", "Zugang").await;
    let mails = w.app.delivered(&smtp).await;
    let link = to(&mails, "max@example.org")[0].access_link();
    let max = w.app.client();
    assert_eq!(
        max.get(&link).send().await.unwrap().url().path(),
        format!("/tickets/{n}")
    );
    let nadine = w.login("nadine").await;
    let contact = {
        let mut c = w.app.app.db().conn().await.unwrap();
        c.h().ticket_by_number(&n).await.unwrap().requester.id.0
    };
    let page = w
        .act(
            &nadine,
            &n,
            &[
                ("do", "revoke-access"),
                ("contact", &contact.to_string()),
                ("confirm", "1"),
            ],
        )
        .await;
    assert!(page.contains("Alle Zugangslinks dieser Person sind gesperrt"));
    assert!(page.contains("hat die Zugangslinks von max@example.org gesperrt"));
    // The open session and the mailed link both stop working…
    assert_eq!(
        max.get(w.app.url(&format!("/tickets/{n}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        w.app.client().get(&link).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    // …while number and address still lead the requester back in.
    let token = csrf(&max, &w.app.url("/status")).await;
    let res = max
        .post(w.app.url("/status"))
        .form(&[
            ("csrf", token.as_str()),
            ("number", n.as_str()),
            ("email", "max@example.org"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.url().path(), format!("/tickets/{n}"));
    w.app.stop().await;
}

/// Opens a ticket with a body of its own.
async fn ticket_with(w: &World, email: &str, name: &str, subject: &str, body: &str) -> String {
    let topic = {
        let mut c = w.app.app.db().conn().await.unwrap();
        c.h().public_help_topics().await.unwrap()[0].id.0
    };
    w.app
        .app
        .open_ticket(NewTicketInput {
            email: email.into(),
            name: name.into(),
            help_topic_id: topic.to_string(),
            subject: subject.into(),
            body: body.into(),
            uploads: vec![],
            lang: Lang::De,
        })
        .await
        .unwrap()
        .number
}

fn search_path(queue: &str, q: &str, extra: &str) -> String {
    format!("/agent/queue/{queue}?q={}{extra}", percent_encoding_lite(q))
}

fn percent_encoding_lite(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn search_finds_word_forms_names_numbers_and_new_replies_within_visibility() {
    let w = World::new(None).await;
    let printer = ticket_with(
        &w,
        "erika@example.org",
        "Erika Mustermann",
        "Druckt nicht",
        "Der Drucker im zweiten Stock zieht kein Papier ein.",
    )
    .await;
    let vpn = ticket_with(
        &w,
        "paul@example.org",
        "Paul Jansen",
        "VPN",
        "The VPN client keeps disconnecting when printing.",
    )
    .await;
    let it_ticket = ticket_with(
        &w,
        "olga@example.org",
        "Olga",
        "Server",
        "Der Drucker im Serverraum piept.",
    )
    .await;
    let nadine = w.login("nadine").await;
    w.act(
        &nadine,
        &it_ticket,
        &[("do", "transfer"), ("department", &w.it.0.to_string())],
    )
    .await;

    // Another form of the word, highlighted where it was found; IT's ticket is not hers.
    let (status, page) = w.page(&nadine, &search_path("all", "Druckers", "")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(numbers_in(&page), vec![printer.clone()]);
    assert!(page.contains("<mark>Drucker</mark>"), "{page}");
    // English stemming: "printer" meets "printing"; names, addresses and numbers are found.
    for (q, expected) in [
        ("printer", &vpn),
        ("Mustermann", &printer),
        ("paul@example.org", &vpn),
        (printer.as_str(), &printer),
    ] {
        let page = w.page(&nadine, &search_path("all", q, "")).await.1;
        assert_eq!(numbers_in(&page), vec![expected.clone()], "{q}");
    }
    // Every word must match; words in no ticket find nothing, and say so.
    let page = w
        .page(&nadine, &search_path("all", "Drucker VPN", ""))
        .await
        .1;
    assert!(numbers_in(&page).is_empty());
    assert!(page.contains("Keine Tickets gefunden"));
    // Combined with the queue's filters: the printer ticket is open, not closed.
    let page = w
        .page(&nadine, &search_path("all", "Drucker", "&status=closed"))
        .await
        .1;
    assert!(numbers_in(&page).is_empty());
    let page = w.page(&nadine, &search_path("open", "Drucker", "")).await.1;
    assert_eq!(numbers_in(&page), vec![printer.clone()]);
    // IT's agent finds IT's ticket only.
    let ingo = w.login("ingo").await;
    let page = w.page(&ingo, &search_path("all", "Drucker", "")).await.1;
    assert_eq!(numbers_in(&page), vec![it_ticket.clone()]);
    // A reply is searchable at once (the index changes in the reply's transaction).
    let (status, _) = w
        .reply(&nadine, &vpn, "Bitte den Tonerwechsel abwarten.", &[])
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = w
        .page(&nadine, &search_path("all", "Tonerwechsel", ""))
        .await
        .1;
    assert_eq!(numbers_in(&page), vec![vpn.clone()]);
    // Its snippet comes from the reply, not from the first message.
    assert!(
        page.contains("Bitte den <mark>Tonerwechsel</mark> abwarten."),
        "{page}"
    );
    // Query syntax typed by someone is just words.
    let (status, page) = w
        .page(&nadine, &search_path("all", "\"Drucker\" OR * NEAR(", ""))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        numbers_in(&page).is_empty(),
        "OR and NEAR are words that occur nowhere"
    );
    let _ = (w.moritz, w.social, w.press);
    w.app.stop().await;
}

#[tokio::test]
async fn search_pages_walk_every_hit_once() {
    let w = World::new(None).await;
    let mut opened = Vec::new();
    for i in 0..57 {
        opened.push(
            ticket_with(
                &w,
                &format!("p{i}@example.org"),
                "Petra",
                &format!("Beamer {i}"),
                if i % 2 == 0 {
                    "Der Beamer flackert."
                } else {
                    "Beamer, Beamer: kein Bild vom Beamer."
                },
            )
            .await,
        );
    }
    let admin = w.login_admin().await;
    let mut seen = Vec::new();
    let mut path = search_path("all", "beamer", "");
    loop {
        let page = w.page(&admin, &path).await.1;
        assert!(
            seen.len() <= 57,
            "the pager goes round in circles at {path}"
        );
        seen.extend(numbers_in(&page));
        match page
            .split("rel=\"next\"")
            .next()
            .and_then(|p| p.rsplit("href=\"").next())
        {
            Some(href) if page.contains("rel=\"next\"") => {
                path = href.split('"').next().unwrap().replace("&#38;", "&");
            }
            _ => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no ticket twice");
    opened.sort();
    assert_eq!(sorted, opened, "every hit once");
    w.app.stop().await;
}

/// The `rel="next"` link of a page, if it has one.
fn next_link(page: &str) -> Option<String> {
    let before = page.split("rel=\"next\"").next()?;
    page.contains("rel=\"next\"").then(|| {
        before
            .rsplit("href=\"")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&#38;", "&")
    })
}

#[tokio::test]
async fn search_ranks_within_windows_and_walks_on_to_older_windows() {
    // Windows of 4: ten hits make three windows, one page each (pages hold 50).
    let w = World::start(Box::new(|c| c.core.search_window = 4)).await;
    // Oldest first; every third names the word in its subject, the others only in the
    // thread.
    let mut opened = Vec::new();
    for i in 0..10 {
        let in_subject = i % 3 == 0;
        let n = ticket_with(
            &w,
            &format!("p{i}@example.org"),
            "Petra",
            &if in_subject {
                format!("Beamer {i}")
            } else {
                format!("Raum {i}")
            },
            if in_subject {
                "Kein Bild."
            } else {
                "Der Beamer flackert."
            },
        )
        .await;
        opened.push((n, in_subject));
    }
    w.ticket("x@example.org", "Plakat").await;
    let admin = w.login_admin().await;
    let mut pages = Vec::new();
    let mut path = search_path("all", "beamer", "");
    loop {
        let page = w.page(&admin, &path).await.1;
        pages.push(numbers_in(&page));
        assert!(pages.len() <= 3, "the pager goes on past the last window");
        match next_link(&page) {
            Some(next) => path = next,
            None => break,
        }
    }
    // Newest window first; in each, subject hits before thread hits, newest first.
    let window = |ids: std::ops::Range<usize>| {
        let mut rows: Vec<&(String, bool)> = opened[ids].iter().rev().collect();
        rows.sort_by_key(|r| !r.1);
        rows.into_iter().map(|r| r.0.clone()).collect::<Vec<_>>()
    };
    assert_eq!(pages, vec![window(6..10), window(2..6), window(0..2)]);
    // Two words: both in the subject first, then one of them, then neither.
    let some = ticket_with(&w, "r@example.org", "Rita", "Beamer", "Er flackert.").await;
    let both = ticket_with(&w, "q@example.org", "Quentin", "Beamer flackert", "Nichts.").await;
    let page = w
        .page(&admin, &search_path("all", "beamer flackert", ""))
        .await
        .1;
    let thread_only = |i: usize| opened[i].0.clone();
    assert_eq!(
        numbers_in(&page),
        vec![both, some, thread_only(8), thread_only(7)]
    );
    let _ = (w.press, w.it, w.moritz, w.ingo, w.social, w.nadine);
    w.app.stop().await;
}

/// `tessera db optimize`: the index, written a segment per ticket here, is merged into one
/// in steps while the server runs, and finds what it found before.
#[tokio::test]
async fn the_search_index_compacted_finds_what_it_found() {
    let w = World::new(None).await;
    let mut opened = Vec::new();
    for i in 0..6 {
        let email = format!("r{i}@example.org");
        opened.push(ticket_with(&w, &email, "Rita", "Scanner", &format!("Fall {i}")).await);
    }
    let admin = w.login_admin().await;
    let before = numbers_in(&w.page(&admin, &search_path("all", "scanner", "")).await.1);
    assert_eq!(before.len(), 6);
    let sqlite = w.app.app.db().backend() == tessera_store::Backend::Sqlite;
    let segments = async || {
        w.app
            .scalar("SELECT COUNT(DISTINCT segid) FROM ticket_search_idx")
            .await
    };
    if sqlite {
        assert!(segments().await > 1, "one segment per ticket");
    }
    let steps = w.app.app.compact_search_index(|_| {}).await.unwrap();
    assert_eq!(steps > 0, sqlite, "work only on SQLite");
    assert_eq!(w.app.app.compact_search_index(|_| {}).await.unwrap(), 0);
    if sqlite {
        assert_eq!(segments().await, 1);
    }
    let after = numbers_in(&w.page(&admin, &search_path("all", "scanner", "")).await.1);
    assert_eq!(after, before);
    let _ = (w.press, w.it, w.moritz, w.ingo, w.social, w.nadine);
    w.app.stop().await;
}

#[tokio::test]
async fn ticket_heads_are_filled_at_start_for_tickets_from_before_them() {
    let mut w = World::new(None).await;
    let named = ticket_with(&w, "a@example.org", "Anna", "Beamer", "Kein Bild.").await;
    let mentioned = ticket_with(&w, "b@example.org", "Ben", "Raum 3", "Der Beamer.").await;
    // As in an installation from before the heads: none, and no mark that they are done.
    w.app.exec("DELETE FROM ticket_search_head").await;
    w.app
        .exec("DELETE FROM setting WHERE key = 'search_heads_backfilled'")
        .await;
    let admin = w.login_admin().await;
    let page = w.page(&admin, &search_path("all", "beamer", "")).await.1;
    assert_eq!(
        numbers_in(&page),
        vec![mentioned.clone(), named.clone()],
        "without heads, newest first"
    );
    w.app.restart().await;
    assert_eq!(
        w.app.count("ticket_search_head").await,
        w.app.count("ticket").await
    );
    let admin = w.login_admin().await;
    let page = w.page(&admin, &search_path("all", "beamer", "")).await.1;
    assert_eq!(numbers_in(&page), vec![named, mentioned]);
    let _ = (w.press, w.it, w.moritz, w.ingo, w.social, w.nadine);
    w.app.stop().await;
}

#[tokio::test]
async fn a_ticket_page_shown_again_writes_only_what_changed() {
    let w = World::new(None).await;
    let n = w.ticket("max@example.org", "Plakat").await;
    let nadine = w.login("nadine").await;
    let marks = async || {
        // Views are written off the request path; the table is read as it stands.
        w.app.app.flush_view_marks().await.unwrap();
        (
            w.app.scalar("SELECT MAX(seen_at) FROM ticket_seen").await,
            w.app
                .scalar("SELECT MAX(last_seen_at) FROM ticket_viewer")
                .await,
        )
    };
    assert_eq!(
        w.page(&nadine, &format!("/agent/tickets/{n}")).await.0,
        StatusCode::OK
    );
    let first = marks().await;
    assert_eq!(
        w.page(&nadine, &format!("/agent/tickets/{n}")).await.0,
        StatusCode::OK
    );
    assert_eq!(marks().await, first, "nothing new to record");
    // Once the ticket changed, the next view marks it seen again.
    w.app
        .exec("UPDATE ticket SET updated_at = updated_at + 60000000")
        .await;
    assert_eq!(
        w.page(&nadine, &format!("/agent/tickets/{n}")).await.0,
        StatusCode::OK
    );
    let (seen, _) = marks().await;
    assert!(seen > first.0, "seen again after the change");
    let _ = (w.press, w.it, w.moritz, w.ingo, w.social, w.nadine);
    w.app.stop().await;
}

#[tokio::test]
async fn a_ticket_just_opened_is_seen_before_its_view_is_written() {
    let w = World::new(None).await;
    let n = w.ticket("max@example.org", "Plakat").await;
    let nadine = w.login("nadine").await;
    let moritz = w.login("moritz").await;
    let unseen = unseen_row(&n);
    assert!(
        w.page(&nadine, "/agent/queue/open")
            .await
            .1
            .contains(&unseen)
    );
    // On SQLite, a transaction held here keeps the views from being written meanwhile.
    let held = w.app.app.db().begin().await.unwrap();
    let url = format!("/agent/tickets/{n}");
    assert_eq!(w.page(&nadine, &url).await.0, StatusCode::OK);
    let page = w.page(&moritz, &url).await.1;
    assert!(
        page.contains("Gerade ebenfalls geöffnet von: Nadine S."),
        "{page}"
    );
    let queue = w.page(&nadine, "/agent/queue/open").await.1;
    assert!(queue.contains(&format!("value=\"{n}\"")));
    assert!(queue.contains(&seen_row(&n)), "seen at once");
    drop(held);
    w.app.app.flush_view_marks().await.unwrap();
    assert_eq!(w.app.count("ticket_seen").await, 2);
    assert_eq!(w.app.count("ticket_viewer").await, 2);
    let _ = (w.press, w.it, w.moritz, w.ingo, w.social, w.nadine);
    w.app.stop().await;
}

#[tokio::test]
async fn a_queue_of_exactly_one_page_offers_no_next_page() {
    let w = World::new(None).await;
    for i in 0..50 {
        w.ticket(&format!("p{i}@example.org"), "Plakat").await;
    }
    let admin = w.login_admin().await;
    let page = w.page(&admin, "/agent/queue/open").await.1;
    assert_eq!(numbers_in(&page).len(), 50);
    assert!(
        !page.contains("rel=\"next\""),
        "no empty page behind a full one"
    );
    w.ticket("p50@example.org", "Plakat").await;
    let page = w.page(&admin, "/agent/queue/open").await.1;
    assert!(
        page.contains("rel=\"next\""),
        "the 51st ticket is on page two"
    );
    let _ = (w.press, w.it, w.moritz, w.ingo, w.social, w.nadine);
    w.app.stop().await;
}

/// The tab names of the queues, in menu order.
const QUEUES: [&str; 8] = [
    "open",
    "answered",
    "mine",
    "teams",
    "unassigned",
    "overdue",
    "closed",
    "all",
];

/// Every queue's count as brute force over the tickets gives it, for an agent who sees
/// everything (`None`) or their departments, themselves and their teams.
async fn brute_counts(w: &World, me: AgentId, sees: Option<(&[i64], &[i64])>) -> Vec<i64> {
    let list = |ids: &[i64]| {
        if ids.is_empty() {
            "NULL".to_owned()
        } else {
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let (vis, teams) = match sees {
        None => ("TRUE".to_owned(), "NULL".to_owned()),
        Some((d, t)) => (
            format!(
                "(department_id IN ({}) OR assignee_agent_id = {} OR assignee_team_id IN ({}))",
                list(d),
                me.0,
                list(t)
            ),
            list(t),
        ),
    };
    let now = tessera_domain::Timestamp::now().0;
    let conditions = [
        "status = 'open' AND is_answered = FALSE".to_owned(),
        "status = 'open' AND is_answered = TRUE".to_owned(),
        format!("status = 'open' AND assignee_agent_id = {}", me.0),
        format!("status = 'open' AND assignee_team_id IN ({teams})"),
        "status = 'open' AND assignee_agent_id IS NULL AND assignee_team_id IS NULL".to_owned(),
        format!("status = 'open' AND due_at < {now}"),
        "status IN ('resolved', 'closed')".to_owned(),
        "TRUE".to_owned(),
    ];
    let mut counts = Vec::new();
    for c in conditions {
        counts.push(
            w.app
                .scalar(&format!("SELECT COUNT(*) FROM ticket WHERE {vis} AND {c}"))
                .await,
        );
    }
    counts
}

#[tokio::test]
async fn queue_counts_equal_brute_force_through_every_transition() {
    let w = World::new(None).await;
    let tech = w
        .app
        .app
        .create_team(tessera_core::Actor::Cli, "Technik", &[w.ingo])
        .await
        .unwrap();
    let admin = w.login_admin().await;
    let nadine = w.login("nadine").await;
    let ingo = w.login("ingo").await;
    let admin_id = AgentId(
        w.app
            .scalar("SELECT agent_id FROM agent WHERE username = 'admin'")
            .await,
    );
    let press = [w.press.0];
    let it = [w.it.0];
    let techs = [tech.0];
    let check = async |step: &str| {
        for (who, c, me, sees) in [
            ("admin", &admin, admin_id, None),
            ("nadine", &nadine, w.nadine, Some((&press[..], &[][..]))),
            ("ingo", &ingo, w.ingo, Some((&it[..], &techs[..]))),
        ] {
            let (status, page) = w.page(c, "/agent/queue/open").await;
            assert_eq!(status, StatusCode::OK);
            let shown: Vec<i64> = QUEUES.iter().map(|q| tab_count(&page, q)).collect();
            assert_eq!(
                shown,
                brute_counts(&w, me, sees).await,
                "{who} after {step}"
            );
        }
    };
    let a = w.ticket("a@example.org", "Eins").await;
    let b = w.ticket("b@example.org", "Zwei").await;
    let c = w.ticket("c@example.org", "Drei").await;
    let d = w.ticket("d@example.org", "Vier").await;
    check("new tickets").await;
    assert_eq!(
        w.reply(&nadine, &a, "Wir sind dran.", &[]).await.0,
        StatusCode::OK
    );
    check("an answer").await;
    let grant = w.app.app.check_status(&a, "a@example.org").await.unwrap();
    w.app
        .app
        .participant_reply(
            grant,
            tessera_core::ReplyInput {
                body: "Danke, noch eine Frage.".into(),
                uploads: vec![],
            },
        )
        .await
        .unwrap();
    check("the requester's reply").await;
    let to_agent = [
        ("do", "assign"),
        ("agent", &*w.ingo.0.to_string()),
        ("team", ""),
    ];
    w.act(&admin, &b, &to_agent).await;
    check("assigning to an agent of another department").await;
    let to_team = [
        ("do", "assign"),
        ("agent", ""),
        ("team", &*tech.0.to_string()),
    ];
    w.act(&admin, &c, &to_team).await;
    check("assigning to a team").await;
    let both = [
        ("do", "assign"),
        ("agent", &*w.ingo.0.to_string()),
        ("team", &*tech.0.to_string()),
    ];
    w.act(&admin, &c, &both).await;
    check("assigning to an agent and their team").await;
    w.act(&admin, &c, &[("do", "due"), ("due", "2020-01-31")])
        .await;
    check("a due date in the past").await;
    w.act(&admin, &b, &[("do", "assign"), ("agent", ""), ("team", "")])
        .await;
    check("unassigning").await;
    w.act(
        &admin,
        &d,
        &[("do", "transfer"), ("department", &*w.it.0.to_string())],
    )
    .await;
    check("a transfer").await;
    w.act(&admin, &a, &[("do", "status"), ("status", "closed")])
        .await;
    check("closing").await;
    w.act(&admin, &b, &[("do", "status"), ("status", "resolved")])
        .await;
    check("resolving").await;
    w.act(&admin, &a, &[("do", "status"), ("status", "open")])
        .await;
    check("reopening").await;
    w.act(&admin, &c, &[("do", "status"), ("status", "closed")])
        .await;
    check("closing an overdue ticket").await;
    // Every transition happened: the counts above were not all zero.
    assert_eq!(w.app.count("ticket WHERE status = 'open'").await, 2);
    w.app.stop().await;
}

#[tokio::test]
async fn a_directory_change_on_one_node_is_seen_by_another_on_its_next_request() {
    let w = World::new(None).await;
    let one = &w.app.app;
    let two = w.app.second_node().await;
    let (_, cookie) = one
        .sign_in("nadine", PASSWORD, None, "127.0.0.1")
        .await
        .unwrap();
    // Node two reads the agent and the directory once and keeps them.
    let s = two.session(&cookie).await.unwrap().expect("session");
    let nadine = two.session_agent(&s).await.unwrap().expect("nadine");
    assert_eq!(nadine.department_ids(), vec![w.press]);
    let before = two.directory(s.directory).await.unwrap();
    assert!(!before.departments.iter().any(|(_, n)| n == "Marketing"));
    let again = two.session(&cookie).await.unwrap().expect("session");
    assert!(
        std::sync::Arc::ptr_eq(&before, &two.directory(again.directory).await.unwrap()),
        "nothing changed: the kept copy is used"
    );

    // Node one changes memberships, departments and names.
    one.set_department_role(tessera_core::Actor::Cli, w.nadine, w.it, Role::Agent)
        .await
        .unwrap();
    one.create_department(
        tessera_core::Actor::Cli,
        "Marketing",
        "marketing@tessera.test",
    )
    .await
    .unwrap();
    one.create_team(tessera_core::Actor::Cli, "Plakate", &[w.nadine])
        .await
        .unwrap();

    let s = two.session(&cookie).await.unwrap().expect("session");
    let nadine = two.session_agent(&s).await.unwrap().expect("nadine");
    assert_eq!(nadine.department_ids(), vec![w.press, w.it]);
    assert_eq!(nadine.teams.len(), 1, "in the new team");
    let after = two.directory(s.directory).await.unwrap();
    assert!(after.departments.iter().any(|(_, n)| n == "Marketing"));
    assert!(after.teams.iter().any(|(_, n)| n == "Plakate"));

    // An agent's sign-in is no change to the directory.
    let g = after.generation;
    one.sign_in("moritz", PASSWORD, None, "127.0.0.1")
        .await
        .unwrap();
    let s = two.session(&cookie).await.unwrap().expect("session");
    assert_eq!(s.directory, Some(g));

    // A deactivated agent is refused by node two at once, though it had them in memory.
    let (_, moritz_cookie) = two
        .sign_in("moritz", PASSWORD, None, "127.0.0.1")
        .await
        .unwrap();
    let ms = two.session(&moritz_cookie).await.unwrap().expect("session");
    assert!(two.session_agent(&ms).await.unwrap().is_some());
    w.app
        .exec(&format!(
            "UPDATE agent SET is_active = FALSE WHERE agent_id = {}",
            w.moritz.0
        ))
        .await;
    let ms = two.session(&moritz_cookie).await.unwrap().expect("session");
    assert!(two.session_agent(&ms).await.unwrap().is_none());
    let _ = (w.ingo, w.social);
    two.db().close().await;
    w.app.stop().await;
}
