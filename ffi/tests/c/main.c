/*
 * C test of the neotalk-storage C API: every function, its results and every error path
 * (NULL pointers, invalid UTF-8, malformed JSON, wrong sizes, use after close, store errors),
 * one file per store; JSON results are parsed and their values compared (check.h).
 *
 * Usage: nts_c_test SCRATCH_DIR   (a writable directory for on-disk databases)
 * Run under valgrind by ffi/test.sh. Exit status 0 when every check passed.
 */
#include "check.h"

/* The assertions themselves: matching values pass, and every kind of mismatch is a failure. */
static void test_assertions(void) {
  const char *doc = "{\"a\":[1,{\"b\":\"x\\u00e9\\u0000\"}],\"c\":null,\"d\":true,\"e\":\"id-full\"}";
  char text[16];
  int before = failures;
  JSON_NUM(doc, "a.0", 1);
  JSON_STRN(doc, "a.1.b", "x\xc3\xa9\0", 4);
  JSON_NULL(doc, "c");
  JSON_BOOL(doc, "d", 1);
  JSON_LEN(doc, "a", 2);
  JSON_KEYS(doc, "", "a,c,d,e");
  JSON_SUFFIX(doc, "e", "-full");
  JSON_LIST("[{\"id\":\"p\"},{\"id\":\"q\"}]", "id", "p,q");
  CHECK(json_string(doc, "e", text, sizeof text) && strcmp(text, "id-full") == 0);
  CHECK(failures == before);

  check_quiet = 1;
  JSON_NUM(doc, "a.0", 2);
  JSON_STR(doc, "a.1.b", "x");
  JSON_HAS(doc, "a.2");
  JSON_BOOL(doc, "c", 0);
  JSON_LIST("[1,2]", "", "1");
  JSON_KEYS(doc, "", "c,a,d,e");
  JSON_STR("{\"a\":", "a", "");
  check_quiet = 0;
  CHECK(failures == before + 7);
  failures = before;
}

int main(int argc, char **argv) {
  nts_storage *db;
  if (argc != 2) {
    fprintf(stderr, "usage: %s SCRATCH_DIR\n", argv[0]);
    return 2;
  }
  scratch = argv[1];

  test_assertions();

  test_storage();

  /* The stores share one in-memory database, in this order (later files read earlier data). */
  db = open_memory();
  test_timeseries(db);
  test_devices(db);
  test_events(db);
  test_events_structs(db);
  test_rules(db);
  test_workflows(db);
  test_alerts(db);
  test_decisions(db);
  test_sessions(db);
  test_memory(db);
  test_vectors(db);
  test_query(db);
  EXPECT(NTS_OK, nts_storage_close(db));
  nts_storage_free(db);

  test_maintenance();
  test_backups();
  test_lifecycle();
  test_replication();

  printf("%d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
