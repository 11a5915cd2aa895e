//! Persistence in a SQLite file (feature `sqlite`): every change is written, in one
//! transaction, before the operation that made it answers.
//!
//! The file is opened in WAL mode with `locking_mode=EXCLUSIVE` (a second process
//! gets [`SimError::InUse`]) and `synchronous` from [`Durability`] (`FULL` by
//! default: a commit is on disk before it is acknowledged). Opening checks the file's
//! integrity, its owner and its schema version, applies pending migrations, and
//! loads everything into memory; the in-memory maps then remember which records
//! change so that each commit writes exactly those.

mod load;
mod schema;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Weak};

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use podgate_core::feed::FeedEntry;
use podgate_core::model::{PodTemplate, Timestamp, WorkloadId};

use crate::clock::{ClockMode, SimClock};
use crate::config::{Durability, SimConfig};
use crate::error::SimError;
use crate::images::ImageCatalogue;
use crate::state::{Counters, State};

/// How the clock is kept: where it started and how far it was advanced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct StoredClock {
    /// The fixed start of a manual clock; `None` for a wall clock.
    manual_start: Option<i64>,
    offset_ms: i64,
}

impl StoredClock {
    fn new(mode: ClockMode, offset_ms: i64) -> Self {
        Self {
            manual_start: match mode {
                ClockMode::Manual(start) => Some(start.0),
                ClockMode::Wall => None,
            },
            offset_ms,
        }
    }

    fn mode(self) -> ClockMode {
        self.manual_start
            .map_or(ClockMode::Wall, |t| ClockMode::Manual(Timestamp(t)))
    }
}

/// The open file and what it last wrote of the values stored whole.
pub(crate) struct Store {
    conn: Connection,
    path: String,
    counters: Counters,
    clock: StoredClock,
    /// How many feed entries the file keeps.
    feed_capacity: usize,
    /// The template each workload's row holds (templates are shared and never
    /// change in place: the same allocation is the same template), so a change to a
    /// workload's pods or claims rewrites its body and not its template. Weak: the
    /// simulator forgets a template by its strong count; a weak reference keeps the
    /// allocation, so its address is never another template's.
    templates: HashMap<WorkloadId, Weak<PodTemplate>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// A store just opened, with what it holds.
pub(crate) struct Opened {
    pub(crate) store: Store,
    pub(crate) state: State,
    pub(crate) clock: SimClock,
    pub(crate) images: ImageCatalogue,
    /// The feed's newest entries, oldest first.
    pub(crate) feed: Vec<FeedEntry>,
}

impl Store {
    /// Opens the file at `path` for `config` (see `SimBackend::open`): a new file takes
    /// `config`'s topology and clock, an existing one keeps its own, and `config`'s
    /// images join the ones the file holds.
    pub(crate) fn open_for(config: SimConfig, path: &Path) -> Result<Opened, SimError> {
        let mut store = Store::open(path, config.durability)?;
        store.feed_capacity = config.feed_capacity;
        let (mut state, clock) = store.load_or_init(&config)?;
        let mut images = config.images;
        for image in std::mem::take(&mut state.images_added) {
            images.insert(&image);
        }
        for image in std::mem::take(&mut state.images_removed) {
            images.remove(&image);
        }
        state.track();
        let feed = load::feed(&store.conn, &store.path, config.feed_capacity)?;
        Ok(Opened {
            store,
            state,
            clock: SimClock::resumed(clock.mode(), clock.offset_ms),
            images,
            feed,
        })
    }
}

impl Store {
    /// Opens `path`, checks it and brings its schema up to date.
    fn open(path: &Path, durability: Durability) -> Result<Self, SimError> {
        let name = path.display().to_string();
        let fail = |source: rusqlite::Error| classify(&name, source);
        let conn = Connection::open(path).map_err(fail)?;
        let synchronous = match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
            Durability::Off => "OFF",
        };
        conn.execute_batch(&format!(
            "PRAGMA locking_mode = EXCLUSIVE; PRAGMA synchronous = {synchronous};"
        ))
        .map_err(fail)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(SimError::Corrupt {
                path: name,
                detail: format!("cannot switch to WAL (journal mode is {mode})"),
            });
        }
        // Take the exclusive lock now and keep it (exclusive locking mode never lets
        // go): opening a file only reads it, and a read alone would leave a second
        // process free to open the file too.
        conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
            .map_err(fail)?;
        let mut store = Self {
            conn,
            path: name,
            counters: Counters::default(),
            clock: StoredClock::new(ClockMode::Wall, 0),
            feed_capacity: 0,
            templates: HashMap::new(),
        };
        store.check()?;
        store.migrate()?;
        Ok(store)
    }

    fn fail(&self, source: rusqlite::Error) -> SimError {
        classify(&self.path, source)
    }

    /// `PRAGMA integrity_check`, then whose file this is and which version.
    fn check(&self) -> Result<(), SimError> {
        let mut problems = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare("PRAGMA integrity_check")
                .map_err(|e| self.fail(e))?;
            let mut rows = stmt.query([]).map_err(|e| self.fail(e))?;
            while let Some(row) = rows.next().map_err(|e| self.fail(e))? {
                let line: String = row.get(0).map_err(|e| self.fail(e))?;
                if line != "ok" {
                    problems.push(line);
                }
            }
        }
        if !problems.is_empty() {
            return Err(SimError::Corrupt {
                path: self.path.clone(),
                detail: problems.join("; "),
            });
        }
        let (id, version) = self.ids()?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(|e| self.fail(e))?;
        let fresh = id == 0 && version == 0 && tables == 0;
        if !fresh && id != schema::APPLICATION_ID {
            return Err(SimError::Foreign {
                path: self.path.clone(),
            });
        }
        if version > schema::latest() {
            return Err(SimError::NewerSchema {
                path: self.path.clone(),
                found: version,
                supported: schema::latest(),
            });
        }
        Ok(())
    }

    fn ids(&self) -> Result<(i32, i64), SimError> {
        let id: i32 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| self.fail(e))?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.fail(e))?;
        Ok((id, version))
    }

    /// Applies the migrations the file has not had, each in its own transaction.
    fn migrate(&mut self) -> Result<(), SimError> {
        let (_, version) = self.ids()?;
        let done = usize::try_from(version).unwrap_or(usize::MAX);
        for (index, migration) in schema::MIGRATIONS.iter().enumerate().skip(done) {
            let next = index.saturating_add(1);
            let tx = self
                .conn
                .transaction()
                .map_err(|e| classify(&self.path, e))?;
            tx.execute_batch(migration)
                .and_then(|()| {
                    tx.execute_batch(&format!(
                        "PRAGMA application_id = {}; PRAGMA user_version = {next};",
                        schema::APPLICATION_ID
                    ))
                })
                .and_then(|()| tx.commit())
                .map_err(|e| classify(&self.path, e))?;
        }
        Ok(())
    }

    /// The stored state, or — for a new file — `config`'s topology and clock, written.
    fn load_or_init(&mut self, config: &SimConfig) -> Result<(State, StoredClock), SimError> {
        let clock: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'clock'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.fail(e))?;
        if clock.is_none() {
            self.init(config)?;
        }
        let (state, clock) = load::load(&self.conn, &self.path)?;
        self.counters = state.next;
        self.clock = clock;
        self.templates = state
            .workloads
            .iter()
            .map(|(id, rec)| (*id, Arc::downgrade(&rec.template)))
            .collect();
        Ok((state, clock))
    }

    fn init(&mut self, config: &SimConfig) -> Result<(), SimError> {
        let write = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            for (index, node) in config.topology.nodes.iter().enumerate() {
                tx.execute(
                    "INSERT INTO nodes (idx, body) VALUES (?1, ?2)",
                    params![index_i64(index), json(node)?],
                )?;
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('clock', ?1), ('counters', ?2)",
                params![
                    json(&StoredClock::new(config.clock, 0))?,
                    json(&Counters::default())?
                ],
            )?;
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| classify(&self.path, e))
    }

    /// Writes everything `state` changed since the last commit, the clock and the new
    /// feed entries `feed`, in one transaction; returns once it is as durable as the
    /// file's [`Durability`] says.
    pub(crate) fn commit(
        &mut self,
        state: &mut State,
        clock_offset: i64,
        feed: &[FeedEntry],
    ) -> Result<(), SimError> {
        let clock = StoredClock {
            offset_ms: clock_offset,
            ..self.clock
        };
        let tx = self
            .conn
            .transaction()
            .map_err(|e| classify(&self.path, e))?;
        let last = Written {
            counters: &self.counters,
            clock: &self.clock,
            templates: &self.templates,
        };
        let written = write_changes(&tx, state, &last, &clock)
            .and_then(|written| write_feed(&tx, feed, self.feed_capacity).map(|()| written))
            .and_then(|written| tx.commit().map(|()| written))
            .map_err(|e| classify(&self.path, e))?;
        self.counters = state.next;
        self.clock = clock;
        for (id, template) in written {
            match template {
                Some(template) => self.templates.insert(id, Arc::downgrade(&template)),
                None => self.templates.remove(&id),
            };
        }
        Ok(())
    }
}

/// What the file holds of the values a commit compares before it writes them.
struct Written<'a> {
    counters: &'a Counters,
    clock: &'a StoredClock,
    templates: &'a HashMap<WorkloadId, Weak<PodTemplate>>,
}

/// The statements of one commit, against what the file holds (`last`); answers the
/// workload templates it wrote (`None`: the row went), for the store to note once the
/// transaction commits.
fn write_changes(
    tx: &rusqlite::Transaction<'_>,
    state: &mut State,
    last: &Written<'_>,
    clock: &StoredClock,
) -> rusqlite::Result<Vec<(WorkloadId, Option<Arc<PodTemplate>>)>> {
    let mut written = Vec::new();
    for id in state.workloads.take_changed() {
        match state.workloads.get(&id) {
            Some(rec)
                if last
                    .templates
                    .get(&id)
                    .is_some_and(|t| std::ptr::eq(t.as_ptr(), Arc::as_ptr(&rec.template))) =>
            {
                tx.prepare_cached("UPDATE workloads SET body = ?2 WHERE id = ?1")?
                    .execute(params![id_i64(id.0), json(rec)?])?;
            }
            Some(rec) => {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO workloads (id, body, template) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![
                    id_i64(id.0),
                    json(rec)?,
                    json(&*rec.template)?
                ])?;
                written.push((id, Some(rec.template.clone())));
            }
            None => {
                tx.prepare_cached("DELETE FROM workloads WHERE id = ?1")?
                    .execute(params![id_i64(id.0)])?;
                written.push((id, None));
            }
        }
    }
    for id in state.pods.take_changed() {
        match state.pods.get(&id) {
            Some(rec) => tx
                .prepare_cached("INSERT OR REPLACE INTO pods (id, body) VALUES (?1, ?2)")?
                .execute(params![id_i64(id.0), json(rec)?])?,
            None => tx
                .prepare_cached("DELETE FROM pods WHERE id = ?1")?
                .execute(params![id_i64(id.0)])?,
        };
    }
    for key in state.tenants.take_changed() {
        match state.tenants.get(&key) {
            Some(tenant) => tx
                .prepare_cached("INSERT OR REPLACE INTO tenants (key, body) VALUES (?1, ?2)")?
                .execute(params![json(&key)?, json(tenant)?])?,
            None => tx
                .prepare_cached("DELETE FROM tenants WHERE key = ?1")?
                .execute(params![json(&key)?])?,
        };
    }
    for id in state.eips.take_changed() {
        match state.eips.get(&id) {
            Some(eip) => tx
                .prepare_cached("INSERT OR REPLACE INTO eips (id, body) VALUES (?1, ?2)")?
                .execute(params![id, json(eip)?])?,
            None => tx
                .prepare_cached("DELETE FROM eips WHERE id = ?1")?
                .execute(params![id])?,
        };
    }
    for id in state.configs.take_changed() {
        match state.configs.get(&id) {
            Some(rec) => tx
                .prepare_cached("INSERT OR REPLACE INTO configs (id, body) VALUES (?1, ?2)")?
                .execute(params![id, json(rec)?])?,
            None => tx
                .prepare_cached("DELETE FROM configs WHERE id = ?1")?
                .execute(params![id])?,
        };
    }
    for key in state.events.take_changed() {
        let (at, seq, event) = key;
        if state.events.contains_key(&key) {
            tx.prepare_cached("INSERT OR REPLACE INTO events (seq, at, body) VALUES (?1, ?2, ?3)")?
                .execute(params![id_i64(seq), at.0, json(&event)?])?;
        } else {
            tx.prepare_cached("DELETE FROM events WHERE seq = ?1")?
                .execute(params![id_i64(seq)])?;
        }
    }
    if std::mem::take(&mut state.nodes_changed) {
        for (index, node) in state.nodes.iter().enumerate() {
            tx.prepare_cached("UPDATE nodes SET body = ?2 WHERE idx = ?1")?
                .execute(params![index_i64(index), json(&node.node)?])?;
        }
    }
    for image in state.images_added.drain(..) {
        tx.prepare_cached("INSERT OR IGNORE INTO images (reference) VALUES (?1)")?
            .execute(params![image])?;
        tx.prepare_cached("DELETE FROM images_removed WHERE reference = ?1")?
            .execute(params![image])?;
    }
    for image in state.images_removed.drain(..) {
        tx.prepare_cached("DELETE FROM images WHERE reference = ?1")?
            .execute(params![image])?;
        tx.prepare_cached("INSERT OR IGNORE INTO images_removed (reference) VALUES (?1)")?
            .execute(params![image])?;
    }
    if state.next != *last.counters {
        tx.prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'counters'")?
            .execute(params![json(&state.next)?])?;
    }
    if clock != last.clock {
        tx.prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'clock'")?
            .execute(params![json(clock)?])?;
    }
    Ok(written)
}

/// Appends `entries` to the feed table and drops what falls out of its last
/// `capacity` entries.
fn write_feed(
    tx: &rusqlite::Transaction<'_>,
    entries: &[FeedEntry],
    capacity: usize,
) -> rusqlite::Result<()> {
    let Some(last) = entries.last() else {
        return Ok(());
    };
    for entry in entries {
        tx.prepare_cached("INSERT OR REPLACE INTO feed (seq, body) VALUES (?1, ?2)")?
            .execute(params![id_i64(entry.seq), json(entry)?])?;
    }
    let keep = u64::try_from(capacity).unwrap_or(u64::MAX);
    tx.prepare_cached("DELETE FROM feed WHERE seq <= ?1")?
        .execute(params![id_i64(last.seq.saturating_sub(keep))])?;
    Ok(())
}

/// A record as stored.
fn json<T: Serialize + ?Sized>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// SQLite integers are signed; ids and positions fit (they count up from 1).
fn id_i64(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

fn index_i64(index: usize) -> i64 {
    i64::try_from(index).unwrap_or(i64::MAX)
}

/// Names the errors a user can act on: a locked file, a file that is not a database.
fn classify(path: &str, source: rusqlite::Error) -> SimError {
    match source.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => SimError::InUse {
            path: path.to_owned(),
        },
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => SimError::Corrupt {
            path: path.to_owned(),
            detail: source.to_string(),
        },
        _ => SimError::Storage {
            path: path.to_owned(),
            source,
        },
    }
}
