/*
 * C test of the neotalk-storage C API: event log.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

const char *EVENT1 =
    "{\"event_id\":\"e1\",\"event_type\":\"device.offline\",\"event_data\":{\"device\":\"thermo-1\"},"
    "\"metadata\":{\"correlation_id\":\"c1\",\"source\":\"mqtt\",\"timestamp\":1000}}";

const char *EVENTS23 =
    "[{\"event_id\":\"e2\",\"event_type\":\"rule.triggered\",\"event_data\":null,"
    "\"metadata\":{\"correlation_id\":\"c1\",\"causation_id\":\"e1\",\"source\":\"rules\",\"timestamp\":2000}},"
    "{\"event_id\":\"e3\",\"event_type\":\"device.offline\",\"event_data\":[1,2],"
    "\"metadata\":{\"correlation_id\":null,\"causation_id\":null,\"source\":\"mqtt\",\"timestamp\":3000}}]";

void test_events(nts_storage *db) {
  char *json = POISON;
  uint64_t seq = 99;
  nts_sequence_range range = {99, 99};

  EXPECT(NTS_OK, nts_events_last_sequence(db, &seq));
  CHECK(seq == 0);
  EXPECT(NTS_OK, nts_events_append(db, EVENT1, &json));
  JSON_NUM(json, "sequence", 1);
  JSON_STR(json, "event_id", "e1");
  JSON_STR(json, "event_data.device", "thermo-1");
  JSON_STR(json, "metadata.correlation_id", "c1");
  JSON_NULL(json, "metadata.causation_id");
  FREE(json);
  json = POISON;
  EXPECT(NTS_CONFLICT, nts_events_append(db, EVENT1, &json));
  CHECK(json == NULL);
  MESSAGE_HAS("e1");
  EXPECT(NTS_OK, nts_events_append_batch(db, EVENTS23, &range));
  CHECK(range.first == 2 && range.last == 3);
  EXPECT(NTS_OK, nts_events_last_sequence(db, &seq));
  CHECK(seq == 3);
  EXPECT(NTS_OK, nts_events_append(db,
                                   "{\"event_id\":\"e4\",\"event_type\":\"x\",\"event_data\":1,"
                                   "\"metadata\":{\"source\":\"s\",\"timestamp\":4000}}",
                                   NULL)); /* result not wanted */
  EXPECT(NTS_OK, nts_events_append_batch(db, "[]", NULL));
  EXPECT(NTS_OK, nts_events_append_batch(db, "[]", &range));
  CHECK(range.first == 5 && range.last == 4); /* empty: the range at the next sequence */
  /* Unknown fields are refused by name; omitted event_data and ids take the core's defaults. */
  EXPECT(NTS_INVALID_INPUT, nts_events_append(db,
                                              "{\"event_id\":\"e8\",\"event_type\":\"x\",\"sequnce\":1,"
                                              "\"metadata\":{\"source\":\"s\",\"timestamp\":1}}",
                                              &json));
  MESSAGE_HAS("unknown field `sequnce`");
  /* Free-form JSON keeps the caller's key order. */
  EXPECT(NTS_OK, nts_events_append(db,
                                   "{\"event_id\":\"k1\",\"event_type\":\"reading\","
                                   "\"event_data\":{\"device\":\"dev-00\",\"value\":20.01,\"seq\":1},"
                                   "\"metadata\":{\"source\":\"s\",\"timestamp\":4500}}",
                                   NULL));
  EXPECT(NTS_OK, nts_events_get(db, "k1", &json));
  JSON_KEYS(json, "event_data", "device,value,seq");
  JSON_STR(json, "event_data.device", "dev-00");
  JSON_NUM(json, "event_data.value", 20.01);
  JSON_NULL(json, "metadata.correlation_id");
  FREE(json);
  EXPECT(NTS_CONFLICT, nts_events_append_batch(db, EVENTS23, NULL));
  EXPECT(NTS_INVALID_INPUT, nts_events_append(db, "{\"event_id\":\"e9\"}", &json));
  MESSAGE_HAS("event_json");
  EXPECT(NTS_INVALID_INPUT, nts_events_append(db, "[", &json));
  EXPECT(NTS_INVALID_INPUT,
         nts_events_append(db, "{\"event_id\":\"\",\"event_type\":\"x\",\"event_data\":1,"
                               "\"metadata\":{\"source\":\"s\",\"timestamp\":1}}", &json));
  MESSAGE_HAS("event_id");
  EXPECT(NTS_INVALID_INPUT, nts_events_append_batch(db, "{}", &range));
  MESSAGE_HAS("events_json");
  EXPECT(NTS_INVALID_UTF8, nts_events_append(db, BAD_UTF8, &json));
  EXPECT(NTS_INVALID_UTF8, nts_events_append_batch(db, BAD_UTF8, &range));
  EXPECT(NTS_NULL_POINTER, nts_events_append(NULL, EVENT1, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_append(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_append_batch(NULL, "[]", &range));
  EXPECT(NTS_NULL_POINTER, nts_events_append_batch(db, NULL, &range));
  EXPECT(NTS_NULL_POINTER, nts_events_last_sequence(NULL, &seq));
  EXPECT(NTS_NULL_POINTER, nts_events_last_sequence(db, NULL));

  EXPECT(NTS_OK, nts_events_get(db, "e2", &json));
  JSON_STR(json, "metadata.causation_id", "e1");
  JSON_NULL(json, "event_data");
  JSON_NUM(json, "sequence", 2);
  FREE(json);
  EXPECT(NTS_NOT_FOUND, nts_events_get(db, "e404", &json));
  CHECK(json == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_events_get(db, "", &json));
  EXPECT(NTS_INVALID_UTF8, nts_events_get(db, BAD_UTF8, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_get(NULL, "e1", &json));
  EXPECT(NTS_NULL_POINTER, nts_events_get(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_get(db, "e1", NULL));

  EXPECT(NTS_OK, nts_events_query_range(db, 1000, 3000, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "event_id", "e1,e2");
  FREE(json);
  EXPECT(NTS_OK, nts_events_query_range(db, 1000, 3000, 1, &json));
  JSON_LIST(json, "event_id", "e1");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_events_query_range(db, 5, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_range(NULL, 0, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_range(db, 0, 1, NTS_NO_LIMIT, NULL));

  EXPECT(NTS_OK, nts_events_query_by_type(db, "device.offline", 0, 10000, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "event_id", "e1,e3");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_events_query_by_type(db, "device.offline", 0, 10000, 1, &json));
  JSON_LIST(json, "event_id", "e1");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_events_query_by_type(db, "device.offline", 9, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_INVALID_INPUT, nts_events_query_by_type(db, "", 0, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_INVALID_UTF8, nts_events_query_by_type(db, BAD_UTF8, 0, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_type(NULL, "t", 0, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_type(db, NULL, 0, 1, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_type(db, "t", 0, 1, NTS_NO_LIMIT, NULL));

  EXPECT(NTS_OK, nts_events_query_by_correlation(db, "c1", &json));
  JSON_LIST(json, "event_id", "e1,e2");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_events_query_by_correlation(db, "c-none", &json));
  JSON_LEN(json, "", 0);
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_events_query_by_correlation(db, "", &json));
  EXPECT(NTS_INVALID_UTF8, nts_events_query_by_correlation(db, BAD_UTF8, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_correlation(NULL, "c", &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_correlation(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_query_by_correlation(db, "c", NULL));

  EXPECT(NTS_OK, nts_events_replay(db, 2, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "event_id", "e3,e4,k1");
  JSON_LIST(json, "sequence", "3,4,5");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_events_replay(db, 0, 1, &json));
  JSON_LIST(json, "event_id", "e1");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_events_replay(db, 5, NTS_NO_LIMIT, &json));
  JSON_LIST(json, "event_id", "");
  FREE(json);
  /* One paging rule in every language: a limit of 0 returns nothing. */
  EXPECT(NTS_OK, nts_events_replay(db, 0, 0, &json));
  JSON_LEN(json, "", 0);
  FREE(json);
  EXPECT(NTS_OK, nts_events_query_range(db, 0, 100000, 0, &json));
  JSON_LEN(json, "", 0);
  FREE(json);
  EXPECT(NTS_NULL_POINTER, nts_events_replay(NULL, 0, NTS_NO_LIMIT, &json));
  EXPECT(NTS_NULL_POINTER, nts_events_replay(db, 0, NTS_NO_LIMIT, NULL));
}

/* Events as C structs: the payload is the caller's JSON text; replay hands back C fields. */
void test_events_structs(nts_storage *db) {
  const char payload[] = "{\"v\": 1.5,\"tag\":\"x\"}trailing bytes not passed";
  nts_event in[2];
  nts_sequence_range range = {0, 0};
  nts_event_list *list = (nts_event_list *)POISON;
  const nts_event_entry *entries = (const nts_event_entry *)POISON;
  size_t n = 99;
  uint64_t last = 0;

  memset(in, 0, sizeof in);
  in[0].event_id = "s1";
  in[0].event_type = "reading";
  in[0].data = payload;
  in[0].data_len = 20; /* just the object */
  in[0].correlation_id = "c9";
  in[0].source = "modbus";
  in[0].timestamp = 7000;
  in[1] = in[0];
  in[1].event_id = "s2";
  in[1].data = NULL;
  in[1].data_len = 0;
  in[1].correlation_id = NULL;
  in[1].causation_id = "s1";
  EXPECT(NTS_OK, nts_events_last_sequence(db, &last));
  EXPECT(NTS_OK, nts_events_append_structs(db, in, 2, &range));
  CHECK(range.first == last + 1 && range.last == last + 2);
  EXPECT(NTS_OK, nts_events_append_structs(db, NULL, 0, NULL));

  EXPECT(NTS_OK, nts_events_replay_structs(db, last, NTS_NO_LIMIT, &list, &entries, &n));
  CHECK(n == 2 && list != NULL && entries != NULL);
  if (n == 2 && entries != NULL) {
    CHECK(entries[0].sequence == last + 1 && strcmp(entries[0].event_id, "s1") == 0);
    CHECK(strcmp(entries[0].event_type, "reading") == 0 && strcmp(entries[0].source, "modbus") == 0);
    CHECK(entries[0].timestamp == 7000 && strcmp(entries[0].correlation_id, "c9") == 0 && entries[0].causation_id == NULL);
    CHECK(entries[0].data_len == strlen(entries[0].data));
    /* The payload comes back as the bytes given, not re-printed. */
    CHECK(entries[0].data_len == 20 && memcmp(entries[0].data, payload, 20) == 0);
    JSON_KEYS(entries[0].data, "", "v,tag");
    JSON_NUM(entries[0].data, "v", 1.5);
    CHECK(strcmp(entries[1].data, "null") == 0 && entries[1].data_len == 4);
    CHECK(entries[1].correlation_id == NULL && strcmp(entries[1].causation_id, "s1") == 0);
  }
  nts_event_list_free(list);
  /* The same events through the JSON reader. */
  {
    char *json = NULL;
    EXPECT(NTS_OK, nts_events_get(db, "s1", &json));
    JSON_NUM(json, "event_data.v", 1.5);
    JSON_STR(json, "metadata.correlation_id", "c9");
    FREE(json);
  }
  EXPECT(NTS_OK, nts_events_replay_structs(db, last + 2, NTS_NO_LIMIT, &list, &entries, &n));
  CHECK(n == 0 && entries == NULL && list != NULL);
  nts_event_list_free(list);
  EXPECT(NTS_OK, nts_events_replay_structs(db, 0, 0, &list, &entries, &n)); /* limit 0: none */
  CHECK(n == 0);
  nts_event_list_free(list);
  nts_event_list_free(NULL);

  /* Bad elements are named; nothing of the batch is stored. */
  in[0].event_id = "s3";
  in[1].event_id = "s4";
  in[1].data = "{bad";
  in[1].data_len = 4;
  EXPECT(NTS_INVALID_INPUT, nts_events_append_structs(db, in, 2, &range));
  MESSAGE_HAS("events[1]");
  MESSAGE_HAS("data");
  in[1].data = NULL;
  in[1].data_len = 3;
  EXPECT(NTS_NULL_POINTER, nts_events_append_structs(db, in, 2, &range));
  MESSAGE_HAS("events[1]: argument data is NULL");
  in[1].data_len = 0;
  in[1].source = NULL;
  EXPECT(NTS_NULL_POINTER, nts_events_append_structs(db, in, 2, &range));
  MESSAGE_HAS("source");
  in[1].source = "modbus";
  in[1].event_type = BAD_UTF8;
  EXPECT(NTS_INVALID_UTF8, nts_events_append_structs(db, in, 2, &range));
  in[1].event_type = "reading";
  in[1].data = "\"\xff\"";
  in[1].data_len = 3;
  EXPECT(NTS_INVALID_UTF8, nts_events_append_structs(db, in, 2, &range));
  in[1].data = NULL;
  in[1].data_len = 0;
  in[1].event_id = "s1";
  EXPECT(NTS_CONFLICT, nts_events_append_structs(db, in, 2, &range));
  in[1].event_id = "";
  EXPECT(NTS_INVALID_INPUT, nts_events_append_structs(db, in, 2, &range));
  {
    char *json = NULL;
    EXPECT(NTS_NOT_FOUND, nts_events_get(db, "s3", &json));
  }
  EXPECT(NTS_NULL_POINTER, nts_events_append_structs(db, NULL, 1, &range));
  EXPECT(NTS_NULL_POINTER, nts_events_append_structs(NULL, in, 1, &range));
  EXPECT(NTS_INVALID_INPUT, nts_events_append_structs(db, in, SIZE_MAX, &range));
  EXPECT(NTS_NULL_POINTER, nts_events_replay_structs(NULL, 0, 1, &list, &entries, &n));
  EXPECT(NTS_NULL_POINTER, nts_events_replay_structs(db, 0, 1, NULL, &entries, &n));
  EXPECT(NTS_NULL_POINTER, nts_events_replay_structs(db, 0, 1, &list, NULL, &n));
  EXPECT(NTS_NULL_POINTER, nts_events_replay_structs(db, 0, 1, &list, &entries, NULL));
  CHECK(list == NULL);
}
