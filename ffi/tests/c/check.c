/* The C test's framework (see check.h): counters, status checks and a small JSON reader. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <stdlib.h>
#include <string.h>

/* Failure reports go to stderr unless a self-test of the assertions silences them. */
#define REPORT \
  if (!check_quiet) fprintf

int check_quiet = 0;
int failures = 0;
int checks = 0;
const char *scratch = NULL;

const char BAD_UTF8[] = {'d', (char)0xff, (char)0xfe, 0};
char *const POISON = (char *)0x1;

int check_at(const char *file, int line, int ok, const char *what) {
  checks++;
  if (!ok) {
    failures++;
    REPORT(stderr, "%s:%d: CHECK failed: %s\n", file, line, what);
  }
  return ok;
}

void expect_at(const char *file, int line, nts_status want, nts_status got, const char *call) {
  const char *message = nts_last_error_message();
  checks++;
  if (got != want) {
    failures++;
    REPORT(stderr, "%s:%d: %s returned %s (%s), expected %s\n", file, line, call, nts_status_name(got), message,
            nts_status_name(want));
  } else if (want == NTS_OK && message[0] != '\0') {
    failures++;
    REPORT(stderr, "%s:%d: success left a message: %s\n", file, line, message);
  } else if (want != NTS_OK && message[0] == '\0') {
    failures++;
    REPORT(stderr, "%s:%d: %s failed without a message\n", file, line, call);
  }
}

void message_has_at(const char *file, int line, const char *text) {
  checks++;
  if (strstr(nts_last_error_message(), text) == NULL) {
    failures++;
    REPORT(stderr, "%s:%d: message \"%s\" does not mention \"%s\"\n", file, line, nts_last_error_message(), text);
  }
}

/* ---------------------------------------------------------------- JSON reader */

typedef enum { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT } jv_kind;

typedef struct jv {
  jv_kind kind;
  int boolean;
  double number;
  char *string; /* JV_STRING: decoded bytes, NUL-terminated; may hold NULs */
  size_t len;   /* JV_STRING: bytes; JV_ARRAY / JV_OBJECT: elements */
  char **keys;  /* JV_OBJECT: one key per element */
  struct jv *items;
} jv;

static void jv_free(jv *v) {
  size_t i;
  if (v->kind == JV_ARRAY || v->kind == JV_OBJECT) {
    for (i = 0; i < v->len; i++) {
      jv_free(&v->items[i]);
      if (v->keys) free(v->keys[i]);
    }
  }
  free(v->items);
  free(v->keys);
  free(v->string);
}

static void skip_space(const char **p) {
  while (**p == ' ' || **p == '\n' || **p == '\r' || **p == '\t') (*p)++;
}

static void put_utf8(char *out, size_t *n, unsigned long c) {
  if (c < 0x80) {
    out[(*n)++] = (char)c;
  } else if (c < 0x800) {
    out[(*n)++] = (char)(0xc0 | (c >> 6));
    out[(*n)++] = (char)(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    out[(*n)++] = (char)(0xe0 | (c >> 12));
    out[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[(*n)++] = (char)(0x80 | (c & 0x3f));
  } else {
    out[(*n)++] = (char)(0xf0 | (c >> 18));
    out[(*n)++] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[(*n)++] = (char)(0x80 | (c & 0x3f));
  }
}

static int hex4(const char *p, unsigned long *out) {
  char buf[5];
  char *end;
  memcpy(buf, p, 4);
  buf[4] = '\0';
  *out = strtoul(buf, &end, 16);
  return end == buf + 4;
}

/* Parses a string at *p (on its opening quote). Returns 0 on a syntax error. */
static int parse_string(const char **p, char **out, size_t *out_len) {
  const char *s = *p + 1;
  size_t n = 0;
  char *buf = (char *)malloc(strlen(s) + 1);
  if (buf == NULL) return 0;
  while (*s != '"') {
    if (*s == '\0') goto fail;
    if (*s != '\\') {
      buf[n++] = *s++;
      continue;
    }
    s++;
    switch (*s) {
      case '"': case '\\': case '/': buf[n++] = *s; break;
      case 'b': buf[n++] = '\b'; break;
      case 'f': buf[n++] = '\f'; break;
      case 'n': buf[n++] = '\n'; break;
      case 'r': buf[n++] = '\r'; break;
      case 't': buf[n++] = '\t'; break;
      case 'u': {
        unsigned long c, low;
        if (!hex4(s + 1, &c)) goto fail;
        s += 4;
        if (c >= 0xd800 && c < 0xdc00 && s[1] == '\\' && s[2] == 'u' && hex4(s + 3, &low)) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          s += 6;
        }
        put_utf8(buf, &n, c);
        break;
      }
      default: goto fail;
    }
    s++;
  }
  buf[n] = '\0';
  *out = buf;
  *out_len = n;
  *p = s + 1;
  return 1;
fail:
  free(buf);
  return 0;
}

static int parse_value(const char **p, jv *v);

/* Parses the elements of an array or object after its opening bracket. */
static int parse_items(const char **p, jv *v, char close) {
  size_t cap = 0;
  skip_space(p);
  if (**p == close) {
    (*p)++;
    return 1;
  }
  for (;;) {
    if (v->len == cap) {
      jv *items;
      cap = cap ? cap * 2 : 4;
      items = (jv *)realloc(v->items, cap * sizeof *items);
      if (items == NULL) return 0;
      v->items = items;
      if (v->kind == JV_OBJECT) {
        char **keys = (char **)realloc(v->keys, cap * sizeof *keys);
        if (keys == NULL) return 0;
        v->keys = keys;
      }
    }
    memset(&v->items[v->len], 0, sizeof v->items[0]);
    if (v->kind == JV_OBJECT) {
      size_t key_len;
      skip_space(p);
      v->keys[v->len] = NULL;
      if (**p != '"' || !parse_string(p, &v->keys[v->len], &key_len)) {
        v->len++;
        return 0;
      }
      skip_space(p);
      if (**p != ':') {
        v->len++;
        return 0;
      }
      (*p)++;
    }
    v->len++;
    if (!parse_value(p, &v->items[v->len - 1])) return 0;
    skip_space(p);
    if (**p == ',') {
      (*p)++;
      continue;
    }
    if (**p != close) return 0;
    (*p)++;
    return 1;
  }
}

static int parse_value(const char **p, jv *v) {
  char *end;
  memset(v, 0, sizeof *v);
  skip_space(p);
  switch (**p) {
    case '{': (*p)++; v->kind = JV_OBJECT; return parse_items(p, v, '}');
    case '[': (*p)++; v->kind = JV_ARRAY; return parse_items(p, v, ']');
    case '"': v->kind = JV_STRING; return parse_string(p, &v->string, &v->len);
    case 't': v->kind = JV_BOOL; v->boolean = 1; if (strncmp(*p, "true", 4) != 0) return 0; *p += 4; return 1;
    case 'f': v->kind = JV_BOOL; if (strncmp(*p, "false", 5) != 0) return 0; *p += 5; return 1;
    case 'n': v->kind = JV_NULL; if (strncmp(*p, "null", 4) != 0) return 0; *p += 4; return 1;
    default:
      v->kind = JV_NUMBER;
      v->number = strtod(*p, &end);
      if (end == *p) return 0;
      *p = end;
      return 1;
  }
}

/* Parses a whole document; 0 (and a reported failure) when it is not JSON. */
static int parse_document(const char *file, int line, const char *json, jv *root) {
  const char *p = json;
  if (json == NULL) {
    check_at(file, line, 0, "JSON result is NULL");
    return 0;
  }
  if (!parse_value(&p, root) || (skip_space(&p), *p != '\0')) {
    jv_free(root);
    failures++;
    checks++;
    REPORT(stderr, "%s:%d: not JSON: %s\n", file, line, json);
    return 0;
  }
  return 1;
}

/* The value at a dotted path, or NULL. */
static const jv *lookup(const jv *v, const char *path) {
  char segment[128];
  while (*path != '\0' && v != NULL) {
    size_t n = strcspn(path, ".");
    size_t i;
    const jv *next = NULL;
    if (n >= sizeof segment) return NULL;
    memcpy(segment, path, n);
    segment[n] = '\0';
    path += n + (path[n] == '.');
    if (v->kind == JV_ARRAY) {
      char *end;
      unsigned long index = strtoul(segment, &end, 10);
      if (*end == '\0' && end != segment && index < v->len) next = &v->items[index];
    } else if (v->kind == JV_OBJECT) {
      for (i = 0; i < v->len; i++) {
        if (strcmp(v->keys[i], segment) == 0) next = &v->items[i];
      }
    }
    v = next;
  }
  return v;
}

/* Parses `json`, finds `path` and hands the value to `test`; reports a failure with `want`. */
typedef int (*value_test)(const jv *value, const void *arg);

static void json_check(const char *file, int line, const char *json, const char *path, value_test test, const void *arg,
                       const char *want) {
  jv root;
  const jv *value;
  if (!parse_document(file, line, json, &root)) return;
  value = lookup(&root, path);
  checks++;
  if (value == NULL || !test(value, arg)) {
    failures++;
    REPORT(stderr, "%s:%d: JSON at \"%s\" is not %s%s in %s\n", file, line, path, want, value ? "" : " (absent)", json);
  }
  jv_free(&root);
}

struct bytes {
  const char *data;
  size_t len;
};

static int is_string(const jv *v, const void *arg) {
  const struct bytes *b = (const struct bytes *)arg;
  return v->kind == JV_STRING && v->len == b->len && memcmp(v->string, b->data, b->len) == 0;
}
static int is_number(const jv *v, const void *arg) { return v->kind == JV_NUMBER && v->number == *(const double *)arg; }
static int is_bool(const jv *v, const void *arg) { return v->kind == JV_BOOL && v->boolean == (*(const int *)arg != 0); }
static int is_null(const jv *v, const void *arg) { (void)arg; return v->kind == JV_NULL; }
static int exists(const jv *v, const void *arg) { (void)v; (void)arg; return 1; }
static int has_len(const jv *v, const void *arg) {
  return (v->kind == JV_ARRAY || v->kind == JV_OBJECT) && v->len == *(const size_t *)arg;
}

void json_str_at(const char *file, int line, const char *json, const char *path, const char *want, size_t len) {
  struct bytes b;
  char what[256];
  b.data = want;
  b.len = len;
  snprintf(what, sizeof what, "the string \"%s\"", want);
  json_check(file, line, json, path, is_string, &b, what);
}

static int has_suffix(const jv *v, const void *arg) {
  const char *suffix = (const char *)arg;
  size_t n = strlen(suffix);
  return v->kind == JV_STRING && v->len >= n && memcmp(v->string + v->len - n, suffix, n) == 0;
}

void json_suffix_at(const char *file, int line, const char *json, const char *path, const char *suffix) {
  char what[256];
  snprintf(what, sizeof what, "a string ending in \"%s\"", suffix);
  json_check(file, line, json, path, has_suffix, suffix, what);
}

int json_string(const char *json, const char *path, char *out, size_t cap) {
  jv root;
  const jv *v;
  int ok = 0;
  const char *p = json;
  if (json == NULL || !parse_value(&p, &root)) return 0;
  v = lookup(&root, path);
  if (v != NULL && v->kind == JV_STRING && v->len < cap) {
    memcpy(out, v->string, v->len + 1);
    ok = 1;
  }
  jv_free(&root);
  return ok;
}

void json_num_at(const char *file, int line, const char *json, const char *path, double want) {
  char what[64];
  snprintf(what, sizeof what, "the number %.17g", want);
  json_check(file, line, json, path, is_number, &want, what);
}

void json_bool_at(const char *file, int line, const char *json, const char *path, int want) {
  json_check(file, line, json, path, is_bool, &want, want ? "true" : "false");
}

void json_null_at(const char *file, int line, const char *json, const char *path) {
  json_check(file, line, json, path, is_null, NULL, "null");
}

void json_has_at(const char *file, int line, const char *json, const char *path) {
  json_check(file, line, json, path, exists, NULL, "present");
}

void json_len_at(const char *file, int line, const char *json, const char *path, size_t want) {
  char what[64];
  snprintf(what, sizeof what, "an array or object of %lu elements", (unsigned long)want);
  json_check(file, line, json, path, has_len, &want, what);
}

void json_keys_at(const char *file, int line, const char *json, const char *path, const char *want) {
  jv root;
  const jv *v;
  char got[1024];
  size_t i, n = 0;
  if (!parse_document(file, line, json, &root)) return;
  got[0] = '\0';
  v = lookup(&root, path);
  for (i = 0; v != NULL && v->kind == JV_OBJECT && i < v->len; i++) {
    n += (size_t)snprintf(got + n, n < sizeof got ? sizeof got - n : 0, "%s%s", i ? "," : "", v->keys[i]);
  }
  checks++;
  if (v == NULL || v->kind != JV_OBJECT || strcmp(got, want) != 0) {
    failures++;
    REPORT(stderr, "%s:%d: keys at \"%s\" are [%s], expected [%s]\n", file, line, path, got, want);
  }
  jv_free(&root);
}

void json_list_at(const char *file, int line, const char *json, const char *field, const char *want) {
  jv root;
  char got[2048];
  size_t i, n = 0;
  if (!parse_document(file, line, json, &root)) return;
  got[0] = '\0';
  checks++;
  if (root.kind != JV_ARRAY) {
    snprintf(got, sizeof got, "(not an array)");
  }
  for (i = 0; root.kind == JV_ARRAY && i < root.len; i++) {
    const jv *v = lookup(&root.items[i], field);
    const char *sep = i ? "," : "";
    if (v != NULL && v->kind == JV_STRING) {
      n += (size_t)snprintf(got + n, n < sizeof got ? sizeof got - n : 0, "%s%s", sep, v->string);
    } else if (v != NULL && v->kind == JV_NUMBER) {
      n += (size_t)snprintf(got + n, n < sizeof got ? sizeof got - n : 0, "%s%.17g", sep, v->number);
    } else {
      n += (size_t)snprintf(got + n, n < sizeof got ? sizeof got - n : 0, "%s?", sep);
    }
  }
  if (strcmp(got, want) != 0) {
    failures++;
    REPORT(stderr, "%s:%d: \"%s\" of the elements is [%s], expected [%s]\n", file, line, field, got, want);
  }
  jv_free(&root);
}

/* ---------------------------------------------------------------- fixtures */

nts_storage *open_memory(void) {
  nts_storage *db = NULL;
  EXPECT(NTS_OK, nts_storage_open_in_memory(NULL, &db));
  CHECK(db != NULL);
  return db;
}

void path_join(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", scratch, name); }
