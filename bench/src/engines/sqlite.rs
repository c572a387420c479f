//! SQLite through rusqlite: WAL, synchronous=NORMAL, a WITHOUT ROWID table keyed (series, ts),
//! prepared (cached) statements, one transaction per batch.

use super::{file_len, points, Engine, Point, Res};
use rusqlite::{params, Connection};
use std::any::Any;
use std::path::PathBuf;

pub struct Sqlite {
    path: PathBuf,
    conn: Connection,
}

const INSERT: &str = "INSERT OR REPLACE INTO points (series, ts, value) VALUES (?1, ?2, ?3)";

impl Sqlite {
    pub fn open(path: PathBuf) -> Res<Self> {
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS points (series INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series, ts)) WITHOUT ROWID;",
        )?;
        Ok(Sqlite { path, conn })
    }
}

impl Engine for Sqlite {
    fn ingest_batch(&mut self, batch: &dyn Any) -> Res<()> {
        let points = points(batch)?;
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(INSERT)?;
            for &(s, ts, v) in points {
                stmt.execute(params![s as i64, ts, v])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn ingest_one(&mut self, (s, ts, v): Point) -> Res<()> {
        self.conn.prepare_cached(INSERT)?.execute(params![s as i64, ts, v])?;
        Ok(())
    }

    fn range(&mut self, series: usize, start: i64, end: i64) -> Res<(usize, f64)> {
        let mut stmt = self.conn.prepare_cached("SELECT ts, value FROM points WHERE series = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts")?;
        let mut rows = stmt.query(params![series as i64, start, end])?;
        let (mut n, mut sum) = (0, 0.0);
        while let Some(row) = rows.next()? {
            let _ts: i64 = row.get(0)?;
            let v: f64 = row.get(1)?;
            n += 1;
            sum += v;
        }
        Ok((n, sum))
    }

    fn latest(&mut self, series: usize) -> Res<Option<(i64, f64)>> {
        let mut stmt = self.conn.prepare_cached("SELECT ts, value FROM points WHERE series = ?1 ORDER BY ts DESC LIMIT 1")?;
        let mut rows = stmt.query(params![series as i64])?;
        Ok(match rows.next()? {
            Some(row) => Some((row.get(0)?, row.get(1)?)),
            None => None,
        })
    }

    fn aggregate(&mut self, series: usize, start: i64, end: i64, bucket_ms: i64) -> Res<(usize, u64)> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT ts / ?4 AS b, count(*), sum(value), min(value), max(value), avg(value) FROM points \
             WHERE series = ?1 AND ts >= ?2 AND ts < ?3 GROUP BY b ORDER BY b",
        )?;
        let mut rows = stmt.query(params![series as i64, start, end, bucket_ms])?;
        let (mut buckets, mut count) = (0, 0u64);
        while let Some(row) = rows.next()? {
            let _: (i64, i64, f64, f64, f64, f64) = (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?);
            buckets += 1;
            count += row.get::<_, i64>(1)? as u64;
        }
        Ok((buckets, count))
    }

    fn cleanup(&mut self, _series: usize, cutoff: i64) -> Res<u64> {
        Ok(self.conn.execute("DELETE FROM points WHERE ts < ?1", params![cutoff])? as u64)
    }

    fn compact(&mut self) -> Res<()> {
        self.conn.execute_batch("VACUUM;")?;
        Ok(())
    }

    fn disk_bytes(&mut self) -> Res<u64> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let wal = PathBuf::from(format!("{}-wal", self.path.display()));
        Ok(file_len(&self.path) + file_len(&wal))
    }
}
