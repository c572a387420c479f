/* See json.h. */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t size) {
  void *q = realloc(p, size ? size : 1);
  if (q == NULL) {
    fprintf(stderr, "conformance: out of memory\n");
    exit(2);
  }
  return q;
}

void jb_add(jbuf *b, const char *text, size_t len) {
  if (b->len + len + 1 > b->cap) {
    while (b->len + len + 1 > b->cap) b->cap = b->cap ? b->cap * 2 : 256;
    b->data = grow(b->data, b->cap);
  }
  memcpy(b->data + b->len, text, len);
  b->len += len;
  b->data[b->len] = '\0';
}

void jb_str(jbuf *b, const char *text) { jb_add(b, text, strlen(text)); }

void jb_printf(jbuf *b, const char *fmt, ...) {
  char small[128];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) {
    jb_add(b, small, (size_t)n);
  } else {
    char *big = grow(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    jb_add(b, big, (size_t)n);
    free(big);
  }
}

void jb_quote(jbuf *b, const char *text, size_t len) {
  size_t i;
  jb_add(b, "\"", 1);
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      jb_add(b, esc, 2);
    } else if (c < 0x20) {
      jb_printf(b, "\\u%04x", c);
    } else {
      jb_add(b, (const char *)&text[i], 1);
    }
  }
  jb_add(b, "\"", 1);
}

void jb_value(jbuf *b, const jv *v) {
  size_t i;
  switch (v->kind) {
    case J_NULL: jb_str(b, "null"); break;
    case J_BOOL: jb_str(b, v->boolean ? "true" : "false"); break;
    case J_NUMBER: jb_str(b, v->text); break;
    case J_STRING: jb_quote(b, v->text, v->len); break;
    case J_ARRAY:
      jb_str(b, "[");
      for (i = 0; i < v->count; i++) {
        if (i) jb_str(b, ",");
        jb_value(b, &v->items[i]);
      }
      jb_str(b, "]");
      break;
    case J_OBJECT:
      jb_str(b, "{");
      for (i = 0; i < v->count; i++) {
        if (i) jb_str(b, ",");
        jb_quote(b, v->keys[i], strlen(v->keys[i]));
        jb_str(b, ":");
        jb_value(b, &v->items[i]);
      }
      jb_str(b, "}");
      break;
  }
}

char *j_print(const jv *v) {
  jbuf b = {NULL, 0, 0};
  jb_value(&b, v);
  return b.data;
}

void j_free(jv *v) {
  size_t i;
  if (v == NULL) return;
  for (i = 0; i < v->count; i++) {
    j_free(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->text);
  memset(v, 0, sizeof *v);
}

const jv *j_get(const jv *obj, const char *key) {
  size_t i;
  if (obj == NULL || obj->kind != J_OBJECT) return NULL;
  for (i = 0; i < obj->count; i++)
    if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
  return NULL;
}

double j_number(const jv *v) { return strtod(v->text, NULL); }

/* The parser. */
typedef struct parser {
  const char *p;
  char *err;
  size_t err_cap;
} parser;

static int fail(parser *ps, const char *what) {
  if (ps->err && ps->err[0] == '\0') snprintf(ps->err, ps->err_cap, "%s near \"%.20s\"", what, ps->p);
  return 0;
}

static void skip_space(parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') ps->p++;
}

static void put_utf8(jbuf *b, unsigned long c) {
  char out[4];
  size_t n;
  if (c < 0x80) {
    out[0] = (char)c;
    n = 1;
  } else if (c < 0x800) {
    out[0] = (char)(0xc0 | (c >> 6));
    out[1] = (char)(0x80 | (c & 0x3f));
    n = 2;
  } else if (c < 0x10000) {
    out[0] = (char)(0xe0 | (c >> 12));
    out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[2] = (char)(0x80 | (c & 0x3f));
    n = 3;
  } else {
    out[0] = (char)(0xf0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    n = 4;
  }
  jb_add(b, out, n);
}

static int hex4(const char *p, unsigned long *out) {
  int i;
  *out = 0;
  for (i = 0; i < 4; i++) {
    char c = p[i];
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) return 0;
    *out = *out * 16 + (unsigned long)d;
  }
  return 1;
}

static int parse_string(parser *ps, char **out, size_t *out_len) {
  jbuf b = {NULL, 0, 0};
  jb_add(&b, "", 0);
  ps->p++; /* the opening quote */
  for (;;) {
    char c = *ps->p;
    if (c == '\0') {
      free(b.data);
      return fail(ps, "unterminated string");
    }
    if (c == '"') {
      ps->p++;
      break;
    }
    if (c == '\\') {
      char e = ps->p[1];
      unsigned long u;
      ps->p += 2;
      switch (e) {
        case '"': jb_add(&b, "\"", 1); break;
        case '\\': jb_add(&b, "\\", 1); break;
        case '/': jb_add(&b, "/", 1); break;
        case 'b': jb_add(&b, "\b", 1); break;
        case 'f': jb_add(&b, "\f", 1); break;
        case 'n': jb_add(&b, "\n", 1); break;
        case 'r': jb_add(&b, "\r", 1); break;
        case 't': jb_add(&b, "\t", 1); break;
        case 'u':
          if (!hex4(ps->p, &u)) {
            free(b.data);
            return fail(ps, "bad \\u escape");
          }
          ps->p += 4;
          if (u >= 0xd800 && u < 0xdc00 && ps->p[0] == '\\' && ps->p[1] == 'u') {
            unsigned long lo;
            if (hex4(ps->p + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
              u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
              ps->p += 6;
            }
          }
          put_utf8(&b, u);
          break;
        default: free(b.data); return fail(ps, "bad escape");
      }
      continue;
    }
    jb_add(&b, ps->p, 1);
    ps->p++;
  }
  *out = b.data;
  *out_len = b.len;
  return 1;
}

static int parse_value(parser *ps, jv *v, int depth);

static int parse_items(parser *ps, jv *v, char close, int depth) {
  size_t cap = 0;
  ps->p++;
  skip_space(ps);
  if (*ps->p == close) {
    ps->p++;
    return 1;
  }
  for (;;) {
    if (v->count == cap) {
      cap = cap ? cap * 2 : 4;
      v->items = grow(v->items, cap * sizeof *v->items);
      if (close == '}') v->keys = grow(v->keys, cap * sizeof *v->keys);
    }
    memset(&v->items[v->count], 0, sizeof *v->items);
    skip_space(ps);
    if (close == '}') {
      size_t klen;
      if (*ps->p != '"') return fail(ps, "expected a key");
      if (!parse_string(ps, &v->keys[v->count], &klen)) return 0;
      skip_space(ps);
      if (*ps->p != ':') {
        v->count++; /* so that j_free frees the key */
        return fail(ps, "expected ':'");
      }
      ps->p++;
    }
    v->count++;
    if (!parse_value(ps, &v->items[v->count - 1], depth + 1)) return 0;
    skip_space(ps);
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == close) {
      ps->p++;
      return 1;
    }
    return fail(ps, "expected ',' or a closing bracket");
  }
}

static int parse_value(parser *ps, jv *v, int depth) {
  memset(v, 0, sizeof *v);
  if (depth > 200) return fail(ps, "nested too deeply");
  skip_space(ps);
  switch (*ps->p) {
    case '{': v->kind = J_OBJECT; return parse_items(ps, v, '}', depth);
    case '[': v->kind = J_ARRAY; return parse_items(ps, v, ']', depth);
    case '"': v->kind = J_STRING; return parse_string(ps, &v->text, &v->len);
    case 't':
      if (strncmp(ps->p, "true", 4) != 0) return fail(ps, "bad literal");
      v->kind = J_BOOL;
      v->boolean = 1;
      ps->p += 4;
      return 1;
    case 'f':
      if (strncmp(ps->p, "false", 5) != 0) return fail(ps, "bad literal");
      v->kind = J_BOOL;
      ps->p += 5;
      return 1;
    case 'n':
      if (strncmp(ps->p, "null", 4) != 0) return fail(ps, "bad literal");
      v->kind = J_NULL;
      ps->p += 4;
      return 1;
    default: {
      /* JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (strtod alone
         would also take "inf", "nan", hex and a leading "+"). */
      const char *start = ps->p, *end = ps->p;
      size_t n;
#define DIGIT(ch) ((ch) >= '0' && (ch) <= '9')
      if (*end == '-') end++;
      if (*end == '0') {
        end++;
      } else if (DIGIT(*end)) {
        while (DIGIT(*end)) end++;
      } else {
        return fail(ps, "not a JSON value");
      }
      if (*end == '.') {
        end++;
        if (!DIGIT(*end)) return fail(ps, "bad number");
        while (DIGIT(*end)) end++;
      }
      if (*end == 'e' || *end == 'E') {
        end++;
        if (*end == '+' || *end == '-') end++;
        if (!DIGIT(*end)) return fail(ps, "bad number");
        while (DIGIT(*end)) end++;
      }
#undef DIGIT
      n = (size_t)(end - start);
      v->kind = J_NUMBER;
      v->text = grow(NULL, n + 1);
      memcpy(v->text, start, n);
      v->text[n] = '\0';
      v->len = n;
      ps->p = end;
      return 1;
    }
  }
}

int j_parse(const char *text, jv *out, char *err, size_t err_cap) {
  parser ps;
  ps.p = text;
  ps.err = err;
  ps.err_cap = err_cap;
  if (err && err_cap) err[0] = '\0';
  if (!parse_value(&ps, out, 0)) {
    j_free(out);
    return 0;
  }
  skip_space(&ps);
  if (*ps.p != '\0') {
    fail(&ps, "text after the value");
    j_free(out);
    return 0;
  }
  return 1;
}
