/*
 * C test of the neotalk-storage C API: every function, its results and every error path
 * (NULL pointers, invalid UTF-8, malformed JSON, wrong sizes, use after close, store errors).
 *
 * Usage: nts_test SCRATCH_DIR   (a writable directory for on-disk databases)
 * Run under valgrind by ffi/test.sh. Exit status 0 when every check passed.
 */
#define _POSIX_C_SOURCE 200809L
#include "neotalk_storage.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int failures = 0;
static int checks = 0;
static const char *scratch = NULL;

#define CHECK(cond)                                                                  \
  do {                                                                               \
    checks++;                                                                        \
    if (!(cond)) {                                                                   \
      failures++;                                                                    \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);       \
    }                                                                                \
  } while (0)

/* Expects `call` to return `want`; a failure must leave a non-empty message, success an empty one. */
#define EXPECT(want, call)                                                                     \
  do {                                                                                         \
    nts_status got_ = (call);                                                                  \
    checks++;                                                                                  \
    if (got_ != (want)) {                                                                      \
      failures++;                                                                              \
      fprintf(stderr, "%s:%d: %s returned %s (%s), expected %s\n", __FILE__, __LINE__, #call, \
              nts_status_name(got_), nts_last_error_message(), nts_status_name(want));         \
    } else if ((want) == NTS_OK && nts_last_error_message()[0] != '\0') {                      \
      failures++;                                                                              \
      fprintf(stderr, "%s:%d: success left a message: %s\n", __FILE__, __LINE__,              \
              nts_last_error_message());                                                       \
    } else if ((want) != NTS_OK && nts_last_error_message()[0] == '\0') {                      \
      failures++;                                                                              \
      fprintf(stderr, "%s:%d: %s failed without a message\n", __FILE__, __LINE__, #call);     \
    }                                                                                          \
  } while (0)

/* The last message mentions `text` (the argument or field that was wrong). */
#define MESSAGE_HAS(text)                                                                  \
  do {                                                                                     \
    checks++;                                                                              \
    if (strstr(nts_last_error_message(), (text)) == NULL) {                                \
      failures++;                                                                          \
      fprintf(stderr, "%s:%d: message \"%s\" does not mention \"%s\"\n", __FILE__, __LINE__, \
              nts_last_error_message(), (text));                                           \
    }                                                                                      \
  } while (0)

/* Checks that a returned JSON string contains `text`, then frees it. */
#define JSON_HAS_AND_FREE(json, text)                                                  \
  do {                                                                                 \
    checks++;                                                                          \
    if ((json) == NULL || strstr((json), (text)) == NULL) {                            \
      failures++;                                                                      \
      fprintf(stderr, "%s:%d: JSON %s does not contain %s\n", __FILE__, __LINE__,      \
              (json) ? (json) : "(null)", (text));                                     \
    }                                                                                  \
    nts_string_free(json);                                                             \
    (json) = NULL;                                                                     \
  } while (0)

static const char BAD_UTF8[] = {'d', (char)0xff, (char)0xfe, 0};
/* A pointer that must never be written through: outputs are checked before use. */
static char *const POISON = (char *)0x1;

static const char *DEVICE_JSON =
    "{\"device_id\":\"thermo-1\",\"device_type\":\"thermometer\",\"name\":\"Hall\","
    "\"online\":true,\"last_seen\":500,\"metrics\":{},\"config\":{\"unit\":\"C\"},"
    "\"mdl_definition\":null,\"adapter\":\"mqtt\"}";

static nts_storage *open_memory(void) {
  nts_storage *db = NULL;
  EXPECT(NTS_OK, nts_storage_open_in_memory(NULL, &db));
  CHECK(db != NULL);
  return db;
}

static void path_join(char *out, size_t cap, const char *name) {
  snprintf(out, cap, "%s/%s", scratch, name);
}

/* ---------------------------------------------------------------- status and messages */

static void test_status_names(void) {
  CHECK(strcmp(nts_status_name(NTS_OK), "OK") == 0);
  CHECK(strcmp(nts_status_name(NTS_NOT_FOUND), "NOT_FOUND") == 0);
  CHECK(strcmp(nts_status_name(NTS_INVALID_INPUT), "INVALID_INPUT") == 0);
  CHECK(strcmp(nts_status_name(NTS_CONFLICT), "CONFLICT") == 0);
  CHECK(strcmp(nts_status_name(NTS_CORRUPTED), "CORRUPTED") == 0);
  CHECK(strcmp(nts_status_name(NTS_VERSION_MISMATCH), "VERSION_MISMATCH") == 0);
  CHECK(strcmp(nts_status_name(NTS_LOCKED), "LOCKED") == 0);
  CHECK(strcmp(nts_status_name(NTS_IO), "IO") == 0);
  CHECK(strcmp(nts_status_name(NTS_BACKEND), "BACKEND") == 0);
  CHECK(strcmp(nts_status_name(NTS_CLOSED), "CLOSED") == 0);
  CHECK(strcmp(nts_status_name(NTS_NULL_POINTER), "NULL_POINTER") == 0);
  CHECK(strcmp(nts_status_name(NTS_INVALID_UTF8), "INVALID_UTF8") == 0);
  CHECK(strcmp(nts_status_name(NTS_BUFFER_TOO_SMALL), "BUFFER_TOO_SMALL") == 0);
  CHECK(strcmp(nts_status_name(NTS_PANIC), "PANIC") == 0);
  CHECK(strcmp(nts_status_name(-1), "UNKNOWN") == 0);
  CHECK(strcmp(nts_status_name(NTS_READ_ONLY), "READ_ONLY") == 0);
  CHECK(strcmp(nts_status_name(15), "UNKNOWN") == 0);
  CHECK(NTS_OK == 0);
}

static void test_last_error_message(void) {
  nts_storage *db = NULL;
  EXPECT(NTS_NULL_POINTER, nts_storage_open_in_memory(NULL, NULL));
  MESSAGE_HAS("out");
  EXPECT(NTS_OK, nts_storage_open_in_memory(NULL, &db));
  CHECK(strcmp(nts_last_error_message(), "") == 0);
  nts_storage_free(db);
}

/* ---------------------------------------------------------------- storage lifecycle */

static void test_storage_open_errors(void) {
  nts_storage *db = (nts_storage *)POISON;
  char path[512];

  EXPECT(NTS_NULL_POINTER, nts_storage_open("x", NULL, NULL));
  EXPECT(NTS_NULL_POINTER, nts_storage_open(NULL, NULL, &db));
  CHECK(db == NULL); /* pointer outputs are NULL on failure */
  MESSAGE_HAS("data_dir");
  EXPECT(NTS_INVALID_UTF8, nts_storage_open(BAD_UTF8, NULL, &db));
  MESSAGE_HAS("data_dir");
  EXPECT(NTS_INVALID_INPUT, nts_storage_open("", NULL, &db));
  path_join(path, sizeof path, "opts");
  EXPECT(NTS_INVALID_INPUT, nts_storage_open(path, "{not json", &db));
  MESSAGE_HAS("options_json");
  EXPECT(NTS_INVALID_INPUT, nts_storage_open(path, "[]", &db));
  EXPECT(NTS_INVALID_INPUT, nts_storage_open(path, "{\"durabilty\":\"Eventual\"}", &db));
  MESSAGE_HAS("unknown field `durabilty`");
  EXPECT(NTS_INVALID_INPUT, nts_storage_open(path, "{\"write_buffer\":{\"max_pionts\":1}}", &db));
  MESSAGE_HAS("unknown field `max_pionts`");
  EXPECT(NTS_INVALID_INPUT, nts_storage_open(path, "{\"durability\":\"Sometimes\"}", &db));
  EXPECT(NTS_INVALID_UTF8, nts_storage_open(path, BAD_UTF8, &db));
  CHECK(db == NULL);

  /* A data directory that is a regular file cannot be created. */
  {
    FILE *f;
    path_join(path, sizeof path, "plain-file");
    f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    EXPECT(NTS_IO, nts_storage_open(path, NULL, &db));
  }
  /* A file that is not a database. */
  {
    FILE *f;
    char file[600];
    path_join(path, sizeof path, "garbage");
    mkdir(path, 0700);
    snprintf(file, sizeof file, "%s/storage.redb", path);
    f = fopen(file, "w");
    CHECK(f != NULL);
    if (f) {
      int i;
      for (i = 0; i < 8192; i++) fputc((i * 7919) & 0xff, f);
      fclose(f);
    }
    /* core documents NTS_CORRUPTED here but today reports redb's "not a redb database" as a
       storage engine error (NTS_BACKEND); either is a refusal with a message and no handle. */
    {
      nts_status s = nts_storage_open(path, NULL, &db);
      CHECK(s == NTS_CORRUPTED || s == NTS_BACKEND);
      MESSAGE_HAS("redb");
    }
    CHECK(db == NULL);
  }

  EXPECT(NTS_NULL_POINTER, nts_storage_open_in_memory(NULL, NULL));
  EXPECT(NTS_INVALID_INPUT, nts_storage_open_in_memory("nope", &db));
  EXPECT(NTS_INVALID_UTF8, nts_storage_open_in_memory(BAD_UTF8, &db));
  CHECK(db == NULL);
}

static void test_storage_persistence_and_lock(void) {
  char path[512];
  nts_storage *db = NULL, *second = NULL;
  int64_t ts = 0;
  double v = 0;

  path_join(path, sizeof path, "persist");
  EXPECT(NTS_OK, nts_storage_open(path, "{\"durability\":\"Eventual\",\"write_buffer\":{\"max_points\":2}}", &db));
  EXPECT(NTS_LOCKED, nts_storage_open(path, NULL, &second));
  CHECK(second == NULL);
  EXPECT(NTS_OK, nts_ts_write(db, "pump-7", "power", 1000, 1.5));
  EXPECT(NTS_OK, nts_storage_flush(db));
  EXPECT(NTS_OK, nts_storage_close(db));
  EXPECT(NTS_OK, nts_storage_close(db)); /* closing twice is harmless */
  EXPECT(NTS_CLOSED, nts_storage_flush(db));
  nts_storage_free(db);

  EXPECT(NTS_OK, nts_storage_open(path, NULL, &db));
  EXPECT(NTS_OK, nts_ts_query_latest(db, "pump-7", "power", &ts, &v));
  CHECK(ts == 1000 && v == 1.5);
  /* Freeing without close closes (and releases the lock). */
  nts_storage_free(db);
  EXPECT(NTS_OK, nts_storage_open(path, NULL, &db));
  nts_storage_free(db);

  EXPECT(NTS_NULL_POINTER, nts_storage_flush(NULL));
  EXPECT(NTS_NULL_POINTER, nts_storage_close(NULL));
  nts_storage_free(NULL);
  nts_string_free(NULL);
  nts_points_free(NULL);
}

static void test_storage_split_files(void) {
  char path[512], file[600];
  nts_storage *db = NULL;
  int64_t ts = 0;
  double v = 0;
  FILE *f;

  path_join(path, sizeof path, "split");
  EXPECT(NTS_OK, nts_storage_open(path, "{\"split_files\":true}", &db));
  EXPECT(NTS_OK, nts_ts_write(db, "pump-7", "power", 1000, 1.5));
  EXPECT(NTS_OK, nts_storage_close(db));
  nts_storage_free(db);
  snprintf(file, sizeof file, "%s/timeseries.redb", path);
  f = fopen(file, "rb");
  CHECK(f != NULL); /* the time series have a file of their own */
  if (f) fclose(f);
  /* Default options open the directory in the layout it has. */
  EXPECT(NTS_OK, nts_storage_open(path, NULL, &db));
  EXPECT(NTS_OK, nts_ts_query_latest(db, "pump-7", "power", &ts, &v));
  CHECK(ts == 1000 && v == 1.5);
  nts_storage_free(db);

  /* An existing one-file database is not split behind the caller's back. */
  path_join(path, sizeof path, "persist");
  db = (nts_storage *)POISON;
  EXPECT(NTS_INVALID_INPUT, nts_storage_open(path, "{\"split_files\":true}", &db));
  MESSAGE_HAS("split_files");
  CHECK(db == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_storage_open(path, "{\"split_files\":\"yes\"}", &db));
}

/* ---------------------------------------------------------------- time series */

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
  JSON_HAS_AND_FREE(json, "\"value\":\"eco\\u0000x\"");
  EXPECT(NTS_OK, nts_ts_query_latest_json(db, "thermo-1", "temperature", &json));
  JSON_HAS_AND_FREE(json, "\"timestamp\":5000");
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
  JSON_HAS_AND_FREE(json, "\"count\":5");
  EXPECT(NTS_OK, nts_ts_query_aggregated(db, "thermo-1", "temperature", 0, 10000, 2000, &json));
  JSON_HAS_AND_FREE(json, "{\"bucket_start\":4000,\"count\":2,\"sum\":49.0,\"min\":24.0,\"max\":25.0,\"avg\":24.5");
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
  JSON_HAS_AND_FREE(json, "[\"plug-1\",\"thermo-1\"]");
  EXPECT(NTS_NULL_POINTER, nts_ts_list_devices(NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_ts_list_devices(db, NULL));

  EXPECT(NTS_OK, nts_ts_list_metrics(db, "plug-1", &json));
  JSON_HAS_AND_FREE(json, "[\"count\",\"mode\",\"state\"]");
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
}

/* ---------------------------------------------------------------- devices */

static void test_devices(nts_storage *db) {
  char *json = POISON;

  EXPECT(NTS_OK, nts_devices_upsert(db, DEVICE_JSON));
  EXPECT(NTS_OK, nts_devices_get(db, "thermo-1", &json));
  /* Telemetry written earlier shows in the metric snapshots. */
  JSON_HAS_AND_FREE(json, "\"name\":\"Hall\"");
  EXPECT(NTS_OK, nts_devices_get(db, "thermo-1", &json));
  JSON_HAS_AND_FREE(json, "\"temperature\":{\"value\":25.0,\"timestamp\":5000");
  json = POISON;
  EXPECT(NTS_NOT_FOUND, nts_devices_get(db, "ghost", &json));
  CHECK(json == NULL);
  MESSAGE_HAS("ghost");

  EXPECT(NTS_INVALID_INPUT, nts_devices_upsert(db, "{"));
  MESSAGE_HAS("device_json");
  EXPECT(NTS_INVALID_INPUT, nts_devices_upsert(db, "{\"device_id\":\"x\"}"));
  MESSAGE_HAS("missing field");
  EXPECT(NTS_INVALID_INPUT,
         nts_devices_upsert(db, "{\"device_id\":\"\",\"device_type\":\"t\",\"name\":\"n\",\"online\":true,"
                                "\"last_seen\":0,\"metrics\":{},\"config\":null,\"mdl_definition\":null,\"adapter\":\"\"}"));
  MESSAGE_HAS("device_id");
  EXPECT(NTS_NULL_POINTER, nts_devices_upsert(NULL, DEVICE_JSON));
  EXPECT(NTS_NULL_POINTER, nts_devices_upsert(db, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_devices_upsert(db, BAD_UTF8));
  EXPECT(NTS_NULL_POINTER, nts_devices_get(NULL, "d", &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_get(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_get(db, "d", NULL));
  EXPECT(NTS_INVALID_UTF8, nts_devices_get(db, BAD_UTF8, &json));

  EXPECT(NTS_OK, nts_devices_set_online(db, "thermo-1", false));
  EXPECT(NTS_OK, nts_devices_list_offline(db, &json));
  JSON_HAS_AND_FREE(json, "\"device_id\":\"thermo-1\"");
  EXPECT(NTS_OK, nts_devices_list_online(db, &json));
  JSON_HAS_AND_FREE(json, "\"device_id\":\"plug-1\""); /* registered by its telemetry, online */
  EXPECT(NTS_OK, nts_devices_list_online(db, &json));
  CHECK(strstr(json, "thermo-1") == NULL);
  nts_string_free(json);
  EXPECT(NTS_NOT_FOUND, nts_devices_set_online(db, "ghost", true));
  EXPECT(NTS_NULL_POINTER, nts_devices_set_online(NULL, "d", true));
  EXPECT(NTS_NULL_POINTER, nts_devices_set_online(db, NULL, true));
  EXPECT(NTS_INVALID_UTF8, nts_devices_set_online(db, BAD_UTF8, true));
  EXPECT(NTS_INVALID_INPUT, nts_devices_set_online(db, "", true));

  EXPECT(NTS_OK, nts_devices_list(db, &json));
  JSON_HAS_AND_FREE(json, "\"device_id\":\"thermo-1\"");
  EXPECT(NTS_OK, nts_devices_list_by_type(db, "thermometer", &json));
  JSON_HAS_AND_FREE(json, "\"adapter\":\"mqtt\"");
  EXPECT(NTS_OK, nts_devices_list_by_type(db, "kettle", &json));
  JSON_HAS_AND_FREE(json, "[]");
  EXPECT(NTS_INVALID_INPUT, nts_devices_list_by_type(db, "", &json));
  EXPECT(NTS_INVALID_UTF8, nts_devices_list_by_type(db, BAD_UTF8, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_by_type(NULL, "t", &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_by_type(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_by_type(db, "t", NULL));
  EXPECT(NTS_NULL_POINTER, nts_devices_list(NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list(db, NULL));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_online(NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_online(db, NULL));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_offline(NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_offline(db, NULL));

  EXPECT(NTS_OK, nts_devices_delete(db, "thermo-1"));
  EXPECT(NTS_NOT_FOUND, nts_devices_delete(db, "thermo-1"));
  EXPECT(NTS_NOT_FOUND, nts_devices_get(db, "thermo-1", &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_delete(NULL, "d"));
  EXPECT(NTS_NULL_POINTER, nts_devices_delete(db, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_devices_delete(db, BAD_UTF8));
}

/* ---------------------------------------------------------------- events */

static const char *EVENT1 =
    "{\"event_id\":\"e1\",\"event_type\":\"device.offline\",\"event_data\":{\"device\":\"thermo-1\"},"
    "\"metadata\":{\"correlation_id\":\"c1\",\"source\":\"mqtt\",\"timestamp\":1000}}";
static const char *EVENTS23 =
    "[{\"event_id\":\"e2\",\"event_type\":\"rule.triggered\",\"event_data\":null,"
    "\"metadata\":{\"correlation_id\":\"c1\",\"causation_id\":\"e1\",\"source\":\"rules\",\"timestamp\":2000}},"
    "{\"event_id\":\"e3\",\"event_type\":\"device.offline\",\"event_data\":[1,2],"
    "\"metadata\":{\"correlation_id\":null,\"causation_id\":null,\"source\":\"mqtt\",\"timestamp\":3000}}]";

static void test_events(nts_storage *db) {
  char *json = POISON;
  uint64_t seq = 99;
  nts_sequence_range range = {99, 99};

  EXPECT(NTS_OK, nts_events_last_sequence(db, &seq));
  CHECK(seq == 0);
  EXPECT(NTS_OK, nts_events_append(db, EVENT1, &json));
  JSON_HAS_AND_FREE(json, "\"sequence\":1");
  json = POISON;
  EXPECT(NTS_CONFLICT, nts_events_append(db, EVENT1, &json));
  CHECK(json == NULL);
  MESSAGE_HAS("e1");
  EXPECT(NTS_OK, nts_events_append_batch(db, EVENTS23, &range));
  CHECK(range.first == 2 && range.last == 3);
  EXPECT(NTS_OK, nts_events_last_sequence(db, &seq));
  CHECK(seq == 3);
  EXPECT(NTS_OK, nts_events_append(db,
                                   "{\"event_id\":\"e4\",\"event_type\":\"x\",\"event_data\":1,"
                                   "\"metadata\":{\"source\":\"s\",\"timestamp\":4000}}",
                                   NULL)); /* result not wanted */
  EXPECT(NTS_OK, nts_events_append_batch(db, "[]", NULL));
  EXPECT(NTS_OK, nts_events_append_batch(db, "[]", &range));
  CHECK(range.first == 5 && range.last == 4); /* empty: the range at the next sequence */
  /* Unknown fields are refused by name; omitted event_data and ids take the core's defaults. */
  EXPECT(NTS_INVALID_INPUT, nts_events_append(db,
                                              "{\"event_id\":\"e8\",\"event_type\":\"x\",\"sequnce\":1,"
                                              "\"metadata\":{\"source\":\"s\",\"timestamp\":1}}",
                                              &json));
  MESSAGE_HAS("unknown field `sequnce`");
  /* Free-form JSON keeps the caller's key order. */
  EXPECT(NTS_OK, nts_events_append(db,
                                   "{\"event_id\":\"k1\",\"event_type\":\"reading\","
                                   "\"event_data\":{\"device\":\"dev-00\",\"value\":20.01,\"seq\":1},"
                                   "\"metadata\":{\"source\":\"s\",\"timestamp\":4500}}",
                                   NULL));
  EXPECT(NTS_OK, nts_events_get(db, "k1", &json));
  JSON_HAS_AND_FREE(json, "\"event_data\":{\"device\":\"dev-00\",\"value\":20.01,\"seq\":1}");
  EXPECT(NTS_OK, nts_events_get(db, "k1", &json));
  JSON_HAS_AND_FREE(json, "\"correlation_id\":null");
  EXPECT(NTS_CONFLICT, nts_events_append_batch(db, EVENTS23, NULL));
  EXPECT(NTS_INVALID_INPUT, nts_events_append(db, "{\"event_id\":\"e9\"}", &json));
  MESSAGE_HAS("event_json");
  EXPECT(NTS_INVALID_INPUT, nts_events_append(db, "[", &json));
  EXPECT(NTS_INVALID_INPUT,
         nts_events_append(db, "{\"event_id\":\"\",\"event_type\":\"x\",\"event_data\":1,"
                               "\"metadata\":{\"source\":\"s\",\"timestamp\":1}}", &json));
  MESSAGE_HAS("event_id");
  EXPECT(NTS_INVALID_INPUT, nts_events_append_batch(db, "{}", &range));
  MESSAGE_HAS("events_json");
  EXPECT(NTS_INVALID_UTF8, nts_events_append(db, BAD_UTF8, &json));
  EXPECT(NTS_INVALID_UTF8, nts_events_append_batch(db, BAD_UTF8, &range));
  EXPECT(NTS_NULL_POINTER, nts_events_append(NULL, EVENT1, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_append(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_append_batch(NULL, "[]", &range));
  EXPECT(NTS_NULL_POINTER, nts_events_append_batch(db, NULL, &range));
  EXPECT(NTS_NULL_POINTER, nts_events_last_sequence(NULL, &seq));
  EXPECT(NTS_NULL_POINTER, nts_events_last_sequence(db, NULL));

  EXPECT(NTS_OK, nts_events_get(db, "e2", &json));
  JSON_HAS_AND_FREE(json, "\"causation_id\":\"e1\"");
  EXPECT(NTS_NOT_FOUND, nts_events_get(db, "e404", &json));
  CHECK(json == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_events_get(db, "", &json));
  EXPECT(NTS_INVALID_UTF8, nts_events_get(db, BAD_UTF8, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_get(NULL, "e1", &json));
  EXPECT(NTS_NULL_POINTER, nts_events_get(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_get(db, "e1", NULL));

  EXPECT(NTS_OK, nts_events_query_range(db, 1000, 3000, NTS_NO_LIMIT, &json));
  JSON_HAS_AND_FREE(json, "\"event_id\":\"e2\"");
  EXPECT(NTS_OK, nts_events_query_range(db, 1000, 3000, 1, &json));
  CHECK(json != NULL && strstr(json, "\"e1\"") != NULL && strstr(json, "\"e2\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_events_query_range(db, 5, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_range(NULL, 0, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_range(db, 0, 1, NTS_NO_LIMIT, NULL));

  EXPECT(NTS_OK, nts_events_query_by_type(db, "device.offline", 0, 10000, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"e1\"") != NULL && strstr(json, "\"e3\"") != NULL && strstr(json, "\"e2\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_events_query_by_type(db, "device.offline", 0, 10000, 1, &json));
  CHECK(json != NULL && strstr(json, "\"e3\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_events_query_by_type(db, "device.offline", 9, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_INVALID_INPUT, nts_events_query_by_type(db, "", 0, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_INVALID_UTF8, nts_events_query_by_type(db, BAD_UTF8, 0, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_type(NULL, "t", 0, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_type(db, NULL, 0, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_type(db, "t", 0, 1, NTS_NO_LIMIT, NULL));

  EXPECT(NTS_OK, nts_events_query_by_correlation(db, "c1", &json));
  CHECK(json != NULL && strstr(json, "\"e1\"") != NULL && strstr(json, "\"e2\"") != NULL && strstr(json, "\"e3\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_events_query_by_correlation(db, "c-none", &json));
  JSON_HAS_AND_FREE(json, "[]");
  EXPECT(NTS_INVALID_INPUT, nts_events_query_by_correlation(db, "", &json));
  EXPECT(NTS_INVALID_UTF8, nts_events_query_by_correlation(db, BAD_UTF8, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_correlation(NULL, "c", &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_correlation(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_correlation(db, "c", NULL));

  EXPECT(NTS_OK, nts_events_replay(db, 2, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"e3\"") != NULL && strstr(json, "\"e4\"") != NULL && strstr(json, "\"e2\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_events_replay(db, 0, 1, &json));
  CHECK(json != NULL && strstr(json, "\"e1\"") != NULL && strstr(json, "\"e2\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_events_replay(db, 5, NTS_NO_LIMIT, &json));
  JSON_HAS_AND_FREE(json, "[]");
  /* One paging rule in every language: a limit of 0 returns nothing. */
  EXPECT(NTS_OK, nts_events_replay(db, 0, 0, &json));
  JSON_HAS_AND_FREE(json, "[]");
  EXPECT(NTS_OK, nts_events_query_range(db, 0, 100000, 0, &json));
  JSON_HAS_AND_FREE(json, "[]");
  EXPECT(NTS_NULL_POINTER, nts_events_replay(NULL, 0, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_replay(db, 0, NTS_NO_LIMIT, NULL));
}

/* ---------------------------------------------------------------- rule history */

static const char *RULE1 =
    "{\"execution_id\":\"x1\",\"rule_id\":\"r1\",\"rule_name\":\"Hot\",\"triggered_at\":1000,"
    "\"trigger_value\":31.5,\"condition_met\":true,\"actions\":[{\"action_type\":\"notify\","
    "\"action_data\":{\"to\":\"ops\"},\"success\":true,\"error\":null}],\"result\":\"Success\","
    "\"duration_ms\":12}";
static const char *RULES23 =
    "[{\"execution_id\":\"x2\",\"rule_id\":\"r1\",\"rule_name\":\"Hot\",\"triggered_at\":2000,"
    "\"trigger_value\":null,\"condition_met\":true,\"actions\":[],"
    "\"result\":{\"Failed\":{\"error\":\"relay down\"}},\"duration_ms\":30},"
    "{\"execution_id\":\"x3\",\"rule_id\":\"r2\",\"rule_name\":\"Cold\",\"triggered_at\":3000,"
    "\"trigger_value\":1.0,\"condition_met\":false,\"actions\":[],\"result\":\"Success\",\"duration_ms\":1}]";

static void test_rules(nts_storage *db) {
  char *json = POISON;
  uint64_t n = 99;

  EXPECT(NTS_OK, nts_rules_record(db, RULE1));
  EXPECT(NTS_CONFLICT, nts_rules_record(db, RULE1));
  MESSAGE_HAS("x1");
  EXPECT(NTS_OK, nts_rules_record_batch(db, RULES23));
  EXPECT(NTS_CONFLICT, nts_rules_record_batch(db, RULES23));
  EXPECT(NTS_INVALID_INPUT, nts_rules_record(db, "{\"execution_id\":\"x9\"}"));
  MESSAGE_HAS("record_json");
  EXPECT(NTS_INVALID_INPUT, nts_rules_record(db, "{"));
  EXPECT(NTS_INVALID_INPUT, nts_rules_record_batch(db, "{}"));
  MESSAGE_HAS("records_json");
  EXPECT(NTS_INVALID_UTF8, nts_rules_record(db, BAD_UTF8));
  EXPECT(NTS_NULL_POINTER, nts_rules_record(db, NULL));
  EXPECT(NTS_NULL_POINTER, nts_rules_record(NULL, RULE1));

  EXPECT(NTS_OK, nts_rules_get(db, "x2", &json));
  JSON_HAS_AND_FREE(json, "\"relay down\"");
  json = POISON;
  EXPECT(NTS_NOT_FOUND, nts_rules_get(db, "x404", &json));
  CHECK(json == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_rules_get(db, "", &json));
  EXPECT(NTS_NULL_POINTER, nts_rules_get(db, "x1", NULL));

  EXPECT(NTS_OK, nts_rules_query_by_rule(db, "r1", 0, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"x1\"") != NULL && strstr(json, "\"x2\"") != NULL && strstr(json, "\"x3\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_rules_query_by_rule(db, "r1", 1, 1, &json));
  CHECK(json != NULL && strstr(json, "\"x1\"") != NULL && strstr(json, "\"x2\"") == NULL); /* newest first, skip 1 */
  nts_string_free(json);
  EXPECT(NTS_OK, nts_rules_query_rule_range(db, "r1", 1500, 5000, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"x2\"") != NULL && strstr(json, "\"x1\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_rules_query_rule_range(db, "r1", 5, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_rules_query_range(db, 0, 10000, 2, &json));
  CHECK(json != NULL && strstr(json, "\"x2\"") != NULL && strstr(json, "\"x3\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_rules_query_failed(db, 0, 10000, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"x2\"") != NULL && strstr(json, "\"x1\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_rules_rule_statistics(db, "r1", 0, 10000, &json));
  CHECK(json != NULL && strstr(json, "\"triggers\":2") != NULL && strstr(json, "\"failed\":1") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_rules_statistics(db, 0, 10000, &json));
  CHECK(json != NULL && strstr(json, "\"r1\"") != NULL && strstr(json, "\"r2\"") != NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_rules_statistics(db, 9, 1, &json));
  EXPECT(NTS_NULL_POINTER, nts_rules_cleanup(db, 0, NULL));
  EXPECT(NTS_OK, nts_rules_cleanup(db, 2000, &n));
  CHECK(n == 1);
  EXPECT(NTS_NOT_FOUND, nts_rules_get(db, "x1", &json));
}

/* ---------------------------------------------------------------- workflow history */

static const char *WF1 =
    "{\"execution_id\":\"w1\",\"workflow_id\":\"flow\",\"workflow_name\":\"Flow\",\"trigger_type\":\"manual\","
    "\"trigger_data\":null,\"started_at\":1000,\"finished_at\":null,\"status\":\"Running\",\"steps\":[],"
    "\"inputs\":{\"a\":1},\"outputs\":null,\"error\":null}";
static const char *STEP1 =
    "{\"step_id\":\"s1\",\"step_name\":\"Read\",\"step_type\":\"query\",\"started_at\":1000,"
    "\"finished_at\":1100,\"status\":\"Completed\",\"input\":null,\"output\":{\"v\":2},\"error\":null}";

static void test_workflows(nts_storage *db) {
  char *json = POISON;
  uint64_t n = 99;

  EXPECT(NTS_OK, nts_workflows_start(db, WF1));
  EXPECT(NTS_CONFLICT, nts_workflows_start(db, WF1));
  EXPECT(NTS_INVALID_INPUT, nts_workflows_start(db, "{\"execution_id\":1}"));
  MESSAGE_HAS("record_json");
  EXPECT(NTS_OK, nts_workflows_running(db, &json));
  JSON_HAS_AND_FREE(json, "\"w1\"");
  EXPECT(NTS_OK, nts_workflows_record_step(db, "w1", STEP1, &json));
  JSON_HAS_AND_FREE(json, "\"s1\"");
  EXPECT(NTS_NOT_FOUND, nts_workflows_record_step(db, "w404", STEP1, &json));
  CHECK(json == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_workflows_record_step(db, "w1", "[]", &json));
  MESSAGE_HAS("step_json");
  EXPECT(NTS_OK, nts_workflows_update(db, WF1, &json));
  JSON_HAS_AND_FREE(json, "\"inputs\":{\"a\":1}");
  EXPECT(NTS_INVALID_INPUT, nts_workflows_finish(db, "w1", "Done", 2000, NULL, NULL, &json));
  MESSAGE_HAS("status");
  EXPECT(NTS_INVALID_INPUT, nts_workflows_finish(db, "w1", "Running", 2000, NULL, NULL, &json));
  EXPECT(NTS_INVALID_INPUT, nts_workflows_finish(db, "w1", "Completed", 2000, "{bad", NULL, &json));
  MESSAGE_HAS("outputs_json");
  EXPECT(NTS_INVALID_UTF8, nts_workflows_finish(db, "w1", "Completed", 2000, NULL, BAD_UTF8, &json));
  EXPECT(NTS_OK, nts_workflows_finish(db, "w1", "Failed", 2000, "{\"r\":3}", "step 2 timed out", &json));
  CHECK(json != NULL && strstr(json, "\"status\":\"Failed\"") != NULL && strstr(json, "step 2 timed out") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_workflows_get(db, "w1", &json));
  JSON_HAS_AND_FREE(json, "\"finished_at\":2000");
  EXPECT(NTS_NOT_FOUND, nts_workflows_get(db, "w404", &json));
  EXPECT(NTS_OK, nts_workflows_running(db, &json));
  JSON_HAS_AND_FREE(json, "[]");
  EXPECT(NTS_OK, nts_workflows_query_by_workflow(db, "flow", 0, NTS_NO_LIMIT, &json));
  JSON_HAS_AND_FREE(json, "\"w1\"");
  EXPECT(NTS_OK, nts_workflows_query_by_workflow(db, "flow", 1, NTS_NO_LIMIT, &json));
  JSON_HAS_AND_FREE(json, "[]");
  EXPECT(NTS_OK, nts_workflows_query_range(db, 0, 5000, NTS_NO_LIMIT, &json));
  JSON_HAS_AND_FREE(json, "\"w1\"");
  EXPECT(NTS_INVALID_INPUT, nts_workflows_query_range(db, 5, 0, NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_workflows_query_by_status(db, "Failed", 0, 5000, NTS_NO_LIMIT, &json));
  JSON_HAS_AND_FREE(json, "\"w1\"");
  EXPECT(NTS_OK, nts_workflows_query_by_status(db, "Completed", 0, 5000, NTS_NO_LIMIT, &json));
  JSON_HAS_AND_FREE(json, "[]");
  EXPECT(NTS_OK, nts_workflows_query_by_status(db, "failed", 0, 5000, NTS_NO_LIMIT, &json)); /* any case */
  JSON_HAS_AND_FREE(json, "\"w1\"");
  EXPECT(NTS_INVALID_INPUT, nts_workflows_query_by_status(db, "failing", 0, 5000, NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_workflows_cleanup(db, 1000, &n));
  CHECK(n == 0);
  EXPECT(NTS_OK, nts_workflows_cleanup(db, 1001, &n));
  CHECK(n == 1);
}

/* ---------------------------------------------------------------- alerts */

static const char *ALERT1 =
    "{\"alert_id\":\"a1\",\"title\":\"Overheat\",\"severity\":\"Critical\",\"message\":\"95 C\","
    "\"entity_id\":\"pump-7\",\"entity_type\":\"device\",\"created_at\":1000,\"acknowledged\":false,"
    "\"acknowledged_by\":null,\"acknowledged_at\":null,\"resolved_at\":null,\"source\":\"rule\"}";
static const char *ALERT2 =
    "{\"alert_id\":\"a2\",\"title\":\"Low\",\"severity\":\"Info\",\"message\":\"m\","
    "\"entity_id\":null,\"entity_type\":null,\"created_at\":2000,\"acknowledged\":false,"
    "\"acknowledged_by\":null,\"acknowledged_at\":null,\"resolved_at\":null,\"source\":\"llm\"}";

static void test_alerts(nts_storage *db) {
  char *json = POISON;
  uint64_t n = 99;

  EXPECT(NTS_OK, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_OK, nts_alerts_create(db, ALERT2));
  EXPECT(NTS_CONFLICT, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_INVALID_INPUT, nts_alerts_create(db, "{\"alert_id\":\"a3\",\"severity\":\"Loud\"}"));
  MESSAGE_HAS("alert_json");
  EXPECT(NTS_OK, nts_alerts_get(db, "a1", &json));
  JSON_HAS_AND_FREE(json, "\"pump-7\"");
  EXPECT(NTS_NOT_FOUND, nts_alerts_get(db, "a404", &json));
  EXPECT(NTS_OK, nts_alerts_count_by_severity(db, &json));
  CHECK(json != NULL && strstr(json, "\"critical\":1") != NULL && strstr(json, "\"info\":1") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_alerts_acknowledge(db, "a1", "op-3", 1200, &json));
  JSON_HAS_AND_FREE(json, "\"acknowledged_by\":\"op-3\"");
  EXPECT(NTS_CONFLICT, nts_alerts_acknowledge(db, "a1", "op-4", 1300, NULL));
  EXPECT(NTS_NOT_FOUND, nts_alerts_acknowledge(db, "a404", "op", 1, NULL));
  EXPECT(NTS_OK, nts_alerts_unacknowledged(db, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"a2\"") != NULL && strstr(json, "\"a1\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_alerts_resolve(db, "a1", 1500, NULL));
  EXPECT(NTS_CONFLICT, nts_alerts_resolve(db, "a1", 1600, &json));
  CHECK(json == NULL);
  EXPECT(NTS_OK, nts_alerts_unresolved(db, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"a2\"") != NULL && strstr(json, "\"a1\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_alerts_count_unresolved_by_severity(db, &json));
  CHECK(json != NULL && strstr(json, "\"critical\":0") != NULL && strstr(json, "\"info\":1") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_alerts_query_range(db, 0, 2000, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"a1\"") != NULL && strstr(json, "\"a2\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_alerts_query_by_severity(db, "critical", 0, 9000, NTS_NO_LIMIT, &json)); /* any case */
  CHECK(json != NULL && strstr(json, "\"a1\"") != NULL && strstr(json, "\"a2\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_alerts_query_by_severity(db, "Loud", 0, 9000, NTS_NO_LIMIT, &json));
  MESSAGE_HAS("severity");
  EXPECT(NTS_INVALID_UTF8, nts_alerts_query_by_severity(db, BAD_UTF8, 0, 9000, NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_alerts_query_by_entity(db, "pump-7", 0, 9000, NTS_NO_LIMIT, &json));
  JSON_HAS_AND_FREE(json, "\"a1\"");
  EXPECT(NTS_OK, nts_alerts_query_by_source(db, "llm", 0, 9000, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"a2\"") != NULL && strstr(json, "\"a1\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_query_alerts(db, NULL, 0, 9000, &json));
  CHECK(json != NULL && strstr(json, "\"a1\"") != NULL && strstr(json, "\"a2\"") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_query_alerts(db, "Info", 0, 9000, &json));
  CHECK(json != NULL && strstr(json, "\"a2\"") != NULL && strstr(json, "\"a1\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_query_alerts(db, "Loud", 0, 9000, &json));
  EXPECT(NTS_OK, nts_alerts_cleanup(db, 1500, &n));
  CHECK(n == 1);
}

/* ---------------------------------------------------------------- decisions */

static const char *DECISION1 =
    "{\"decision_id\":\"d1\",\"title\":\"Cool\",\"description\":\"Turn fan on\",\"reasoning\":\"hot\","
    "\"proposed_actions\":[{\"action_type\":\"command\",\"description\":\"fan on\",\"parameters\":{\"speed\":2}}],"
    "\"confidence\":0.8,\"created_at\":1000,\"status\":\"Proposed\",\"user_response\":null,"
    "\"execution_result\":null,\"review_id\":null}";
static const char *RESPONSE = "{\"user_id\":\"alice\",\"response\":\"ok\",\"responded_at\":1500,\"comments\":null}";

static void test_decisions(nts_storage *db) {
  char *json = POISON;
  uint64_t n = 99;
  char d2[600];

  EXPECT(NTS_OK, nts_decisions_create(db, DECISION1));
  EXPECT(NTS_CONFLICT, nts_decisions_create(db, DECISION1));
  EXPECT(NTS_INVALID_INPUT, nts_decisions_create(db, "{\"decision_id\":\"d9\"}"));
  MESSAGE_HAS("decision_json");
  EXPECT(NTS_OK, nts_decisions_get(db, "d1", &json));
  JSON_HAS_AND_FREE(json, "\"status\":\"Proposed\"");
  EXPECT(NTS_NOT_FOUND, nts_decisions_get(db, "d404", &json));
  EXPECT(NTS_CONFLICT, nts_decisions_record_execution_result(db, "d1", "\"Success\"", &json)); /* not approved */
  EXPECT(NTS_INVALID_INPUT, nts_decisions_approve(db, "d1", "{\"user_id\":\"alice\"}", &json));
  MESSAGE_HAS("response_json");
  EXPECT(NTS_OK, nts_decisions_approve(db, "d1", RESPONSE, &json));
  JSON_HAS_AND_FREE(json, "\"status\":\"Approved\"");
  EXPECT(NTS_CONFLICT, nts_decisions_reject(db, "d1", RESPONSE, &json));
  EXPECT(NTS_CONFLICT, nts_decisions_transition(db, "d1", "Rejected", &json));
  EXPECT(NTS_INVALID_INPUT, nts_decisions_transition(db, "d1", "Maybe", &json));
  MESSAGE_HAS("to");
  EXPECT(NTS_INVALID_INPUT, nts_decisions_record_execution_result(db, "d1", "\"Great\"", &json));
  MESSAGE_HAS("result_json");
  EXPECT(NTS_OK, nts_decisions_record_execution_result(db, "d1", "{\"Failed\":{\"error\":\"fan stuck\"}}", &json));
  JSON_HAS_AND_FREE(json, "fan stuck");

  /* d2 (Proposed, created at 2000), d3 rejected, d4 expired by age */
  snprintf(d2, sizeof d2, "%s", DECISION1);
  memcpy(strstr(d2, "\"d1\""), "\"d2\"", 4);
  memcpy(strstr(d2, "1000"), "2000", 4);
  EXPECT(NTS_OK, nts_decisions_create(db, d2));
  memcpy(strstr(d2, "\"d2\""), "\"d3\"", 4);
  EXPECT(NTS_OK, nts_decisions_create(db, d2));
  EXPECT(NTS_OK, nts_decisions_reject(db, "d3", RESPONSE, &json));
  JSON_HAS_AND_FREE(json, "\"status\":\"Rejected\"");
  memcpy(strstr(d2, "\"d3\""), "\"d4\"", 4);
  EXPECT(NTS_OK, nts_decisions_create(db, d2));
  EXPECT(NTS_OK, nts_decisions_transition(db, "d4", "AutoExecuted", &json));
  JSON_HAS_AND_FREE(json, "\"status\":\"AutoExecuted\"");
  EXPECT(NTS_OK, nts_decisions_query_by_status(db, "Proposed", 0, 9000, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"d2\"") != NULL && strstr(json, "\"d1\"") == NULL && strstr(json, "\"d3\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_decisions_query_by_status(db, "proposed", 0, 9000, NTS_NO_LIMIT, &json)); /* any case */
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_decisions_query_by_status(db, "proposing", 0, 9000, NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_decisions_query_range(db, 0, 9000, 2, &json));
  CHECK(json != NULL && strstr(json, "\"d1\"") != NULL && strstr(json, "\"d4\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_decisions_expire_proposals(db, 5000, -1, &n));
  EXPECT(NTS_OK, nts_decisions_expire_proposals(db, 5000, 1000, &n));
  CHECK(n == 1);
  EXPECT(NTS_OK, nts_decisions_get(db, "d2", &json));
  JSON_HAS_AND_FREE(json, "\"status\":\"Expired\"");
  EXPECT(NTS_OK, nts_decisions_cleanup(db, 1500, &n));
  CHECK(n == 1);
}

/* ---------------------------------------------------------------- sessions */

static void test_sessions(nts_storage *db) {
  char *json = POISON;
  uint64_t seq = 0, n = 0;
  bool deleted = false;

  EXPECT(NTS_OK, nts_sessions_create(db, "s1", "Kitchen", 1000, &json));
  JSON_HAS_AND_FREE(json, "\"title\":\"Kitchen\"");
  EXPECT(NTS_CONFLICT, nts_sessions_create(db, "s1", "Again", 1000, NULL));
  EXPECT(NTS_INVALID_INPUT, nts_sessions_create(db, "", "t", 1000, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_sessions_create(db, "s9", BAD_UTF8, 1000, NULL));
  MESSAGE_HAS("title");
  EXPECT(NTS_OK, nts_sessions_append_message(db, "s1",
      "{\"role\":\"user\",\"content\":\"is it hot?\",\"tool_calls\":null,\"tool_call_id\":null,\"thinking\":null,\"timestamp\":1100}", &seq));
  CHECK(seq == 1);
  EXPECT(NTS_NOT_FOUND, nts_sessions_append_message(db, "s404",
      "{\"role\":\"user\",\"content\":\"x\",\"tool_calls\":null,\"tool_call_id\":null,\"thinking\":null,\"timestamp\":1}", &seq));
  EXPECT(NTS_INVALID_INPUT, nts_sessions_append_message(db, "s1", "{\"role\":\"user\"}", &seq));
  MESSAGE_HAS("message_json");
  EXPECT(NTS_OK, nts_sessions_append_messages(db, "s1",
      "[{\"role\":\"assistant\",\"content\":\"yes, 31 C\",\"tool_calls\":null,\"tool_call_id\":null,\"thinking\":null,\"timestamp\":1200},"
      "{\"role\":\"user\",\"content\":\"fan on\",\"tool_calls\":null,\"tool_call_id\":null,\"thinking\":null,\"timestamp\":1300}]", &json));
  JSON_HAS_AND_FREE(json, "[2,3]");
  EXPECT(NTS_INVALID_INPUT, nts_sessions_append_messages(db, "s1", "{}", &json));
  EXPECT(NTS_OK, nts_sessions_load_messages(db, "s1", &json));
  CHECK(json != NULL && strstr(json, "is it hot?") != NULL && strstr(json, "fan on") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_sessions_last_messages(db, "s1", 1, &json));
  CHECK(json != NULL && strstr(json, "fan on") != NULL && strstr(json, "31 C") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_sessions_messages_range(db, "s1", 2, 3, &json));
  CHECK(json != NULL && strstr(json, "31 C") != NULL && strstr(json, "fan on") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_sessions_context_window(db, "s1", 20, &json));
  CHECK(json != NULL && strstr(json, "fan on") != NULL && strstr(json, "is it hot?") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_sessions_get(db, "s1", &json));
  JSON_HAS_AND_FREE(json, "\"message_count\":3");
  EXPECT(NTS_NOT_FOUND, nts_sessions_get(db, "s404", &json));
  EXPECT(NTS_NOT_FOUND, nts_sessions_get_summary(db, "s1", &json));
  EXPECT(NTS_OK, nts_sessions_set_summary(db, "s1", "asked about heat", 1400, &json));
  JSON_HAS_AND_FREE(json, "asked about heat");
  EXPECT(NTS_OK, nts_sessions_get_summary(db, "s1", &json));
  JSON_HAS_AND_FREE(json, "\"updated_at\":1400");
  EXPECT(NTS_NOT_FOUND, nts_sessions_set_summary(db, "s404", "x", 1, NULL));
  EXPECT(NTS_OK, nts_sessions_create(db, "s2", "Garage", 5000, NULL));
  EXPECT(NTS_OK, nts_sessions_recent_summaries(db, 5, &json));
  JSON_HAS_AND_FREE(json, "\"s1\"");
  EXPECT(NTS_OK, nts_sessions_list(db, 1, &json));
  CHECK(json != NULL && strstr(json, "\"s2\"") != NULL && strstr(json, "\"s1\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_sessions_delete(db, "s2", &deleted));
  CHECK(deleted);
  EXPECT(NTS_OK, nts_sessions_delete(db, "s2", &deleted));
  CHECK(!deleted);
  EXPECT(NTS_NULL_POINTER, nts_sessions_delete(db, "s2", NULL));
  EXPECT(NTS_OK, nts_sessions_cleanup(db, 1000, &n)); /* updated at 1000 or later */
  CHECK(n == 0);
  EXPECT(NTS_OK, nts_sessions_cleanup(db, 1000000, &n));
  CHECK(n == 1);
  EXPECT(NTS_NOT_FOUND, nts_sessions_get(db, "s1", &json));
}

/* ---------------------------------------------------------------- long-term memory */

static const char *MEM1 =
    "{\"memory_id\":\"m1\",\"memory_type\":\"DeviceKnowledge\",\"content\":\"the pump overheats in summer\","
    "\"embedding\":[1.0,0.0,0.0],\"metadata\":{\"keywords\":[\"pump\"],\"importance\":0.9,\"entities\":[\"pump-7\"],"
    "\"expires_at\":null},\"created_at\":1000,\"last_accessed\":null,\"access_count\":0}";
static const char *MEM23 =
    "[{\"memory_id\":\"m2\",\"memory_type\":\"UserPreference\",\"content\":\"alice likes 21 degrees\","
    "\"embedding\":[0.0,1.0,0.0],\"metadata\":{\"keywords\":[],\"importance\":0.5,\"entities\":[],"
    "\"expires_at\":null},\"created_at\":2000,\"last_accessed\":null,\"access_count\":0},"
    "{\"memory_id\":\"m3\",\"memory_type\":\"Other\",\"content\":\"temporary pump note\","
    "\"embedding\":null,\"metadata\":{\"keywords\":[],\"importance\":0.1,\"entities\":[],"
    "\"expires_at\":3000},\"created_at\":2500,\"last_accessed\":null,\"access_count\":0}]";

static void test_memory(nts_storage *db) {
  char *json = POISON;
  uint64_t n = 0;
  bool deleted = false;
  const float near1[3] = {0.9f, 0.1f, 0.0f};

  EXPECT(NTS_OK, nts_memory_add(db, MEM1));
  EXPECT(NTS_CONFLICT, nts_memory_add(db, MEM1));
  EXPECT(NTS_INVALID_INPUT, nts_memory_add(db, "{\"memory_id\":\"m9\",\"memory_type\":\"Gossip\"}"));
  MESSAGE_HAS("entry_json");
  EXPECT(NTS_OK, nts_memory_add_many(db, MEM23));
  EXPECT(NTS_CONFLICT, nts_memory_add_many(db, MEM23));
  EXPECT(NTS_OK, nts_memory_count(db, &n));
  CHECK(n == 3);
  EXPECT(NTS_OK, nts_memory_get(db, "m1", 5000, &json));
  JSON_HAS_AND_FREE(json, "\"access_count\":1");
  EXPECT(NTS_OK, nts_memory_peek(db, "m1", &json));
  JSON_HAS_AND_FREE(json, "\"last_accessed\":5000");
  EXPECT(NTS_NOT_FOUND, nts_memory_peek(db, "m404", &json));
  EXPECT(NTS_NOT_FOUND, nts_memory_get(db, "m404", 1, &json));
  EXPECT(NTS_OK, nts_memory_update(db,
      "{\"memory_id\":\"m2\",\"memory_type\":\"UserPreference\",\"content\":\"alice likes 22 degrees\","
      "\"embedding\":[0.0,1.0,0.0],\"metadata\":{\"keywords\":[],\"importance\":0.5,\"entities\":[],"
      "\"expires_at\":null},\"created_at\":2000,\"last_accessed\":null,\"access_count\":0}"));
  EXPECT(NTS_NOT_FOUND, nts_memory_update(db,
      "{\"memory_id\":\"m404\",\"memory_type\":\"Other\",\"content\":\"x\",\"embedding\":null,"
      "\"metadata\":{\"keywords\":[],\"importance\":0.5,\"entities\":[],\"expires_at\":null},"
      "\"created_at\":1,\"last_accessed\":null,\"access_count\":0}"));
  EXPECT(NTS_OK, nts_memory_by_type(db, "UserPreference", NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "22 degrees") != NULL && strstr(json, "\"m1\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_memory_by_type(db, "Gossip", NTS_NO_LIMIT, &json));
  MESSAGE_HAS("memory_type");
  EXPECT(NTS_OK, nts_memory_by_importance(db, 1, &json));
  CHECK(json != NULL && strstr(json, "\"m1\"") != NULL && strstr(json, "\"m2\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_memory_search_keywords(db, "pump", NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"m1\"") != NULL && strstr(json, "\"m3\"") != NULL && strstr(json, "\"m2\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_memory_search_semantic(db, near1, 3, 1, &json));
  CHECK(json != NULL && strstr(json, "\"m1\"") != NULL && strstr(json, "\"m2\"") == NULL && strstr(json, "\"score\"") != NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_memory_search_semantic(db, near1, 2, 1, &json)); /* stored embeddings have 3 */
  EXPECT(NTS_NULL_POINTER, nts_memory_search_semantic(db, NULL, 3, 1, &json));
  EXPECT(NTS_OK, nts_memory_search_hybrid(db, "alice", near1, 3, NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"m1\"") != NULL && strstr(json, "\"m2\"") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_query_search_memory(db, "pump", "Other", NTS_NO_LIMIT, &json));
  CHECK(json != NULL && strstr(json, "\"m3\"") != NULL && strstr(json, "\"m1\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_query_search_memory(db, "pump", NULL, 1, &json));
  JSON_HAS_AND_FREE(json, "\"memory_id\"");
  EXPECT(NTS_INVALID_INPUT, nts_query_search_memory(db, "pump", "Gossip", NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_memory_purge_expired(db, 3001, &n));
  CHECK(n == 1);
  EXPECT(NTS_OK, nts_memory_delete(db, "m2", &deleted));
  CHECK(deleted);
  EXPECT(NTS_OK, nts_memory_delete(db, "m2", &deleted));
  CHECK(!deleted);
  EXPECT(NTS_OK, nts_memory_count(db, &n));
  CHECK(n == 1);
}

/* ---------------------------------------------------------------- vectors */

static void test_vectors(nts_storage *db) {
  char *json = POISON;
  uint64_t n = 0;
  bool deleted = false;
  const float a[4] = {1, 0, 0, 0};
  const float b[4] = {0, 1, 0, 0};
  const float q[4] = {0.9f, 0.1f, 0, 0};
  const float nan4[4] = {NAN, 0, 0, 0};

  EXPECT(NTS_OK, nts_vectors_create_collection(db, "docs", 4, "Cosine", &json));
  JSON_HAS_AND_FREE(json, "\"dimension\":4");
  EXPECT(NTS_CONFLICT, nts_vectors_create_collection(db, "docs", 4, "Cosine", NULL));
  EXPECT(NTS_INVALID_INPUT, nts_vectors_create_collection(db, "x", 4, "Manhattan", NULL));
  MESSAGE_HAS("metric");
  EXPECT(NTS_INVALID_INPUT, nts_vectors_create_collection(db, "x", 0, "Cosine", NULL));
  EXPECT(NTS_OK, nts_vectors_create_collection(db, "other", 2, "DotProduct", NULL));
  EXPECT(NTS_OK, nts_vectors_list_collections(db, &json));
  CHECK(json != NULL && strstr(json, "\"docs\"") != NULL && strstr(json, "\"DotProduct\"") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_vectors_collection(db, "docs", &json));
  JSON_HAS_AND_FREE(json, "\"Cosine\"");
  EXPECT(NTS_NOT_FOUND, nts_vectors_collection(db, "nope", &json));

  EXPECT(NTS_OK, nts_vectors_upsert(db, "docs", "a", a, 4, "{\"room\":\"hall\"}"));
  EXPECT(NTS_OK, nts_vectors_upsert(db, "docs", "b", b, 4, NULL));
  EXPECT(NTS_INVALID_INPUT, nts_vectors_upsert(db, "docs", "c", a, 3, NULL)); /* dimension mismatch */
  MESSAGE_HAS("dimension");
  EXPECT(NTS_INVALID_INPUT, nts_vectors_upsert(db, "docs", "c", nan4, 4, NULL));
  EXPECT(NTS_NULL_POINTER, nts_vectors_upsert(db, "docs", "c", NULL, 4, NULL));
  EXPECT(NTS_INVALID_INPUT, nts_vectors_upsert(db, "docs", "c", a, 4, "{bad"));
  MESSAGE_HAS("metadata_json");
  EXPECT(NTS_NOT_FOUND, nts_vectors_upsert(db, "nope", "c", a, 4, NULL));
  EXPECT(NTS_OK, nts_vectors_upsert_many(db, "docs",
      "[{\"id\":\"c\",\"embedding\":[0,0,1,0],\"metadata\":{\"room\":\"hall\"}},"
      "{\"id\":\"d\",\"embedding\":[0,0,0,1],\"metadata\":null}]"));
  EXPECT(NTS_INVALID_INPUT, nts_vectors_upsert_many(db, "docs", "[{\"id\":\"e\",\"embedding\":[1],\"metadata\":null}]"));
  EXPECT(NTS_INVALID_INPUT, nts_vectors_upsert_many(db, "docs", "{}"));
  MESSAGE_HAS("documents_json");
  EXPECT(NTS_OK, nts_vectors_count(db, "docs", &n));
  CHECK(n == 4);
  EXPECT(NTS_OK, nts_vectors_get(db, "docs", "a", &json));
  JSON_HAS_AND_FREE(json, "\"embedding\":[1.0,0.0,0.0,0.0]");
  EXPECT(NTS_NOT_FOUND, nts_vectors_get(db, "docs", "zz", &json));

  EXPECT(NTS_OK, nts_vectors_search(db, "docs", q, 4, 2, NULL, &json));
  CHECK(json != NULL && strstr(json, "\"id\":\"a\"") != NULL && strstr(json, "\"id\":\"b\"") != NULL &&
        strstr(json, "\"id\":\"a\"") < strstr(json, "\"id\":\"b\"") && strstr(json, "\"id\":\"c\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_vectors_search(db, "docs", q, 4, 10, "{\"field\":\"room\",\"value\":\"hall\"}", &json));
  CHECK(json != NULL && strstr(json, "\"id\":\"a\"") != NULL && strstr(json, "\"id\":\"c\"") != NULL && strstr(json, "\"id\":\"b\"") == NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_vectors_search(db, "docs", q, 2, 2, NULL, &json)); /* dimension mismatch */
  CHECK(json == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_vectors_search(db, "docs", q, 4, 2, "{\"room\":\"hall\"}", &json));
  MESSAGE_HAS("filter_json");
  EXPECT(NTS_NULL_POINTER, nts_vectors_search(db, "docs", NULL, 4, 2, NULL, &json));
  EXPECT(NTS_NOT_FOUND, nts_vectors_search(db, "nope", q, 4, 2, NULL, &json));

  EXPECT(NTS_OK, nts_vectors_delete(db, "docs", "b", &deleted));
  CHECK(deleted);
  EXPECT(NTS_OK, nts_vectors_delete(db, "docs", "b", &deleted));
  CHECK(!deleted);
  EXPECT(NTS_OK, nts_vectors_drop_collection(db, "other"));
  EXPECT(NTS_NOT_FOUND, nts_vectors_drop_collection(db, "other"));
}

/* ---------------------------------------------------------------- unified query */

static void test_unified_query(nts_storage *db) {
  char *json = POISON;
  EXPECT(NTS_OK, nts_ts_write(db, "q-dev", "t", 100, 7.5));
  EXPECT(NTS_OK, nts_query_device_data(db, "q-dev", "t", 0, 1000, &json));
  JSON_HAS_AND_FREE(json, "7.5");
  EXPECT(NTS_INVALID_INPUT, nts_query_device_data(db, "q-dev", "t", 10, 0, &json));
  EXPECT(NTS_INVALID_UTF8, nts_query_device_data(db, "q-dev", BAD_UTF8, 0, 1, &json));
  EXPECT(NTS_OK, nts_rules_record(db, RULE1));
  EXPECT(NTS_OK, nts_query_rule_history(db, "r1", 0, 5000, &json));
  JSON_HAS_AND_FREE(json, "\"x1\"");
  EXPECT(NTS_OK, nts_query_rule_history(db, "r404", 0, 5000, &json));
  JSON_HAS_AND_FREE(json, "[]");
}

/* ---------------------------------------------------------------- maintenance */

static void test_maintenance(void) {
  nts_storage *db = open_memory();
  nts_storage *copy = open_memory();
  char *json = POISON;
  uint8_t *bytes = (uint8_t *)POISON;
  size_t len = 99;
  bool ok = false;
  uint8_t *damaged;

  EXPECT(NTS_OK, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_OK, nts_storage_stats(db, &json));
  CHECK(json != NULL && strstr(json, "\"database_size_bytes\"") != NULL && strstr(json, "\"alerts\"") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_storage_compact(db, &json));
  JSON_HAS_AND_FREE(json, "\"after_bytes\"");
  EXPECT(NTS_OK, nts_storage_compact(db, NULL));
  EXPECT(NTS_OK, nts_storage_check_integrity(db, &ok));
  CHECK(ok);
  EXPECT(NTS_NULL_POINTER, nts_storage_check_integrity(db, NULL));

  EXPECT(NTS_NULL_POINTER, nts_storage_export_snapshot(db, NULL, &len));
  EXPECT(NTS_NULL_POINTER, nts_storage_export_snapshot(db, &bytes, NULL));
  CHECK(bytes == NULL);
  EXPECT(NTS_OK, nts_storage_export_snapshot(db, &bytes, &len));
  CHECK(bytes != NULL && len > 16);
  EXPECT(NTS_OK, nts_storage_import_snapshot(copy, bytes, len, &json));
  JSON_HAS_AND_FREE(json, "\"created_at\"");
  EXPECT(NTS_OK, nts_alerts_get(copy, "a1", &json));
  JSON_HAS_AND_FREE(json, "Overheat");
  /* A flipped byte near the end is caught by the checksums; the data stays as it was. */
  damaged = (uint8_t *)malloc(len);
  CHECK(damaged != NULL);
  if (damaged != NULL) {
    memcpy(damaged, bytes, len);
    damaged[len - 2] ^= 0x5a;
    CHECK(nts_storage_import_snapshot(copy, damaged, len, NULL) != NTS_OK);
    EXPECT(NTS_CORRUPTED, nts_storage_import_snapshot(copy, damaged, 8, NULL));
    free(damaged);
  }
  EXPECT(NTS_OK, nts_alerts_get(copy, "a1", &json));
  JSON_HAS_AND_FREE(json, "Overheat");
  EXPECT(NTS_NULL_POINTER, nts_storage_import_snapshot(copy, NULL, len, NULL));
  CHECK(nts_storage_import_snapshot(copy, bytes, 0, NULL) != NTS_OK); /* empty is not a snapshot */
  nts_bytes_free(bytes, len);
  nts_bytes_free(NULL, 0);

  /* Cleanup: defaults keep a fresh alert; 1-day alert retention at day 2 removes it. */
  EXPECT(NTS_OK, nts_storage_cleanup(db, NULL, 2000, &json));
  JSON_HAS_AND_FREE(json, "\"alerts\":0");
  EXPECT(NTS_OK, nts_storage_cleanup(db, "{\"alerts\":{\"days\":1}}", 2 * 86400000LL, &json));
  JSON_HAS_AND_FREE(json, "\"alerts\":1");
  EXPECT(NTS_INVALID_INPUT, nts_storage_cleanup(db, "{\"alerts\":{\"days\":0}}", 1, &json));
  MESSAGE_HAS("retention_json");
  EXPECT(NTS_INVALID_INPUT, nts_storage_cleanup(db, "{\"alertz\":{}}", 1, &json));
  EXPECT(NTS_INVALID_INPUT, nts_storage_cleanup(db, "[", 1, &json));
  EXPECT(NTS_INVALID_UTF8, nts_storage_cleanup(db, BAD_UTF8, 1, &json));
  EXPECT(NTS_NULL_POINTER, nts_storage_cleanup(db, NULL, 1, NULL));
  nts_storage_free(copy);
  nts_storage_free(db);
}

/* ---------------------------------------------------------------- backups */

static void test_backups(void) {
  char dir[512], config[1200], id[256];
  char *json = POISON;
  const char *p, *q;
  nts_storage *db;

  path_join(dir, sizeof dir, "backup-db");
  EXPECT(NTS_OK, nts_storage_open(dir, NULL, &db));
  EXPECT(NTS_OK, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_OK, nts_backup_create(db, NULL, NULL, &json)); /* default: <data dir>/backups */
  CHECK(json != NULL && strstr(json, "-full\"") != NULL);
  id[0] = '\0';
  if (json != NULL && (p = strstr(json, "\"id\":\"")) != NULL) {
    p += 6;
    q = strchr(p, '"');
    if (q != NULL && (size_t)(q - p) < sizeof id) {
      memcpy(id, p, (size_t)(q - p));
      id[q - p] = '\0';
    }
  }
  nts_string_free(json);
  CHECK(id[0] != '\0');
  EXPECT(NTS_OK, nts_backup_create(db, "{\"retain_count\":5}", "{\"type\":\"incremental\"}", &json));
  JSON_HAS_AND_FREE(json, "-incremental\"");
  EXPECT(NTS_INVALID_INPUT, nts_backup_create(db, "{\"retain_count\":0}", NULL, &json));
  MESSAGE_HAS("config_json");
  EXPECT(NTS_INVALID_INPUT, nts_backup_create(db, NULL, "{\"type\":\"weekly\"}", &json));
  MESSAGE_HAS("kind_json");
  EXPECT(NTS_OK, nts_backup_list(db, NULL, &json));
  CHECK(json != NULL && strstr(json, id) != NULL && strstr(json, "-incremental") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_backup_newest(db, NULL, &json));
  JSON_HAS_AND_FREE(json, "-incremental\"");
  EXPECT(NTS_OK, nts_backup_run_enabled(db, "{\"enabled_backups\":[{\"type\":\"incremental\"},{\"type\":\"full\"}]}", &json));
  CHECK(json != NULL && strstr(json, "-incremental\"") != NULL && strstr(json, "-full\"") != NULL);
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_backup_run_enabled(db, "{\"enabled_backups\":[{\"type\":\"hourly\"}]}", &json));
  EXPECT(NTS_OK, nts_backup_prune(db, NULL, &json)); /* 4 backups, 7 kept by default */
  JSON_HAS_AND_FREE(json, "[]");
  /* Keeping 3 would drop the oldest full, but it is the base of a kept incremental. */
  EXPECT(NTS_OK, nts_backup_prune(db, "{\"retain_count\":3}", &json));
  JSON_HAS_AND_FREE(json, "[]");
  EXPECT(NTS_OK, nts_backup_verify(db, NULL, id, &json));
  JSON_HAS_AND_FREE(json, "\"ok\":true");
  EXPECT(NTS_OK, nts_alerts_resolve(db, "a1", 5000, NULL));
  EXPECT(NTS_OK, nts_backup_restore(db, NULL, id, &json));
  JSON_HAS_AND_FREE(json, "\"entries\"");
  EXPECT(NTS_OK, nts_alerts_get(db, "a1", &json));
  JSON_HAS_AND_FREE(json, "\"resolved_at\":null");
  /* Keeping 1 (the newest, a full backup) frees the whole older chain. */
  EXPECT(NTS_OK, nts_backup_prune(db, "{\"retain_count\":1}", &json));
  CHECK(json != NULL && strstr(json, id) != NULL && strstr(json, "-incremental") != NULL);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_backup_list(db, NULL, &json));
  CHECK(json != NULL && strstr(json, id) == NULL && strstr(json, "-incremental") == NULL && strstr(json, "-full") != NULL);
  nts_string_free(json);
  EXPECT(NTS_NOT_FOUND, nts_backup_verify(db, NULL, id, &json));
  /* Hostile ids never reach the file system. */
  EXPECT(NTS_INVALID_INPUT, nts_backup_verify(db, NULL, "../../etc/passwd", &json));
  CHECK(json == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_backup_verify(db, NULL, "/etc/passwd", &json));
  EXPECT(NTS_INVALID_INPUT, nts_backup_verify(db, NULL, "..", &json));
  EXPECT(NTS_INVALID_INPUT, nts_backup_verify(db, NULL, "", &json));
  EXPECT(NTS_INVALID_INPUT, nts_backup_restore(db, NULL, "../storage", NULL));
  EXPECT(NTS_INVALID_INPUT, nts_backup_restore(db, NULL, "a/b", NULL));
  EXPECT(NTS_INVALID_INPUT, nts_backup_restore(db, NULL, ".hidden", NULL));
  EXPECT(NTS_INVALID_UTF8, nts_backup_restore(db, NULL, BAD_UTF8, NULL));
  EXPECT(NTS_NOT_FOUND, nts_backup_verify(db, NULL, "20200101T000000000Z-full", &json));
  EXPECT(NTS_NOT_FOUND, nts_backup_restore(db, NULL, "20200101T000000000Z-full", NULL));
  EXPECT(NTS_OK, nts_storage_close(db));
  nts_storage_free(db);

  /* In memory there is no data directory: a relative backup_dir is refused, an absolute one works. */
  db = open_memory();
  EXPECT(NTS_INVALID_INPUT, nts_backup_create(db, NULL, NULL, &json));
  MESSAGE_HAS("backup_dir");
  path_join(dir, sizeof dir, "memory-backups");
  snprintf(config, sizeof config, "{\"backup_dir\":\"%s\"}", dir);
  EXPECT(NTS_NOT_FOUND, nts_backup_create(db, config, "{\"type\":\"selective\",\"tables\":[\"alerts\"]}", &json));
  MESSAGE_HAS("alerts"); /* no alert yet: the table does not exist */
  EXPECT(NTS_OK, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_OK, nts_backup_create(db, config, "{\"type\":\"selective\",\"tables\":[\"alerts\"]}", &json));
  JSON_HAS_AND_FREE(json, "-selective\"");
  EXPECT(NTS_OK, nts_backup_list(db, config, &json));
  JSON_HAS_AND_FREE(json, "-selective");
  nts_storage_free(db);
}

/* ---------------------------------------------------------------- use after close, new stores */

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

/* ---------------------------------------------------------------- use after close */

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

/* ---------------------------------------------------------------- threads */

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

int main(int argc, char **argv) {
  nts_storage *db;
  if (argc != 2) {
    fprintf(stderr, "usage: %s SCRATCH_DIR\n", argv[0]);
    return 2;
  }
  scratch = argv[1];

  test_status_names();
  test_last_error_message();
  test_storage_open_errors();
  test_storage_persistence_and_lock();
  test_storage_split_files();

  db = open_memory();
  test_ts_write(db);
  test_ts_write_series(db);
  test_ts_write_batch_json(db);
  test_ts_query_range(db);
  test_ts_points(db);
  test_ts_latest(db);
  test_ts_aggregated_lists_delete(db);
  test_devices(db);
  test_events(db);
  test_rules(db);
  test_workflows(db);
  test_alerts(db);
  test_decisions(db);
  test_sessions(db);
  test_memory(db);
  test_vectors(db);
  test_unified_query(db);
  EXPECT(NTS_OK, nts_storage_close(db));
  nts_storage_free(db);

  test_maintenance();
  test_backups();
  test_use_after_close();
  test_use_after_close_stores();
  test_threads();

  printf("%d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
