/*
 * Event log against SQLite's C API, both engines in one program (run by ffi/bench.sh):
 *   - append: N events in transactions of 1000, payloads as JSON text on both sides
 *     (neotalk through nts_events_append_structs and through nts_events_append_batch with a
 *     JSON array built by the host; SQLite through a prepared INSERT in BEGIN/COMMIT)
 *   - replay: all events in pages of 1000 into C fields (neotalk through
 *     nts_events_replay_structs, and nts_events_replay as JSON text, not parsed; SQLite
 *     through SELECT ... WHERE seq > ? ORDER BY seq LIMIT 1000)
 * in memory and on a file (neotalk: default options, durability Immediate; SQLite: rollback
 * journal, synchronous FULL, its defaults). SQLite's table has the same indexes as the event
 * log: unique id, time, type and correlation id (partial: only events that have one).
 *
 * Usage: nts_bench_events SCRATCH_DIR [SCALE]
 */
#define _POSIX_C_SOURCE 200809L
#include "neotalk_storage.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 1000

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void check(nts_status s, const char *what) {
  if (s != NTS_OK) {
    fprintf(stderr, "%s: %s: %s\n", what, nts_status_name(s), nts_last_error_message());
    exit(1);
  }
}

static void sq(int rc, sqlite3 *db, const char *what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
  }
}

/* The test data: ids, types and payload texts, made once for every engine. */
struct data {
  long n;
  char (*id)[24];
  char (*payload)[96];
  size_t *payload_len;
};

static struct data make_data(long n) {
  struct data d;
  long i;
  d.n = n;
  d.id = malloc((size_t)n * sizeof *d.id);
  d.payload = malloc((size_t)n * sizeof *d.payload);
  d.payload_len = malloc((size_t)n * sizeof *d.payload_len);
  if (!d.id || !d.payload || !d.payload_len) exit(1);
  for (i = 0; i < n; i++) {
    snprintf(d.id[i], sizeof d.id[i], "ev-%ld", i);
    d.payload_len[i] = (size_t)snprintf(d.payload[i], sizeof d.payload[i],
                                        "{\"device\":\"dev-%02ld\",\"value\":%.2f,\"seq\":%ld}", i % 50, 20.0 + (double)(i % 100) / 100.0, i);
  }
  return d;
}

static void report(const char *backend, const char *what, double ns, long n, double sqlite_ns) {
  printf("%-7s %-48s %8.0f ns/event", backend, what, ns / (double)n);
  if (sqlite_ns > 0) printf("   %.2fx SQLite", sqlite_ns / ns);
  printf("\n");
}

static double append_structs(nts_storage *db, const struct data *d) {
  nts_event ev[BATCH];
  long b, i;
  double t0 = now_ns();
  for (b = 0; b < d->n; b += BATCH) {
    long m = d->n - b < BATCH ? d->n - b : BATCH;
    for (i = 0; i < m; i++) {
      ev[i].event_id = d->id[b + i];
      ev[i].event_type = "reading";
      ev[i].data = d->payload[b + i];
      ev[i].data_len = d->payload_len[b + i];
      ev[i].correlation_id = NULL;
      ev[i].causation_id = NULL;
      ev[i].source = "bench";
      ev[i].timestamp = b + i;
    }
    check(nts_events_append_structs(db, ev, (size_t)m, NULL), "append_structs");
  }
  return now_ns() - t0;
}

static double append_json(nts_storage *db, const struct data *d) {
  size_t cap = BATCH * 256;
  char *buf = malloc(cap);
  long b, i;
  double t0;
  if (buf == NULL) exit(1);
  t0 = now_ns();
  for (b = 0; b < d->n; b += BATCH) {
    long m = d->n - b < BATCH ? d->n - b : BATCH;
    size_t len = 0;
    buf[len++] = '[';
    for (i = 0; i < m; i++) {
      len += (size_t)snprintf(buf + len, cap - len,
                              "%s{\"event_id\":\"%s\",\"event_type\":\"reading\",\"event_data\":%s,"
                              "\"metadata\":{\"source\":\"bench\",\"timestamp\":%ld}}",
                              i ? "," : "", d->id[b + i], d->payload[b + i], b + i);
    }
    buf[len++] = ']';
    buf[len] = '\0';
    check(nts_events_append_batch(db, buf, NULL), "append_batch");
  }
  free(buf);
  return now_ns() - t0;
}

static double append_sqlite(sqlite3 *db, const struct data *d) {
  sqlite3_stmt *st;
  long b, i;
  double t0;
  sq(sqlite3_exec(db,
                  "CREATE TABLE events(seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT,"
                  " corr TEXT, caus TEXT, source TEXT NOT NULL, ts INTEGER NOT NULL);"
                  "CREATE INDEX events_ts ON events(ts, seq);"
                  "CREATE INDEX events_type ON events(type, ts, seq);"
                  "CREATE INDEX events_corr ON events(corr, seq) WHERE corr IS NOT NULL;",
                  NULL, NULL, NULL),
     db, "create");
  sq(sqlite3_prepare_v2(db, "INSERT INTO events(id, type, data, corr, caus, source, ts) VALUES(?, ?, ?, ?, ?, ?, ?)", -1,
                        &st, NULL),
     db, "prepare insert");
  t0 = now_ns();
  for (b = 0; b < d->n; b += BATCH) {
    long m = d->n - b < BATCH ? d->n - b : BATCH;
    sq(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), db, "begin");
    for (i = 0; i < m; i++) {
      sqlite3_bind_text(st, 1, d->id[b + i], -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, "reading", -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, d->payload[b + i], (int)d->payload_len[b + i], SQLITE_STATIC);
      sqlite3_bind_null(st, 4);
      sqlite3_bind_null(st, 5);
      sqlite3_bind_text(st, 6, "bench", -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 7, b + i);
      sq(sqlite3_step(st), db, "insert");
      sqlite3_reset(st);
    }
    sq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), db, "commit");
  }
  sqlite3_finalize(st);
  return now_ns() - t0;
}

/* Replays everything in pages; returns the time and checks every event came back. */
static double replay_structs(nts_storage *db, long n) {
  uint64_t after = 0;
  long seen = 0;
  size_t bytes = 0;
  double t0 = now_ns();
  for (;;) {
    nts_event_list *list = NULL;
    const nts_event_entry *e = NULL;
    size_t count = 0, i;
    check(nts_events_replay_structs(db, after, BATCH, &list, &e, &count), "replay_structs");
    for (i = 0; i < count; i++) bytes += e[i].data_len + strlen(e[i].event_id) + (size_t)e[i].timestamp % 2;
    if (count > 0) after = e[count - 1].sequence;
    seen += (long)count;
    nts_event_list_free(list);
    if (count < BATCH) break;
  }
  if (seen != n || bytes == 0) {
    fprintf(stderr, "replayed %ld events, expected %ld\n", seen, n);
    exit(1);
  }
  return now_ns() - t0;
}

static double replay_json(nts_storage *db, long n) {
  uint64_t after = 0;
  long seen = 0;
  double t0 = now_ns();
  while (seen < n) {
    char *json = NULL;
    check(nts_events_replay(db, after, BATCH, &json), "replay");
    seen += (n - seen) < BATCH ? (n - seen) : BATCH;
    after = (uint64_t)seen;
    nts_string_free(json);
  }
  return now_ns() - t0;
}

static double replay_sqlite(sqlite3 *db, long n) {
  sqlite3_stmt *st;
  sqlite3_int64 after = 0;
  long seen = 0;
  size_t bytes = 0;
  double t0;
  sq(sqlite3_prepare_v2(db, "SELECT seq, id, type, data, corr, caus, source, ts FROM events WHERE seq > ? ORDER BY seq LIMIT 1000",
                        -1, &st, NULL),
     db, "prepare select");
  t0 = now_ns();
  for (;;) {
    long count = 0;
    sqlite3_bind_int64(st, 1, after);
    while (sqlite3_step(st) == SQLITE_ROW) {
      after = sqlite3_column_int64(st, 0);
      bytes += (size_t)sqlite3_column_bytes(st, 3) + strlen((const char *)sqlite3_column_text(st, 1));
      (void)sqlite3_column_text(st, 2);
      (void)sqlite3_column_text(st, 4);
      (void)sqlite3_column_text(st, 5);
      (void)sqlite3_column_text(st, 6);
      bytes += (size_t)sqlite3_column_int64(st, 7) % 2;
      count++;
    }
    sqlite3_reset(st);
    seen += count;
    if (count < BATCH) break;
  }
  sqlite3_finalize(st);
  if (seen != n || bytes == 0) {
    fprintf(stderr, "sqlite replayed %ld events, expected %ld\n", seen, n);
    exit(1);
  }
  return now_ns() - t0;
}

static void run(const char *backend, const char *dir, const struct data *d) {
  char path[600];
  nts_storage *a = NULL, *b = NULL;
  sqlite3 *s = NULL;
  double ts, tj, tq, rs, rj, rq;

  if (dir == NULL) {
    check(nts_storage_open_in_memory(NULL, &a), "open");
    check(nts_storage_open_in_memory(NULL, &b), "open");
    sq(sqlite3_open(":memory:", &s), s, "sqlite open");
  } else {
    snprintf(path, sizeof path, "%s/structs", dir);
    check(nts_storage_open(path, NULL, &a), "open");
    snprintf(path, sizeof path, "%s/json", dir);
    check(nts_storage_open(path, NULL, &b), "open");
    snprintf(path, sizeof path, "%s/events.sqlite", dir);
    sq(sqlite3_open(path, &s), s, "sqlite open");
  }
  tq = append_sqlite(s, d);
  ts = append_structs(a, d);
  tj = append_json(b, d);
  report(backend, "SQLite INSERT (1000 per transaction)", tq, d->n, 0);
  report(backend, "nts_events_append_structs (1000 per call)", ts, d->n, tq);
  report(backend, "nts_events_append_batch, JSON (1000 per call)", tj, d->n, tq);
  rq = replay_sqlite(s, d->n);
  rs = replay_structs(a, d->n);
  rj = replay_json(b, d->n);
  report(backend, "SQLite SELECT seq > ? LIMIT 1000", rq, d->n, 0);
  report(backend, "nts_events_replay_structs (pages of 1000)", rs, d->n, rq);
  report(backend, "nts_events_replay, JSON text (pages of 1000)", rj, d->n, rq);
  check(nts_storage_close(a), "close");
  check(nts_storage_close(b), "close");
  nts_storage_free(a);
  nts_storage_free(b);
  sqlite3_close(s);
}

int main(int argc, char **argv) {
  long scale = argc > 2 ? atol(argv[2]) : 1;
  struct data d;
  if (argc < 2 || scale < 1) {
    fprintf(stderr, "usage: %s SCRATCH_DIR [SCALE]\n", argv[0]);
    return 2;
  }
  d = make_data(50000 * scale);
  run("memory", NULL, &d);
  run("file", argv[1], &d);
  free(d.id);
  free(d.payload);
  free(d.payload_len);
  return 0;
}
