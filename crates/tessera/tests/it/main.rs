//! Tessera's integration tests: a real server on a loopback port, a real database (SQLite by
//! default, PostgreSQL when `TESSERA_TEST_DATABASE_URL` is set) and, where mail matters, a
//! real SMTP server process.

mod access;
mod admin;
mod agent;
mod api_osticket;
mod api_rest;
mod architecture;
mod browser;
mod cli;
mod compose;
mod crash;
mod demo;
mod edge;
mod errors;
mod fields;
mod full_disk;
mod imap;
mod ingest;
mod intake;
mod leases;
mod live;
mod local_time;
mod mail;
mod mail_auth;
mod mail_dedupe;
mod mail_text;
mod mail_views;
mod members;
mod notices;
mod outbox;
mod polish;
mod portal;
mod proxy;
mod queue_ui;
mod robots;
mod sessions;
mod settings;
mod story;
mod support;
mod upload_edge;
mod webhooks;
mod writer;
