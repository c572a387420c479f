/*
 * C test of the neotalk-storage C API: rule history.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

const char *RULE1 =
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

void test_rules(nts_storage *db) {
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
  JSON_STR(json, "result.Failed.error", "relay down");
  JSON_NULL(json, "trigger_value");
  JSON_NUM(json, "duration_ms", 30);
  FREE(json);
  json = POISON;
  EXPECT(NTS_NOT_FOUND, nts_rules_get(db, "x404", &json));
  CHECK(json == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_rules_get(db, "", &json));
  EXPECT(NTS_NULL_POINTER, nts_rules_get(db, "x1", NULL));

  EXPECT(NTS_OK, nts_rules_query_by_rule(db, "r1", 0, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "execution_id", "x2,x1"); /* newest first */
  nts_string_free(json);
  EXPECT(NTS_OK, nts_rules_query_by_rule(db, "r1", 1, 1, &json));
  JSON_LIST(json, "execution_id", "x1"); /* newest first, skip 1 */
  nts_string_free(json);
  EXPECT(NTS_OK, nts_rules_query_rule_range(db, "r1", 1500, 5000, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "execution_id", "x2");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_rules_query_rule_range(db, "r1", 5, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_rules_query_range(db, 0, 10000, 2, &json));
  JSON_LIST(json, "execution_id", "x1,x2");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_rules_query_failed(db, 0, 10000, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "execution_id", "x2");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_rules_rule_statistics(db, "r1", 0, 10000, &json));
  JSON_NUM(json, "triggers", 2);
  JSON_NUM(json, "failed", 1);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_rules_statistics(db, 0, 10000, &json));
  JSON_LIST(json, "rule_id", "r1,r2");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_rules_statistics(db, 9, 1, &json));
  EXPECT(NTS_NULL_POINTER, nts_rules_cleanup(db, 0, NULL));
  EXPECT(NTS_OK, nts_rules_cleanup(db, 2000, &n));
  CHECK(n == 1);
  EXPECT(NTS_NOT_FOUND, nts_rules_get(db, "x1", &json));
}
