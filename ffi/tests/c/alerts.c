/*
 * C test of the neotalk-storage C API: alerts.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

const char *ALERT1 =
    "{\"alert_id\":\"a1\",\"title\":\"Overheat\",\"severity\":\"Critical\",\"message\":\"95 C\","
    "\"entity_id\":\"pump-7\",\"entity_type\":\"device\",\"created_at\":1000,\"acknowledged\":false,"
    "\"acknowledged_by\":null,\"acknowledged_at\":null,\"resolved_at\":null,\"source\":\"rule\"}";

static const char *ALERT2 =
    "{\"alert_id\":\"a2\",\"title\":\"Low\",\"severity\":\"Info\",\"message\":\"m\","
    "\"entity_id\":null,\"entity_type\":null,\"created_at\":2000,\"acknowledged\":false,"
    "\"acknowledged_by\":null,\"acknowledged_at\":null,\"resolved_at\":null,\"source\":\"llm\"}";

void test_alerts(nts_storage *db) {
  char *json = POISON;
  uint64_t n = 99;

  EXPECT(NTS_OK, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_OK, nts_alerts_create(db, ALERT2));
  EXPECT(NTS_CONFLICT, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_INVALID_INPUT, nts_alerts_create(db, "{\"alert_id\":\"a3\",\"severity\":\"Loud\"}"));
  MESSAGE_HAS("alert_json");
  EXPECT(NTS_OK, nts_alerts_get(db, "a1", &json));
  JSON_STR(json, "entity_id", "pump-7");
  JSON_STR(json, "severity", "Critical");
  JSON_BOOL(json, "acknowledged", 0);
  FREE(json);
  EXPECT(NTS_NOT_FOUND, nts_alerts_get(db, "a404", &json));
  EXPECT(NTS_OK, nts_alerts_count_by_severity(db, &json));
  JSON_NUM(json, "critical", 1);
  JSON_NUM(json, "info", 1);
  JSON_NUM(json, "warning", 0);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_alerts_acknowledge(db, "a1", "op-3", 1200, &json));
  JSON_STR(json, "acknowledged_by", "op-3");
  JSON_NUM(json, "acknowledged_at", 1200);
  JSON_BOOL(json, "acknowledged", 1);
  FREE(json);
  EXPECT(NTS_CONFLICT, nts_alerts_acknowledge(db, "a1", "op-4", 1300, NULL));
  EXPECT(NTS_NOT_FOUND, nts_alerts_acknowledge(db, "a404", "op", 1, NULL));
  EXPECT(NTS_OK, nts_alerts_unacknowledged(db, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "alert_id", "a2");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_alerts_resolve(db, "a1", 1500, NULL));
  EXPECT(NTS_CONFLICT, nts_alerts_resolve(db, "a1", 1600, &json));
  CHECK(json == NULL);
  EXPECT(NTS_OK, nts_alerts_unresolved(db, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "alert_id", "a2");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_alerts_count_unresolved_by_severity(db, &json));
  JSON_NUM(json, "critical", 0);
  JSON_NUM(json, "info", 1);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_alerts_query_range(db, 0, 2000, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "alert_id", "a1");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_alerts_query_by_severity(db, "critical", 0, 9000, NTS_NO_LIMIT, &json)); /* any case */
  JSON_LIST(json, "alert_id", "a1");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_alerts_query_by_severity(db, "Loud", 0, 9000, NTS_NO_LIMIT, &json));
  MESSAGE_HAS("severity");
  EXPECT(NTS_INVALID_UTF8, nts_alerts_query_by_severity(db, BAD_UTF8, 0, 9000, NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_alerts_query_by_entity(db, "pump-7", 0, 9000, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "alert_id", "a1");
  FREE(json);
  EXPECT(NTS_OK, nts_alerts_query_by_source(db, "llm", 0, 9000, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "alert_id", "a2");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_query_alerts(db, NULL, 0, 9000, &json));
  JSON_LIST(json, "alert_id", "a1,a2");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_query_alerts(db, "Info", 0, 9000, &json));
  JSON_LIST(json, "alert_id", "a2");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_query_alerts(db, "Loud", 0, 9000, &json));
  EXPECT(NTS_OK, nts_alerts_cleanup(db, 1500, &n));
  CHECK(n == 1);
  {
    bool deleted = false;
    EXPECT(NTS_OK, nts_alerts_delete(db, "a2", &deleted));
    CHECK(deleted);
    EXPECT(NTS_OK, nts_alerts_delete(db, "a2", &deleted));
    CHECK(!deleted);
    EXPECT(NTS_NOT_FOUND, nts_alerts_get(db, "a2", &json));
    EXPECT(NTS_INVALID_INPUT, nts_alerts_delete(db, "", &deleted));
    EXPECT(NTS_NULL_POINTER, nts_alerts_delete(db, "a2", NULL));
    EXPECT(NTS_NULL_POINTER, nts_alerts_delete(NULL, "a2", &deleted));
  }
}
