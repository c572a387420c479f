/*
 * C test of the neotalk-storage C API: use after close and threads.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void test_use_after_close_stores(void) {
  nts_storage *db = open_memory();
  char *json = POISON;
  uint8_t *bytes = (uint8_t *)POISON;
  size_t len = 0;
  uint64_t u = 0;
  bool b = false;
  const float v[2] = {1, 2};

  EXPECT(NTS_OK, nts_storage_close(db));
  EXPECT(NTS_CLOSED, nts_rules_record(db, RULE1));
  EXPECT(NTS_CLOSED, nts_rules_get(db, "x1", &json));
  EXPECT(NTS_CLOSED, nts_workflows_start(db, WF1));
  EXPECT(NTS_CLOSED, nts_workflows_running(db, &json));
  EXPECT(NTS_CLOSED, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_CLOSED, nts_alerts_count_by_severity(db, &json));
  EXPECT(NTS_CLOSED, nts_decisions_create(db, DECISION1));
  EXPECT(NTS_CLOSED, nts_decisions_expire_proposals(db, 1, 1, &u));
  EXPECT(NTS_CLOSED, nts_sessions_create(db, "s", "t", 1, NULL));
  EXPECT(NTS_CLOSED, nts_sessions_delete(db, "s", &b));
  EXPECT(NTS_CLOSED, nts_memory_add(db, MEM1));
  EXPECT(NTS_CLOSED, nts_memory_search_semantic(db, v, 2, 1, &json));
  EXPECT(NTS_CLOSED, nts_vectors_create_collection(db, "c", 2, "Cosine", NULL));
  EXPECT(NTS_CLOSED, nts_vectors_upsert(db, "c", "a", v, 2, NULL));
  EXPECT(NTS_CLOSED, nts_vectors_search(db, "c", v, 2, 1, NULL, &json));
  EXPECT(NTS_CLOSED, nts_query_alerts(db, NULL, 0, 1, &json));
  EXPECT(NTS_CLOSED, nts_storage_stats(db, &json));
  EXPECT(NTS_CLOSED, nts_storage_compact(db, NULL));
  EXPECT(NTS_CLOSED, nts_storage_check_integrity(db, &b));
  EXPECT(NTS_CLOSED, nts_storage_export_snapshot(db, &bytes, &len));
  CHECK(bytes == NULL && len == 0);
  EXPECT(NTS_CLOSED, nts_storage_import_snapshot(db, (const uint8_t *)v, sizeof v, NULL));
  EXPECT(NTS_CLOSED, nts_storage_cleanup(db, NULL, 1, &json));
  EXPECT(NTS_CLOSED, nts_backup_list(db, "{\"backup_dir\":\"/tmp\"}", &json));
  EXPECT(NTS_CLOSED, nts_backup_verify(db, NULL, "x", &json));
  EXPECT(NTS_CLOSED, nts_backup_run_enabled(db, NULL, &json));
  EXPECT(NTS_CLOSED, nts_backup_prune(db, NULL, &json));
  EXPECT(NTS_CLOSED, nts_backup_newest(db, NULL, &json));
  CHECK(json == NULL);
  nts_storage_free(db);
}

static void test_use_after_close(void) {
  nts_storage *db = open_memory();
  char *json = POISON;
  nts_points *set = (nts_points *)POISON;
  int64_t ts[2] = {1, 2};
  double vs[2] = {1, 2};
  size_t n = 0;
  uint64_t u = 0;

  EXPECT(NTS_OK, nts_ts_write(db, "d", "m", 1, 1.0));
  EXPECT(NTS_OK, nts_storage_flush(db));
  EXPECT(NTS_OK, nts_ts_query_latest(db, "d", "m", &ts[0], &vs[0])); /* warms the latest cache */
  {
    /* A result set owns its points: it stays readable after its database is closed. */
    nts_points *kept = NULL;
    nts_point p;
    bool has = false;
    EXPECT(NTS_OK, nts_ts_query_range_points(db, "d", "m", 0, 9, NULL, &kept));
    EXPECT(NTS_OK, nts_storage_close(db));
    EXPECT(NTS_OK, nts_points_next(kept, &p, &has));
    CHECK(has && p.timestamp == 1 && p.float_value == 1.0);
    nts_points_free(kept);
  }

  EXPECT(NTS_CLOSED, nts_storage_flush(db));
  EXPECT(NTS_OK, nts_storage_close(db)); /* closing twice is harmless */
  EXPECT(NTS_CLOSED, nts_ts_write(db, "d", "m", 1, 1.0));
  EXPECT(NTS_CLOSED, nts_ts_write_series(db, "d", "m", ts, vs, 2));
  EXPECT(NTS_CLOSED, nts_ts_write_batch_json(db, "[]"));
  EXPECT(NTS_CLOSED, nts_ts_query_range(db, "d", "m", 0, 9, NULL, ts, vs, 2, &n));
  EXPECT(NTS_CLOSED, nts_ts_query_range_points(db, "d", "m", 0, 9, NULL, &set));
  CHECK(set == NULL);
  EXPECT(NTS_CLOSED, nts_ts_query_latest(db, "d", "m", &ts[0], &vs[0]));
  EXPECT(NTS_CLOSED, nts_ts_query_latest_json(db, "d", "m", &json));
  CHECK(json == NULL);
  EXPECT(NTS_CLOSED, nts_ts_query_aggregated(db, "d", "m", 0, 9, 1, &json));
  EXPECT(NTS_CLOSED, nts_ts_list_devices(db, &json));
  EXPECT(NTS_CLOSED, nts_ts_list_metrics(db, "d", &json));
  EXPECT(NTS_CLOSED, nts_ts_delete_range(db, "d", "m", 0, 9, &u));
  EXPECT(NTS_CLOSED, nts_devices_upsert(db, DEVICE_JSON));
  EXPECT(NTS_CLOSED, nts_devices_get(db, "d", &json));
  EXPECT(NTS_CLOSED, nts_devices_set_online(db, "d", true));
  EXPECT(NTS_CLOSED, nts_devices_delete(db, "d"));
  EXPECT(NTS_CLOSED, nts_devices_list(db, &json));
  EXPECT(NTS_CLOSED, nts_devices_list_by_type(db, "t", &json));
  EXPECT(NTS_CLOSED, nts_devices_list_online(db, &json));
  EXPECT(NTS_CLOSED, nts_devices_list_offline(db, &json));
  EXPECT(NTS_CLOSED, nts_events_append(db, EVENT1, &json));
  EXPECT(NTS_CLOSED, nts_events_append_batch(db, EVENTS23, NULL));
  EXPECT(NTS_CLOSED, nts_events_get(db, "e1", &json));
  EXPECT(NTS_CLOSED, nts_events_query_range(db, 0, 9, NTS_NO_LIMIT, &json));
  EXPECT(NTS_CLOSED, nts_events_query_by_type(db, "t", 0, 9, NTS_NO_LIMIT, &json));
  EXPECT(NTS_CLOSED, nts_events_query_by_correlation(db, "c", &json));
  EXPECT(NTS_CLOSED, nts_events_replay(db, 0, NTS_NO_LIMIT, &json));
  EXPECT(NTS_CLOSED, nts_events_last_sequence(db, &u));
  CHECK(json == NULL);
  MESSAGE_HAS("closed");
  nts_storage_free(db);
}

struct writer {
  nts_storage *db;
  char device[32];
  int ok;
};

static void *write_and_fail(void *arg) {
  struct writer *w = (struct writer *)arg;
  int i;
  w->ok = 1;
  for (i = 0; i < 200; i++) {
    if (nts_ts_write(w->db, w->device, "n", i, (double)i) != NTS_OK) w->ok = 0;
  }
  /* Each thread sees its own last error. */
  if (nts_ts_write(w->db, w->device, "", 0, 0.0) != NTS_INVALID_INPUT) w->ok = 0;
  if (strstr(nts_last_error_message(), "metric") == NULL) w->ok = 0;
  return NULL;
}

static void test_threads(void) {
  nts_storage *db = open_memory();
  struct writer w[4];
  pthread_t t[4];
  int i;
  size_t n = 0;
  char *json = NULL;

  for (i = 0; i < 4; i++) {
    w[i].db = db;
    snprintf(w[i].device, sizeof w[i].device, "dev-%d", i);
    CHECK(pthread_create(&t[i], NULL, write_and_fail, &w[i]) == 0);
  }
  /* The main thread's message is not touched by the others. */
  EXPECT(NTS_NOT_FOUND, nts_devices_get(db, "ghost", &json));
  for (i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    CHECK(w[i].ok);
  }
  MESSAGE_HAS("ghost");
  EXPECT(NTS_OK, nts_storage_flush(db));
  for (i = 0; i < 4; i++) {
    CHECK(nts_ts_query_range(db, w[i].device, "n", 0, 1000, NULL, NULL, NULL, 0, &n) == NTS_BUFFER_TOO_SMALL);
    CHECK(n == 200);
  }
  nts_storage_free(db);
}

void test_lifecycle(void) {
  test_use_after_close();
  test_use_after_close_stores();
  test_threads();
}
