//! Reading a file back into a `State`: the records, then the indexes rebuilt from them.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, Row};
use serde::de::DeserializeOwned;

use podgate_core::feed::FeedEntry;
use podgate_core::model::{Eip, Node, PodId, PodTemplate, Tenant, Timestamp, WorkloadId};

use super::{StoredClock, classify};
use crate::error::SimError;
use crate::pods;
use crate::state::{ConfigRec, Counters, Event, NodeState, PodRec, State, WorkloadRec};

/// Everything in the file, in memory, with its indexes.
pub(super) fn load(conn: &Connection, path: &str) -> Result<(State, StoredClock), SimError> {
    let reader = Reader { conn, path };
    let mut state = State::default();
    let mut clock = None;
    reader.each("SELECT key, value FROM meta", |row| {
        match reader.text(row, 0)? {
            "clock" => clock = Some(reader.decode("meta clock", reader.text(row, 1)?)?),
            "counters" => {
                state.next = reader.decode::<Counters>("meta counters", reader.text(row, 1)?)?;
            }
            _ => {}
        }
        Ok(())
    })?;
    let clock = clock.ok_or_else(|| reader.corrupt("meta has no clock".to_owned()))?;
    reader.each("SELECT body FROM nodes ORDER BY idx", |row| {
        let node: Node = reader.decode("node", reader.text(row, 0)?)?;
        state.nodes.push(NodeState::empty(node));
        Ok(())
    })?;
    reader.each("SELECT reference FROM images", |row| {
        state.images_added.push(reader.text(row, 0)?.to_owned());
        Ok(())
    })?;
    reader.each("SELECT reference FROM images_removed", |row| {
        state.images_removed.push(reader.text(row, 0)?.to_owned());
        Ok(())
    })?;
    reader.each("SELECT body FROM tenants", |row| {
        let tenant: Tenant = reader.decode("tenant", reader.text(row, 0)?)?;
        state
            .tokens
            .insert((tenant.key.kind(), tenant.token_hash), tenant.key.clone());
        state.tenants.insert(tenant.key.clone(), tenant);
        Ok(())
    })?;
    // Identical templates are parsed once and shared, as the live simulator shares them.
    let mut templates: HashMap<String, (Arc<PodTemplate>, u64)> = HashMap::new();
    reader.each(
        "SELECT id, body, template FROM workloads ORDER BY id",
        |row| {
            let id = WorkloadId(reader.id(row)?);
            let mut rec: WorkloadRec = reader.decode("workload", reader.text(row, 1)?)?;
            let text = reader.text(row, 2)?;
            let (template, hash) = match templates.get(text) {
                Some(known) => known.clone(),
                None => {
                    let parsed = reader.decode::<PodTemplate>("pod template", text)?;
                    let parsed = state.intern(Arc::new(parsed));
                    let hash = pods::template_hash(&parsed);
                    templates.insert(text.to_owned(), (parsed.clone(), hash));
                    (parsed, hash)
                }
            };
            rec.template = template;
            rec.template_hash = hash;
            state.workloads.insert(id, rec);
            Ok(())
        },
    )?;
    reader.each("SELECT id, body FROM pods ORDER BY id", |row| {
        let id = PodId(reader.id(row)?);
        let rec: PodRec = reader.decode("pod", reader.text(row, 1)?)?;
        state.pods.insert(id, rec);
        Ok(())
    })?;
    reader.each("SELECT body FROM eips", |row| {
        let eip: Eip = reader.decode("eip", reader.text(row, 0)?)?;
        state.eips.insert(eip.id.clone(), eip);
        Ok(())
    })?;
    reader.each("SELECT body FROM configs", |row| {
        let rec: ConfigRec = reader.decode("config", reader.text(row, 0)?)?;
        state.configs.insert(rec.object.id.clone(), rec);
        Ok(())
    })?;
    reader.each("SELECT seq, at, body FROM events", |row| {
        let seq = reader.id(row)?;
        let at: i64 = row.get(1).map_err(|e| classify(path, e))?;
        let event: Event = reader.decode("event", reader.text(row, 2)?)?;
        state.events.insert((Timestamp(at), seq, event), ());
        Ok(())
    })?;
    let workloads: Vec<WorkloadId> = state.workloads.keys().copied().collect();
    for id in workloads {
        state.index_workload(id);
    }
    let configs: Vec<String> = state.configs.keys().cloned().collect();
    for id in configs {
        state.index_config(&id);
    }
    let pods: Vec<PodId> = state.pods.keys().copied().collect();
    for id in pods {
        pods::index_pod(&mut state, id);
    }
    Ok((state, clock))
}

/// Row access with errors that name the file.
struct Reader<'a> {
    conn: &'a Connection,
    path: &'a str,
}

impl Reader<'_> {
    fn each(
        &self,
        sql: &str,
        mut visit: impl FnMut(&Row<'_>) -> Result<(), SimError>,
    ) -> Result<(), SimError> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sqlite(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.sqlite(e))?;
        while let Some(row) = rows.next().map_err(|e| self.sqlite(e))? {
            visit(row)?;
        }
        Ok(())
    }

    fn text<'r>(&self, row: &'r Row<'_>, column: usize) -> Result<&'r str, SimError> {
        row.get_ref(column)
            .map_err(|e| self.sqlite(e))?
            .as_str()
            .map_err(|e| self.corrupt(e.to_string()))
    }

    fn id(&self, row: &Row<'_>) -> Result<u64, SimError> {
        let id: i64 = row.get(0).map_err(|e| self.sqlite(e))?;
        u64::try_from(id).map_err(|_| self.corrupt(format!("negative id {id}")))
    }

    fn decode<T: DeserializeOwned>(&self, what: &str, text: &str) -> Result<T, SimError> {
        serde_json::from_str(text).map_err(|e| self.corrupt(format!("a stored {what}: {e}")))
    }

    fn sqlite(&self, e: rusqlite::Error) -> SimError {
        classify(self.path, e)
    }

    fn corrupt(&self, detail: String) -> SimError {
        SimError::Corrupt {
            path: self.path.to_owned(),
            detail,
        }
    }
}

/// The newest `capacity` entries of the feed table, oldest first.
pub(super) fn feed(
    conn: &Connection,
    path: &str,
    capacity: usize,
) -> Result<Vec<FeedEntry>, SimError> {
    let reader = Reader { conn, path };
    let mut entries = Vec::new();
    let limit = i64::try_from(capacity).unwrap_or(i64::MAX);
    reader.each(
        &format!("SELECT body FROM feed ORDER BY seq DESC LIMIT {limit}"),
        |row| {
            entries.push(reader.decode::<FeedEntry>("feed entry", reader.text(row, 0)?)?);
            Ok(())
        },
    )?;
    entries.reverse();
    Ok(entries)
}
