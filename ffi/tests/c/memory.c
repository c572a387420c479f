/*
 * C test of the neotalk-storage C API: long-term memory.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

const char *MEM1 =
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

void test_memory(nts_storage *db) {
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
  JSON_NUM(json, "access_count", 1);
  JSON_NUM(json, "last_accessed", 5000);
  FREE(json);
  EXPECT(NTS_OK, nts_memory_peek(db, "m1", &json));
  JSON_NUM(json, "last_accessed", 5000);
  JSON_NUM(json, "access_count", 1); /* peek does not count */
  JSON_STR(json, "metadata.keywords.0", "pump");
  FREE(json);
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
  JSON_LIST(json, "memory_id", "m2");
  JSON_STR(json, "0.content", "alice likes 22 degrees");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_memory_by_type(db, "Gossip", NTS_NO_LIMIT, &json));
  MESSAGE_HAS("memory_type");
  EXPECT(NTS_OK, nts_memory_by_importance(db, 1, &json));
  JSON_LIST(json, "memory_id", "m1");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_memory_search_keywords(db, "pump", NTS_NO_LIMIT, &json));
  JSON_LIST(json, "entry.memory_id", "m1,m3");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_memory_search_semantic(db, near1, 3, 1, &json));
  JSON_LIST(json, "entry.memory_id", "m1");
  JSON_HAS(json, "0.score");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_memory_search_semantic(db, near1, 2, 1, &json)); /* stored embeddings have 3 */
  EXPECT(NTS_NULL_POINTER, nts_memory_search_semantic(db, NULL, 3, 1, &json));
  EXPECT(NTS_OK, nts_memory_search_hybrid(db, "alice", near1, 3, NTS_NO_LIMIT, &json));
  JSON_LEN(json, "", 2);
  JSON_HAS(json, "0.entry.memory_id");
  JSON_HAS(json, "1.entry.memory_id");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_query_search_memory(db, "pump", "Other", NTS_NO_LIMIT, &json));
  JSON_LIST(json, "memory_id", "m3");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_query_search_memory(db, "pump", NULL, 1, &json));
  JSON_LEN(json, "", 1);
  JSON_HAS(json, "0.memory_id");
  FREE(json);
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
