/*
 * C test of the neotalk-storage C API: statistics, compaction, integrity, snapshots, retention cleanup.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <stdlib.h>
#include <string.h>

void test_maintenance(void) {
  nts_storage *db = open_memory();
  nts_storage *copy = open_memory();
  char *json = POISON;
  uint8_t *bytes = (uint8_t *)POISON;
  size_t len = 99;
  bool ok = false;
  uint8_t *damaged;

  EXPECT(NTS_OK, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_OK, nts_storage_stats(db, &json));
  JSON_HAS(json, "database_size_bytes");
  JSON_NUM(json, "table_stats.alerts.count", 1);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_storage_compact(db, &json));
  JSON_HAS(json, "before_bytes");
  JSON_HAS(json, "after_bytes");
  FREE(json);
  EXPECT(NTS_OK, nts_storage_compact(db, NULL));
  EXPECT(NTS_OK, nts_storage_check_integrity(db, &ok));
  CHECK(ok);
  EXPECT(NTS_NULL_POINTER, nts_storage_check_integrity(db, NULL));

  EXPECT(NTS_NULL_POINTER, nts_storage_export_snapshot(db, NULL, &len));
  EXPECT(NTS_NULL_POINTER, nts_storage_export_snapshot(db, &bytes, NULL));
  CHECK(bytes == NULL);
  EXPECT(NTS_OK, nts_storage_export_snapshot(db, &bytes, &len));
  CHECK(bytes != NULL && len > 16);
  EXPECT(NTS_OK, nts_storage_import_snapshot(copy, bytes, len, &json));
  JSON_HAS(json, "created_at");
  FREE(json);
  EXPECT(NTS_OK, nts_alerts_get(copy, "a1", &json));
  JSON_STR(json, "title", "Overheat");
  FREE(json);
  /* A flipped byte near the end is caught by the checksums; the data stays as it was. */
  damaged = (uint8_t *)malloc(len);
  CHECK(damaged != NULL);
  if (damaged != NULL) {
    memcpy(damaged, bytes, len);
    damaged[len - 2] ^= 0x5a;
    CHECK(nts_storage_import_snapshot(copy, damaged, len, NULL) != NTS_OK);
    EXPECT(NTS_CORRUPTED, nts_storage_import_snapshot(copy, damaged, 8, NULL));
    free(damaged);
  }
  EXPECT(NTS_OK, nts_alerts_get(copy, "a1", &json));
  JSON_STR(json, "title", "Overheat");
  FREE(json);
  EXPECT(NTS_NULL_POINTER, nts_storage_import_snapshot(copy, NULL, len, NULL));
  CHECK(nts_storage_import_snapshot(copy, bytes, 0, NULL) != NTS_OK); /* empty is not a snapshot */
  nts_bytes_free(bytes, len);
  nts_bytes_free(NULL, 0);

  /* Cleanup: defaults keep a fresh alert; 1-day alert retention at day 2 removes it. */
  EXPECT(NTS_OK, nts_storage_cleanup(db, NULL, 2000, &json));
  JSON_NUM(json, "removed.alerts", 0);
  JSON_LEN(json, "failed", 0);
  FREE(json);
  EXPECT(NTS_OK, nts_storage_cleanup(db, "{\"alerts\":{\"days\":1}}", 2 * 86400000LL, &json));
  JSON_NUM(json, "removed.alerts", 1);
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_storage_cleanup(db, "{\"alerts\":{\"days\":0}}", 1, &json));
  MESSAGE_HAS("retention_json");
  EXPECT(NTS_INVALID_INPUT, nts_storage_cleanup(db, "{\"alertz\":{}}", 1, &json));
  /* Windows as durations, or forever. */
  EXPECT(NTS_OK, nts_storage_cleanup(db, "{\"alerts\":{\"keep\":\"36h\"},\"events\":{\"keep\":\"forever\"}}", 2 * 86400000LL, &json));
  JSON_NUM(json, "removed.events", 0);
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_storage_cleanup(db, "{\"alerts\":{\"keep\":\"3 days\"}}", 1, &json));
  MESSAGE_HAS("3 days");
  EXPECT(NTS_INVALID_INPUT, nts_storage_cleanup(db, "[", 1, &json));
  EXPECT(NTS_INVALID_UTF8, nts_storage_cleanup(db, BAD_UTF8, 1, &json));
  EXPECT(NTS_NULL_POINTER, nts_storage_cleanup(db, NULL, 1, NULL));
  nts_storage_free(copy);
  nts_storage_free(db);
}
