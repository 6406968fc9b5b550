#include "router_counters.h"

#include <string.h>

const char *const router_counter_names[ROUTER_NCOUNTERS] = {
    "forwarded", "punted_non_ip", "punted_ttl", "malformed", "no_route", "acl_dropped",
};

const char *router_counters_find(const SlImage *img, int by_symbol, uint32_t addr[ROUTER_NCOUNTERS])
{
    for (int k = 0; k < ROUTER_NCOUNTERS; k++) {
        addr[k] = ROUTER_COUNTERS_ADDR + 8u * (uint32_t)k;
        if (!by_symbol)
            continue;
        const char *want = router_counter_names[k];
        int found = 0;
        for (uint32_t i = 0; i < img->dbg_sym_count && !found; i++) {
            SlSym s = sl_image_dbg_sym(img, i);
            if (s.kind == SL_SYM_STATE && s.size == 8 && s.name_len == strlen(want) &&
                memcmp(s.name, want, s.name_len) == 0) {
                addr[k] = s.value;
                found = 1;
            }
        }
        if (!found)
            return want;
    }
    return NULL;
}
