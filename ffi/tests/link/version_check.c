/*
 * Links against the installed library (shared with an rpath, or static through
 * neotalk_storage_static.pc), opens a database in memory and checks that the header and the
 * library agree on the version. Plain C89. Run by ffi/test.sh; exit status 0 on success.
 */
#include "neotalk_storage.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  nts_storage *db = NULL;
  nts_status status = nts_storage_open_in_memory(NULL, &db);
  if (status != NTS_OK) {
    fprintf(stderr, "open failed: %s: %s\n", nts_status_name(status), nts_last_error_message());
    return 1;
  }
  nts_storage_free(db);
  if (nts_version() != NTS_VERSION_NUMBER || strcmp(nts_version_string(), NTS_VERSION_STRING) != 0) {
    fprintf(stderr, "header %s, library %s\n", NTS_VERSION_STRING, nts_version_string());
    return 1;
  }
  printf("neotalk_storage %s\n", nts_version_string());
  return 0;
}
