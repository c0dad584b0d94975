//! Room systems controlled over SSH, in the `endpoints` table (schema v3). Rows are checked
//! on the way in and on the way out, as meetings are: the file may have been edited by hand.

use std::path::PathBuf;

use rusqlite::{params, OptionalExtension};

use super::{Store, StoreError};
use crate::endpoint::{Dialect, Endpoint, Fingerprint};

const SELECT: &str = "SELECT name, host, port, user, key_file, dialect, host_key FROM endpoints";

/// Most endpoints listed; a larger table is cut (an operator's list, not a data set).
pub const MAX_ENDPOINTS: usize = 10_000;

fn read_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, i64, String, String, String, String)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

fn into_endpoint(
    (name, host, port, user, key_file, dialect, host_key): (
        String,
        String,
        i64,
        String,
        String,
        String,
        String,
    ),
) -> Result<Endpoint, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        id: name.clone(),
        reason,
    };
    let endpoint = Endpoint {
        port: u16::try_from(port).map_err(|_| corrupt("port out of range".to_owned()))?,
        dialect: Dialect::parse(&dialect).map_err(|e| corrupt(e.to_string()))?,
        host_key: Fingerprint::parse(&host_key).map_err(|e| corrupt(e.to_string()))?,
        key_file: PathBuf::from(key_file),
        name: name.clone(),
        host,
        user,
    };
    endpoint.validate().map_err(|e| corrupt(e.to_string()))?;
    Ok(endpoint)
}

impl Store {
    /// Stores `endpoint`, replacing one with the same name; returns whether one was replaced.
    pub fn put_endpoint(&self, endpoint: &Endpoint) -> Result<bool, StoreError> {
        endpoint.validate()?;
        let key_file = endpoint
            .key_file
            .to_str()
            .ok_or(crate::endpoint::InputError::KeyPath)?;
        let conn = self.lock();
        let existed = conn
            .query_row(
                "SELECT 1 FROM endpoints WHERE name = ?1",
                [&endpoint.name],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        conn.execute(
            "INSERT OR REPLACE INTO endpoints (name, host, port, user, key_file, dialect, host_key)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                endpoint.name,
                endpoint.host,
                i64::from(endpoint.port),
                endpoint.user,
                key_file,
                endpoint.dialect.as_str(),
                endpoint.host_key.as_str(),
            ],
        )?;
        tracing::info!(endpoint = %endpoint.name, replaced = existed, "store: endpoint saved");
        Ok(existed)
    }

    /// The endpoint called `name`, if there is one.
    pub fn get_endpoint(&self, name: &str) -> Result<Option<Endpoint>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!("{SELECT} WHERE name = ?1"))?;
        let row = stmt.query_row([name], read_row).optional()?;
        row.map(into_endpoint).transpose()
    }

    /// Every endpoint, ordered by name (at most [`MAX_ENDPOINTS`]).
    pub fn list_endpoints(&self) -> Result<Vec<Endpoint>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY name LIMIT ?1"))?;
        let rows = stmt.query_map([i64::try_from(MAX_ENDPOINTS).unwrap_or(i64::MAX)], read_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(into_endpoint(row?)?);
        }
        Ok(out)
    }

    /// Removes the endpoint called `name`; false when there was none.
    pub fn remove_endpoint(&self, name: &str) -> Result<bool, StoreError> {
        let conn = self.lock();
        let n = conn.execute("DELETE FROM endpoints WHERE name = ?1", [name])?;
        if n > 0 {
            tracing::info!(endpoint = %name, "store: endpoint removed");
        }
        Ok(n > 0)
    }
}
