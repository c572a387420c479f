//! Side-by-side telemetry benchmark: neotalk-storage (redb backend) against SQLite (rusqlite,
//! bundled) and the original NeoTalk layout (redb, string keys, JSON per point), interleaved
//! in one process on the same data.
//!
//! `cargo run --release -p neotalk-storage-bench -- <ingest|range|latest|aggregate|size|columns|all|split|vectors|events|rollups|binary> [--quick] [--batch N]`
//! (`columns`: `write_columns` ingest, `query_range_columns`, `query_latest_batch` of 1,000
//! series and the peak memory of one `write_columns` call, against SQLite)
//! (`rollups`: ingest with and without rollup tiers, a 1-hour aggregation of a year from the
//! 1h tier, from raw chunks and SQLite's GROUP BY, and the tiers' disk bytes)
//! (`binary`: 1 Hz numeric ingest with and without a 1 MB camera snapshot per second, and
//! image reads, against SQLite)
//! (`--batch`: points per series in one ingest transaction; default 1,000).

mod binary;
mod columns;
mod engines;
mod events;
mod rollups;
mod rss;
mod split_writers;
mod vectors;
mod workload;

use engines::neotalk::NeoTalk;
use engines::original::Original;
use engines::sqlite::Sqlite;
use engines::{Engine, Point, Res};
use neotalk_storage::Durability;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use workload::{ts, Rng, Workload};

const SUITES: [&str; 12] =
    ["ingest", "range", "latest", "aggregate", "size", "columns", "all", "split", "vectors", "events", "rollups", "binary"];
const ENGINES: [&str; 3] = ["neotalk", "sqlite", "original"];
const MB: f64 = 1024.0 * 1024.0;

/// One line of the result table: a figure per engine (neotalk, SQLite, original).
struct Row {
    label: String,
    unit: &'static str,
    higher_is_better: bool,
    values: [Option<f64>; 3],
}

struct Report {
    rows: Vec<Row>,
}

impl Report {
    fn add(&mut self, label: impl Into<String>, unit: &'static str, higher_is_better: bool, values: [Option<f64>; 3]) {
        let row = Row { label: label.into(), unit, higher_is_better, values };
        print_row(&row);
        self.rows.push(row);
    }
}

fn fmt(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(v) if v >= 1e6 => format!("{:.2}M", v / 1e6),
        Some(v) if v >= 1e4 => format!("{:.1}k", v / 1e3),
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
    }
}

fn ratio(v: Option<f64>, sqlite: Option<f64>) -> String {
    match (v, sqlite) {
        (Some(v), Some(s)) if s > 0.0 => format!("{:.2}x", v / s),
        _ => "-".into(),
    }
}

fn header() {
    println!("{:<44} {:>10} {:>10} {:>10} {:>12} {:>12}  unit", "figure", "neotalk", "SQLite", "original", "neotalk/SQL", "orig/SQL");
    println!("{}", "-".repeat(130));
}

fn print_row(r: &Row) {
    println!(
        "{:<44} {:>10} {:>10} {:>10} {:>12} {:>12}  {} ({} is better)",
        r.label,
        fmt(r.values[0]),
        fmt(r.values[1]),
        fmt(r.values[2]),
        ratio(r.values[0], r.values[1]),
        ratio(r.values[2], r.values[1]),
        r.unit,
        if r.higher_is_better { "higher" } else { "lower" }
    );
}

/// Per-series random walks, advanced batch by batch so the data is never held whole.
struct Walkers {
    rngs: Vec<(Rng, f64)>,
    next: usize,
}

impl Walkers {
    fn new(series: usize) -> Self {
        Walkers { rngs: (0..series).map(|s| (Rng::new(s as u64 + 1), 20.0)).collect(), next: 0 }
    }

    /// The next `n` points of every series, series by series.
    fn batch(&mut self, n: usize) -> Vec<Point> {
        let mut out = Vec::with_capacity(n * self.rngs.len());
        for (s, (rng, v)) in self.rngs.iter_mut().enumerate() {
            for i in self.next..self.next + n {
                *v += (rng.unit() - 0.5) * 0.2;
                *v = (*v * 100.0f64).round() / 100.0;
                out.push((s, ts(i), *v));
            }
        }
        self.next += n;
        out
    }
}

fn open_engines(dir: &std::path::Path, w: &Workload) -> Res<Vec<Box<dyn Engine>>> {
    Ok(vec![
        Box::new(NeoTalk::open(dir.join("neotalk"), w.series, Durability::Eventual)?),
        Box::new(Sqlite::open(dir.join("sqlite.db"))?),
        Box::new(Original::open(dir.join("original.redb"), w.series)?),
    ])
}

fn per_sec(n: f64, d: Duration) -> Option<f64> {
    Some(n / d.as_secs_f64().max(1e-9))
}

/// Runs `f` on every engine for one step, rotating the order so none always goes first.
fn interleaved<T>(
    engines: &mut [Box<dyn Engine>],
    step: usize,
    times: &mut [Duration; 3],
    mut f: impl FnMut(&mut dyn Engine) -> Res<T>,
) -> Res<[Option<T>; 3]> {
    interleaved_with(engines, step, times, |_, e| f(e))
}

/// [`interleaved`], also passing the engine's index.
fn interleaved_with<T>(
    engines: &mut [Box<dyn Engine>],
    step: usize,
    times: &mut [Duration; 3],
    mut f: impl FnMut(usize, &mut dyn Engine) -> Res<T>,
) -> Res<[Option<T>; 3]> {
    let mut out: [Option<T>; 3] = [None, None, None];
    for k in 0..3 {
        let e = (step + k) % 3;
        let t = Instant::now();
        let r = f(e, &mut *engines[e])?;
        times[e] += t.elapsed();
        out[e] = Some(r);
    }
    Ok(out)
}

/// Fails when the engines disagree on a result (the benchmark would compare unequal work).
fn same<T: PartialEq + std::fmt::Debug>(what: &str, r: [Option<T>; 3]) -> Res<T> {
    let [a, b, c] = r;
    if a != b || b != c {
        return Err(format!("engines disagree on {what}: {a:?} / {b:?} / {c:?}").into());
    }
    a.ok_or_else(|| "no result".into())
}

fn ingest(engines: &mut [Box<dyn Engine>], w: &Workload, report: &mut Report) -> Res<()> {
    let mut walkers = Walkers::new(w.series);
    let mut times = [Duration::ZERO; 3];
    let mut peak_rss = 0u64;
    for step in 0..w.points / w.batch {
        let batch = walkers.batch(w.batch);
        let prepared: Vec<_> = engines.iter().map(|e| e.prepare(&batch)).collect();
        interleaved_with(engines, step, &mut times, |i, e| e.ingest_batch(&*prepared[i]))?;
        if step % 50 == 0 {
            peak_rss = peak_rss.max(rss::rss().1);
        }
    }
    let n = w.total_points() as f64;
    report.add(
        format!("batched ingest ({} pts/txn)", w.series * w.batch),
        "points/s",
        true,
        [per_sec(n, times[0]), per_sec(n, times[1]), per_sec(n, times[2])],
    );
    let (hwm, now) = rss::rss();
    println!(
        "    this process (all three engines open): VmHWM {:.0} MB, VmRSS {:.0} MB, sampled peak {:.0} MB",
        hwm as f64 / MB,
        now as f64 / MB,
        peak_rss as f64 / MB
    );
    Ok(())
}

/// Ingest in small transactions (`SMALL_BATCH` points per series), on fresh databases: the
/// open head chunk of every series is rewritten by each of them.
fn small_batch_ingest(w: &Workload, report: &mut Report) -> Res<()> {
    const SMALL_BATCH: usize = 10;
    let dir = tempfile::tempdir()?;
    let small = Workload { points: (w.points / 50).max(SMALL_BATCH), batch: SMALL_BATCH, ..*w };
    let mut engines = open_engines(dir.path(), &small)?;
    let mut walkers = Walkers::new(small.series);
    let mut times = [Duration::ZERO; 3];
    for step in 0..small.points / small.batch {
        let batch = walkers.batch(small.batch);
        let prepared: Vec<_> = engines.iter().map(|e| e.prepare(&batch)).collect();
        interleaved_with(&mut engines, step, &mut times, |i, e| e.ingest_batch(&*prepared[i]))?;
    }
    let n = small.total_points() as f64;
    report.add(
        format!("small-batch ingest ({} pts/txn, {} pts)", small.series * small.batch, small.total_points()),
        "points/s",
        true,
        [per_sec(n, times[0]), per_sec(n, times[1]), per_sec(n, times[2])],
    );
    Ok(())
}

fn single_point_ingest(w: &Workload, report: &mut Report) -> Res<()> {
    let dir = tempfile::tempdir()?;
    let mut engines: Vec<Box<dyn Engine>> = vec![
        Box::new(NeoTalk::open(dir.path().join("neotalk"), 1, Durability::Eventual)?),
        Box::new(Sqlite::open(dir.path().join("sqlite.db"))?),
        Box::new(Original::open(dir.path().join("original.redb"), 1)?),
    ];
    let mut immediate = NeoTalk::open(dir.path().join("neotalk-immediate"), 1, Durability::Immediate)?;
    let values = workload::walk(w.single_points, 99);
    let mut times = [Duration::ZERO; 3];
    let mut imm = Duration::ZERO;
    for (i, v) in values.iter().enumerate() {
        interleaved(&mut engines, i, &mut times, |e| e.ingest_one((0, ts(i), *v)))?;
        let t = Instant::now();
        immediate.ingest_one((0, ts(i), *v))?;
        imm += t.elapsed();
    }
    let n = w.single_points as f64;
    report.add("one transaction per point", "points/s", true, [per_sec(n, times[0]), per_sec(n, times[1]), per_sec(n, times[2])]);
    report.add("one txn per point, neotalk fsync (Immediate)", "points/s", true, [per_sec(n, imm), per_sec(n, times[1]), None]);
    Ok(())
}

fn range(engines: &mut [Box<dyn Engine>], w: &Workload, report: &mut Report) -> Res<()> {
    let mut rng = Rng::new(7);
    let mut times = [Duration::ZERO; 3];
    let span = w.range_points.min(w.points);
    for q in 0..w.range_queries {
        let s = rng.below(w.series);
        let i = rng.below(w.points - span + 1);
        let (start, end) = (ts(i), ts(i + span));
        let r = interleaved(engines, q, &mut times, |e| e.range(s, start, end))?;
        let (n, _) = same("a range query", r.map(|x| x.map(|(n, sum)| (n, (sum * 100.0).round() as i64))))?;
        if n != span {
            return Err(format!("range query returned {n} points, expected {span}").into());
        }
    }
    let q = w.range_queries as f64;
    report.add(
        format!("range query ({span} points)"),
        "queries/s",
        true,
        [per_sec(q, times[0]), per_sec(q, times[1]), per_sec(q, times[2])],
    );
    let p = q * span as f64;
    report.add("range query throughput", "points/s", true, [per_sec(p, times[0]), per_sec(p, times[1]), per_sec(p, times[2])]);
    Ok(())
}

fn latest(engines: &mut [Box<dyn Engine>], w: &Workload, report: &mut Report) -> Res<()> {
    let mut rng = Rng::new(11);
    let mut times = [Duration::ZERO; 3];
    for q in 0..w.latest_queries {
        let s = rng.below(w.series);
        let r = interleaved(engines, q, &mut times, |e| e.latest(s))?;
        let got = same("the latest value", r.map(|x| x.map(|o| o.map(|(t, v)| (t, (v * 100.0).round() as i64)))))?;
        if got.map(|(t, _)| t) != Some(ts(w.points - 1)) {
            return Err(format!("latest of series {s} is {got:?}").into());
        }
    }
    let q = w.latest_queries as f64;
    report.add("latest value", "queries/s", true, [per_sec(q, times[0]), per_sec(q, times[1]), per_sec(q, times[2])]);
    Ok(())
}

fn aggregate(engines: &mut [Box<dyn Engine>], w: &Workload, report: &mut Report) -> Res<()> {
    let mut times = [Duration::ZERO; 3];
    for k in 0..w.aggregate_series {
        let s = k * w.series / w.aggregate_series;
        let r = interleaved(engines, k, &mut times, |e| e.aggregate(s, ts(0), ts(w.points), 60_000))?;
        let (_, count) = same("an aggregation", r)?;
        if count != w.points as u64 {
            return Err(format!("aggregation counted {count} points").into());
        }
    }
    let p = (w.aggregate_series * w.points) as f64;
    report.add(
        "60 s aggregation over a whole series",
        "points/s",
        true,
        [per_sec(p, times[0]), per_sec(p, times[1]), per_sec(p, times[2])],
    );
    Ok(())
}

fn size(engines: &mut [Box<dyn Engine>], w: &Workload, report: &mut Report) -> Res<()> {
    let n = w.total_points() as f64;
    let mut bytes = [None; 3];
    for (i, e) in engines.iter_mut().enumerate() {
        bytes[i] = Some(e.disk_bytes()? as f64 / n);
    }
    report.add("bytes on disk per point after ingest", "B/point", false, bytes);
    // Retention keeps the newer half.
    let cutoff = ts(w.points / 2);
    let mut times = [Duration::ZERO; 3];
    let removed = same("points removed by cleanup", interleaved(engines, 0, &mut times, |e| e.cleanup(w.series, cutoff))?)?;
    let expected = (w.series * (w.points / 2)) as u64;
    if removed != expected {
        return Err(format!("cleanup removed {removed} points, expected {expected}").into());
    }
    report.add(
        "cleanup of half the points",
        "points/s",
        true,
        [per_sec(removed as f64, times[0]), per_sec(removed as f64, times[1]), per_sec(removed as f64, times[2])],
    );
    let mut times = [Duration::ZERO; 3];
    interleaved(engines, 0, &mut times, |e| e.compact())?;
    report.add("compaction (redb compact / VACUUM)", "s", false, times.map(|t| Some(t.as_secs_f64())));
    let left = n - removed as f64;
    let mut bytes = [None; 3];
    for (i, e) in engines.iter_mut().enumerate() {
        bytes[i] = Some(e.disk_bytes()? as f64 / left);
    }
    report.add("bytes per point after cleanup + compaction", "B/point", false, bytes);
    Ok(())
}

/// Peak RSS of each engine ingesting the workload alone, in a child process.
fn ingest_rss(quick: bool, batch: usize, report: &mut Report) -> Res<()> {
    let mut peaks = [None; 3];
    for (i, engine) in ENGINES.iter().enumerate() {
        let mut cmd = std::process::Command::new(std::env::current_exe()?);
        cmd.args(["--child-ingest", engine]);
        if quick {
            cmd.arg("--quick");
        }
        cmd.args(["--batch", &batch.to_string()]);
        let out = cmd.output()?;
        if !out.status.success() {
            return Err(format!("child ingest of {engine} failed: {}", String::from_utf8_lossy(&out.stderr)).into());
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let hwm = text.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()).ok_or("child printed no VmHWM")?;
        peaks[i] = Some(hwm / MB);
    }
    report.add("peak RSS ingesting alone (child process)", "MB", false, peaks);
    Ok(())
}

/// `--child-ingest <engine>`: ingest the workload with one engine and print `VmHWM <bytes>`.
fn child_ingest(engine: &str, w: &Workload) -> Res<()> {
    let dir = tempfile::tempdir()?;
    let mut e: Box<dyn Engine> = match engine {
        "neotalk" => Box::new(NeoTalk::open(dir.path().join("neotalk"), w.series, Durability::Eventual)?),
        "sqlite" => Box::new(Sqlite::open(dir.path().join("sqlite.db"))?),
        "original" => Box::new(Original::open(dir.path().join("original.redb"), w.series)?),
        other => return Err(format!("unknown engine {other}").into()),
    };
    let mut walkers = Walkers::new(w.series);
    for _ in 0..w.points / w.batch {
        let batch = e.prepare(&walkers.batch(w.batch));
        e.ingest_batch(&*batch)?;
    }
    let (hwm, now) = rss::rss();
    println!("VmHWM {hwm} VmRSS {now}");
    Ok(())
}

/// The shortest of `runs` runs of `f`: on a shared machine, the run least disturbed.
pub fn best_of(runs: usize, f: &mut dyn FnMut() -> engines::Res<()>) -> engines::Res<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed());
    }
    Ok(best)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| c.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|s| s.trim().to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    format!("{cpu}, {cores} cores available")
}

fn run() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let mut w = if quick { Workload::quick() } else { Workload::full() };
    if let Some(i) = args.iter().position(|a| a == "--batch") {
        w.batch = args
            .get(i + 1)
            .and_then(|b| b.parse().ok())
            .filter(|&b| b > 0)
            .ok_or("--batch needs a positive number of points per series")?;
    }
    if let Some(i) = args.iter().position(|a| a == "--child-columns") {
        let points = args.get(i + 2).and_then(|n| n.parse().ok()).ok_or("--child-columns needs an engine and a point count")?;
        return columns::child(args.get(i + 1).ok_or("--child-columns needs an engine")?, points);
    }
    if let Some(i) = args.iter().position(|a| a == "--child-ingest") {
        return child_ingest(args.get(i + 1).ok_or("--child-ingest needs an engine")?, &w);
    }
    let suite = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--batch"))
        .map(|(_, a)| a.as_str())
        .unwrap_or("all");
    if !SUITES.contains(&suite) {
        return Err(format!("unknown suite {suite:?}; one of {SUITES:?} [--quick]").into());
    }
    if suite == "vectors" {
        return vectors::run(quick);
    }
    if suite == "events" {
        return events::run(quick);
    }
    if suite == "rollups" {
        return rollups::run(quick);
    }
    if suite == "binary" {
        return binary::run(quick);
    }
    if suite == "split" {
        println!(
            "neotalk-storage-bench split{}: one file against split files, machine: {}",
            if quick { " --quick" } else { "" },
            machine()
        );
        return split_writers::run(quick);
    }
    println!(
        "neotalk-storage-bench {suite}{}: {} series x {} points (1 s spacing, random walk, 2 decimals), batches of {} points per series",
        if quick { " --quick" } else { "" },
        w.series,
        w.points,
        w.batch
    );
    println!("machine: {}", machine());
    println!("neotalk: redb backend, Durability::Eventual (like SQLite's synchronous=NORMAL), 64 MiB page cache");
    println!("SQLite {}: WAL, synchronous=NORMAL, WITHOUT ROWID (series, ts), cached statements", rusqlite::version());
    println!("original: redb default cache, key (device, metric, ts), JSON value, default durability (fsync per commit)\n");
    header();
    let mut report = Report { rows: Vec::new() };
    if suite == "columns" {
        // Its own data: the shared workload is not ingested.
        columns::run(quick, &mut report)?;
        return summary(&report);
    }
    let dir = tempfile::tempdir()?;
    let mut engines = open_engines(dir.path(), &w)?;
    ingest(&mut engines, &w, &mut report)?;
    let all = suite == "all";
    if all || suite == "ingest" {
        small_batch_ingest(&w, &mut report)?;
        single_point_ingest(&w, &mut report)?;
        ingest_rss(quick, w.batch, &mut report)?;
    }
    if all || suite == "range" {
        range(&mut engines, &w, &mut report)?;
    }
    if all || suite == "latest" {
        latest(&mut engines, &w, &mut report)?;
    }
    if all || suite == "aggregate" {
        aggregate(&mut engines, &w, &mut report)?;
    }
    if all || suite == "size" {
        size(&mut engines, &w, &mut report)?;
    }
    if all || suite == "columns" {
        drop(engines);
        columns::run(quick, &mut report)?;
    }
    summary(&report)
}

fn summary(report: &Report) -> Res<()> {
    println!("\nsummary");
    header();
    for r in &report.rows {
        print_row(r);
    }
    println!("\nratios are figure / SQLite's; see each row for whether higher or lower is better.");
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
