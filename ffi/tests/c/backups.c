/*
 * C test of the neotalk-storage C API: backups and restores.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <stdio.h>
#include <string.h>

void test_backups(void) {
  char dir[512], config[1200], id[256];
  char *json = POISON;
  nts_storage *db;

  path_join(dir, sizeof dir, "backup-db");
  EXPECT(NTS_OK, nts_storage_open(dir, NULL, &db));
  EXPECT(NTS_OK, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_OK, nts_backup_create(db, NULL, NULL, &json)); /* default: <data dir>/backups */
  JSON_SUFFIX(json, "id", "-full");
  JSON_NULL(json, "problem");
  CHECK(json_string(json, "id", id, sizeof id));
  nts_string_free(json);
  EXPECT(NTS_OK, nts_backup_create(db, "{\"retain_count\":5}", "{\"type\":\"incremental\"}", &json));
  JSON_SUFFIX(json, "id", "-incremental");
  FREE(json);
  EXPECT(NTS_INVALID_INPUT, nts_backup_create(db, "{\"retain_count\":0}", NULL, &json));
  MESSAGE_HAS("config_json");
  EXPECT(NTS_INVALID_INPUT, nts_backup_create(db, NULL, "{\"type\":\"weekly\"}", &json));
  MESSAGE_HAS("kind_json");
  EXPECT(NTS_OK, nts_backup_list(db, NULL, &json));
  JSON_LEN(json, "", 2); /* oldest first */
  JSON_STR(json, "0.id", id);
  JSON_SUFFIX(json, "1.id", "-incremental");
  nts_string_free(json);
  EXPECT(NTS_OK, nts_backup_newest(db, NULL, &json));
  JSON_SUFFIX(json, "id", "-incremental");
  FREE(json);
  EXPECT(NTS_OK, nts_backup_run_enabled(db, "{\"enabled_backups\":[{\"type\":\"incremental\"},{\"type\":\"full\"}]}", &json));
  JSON_LEN(json, "", 2);
  JSON_SUFFIX(json, "0.id", "-incremental");
  JSON_SUFFIX(json, "1.id", "-full");
  nts_string_free(json);
  EXPECT(NTS_INVALID_INPUT, nts_backup_run_enabled(db, "{\"enabled_backups\":[{\"type\":\"hourly\"}]}", &json));
  EXPECT(NTS_OK, nts_backup_prune(db, NULL, &json)); /* 4 backups, 7 kept by default */
  JSON_LEN(json, "", 0);
  FREE(json);
  /* Keeping 3 would drop the oldest full, but it is the base of a kept incremental. */
  EXPECT(NTS_OK, nts_backup_prune(db, "{\"retain_count\":3}", &json));
  JSON_LEN(json, "", 0);
  FREE(json);
  EXPECT(NTS_OK, nts_backup_verify(db, NULL, id, &json));
  JSON_BOOL(json, "ok", 1);
  JSON_STR(json, "id", id);
  JSON_NULL(json, "problem");
  FREE(json);
  EXPECT(NTS_OK, nts_alerts_resolve(db, "a1", 5000, NULL));
  EXPECT(NTS_OK, nts_backup_restore(db, NULL, id, &json));
  JSON_STR(json, "id", id);
  JSON_HAS(json, "entries");
  FREE(json);
  EXPECT(NTS_OK, nts_alerts_get(db, "a1", &json));
  JSON_NULL(json, "resolved_at");
  FREE(json);
  /* Keeping 1 (the newest, a full backup) frees the whole older chain. */
  EXPECT(NTS_OK, nts_backup_prune(db, "{\"retain_count\":1}", &json));
  JSON_LEN(json, "", 3); /* the first full and both incrementals */
  JSON_STR(json, "0", id);
  nts_string_free(json);
  EXPECT(NTS_OK, nts_backup_list(db, NULL, &json));
  JSON_LEN(json, "", 1);
  JSON_SUFFIX(json, "0.id", "-full");
  nts_string_free(json);
  EXPECT(NTS_NOT_FOUND, nts_backup_verify(db, NULL, id, &json));
  /* Hostile ids never reach the file system. */
  EXPECT(NTS_INVALID_INPUT, nts_backup_verify(db, NULL, "../../etc/passwd", &json));
  CHECK(json == NULL);
  EXPECT(NTS_INVALID_INPUT, nts_backup_verify(db, NULL, "/etc/passwd", &json));
  EXPECT(NTS_INVALID_INPUT, nts_backup_verify(db, NULL, "..", &json));
  EXPECT(NTS_INVALID_INPUT, nts_backup_verify(db, NULL, "", &json));
  EXPECT(NTS_INVALID_INPUT, nts_backup_restore(db, NULL, "../storage", NULL));
  EXPECT(NTS_INVALID_INPUT, nts_backup_restore(db, NULL, "a/b", NULL));
  EXPECT(NTS_INVALID_INPUT, nts_backup_restore(db, NULL, ".hidden", NULL));
  EXPECT(NTS_INVALID_UTF8, nts_backup_restore(db, NULL, BAD_UTF8, NULL));
  EXPECT(NTS_NOT_FOUND, nts_backup_verify(db, NULL, "20200101T000000000Z-full", &json));
  EXPECT(NTS_NOT_FOUND, nts_backup_restore(db, NULL, "20200101T000000000Z-full", NULL));
  EXPECT(NTS_OK, nts_storage_close(db));
  nts_storage_free(db);

  /* In memory there is no data directory: a relative backup_dir is refused, an absolute one works. */
  db = open_memory();
  EXPECT(NTS_INVALID_INPUT, nts_backup_create(db, NULL, NULL, &json));
  MESSAGE_HAS("backup_dir");
  path_join(dir, sizeof dir, "memory-backups");
  snprintf(config, sizeof config, "{\"backup_dir\":\"%s\"}", dir);
  EXPECT(NTS_NOT_FOUND, nts_backup_create(db, config, "{\"type\":\"selective\",\"tables\":[\"alerts\"]}", &json));
  MESSAGE_HAS("alerts"); /* no alert yet: the table does not exist */
  EXPECT(NTS_OK, nts_alerts_create(db, ALERT1));
  EXPECT(NTS_OK, nts_backup_create(db, config, "{\"type\":\"selective\",\"tables\":[\"alerts\"]}", &json));
  JSON_SUFFIX(json, "id", "-selective");
  FREE(json);
  EXPECT(NTS_OK, nts_backup_list(db, config, &json));
  JSON_LEN(json, "", 1);
  JSON_SUFFIX(json, "0.id", "-selective");
  FREE(json);
  nts_storage_free(db);
}
