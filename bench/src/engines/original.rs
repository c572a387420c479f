//! The original NeoTalk layout: redb with its default cache, keyed by
//! (device_id, metric, timestamp) strings, one JSON document per point.

use super::{device, file_len, points, Engine, Point, Res, METRIC};
use neotalk_storage::DataPoint;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::any::Any;
use std::path::PathBuf;

const POINTS: TableDefinition<(&str, &str, i64), &[u8]> = TableDefinition::new("timeseries");

pub struct Original {
    path: PathBuf,
    db: Database,
    devices: Vec<String>,
}

impl Original {
    pub fn open(path: PathBuf, series: usize) -> Res<Self> {
        let db = Database::create(&path)?;
        let txn = db.begin_write()?;
        txn.open_table(POINTS)?;
        txn.commit()?;
        Ok(Original { path, db, devices: (0..series).map(device).collect() })
    }
}

fn decode(json: &[u8]) -> Res<DataPoint> {
    Ok(serde_json::from_slice(json)?)
}

impl Original {
    /// One transaction; the JSON encoding is the layout's own cost, so it is timed.
    fn write(&mut self, points: &[Point]) -> Res<()> {
        let txn = self.db.begin_write()?;
        {
            let mut t = txn.open_table(POINTS)?;
            for &(s, ts, v) in points {
                let json = serde_json::to_vec(&DataPoint::new(ts, v))?;
                t.insert((self.devices[s].as_str(), METRIC, ts), json.as_slice())?;
            }
        }
        txn.commit()?;
        Ok(())
    }
}

impl Engine for Original {
    fn ingest_batch(&mut self, batch: &dyn Any) -> Res<()> {
        self.write(points(batch)?)
    }

    fn ingest_one(&mut self, p: Point) -> Res<()> {
        self.write(&[p])
    }

    fn range(&mut self, series: usize, start: i64, end: i64) -> Res<(usize, f64)> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(POINTS)?;
        let d = self.devices[series].as_str();
        let (mut n, mut sum) = (0, 0.0);
        for e in t.range((d, METRIC, start)..(d, METRIC, end))? {
            let (_, v) = e?;
            let p = decode(v.value())?;
            n += 1;
            sum += p.value.as_f64().unwrap_or(0.0);
        }
        Ok((n, sum))
    }

    fn latest(&mut self, series: usize) -> Res<Option<(i64, f64)>> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(POINTS)?;
        let d = self.devices[series].as_str();
        match t.range((d, METRIC, i64::MIN)..=(d, METRIC, i64::MAX))?.next_back() {
            Some(e) => {
                let (_, v) = e?;
                let p = decode(v.value())?;
                Ok(Some((p.timestamp, p.value.as_f64().unwrap_or(0.0))))
            }
            None => Ok(None),
        }
    }

    fn aggregate(&mut self, series: usize, start: i64, end: i64, bucket_ms: i64) -> Res<(usize, u64)> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(POINTS)?;
        let d = self.devices[series].as_str();
        // (bucket, count, sum, min, max, first, last) folded in time order.
        let mut buckets: Vec<(i64, u64, f64, f64, f64, f64, f64)> = Vec::new();
        for e in t.range((d, METRIC, start)..(d, METRIC, end))? {
            let (_, v) = e?;
            let p = decode(v.value())?;
            let x = p.value.as_f64().unwrap_or(0.0);
            let b = p.timestamp - p.timestamp.rem_euclid(bucket_ms);
            match buckets.last_mut() {
                Some(last) if last.0 == b => {
                    last.1 += 1;
                    last.2 += x;
                    last.3 = last.3.min(x);
                    last.4 = last.4.max(x);
                    last.6 = x;
                }
                _ => buckets.push((b, 1, x, x, x, x, x)),
            }
        }
        Ok((buckets.len(), buckets.iter().map(|b| b.1).sum()))
    }

    fn cleanup(&mut self, series: usize, cutoff: i64) -> Res<u64> {
        let mut removed = 0;
        for s in 0..series {
            let d = self.devices[s].as_str();
            let txn = self.db.begin_write()?;
            {
                let mut t = txn.open_table(POINTS)?;
                let keys: Vec<i64> =
                    t.range((d, METRIC, i64::MIN)..(d, METRIC, cutoff))?.map(|e| e.map(|(k, _)| k.value().2)).collect::<Result<_, _>>()?;
                for ts in keys {
                    t.remove((d, METRIC, ts))?;
                    removed += 1;
                }
            }
            txn.commit()?;
        }
        Ok(removed)
    }

    fn compact(&mut self) -> Res<()> {
        while self.db.compact()? {}
        Ok(())
    }

    fn disk_bytes(&mut self) -> Res<u64> {
        Ok(file_len(&self.path))
    }
}
