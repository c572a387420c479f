//! `ConfigStore`: the seed's `config/` tree of YAML files under the data directory.
//!
//! ```text
//! config/
//! ├── system.yaml      api / storage / llm / events (+ backup)
//! ├── retention.yaml   retention of every store
//! ├── adapters.yaml    named adapter sections
//! ├── rules/           rule definitions (text)
//! └── workflows/       workflow definitions (text)
//! ```
//!
//! Missing files and fields take their defaults; a bad value is refused with a
//! [`ConfigError`] naming the file, the line and the field; saves are atomic (temp file,
//! fsync, rename, fsync of the directory). The same API works in memory (wasm, tests).
//!
//! ```
//! use neotalk_storage::config::ConfigStore;
//! let store = ConfigStore::from_strings([
//!     ("system.yaml", "storage:\n  timeseries_retention_days: 14\n"),
//!     ("rules/heat.rule", "when temperature > 30 then alert"),
//! ]).unwrap();
//! let system = store.system().unwrap();
//! assert_eq!(system.storage.timeseries_retention_days, 14);
//! assert_eq!(system.api.port, 8080); // default
//! let err = ConfigStore::from_strings([("system.yaml", "api:\n  port: 0\n")]).unwrap().system().unwrap_err();
//! assert!(err.to_string().contains("system.yaml:2:9: api.port"), "{err}");
//! ```

mod adapters;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod atomic_file;
mod definitions;
mod retention;
mod source;
mod system;
mod yaml;
/// Validators shared with other modules' YAML sections.
pub(crate) mod yaml_checks {
    pub(crate) use super::yaml::{at_least_one, window_map};
}

pub use crate::stores::timeseries::TimeSeriesRetention;
pub use adapters::AdaptersConfig;
pub use definitions::{Definition, DefinitionKind};
pub use retention::{EventsRetention, RecordRetention, RetentionConfig};
pub use system::{ApiConfig, EventsConfig, LlmConfig, MaintenanceConfig, ReplicationConfig, ReplicationSink, StorageConfig, SystemConfig};
pub use yaml::ConfigError;

use crate::error::{Result, StorageError};
use crate::limits::MAX_CONFIG_FILE_BYTES;
use crate::storage::engine::Engine;
use source::{ConfigSource, MemorySource};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Name of the config directory inside the data directory.
pub const CONFIG_DIR: &str = "config";
/// System settings file.
pub const SYSTEM_FILE: &str = "system.yaml";
/// Retention settings file.
pub const RETENTION_FILE: &str = "retention.yaml";
/// Adapter settings file.
pub const ADAPTERS_FILE: &str = "adapters.yaml";

/// Every config file, loaded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// `system.yaml`.
    pub system: SystemConfig,
    /// `retention.yaml`.
    pub retention: RetentionConfig,
    /// `adapters.yaml`.
    pub adapters: AdaptersConfig,
    /// `rules/*`.
    pub rules: Vec<Definition>,
    /// `workflows/*`.
    pub workflows: Vec<Definition>,
}

/// Reads, validates and saves the config tree. Cheap to share behind an `Arc`.
pub struct ConfigStore {
    files: Box<dyn ConfigSource>,
    root: Option<PathBuf>,
    /// The database this tree belongs to (`StorageManager::config()`): once it is closed,
    /// every call here fails with `Closed` like every other store's.
    owner: Option<Arc<Engine>>,
}

impl ConfigStore {
    /// The config tree in directory `config_dir` (created on the first save).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open(config_dir: impl AsRef<Path>) -> Self {
        let root = config_dir.as_ref().to_path_buf();
        ConfigStore { files: Box::new(source::DirSource { root: root.clone() }), root: Some(root), owner: None }
    }

    /// The config tree of a data directory: `data_dir/config`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn for_data_dir(data_dir: impl AsRef<Path>) -> Self {
        Self::open(data_dir.as_ref().join(CONFIG_DIR))
    }

    /// An empty config tree in memory (every file reads as its defaults).
    pub fn in_memory() -> Self {
        ConfigStore { files: Box::new(MemorySource::default()), root: None, owner: None }
    }

    /// A config tree in memory holding `files` (relative path, text), e.g.
    /// `("system.yaml", "...")` or `("rules/a.rule", "...")`. Paths are checked, contents are
    /// validated when read.
    pub fn from_strings<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self> {
        let store = Self::in_memory();
        for (rel, text) in files {
            check_rel_path(rel)?;
            check_size(rel, text)?;
            store.files.write(rel, text)?;
        }
        Ok(store)
    }

    /// The config directory (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// This tree, closed together with the database of `engine`.
    pub(crate) fn owned_by(mut self, engine: Arc<Engine>) -> Self {
        self.owner = Some(engine);
        self
    }

    /// The files, or `Closed` once the owning database is closed.
    fn source(&self) -> Result<&dyn ConfigSource> {
        if let Some(engine) = &self.owner {
            engine.ensure_open()?;
        }
        Ok(self.files.as_ref())
    }

    fn read(&self, rel: &str) -> Result<Option<String>> {
        let text = self.source()?.read(rel)?;
        if let Some(t) = &text {
            check_size(rel, t)?;
        }
        Ok(text)
    }

    fn parse<T: serde::de::DeserializeOwned + Default>(&self, rel: &str) -> Result<std::result::Result<T, ConfigError>> {
        Ok(match self.read(rel)? {
            None => Ok(T::default()),
            Some(text) => yaml::parse(rel, &text),
        })
    }

    /// `system.yaml` with defaults for what is missing.
    pub fn system(&self) -> Result<SystemConfig> {
        Ok(self.parse(SYSTEM_FILE)??)
    }

    /// `retention.yaml` with defaults for what is missing.
    pub fn retention(&self) -> Result<RetentionConfig> {
        Ok(self.parse::<retention::RetentionFile>(RETENTION_FILE)??.retention)
    }

    /// `adapters.yaml` (empty when missing).
    pub fn adapters(&self) -> Result<AdaptersConfig> {
        Ok(self.parse(ADAPTERS_FILE)??)
    }

    /// Saves `system.yaml` atomically.
    pub fn save_system(&self, config: &SystemConfig) -> Result<()> {
        self.save(SYSTEM_FILE, config)
    }

    /// Saves `retention.yaml` atomically.
    pub fn save_retention(&self, config: &RetentionConfig) -> Result<()> {
        self.save(RETENTION_FILE, &retention::RetentionFile { retention: config.clone() })
    }

    /// Saves `adapters.yaml` atomically.
    pub fn save_adapters(&self, config: &AdaptersConfig) -> Result<()> {
        self.save(ADAPTERS_FILE, config)
    }

    fn save<T: serde::Serialize + serde::de::DeserializeOwned + Default>(&self, rel: &str, value: &T) -> Result<()> {
        let text = yaml::emit(rel, value)?;
        check_size(rel, &text)?;
        // What we write must load again: refuse values the loader would reject (port 0, ...).
        yaml::parse::<T>(rel, &text)?;
        self.source()?.write(rel, &text)
    }

    /// The YAML text of `file` (`system.yaml`, `retention.yaml` or `adapters.yaml`) as the
    /// tree holds it now, defaults filled in (comments are not kept). Another name is
    /// `InvalidInput` on `file`; an invalid file is `InvalidInput` on `config`.
    ///
    /// ```
    /// let tree = neotalk_storage::config::ConfigStore::from_strings([("retention.yaml", "retention:\n  alerts:\n    days: 10\n")]).unwrap();
    /// assert!(tree.yaml("retention.yaml").unwrap().contains("keep: 10d"));
    /// assert!(tree.yaml("secrets.yaml").is_err());
    /// ```
    pub fn yaml(&self, file: &str) -> Result<String> {
        match file {
            SYSTEM_FILE => yaml::emit(file, &self.system()?),
            RETENTION_FILE => yaml::emit(file, &retention::RetentionFile { retention: self.retention()? }),
            ADAPTERS_FILE => yaml::emit(file, &self.adapters()?),
            _ => Err(not_a_config_file(file)),
        }
    }

    /// Validates YAML `text` as `file` (one of the three) and saves the section it yields, so
    /// its comments are not kept. A bad value is `InvalidInput` on `config` naming the file,
    /// line, column and field; the tree is then unchanged.
    pub fn save_yaml(&self, file: &str, text: &str) -> Result<()> {
        if ![SYSTEM_FILE, RETENTION_FILE, ADAPTERS_FILE].contains(&file) {
            return Err(not_a_config_file(file));
        }
        let parsed = ConfigStore::from_strings([(file, text)])?;
        match file {
            SYSTEM_FILE => self.save_system(&parsed.system()?),
            RETENTION_FILE => self.save_retention(&parsed.retention()?),
            ADAPTERS_FILE => self.save_adapters(&parsed.adapters()?),
            _ => Err(not_a_config_file(file)),
        }
    }

    /// Names of the definition files of `kind`, sorted. Files whose names are not plain
    /// `[A-Za-z0-9._-]` names (or start with `.`, like temp files of a save) are skipped.
    pub fn definition_names(&self, kind: DefinitionKind) -> Result<Vec<String>> {
        let prefix = format!("{}/", kind.folder());
        Ok(self
            .source()?
            .list(kind.folder())?
            .into_iter()
            .filter_map(|rel| rel.strip_prefix(&prefix).map(str::to_string))
            .filter(|name| definitions::check_name(name).is_ok())
            .collect())
    }

    /// One definition file; `NotFound` when it does not exist.
    pub fn definition(&self, kind: DefinitionKind, name: &str) -> Result<Definition> {
        definitions::check_name(name)?;
        let rel = format!("{}/{name}", kind.folder());
        let text = self.read(&rel)?.ok_or_else(|| StorageError::not_found("definition", rel.clone()))?;
        Ok(Definition { name: name.to_string(), kind, text })
    }

    /// Every definition file of `kind`, sorted by name.
    pub fn definitions(&self, kind: DefinitionKind) -> Result<Vec<Definition>> {
        self.definition_names(kind)?.iter().map(|n| self.definition(kind, n)).collect()
    }

    /// Saves a definition file atomically (created or replaced).
    pub fn save_definition(&self, kind: DefinitionKind, name: &str, text: &str) -> Result<()> {
        definitions::check_name(name)?;
        let rel = format!("{}/{name}", kind.folder());
        check_size(&rel, text)?;
        self.source()?.write(&rel, text)
    }

    /// Every file, loaded; the first invalid file fails the load.
    pub fn load(&self) -> Result<Config> {
        Ok(Config {
            system: self.system()?,
            retention: self.retention()?,
            adapters: self.adapters()?,
            rules: self.definitions(DefinitionKind::Rule)?,
            workflows: self.definitions(DefinitionKind::Workflow)?,
        })
    }

    /// Checks every YAML file and returns each problem found (empty when all are valid).
    /// Fails only when a file cannot be read at all.
    pub fn check(&self) -> Result<Vec<ConfigError>> {
        let mut problems = Vec::new();
        if let Err(e) = self.parse::<SystemConfig>(SYSTEM_FILE)? {
            problems.push(e);
        }
        if let Err(e) = self.parse::<retention::RetentionFile>(RETENTION_FILE)? {
            problems.push(e);
        }
        if let Err(e) = self.parse::<AdaptersConfig>(ADAPTERS_FILE)? {
            problems.push(e);
        }
        Ok(problems)
    }

    /// Writes each of `system.yaml`, `retention.yaml`, `adapters.yaml` that does not exist yet
    /// with its defaults (existing files are left alone). Returns the files written.
    pub fn write_defaults(&self) -> Result<Vec<&'static str>> {
        let mut written = Vec::new();
        if self.source()?.read(SYSTEM_FILE)?.is_none() {
            self.save_system(&SystemConfig::default())?;
            written.push(SYSTEM_FILE);
        }
        if self.source()?.read(RETENTION_FILE)?.is_none() {
            self.save_retention(&RetentionConfig::default())?;
            written.push(RETENTION_FILE);
        }
        if self.source()?.read(ADAPTERS_FILE)?.is_none() {
            self.save_adapters(&AdaptersConfig::default())?;
            written.push(ADAPTERS_FILE);
        }
        Ok(written)
    }
}

fn not_a_config_file(file: &str) -> StorageError {
    StorageError::invalid("file", format!("{file:?} is not {SYSTEM_FILE}, {RETENTION_FILE} or {ADAPTERS_FILE}"))
}

fn check_size(rel: &str, text: &str) -> Result<()> {
    if text.len() > MAX_CONFIG_FILE_BYTES {
        return Err(StorageError::invalid("config", format!("{rel} is larger than {MAX_CONFIG_FILE_BYTES} bytes")));
    }
    Ok(())
}

fn check_rel_path(rel: &str) -> Result<()> {
    if [SYSTEM_FILE, RETENTION_FILE, ADAPTERS_FILE].contains(&rel) {
        return Ok(());
    }
    for kind in [DefinitionKind::Rule, DefinitionKind::Workflow] {
        if let Some(name) = rel.strip_prefix(kind.folder()).and_then(|r| r.strip_prefix('/')) {
            return definitions::check_name(name);
        }
    }
    Err(StorageError::invalid(
        "config path",
        format!("{rel:?} is not system.yaml, retention.yaml, adapters.yaml, rules/<name> or workflows/<name>"),
    ))
}
