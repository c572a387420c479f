/*
 * C test of the neotalk-storage C API: telemetry (typed arrays, result sets, JSON, aggregation).
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

static void test_ts_write(nts_storage *db) {
  EXPECT(NTS_OK, nts_ts_write(db, "thermo-1", "temperature", 1000, 21.5));
  EXPECT(NTS_NULL_POINTER, nts_ts_write(NULL, "d", "m", 0, 1.0));
  EXPECT(NTS_NULL_POINTER, nts_ts_write(db, NULL, "m", 0, 1.0));
  MESSAGE_HAS("device_id");
  EXPECT(NTS_NULL_POINTER, nts_ts_write(db, "d", NULL, 0, 1.0));
  MESSAGE_HAS("metric");
  EXPECT(NTS_INVALID_UTF8, nts_ts_write(db, BAD_UTF8, "m", 0, 1.0));
  EXPECT(NTS_INVALID_UTF8, nts_ts_write(db, "d", BAD_UTF8, 0, 1.0));
  EXPECT(NTS_INVALID_INPUT, nts_ts_write(db, "", "m", 0, 1.0));
  MESSAGE_HAS("device_id");
  EXPECT(NTS_INVALID_INPUT, nts_ts_write(db, "d", "m", 0, NAN));
  MESSAGE_HAS("value");
  EXPECT(NTS_INVALID_INPUT, nts_ts_write(db, "d", "m", 0, INFINITY));
}

static void test_ts_write_series(nts_storage *db) {
  int64_t ts[4] = {2000, 3000, 4000, 5000};
  double vs[4] = {22.0, 23.0, 24.0, 25.0};
  double bad[2] = {1.0, NAN};
  size_t n = 99;

  EXPECT(NTS_OK, nts_ts_write_series(db, "thermo-1", "temperature", ts, vs, 4));
  EXPECT(NTS_OK, nts_ts_write_series(db, "thermo-1", "temperature", NULL, NULL, 0));
  EXPECT(NTS_NULL_POINTER, nts_ts_write_series(NULL, "d", "m", ts, vs, 4));
  EXPECT(NTS_NULL_POINTER, nts_ts_write_series(db, NULL, "m", ts, vs, 4));
  EXPECT(NTS_NULL_POINTER, nts_ts_write_series(db, "d", NULL, ts, vs, 4));
  EXPECT(NTS_NULL_POINTER, nts_ts_write_series(db, "d", "m", NULL, vs, 4));
  MESSAGE_HAS("timestamps");
  EXPECT(NTS_NULL_POINTER, nts_ts_write_series(db, "d", "m", ts, NULL, 4));
  MESSAGE_HAS("values");
  EXPECT(NTS_INVALID_UTF8, nts_ts_write_series(db, BAD_UTF8, "m", ts, vs, 4));
  EXPECT(NTS_INVALID_UTF8, nts_ts_write_series(db, "d", BAD_UTF8, ts, vs, 4));
  /* A length no array can have is refused before anything is read. */
  EXPECT(NTS_INVALID_INPUT, nts_ts_write_series(db, "d", "m", ts, vs, SIZE_MAX));
  MESSAGE_HAS("length");
  /* All or nothing: a NaN in the batch stores none of it. */
  EXPECT(NTS_INVALID_INPUT, nts_ts_write_series(db, "atomic", "m", ts, bad, 2));
  MESSAGE_HAS("values");
  MESSAGE_HAS("NaN");
  EXPECT(NTS_OK, nts_ts_query_range(db, "atomic", "m", 0, 10000, NULL, NULL, NULL, 0, &n));
  CHECK(n == 0);
}

static void test_ts_write_batch_json(nts_storage *db) {
  const char *typed =
      "[{\"device_id\":\"plug-1\",\"metric\":\"state\",\"point\":{\"timestamp\":10,\"value\":true}},"
      "{\"device_id\":\"plug-1\",\"metric\":\"mode\",\"point\":{\"timestamp\":10,\"value\":\"eco\\u0000x\","
      "\"quality\":0.5,\"metadata\":{\"src\":\"modbus\"}}},"
      "{\"device_id\":\"plug-1\",\"metric\":\"count\",\"point\":{\"timestamp\":10,\"value\":42}},"
      "{\"device_id\":\"plug-1\",\"metric\":\"count\",\"point\":{\"timestamp\":20,\"value\":43}}]";
  EXPECT(NTS_OK, nts_ts_write_batch_json(db, typed));
  EXPECT(NTS_OK, nts_ts_write_batch_json(db, "[]"));
  EXPECT(NTS_NULL_POINTER, nts_ts_write_batch_json(NULL, "[]"));
  EXPECT(NTS_NULL_POINTER, nts_ts_write_batch_json(db, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_ts_write_batch_json(db, BAD_UTF8));
  EXPECT(NTS_INVALID_INPUT, nts_ts_write_batch_json(db, "[{"));
  MESSAGE_HAS("points_json");
  EXPECT(NTS_INVALID_INPUT, nts_ts_write_batch_json(db, "{\"device_id\":\"d\"}"));
  EXPECT(NTS_INVALID_INPUT, nts_ts_write_batch_json(db, "[{\"device_id\":\"d\",\"metric\":\"m\"}]"));
  MESSAGE_HAS("point");
  EXPECT(NTS_INVALID_INPUT,
         nts_ts_write_batch_json(db, "[{\"device_id\":\"\",\"metric\":\"m\",\"point\":{\"timestamp\":1,\"value\":1}}]"));
  MESSAGE_HAS("device_id");
}

static void test_ts_query_range(nts_storage *db) {
  int64_t ts[8];
  double vs[8];
  size_t n = 0;
  nts_range_options newest2 = {2, true};
  nts_range_options unlimited = {NTS_NO_LIMIT, false};

  /* thermo-1/temperature holds 1000..5000 (5 points). */
  EXPECT(NTS_OK, nts_ts_query_range(db, "thermo-1", "temperature", 0, 10000, NULL, ts, vs, 8, &n));
  CHECK(n == 5);
  CHECK(ts[0] == 1000 && vs[0] == 21.5 && ts[4] == 5000 && vs[4] == 25.0);
  EXPECT(NTS_OK, nts_ts_query_range(db, "thermo-1", "temperature", 2000, 4000, &unlimited, ts, vs, 8, &n));
  CHECK(n == 2 && ts[0] == 2000 && ts[1] == 3000); /* half-open */
  EXPECT(NTS_OK, nts_ts_query_range(db, "thermo-1", "temperature", 0, 10000, &newest2, ts, vs, 2, &n));
  CHECK(n == 2 && ts[0] == 5000 && ts[1] == 4000);

  /* Buffer too small: status, required size, arrays untouched. */
  ts[0] = -1;
  EXPECT(NTS_BUFFER_TOO_SMALL, nts_ts_query_range(db, "thermo-1", "temperature", 0, 10000, NULL, ts, vs, 3, &n));
  CHECK(n == 5 && ts[0] == -1);
  /* Size probe with no arrays. */
  EXPECT(NTS_BUFFER_TOO_SMALL, nts_ts_query_range(db, "thermo-1", "temperature", 0, 10000, NULL, NULL, NULL, 0, &n));
  CHECK(n == 5);
  /* Unknown series: no points, not an error. */
  EXPECT(NTS_OK, nts_ts_query_range(db, "nobody", "nothing", 0, 10000, NULL, NULL, NULL, 0, &n));
  CHECK(n == 0);
  /* Nothing is converted: double arrays read float series only, int64_t arrays integers. */
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_range(db, "plug-1", "count", 0, 100, NULL, ts, vs, 8, &n));
  MESSAGE_HAS("integer");
  MESSAGE_HAS("value type");
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_range(db, "plug-1", "state", 0, 100, NULL, ts, vs, 8, &n));
  MESSAGE_HAS("boolean");
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_range(db, "plug-1", "mode", 0, 100, NULL, ts, vs, 8, &n));
  MESSAGE_HAS("string");
  {
    int64_t iv[8];
    EXPECT(NTS_OK, nts_ts_query_range_int64(db, "plug-1", "count", 0, 100, NULL, ts, iv, 8, &n));
    CHECK(n == 2 && iv[0] == 42 && iv[1] == 43);
    EXPECT(NTS_INVALID_INPUT, nts_ts_query_range_int64(db, "thermo-1", "temperature", 0, 10000, NULL, ts, iv, 8, &n));
    MESSAGE_HAS("float");
    EXPECT(NTS_BUFFER_TOO_SMALL, nts_ts_query_range_int64(db, "plug-1", "count", 0, 100, NULL, ts, iv, 1, &n));
    CHECK(n == 2);
  }
  /* Open end: NTS_OPEN_END reaches a point at INT64_MAX, which [start, INT64_MAX) leaves out. */
  {
    int64_t edge_ts[3] = {INT64_MIN, 0, INT64_MAX};
    int64_t edge_vs[3] = {-1, 0, 1};
    int64_t iv[8];
    uint64_t removed = 0;
    EXPECT(NTS_OK, nts_ts_write_series_int64(db, "edge", "n", edge_ts, edge_vs, 3));
    EXPECT(NTS_OK, nts_ts_query_range_int64(db, "edge", "n", 1, NTS_OPEN_END, NULL, ts, iv, 8, &n));
    CHECK(n == 1 && ts[0] == INT64_MAX && iv[0] == 1);
    EXPECT(NTS_OK, nts_ts_query_range_int64(db, "edge", "n", INT64_MIN, NTS_OPEN_END, NULL, ts, iv, 8, &n));
    CHECK(n == 3 && ts[0] == INT64_MIN);
    EXPECT(NTS_OK, nts_ts_query_range_int64(db, "edge", "n", 1, INT64_MAX - 1, NULL, ts, iv, 8, &n));
    CHECK(n == 0);
    EXPECT(NTS_OK, nts_ts_delete_range(db, "edge", "n", 1, NTS_OPEN_END, &removed));
    CHECK(removed == 1);
    EXPECT(NTS_OK, nts_ts_delete_range(db, "edge", "n", INT64_MIN, NTS_OPEN_END, &removed));
    CHECK(removed == 2);
  }

  EXPECT(NTS_INVALID_INPUT, nts_ts_query_range(db, "thermo-1", "temperature", 10, 5, NULL, ts, vs, 8, &n));
  MESSAGE_HAS("time range");
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range(NULL, "d", "m", 0, 1, NULL, ts, vs, 8, &n));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range(db, NULL, "m", 0, 1, NULL, ts, vs, 8, &n));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range(db, "d", NULL, 0, 1, NULL, ts, vs, 8, &n));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range(db, "d", "m", 0, 1, NULL, NULL, vs, 8, &n));
  MESSAGE_HAS("out_timestamps");
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range(db, "d", "m", 0, 1, NULL, ts, NULL, 8, &n));
  MESSAGE_HAS("out_values");
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range(db, "d", "m", 0, 1, NULL, ts, vs, 8, NULL));
  MESSAGE_HAS("out_count");
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_range(db, BAD_UTF8, "m", 0, 1, NULL, ts, vs, 8, &n));
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_range(db, "d", BAD_UTF8, 0, 1, NULL, ts, vs, 8, &n));
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_range(db, "d", "m", 0, 1, NULL, ts, vs, SIZE_MAX, &n));
  /* Misaligned pointers (which C cannot form without undefined behaviour) are covered by
     ffi/tests/misaligned.rs. */
}

static void test_ts_points(nts_storage *db) {
  nts_points *set = (nts_points *)POISON;
  nts_point p;
  bool has = false;
  size_t len = 0;
  nts_range_options newest1 = {1, true};

  /* Every kind of value, with quality and metadata, through the iterator. */
  EXPECT(NTS_OK, nts_ts_query_range_points(db, "plug-1", "mode", 0, 100, NULL, &set));
  EXPECT(NTS_OK, nts_points_len(set, &len));
  CHECK(len == 1);
  EXPECT(NTS_OK, nts_points_next(set, &p, &has));
  CHECK(has && p.timestamp == 10 && p.kind == NTS_VALUE_STRING);
  CHECK(p.string_len == 5 && memcmp(p.string_value, "eco\0x", 5) == 0 && p.string_value[5] == '\0');
  CHECK(p.has_quality && p.quality == 0.5f);
  CHECK(p.metadata_json != NULL && strcmp(p.metadata_json, "{\"src\":\"modbus\"}") == 0);
  EXPECT(NTS_OK, nts_points_next(set, &p, &has));
  CHECK(!has);
  EXPECT(NTS_OK, nts_points_next(set, &p, &has));
  CHECK(!has);
  EXPECT(NTS_OK, nts_points_len(set, &len));
  CHECK(len == 1);
  EXPECT(NTS_NULL_POINTER, nts_points_len(NULL, &len));
  EXPECT(NTS_NULL_POINTER, nts_points_len(set, NULL));
  EXPECT(NTS_NULL_POINTER, nts_points_next(NULL, &p, &has));
  EXPECT(NTS_NULL_POINTER, nts_points_next(set, NULL, &has));
  EXPECT(NTS_NULL_POINTER, nts_points_next(set, &p, NULL));
  nts_points_free(set);

  EXPECT(NTS_OK, nts_ts_query_range_points(db, "plug-1", "state", 0, 100, NULL, &set));
  EXPECT(NTS_OK, nts_points_next(set, &p, &has));
  CHECK(has && p.kind == NTS_VALUE_BOOLEAN && p.bool_value && p.float_value == 1.0);
  CHECK(!p.has_quality && p.metadata_json == NULL && p.string_value == NULL);
  nts_points_free(set);

  EXPECT(NTS_OK, nts_ts_query_range_points(db, "plug-1", "count", 0, 100, &newest1, &set));
  EXPECT(NTS_OK, nts_points_len(set, &len));
  CHECK(len == 1);
  EXPECT(NTS_OK, nts_points_next(set, &p, &has));
  CHECK(has && p.kind == NTS_VALUE_INTEGER && p.int_value == 43 && p.timestamp == 20);
  nts_points_free(set);

  EXPECT(NTS_OK, nts_ts_query_range_points(db, "thermo-1", "temperature", 0, 10000, NULL, &set));
  EXPECT(NTS_OK, nts_points_len(set, &len));
  CHECK(len == 5);
  EXPECT(NTS_OK, nts_points_next(set, &p, &has));
  CHECK(has && p.kind == NTS_VALUE_FLOAT && p.float_value == 21.5 && p.timestamp == 1000);
  nts_points_free(set); /* freeing a partly read set */

  set = (nts_points *)POISON;
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_range_points(db, "d", "m", 5, 1, NULL, &set));
  CHECK(set == NULL);
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range_points(NULL, "d", "m", 0, 1, NULL, &set));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range_points(db, NULL, "m", 0, 1, NULL, &set));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range_points(db, "d", NULL, 0, 1, NULL, &set));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range_points(db, "d", "m", 0, 1, NULL, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_range_points(db, BAD_UTF8, "m", 0, 1, NULL, &set));
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_range_points(db, "d", BAD_UTF8, 0, 1, NULL, &set));
}

static void test_ts_latest(nts_storage *db) {
  int64_t ts = 0;
  double v = 0;
  char *json = POISON;

  EXPECT(NTS_OK, nts_ts_query_latest(db, "thermo-1", "temperature", &ts, &v));
  CHECK(ts == 5000 && v == 25.0);
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_latest(db, "plug-1", "count", &ts, &v));
  MESSAGE_HAS("integer");
  CHECK(ts == 5000); /* untouched on failure */
  EXPECT(NTS_NOT_FOUND, nts_ts_query_latest(db, "thermo-1", "pressure", &ts, &v));
  CHECK(ts == 5000);
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_latest(db, "plug-1", "mode", &ts, &v));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest(NULL, "d", "m", &ts, &v));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest(db, NULL, "m", &ts, &v));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest(db, "d", NULL, &ts, &v));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest(db, "d", "m", NULL, &v));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest(db, "d", "m", &ts, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_latest(db, BAD_UTF8, "m", &ts, &v));
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_latest(db, "d", BAD_UTF8, &ts, &v));
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_latest(db, "d", "", &ts, &v));

  EXPECT(NTS_OK, nts_ts_query_latest_json(db, "plug-1", "mode", &json));
  JSON_STRN(json, "value", "eco\0x", 5);
  FREE(json);
  EXPECT(NTS_OK, nts_ts_query_latest_json(db, "thermo-1", "temperature", &json));
  JSON_NUM(json, "timestamp", 5000);
  JSON_NUM(json, "value", 25.0);
  JSON_NULL(json, "quality");
  FREE(json);
  json = POISON;
  EXPECT(NTS_NOT_FOUND, nts_ts_query_latest_json(db, "thermo-1", "pressure", &json));
  CHECK(json == NULL);
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest_json(NULL, "d", "m", &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest_json(db, NULL, "m", &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest_json(db, "d", NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest_json(db, "d", "m", NULL));
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_latest_json(db, BAD_UTF8, "m", &json));
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_latest_json(db, "d", BAD_UTF8, &json));
}

static void test_ts_aggregated_lists_delete(nts_storage *db) {
  char *json = NULL;
  uint64_t removed = 0;
  size_t n = 0;

  EXPECT(NTS_OK, nts_ts_query_aggregated(db, "thermo-1", "temperature", 0, 10000, 10000, &json));
  JSON_LEN(json, "", 1);
  JSON_NUM(json, "0.count", 5);
  JSON_NUM(json, "0.first", 21.5); /* earliest timestamp */
  JSON_NUM(json, "0.last", 25.0);  /* latest timestamp */
  FREE(json);
  EXPECT(NTS_OK, nts_ts_query_aggregated(db, "thermo-1", "temperature", 0, 10000, 2000, &json));
  JSON_LIST(json, "bucket_start", "0,2000,4000");
  JSON_NUM(json, "2.count", 2);
  JSON_NUM(json, "2.sum", 49.0);
  JSON_NUM(json, "2.min", 24.0);
  JSON_NUM(json, "2.max", 25.0);
  JSON_NUM(json, "2.avg", 24.5);
  JSON_NUM(json, "2.first", 24.0);
  JSON_NUM(json, "2.last", 25.0);
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_aggregated(db, "thermo-1", "temperature", 0, 10000, 0, &json));
  MESSAGE_HAS("bucket_ms");
  CHECK(json == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_aggregated(db, "thermo-1", "temperature", 9, 0, 10, &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_aggregated(NULL, "d", "m", 0, 1, 1, &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_aggregated(db, NULL, "m", 0, 1, 1, &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_aggregated(db, "d", NULL, 0, 1, 1, &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_aggregated(db, "d", "m", 0, 1, 1, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_aggregated(db, BAD_UTF8, "m", 0, 1, 1, &json));
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_aggregated(db, "d", BAD_UTF8, 0, 1, 1, &json));

  EXPECT(NTS_OK, nts_ts_list_devices(db, &json));
  JSON_LIST(json, "", "plug-1,thermo-1");
  FREE(json);
  EXPECT(NTS_NULL_POINTER, nts_ts_list_devices(NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_list_devices(db, NULL));

  EXPECT(NTS_OK, nts_ts_list_metrics(db, "plug-1", &json));
  JSON_LIST(json, "", "count,mode,state");
  FREE(json);
  EXPECT(NTS_NOT_FOUND, nts_ts_list_metrics(db, "nobody", &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_list_metrics(NULL, "d", &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_list_metrics(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_list_metrics(db, "d", NULL));
  EXPECT(NTS_INVALID_UTF8, nts_ts_list_metrics(db, BAD_UTF8, &json));

  EXPECT(NTS_OK, nts_ts_delete_range(db, "thermo-1", "temperature", 1000, 3000, &removed));
  CHECK(removed == 2);
  EXPECT(NTS_OK, nts_ts_delete_range(db, "thermo-1", "temperature", 1000, 3000, NULL));
  EXPECT(NTS_BUFFER_TOO_SMALL, nts_ts_query_range(db, "thermo-1", "temperature", 0, 10000, NULL, NULL, NULL, 0, &n));
  CHECK(n == 3);
  EXPECT(NTS_INVALID_INPUT, nts_ts_delete_range(db, "thermo-1", "temperature", 3, 1, &removed));
  EXPECT(NTS_NULL_POINTER, nts_ts_delete_range(NULL, "d", "m", 0, 1, &removed));
  EXPECT(NTS_NULL_POINTER, nts_ts_delete_range(db, NULL, "m", 0, 1, &removed));
  EXPECT(NTS_NULL_POINTER, nts_ts_delete_range(db, "d", NULL, 0, 1, &removed));
  EXPECT(NTS_INVALID_UTF8, nts_ts_delete_range(db, BAD_UTF8, "m", 0, 1, &removed));
  EXPECT(NTS_INVALID_UTF8, nts_ts_delete_range(db, "d", BAD_UTF8, 0, 1, &removed));

  /* A whole metric on every device, then a whole device. */
  EXPECT(NTS_OK, nts_ts_delete_metric(db, "mode", &removed));
  CHECK(removed > 0);
  EXPECT(NTS_OK, nts_ts_list_metrics(db, "plug-1", &json));
  JSON_LIST(json, "", "count,state");
  FREE(json);
  EXPECT(NTS_OK, nts_ts_delete_device(db, "plug-1", &removed));
  CHECK(removed > 0);
  EXPECT(NTS_OK, nts_ts_list_metrics(db, "plug-1", &json));
  JSON_LEN(json, "", 0);
  FREE(json);
  EXPECT(NTS_OK, nts_ts_delete_device(db, "plug-1", NULL));
  EXPECT(NTS_INVALID_INPUT, nts_ts_delete_device(db, "", &removed));
  EXPECT(NTS_INVALID_INPUT, nts_ts_delete_metric(db, "", &removed));
  EXPECT(NTS_NULL_POINTER, nts_ts_delete_device(NULL, "d", &removed));
  EXPECT(NTS_NULL_POINTER, nts_ts_delete_metric(db, NULL, &removed));
  EXPECT(NTS_INVALID_UTF8, nts_ts_delete_metric(db, BAD_UTF8, &removed));
}

/* Plain C shapes: library-allocated ranges and buckets, and the newest points of many series. */
static void test_ts_c_arrays(nts_storage *db) {
  int64_t *ts = (int64_t *)POISON;
  double *vs = (double *)POISON;
  size_t n = 99;
  nts_bucket *buckets = (nts_bucket *)POISON;
  nts_range_options newest2 = {2, true};
  const char *devices[4] = {"thermo-1", "nobody", "plug-1", "thermo-1"};
  const char *metrics[4] = {"temperature", "nothing", "count", "temperature"};
  int64_t lts[4];
  double lvs[4];
  bool found[4];

  EXPECT(NTS_OK, nts_ts_query_range_alloc(db, "thermo-1", "temperature", 0, 10000, NULL, &ts, &vs, &n));
  CHECK(n == 5 && ts != NULL && vs != NULL);
  if (n == 5 && ts != NULL && vs != NULL) CHECK(ts[0] == 1000 && vs[0] == 21.5 && ts[4] == 5000 && vs[4] == 25.0);
  nts_series_free(ts, vs, n);
  EXPECT(NTS_OK, nts_ts_query_range_alloc(db, "thermo-1", "temperature", 0, 10000, &newest2, &ts, &vs, &n));
  CHECK(n == 2 && ts != NULL && ts[0] == 5000 && ts[1] == 4000);
  nts_series_free(ts, vs, n);
  EXPECT(NTS_OK, nts_ts_query_range_alloc(db, "nobody", "nothing", 0, 10000, NULL, &ts, &vs, &n));
  CHECK(n == 0 && ts == NULL && vs == NULL);
  nts_series_free(ts, vs, n);
  nts_series_free(NULL, NULL, 0);
  ts = (int64_t *)POISON;
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_range_alloc(db, "plug-1", "count", 0, 100, NULL, &ts, &vs, &n));
  MESSAGE_HAS("integer");
  CHECK(ts == NULL && vs == NULL && n == 0);
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_range_alloc(db, "thermo-1", "temperature", 9, 1, NULL, &ts, &vs, &n));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range_alloc(db, "d", "m", 0, 1, NULL, NULL, &vs, &n));
  MESSAGE_HAS("out_timestamps");
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range_alloc(db, "d", "m", 0, 1, NULL, &ts, NULL, &n));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range_alloc(db, "d", "m", 0, 1, NULL, &ts, &vs, NULL));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_range_alloc(NULL, "d", "m", 0, 1, NULL, &ts, &vs, &n));
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_range_alloc(db, BAD_UTF8, "m", 0, 1, NULL, &ts, &vs, &n));

  /* Buckets of 2 s: [0,2000) holds 1000, [2000,4000) 2000 and 3000, [4000,6000) 4000 and 5000. */
  EXPECT(NTS_OK, nts_ts_query_aggregated_buckets(db, "thermo-1", "temperature", 0, 10000, 2000, &buckets, &n));
  CHECK(n == 3 && buckets != NULL);
  if (n == 3 && buckets != NULL) {
    CHECK(buckets[0].bucket_start == 0 && buckets[0].count == 1 && buckets[0].has_numeric);
    CHECK(buckets[2].bucket_start == 4000 && buckets[2].count == 2 && buckets[2].sum == 49.0);
    CHECK(buckets[2].min == 24.0 && buckets[2].max == 25.0 && buckets[2].avg == 24.5);
    CHECK(buckets[2].first == 24.0 && buckets[2].last == 25.0);
  }
  nts_buckets_free(buckets, n);
  /* Strings count but have no numeric aggregates. */
  EXPECT(NTS_OK, nts_ts_query_aggregated_buckets(db, "plug-1", "mode", 0, 100, 100, &buckets, &n));
  CHECK(n == 1 && buckets != NULL && buckets[0].count == 1 && !buckets[0].has_numeric && isnan(buckets[0].sum));
  nts_buckets_free(buckets, n);
  EXPECT(NTS_OK, nts_ts_query_aggregated_buckets(db, "nobody", "nothing", 0, 100, 100, &buckets, &n));
  CHECK(n == 0 && buckets == NULL);
  nts_buckets_free(NULL, 0);
  buckets = (nts_bucket *)POISON;
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_aggregated_buckets(db, "thermo-1", "temperature", 0, 10000, 0, &buckets, &n));
  MESSAGE_HAS("bucket_ms");
  CHECK(buckets == NULL && n == 0);
  EXPECT(NTS_NULL_POINTER, nts_ts_query_aggregated_buckets(db, "d", "m", 0, 1, 1, NULL, &n));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_aggregated_buckets(db, "d", "m", 0, 1, 1, &buckets, NULL));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_aggregated_buckets(NULL, "d", "m", 0, 1, 1, &buckets, &n));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_aggregated_buckets(db, NULL, "m", 0, 1, 1, &buckets, &n));

  /* Batch latest: found or not per series, in the order asked. */
  metrics[2] = "nothing";
  EXPECT(NTS_OK, nts_ts_query_latest_batch(db, devices, metrics, 4, lts, lvs, found));
  CHECK(found[0] && lts[0] == 5000 && lvs[0] == 25.0);
  CHECK(!found[1] && lts[1] == 0 && lvs[1] == 0.0);
  CHECK(!found[2]);
  CHECK(found[3] && lts[3] == 5000);
  EXPECT(NTS_OK, nts_ts_query_latest_batch(db, NULL, NULL, 0, NULL, NULL, NULL));
  metrics[2] = "count";
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_latest_batch(db, devices, metrics, 4, lts, lvs, found));
  MESSAGE_HAS("plug-1/count");
  MESSAGE_HAS("integer");
  devices[1] = NULL;
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest_batch(db, devices, metrics, 2, lts, lvs, found));
  MESSAGE_HAS("device_ids is NULL (element 1)");
  devices[1] = BAD_UTF8;
  EXPECT(NTS_INVALID_UTF8, nts_ts_query_latest_batch(db, devices, metrics, 2, lts, lvs, found));
  devices[1] = "nobody";
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest_batch(db, devices, NULL, 2, lts, lvs, found));
  MESSAGE_HAS("metrics");
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest_batch(db, devices, metrics, 2, NULL, lvs, found));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest_batch(db, devices, metrics, 2, lts, NULL, found));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest_batch(db, devices, metrics, 2, lts, lvs, NULL));
  EXPECT(NTS_NULL_POINTER, nts_ts_query_latest_batch(NULL, devices, metrics, 2, lts, lvs, found));
  EXPECT(NTS_INVALID_INPUT, nts_ts_query_latest_batch(db, devices, metrics, SIZE_MAX, lts, lvs, found));
}

/* Binary values: a 1 MB camera image in, the same bytes out through the point iterator and
   as base64 JSON; the device snapshot keeps its size; bad arguments are refused. */
static void test_ts_binary(void) {
  enum { IMAGE = 1000000 };
  nts_storage *db = open_memory();
  unsigned char *image = (unsigned char *)malloc(IMAGE);
  nts_points *set = NULL;
  nts_point p;
  bool has = false;
  char *json = NULL;
  size_t i;
  const unsigned char small[3] = {0, 255, 7};
  CHECK(image != NULL);
  if (image == NULL) return;
  for (i = 0; i < IMAGE; i++) image[i] = (unsigned char)(i * 31u + 1u);

  EXPECT(NTS_OK, nts_ts_write_binary(db, "cam-1", "snapshot", 1000, image, IMAGE));
  EXPECT(NTS_OK, nts_ts_write_binary(db, "cam-1", "snapshot", 2000, small, 3));
  EXPECT(NTS_OK, nts_ts_write_binary(db, "cam-1", "empty", 1, NULL, 0));
  EXPECT(NTS_OK, nts_ts_query_range_points(db, "cam-1", "snapshot", 0, NTS_OPEN_END, NULL, &set));
  EXPECT(NTS_OK, nts_points_next(set, &p, &has));
  CHECK(has && p.kind == NTS_VALUE_BINARY && p.timestamp == 1000 && p.binary_len == IMAGE);
  CHECK(p.binary_value != NULL && memcmp(p.binary_value, image, IMAGE) == 0);
  CHECK(p.string_value == NULL && p.float_value == 0.0);
  EXPECT(NTS_OK, nts_points_next(set, &p, &has));
  CHECK(has && p.kind == NTS_VALUE_BINARY && p.binary_len == 3 && memcmp(p.binary_value, small, 3) == 0);
  nts_points_free(set);
  EXPECT(NTS_OK, nts_ts_query_range_points(db, "cam-1", "empty", 0, NTS_OPEN_END, NULL, &set));
  EXPECT(NTS_OK, nts_points_next(set, &p, &has));
  CHECK(has && p.kind == NTS_VALUE_BINARY && p.binary_len == 0 && p.binary_value == NULL);
  nts_points_free(set);

  EXPECT(NTS_OK, nts_ts_query_latest_json(db, "cam-1", "snapshot", &json));
  JSON_STR(json, "value.base64", "AP8H");
  FREE(json);
  EXPECT(NTS_OK, nts_devices_get(db, "cam-1", &json));
  JSON_NUM(json, "metrics.snapshot.binary_bytes", 3);
  JSON_STR(json, "metrics.snapshot.value.base64", "");
  FREE(json);
  /* The float reader names the type it found. */
  {
    int64_t ts = 0;
    double v = 0;
    EXPECT(NTS_INVALID_INPUT, nts_ts_query_latest(db, "cam-1", "snapshot", &ts, &v));
    MESSAGE_HAS("binary");
  }
  EXPECT(NTS_NULL_POINTER, nts_ts_write_binary(db, "cam-1", "snapshot", 3000, NULL, 5));
  EXPECT(NTS_NULL_POINTER, nts_ts_write_binary(NULL, "cam-1", "snapshot", 3000, small, 3));
  EXPECT(NTS_INVALID_INPUT, nts_ts_write_binary(db, "cam-1", "", 3000, small, 3));
  /* Through JSON: base64 in, and a bad base64 refused by name. */
  EXPECT(NTS_OK, nts_ts_write_batch_json(db, "[{\"device_id\": \"cam-2\", \"metric\": \"m\", \"point\": {\"timestamp\": 1, \"value\": {\"base64\": \"AAEC\"}}}]"));
  EXPECT(NTS_OK, nts_ts_query_latest_json(db, "cam-2", "m", &json));
  JSON_STR(json, "value.base64", "AAEC");
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_ts_write_batch_json(db, "[{\"device_id\": \"cam-2\", \"metric\": \"m\", \"point\": {\"timestamp\": 2, \"value\": {\"base64\": \"***\"}}}]"));
  MESSAGE_HAS("base64");
  free(image);
  nts_storage_free(db);
}

void test_timeseries(nts_storage *db) {
  test_ts_write(db);
  test_ts_write_series(db);
  test_ts_write_batch_json(db);
  test_ts_query_range(db);
  test_ts_points(db);
  test_ts_latest(db);
  test_ts_c_arrays(db);
  test_ts_aggregated_lists_delete(db);
  test_ts_binary();
}
