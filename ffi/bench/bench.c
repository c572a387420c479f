/*
 * Per-call cost of the C API hot paths (release build; run by ffi/bench.sh):
 *   - single-point write (nts_ts_write through the group-commit buffer, final flush included)
 *   - latest-value read (nts_ts_query_latest)
 *   - batched write (nts_ts_write_series, per point)
 *   - range read into caller arrays (nts_ts_query_range, per point)
 * on the in-memory backend and on a redb file (default options: durability Immediate,
 * write buffer 4096 points / 1 s).
 *
 * Usage: nts_bench SCRATCH_DIR [SCALE]   (SCALE multiplies the iteration counts; default 1)
 */
#define _POSIX_C_SOURCE 200809L
#include "neotalk_storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static void report(const char *backend, const char *what, double ns, long n, const char *unit) {
  printf("%-7s %-44s %10.0f ns/%s  (%ld %ss)\n", backend, what, ns / (double)n, unit, n, unit);
}

static void run(const char *backend, nts_storage *db, long scale) {
  long writes = 200000 * scale, reads = 1000000 * scale, batches = 200 * scale, batch = 1000;
  long i, b;
  double t0;
  int64_t ts;
  double v;
  int64_t *bts = malloc((size_t)batch * sizeof *bts);
  double *bvs = malloc((size_t)batch * sizeof *bvs);
  size_t n = 0;
  if (bts == NULL || bvs == NULL) exit(1);

  /* Single-point writes: one series, increasing timestamps; the final flush commits the tail. */
  t0 = now_ns();
  for (i = 0; i < writes; i++) check(nts_ts_write(db, "dev-1", "temperature", i, (double)i * 0.5), "write");
  check(nts_storage_flush(db), "flush");
  report(backend, "nts_ts_write (single point, group commit)", now_ns() - t0, writes, "call");

  /* Latest value of a series: the firmware's most frequent read. */
  t0 = now_ns();
  for (i = 0; i < reads; i++) check(nts_ts_query_latest(db, "dev-1", "temperature", &ts, &v), "latest");
  report(backend, "nts_ts_query_latest", now_ns() - t0, reads, "call");
  if (ts != writes - 1) {
    fprintf(stderr, "latest timestamp %lld, expected %ld\n", (long long)ts, writes - 1);
    exit(1);
  }

  /* Batched writes: 1000 points of one series per transaction. */
  t0 = now_ns();
  for (b = 0; b < batches; b++) {
    for (i = 0; i < batch; i++) {
      bts[i] = b * batch + i;
      bvs[i] = (double)i;
    }
    check(nts_ts_write_series(db, "dev-2", "power", bts, bvs, (size_t)batch), "write_series");
  }
  report(backend, "nts_ts_write_series (1000-point batches)", now_ns() - t0, batches * batch, "point");

  /* The binding's floor: a call that only checks its arguments and reads a length. */
  {
    nts_points *set = NULL;
    size_t len = 0;
    check(nts_ts_query_range_points(db, "dev-1", "temperature", 0, 1, NULL, &set), "points");
    t0 = now_ns();
    for (i = 0; i < reads; i++) check(nts_points_len(set, &len), "points_len");
    report(backend, "nts_points_len (call overhead floor)", now_ns() - t0, reads, "call");
    nts_points_free(set);
  }

  /* Range reads of 1000 points into caller arrays. */
  t0 = now_ns();
  for (b = 0; b < batches; b++) {
    check(nts_ts_query_range(db, "dev-2", "power", b * batch, (b + 1) * batch, NULL, bts, bvs, (size_t)batch, &n),
          "query_range");
    if ((long)n != batch) {
      fprintf(stderr, "range returned %zu points\n", n);
      exit(1);
    }
  }
  report(backend, "nts_ts_query_range (1000 points into arrays)", now_ns() - t0, batches * batch, "point");
  free(bts);
  free(bvs);
}

int main(int argc, char **argv) {
  nts_storage *db = NULL;
  long scale = argc > 2 ? atol(argv[2]) : 1;
  if (argc < 2 || scale < 1) {
    fprintf(stderr, "usage: %s SCRATCH_DIR [SCALE]\n", argv[0]);
    return 2;
  }
  check(nts_storage_open_in_memory(NULL, &db), "open_in_memory");
  run("memory", db, scale);
  check(nts_storage_close(db), "close");
  nts_storage_free(db);

  check(nts_storage_open(argv[1], NULL, &db), "open");
  run("redb", db, scale);
  check(nts_storage_close(db), "close");
  nts_storage_free(db);
  return 0;
}
