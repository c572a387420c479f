//! `delete`: remove telemetry, a device or an alert by name, as the core's deletes do (bounded
//! transactions; the device's snapshots go with its points).

use clap::Subcommand;
use neotalk_storage::StorageManager;

/// What to delete.
#[derive(Subcommand)]
pub enum Delete {
    /// Telemetry: every metric of `--device`, one series (`--device` and `--metric`), or a
    /// metric on every device (`--metric` alone).
    Telemetry {
        /// The device whose points go.
        #[arg(long, required_unless_present = "metric")]
        device: Option<String>,
        /// The metric whose points go.
        #[arg(long)]
        metric: Option<String>,
    },
    /// A registered device (its telemetry stays unless `--with-telemetry`).
    Device {
        /// The device id.
        id: String,
        /// Delete every telemetry point of the device first.
        #[arg(long)]
        with_telemetry: bool,
    },
    /// An alert (it is counted out of the severity counts).
    Alert {
        /// The alert id.
        id: String,
    },
}

/// Runs the delete and returns the line that says what went.
pub fn run(db: &StorageManager, what: Delete) -> Result<String, Box<dyn std::error::Error>> {
    let ts = db.timeseries();
    Ok(match what {
        Delete::Telemetry { device: Some(device), metric: None } => {
            format!("deleted {} points of device {device} (every metric)", ts.delete_device(&device)?)
        }
        Delete::Telemetry { device: Some(device), metric: Some(metric) } => {
            format!("deleted {} points of {device}/{metric}", ts.delete_range(&device, &metric, ..)?)
        }
        Delete::Telemetry { device: None, metric: Some(metric) } => {
            format!("deleted {} points of metric {metric} (every device)", ts.delete_metric(&metric)?)
        }
        Delete::Telemetry { device: None, metric: None } => return Err("delete telemetry needs --device, --metric or both".into()),
        Delete::Device { id, with_telemetry: true } => {
            format!("deleted device {id} and its {} telemetry points", db.devices().delete_with_telemetry(&id)?)
        }
        Delete::Device { id, with_telemetry: false } => {
            db.devices().delete(&id)?;
            format!("deleted device {id} (its telemetry stays; --with-telemetry removes it)")
        }
        Delete::Alert { id } => match db.alerts().delete(&id)? {
            true => format!("deleted alert {id}"),
            false => format!("no alert {id}: nothing deleted"),
        },
    })
}
