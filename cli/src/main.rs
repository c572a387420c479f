//! `neotalk-storage`: run a demo gateway, inspect a data directory.

mod demo;

use clap::{Parser, Subcommand};
use neotalk_storage::StorageManager;
use std::path::PathBuf;
use std::process::ExitCode;

/// Storage of a NeoTalk edge gateway: telemetry, device state and events.
#[derive(Parser)]
#[command(name = "neotalk-storage", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a small gateway into a data directory, then print what it stored.
    Demo {
        /// Data directory (created if missing).
        #[arg(long, default_value = "./data")]
        dir: PathBuf,
        /// Number of simulated devices.
        #[arg(long, default_value_t = 12)]
        devices: usize,
        /// Simulated minutes of telemetry at one sample per second.
        #[arg(long, default_value_t = 60)]
        minutes: i64,
    },
    /// Print the entry count and size of every table.
    Stats {
        /// Data directory.
        #[arg(long, default_value = "./data")]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { dir, devices, minutes } => demo::run(&dir, devices, minutes),
        Command::Stats { dir } => stats(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn stats(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    if !dir.join(neotalk_storage::DATABASE_FILE).exists() {
        return Err(format!("no database in {} (expected {})", dir.display(), neotalk_storage::DATABASE_FILE).into());
    }
    let db = StorageManager::open(dir)?;
    println!("{:<28} {:>12} {:>14}", "table", "entries", "stored bytes");
    for t in db.table_sizes()? {
        println!("{:<28} {:>12} {:>14}", t.name, t.entries, t.stored_bytes);
    }
    db.close()?;
    Ok(())
}
