/* fuzz_setup: an arbitrary byte string as an slemu setup file (emu/setup.h).
 *
 * sl_setup_read() must accept it or reject it with one "file:line:col: error: ..." (or
 * "file: error: ...") message, never crash or leak; when it accepts, what it built must obey the
 * limits the file format promises (ports, VMs, quotas, port maps), and freeing it must be clean. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "setup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char empty[1];
    /* fmemopen refuses size 0: an empty input is a one-byte stream already read to its end */
    FILE *f = size ? fmemopen((void *)data, size, "rb") : fmemopen(empty, 1, "rb");
    if (!f)
        return 0;
    if (!size)
        fgetc(f);
    SlSetup s;
    char err[512];
    err[0] = '\0';
    int rc = sl_setup_read(f, "dir/net.yaml", &s, err, sizeof err);
    fclose(f);
    if (rc < 0) {
        CHECK(strncmp(err, "dir/net.yaml", 12) == 0 && strstr(err, "error: "));
    } else {
        CHECK(rc == 0);
        CHECK(s.nports >= 1 && s.ports);
        for (uint32_t i = 0; i < s.nvms; i++) {
            const SlSetupVm *v = &s.vms[i];
            CHECK(v->name && v->image && v->image_path);
            CHECK(strncmp(v->image_path, "dir/", 4) == 0 || v->image_path[0] == '/');
            CHECK(v->quotas.queue_depth <= 65535);
            for (uint32_t j = 0; j < v->nin; j++)
                CHECK(v->in[j].match.phys < s.nports && v->in[j].vport);
            for (uint32_t j = 0; j < v->nout; j++)
                CHECK(v->out[j].phys < s.nports && v->out[j].vport);
            CHECK(!v->replace_at || v->replace_path);
        }
    }
    sl_setup_free(&s);
    return 0;
}
