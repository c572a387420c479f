/*
 * C test of the neotalk-storage C API: device states.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

const char *DEVICE_JSON =
    "{\"device_id\":\"thermo-1\",\"device_type\":\"thermometer\",\"name\":\"Hall\","
    "\"online\":true,\"last_seen\":500,\"metrics\":{},\"config\":{\"unit\":\"C\"},"
    "\"mdl_definition\":null,\"adapter\":\"mqtt\"}";

void test_devices(nts_storage *db) {
  char *json = POISON;

  EXPECT(NTS_OK, nts_devices_upsert(db, DEVICE_JSON));
  EXPECT(NTS_OK, nts_devices_get(db, "thermo-1", &json));
  /* Telemetry written earlier shows in the metric snapshots. */
  JSON_STR(json, "name", "Hall");
  JSON_STR(json, "device_type", "thermometer");
  JSON_STR(json, "config.unit", "C");
  FREE(json);
  EXPECT(NTS_OK, nts_devices_get(db, "thermo-1", &json));
  JSON_NUM(json, "metrics.temperature.value", 25.0);
  JSON_NUM(json, "metrics.temperature.timestamp", 5000);
  FREE(json);
  json = POISON;
  EXPECT(NTS_NOT_FOUND, nts_devices_get(db, "ghost", &json));
  CHECK(json == NULL);
  MESSAGE_HAS("ghost");

  EXPECT(NTS_INVALID_INPUT, nts_devices_upsert(db, "{"));
  MESSAGE_HAS("device_json");
  EXPECT(NTS_INVALID_INPUT, nts_devices_upsert(db, "{\"device_id\":\"x\"}"));
  MESSAGE_HAS("missing field");
  EXPECT(NTS_INVALID_INPUT,
         nts_devices_upsert(db, "{\"device_id\":\"\",\"device_type\":\"t\",\"name\":\"n\",\"online\":true,"
                                "\"last_seen\":0,\"metrics\":{},\"config\":null,\"mdl_definition\":null,\"adapter\":\"\"}"));
  MESSAGE_HAS("device_id");
  EXPECT(NTS_NULL_POINTER, nts_devices_upsert(NULL, DEVICE_JSON));
  EXPECT(NTS_NULL_POINTER, nts_devices_upsert(db, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_devices_upsert(db, BAD_UTF8));
  EXPECT(NTS_NULL_POINTER, nts_devices_get(NULL, "d", &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_get(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_get(db, "d", NULL));
  EXPECT(NTS_INVALID_UTF8, nts_devices_get(db, BAD_UTF8, &json));

  EXPECT(NTS_OK, nts_devices_set_online(db, "thermo-1", false));
  EXPECT(NTS_OK, nts_devices_list_offline(db, &json));
  JSON_LIST(json, "device_id", "thermo-1");
  FREE(json);
  EXPECT(NTS_OK, nts_devices_list_online(db, &json));
  JSON_LIST(json, "device_id", "edge,plug-1"); /* registered by its telemetry, online (so is "edge"); thermo-1 is not */
  FREE(json);
  EXPECT(NTS_NOT_FOUND, nts_devices_set_online(db, "ghost", true));
  EXPECT(NTS_NULL_POINTER, nts_devices_set_online(NULL, "d", true));
  EXPECT(NTS_NULL_POINTER, nts_devices_set_online(db, NULL, true));
  EXPECT(NTS_INVALID_UTF8, nts_devices_set_online(db, BAD_UTF8, true));
  EXPECT(NTS_INVALID_INPUT, nts_devices_set_online(db, "", true));

  EXPECT(NTS_OK, nts_devices_list(db, &json));
  JSON_LIST(json, "device_id", "edge,plug-1,thermo-1");
  FREE(json);
  EXPECT(NTS_OK, nts_devices_list_by_type(db, "thermometer", &json));
  JSON_LIST(json, "device_id", "thermo-1");
  JSON_STR(json, "0.adapter", "mqtt");
  FREE(json);
  EXPECT(NTS_OK, nts_devices_list_by_type(db, "kettle", &json));
  JSON_LEN(json, "", 0);
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_devices_list_by_type(db, "", &json));
  EXPECT(NTS_INVALID_UTF8, nts_devices_list_by_type(db, BAD_UTF8, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_by_type(NULL, "t", &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_by_type(db, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_by_type(db, "t", NULL));
  EXPECT(NTS_NULL_POINTER, nts_devices_list(NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list(db, NULL));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_online(NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_online(db, NULL));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_offline(NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_list_offline(db, NULL));

  EXPECT(NTS_OK, nts_devices_delete(db, "thermo-1"));
  EXPECT(NTS_NOT_FOUND, nts_devices_delete(db, "thermo-1"));
  EXPECT(NTS_NOT_FOUND, nts_devices_get(db, "thermo-1", &json));
  EXPECT(NTS_NULL_POINTER, nts_devices_delete(NULL, "d"));
  EXPECT(NTS_NULL_POINTER, nts_devices_delete(db, NULL));
  EXPECT(NTS_INVALID_UTF8, nts_devices_delete(db, BAD_UTF8));

  /* With telemetry: the device's points go first, then the device. */
  {
    uint64_t removed = 99;
    EXPECT(NTS_OK, nts_ts_write_batch_json(db, "[{\"device_id\":\"gone\",\"metric\":\"t\",\"point\":{\"timestamp\":1,\"value\":1.0}},"
                                          "{\"device_id\":\"gone\",\"metric\":\"h\",\"point\":{\"timestamp\":1,\"value\":2.0}}]"));
    EXPECT(NTS_OK, nts_devices_delete_with_telemetry(db, "gone", &removed));
    CHECK(removed == 2);
    EXPECT(NTS_NOT_FOUND, nts_devices_get(db, "gone", &json));
    EXPECT(NTS_NOT_FOUND, nts_devices_delete_with_telemetry(db, "gone", &removed));
    EXPECT(NTS_OK, nts_ts_list_devices(db, &json));
    JSON_LIST(json, "", "thermo-1"); /* deleted earlier without cascade: its telemetry stays */
    FREE(json);
    EXPECT(NTS_INVALID_INPUT, nts_devices_delete_with_telemetry(db, "", NULL));
    EXPECT(NTS_INVALID_UTF8, nts_devices_delete_with_telemetry(db, BAD_UTF8, NULL));
    EXPECT(NTS_NULL_POINTER, nts_devices_delete_with_telemetry(NULL, "d", &removed));
    EXPECT(NTS_NULL_POINTER, nts_devices_delete_with_telemetry(db, NULL, &removed));
  }
}
