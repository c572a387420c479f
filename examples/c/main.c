/*
 * neotalk-storage from C: a gateway loop that records a sensor, reads it back and logs an event.
 *
 * Build against an installed library (ffi/install.sh PREFIX):
 *   export PKG_CONFIG_PATH=PREFIX/lib/pkgconfig
 *   make            (or: cc main.c $(pkg-config --cflags --libs neotalk_storage) -o example)
 *   LD_LIBRARY_PATH=PREFIX/lib ./example [DATA_DIR]
 * Without DATA_DIR the database lives in memory.
 */
#include <neotalk_storage.h>

#include <stdio.h>
#include <stdlib.h>

/* Prints the reason of a failed call and leaves. */
static void check(nts_status s, const char *what) {
  if (s != NTS_OK) {
    fprintf(stderr, "%s failed: %s: %s\n", what, nts_status_name(s), nts_last_error_message());
    exit(1);
  }
}

int main(int argc, char **argv) {
  nts_storage *db = NULL;
  int64_t ts[60];
  double temp[60];
  int64_t latest_ts = 0;
  double latest = 0;
  size_t n = 0;
  char *json = NULL;
  int i;

  if (argc > 1) {
    check(nts_storage_open(argv[1], NULL, &db), "open");
  } else {
    check(nts_storage_open_in_memory(NULL, &db), "open_in_memory");
  }

  /* One minute of samples in one transaction, then a single live reading. */
  for (i = 0; i < 60; i++) {
    ts[i] = 1700000000000LL + i * 1000;
    temp[i] = 20.0 + i * 0.1;
  }
  check(nts_ts_write_series(db, "thermo-1", "temperature", ts, temp, 60), "write_series");
  check(nts_ts_write(db, "thermo-1", "temperature", 1700000060000LL, 26.5), "write");
  check(nts_storage_flush(db), "flush");

  check(nts_ts_query_latest(db, "thermo-1", "temperature", &latest_ts, &latest), "query_latest");
  printf("latest temperature: %.1f at %lld\n", latest, (long long)latest_ts);

  /* Ask for the size first, then read into arrays of that size. */
  if (nts_ts_query_range(db, "thermo-1", "temperature", 1700000000000LL, 1700000030000LL, NULL, NULL, NULL, 0, &n) ==
      NTS_BUFFER_TOO_SMALL) {
    int64_t *rts = malloc(n * sizeof *rts);
    double *rvs = malloc(n * sizeof *rvs);
    if (rts == NULL || rvs == NULL) return 1;
    check(nts_ts_query_range(db, "thermo-1", "temperature", 1700000000000LL, 1700000030000LL, NULL, rts, rvs, n, &n),
          "query_range");
    printf("first half minute: %zu points, %.1f .. %.1f\n", n, rvs[0], rvs[n - 1]);
    free(rts);
    free(rvs);
  }

  check(nts_ts_query_aggregated(db, "thermo-1", "temperature", 1700000000000LL, 1700000061000LL, 30000, &json),
        "query_aggregated");
  printf("30 s buckets: %s\n", json);
  nts_string_free(json);

  check(nts_events_append(db,
                          "{\"event_id\":\"evt-1\",\"event_type\":\"threshold.exceeded\","
                          "\"event_data\":{\"metric\":\"temperature\",\"value\":26.5},"
                          "\"metadata\":{\"source\":\"example\",\"timestamp\":1700000060000}}",
                          &json),
        "events_append");
  printf("logged: %s\n", json);
  nts_string_free(json);

  check(nts_devices_get(db, "thermo-1", &json), "devices_get");
  printf("device: %s\n", json);
  nts_string_free(json);

  /* Errors are values: a missing device is NTS_NOT_FOUND with a message. */
  if (nts_devices_get(db, "thermo-404", &json) == NTS_NOT_FOUND) {
    printf("as expected: %s\n", nts_last_error_message());
  }

  /* Vectors cross typed: a float array and its dimension; results come back as JSON. */
  {
    const float overheat[3] = {0.9f, 0.1f, 0.0f};
    const float wiring[3] = {0.0f, 0.2f, 0.9f};
    const float query[3] = {1.0f, 0.0f, 0.0f};
    check(nts_vectors_create_collection(db, "manuals", 3, "Cosine", NULL), "vectors_create_collection");
    check(nts_vectors_upsert(db, "manuals", "overheat", overheat, 3, "{\"page\":12}"), "vectors_upsert");
    check(nts_vectors_upsert(db, "manuals", "wiring", wiring, 3, "{\"page\":40}"), "vectors_upsert");
    check(nts_vectors_search(db, "manuals", query, 3, 1, NULL, &json), "vectors_search");
    printf("nearest manual page: %s\n", json);
    nts_string_free(json);
    /* A wrong dimension is refused with a message, not a crash. */
    if (nts_vectors_search(db, "manuals", query, 2, 1, NULL, &json) == NTS_INVALID_INPUT) {
      printf("as expected: %s\n", nts_last_error_message());
    }
  }

  /* A snapshot is a library-owned buffer with its own free function. */
  {
    uint8_t *snapshot = NULL;
    size_t len = 0;
    check(nts_storage_export_snapshot(db, &snapshot, &len), "export_snapshot");
    printf("snapshot: %zu bytes\n", len);
    nts_bytes_free(snapshot, len);
  }

  check(nts_storage_close(db), "close");
  nts_storage_free(db);
  return 0;
}
