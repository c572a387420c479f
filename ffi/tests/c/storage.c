/*
 * C test of the neotalk-storage C API: status names, version, errors, opening, persistence, split files.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

/* The header and the library agree on the version. */
static void test_version(void) {
  char text[32];
  CHECK(nts_version() == NTS_VERSION_NUMBER);
  CHECK(NTS_VERSION_NUMBER == NTS_VERSION_MAJOR * 1000000L + NTS_VERSION_MINOR * 1000L + NTS_VERSION_PATCH);
  CHECK(strcmp(nts_version_string(), NTS_VERSION_STRING) == 0);
  snprintf(text, sizeof text, "%d.%d.%d", NTS_VERSION_MAJOR, NTS_VERSION_MINOR, NTS_VERSION_PATCH);
  CHECK(strcmp(nts_version_string(), text) == 0);
}

static void test_last_error_message(void) {
  nts_storage *db = NULL;
  EXPECT(NTS_NULL_POINTER, nts_storage_open_in_memory(NULL, NULL));
  MESSAGE_HAS("out");
  EXPECT(NTS_OK, nts_storage_open_in_memory(NULL, &db));
  CHECK(strcmp(nts_last_error_message(), "") == 0);
  nts_storage_free(db);
}

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

/* Read-only opening (read-only media) and the integrity report. */
static void test_storage_read_only_and_integrity(void) {
  char path[512], empty[512];
  nts_storage *db = NULL, *ro = NULL;
  char *json = NULL;
  int64_t ts = 0;
  double v = 0;

  path_join(path, sizeof path, "read-only");
  EXPECT(NTS_OK, nts_storage_open(path, NULL, &db));
  EXPECT(NTS_OK, nts_ts_write(db, "pump-7", "power", 1000, 1.5));
  EXPECT(NTS_OK, nts_storage_integrity_report(db, &json));
  JSON_BOOL(json, "ok", 1);
  JSON_BOOL(json, "engine_checked", 1);
  JSON_LEN(json, "damaged", 0);
  FREE(json);
  EXPECT(NTS_OK, nts_storage_close(db));
  nts_storage_free(db);

  EXPECT(NTS_OK, nts_storage_open_read_only(path, &ro));
  EXPECT(NTS_OK, nts_ts_query_latest(ro, "pump-7", "power", &ts, &v));
  CHECK(ts == 1000 && v == 1.5);
  EXPECT(NTS_READ_ONLY, nts_ts_write(ro, "pump-7", "power", 2000, 2.5));
  EXPECT(NTS_OK, nts_storage_flush(ro)); /* nothing buffered: nothing to write */
  EXPECT(NTS_OK, nts_storage_integrity_report(ro, &json));
  JSON_BOOL(json, "ok", 1);
  JSON_BOOL(json, "engine_checked", 0); /* redb's structural check writes: not on read-only */
  JSON_HAS(json, "entries_checked");
  FREE(json);
  nts_storage_free(ro);

  path_join(empty, sizeof empty, "no-database-here");
  ro = (nts_storage *)POISON;
  EXPECT(NTS_INVALID_INPUT, nts_storage_open_read_only(empty, &ro));
  MESSAGE_HAS("no database");
  CHECK(ro == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_storage_open_read_only("", &ro));
  EXPECT(NTS_NULL_POINTER, nts_storage_open_read_only(NULL, &ro));
  EXPECT(NTS_NULL_POINTER, nts_storage_open_read_only(path, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_storage_open_read_only(BAD_UTF8, &ro));
  EXPECT(NTS_NULL_POINTER, nts_storage_integrity_report(NULL, &json));
}

/* Salvage: the sound entries of a database copied into a new directory, never into itself. */
static void test_storage_salvage(void) {
  char path[512], saved[512];
  nts_storage *db = NULL;
  char *json = NULL;
  int64_t ts = 0;
  double v = 0;

  path_join(path, sizeof path, "salvage-source");
  path_join(saved, sizeof saved, "salvaged");
  EXPECT(NTS_OK, nts_storage_open(path, NULL, &db));
  EXPECT(NTS_OK, nts_ts_write(db, "pump-7", "power", 1000, 1.5));
  EXPECT(NTS_LOCKED, nts_storage_salvage(path, saved, &json)); /* still open */
  CHECK(json == NULL);
  EXPECT(NTS_OK, nts_storage_close(db));
  nts_storage_free(db);

  EXPECT(NTS_OK, nts_storage_salvage(path, saved, &json));
  JSON_NUM(json, "damaged_count", 0);
  JSON_LEN(json, "damaged", 0);
  JSON_BOOL(json, "read_from_copy", 0);
  JSON_HAS(json, "entries_copied");
  FREE(json);
  EXPECT(NTS_OK, nts_storage_open(saved, NULL, &db));
  EXPECT(NTS_OK, nts_ts_query_latest(db, "pump-7", "power", &ts, &v));
  CHECK(ts == 1000 && v == 1.5);
  nts_storage_free(db);

  EXPECT(NTS_INVALID_INPUT, nts_storage_salvage(path, saved, &json));
  MESSAGE_HAS("already holds a database");
  EXPECT(NTS_NULL_POINTER, nts_storage_salvage(NULL, saved, &json));
  EXPECT(NTS_NULL_POINTER, nts_storage_salvage(path, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_storage_salvage(path, saved, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_storage_salvage(BAD_UTF8, saved, &json));
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

void test_storage(void) {
  test_status_names();
  test_version();
  test_last_error_message();
  test_storage_open_errors();
  test_storage_salvage();
  test_storage_persistence_and_lock();
  test_storage_read_only_and_integrity();
  test_storage_split_files();
}
