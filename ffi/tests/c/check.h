/*
 * The C test's tiny framework: counted checks, status expectations, and assertions on JSON
 * results that parse the JSON and compare values (not substrings).
 *
 * A JSON path names a value by object keys and array indexes separated by dots:
 * "metadata.source", "0.alert_id", "" (the whole document).
 */
#ifndef NTS_CHECK_H
#define NTS_CHECK_H

#include "neotalk_storage.h"

#include <stdio.h>
#include <string.h>

extern int failures;
/* Non-zero: failures are counted but not printed (the assertions' own self-test). */
extern int check_quiet;
extern int checks;
/* A writable directory for on-disk databases (the test's argument). */
extern const char *scratch;

/* Records one check; prints FILE:LINE and `what` when `ok` is false. Returns ok. */
int check_at(const char *file, int line, int ok, const char *what);

#define CHECK(cond) check_at(__FILE__, __LINE__, (cond) != 0, #cond)

/* Expects `call` to return `want`; a failure must leave a non-empty message, success an empty one. */
void expect_at(const char *file, int line, nts_status want, nts_status got, const char *call);
#define EXPECT(want, call) expect_at(__FILE__, __LINE__, (want), (call), #call)

/* The last error message mentions `text` (messages are plain text, so a substring is the check). */
void message_has_at(const char *file, int line, const char *text);
#define MESSAGE_HAS(text) message_has_at(__FILE__, __LINE__, (text))

/* The value at `path` in `json` is the string `want` (`len` bytes: it may hold NULs). */
void json_str_at(const char *file, int line, const char *json, const char *path, const char *want, size_t len);
#define JSON_STR(json, path, want) json_str_at(__FILE__, __LINE__, (json), (path), (want), strlen(want))
#define JSON_STRN(json, path, want, len) json_str_at(__FILE__, __LINE__, (json), (path), (want), (len))
/* The value at `path` is a string ending in `suffix`. */
void json_suffix_at(const char *file, int line, const char *json, const char *path, const char *suffix);
#define JSON_SUFFIX(json, path, suffix) json_suffix_at(__FILE__, __LINE__, (json), (path), (suffix))
/* Copies the string at `path` into `out` (`cap` bytes); 0 when there is none or it does not fit. */
int json_string(const char *json, const char *path, char *out, size_t cap);
/* The value at `path` is the number `want` (compared exactly: the values in the tests are exact). */
void json_num_at(const char *file, int line, const char *json, const char *path, double want);
#define JSON_NUM(json, path, want) json_num_at(__FILE__, __LINE__, (json), (path), (want))
/* The value at `path` is the boolean `want`. */
void json_bool_at(const char *file, int line, const char *json, const char *path, int want);
#define JSON_BOOL(json, path, want) json_bool_at(__FILE__, __LINE__, (json), (path), (want))
/* The value at `path` is null. */
void json_null_at(const char *file, int line, const char *json, const char *path);
#define JSON_NULL(json, path) json_null_at(__FILE__, __LINE__, (json), (path))
/* There is a value at `path` (of any type). */
void json_has_at(const char *file, int line, const char *json, const char *path);
#define JSON_HAS(json, path) json_has_at(__FILE__, __LINE__, (json), (path))
/* The array or object at `path` has `want` elements. */
void json_len_at(const char *file, int line, const char *json, const char *path, size_t want);
#define JSON_LEN(json, path, want) json_len_at(__FILE__, __LINE__, (json), (path), (want))
/* The object at `path` has exactly the comma-separated keys `want`, in this order. */
void json_keys_at(const char *file, int line, const char *json, const char *path, const char *want);
#define JSON_KEYS(json, path, want) json_keys_at(__FILE__, __LINE__, (json), (path), (want))
/* `json` is an array whose elements' values at `field` ("" for the element itself), strings or
   numbers, are exactly the comma-separated `want`, in order ("" for an empty array). */
void json_list_at(const char *file, int line, const char *json, const char *field, const char *want);
#define JSON_LIST(json, field, want) json_list_at(__FILE__, __LINE__, (json), (field), (want))

/* Frees a JSON result and forgets it. */
#define FREE(json)          \
  do {                      \
    nts_string_free(json);  \
    (json) = NULL;          \
  } while (0)

/* Shared fixtures. */
extern const char BAD_UTF8[];
/* A pointer that must never be written through: outputs are checked before use. */
extern char *const POISON;
extern const char *DEVICE_JSON;
extern const char *EVENT1;
extern const char *EVENTS23;
extern const char *RULE1;
extern const char *WF1;
extern const char *ALERT1;
extern const char *DECISION1;
extern const char *MEM1;

nts_storage *open_memory(void);
void path_join(char *out, size_t cap, const char *name);

/* One function per file (store), run in this order by main.c on shared databases. */
void test_storage(void);
void test_timeseries(nts_storage *db);
void test_devices(nts_storage *db);
void test_events(nts_storage *db);
void test_events_structs(nts_storage *db);
void test_rules(nts_storage *db);
void test_workflows(nts_storage *db);
void test_alerts(nts_storage *db);
void test_decisions(nts_storage *db);
void test_sessions(nts_storage *db);
void test_memory(nts_storage *db);
void test_vectors(nts_storage *db);
void test_query(nts_storage *db);
void test_maintenance(void);
void test_backups(void);
void test_lifecycle(void);
void test_replication(void);

#endif
