/* The REPL's session: VMs (load, unload, vms, vm), physical ports and their bindings (ports),
 * where frames go (routing), reset and stats.
 *
 * Two ways to be set up:
 *   - images loaded by hand (`load`, or the command line): physical port i is the current VM's
 *     port i both ways; packets go to the current VM;
 *   - a setup file (`load net.yaml`): its VMs, its input maps (physical port, VLAN, EtherType,
 *     tunnel id -> VM and port, the most specific entry winning as in vm/hv.h), its output
 *     maps and its captures. Quotas, scheduling and replaces are not modelled: the debugger
 *     runs one packet at a time to its end.
 * Bindings open at once (an input reads its first frame), so a bad file is reported by the
 * command that named it. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "file.h"
#include "image_hash.h"
#include "ports.h"
#include "repl.h"
#include "slc.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

void repl_session_init(Repl *r)
{
    r->io = &sl_portio_emu;
    r->next_break = 1;
    for (uint32_t i = 0; i < REPL_MAX_VMS; i++)
        for (uint32_t p = 0; p < REPL_MAX_PORTS; p++)
            r->vms[i].out_map[p] = REPL_NO_PORT;
}

ReplVm *repl_cur(Repl *r)
{
    return r->cur < REPL_MAX_VMS && r->vms[r->cur].used ? &r->vms[r->cur] : NULL;
}

static void close_port(Repl *r, ReplPort *p, int output)
{
    char err[256];
    SlPortFile **f = output ? &p->out : &p->in;
    if (*f && r->io->close(*f, err, sizeof err) < 0)
        repl_error(r, "%s: %s", output ? p->out_spec : p->in_spec, err);
    *f = NULL;
    if (!output) {
        p->have_next = 0;
        p->at_end = 0;
        p->live = 0;
    }
}

/* Opens a binding and, for an input, reads its first frame. */
static int open_port(Repl *r, uint32_t phys, int output)
{
    char err[512];
    ReplPort *p = &r->ports[phys];
    const char *spec = output ? p->out_spec : p->in_spec;
    if (!spec)
        return 0;
    const char *name;
    if (!output)
        p->live = sl_portio_classify(spec, &name, err, sizeof err) == SL_PORT_INTERFACE;
    if (r->io->open(spec, output ? SL_PORT_WRITE : SL_PORT_READ, output ? &p->out : &p->in, err, sizeof err) < 0) {
        repl_error(r, "port %u: %s", phys, err);
        return -1;
    }
    if (!output) {
        int rc = r->io->read(p->in, &p->next, err, sizeof err);
        if (rc < 0) {
            repl_error(r, "port %u: %s: %s", phys, spec, err);
            close_port(r, p, 0);
            return -1;
        }
        p->have_next = rc;
        p->at_end = rc == 0 && !p->live;
    }
    return 0;
}

int repl_bind(Repl *r, uint32_t phys, int output, const char *spec)
{
    if (phys >= REPL_MAX_PORTS) {
        repl_error(r, "port %u: ports are 0..%u", phys, REPL_MAX_PORTS - 1);
        return -1;
    }
    ReplPort *p = &r->ports[phys];
    char **slot = output ? &p->out_spec : &p->in_spec;
    close_port(r, p, output);
    free(*slot);
    *slot = NULL;
    if (spec && strcmp(spec, "none") != 0) {
        for (uint32_t i = 0; i < r->nports && !output; i++)
            if (r->ports[i].out_spec && strcmp(r->ports[i].out_spec, spec) == 0) {
                repl_error(r, "%s is port %u's output already", spec, i);
                return -1;
            }
        for (uint32_t i = 0; i < r->nports && output; i++)
            if ((r->ports[i].in_spec && strcmp(r->ports[i].in_spec, spec) == 0) ||
                (i != phys && r->ports[i].out_spec && strcmp(r->ports[i].out_spec, spec) == 0)) {
                repl_error(r, "%s is bound to port %u already", spec, i);
                return -1;
            }
        *slot = strdup(spec);
        if (!*slot)
            return -1;
        if (phys >= r->nports)
            r->nports = phys + 1;
        if (open_port(r, phys, output) < 0) {
            free(*slot);
            *slot = NULL;
            return -1;
        }
    }
    return 0;
}

/* Rewinds the inputs (reopens them); outputs keep what was written and go on. */
int repl_open_ports(Repl *r)
{
    int rc = 0;
    for (uint32_t i = 0; i < r->nports; i++) {
        close_port(r, &r->ports[i], 0);
        rc |= open_port(r, i, 0);
    }
    return rc ? -1 : 0;
}

static void free_vm(Repl *r, uint32_t id)
{
    ReplVm *v = &r->vms[id];
    if (r->run.active && r->run.vm == id)
        repl_abort_run(r);
    if (r->run.vm == id)
        r->run.have_packet = 0;
    repl_breaks_drop_vm(r, id);
    repl_debug_free(&v->dbg);
    free(v->name);
    free(v->path);
    free(v->bytes);
    free(v->mem);
    free(v->timers);
    memset(v, 0, sizeof *v);
    for (uint32_t p = 0; p < REPL_MAX_PORTS; p++)
        v->out_map[p] = REPL_NO_PORT;
}

/* The image's bytes from an .slb, an .sla (assembled) or an .sl (compiled with debug info). */
static uint8_t *read_image(Repl *r, const char *path, size_t *size)
{
    static char err[16384];
    size_t len;
    char *text = sl_file_read(path, &len);
    if (!text) {
        repl_error(r, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (ends_with(path, ".sla")) {
        uint8_t *img;
        int rc = sl_asm_assemble(text, len, path, 0, &img, size, err, sizeof err);
        free(text);
        if (rc < 0) {
            repl_printf(r, "%s\n", err);
            repl_error(r, "%s: not assembled", path);
            return NULL;
        }
        return img;
    }
    if (ends_with(path, ".sl")) {
        const char *stdlib_dir = getenv("SLC_STDLIB");
        SlcOptions o = {.stdlib_dir = stdlib_dir ? stdlib_dir : "stdlib", .debug_info = 1, .warnings = 0};
        SlcResult res;
        memset(&res, 0, sizeof res);
        int rc = sl_compile(&o, path, text, len, &res);
        free(text);
        if (rc < 0 || !res.image) {
            if (res.diags && res.diags[0])
                repl_printf(r, "%s", res.diags);
            repl_error(r, "%s: not compiled", path);
            sl_compile_result_free(&res);
            return NULL;
        }
        uint8_t *img = malloc(res.image_len);
        if (img) {
            memcpy(img, res.image, res.image_len);
            *size = res.image_len;
        }
        sl_compile_result_free(&res);
        return img;
    }
    *size = len;
    return (uint8_t *)text;
}

static char *default_name(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strcspn(b, ".");
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, b, n);
        s[n] = '\0';
    }
    return s;
}

/* Loads an image as a new VM; returns its id or -1. */
static int add_vm(Repl *r, const char *path, const char *name)
{
    static char err[8192];
    uint32_t id = 0;
    while (id < REPL_MAX_VMS && r->vms[id].used)
        id++;
    if (id == REPL_MAX_VMS) {
        repl_error(r, "%s: %d VMs at most", path, REPL_MAX_VMS);
        return -1;
    }
    ReplVm *v = &r->vms[id];
    if (!(v->bytes = read_image(r, path, &v->size)))
        return -1;
    v->used = 1;
    v->path = strdup(path);
    v->name = name ? strdup(name) : default_name(path);
    if (!v->path || !v->name)
        goto fail;
    if (sl_image_parse(v->bytes, v->size, &v->img, err, sizeof err) < 0) {
        repl_error(r, "%s: %s", path, err);
        goto fail;
    }
    if (sl_image_hash_check(&v->img) < 0) {
        repl_error(r, "%s: %s", path, sl_error_text(SL_EHASH));
        goto fail;
    }
    size_t need = sl_vm_footprint(&v->img);
    v->mem = need ? aligned_alloc(64, (need + 63) & ~(size_t)63) : NULL;
    if (!v->mem) {
        repl_error(r, "%s: cannot allocate %zu bytes for the VM", path, need);
        goto fail;
    }
    if (sl_vm_create(v->mem, need, &v->img, &r->cfg, &v->vm, err, sizeof err) < 0) {
        repl_error(r, "%s: %s", path, err);
        goto fail;
    }
    if (repl_debug_load(&v->dbg, &v->img, path) < 0) {
        repl_error(r, "%s: out of memory", path);
        goto fail;
    }
    int h = sl_image_find_handler(&v->img, SL_HANDLER_PACKET, 0);
    v->packet_handler = h < 0 ? UINT32_MAX : (uint32_t)h;
    for (uint32_t n = 0; (h = sl_image_find_handler(&v->img, SL_HANDLER_TIMER, n)) >= 0; n++) {
        ReplTimer *t = realloc(v->timers, (v->ntimers + 1) * sizeof *t);
        if (!t)
            goto fail;
        v->timers = t;
        t[v->ntimers++] = (ReplTimer){.handler = (uint32_t)h,
                                      .period_ns = (uint64_t)sl_image_handler(&v->img, (uint32_t)h).period_ms * 1000000u};
    }
    return (int)id;
fail:
    free_vm(r, id);
    return -1;
}

static void describe_vm(Repl *r, uint32_t id)
{
    ReplVm *v = &r->vms[id];
    repl_printf(r, "VM %u '%s': %s, %u instructions, %u functions, %u handlers, %u ports, %u tables, "
                "%u bytes of state%s\n", id, v->name, v->path, v->img.code_count, v->img.func_count,
                v->img.handler_count, v->img.port_count, v->img.table_count, v->img.state_size,
                v->img.has_debug ? (v->dbg.has_lines ? ", debug info with lines" : ", symbols")
                                 : ", no debug info");
    if (v->dbg.types_err[0])
        repl_printf(r, "note: header types ignored: %s\n", v->dbg.types_err);
}

static void clear_session(Repl *r)
{
    for (uint32_t i = 0; i < REPL_MAX_VMS; i++)
        if (r->vms[i].used)
            free_vm(r, i);
    for (uint32_t i = 0; i < r->nports; i++) {
        repl_bind(r, i, 0, NULL);
        repl_bind(r, i, 1, NULL);
        memset(&r->ports[i], 0, sizeof r->ports[i]);
    }
    r->nports = 0;
    free(r->maps);
    r->maps = NULL;
    r->nmaps = 0;
    r->setup_mode = 0;
    free(r->setup_path);
    r->setup_path = NULL;
    r->started = 0;
    r->packets = 0;
    r->now = 0;
    r->cur = 0;
    memset(r->init_done, 0, sizeof r->init_done);
}

static int vport_of(const SlImage *img, const char *text, uint32_t *out)
{
    uint64_t n;
    if (repl_parse_u64(text, &n) == 0 && n < img->port_count) {
        *out = (uint32_t)n;
        return 0;
    }
    for (uint32_t i = 0; i < img->port_count; i++) {
        uint32_t len;
        const char *name = sl_image_port_name(img, i, &len);
        if (strlen(text) == len && !memcmp(name, text, len)) {
            *out = i;
            return 0;
        }
    }
    return -1;
}

int repl_load_setup(Repl *r, const char *path)
{
    static char err[2048];
    SlSetup s;
    memset(&s, 0, sizeof s);
    if (sl_setup_load(path, &s, err, sizeof err) < 0) {
        repl_printf(r, "%s\n", err);
        repl_error(r, "%s: setup not loaded", path);
        sl_setup_free(&s);
        return -1;
    }
    if (s.nvms > REPL_MAX_VMS || s.nports > REPL_MAX_PORTS) {
        repl_error(r, "%s: the debugger takes %d VMs and %d ports at most", path, REPL_MAX_VMS, REPL_MAX_PORTS);
        sl_setup_free(&s);
        return -1;
    }
    clear_session(r);
    r->setup_mode = 1;
    r->setup_path = strdup(path);
    r->cfg.seed = s.seed;
    uint32_t nmaps = 0;
    for (uint32_t i = 0; i < s.nvms; i++)
        nmaps += s.vms[i].nin;
    r->maps = calloc(nmaps + 1, sizeof *r->maps);
    int rc = r->maps ? 0 : -1;
    for (uint32_t i = 0; i < s.nvms && rc == 0; i++) {
        SlSetupVm *sv = &s.vms[i];
        int id = add_vm(r, sv->image_path, sv->name);
        if (id < 0) {
            rc = -1;
            break;
        }
        ReplVm *v = &r->vms[id];
        for (uint32_t j = 0; j < sv->nin && rc == 0; j++) {
            uint32_t vp;
            if (vport_of(&v->img, sv->in[j].vport, &vp) < 0) {
                repl_error(r, "%s:%u:%u: VM '%s' has no port '%s'", path, sv->in[j].loc.line, sv->in[j].loc.col,
                           sv->name, sv->in[j].vport);
                rc = -1;
                break;
            }
            r->maps[r->nmaps++] = (ReplInMap){.match = sv->in[j].match, .vm = (uint32_t)id, .vport = vp};
        }
        for (uint32_t j = 0; j < sv->nout && rc == 0; j++) {
            uint32_t vp;
            if (vport_of(&v->img, sv->out[j].vport, &vp) < 0 || sv->out[j].phys >= REPL_MAX_PORTS) {
                repl_error(r, "%s:%u:%u: VM '%s' has no port '%s'", path, sv->out[j].loc.line,
                           sv->out[j].loc.col, sv->name, sv->out[j].vport);
                rc = -1;
                break;
            }
            v->out_map[vp] = sv->out[j].phys;
        }
        if (sv->replace_path)
            repl_printf(r, "note: VM '%s': the replace at packet %" PRIu64 " is not done by the debugger\n",
                        sv->name, sv->replace_at);
    }
    r->nports = s.nports;
    for (uint32_t p = 0; p < s.nports && rc == 0; p++) {
        if (s.ports[p].in && repl_bind(r, p, 0, s.ports[p].in) < 0)
            rc = -1;
        if (s.ports[p].out && repl_bind(r, p, 1, s.ports[p].out) < 0)
            rc = -1;
    }
    sl_setup_free(&s);
    if (rc < 0) {
        clear_session(r);
        return -1;
    }
    repl_printf(r, "Setup %s: %u physical ports, %u input maps\n", path, r->nports, r->nmaps);
    for (uint32_t i = 0; i < REPL_MAX_VMS; i++)
        if (r->vms[i].used)
            describe_vm(r, i);
    return 0;
}

int repl_load(Repl *r, const char *path, const char *name)
{
    if (ends_with(path, ".yaml") || ends_with(path, ".yml"))
        return repl_load_setup(r, path);
    if (r->setup_mode) {
        repl_error(r, "a setup file is loaded: its VMs are fixed (load another setup, or an image after `unload all`)");
        return -1;
    }
    for (uint32_t i = 0; name && i < REPL_MAX_VMS; i++)
        if (r->vms[i].used && strcmp(r->vms[i].name, name) == 0) {
            repl_error(r, "a VM is called '%s' already", name);
            return -1;
        }
    int id = add_vm(r, path, name);
    if (id < 0)
        return -1;
    ReplVm *v = &r->vms[id];
    for (uint32_t p = 0; p < v->img.port_count && p < REPL_MAX_PORTS; p++)
        v->out_map[p] = p;
    if (v->img.port_count > r->nports)
        r->nports = v->img.port_count > REPL_MAX_PORTS ? REPL_MAX_PORTS : v->img.port_count;
    r->cur = (uint32_t)id;
    describe_vm(r, (uint32_t)id);
    return 0;
}

void repl_session_free(Repl *r)
{
    clear_session(r);
}

/* A VM by id or name. */
static int find_vm(Repl *r, const char *text)
{
    uint64_t n;
    if (repl_parse_u64(text, &n) == 0 && n < REPL_MAX_VMS && r->vms[n].used)
        return (int)n;
    for (uint32_t i = 0; i < REPL_MAX_VMS; i++)
        if (r->vms[i].used && strcmp(r->vms[i].name, text) == 0)
            return (int)i;
    repl_error(r, "%s: no such VM (see `vms`)", text);
    return -1;
}

int cmd_load(Repl *r, int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        repl_error(r, "usage: load FILE [NAME]");
        return -1;
    }
    return repl_load(r, argv[1], argc > 2 ? argv[2] : NULL);
}

int cmd_unload(Repl *r, int argc, char **argv)
{
    if (argc > 2) {
        repl_error(r, "usage: unload [VM|all]");
        return -1;
    }
    if (argc == 2 && strcmp(argv[1], "all") == 0) {
        clear_session(r);
        repl_printf(r, "Everything unloaded\n");
        return 0;
    }
    int id = argc == 2 ? find_vm(r, argv[1]) : (repl_cur(r) ? (int)r->cur : -1);
    if (id < 0) {
        if (argc < 2)
            repl_error(r, "no VM is loaded");
        return -1;
    }
    repl_printf(r, "VM %d '%s' unloaded\n", id, r->vms[id].name);
    free_vm(r, (uint32_t)id);
    for (uint32_t i = 0; i < r->nmaps;) {
        if (r->maps[i].vm == (uint32_t)id)
            r->maps[i] = r->maps[--r->nmaps];
        else
            i++;
    }
    if ((uint32_t)id == r->cur)
        for (uint32_t i = 0; i < REPL_MAX_VMS; i++)
            if (r->vms[i].used) {
                r->cur = i;
                break;
            }
    return 0;
}

int cmd_vms(Repl *r, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        repl_error(r, "usage: vms");
        return -1;
    }
    int any = 0;
    for (uint32_t i = 0; i < REPL_MAX_VMS; i++) {
        ReplVm *v = &r->vms[i];
        if (!v->used)
            continue;
        any = 1;
        repl_printf(r, "%c %u %-12s %s: %u insns, handlers:", i == r->cur ? '*' : ' ', i, v->name, v->path,
                    v->img.code_count);
        for (uint32_t h = 0; h < v->img.handler_count; h++) {
            SlHandlerDecl d = sl_image_handler(&v->img, h);
            if (d.kind == SL_HANDLER_TIMER)
                repl_printf(r, " timer(%ums)", d.period_ms);
            else
                repl_printf(r, " %s", d.kind == SL_HANDLER_INIT ? "init" : d.kind == SL_HANDLER_PACKET ? "packet" : "?");
        }
        repl_printf(r, "; %s\n", r->run.active && r->run.vm == i ? "stopped in a run" : "idle");
    }
    if (!any)
        repl_printf(r, "No VMs loaded (`load FILE`)\n");
    return 0;
}

int cmd_vm(Repl *r, int argc, char **argv)
{
    if (argc != 2) {
        repl_error(r, "usage: vm ID|NAME");
        return -1;
    }
    int id = find_vm(r, argv[1]);
    if (id < 0)
        return -1;
    r->cur = (uint32_t)id;
    describe_vm(r, (uint32_t)id);
    return 0;
}

int cmd_ports(Repl *r, int argc, char **argv)
{
    if (argc == 1) {
        if (!r->nports) {
            repl_printf(r, "No ports (load an image or bind one: ports in 0 FILE)\n");
            return 0;
        }
        repl_printf(r, "%-5s %-10s %-36s %-28s %8s %8s %8s\n", "port", "name", "input", "output", "in", "out",
                    "dropped");
        ReplVm *v = repl_cur(r);
        for (uint32_t i = 0; i < r->nports; i++) {
            ReplPort *p = &r->ports[i];
            uint32_t len = 0;
            const char *name = "";
            if (!r->setup_mode && v && i < v->img.port_count)
                name = sl_image_port_name(&v->img, i, &len);
            char in[300];
            snprintf(in, sizeof in, "%s%s", p->in_spec ? p->in_spec : "none",
                     p->in_spec && p->at_end ? " (at end)" : "");
            repl_printf(r, "%-5u %-10.*s %-36s %-28s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 "\n", i, (int)len, name,
                        in, p->out_spec ? p->out_spec : "none", p->in_count, p->out_count, p->dropped);
        }
        return 0;
    }
    uint64_t port;
    if (argc != 4 || (strcmp(argv[1], "in") != 0 && strcmp(argv[1], "out") != 0) ||
        repl_parse_u64(argv[2], &port) < 0 || port >= REPL_MAX_PORTS) {
        repl_error(r, "usage: ports [in|out PORT FILE|if:NAME|none] (PORT 0..%d)", REPL_MAX_PORTS - 1);
        return -1;
    }
    int out = strcmp(argv[1], "out") == 0;
    if (repl_bind(r, (uint32_t)port, out, argv[3]) < 0)
        return -1;
    repl_printf(r, "Port %u %s: %s\n", (unsigned)port, out ? "output" : "input", argv[3]);
    return 0;
}

int cmd_reset(Repl *r, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        repl_error(r, "usage: reset");
        return -1;
    }
    if (r->run.active)
        repl_abort_run(r);
    r->run.have_packet = 0;
    r->run.finished = 0;
    for (uint32_t i = 0; i < REPL_MAX_VMS; i++) {
        ReplVm *v = &r->vms[i];
        if (!v->used)
            continue;
        sl_vm_reset(v->vm);
        v->runs = v->insns = v->sent = v->dropped = v->punted = v->clones = v->faults = 0;
        memset(v->fault, 0, sizeof v->fault);
        for (uint32_t t = 0; t < v->ntimers; t++)
            v->timers[t].due = v->timers[t].off = 0;
    }
    for (uint32_t i = 0; i < r->nports; i++) {
        ReplPort *p = &r->ports[i];
        p->in_count = p->out_count = p->dropped = p->no_match = 0;
    }
    r->started = 0;
    r->packets = 0;
    r->now = 0;
    memset(r->init_done, 0, sizeof r->init_done);
    for (int b = 0; b < REPL_MAX_BREAKS; b++)
        r->breaks[b].hits = 0;
    int rc = repl_open_ports(r);
    repl_watch_snapshot(r);
    repl_printf(r, "Reset: state and tables as loaded, inputs from the start, counters cleared (outputs go on)\n");
    return rc;
}

void repl_emit(Repl *r, uint32_t vm, uint32_t vport, const uint8_t *data, uint32_t len)
{
    char err[512];
    ReplVm *v = &r->vms[vm];
    uint32_t phys = vport < REPL_MAX_PORTS ? v->out_map[vport] : REPL_NO_PORT;
    if (phys == REPL_NO_PORT || phys >= r->nports)
        return; /* no physical port: nowhere to go */
    ReplPort *p = &r->ports[phys];
    if (!p->out) {
        p->dropped++;
        return;
    }
    if (r->io->write(p->out, r->now, data, len, err, sizeof err) < 0) {
        repl_error(r, "port %u: %s", phys, err);
        p->dropped++;
        return;
    }
    p->out_count++;
}

int cmd_stats(Repl *r, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        repl_error(r, "usage: stats");
        return -1;
    }
    repl_printf(r, "%" PRIu64 " packets taken from inputs and sends\n", r->packets);
    for (uint32_t i = 0; i < REPL_MAX_VMS; i++) {
        ReplVm *v = &r->vms[i];
        if (!v->used)
            continue;
        repl_printf(r, "VM %u '%s': %" PRIu64 " runs, %" PRIu64 " instructions; verdicts: %" PRIu64 " sent, %" PRIu64
                    " dropped, %" PRIu64 " punted; %" PRIu64 " clones; faults:", i, v->name, v->runs, v->insns, v->sent,
                    v->dropped, v->punted, v->clones);
        if (!v->faults)
            repl_printf(r, " none");
        for (unsigned f = 1; f < SL_FAULT_COUNT; f++)
            if (v->fault[f])
                repl_printf(r, " %s %" PRIu64, sl_fault_name(f), v->fault[f]);
        repl_printf(r, "\n");
    }
    for (uint32_t i = 0; i < r->nports; i++) {
        ReplPort *p = &r->ports[i];
        repl_printf(r, "port %u: %" PRIu64 " in, %" PRIu64 " out, %" PRIu64 " dropped (no output)", i, p->in_count,
                    p->out_count, p->dropped);
        if (r->setup_mode)
            repl_printf(r, ", %" PRIu64 " matched no VM", p->no_match);
        repl_printf(r, "\n");
    }
    return 0;
}
