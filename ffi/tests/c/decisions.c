/*
 * C test of the neotalk-storage C API: LLM decisions.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <stdio.h>
#include <string.h>

const char *DECISION1 =
    "{\"decision_id\":\"d1\",\"title\":\"Cool\",\"description\":\"Turn fan on\",\"reasoning\":\"hot\","
    "\"proposed_actions\":[{\"action_type\":\"command\",\"description\":\"fan on\",\"parameters\":{\"speed\":2}}],"
    "\"confidence\":0.8,\"created_at\":1000,\"status\":\"Proposed\",\"user_response\":null,"
    "\"execution_result\":null,\"review_id\":null}";

static const char *RESPONSE = "{\"user_id\":\"alice\",\"response\":\"ok\",\"responded_at\":1500,\"comments\":null}";

void test_decisions(nts_storage *db) {
  char *json = POISON;
  uint64_t n = 99;
  char d2[600];

  EXPECT(NTS_OK, nts_decisions_create(db, DECISION1));
  EXPECT(NTS_CONFLICT, nts_decisions_create(db, DECISION1));
  EXPECT(NTS_INVALID_INPUT, nts_decisions_create(db, "{\"decision_id\":\"d9\"}"));
  MESSAGE_HAS("decision_json");
  EXPECT(NTS_OK, nts_decisions_get(db, "d1", &json));
  JSON_STR(json, "status", "Proposed");
  JSON_NUM(json, "confidence", 0.8);
  JSON_NUM(json, "proposed_actions.0.parameters.speed", 2);
  FREE(json);
  EXPECT(NTS_NOT_FOUND, nts_decisions_get(db, "d404", &json));
  EXPECT(NTS_CONFLICT, nts_decisions_record_execution_result(db, "d1", "\"Success\"", &json)); /* not approved */
  EXPECT(NTS_INVALID_INPUT, nts_decisions_approve(db, "d1", "{\"user_id\":\"alice\"}", &json));
  MESSAGE_HAS("response_json");
  EXPECT(NTS_OK, nts_decisions_approve(db, "d1", RESPONSE, &json));
  JSON_STR(json, "status", "Approved");
  JSON_STR(json, "user_response.user_id", "alice");
  FREE(json);
  EXPECT(NTS_CONFLICT, nts_decisions_reject(db, "d1", RESPONSE, &json));
  EXPECT(NTS_CONFLICT, nts_decisions_transition(db, "d1", "Rejected", &json));
  EXPECT(NTS_INVALID_INPUT, nts_decisions_transition(db, "d1", "Maybe", &json));
  MESSAGE_HAS("to");
  EXPECT(NTS_INVALID_INPUT, nts_decisions_record_execution_result(db, "d1", "\"Great\"", &json));
  MESSAGE_HAS("result_json");
  EXPECT(NTS_OK, nts_decisions_record_execution_result(db, "d1", "{\"Failed\":{\"error\":\"fan stuck\"}}", &json));
  JSON_STR(json, "execution_result.Failed.error", "fan stuck");
  FREE(json);

  /* d2 (Proposed, created at 2000), d3 rejected, d4 expired by age */
  snprintf(d2, sizeof d2, "%s", DECISION1);
  memcpy(strstr(d2, "\"d1\""), "\"d2\"", 4);
  memcpy(strstr(d2, "1000"), "2000", 4);
  EXPECT(NTS_OK, nts_decisions_create(db, d2));
  memcpy(strstr(d2, "\"d2\""), "\"d3\"", 4);
  EXPECT(NTS_OK, nts_decisions_create(db, d2));
  EXPECT(NTS_OK, nts_decisions_reject(db, "d3", RESPONSE, &json));
  JSON_STR(json, "status", "Rejected");
  FREE(json);
  memcpy(strstr(d2, "\"d3\""), "\"d4\"", 4);
  EXPECT(NTS_OK, nts_decisions_create(db, d2));
  EXPECT(NTS_OK, nts_decisions_transition(db, "d4", "AutoExecuted", &json));
  JSON_STR(json, "status", "AutoExecuted");
  FREE(json);
  EXPECT(NTS_OK, nts_decisions_query_by_status(db, "Proposed", 0, 9000, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "decision_id", "d2");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_decisions_query_by_status(db, "proposed", 0, 9000, NTS_NO_LIMIT, &json)); /* any case */
  JSON_LIST(json, "decision_id", "d2");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_decisions_query_by_status(db, "proposing", 0, 9000, NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_decisions_query_range(db, 0, 9000, 2, &json));
  JSON_LIST(json, "decision_id", "d1,d2");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_decisions_expire_proposals(db, 5000, -1, &n));
  EXPECT(NTS_OK, nts_decisions_expire_proposals(db, 5000, 1000, &n));
  CHECK(n == 1);
  EXPECT(NTS_OK, nts_decisions_get(db, "d2", &json));
  JSON_STR(json, "status", "Expired");
  FREE(json);
  EXPECT(NTS_OK, nts_decisions_cleanup(db, 1500, &n));
  CHECK(n == 1);
}
