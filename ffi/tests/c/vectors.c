/*
 * C test of the neotalk-storage C API: vector collections.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <math.h>

void test_vectors(nts_storage *db) {
  char *json = POISON;
  uint64_t n = 0;
  bool deleted = false;
  const float a[4] = {1, 0, 0, 0};
  const float b[4] = {0, 1, 0, 0};
  const float q[4] = {0.9f, 0.1f, 0, 0};
  const float nan4[4] = {NAN, 0, 0, 0};

  EXPECT(NTS_OK, nts_vectors_create_collection(db, "docs", 4, "Cosine", &json));
  JSON_NUM(json, "dimension", 4);
  JSON_STR(json, "name", "docs");
  JSON_STR(json, "metric", "Cosine");
  FREE(json);
  EXPECT(NTS_CONFLICT, nts_vectors_create_collection(db, "docs", 4, "Cosine", NULL));
  EXPECT(NTS_INVALID_INPUT, nts_vectors_create_collection(db, "x", 4, "Manhattan", NULL));
  MESSAGE_HAS("metric");
  EXPECT(NTS_INVALID_INPUT, nts_vectors_create_collection(db, "x", 0, "Cosine", NULL));
  EXPECT(NTS_OK, nts_vectors_create_collection(db, "other", 2, "DotProduct", NULL));
  EXPECT(NTS_OK, nts_vectors_list_collections(db, &json));
  JSON_LIST(json, "name", "docs,other");
  JSON_STR(json, "1.metric", "DotProduct");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_vectors_collection(db, "docs", &json));
  JSON_STR(json, "metric", "Cosine");
  FREE(json);
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
  JSON_LEN(json, "embedding", 4);
  JSON_NUM(json, "embedding.0", 1.0);
  JSON_NUM(json, "embedding.1", 0.0);
  JSON_STR(json, "metadata.room", "hall");
  FREE(json);
  EXPECT(NTS_NOT_FOUND, nts_vectors_get(db, "docs", "zz", &json));

  EXPECT(NTS_OK, nts_vectors_search(db, "docs", q, 4, 2, NULL, &json));
  JSON_LIST(json, "id", "a,b"); /* best first */
  nts_string_free(json);
  EXPECT(NTS_OK, nts_vectors_search(db, "docs", q, 4, 10, "{\"field\":\"room\",\"value\":\"hall\"}", &json));
  JSON_LIST(json, "id", "a,c");
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
