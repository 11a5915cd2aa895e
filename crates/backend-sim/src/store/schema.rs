//! The file's schema and its migrations.
//!
//! `PRAGMA application_id` marks the file as podgate's; `PRAGMA user_version` is the
//! number of migrations applied. Each migration runs once, in its own transaction, in
//! order; a file with a higher version than [`MIGRATIONS`] knows is refused.
//!
//! Records are JSON in a `body` column (the simulator's own record types); a
//! workload's pod template sits in its own column so identical templates are parsed
//! once on load.

/// "podg": what `PRAGMA application_id` holds in a podgate simulator file.
pub(super) const APPLICATION_ID: i32 = 0x706f_6467;

/// Migration `n` takes a file from version `n` to `n + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
     CREATE TABLE nodes (idx INTEGER PRIMARY KEY, body TEXT NOT NULL);
     CREATE TABLE images (reference TEXT PRIMARY KEY) WITHOUT ROWID;
     CREATE TABLE tenants (key TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
     CREATE TABLE workloads (id INTEGER PRIMARY KEY, body TEXT NOT NULL, template TEXT NOT NULL);
     CREATE TABLE pods (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
     CREATE TABLE eips (id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
     CREATE TABLE events (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL);",
    // 2: config maps and secrets.
    "CREATE TABLE configs (id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;",
    // 3: the event feed's newest entries, and images made unpullable (which the
    // configured catalogue must not bring back on the next open).
    "CREATE TABLE feed (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
     CREATE TABLE images_removed (reference TEXT PRIMARY KEY) WITHOUT ROWID;",
];

/// The schema version this build writes.
pub(super) fn latest() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}
