/*
 * C test of the neotalk-storage C API: workflow history.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

const char *WF1 =
    "{\"execution_id\":\"w1\",\"workflow_id\":\"flow\",\"workflow_name\":\"Flow\",\"trigger_type\":\"manual\","
    "\"trigger_data\":null,\"started_at\":1000,\"finished_at\":null,\"status\":\"Running\",\"steps\":[],"
    "\"inputs\":{\"a\":1},\"outputs\":null,\"error\":null}";

static const char *STEP1 =
    "{\"step_id\":\"s1\",\"step_name\":\"Read\",\"step_type\":\"query\",\"started_at\":1000,"
    "\"finished_at\":1100,\"status\":\"Completed\",\"input\":null,\"output\":{\"v\":2},\"error\":null}";

void test_workflows(nts_storage *db) {
  char *json = POISON;
  uint64_t n = 99;

  EXPECT(NTS_OK, nts_workflows_start(db, WF1));
  EXPECT(NTS_CONFLICT, nts_workflows_start(db, WF1));
  EXPECT(NTS_INVALID_INPUT, nts_workflows_start(db, "{\"execution_id\":1}"));
  MESSAGE_HAS("record_json");
  EXPECT(NTS_OK, nts_workflows_running(db, &json));
  JSON_LIST(json, "execution_id", "w1");
  FREE(json);
  EXPECT(NTS_OK, nts_workflows_record_step(db, "w1", STEP1, &json));
  JSON_STR(json, "steps.0.step_id", "s1");
  JSON_NUM(json, "steps.0.output.v", 2);
  FREE(json);
  EXPECT(NTS_NOT_FOUND, nts_workflows_record_step(db, "w404", STEP1, &json));
  CHECK(json == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_workflows_record_step(db, "w1", "[]", &json));
  MESSAGE_HAS("step_json");
  EXPECT(NTS_OK, nts_workflows_update(db, WF1, &json));
  JSON_NUM(json, "inputs.a", 1);
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_workflows_finish(db, "w1", "Done", 2000, NULL, NULL, &json));
  MESSAGE_HAS("status");
  EXPECT(NTS_INVALID_INPUT, nts_workflows_finish(db, "w1", "Running", 2000, NULL, NULL, &json));
  EXPECT(NTS_INVALID_INPUT, nts_workflows_finish(db, "w1", "Completed", 2000, "{bad", NULL, &json));
  MESSAGE_HAS("outputs_json");
  EXPECT(NTS_INVALID_UTF8, nts_workflows_finish(db, "w1", "Completed", 2000, NULL, BAD_UTF8, &json));
  EXPECT(NTS_OK, nts_workflows_finish(db, "w1", "Failed", 2000, "{\"r\":3}", "step 2 timed out", &json));
  JSON_STR(json, "status", "Failed");
  JSON_STR(json, "error", "step 2 timed out");
  JSON_NUM(json, "outputs.r", 3);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_workflows_get(db, "w1", &json));
  JSON_NUM(json, "finished_at", 2000);
  FREE(json);
  EXPECT(NTS_NOT_FOUND, nts_workflows_get(db, "w404", &json));
  EXPECT(NTS_OK, nts_workflows_running(db, &json));
  JSON_LEN(json, "", 0);
  FREE(json);
  EXPECT(NTS_OK, nts_workflows_query_by_workflow(db, "flow", 0, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "execution_id", "w1");
  FREE(json);
  EXPECT(NTS_OK, nts_workflows_query_by_workflow(db, "flow", 1, NTS_NO_LIMIT, &json));
  JSON_LEN(json, "", 0);
  FREE(json);
  EXPECT(NTS_OK, nts_workflows_query_range(db, 0, 5000, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "execution_id", "w1");
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_workflows_query_range(db, 5, 0, NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_workflows_query_by_status(db, "Failed", 0, 5000, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "execution_id", "w1");
  FREE(json);
  EXPECT(NTS_OK, nts_workflows_query_by_status(db, "Completed", 0, 5000, NTS_NO_LIMIT, &json));
  JSON_LEN(json, "", 0);
  FREE(json);
  EXPECT(NTS_OK, nts_workflows_query_by_status(db, "failed", 0, 5000, NTS_NO_LIMIT, &json)); /* any case */
  JSON_LIST(json, "execution_id", "w1");
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_workflows_query_by_status(db, "failing", 0, 5000, NTS_NO_LIMIT, &json));
  EXPECT(NTS_OK, nts_workflows_cleanup(db, 1000, &n));
  CHECK(n == 0);
  EXPECT(NTS_OK, nts_workflows_cleanup(db, 1001, &n));
  CHECK(n == 1);
}
