// The public header compiles on its own as C++ (-Wall -Wextra -Werror -pedantic) and declares
// its functions with C linkage.
#include "neotalk_storage.h"

#include <type_traits>

static_assert(std::is_same<decltype(&nts_storage_free), void (*)(nts_storage *)>::value, "C linkage, C types");
static_assert(NTS_OK == 0, "NTS_OK is zero");

extern "C" nts_status header_cxx_probe(nts_storage *db, nts_point *p, nts_range_options *o);
nts_status header_cxx_probe(nts_storage *db, nts_point *p, nts_range_options *o) {
  (void)db;
  (void)p;
  (void)o;
  return NTS_OK;
}
