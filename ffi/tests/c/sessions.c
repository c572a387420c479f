/*
 * C test of the neotalk-storage C API: conversation sessions.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

void test_sessions(nts_storage *db) {
  char *json = POISON;
  uint64_t seq = 0, n = 0;
  bool deleted = false;

  EXPECT(NTS_OK, nts_sessions_create(db, "s1", "Kitchen", 1000, &json));
  JSON_STR(json, "title", "Kitchen");
  JSON_STR(json, "session_id", "s1");
  JSON_NUM(json, "message_count", 0);
  FREE(json);
  EXPECT(NTS_CONFLICT, nts_sessions_create(db, "s1", "Again", 1000, NULL));
  EXPECT(NTS_INVALID_INPUT, nts_sessions_create(db, "", "t", 1000, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_sessions_create(db, "s9", BAD_UTF8, 1000, NULL));
  MESSAGE_HAS("title");
  EXPECT(NTS_OK, nts_sessions_append_message(db, "s1",
      "{\"role\":\"user\",\"content\":\"is it hot?\",\"tool_calls\":null,\"tool_call_id\":null,\"thinking\":null,\"timestamp\":1100}", &seq));
  CHECK(seq == 1);
  EXPECT(NTS_NOT_FOUND, nts_sessions_append_message(db, "s404",
      "{\"role\":\"user\",\"content\":\"x\",\"tool_calls\":null,\"tool_call_id\":null,\"thinking\":null,\"timestamp\":1}", &seq));
  EXPECT(NTS_INVALID_INPUT, nts_sessions_append_message(db, "s1", "{\"role\":\"user\"}", &seq));
  MESSAGE_HAS("message_json");
  EXPECT(NTS_OK, nts_sessions_append_messages(db, "s1",
      "[{\"role\":\"assistant\",\"content\":\"yes, 31 C\",\"tool_calls\":null,\"tool_call_id\":null,\"thinking\":null,\"timestamp\":1200},"
      "{\"role\":\"user\",\"content\":\"fan on\",\"tool_calls\":null,\"tool_call_id\":null,\"thinking\":null,\"timestamp\":1300}]", &json));
  JSON_LIST(json, "", "2,3");
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_sessions_append_messages(db, "s1", "{}", &json));
  EXPECT(NTS_OK, nts_sessions_load_messages(db, "s1", &json));
  JSON_LIST(json, "message.content", "is it hot?,yes, 31 C,fan on");
  JSON_LIST(json, "sequence", "1,2,3");
  JSON_STR(json, "1.message.role", "assistant");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_sessions_last_messages(db, "s1", 1, &json));
  JSON_LIST(json, "message.content", "fan on");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_sessions_messages_range(db, "s1", 2, 3, &json));
  JSON_LIST(json, "sequence", "2");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_sessions_context_window(db, "s1", 20, &json));
  JSON_LIST(json, "message.content", "yes, 31 C,fan on");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_sessions_get(db, "s1", &json));
  JSON_NUM(json, "message_count", 3);
  JSON_STR(json, "title", "Kitchen");
  FREE(json);
  EXPECT(NTS_NOT_FOUND, nts_sessions_get(db, "s404", &json));
  EXPECT(NTS_NOT_FOUND, nts_sessions_get_summary(db, "s1", &json));
  EXPECT(NTS_OK, nts_sessions_set_summary(db, "s1", "asked about heat", 1400, &json));
  JSON_STR(json, "summary", "asked about heat");
  FREE(json);
  EXPECT(NTS_OK, nts_sessions_get_summary(db, "s1", &json));
  JSON_NUM(json, "updated_at", 1400);
  JSON_STR(json, "session_id", "s1");
  FREE(json);
  EXPECT(NTS_NOT_FOUND, nts_sessions_set_summary(db, "s404", "x", 1, NULL));
  EXPECT(NTS_OK, nts_sessions_create(db, "s2", "Garage", 5000, NULL));
  EXPECT(NTS_OK, nts_sessions_recent_summaries(db, 5, &json));
  JSON_LIST(json, "session_id", "s1");
  FREE(json);
  EXPECT(NTS_OK, nts_sessions_list(db, 1, &json));
  JSON_LIST(json, "session_id", "s2");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_sessions_delete(db, "s2", &deleted));
  CHECK(deleted);
  EXPECT(NTS_OK, nts_sessions_delete(db, "s2", &deleted));
  CHECK(!deleted);
  EXPECT(NTS_NULL_POINTER, nts_sessions_delete(db, "s2", NULL));
  EXPECT(NTS_OK, nts_sessions_cleanup(db, 1000, &n)); /* updated at 1000 or later */
  CHECK(n == 0);
  EXPECT(NTS_OK, nts_sessions_cleanup(db, 1000000, &n));
  CHECK(n == 1);
  EXPECT(NTS_NOT_FOUND, nts_sessions_get(db, "s1", &json));
}
