/* The public header compiles on its own as strict C89, C99 and C11 (-Wall -Wextra -Werror -pedantic). */
#include "neotalk_storage.h"

/* Every type is usable by value or by pointer. */
nts_status header_c99_probe(nts_storage *db, nts_points *set, nts_point *p, nts_range_options *o, nts_value_kind k);
nts_status header_c99_probe(nts_storage *db, nts_points *set, nts_point *p, nts_range_options *o, nts_value_kind k) {
  (void)db;
  (void)set;
  (void)p;
  (void)o;
  return k == NTS_VALUE_FLOAT ? NTS_OK : NTS_INVALID_INPUT;
}
