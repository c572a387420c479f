//! One paging vocabulary for every store that lists records.
//!
//! Every listing query takes `page: impl Into<Page>`: a plain number is a limit
//! (`replay(0, 100)`), `None` is "everything", `Some(n)` is a limit, and a [`Page`] adds an
//! offset. A limit of 0 returns nothing, as SQL's `LIMIT 0` does; "no limit" is `None`
//! (`NTS_NO_LIMIT` in C, `None` / `null` / `undefined` in Python, Kotlin and JS).
//!
//! To page on, ask for [`Page::next`] until a page comes back shorter than its limit. The
//! event log and telemetry can also page by key, which stays exact while writes go on: pass the
//! last sequence seen to `replay`, or a range starting after the last timestamp.

use crate::storage::backend::Scan;

/// Which slice of a query's ordered results to return: skip `offset`, then at most `limit`
/// (`None`: all the rest).
///
/// ```
/// use neotalk_storage::{NewEvent, Page, StorageManager};
/// let db = StorageManager::in_memory().unwrap();
/// for i in 0..5 {
///     db.events().append(&NewEvent::new(&format!("e{i}"), "tick", "test", i, serde_json::json!({}))).unwrap();
/// }
/// let first = Page::first(2);
/// assert_eq!(db.events().query_range(0..10, first).unwrap().len(), 2);
/// assert_eq!(db.events().query_range(0..10, first.next().next()).unwrap().len(), 1); // the last, short page
/// assert!(db.events().replay(0, 0).unwrap().is_empty()); // a limit of 0 returns nothing
/// assert_eq!(db.events().replay(0, None).unwrap().len(), 5); // None: no limit
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Page {
    /// Results skipped before the first one returned.
    pub offset: usize,
    /// Most results returned; `None` returns all the rest.
    pub limit: Option<usize>,
}

impl Page {
    /// Every result.
    pub const ALL: Page = Page { offset: 0, limit: None };

    /// The first `limit` results.
    pub const fn first(limit: usize) -> Page {
        Page { offset: 0, limit: Some(limit) }
    }

    /// The page after this one: the same limit, starting where this one ends. After a page
    /// without a limit there is nothing more (the next page is empty).
    pub const fn next(self) -> Page {
        match self.limit {
            Some(limit) => Page { offset: self.offset.saturating_add(limit), limit: Some(limit) },
            None => Page { offset: usize::MAX, limit: Some(0) },
        }
    }

    /// A counter that admits the entries of this page from a scan, in scan order.
    pub(crate) fn cursor(self) -> PageCursor {
        PageCursor { skip: self.offset, left: self.limit.unwrap_or(usize::MAX) }
    }
}

impl From<usize> for Page {
    /// A limit: the first `limit` results.
    fn from(limit: usize) -> Page {
        Page::first(limit)
    }
}

impl From<Option<usize>> for Page {
    /// `None`: every result; `Some(n)`: the first `n`.
    fn from(limit: Option<usize>) -> Page {
        Page { offset: 0, limit }
    }
}

/// Walks a scan through a [`Page`]: skips the offset, admits up to the limit, then stops it.
pub(crate) struct PageCursor {
    skip: usize,
    left: usize,
}

impl PageCursor {
    /// Whether the page is already full (a limit of 0): no scan is needed.
    pub(crate) fn is_full(&self) -> bool {
        self.left == 0
    }

    /// Whether the next scanned entry belongs to the page (it is counted either way).
    pub(crate) fn admit(&mut self) -> bool {
        if self.skip > 0 {
            self.skip -= 1;
            false
        } else if self.left > 0 {
            self.left -= 1;
            true
        } else {
            false
        }
    }

    /// How the scan goes on after the entry just seen.
    pub(crate) fn step(&self) -> Scan {
        if self.left == 0 {
            Scan::Stop
        } else {
            Scan::Continue
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admitted(page: Page, n: usize) -> Vec<usize> {
        let mut c = page.cursor();
        let mut out = Vec::new();
        for i in 0..n {
            if c.is_full() {
                break;
            }
            if c.admit() {
                out.push(i);
            }
            if c.step() == Scan::Stop {
                break;
            }
        }
        out
    }

    #[test]
    fn pages_cover_every_entry_once() {
        assert_eq!(admitted(Page::first(0), 5), Vec::<usize>::new());
        assert_eq!(admitted(Page::ALL, 5), vec![0, 1, 2, 3, 4]);
        let mut page = Page::first(2);
        let mut seen: Vec<usize> = Vec::new();
        loop {
            let got: Vec<usize> = admitted(page, 5);
            seen.extend(&got);
            if got.len() < 2 {
                break;
            }
            page = page.next();
        }
        assert_eq!(seen, vec![0, 1, 2, 3, 4]);
        assert_eq!(admitted(Page::ALL.next(), 5), Vec::<usize>::new());
        assert_eq!(Page::from(None), Page::ALL);
        assert_eq!(Page::from(3), Page { offset: 0, limit: Some(3) });
    }
}
