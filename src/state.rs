//! The prefix's small state file: the previously active version (for
//! `rollback`) and, per source root, the newest signed index timestamp accepted
//! (the high-water mark that detects a rolled-back mirror). Written atomically.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext, Result};

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct State {
    #[serde(default)]
    pub previous: Option<String>,
    #[serde(default)]
    pub index_high_water: BTreeMap<String, u64>,
}

impl State {
    /// Missing state is empty state; unreadable state is an error, because
    /// silently forgetting a high-water mark would re-open rollback attacks.
    pub fn load(path: &Path) -> Result<State> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::local(
                    "read",
                    path,
                    format!("the state file is damaged ({e})"),
                    "move it aside and run the command again; the installed versions are unaffected.",
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(Error::io("read", path, e)),
        }
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let mut json = serde_json::to_vec_pretty(self).map_err(Error::internal)?;
        json.push(b'\n');
        crate::atomic::write_file_with_checkpoint(path, &json, Some("state-temp-written"))?;
        crate::faults::checkpoint("state-saved").at("write", path)
    }

    /// The name of the high-water mark of indexes from `root` signed by the key
    /// `key_id`. Marks are kept per key so that after a compromised key is
    /// retired, a timestamp it pushed far into the future (a fast-forward attack)
    /// no longer blocks the new key's indexes.
    pub fn mark_name(root: &str, key_id: &str) -> String {
        format!("{root} key:{key_id}")
    }

    /// The newest index timestamp accepted from `root` under any of the keys
    /// still trusted: an old index re-signed by another trusted key is still a
    /// rollback.
    pub fn high_water(&self, root: &str, key_ids: &[&str]) -> Option<u64> {
        key_ids
            .iter()
            .filter_map(|id| self.index_high_water.get(&State::mark_name(root, id)))
            .copied()
            .max()
    }

    /// Raises the mark named `mark` (see `mark_name`); never lowers it.
    pub fn record_index(&mut self, root: &str, timestamp: u64) {
        let mark = self.index_high_water.entry(root.to_string()).or_insert(0);
        *mark = (*mark).max(timestamp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_monotonic_marks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(State::load(&path).unwrap(), State::default());
        let mut state = State::default();
        state.record_index("https://r", 10);
        state.record_index("https://r", 5);
        state.previous = Some("0.3.1".into());
        state.save(&path).unwrap();
        let loaded = State::load(&path).unwrap();
        assert_eq!(loaded.index_high_water["https://r"], 10);
        assert_eq!(loaded, state);
    }

    #[test]
    fn high_water_counts_only_trusted_keys() {
        let mut state = State::default();
        state.record_index(&State::mark_name("r", "old"), u64::MAX);
        state.record_index(&State::mark_name("r", "new"), 10);
        state.record_index(&State::mark_name("other", "new"), 99);
        assert_eq!(state.high_water("r", &["old", "new"]), Some(u64::MAX));
        assert_eq!(state.high_water("r", &["new"]), Some(10));
        assert_eq!(state.high_water("r", &["unknown"]), None);
    }

    #[test]
    fn damaged_state_is_a_local_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(State::load(&path).unwrap_err().exit_code(), 6);
    }
}
