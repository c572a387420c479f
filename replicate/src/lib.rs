//! # neotalk-storage-replicate
//!
//! Replicates a gateway's storage into the places a fleet already runs: PostgreSQL (or
//! TimescaleDB, or Citus) and Parquet files (DuckDB, Spark, Trino, ClickHouse). The store
//! is the queue: each sink has durable cursors in the gateway's database
//! ([`neotalk_storage::feed`]), advanced only after the sink committed a batch.
//!
//! Delivery is at least once, and every row has a natural key (gateway, series and time;
//! gateway and event sequence; gateway and alert change), which the sinks write
//! idempotently: PostgreSQL with `INSERT ... ON CONFLICT`, Parquet by naming each file after
//! the cursor it was read at, so a redelivered batch replaces its own file. The result is
//! each row exactly once.
//!
//! ```no_run
//! use neotalk_storage::StorageManager;
//! use neotalk_storage_replicate::{Replicator, Target};
//! let db = StorageManager::open("/var/lib/neotalk").unwrap();
//! let target: Target = "parquet:/mnt/fleet".parse().unwrap();
//! let mut replicator = Replicator::new(db, &target, "gateway-17").unwrap();
//! let report = replicator.run_once().unwrap();
//! println!("{} points", report.points);
//! ```

mod parquet_sink;
mod postgres_sink;
mod replicator;
#[cfg(feature = "tokio")]
mod schedule;
pub mod table;

pub use parquet_sink::ParquetSink;
pub use postgres_sink::PostgresSink;
pub use replicator::{check_gateway_id, FollowOptions, Replicator, RunReport};
#[cfg(feature = "tokio")]
pub use schedule::{hostname, schedule};

use neotalk_storage::StorageError;
use table::Rows;

/// What can fail while replicating.
#[derive(Debug, thiserror::Error)]
pub enum ReplicationError {
    /// The gateway's storage refused (see [`StorageError`]).
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A target that does not parse, naming what was wrong.
    #[error("target {target:?}: {reason}")]
    InvalidTarget {
        /// The target as given.
        target: String,
        /// What was wrong.
        reason: String,
    },
    /// The sink failed (connection, SQL, file system); the batch is delivered again later.
    #[error("{sink}: {message}")]
    Sink {
        /// The sink's name.
        sink: String,
        /// What failed.
        message: String,
    },
}

/// For the bindings, which report every failure as a [`StorageError`]: a bad target is
/// `InvalidInput` on `target`, a failing sink `Io` (retry later).
impl From<ReplicationError> for StorageError {
    fn from(e: ReplicationError) -> Self {
        match e {
            ReplicationError::Storage(e) => e,
            ReplicationError::InvalidTarget { .. } => StorageError::InvalidInput { field: "target", reason: e.to_string() },
            ReplicationError::Sink { .. } => StorageError::Io { message: e.to_string(), source: None },
        }
    }
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, ReplicationError>;

/// Where rows go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A PostgreSQL connection URL (`postgres://USER[:PASSWORD]@HOST:PORT/DB`).
    Postgres(String),
    /// A directory of Hive-partitioned Parquet files (`parquet:DIR`).
    Parquet(std::path::PathBuf),
}

impl std::str::FromStr for Target {
    type Err = ReplicationError;

    fn from_str(s: &str) -> Result<Self> {
        let invalid = |reason: &str| ReplicationError::InvalidTarget { target: s.to_string(), reason: reason.to_string() };
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            s.parse::<postgres::Config>().map_err(|e| invalid(&e.to_string()))?;
            Ok(Target::Postgres(s.to_string()))
        } else if let Some(dir) = s.strip_prefix("parquet:") {
            if dir.is_empty() {
                return Err(invalid("parquet: needs a directory (parquet:DIR)"));
            }
            Ok(Target::Parquet(dir.into()))
        } else {
            Err(invalid("expected postgres://USER@HOST:PORT/DB or parquet:DIR"))
        }
    }
}

impl Target {
    /// The sink name the target's cursors are stored under: `postgres:HOST:PORT/DB` (no
    /// user or password) or `parquet:DIR`.
    pub fn sink_name(&self) -> String {
        match self {
            Target::Postgres(url) => {
                let c: postgres::Config = url.parse().expect("checked when parsed");
                let host = match c.get_hosts().first() {
                    Some(postgres::config::Host::Tcp(h)) => h.clone(),
                    #[cfg(unix)]
                    Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
                    None => "localhost".to_string(),
                };
                let port = c.get_ports().first().copied().unwrap_or(5432);
                format!("postgres:{host}:{port}/{}", c.get_dbname().unwrap_or(""))
            }
            Target::Parquet(dir) => format!("parquet:{}", dir.display()),
        }
    }
}

/// A place rows are written to, idempotently by each table's key.
pub trait Sink: Send {
    /// Writes `rows` of `gateway_id` so that the same rows written again change nothing
    /// more. `batch_name` is stable for a batch read again from the same cursor.
    fn write(&mut self, gateway_id: &str, batch_name: &str, rows: &Rows) -> Result<()>;
}

/// Opens the sink of `target`.
pub fn open_sink(target: &Target) -> Result<Box<dyn Sink>> {
    Ok(match target {
        Target::Postgres(url) => Box::new(PostgresSink::connect(url)?),
        Target::Parquet(dir) => Box::new(ParquetSink::new(dir)?),
    })
}
