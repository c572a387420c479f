/*
 * C test of replication: nts_replicate into Parquet files delivers every point once and
 * resumes from the stored cursor; nts_replication_status reports it; bad targets, gateway
 * ids, an unreachable server and NULL arguments give their statuses.
 * Part of nts_c_test (main.c); assertions and fixtures in check.h.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include <stdio.h>
#include <string.h>

void test_replication(void) {
  nts_storage *db = open_memory();
  char dir[1024], target[1100];
  char *json = NULL;
  int i;
  path_join(dir, sizeof dir, "fleet-parquet");
  snprintf(target, sizeof target, "parquet:%s", dir);
  for (i = 0; i < 50; i++) EXPECT(NTS_OK, nts_ts_write(db, "pump-1", "power", i * 1000, i / 4.0));

  EXPECT(NTS_NOT_FOUND, nts_replication_status(db, target, &json)); /* nothing replicated yet */
  EXPECT(NTS_OK, nts_replicate(db, target, "gw-1", &json));
  JSON_NUM(json, "points", 50);
  JSON_NUM(json, "dropped", 0);
  FREE(json);
  EXPECT(NTS_OK, nts_replicate(db, target, "gw-1", &json)); /* resumes: nothing twice */
  JSON_NUM(json, "points", 0);
  FREE(json);
  EXPECT(NTS_OK, nts_replication_status(db, target, &json));
  JSON_STR(json, "feeds.0.feed", "telemetry");
  JSON_NUM(json, "feeds.0.progress.delivered", 50);
  JSON_NUM(json, "feeds.0.pending_rows", 0);
  JSON_NULL(json, "last_error");
  FREE(json);

  EXPECT(NTS_INVALID_INPUT, nts_replicate(db, "mysql://x", "gw-1", &json));
  MESSAGE_HAS("target");
  EXPECT(NTS_INVALID_INPUT, nts_replicate(db, "parquet:", "gw-1", &json));
  EXPECT(NTS_INVALID_INPUT, nts_replicate(db, target, "../up", &json));
  MESSAGE_HAS("gateway_id");
  /* Nothing listens on port 9: the sink fails, the error is kept in the status. */
  EXPECT(NTS_IO, nts_replicate(db, "postgres://nobody@127.0.0.1:9/db", "gw-1", &json));
  EXPECT(NTS_OK, nts_replication_status(db, "postgres://nobody@127.0.0.1:9/db", &json));
  JSON_HAS(json, "last_error");
  FREE(json);

  EXPECT(NTS_NULL_POINTER, nts_replicate(NULL, target, "gw-1", &json));
  EXPECT(NTS_NULL_POINTER, nts_replicate(db, NULL, "gw-1", &json));
  EXPECT(NTS_NULL_POINTER, nts_replicate(db, target, NULL, &json));
  EXPECT(NTS_NULL_POINTER, nts_replicate(db, target, "gw-1", NULL));
  EXPECT(NTS_INVALID_UTF8, nts_replicate(db, BAD_UTF8, "gw-1", &json));
  EXPECT(NTS_NULL_POINTER, nts_replication_status(db, NULL, &json));

  EXPECT(NTS_OK, nts_storage_close(db));
  EXPECT(NTS_CLOSED, nts_replicate(db, target, "gw-1", &json));
  nts_storage_free(db);
}
