/*
 * A small JSON reader and writer for the conformance runner. Numbers keep the text they were
 * written with, so an argument such as 9223372036854775807 or 1.0 goes back to the library
 * exactly as the case wrote it (a double would round the first and turn the second into 1).
 */
#ifndef NTS_CONFORMANCE_JSON_H
#define NTS_CONFORMANCE_JSON_H

#include <stddef.h>

typedef enum jkind { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_ARRAY, J_OBJECT } jkind;

typedef struct jv {
  jkind kind;
  int boolean;
  /* J_NUMBER: the literal as written; J_STRING: the bytes (NUL-terminated, `len` long). */
  char *text;
  size_t len;
  /* J_ARRAY: `count` items; J_OBJECT: `count` members, keys[i] -> items[i]. */
  size_t count;
  struct jv *items;
  char **keys;
} jv;

/* A growing text buffer. */
typedef struct jbuf {
  char *data;
  size_t len;
  size_t cap;
} jbuf;

void jb_add(jbuf *b, const char *text, size_t len);
void jb_str(jbuf *b, const char *text);
void jb_printf(jbuf *b, const char *fmt, ...);
/* Appends `text` (`len` bytes) as a JSON string literal. */
void jb_quote(jbuf *b, const char *text, size_t len);
/* Appends `v` as compact JSON (numbers as written). */
void jb_value(jbuf *b, const jv *v);

/* Parses a whole document into `*out`; 0 (and an explanation in `err`) when it is not JSON. */
int j_parse(const char *text, jv *out, char *err, size_t err_cap);
void j_free(jv *v);
/* The member `key` of an object, or NULL. */
const jv *j_get(const jv *obj, const char *key);
/* The value as a double (numbers only). */
double j_number(const jv *v);
/* `v` as compact JSON in a malloc'ed string. */
char *j_print(const jv *v);

#endif
