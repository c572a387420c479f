/*
 * The C runner of the shared conformance cases (tests/conformance/, see its README): every
 * case not marked "not": {"c": ...} runs on a fresh in-memory store through the public C API
 * (neotalk_storage.h), and each step's outcome is matched by the README's rules, as
 * tests/conformance/rust/conformance.rs does for Rust.
 *
 * Usage: nts_conformance CASES_DIR_OR_FILE...   (a folder: every *.json in it is a case file)
 * Prints each failing case and "conformance: N passed, M skipped, K failed"; exits non-zero
 * on any failure or when no case ran.
 *
 * Records go in as JSON text (the records' own C entry points); JSON results are parsed and
 * matched; scalar outputs become numbers or booleans; NTS_NOT_FOUND of a "get" becomes null;
 * statuses are matched by nts_status_name().
 */
#define _XOPEN_SOURCE 700

#include "json.h"
#include "neotalk_storage.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The store a case runs on, and the temporary directories `storage.open` made. */
typedef struct subject {
  nts_storage *db;
  char *dirs[16];
  size_t ndirs;
  char path[4096]; /* the data directory last opened by `storage.open` */
  char replica[4096]; /* the case's directory for `DIR` in replication targets ("" until made) */
} subject;

/* The outcome of one step: a status and, on NTS_OK, the result as JSON text (malloc'ed). */
typedef struct outcome {
  nts_status status;
  char *message; /* nts_last_error_message() on failure (malloc'ed) */
  char *json;    /* the result on success */
  char *bad_case; /* the case itself is malformed (missing or mistyped argument) */
} outcome;

static char *dup_text(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d == NULL) exit(2);
  memcpy(d, s, n);
  return d;
}

static char *printed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printed(const char *fmt, ...) {
  va_list ap;
  char *out;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) exit(2);
  out = malloc((size_t)n + 1);
  if (out == NULL) exit(2);
  va_start(ap, fmt);
  vsnprintf(out, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return out;
}

/* ---- arguments -------------------------------------------------------------------------- */

typedef struct call {
  const jv *args;
  outcome *out;
} call;

static const jv *arg(call *c, const char *name) {
  const jv *v = j_get(c->args, name);
  if (v == NULL && c->out->bad_case == NULL) c->out->bad_case = printed("the case gives no `%s`", name);
  return v;
}

static const char *text(call *c, const char *name) {
  const jv *v = arg(c, name);
  if (v == NULL) return "";
  if (v->kind != J_STRING) {
    if (c->out->bad_case == NULL) c->out->bad_case = printed("`%s` is not a string", name);
    return "";
  }
  if (strlen(v->text) != v->len) {
    if (c->out->bad_case == NULL)
      c->out->bad_case = printed("`%s` holds a NUL character, which a C string cannot carry: mark the case \"not\": {\"c\": ...}", name);
    return "";
  }
  return v->text;
}

static int is_integer_text(const jv *v) { return v->kind == J_NUMBER && strpbrk(v->text, ".eE") == NULL; }

static long long int_arg(call *c, const char *name) {
  const jv *v = arg(c, name);
  long long n;
  if (v == NULL) return 0;
  if (!is_integer_text(v)) {
    if (c->out->bad_case == NULL) c->out->bad_case = printed("`%s` is not an integer", name);
    return 0;
  }
  errno = 0;
  n = strtoll(v->text, NULL, 10);
  if (errno == ERANGE && c->out->bad_case == NULL) c->out->bad_case = printed("`%s` is not a 64-bit integer", name);
  return n;
}

static unsigned long long uint_arg(call *c, const char *name) {
  const jv *v = arg(c, name);
  unsigned long long n;
  if (v == NULL) return 0;
  if (!is_integer_text(v) || v->text[0] == '-') {
    if (c->out->bad_case == NULL) c->out->bad_case = printed("`%s` is not a non-negative integer", name);
    return 0;
  }
  errno = 0;
  n = strtoull(v->text, NULL, 10);
  if (errno == ERANGE && c->out->bad_case == NULL) c->out->bad_case = printed("`%s` is not a 64-bit integer", name);
  return n;
}

static int present(call *c, const char *name) {
  const jv *v = j_get(c->args, name);
  return v != NULL && v->kind != J_NULL;
}

/* `end?`: absent is the open end. */
static int64_t end_arg(call *c) { return present(c, "end") ? (int64_t)int_arg(c, "end") : NTS_OPEN_END; }

/* `limit?`: absent is no limit. */
static size_t limit_arg(call *c) { return present(c, "limit") ? (size_t)uint_arg(c, "limit") : NTS_NO_LIMIT; }

/* A record argument as JSON text (malloc'ed). */
static char *record(call *c, const char *name) {
  const jv *v = arg(c, name);
  return v ? j_print(v) : dup_text("null");
}

/* A list of numbers as floats (malloc'ed; *n items). */
static float *floats(call *c, const jv *v, const char *name, size_t *n) {
  float *out;
  size_t i;
  *n = 0;
  if (v == NULL || v->kind != J_ARRAY) {
    if (c->out->bad_case == NULL) c->out->bad_case = printed("`%s` is not an array", name);
    return NULL;
  }
  out = malloc((v->count ? v->count : 1) * sizeof *out);
  if (out == NULL) exit(2);
  for (i = 0; i < v->count; i++) {
    if (v->items[i].kind != J_NUMBER) {
      if (c->out->bad_case == NULL) c->out->bad_case = printed("`%s[%zu]` is not a number", name, i);
      free(out);
      return NULL;
    }
    out[i] = (float)j_number(&v->items[i]);
  }
  *n = v->count;
  return out;
}

/* ---- results ---------------------------------------------------------------------------- */

/* Records a call's status (and message); returns whether it succeeded. */
static int status_of(call *c, nts_status s) {
  c->out->status = s;
  if (s != NTS_OK) c->out->message = dup_text(nts_last_error_message());
  return s == NTS_OK;
}

static void unit_result(call *c, nts_status s) {
  if (status_of(c, s)) c->out->json = dup_text("null");
}

/* A JSON result handed over by the library. */
/* (The outputs are passed by address: they are read after the call that wrote them.) */
static void json_result(call *c, nts_status s, char **out) {
  char *json = *out;
  if (status_of(c, s)) {
    if (json == NULL && c->out->bad_case == NULL)
      c->out->bad_case = printed("the call returned NTS_OK without its JSON output");
    else
      c->out->json = dup_text(json);
  }
  nts_string_free(json);
}

/* A "get": NTS_NOT_FOUND is the null result. */
static void opt_json_result(call *c, nts_status s, char **json) {
  if (s == NTS_NOT_FOUND) {
    c->out->status = NTS_OK;
    c->out->json = dup_text("null");
    return;
  }
  json_result(c, s, json);
}

static void count_result(call *c, nts_status s, const uint64_t *n) {
  if (status_of(c, s)) c->out->json = printed("%llu", (unsigned long long)*n);
}

/* A double as the shortest text that reads back as the same double (as serde writes it). */
static void add_f64(jbuf *b, double d) {
  char tmp[64];
  int prec;
  for (prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, d);
    if (strtod(tmp, NULL) == d) break;
  }
  jb_str(b, tmp);
}

/* `{"base64": "..."}`, the JSON form of a binary value (standard alphabet, padded). */
static void jb_base64(jbuf *b, const unsigned char *data, size_t len) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i;
  jb_str(b, "{\"base64\":\"");
  for (i = 0; i < len; i += 3) {
    unsigned long n = (unsigned long)data[i] << 16;
    char quad[5] = {0, 0, '=', '=', 0};
    if (i + 1 < len) n |= (unsigned long)data[i + 1] << 8;
    if (i + 2 < len) n |= data[i + 2];
    quad[0] = alphabet[(n >> 18) & 63];
    quad[1] = alphabet[(n >> 12) & 63];
    if (i + 1 < len) quad[2] = alphabet[(n >> 6) & 63];
    if (i + 2 < len) quad[3] = alphabet[n & 63];
    jb_str(b, quad);
  }
  jb_str(b, "\"}");
}

/* A range query's points as the JSON array of DataPoint core writes. */
static void points_result(call *c, nts_status s, nts_points **out) {
  nts_points *points = *out;
  jbuf b = {NULL, 0, 0};
  nts_point p;
  bool has = false;
  int first = 1;
  if (!status_of(c, s)) return;
  jb_str(&b, "[");
  for (;;) {
    nts_status st = nts_points_next(points, &p, &has);
    if (st != NTS_OK) {
      status_of(c, st);
      free(b.data);
      nts_points_free(points);
      return;
    }
    if (!has) break;
    if (!first) jb_str(&b, ",");
    first = 0;
    jb_printf(&b, "{\"timestamp\":%lld,\"value\":", (long long)p.timestamp);
    switch (p.kind) {
      case NTS_VALUE_FLOAT: add_f64(&b, p.float_value); break;
      case NTS_VALUE_INTEGER: jb_printf(&b, "%lld", (long long)p.int_value); break;
      case NTS_VALUE_BOOLEAN: jb_str(&b, p.bool_value ? "true" : "false"); break;
      case NTS_VALUE_STRING: jb_quote(&b, p.string_value, p.string_len); break;
      case NTS_VALUE_BINARY: jb_base64(&b, p.binary_value, p.binary_len); break;
    }
    jb_str(&b, ",\"quality\":");
    /* serde_json::to_value widens an f32 to f64 (0.1f32 is 0.10000000149011612), and the
       Rust runner matches that: so does this one. */
    if (p.has_quality)
      add_f64(&b, (double)p.quality);
    else
      jb_str(&b, "null");
    jb_str(&b, ",\"metadata\":");
    jb_str(&b, p.metadata_json ? p.metadata_json : "null");
    jb_str(&b, "}");
  }
  jb_str(&b, "]");
  nts_points_free(points);
  c->out->json = b.data;
}

/* ---- operations ------------------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

/* A fresh temporary directory, removed with the case; NULL (and the case marked bad) when
   none can be made. */
static const char *temp_dir(subject *sub, call *c) {
  const char *tmp = getenv("TMPDIR");
  char *dir = printed("%s/nts-conformance.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL || sub->ndirs == sizeof sub->dirs / sizeof sub->dirs[0]) {
    c->out->bad_case = printed("cannot make a temporary directory %s", dir);
    free(dir);
    return NULL;
  }
  sub->dirs[sub->ndirs++] = dir;
  return dir;
}

static void storage_open(subject *sub, call *c) {
  const char *path = text(c, "path");
  nts_storage *opened = NULL;
  char target[4096];
  if (c->out->bad_case) return;
  if (path[0] == '\0') {
    target[0] = '\0';
  } else {
    const char *dir = temp_dir(sub, c);
    if (dir == NULL) return;
    snprintf(target, sizeof target, "%s/%s", dir, path);
  }
  if (status_of(c, nts_storage_open(target, NULL, &opened))) {
    nts_storage_free(sub->db);
    sub->db = opened;
    snprintf(sub->path, sizeof sub->path, "%s", target);
    c->out->json = dup_text("null");
  }
}

/* `storage.salvage`: the directory last opened into a fresh directory ("new") or itself. */
static void storage_salvage(subject *sub, call *c) {
  const char *into = text(c, "into");
  char target[4096];
  char *json = NULL;
  if (c->out->bad_case) return;
  if (strcmp(into, "itself") == 0) {
    snprintf(target, sizeof target, "%s", sub->path);
  } else {
    const char *dir = temp_dir(sub, c);
    if (dir == NULL) return;
    snprintf(target, sizeof target, "%s/salvaged", dir);
  }
  json_result(c, nts_storage_salvage(sub->path, target, &json), &json);
}

/* A replication target: the case's `target`, `DIR` replaced by the case's directory. */
static int replication_target(subject *sub, call *c, char *out, size_t cap) {
  const char *target = text(c, "target"), *at;
  if (c->out->bad_case) return 0;
  at = strstr(target, "DIR");
  if (at == NULL) {
    snprintf(out, cap, "%s", target);
    return 1;
  }
  if (sub->replica[0] == '\0') {
    const char *dir = temp_dir(sub, c);
    if (dir == NULL) return 0;
    snprintf(sub->replica, sizeof sub->replica, "%s", dir);
  }
  snprintf(out, cap, "%.*s%s%s", (int)(at - target), target, sub->replica, at + 3);
  return 1;
}

static void replicate_run_once(subject *sub, call *c) {
  char target[8192];
  char *json = NULL;
  const char *gateway = text(c, "gateway_id");
  if (!replication_target(sub, c, target, sizeof target)) return;
  json_result(c, nts_replicate(sub->db, target, gateway, &json), &json);
}

static void replicate_status(subject *sub, call *c) {
  char target[8192];
  char *json = NULL;
  if (!replication_target(sub, c, target, sizeof target)) return;
  json_result(c, nts_replication_status(sub->db, target, &json), &json);
}

/* `storage.open_memory`: a fresh in-memory store opened with the case's options JSON. */
static void storage_open_memory(subject *sub, call *c) {
  char *options = record(c, "options");
  nts_storage *opened = NULL;
  if (!c->out->bad_case && status_of(c, nts_storage_open_in_memory(options, &opened))) {
    nts_storage_free(sub->db);
    sub->db = opened;
    c->out->json = dup_text("null");
  }
  free(options);
}

/* Whether a point argument is a plain float: `{"timestamp": T, "value": <number with a
   fraction or exponent>}`, quality and metadata absent or null. */
static int plain_float_point(const jv *point) {
  const jv *value = j_get(point, "value"), *quality = j_get(point, "quality"), *metadata = j_get(point, "metadata");
  size_t i, known = 0;
  if (point == NULL || point->kind != J_OBJECT || value == NULL || value->kind != J_NUMBER || is_integer_text(value)) return 0;
  if ((quality && quality->kind != J_NULL) || (metadata && metadata->kind != J_NULL)) return 0;
  for (i = 0; i < point->count; i++)
    if (strcmp(point->keys[i], "timestamp") == 0 || strcmp(point->keys[i], "value") == 0 ||
        strcmp(point->keys[i], "quality") == 0 || strcmp(point->keys[i], "metadata") == 0)
      known++;
  return known == point->count; /* an unknown field goes to core's decoder, which refuses it */
}

/* ts.write: core's TimeSeriesStore::write (the write buffer) is nts_ts_write(), which takes a
   double; so a float point, and a {"$float": ...} one (NaN, infinities: floats JSON cannot
   write), go through it. A point C's typed call cannot carry (an integer, boolean or string
   value, quality, metadata) goes as TelemetryPoint JSON through nts_ts_write_batch_json(),
   decoded by core. */
static void ts_write(nts_storage *db, call *c) {
  const char *device = text(c, "device"), *metric = text(c, "metric");
  const jv *point = arg(c, "point");
  const jv *value = j_get(point, "value");
  const jv *special = j_get(value, "$float");
  const jv *ts = j_get(point, "timestamp");
  if (c->out->bad_case) return;
  if ((special != NULL && special->kind == J_STRING) || plain_float_point(point)) {
    const char *number = special ? special->text : value->text;
    double d;
    char *end;
    long long timestamp;
    if (ts == NULL || !is_integer_text(ts)) {
      c->out->bad_case = printed("`point.timestamp` is not an integer");
      return;
    }
    errno = 0;
    timestamp = strtoll(ts->text, NULL, 10);
    if (errno == ERANGE) {
      c->out->bad_case = printed("`point.timestamp` is not a 64-bit integer");
      return;
    }
    d = strtod(number, &end);
    if (end == number || *end != '\0') {
      c->out->bad_case = printed("`point.value` %s is not a float", number);
      return;
    }
    unit_result(c, nts_ts_write(db, device, metric, (int64_t)timestamp, d));
  } else {
    jbuf b = {NULL, 0, 0};
    jb_str(&b, "[{\"device_id\":");
    jb_quote(&b, device, strlen(device));
    jb_str(&b, ",\"metric\":");
    jb_quote(&b, metric, strlen(metric));
    jb_str(&b, ",\"point\":");
    jb_value(&b, point);
    jb_str(&b, "}]");
    unit_result(c, nts_ts_write_batch_json(db, b.data));
    free(b.data);
  }
}

/* A string field of an element that may be absent or null: NULL then. */
static const char *opt_text(call *c, const char *name) { return present(c, name) ? text(c, name) : NULL; }

/* events.append_text: each element of `events` as an nts_event whose payload is the case's text. */
static void events_append_text(nts_storage *db, call *c) {
  const jv *list = arg(c, "events");
  nts_event *in;
  nts_sequence_range range = {0, 0};
  size_t i, n = list != NULL && list->kind == J_ARRAY ? list->count : 0;
  if (list != NULL && list->kind != J_ARRAY && c->out->bad_case == NULL) c->out->bad_case = dup_text("`events` is not an array");
  in = calloc(n + 1, sizeof *in);
  if (in == NULL) exit(2);
  for (i = 0; i < n; i++) {
    call e = {&list->items[i], c->out};
    in[i].event_id = text(&e, "event_id");
    in[i].event_type = text(&e, "event_type");
    in[i].data = opt_text(&e, "data");
    in[i].data_len = in[i].data != NULL ? strlen(in[i].data) : 0;
    in[i].correlation_id = opt_text(&e, "correlation_id");
    in[i].causation_id = opt_text(&e, "causation_id");
    in[i].source = text(&e, "source");
    in[i].timestamp = (int64_t)int_arg(&e, "timestamp");
  }
  if (c->out->bad_case == NULL && status_of(c, nts_events_append_structs(db, in, n, &range)))
    c->out->json = printed("{\"first\":%llu,\"last\":%llu}", (unsigned long long)range.first, (unsigned long long)range.last);
  free(in);
}

static void jb_opt_quote(jbuf *b, const char *s) {
  if (s == NULL)
    jb_str(b, "null");
  else
    jb_quote(b, s, strlen(s));
}

/* events.replay_text: nts_events_replay_structs, each entry as an object of its C fields. */
static void events_replay_text(nts_storage *db, call *c) {
  uint64_t after = uint_arg(c, "after");
  size_t limit = limit_arg(c), n = 0, i;
  nts_event_list *list = NULL;
  const nts_event_entry *e = NULL;
  jbuf b = {NULL, 0, 0};
  if (c->out->bad_case != NULL || !status_of(c, nts_events_replay_structs(db, after, limit, &list, &e, &n))) return;
  jb_str(&b, "[");
  for (i = 0; i < n; i++) {
    jb_printf(&b, "%s{\"sequence\":%llu,\"event_id\":", i ? "," : "", (unsigned long long)e[i].sequence);
    jb_quote(&b, e[i].event_id, strlen(e[i].event_id));
    jb_str(&b, ",\"event_type\":");
    jb_quote(&b, e[i].event_type, strlen(e[i].event_type));
    jb_str(&b, ",\"data\":");
    jb_quote(&b, e[i].data, e[i].data_len);
    jb_str(&b, ",\"correlation_id\":");
    jb_opt_quote(&b, e[i].correlation_id);
    jb_str(&b, ",\"causation_id\":");
    jb_opt_quote(&b, e[i].causation_id);
    jb_str(&b, ",\"source\":");
    jb_quote(&b, e[i].source, strlen(e[i].source));
    jb_printf(&b, ",\"timestamp\":%lld}", (long long)e[i].timestamp);
  }
  jb_str(&b, "]");
  nts_event_list_free(list);
  c->out->json = b.data;
}

static void run_op(subject *sub, const char *op, call *c) {
  nts_storage *db = sub->db;
  char *json = NULL, *rec = NULL;
  uint64_t n = 0;
  bool flag = false;

#define OP(name) else if (strcmp(op, name) == 0)
#define BAD (c->out->bad_case != NULL)
  if (0) {
  }
  OP("storage.open") storage_open(sub, c);
  OP("storage.open_memory") storage_open_memory(sub, c);
  OP("storage.close") unit_result(c, nts_storage_close(db));
  OP("storage.flush") unit_result(c, nts_storage_flush(db));
  OP("storage.integrity_report") json_result(c, nts_storage_integrity_report(db, &json), &json);
  OP("storage.salvage") storage_salvage(sub, c);
  OP("replicate.run_once") replicate_run_once(sub, c);
  OP("replicate.status") replicate_status(sub, c);
  OP("ts.write") ts_write(db, c);
  OP("ts.write_batch") {
    rec = record(c, "points");
    if (!BAD) unit_result(c, nts_ts_write_batch_json(db, rec));
  }
  OP("ts.query_range") {
    nts_points *points = NULL;
    const char *device = text(c, "device"), *metric = text(c, "metric");
    int64_t start = int_arg(c, "start"), end = end_arg(c);
    if (!BAD) points_result(c, nts_ts_query_range_points(db, device, metric, start, end, NULL, &points), &points);
  }
  OP("ts.query_latest") {
    const char *device = text(c, "device"), *metric = text(c, "metric");
    if (!BAD) opt_json_result(c, nts_ts_query_latest_json(db, device, metric, &json), &json);
  }
  OP("ts.delete_range") {
    const char *device = text(c, "device"), *metric = text(c, "metric");
    int64_t start = int_arg(c, "start"), end = end_arg(c);
    if (!BAD) count_result(c, nts_ts_delete_range(db, device, metric, start, end, &n), &n);
  }
  OP("ts.delete_device") {
    const char *device = text(c, "device");
    if (!BAD) count_result(c, nts_ts_delete_device(db, device, &n), &n);
  }
  OP("ts.delete_metric") {
    const char *metric = text(c, "metric");
    if (!BAD) count_result(c, nts_ts_delete_metric(db, metric, &n), &n);
  }
  OP("ts.aggregation_tier") {
    const char *device = text(c, "device"), *metric = text(c, "metric");
    int64_t start = int_arg(c, "start"), end = end_arg(c), bucket = int_arg(c, "bucket_ms"), tier = -1;
    if (!BAD && status_of(c, nts_ts_aggregation_tier(db, device, metric, start, end, bucket, &tier)))
      c->out->json = tier == 0 ? dup_text("null") : printed("%lld", (long long)tier);
  }
  OP("ts.rebuild_rollups") count_result(c, nts_ts_rebuild_rollups(db, &n), &n);
  OP("ts.query_aggregated") {
    const char *device = text(c, "device"), *metric = text(c, "metric");
    int64_t start = int_arg(c, "start"), end = end_arg(c), bucket = int_arg(c, "bucket_ms");
    if (!BAD) json_result(c, nts_ts_query_aggregated(db, device, metric, start, end, bucket, &json), &json);
  }
  OP("events.append") {
    rec = record(c, "event");
    if (!BAD) json_result(c, nts_events_append(db, rec, &json), &json);
  }
  OP("events.append_batch") {
    nts_sequence_range range = {0, 0};
    rec = record(c, "events");
    if (!BAD && status_of(c, nts_events_append_batch(db, rec, &range)))
      c->out->json = printed("{\"first\":%llu,\"last\":%llu}", (unsigned long long)range.first, (unsigned long long)range.last);
  }
  OP("events.get") {
    const char *id = text(c, "event_id");
    if (!BAD) opt_json_result(c, nts_events_get(db, id, &json), &json);
  }
  OP("events.replay") {
    uint64_t after = uint_arg(c, "after");
    size_t limit = limit_arg(c);
    if (!BAD) json_result(c, nts_events_replay(db, after, limit, &json), &json);
  }
  OP("events.query_range") {
    int64_t start = int_arg(c, "start"), end = end_arg(c);
    size_t limit = limit_arg(c);
    if (!BAD) json_result(c, nts_events_query_range(db, start, end, limit, &json), &json);
  }
  OP("events.last_sequence") count_result(c, nts_events_last_sequence(db, &n), &n);
  OP("events.append_text") events_append_text(db, c);
  OP("events.replay_text") events_replay_text(db, c);
  OP("devices.upsert") {
    rec = record(c, "state");
    if (!BAD) unit_result(c, nts_devices_upsert(db, rec));
  }
  OP("devices.get") {
    const char *id = text(c, "device_id");
    if (!BAD) opt_json_result(c, nts_devices_get(db, id, &json), &json);
  }
  OP("devices.list") json_result(c, nts_devices_list(db, &json), &json);
  OP("devices.delete") {
    const char *id = text(c, "device_id");
    if (!BAD) unit_result(c, nts_devices_delete(db, id));
  }
  OP("devices.delete_with_telemetry") {
    const char *id = text(c, "device_id");
    if (!BAD) count_result(c, nts_devices_delete_with_telemetry(db, id, &n), &n);
  }
  OP("devices.set_online") {
    const char *id = text(c, "device_id");
    const jv *online = arg(c, "online");
    if (online && online->kind != J_BOOL && !BAD) c->out->bad_case = printed("`online` is not a boolean");
    if (!BAD) unit_result(c, nts_devices_set_online(db, id, online->boolean != 0));
  }
  OP("alerts.create") {
    rec = record(c, "alert");
    if (!BAD) unit_result(c, nts_alerts_create(db, rec));
  }
  OP("alerts.get") {
    const char *id = text(c, "alert_id");
    if (!BAD) opt_json_result(c, nts_alerts_get(db, id, &json), &json);
  }
  OP("alerts.delete") {
    const char *id = text(c, "alert_id");
    if (!BAD && status_of(c, nts_alerts_delete(db, id, &flag))) c->out->json = dup_text(flag ? "true" : "false");
  }
  OP("alerts.acknowledge") {
    const char *id = text(c, "alert_id"), *by = text(c, "by");
    int64_t at = int_arg(c, "at");
    if (!BAD) json_result(c, nts_alerts_acknowledge(db, id, by, at, &json), &json);
  }
  OP("alerts.resolve") {
    const char *id = text(c, "alert_id");
    int64_t at = int_arg(c, "at");
    if (!BAD) json_result(c, nts_alerts_resolve(db, id, at, &json), &json);
  }
  OP("alerts.query_range") {
    int64_t start = int_arg(c, "start"), end = end_arg(c);
    size_t limit = limit_arg(c);
    if (!BAD) json_result(c, nts_alerts_query_range(db, start, end, limit, &json), &json);
  }
  OP("alerts.unresolved") json_result(c, nts_alerts_unresolved(db, limit_arg(c), &json), &json);
  OP("decisions.create") {
    rec = record(c, "decision");
    if (!BAD) unit_result(c, nts_decisions_create(db, rec));
  }
  OP("decisions.get") {
    const char *id = text(c, "decision_id");
    if (!BAD) opt_json_result(c, nts_decisions_get(db, id, &json), &json);
  }
  OP("decisions.transition") {
    const char *id = text(c, "decision_id"), *to = text(c, "to");
    if (!BAD) json_result(c, nts_decisions_transition(db, id, to, &json), &json);
  }
  OP("decisions.approve") {
    const char *id = text(c, "decision_id");
    rec = record(c, "response");
    if (!BAD) json_result(c, nts_decisions_approve(db, id, rec, &json), &json);
  }
  OP("decisions.record_execution_result") {
    const char *id = text(c, "decision_id");
    rec = record(c, "result");
    if (!BAD) json_result(c, nts_decisions_record_execution_result(db, id, rec, &json), &json);
  }
  OP("rules.record") {
    rec = record(c, "record");
    if (!BAD) unit_result(c, nts_rules_record(db, rec));
  }
  OP("rules.get") {
    const char *id = text(c, "execution_id");
    if (!BAD) opt_json_result(c, nts_rules_get(db, id, &json), &json);
  }
  OP("rules.query_by_rule") {
    const char *rule = text(c, "rule_id");
    size_t offset = (size_t)uint_arg(c, "offset"), limit = limit_arg(c);
    if (!BAD) json_result(c, nts_rules_query_by_rule(db, rule, offset, limit, &json), &json);
  }
  OP("workflows.start") {
    rec = record(c, "record");
    if (!BAD) unit_result(c, nts_workflows_start(db, rec));
  }
  OP("workflows.get") {
    const char *id = text(c, "execution_id");
    if (!BAD) opt_json_result(c, nts_workflows_get(db, id, &json), &json);
  }
  OP("sessions.create") {
    const char *id = text(c, "session_id"), *title = text(c, "title");
    int64_t at = int_arg(c, "created_at");
    if (!BAD) json_result(c, nts_sessions_create(db, id, title, at, &json), &json);
  }
  OP("sessions.append_message") {
    const char *id = text(c, "session_id");
    rec = record(c, "message");
    if (!BAD) count_result(c, nts_sessions_append_message(db, id, rec, &n), &n);
  }
  OP("sessions.load_messages") {
    const char *id = text(c, "session_id");
    if (!BAD) json_result(c, nts_sessions_load_messages(db, id, &json), &json);
  }
  OP("sessions.delete") {
    const char *id = text(c, "session_id");
    if (!BAD && status_of(c, nts_sessions_delete(db, id, &flag))) c->out->json = dup_text(flag ? "true" : "false");
  }
  OP("memory.add") {
    rec = record(c, "entry");
    if (!BAD) unit_result(c, nts_memory_add(db, rec));
  }
  OP("memory.peek") {
    const char *id = text(c, "memory_id");
    if (!BAD) opt_json_result(c, nts_memory_peek(db, id, &json), &json);
  }
  OP("memory.count") count_result(c, nts_memory_count(db, &n), &n);
  OP("vectors.create_collection") {
    const char *name = text(c, "name"), *metric = text(c, "metric");
    unsigned long long dim = uint_arg(c, "dimension");
    uint32_t dimension = dim > UINT32_MAX ? UINT32_MAX : (uint32_t)dim;
    if (!BAD) json_result(c, nts_vectors_create_collection(db, name, dimension, metric, &json), &json);
  }
  OP("vectors.upsert") {
    /* The document as VectorDocument JSON (upsert_many of one), so it is decoded by core as
       in every JSON-taking binding. */
    const char *collection = text(c, "collection");
    const jv *doc = arg(c, "doc");
    if (!BAD) {
      jbuf b = {NULL, 0, 0};
      jb_str(&b, "[");
      jb_value(&b, doc);
      jb_str(&b, "]");
      unit_result(c, nts_vectors_upsert_many(db, collection, b.data));
      free(b.data);
    }
  }
  OP("vectors.get") {
    const char *collection = text(c, "collection"), *id = text(c, "id");
    if (!BAD) opt_json_result(c, nts_vectors_get(db, collection, id, &json), &json);
  }
  OP("vectors.search") {
    const char *collection = text(c, "collection");
    size_t dim = 0, k = (size_t)uint_arg(c, "k");
    float *query = floats(c, arg(c, "query"), "query", &dim);
    if (!BAD) json_result(c, nts_vectors_search(db, collection, query, dim, k, NULL, &json), &json);
    free(query);
  }
  OP("vectors.count") {
    const char *collection = text(c, "collection");
    if (!BAD) count_result(c, nts_vectors_count(db, collection, &n), &n);
  }
  OP("cleanup.run") {
    int64_t now = int_arg(c, "now");
    if (present(c, "retention")) rec = record(c, "retention");
    if (!BAD) json_result(c, nts_storage_cleanup(db, rec, now, &json), &json);
  }
  else {
    c->out->bad_case = printed("unknown op \"%s\": add it to tests/conformance/README.md and every runner", op);
  }
#undef OP
#undef BAD
  free(rec);
}

/* ---- matching --------------------------------------------------------------------------- */

/* Whether `actual` matches `expected` by the README's rules; on a mismatch `why` says where. */
static int matches(const jv *expected, const jv *actual, const char *at, jbuf *why) {
  static const jv null_value = {J_NULL, 0, NULL, 0, 0, NULL, NULL};
  size_t i;
  int ok = 0;
  if (actual == NULL) actual = &null_value;
  switch (expected->kind) {
    case J_OBJECT:
      if (expected->count == 1 && strcmp(expected->keys[0], "$len") == 0) {
        ok = actual->kind == J_ARRAY && expected->items[0].kind == J_NUMBER &&
             (double)actual->count == j_number(&expected->items[0]);
        break;
      }
      if (actual->kind != J_OBJECT) break;
      for (i = 0; i < expected->count; i++) {
        char *inner = printed("%s.%s", at, expected->keys[i]);
        int sub = matches(&expected->items[i], j_get(actual, expected->keys[i]), inner, why);
        free(inner);
        if (!sub) return 0;
      }
      return 1;
    case J_ARRAY:
      if (actual->kind != J_ARRAY || actual->count != expected->count) break;
      for (i = 0; i < expected->count; i++) {
        char *inner = printed("%s[%zu]", at, i);
        int sub = matches(&expected->items[i], &actual->items[i], inner, why);
        free(inner);
        if (!sub) return 0;
      }
      return 1;
    case J_NUMBER: ok = actual->kind == J_NUMBER && j_number(actual) == j_number(expected); break;
    case J_STRING:
      ok = actual->kind == J_STRING && actual->len == expected->len && memcmp(actual->text, expected->text, expected->len) == 0;
      break;
    case J_BOOL: ok = actual->kind == J_BOOL && actual->boolean == expected->boolean; break;
    case J_NULL: ok = actual->kind == J_NULL; break;
  }
  if (!ok) {
    char *want = j_print(expected), *got = j_print(actual);
    jb_printf(why, "%s: expected %s, got %s", at, want, got);
    free(want);
    free(got);
  }
  return ok;
}

/* ---- cases ------------------------------------------------------------------------------ */

/* Runs one case; 1 when it passed, else 0 with the reason in `why`. */
static int run_case(const jv *kase, jbuf *why) {
  static const jv empty_args = {J_OBJECT, 0, NULL, 0, 0, NULL, NULL};
  subject sub;
  const jv *steps = j_get(kase, "steps");
  size_t i;
  int passed = 1;
  memset(&sub, 0, sizeof sub);
  if (steps == NULL || steps->kind != J_ARRAY) {
    jb_str(why, "the case has no steps");
    return 0;
  }
  if (nts_storage_open_in_memory(NULL, &sub.db) != NTS_OK) {
    jb_printf(why, "nts_storage_open_in_memory failed: %s", nts_last_error_message());
    return 0;
  }
  for (i = 0; i < steps->count && passed; i++) {
    const jv *step = &steps->items[i];
    const jv *op = j_get(step, "op"), *args = j_get(step, "args");
    const jv *error = j_get(step, "error"), *expect = j_get(step, "expect");
    outcome out;
    call c;
    char at[128];
    memset(&out, 0, sizeof out);
    if (op == NULL || op->kind != J_STRING) {
      jb_printf(why, "step %zu has no op", i);
      passed = 0;
      break;
    }
    snprintf(at, sizeof at, "step %zu (%s)", i, op->text);
    c.args = args ? args : &empty_args;
    c.out = &out;
    run_op(&sub, op->text, &c);
    if (out.bad_case) {
      jb_printf(why, "%s: %s", at, out.bad_case);
      passed = 0;
    } else if (error != NULL) {
      const char *code = error->kind == J_STRING ? error->text : "?";
      if (out.status == NTS_OK) {
        jb_printf(why, "%s: expected %s, got success %s", at, code, out.json);
        passed = 0;
      } else if (strcmp(nts_status_name((int32_t)out.status), code) != 0) {
        jb_printf(why, "%s: expected %s, got %s: %s", at, code, nts_status_name((int32_t)out.status), out.message);
        passed = 0;
      }
    } else if (out.status != NTS_OK) {
      jb_printf(why, "%s: failed with %s: %s", at, nts_status_name((int32_t)out.status), out.message);
      passed = 0;
    } else if (expect != NULL) {
      jv got;
      char err[128];
      if (!j_parse(out.json, &got, err, sizeof err)) {
        jb_printf(why, "%s: the result is not JSON (%s): %s", at, err, out.json);
        passed = 0;
      } else {
        passed = matches(expect, &got, at, why);
        j_free(&got);
      }
    }
    free(out.message);
    free(out.json);
    free(out.bad_case);
  }
  nts_storage_free(sub.db);
  for (i = 0; i < sub.ndirs; i++) {
    nftw(sub.dirs[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(sub.dirs[i]);
  }
  return passed;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  jbuf b = {NULL, 0, 0};
  char chunk[65536];
  size_t n;
  if (f == NULL) return NULL;
  jb_add(&b, "", 0);
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) jb_add(&b, chunk, n);
  fclose(f);
  return b.data;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct tally {
  unsigned passed, skipped, failed;
} tally;

/* Runs every case of one case file; `name` is how failures name the file. */
static void run_file(const char *path, const char *name, tally *t) {
  char *content = read_file(path);
  jv doc;
  char err[128];
  const jv *cases;
  size_t k;
  if (content == NULL || !j_parse(content, &doc, err, sizeof err)) {
    printf("FAIL %s: cannot read it as JSON (%s)\n", path, content ? err : "unreadable");
    t->failed++;
    free(content);
    return;
  }
  cases = j_get(&doc, "cases");
  if (cases == NULL || cases->kind != J_ARRAY) {
    printf("FAIL %s: no \"cases\" array\n", path);
    t->failed++;
  } else {
    for (k = 0; k < cases->count; k++) {
      const jv *kase = &cases->items[k];
      const jv *title = j_get(kase, "name");
      jbuf why = {NULL, 0, 0};
      if (j_get(j_get(kase, "not"), "c") != NULL) {
        t->skipped++;
        continue;
      }
      if (run_case(kase, &why)) {
        t->passed++;
      } else {
        printf("FAIL %s / %s / %s\n", name, title && title->kind == J_STRING ? title->text : "(unnamed)",
               why.data ? why.data : "?");
        t->failed++;
      }
      free(why.data);
    }
  }
  j_free(&doc);
  free(content);
}

/* Each argument is a folder (its *.json files, by name) or one case file. */
int main(int argc, char **argv) {
  tally t = {0, 0, 0};
  int a;
  if (argc < 2) {
    fprintf(stderr, "usage: %s CASES_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  for (a = 1; a < argc; a++) {
    struct stat st;
    DIR *dir;
    struct dirent *entry;
    char **names = NULL;
    size_t count = 0, i;
    if (stat(argv[a], &st) != 0) {
      perror(argv[a]);
      return 2;
    }
    if (!S_ISDIR(st.st_mode)) {
      const char *slash = strrchr(argv[a], '/');
      run_file(argv[a], slash ? slash + 1 : argv[a], &t);
      continue;
    }
    dir = opendir(argv[a]);
    if (dir == NULL) {
      perror(argv[a]);
      return 2;
    }
    while ((entry = readdir(dir)) != NULL) {
      size_t len = strlen(entry->d_name);
      if (len > 5 && strcmp(entry->d_name + len - 5, ".json") == 0) {
        char **more = realloc(names, (count + 1) * sizeof *names);
        if (more == NULL) exit(2);
        names = more;
        names[count++] = dup_text(entry->d_name);
      }
    }
    closedir(dir);
    if (count) qsort(names, count, sizeof *names, by_name);
    for (i = 0; i < count; i++) {
      char *path = printed("%s/%s", argv[a], names[i]);
      run_file(path, names[i], &t);
      free(path);
      free(names[i]);
    }
    free(names);
  }

  printf("conformance: %u passed, %u skipped, %u failed\n", t.passed, t.skipped, t.failed);
  if (t.passed == 0) fprintf(stderr, "conformance: no case ran\n");
  return t.failed == 0 && t.passed > 0 ? 0 : 1;
}
