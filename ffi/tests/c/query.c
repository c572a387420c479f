/*
 * C test of the neotalk-storage C API: the unified query interface.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

void test_query(nts_storage *db) {
  char *json = POISON;
  EXPECT(NTS_OK, nts_ts_write(db, "q-dev", "t", 100, 7.5));
  EXPECT(NTS_OK, nts_query_device_data(db, "q-dev", "t", 0, 1000, &json));
  JSON_LIST(json, "value", "7.5");
  JSON_LIST(json, "timestamp", "100");
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_query_device_data(db, "q-dev", "t", 10, 0, &json));
  EXPECT(NTS_INVALID_UTF8, nts_query_device_data(db, "q-dev", BAD_UTF8, 0, 1, &json));
  EXPECT(NTS_OK, nts_rules_record(db, RULE1));
  EXPECT(NTS_OK, nts_query_rule_history(db, "r1", 0, 5000, &json));
  JSON_LIST(json, "execution_id", "x1,x2");
  FREE(json);
  EXPECT(NTS_OK, nts_query_rule_history(db, "r404", 0, 5000, &json));
  JSON_LEN(json, "", 0);
  FREE(json);
}
