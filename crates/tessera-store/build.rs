//! `sqlx::migrate!` embeds the migration files at compile time but cannot tell cargo about
//! them on stable Rust: without this, an edited migration would not be rebuilt into the binary.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
