//! `replicate`: delivers the gateway's change feeds to PostgreSQL or Parquet files, once or
//! following new writes (see `neotalk-storage-replicate`); sets a target's backlog policy or
//! forgets it.

use crate::output::{self, Format};
use neotalk_storage::feed::SinkOptions;
use neotalk_storage::{RetentionWindow, StorageManager};
use neotalk_storage_replicate::{hostname, FollowOptions, Replicator, Target};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

/// Arguments of `replicate`.
#[derive(clap::Args)]
pub struct Args {
    /// Where to: postgres://USER[:PASSWORD]@HOST:PORT/DB or parquet:DIR.
    #[arg(long)]
    to: String,
    /// The id every row is keyed by (default: the host name).
    #[arg(long)]
    gateway_id: Option<String>,
    /// Deliver what is there, then stop (the default).
    #[arg(long, conflicts_with = "follow")]
    once: bool,
    /// Keep delivering new writes until SIGINT or SIGTERM; retries a failing sink with
    /// growing pauses.
    #[arg(long)]
    follow: bool,
    /// Pause between runs when following.
    #[arg(long, value_parser = crate::time::parse_duration, default_value = "1s")]
    poll: i64,
    /// Undelivered changes older than this are dropped (and counted) rather than held by
    /// retention: `7d` (the default), `36h`, `forever`. Kept for later runs.
    #[arg(long)]
    max_lag: Option<RetentionWindow>,
    /// Undelivered bytes beyond which the oldest changes are dropped (default 1 GiB; 0: no
    /// limit). Kept for later runs.
    #[arg(long)]
    max_backlog_bytes: Option<u64>,
    /// Forget the target: remove its cursors, so retention no longer holds data for it
    /// (delivers nothing).
    #[arg(long, conflicts_with_all = ["follow", "once", "max_lag", "max_backlog_bytes"])]
    unregister: bool,
}

/// Runs the replicator; `follow` until SIGINT or SIGTERM, polling every `poll`.
pub fn run(db: StorageManager, args: Args, format: Format) -> Result<(), Box<dyn std::error::Error>> {
    let target: Target = args.to.parse()?;
    let sink = target.sink_name();
    if args.unregister {
        let removed = db.feed().unregister(&sink)?;
        println!("{sink}: {}", if removed { "unregistered" } else { "was not registered" });
        return Ok(());
    }
    if args.max_lag.is_some() || args.max_backlog_bytes.is_some() {
        let mut options = match db.feed().sinks()?.contains(&sink) {
            true => db.feed().status(&sink)?.options,
            false => SinkOptions::default(),
        };
        options.max_lag = args.max_lag.unwrap_or(options.max_lag);
        options.max_backlog_bytes = args.max_backlog_bytes.unwrap_or(options.max_backlog_bytes);
        db.feed().register(&sink, options)?;
    }
    let (follow, poll_ms) = (args.follow, args.poll);
    let gateway_id = args.gateway_id.or_else(hostname).ok_or("no --gateway-id given and the host has no name")?;
    let mut replicator = Replicator::new(db, &target, &gateway_id)?;
    let report = if follow {
        let stop = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(signal, stop.clone())?;
        }
        let options = FollowOptions { poll: Duration::from_millis(poll_ms.max(1) as u64), ..Default::default() };
        eprintln!("replicating into {} as gateway {gateway_id:?}; stop with Ctrl-C", replicator.sink_name());
        replicator.follow(&options, &stop)?
    } else {
        replicator.run_once()?
    };
    let columns = ["sink", "gateway", "points", "events", "alert_changes", "record_changes", "dropped", "batches"];
    output::print(format, &columns, &[report], |r| {
        vec![
            replicator.sink_name().to_string(),
            gateway_id.clone(),
            r.points.to_string(),
            r.events.to_string(),
            r.alert_changes.to_string(),
            r.record_changes.to_string(),
            r.dropped.to_string(),
            r.batches.to_string(),
        ]
    });
    Ok(())
}
