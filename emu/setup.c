/* Reading a setup file (setup.h): libyaml's document API, then a walk over the node tree that
 * checks every key, type and range and keeps each node's position for messages. Unknown keys
 * and duplicate keys are errors (a typo must not silently fall back to a default). */
#include "setup.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct Ctx {
    const char *path;
    yaml_document_t *doc;
    char *err;
    size_t errcap;
    char *dir; /* the setup file's directory, with a trailing '/', or "" */
} Ctx;

static int fail(Ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n)
        snprintf(c->err, c->errcap, "%s:%zu:%zu: error: %s", c->path, n->start_mark.line + 1,
                 n->start_mark.column + 1, msg);
    else
        snprintf(c->err, c->errcap, "%s: error: %s", c->path, msg);
    return -1;
}

static SlSetupLoc loc(const yaml_node_t *n)
{
    return (SlSetupLoc){(uint32_t)n->start_mark.line + 1, (uint32_t)n->start_mark.column + 1};
}

static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int want(Ctx *c, const yaml_node_t *n, yaml_node_type_t type, const char *what)
{
    if (n->type == type)
        return 0;
    return fail(c, n, "%s must be a %s", what,
                type == YAML_MAPPING_NODE ? "mapping" : type == YAML_SEQUENCE_NODE ? "list" : "scalar");
}

static int number(Ctx *c, const yaml_node_t *n, const char *what, uint64_t max, uint64_t *v)
{
    if (want(c, n, YAML_SCALAR_NODE, what) < 0)
        return -1;
    const char *s = scalar(n);
    char *end;
    errno = 0;
    unsigned long long x = (*s >= '0' && *s <= '9') ? strtoull(s, &end, 0) : 0;
    if (!(*s >= '0' && *s <= '9') || errno || *end || x > max)
        return fail(c, n, "%s: '%s' is not a number in 0..%llu", what, s, (unsigned long long)max);
    *v = x;
    return 0;
}

static int number32(Ctx *c, const yaml_node_t *n, const char *what, uint32_t max, uint32_t *v)
{
    uint64_t x;
    if (number(c, n, what, max, &x) < 0)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

static int boolean(Ctx *c, const yaml_node_t *n, const char *what, int *v)
{
    if (want(c, n, YAML_SCALAR_NODE, what) < 0)
        return -1;
    const char *s = scalar(n);
    if (!strcmp(s, "true") || !strcmp(s, "yes"))
        *v = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "no"))
        *v = 0;
    else
        return fail(c, n, "%s: '%s' is not true or false", what, s);
    return 0;
}

static char *dup_text(Ctx *c, const yaml_node_t *n, const char *what)
{
    if (want(c, n, YAML_SCALAR_NODE, what) < 0)
        return NULL;
    if (!*scalar(n)) {
        fail(c, n, "%s is empty", what);
        return NULL;
    }
    char *s = strdup(scalar(n));
    if (!s)
        fail(c, n, "out of memory");
    return s;
}

/* A path as written, resolved against the setup file's directory unless absolute. */
static char *path_of(Ctx *c, const yaml_node_t *n, const char *what, char **written)
{
    char *w = dup_text(c, n, what);
    if (!w)
        return NULL;
    size_t len = strlen(c->dir) + strlen(w) + 1;
    char *p = malloc(len);
    if (!p) {
        free(w);
        fail(c, n, "out of memory");
        return NULL;
    }
    snprintf(p, len, "%s%s", w[0] == '/' ? "" : c->dir, w);
    if (written)
        *written = w;
    else
        free(w);
    return p;
}

/* Iterates a mapping's pairs, checking keys against allowed and refusing duplicates. */
typedef struct Pair {
    const char *key;
    yaml_node_t *knode, *value;
} Pair;

static int pairs(Ctx *c, const yaml_node_t *map, const char *what, const char *const *allowed, Pair *out,
                 int cap, int *n)
{
    if (want(c, map, YAML_MAPPING_NODE, what) < 0)
        return -1;
    *n = 0;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
        if (want(c, k, YAML_SCALAR_NODE, "a key") < 0)
            return -1;
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            ok |= !strcmp(allowed[i], scalar(k));
        if (!ok) {
            char list[256] = "";
            for (int i = 0; allowed[i]; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", allowed[i]);
            return fail(c, k, "unknown key '%s' in %s (expected one of: %s)", scalar(k), what, list);
        }
        for (int i = 0; i < *n; i++)
            if (!strcmp(out[i].key, scalar(k)))
                return fail(c, k, "duplicate key '%s' in %s", scalar(k), what);
        if (*n == cap)
            return fail(c, k, "too many keys in %s", what);
        out[(*n)++] = (Pair){scalar(k), k, v};
    }
    return 0;
}

static int check_phys(Ctx *c, const yaml_node_t *n, const SlSetup *s, uint32_t port)
{
    if (port >= s->nports)
        return fail(c, n, "physical port %u: the setup has ports 0..%u", port, s->nports - 1);
    return 0;
}

static int parse_in(Ctx *c, yaml_node_t *n, SlSetup *s, SlSetupIn *in)
{
    static const char *const keys[] = {"port", "vlan", "ethertype", "tunnel", "vport", NULL};
    Pair p[8];
    int np;
    if (pairs(c, n, "an 'in' entry", keys, p, 8, &np) < 0)
        return -1;
    in->match = (SlHvMatch){.phys = UINT32_MAX, .vlan = SL_HV_ANY, .ethertype = SL_HV_ANY, .tunnel = SL_HV_ANY};
    in->loc = loc(n);
    for (int i = 0; i < np; i++) {
        const char *k = p[i].key;
        yaml_node_t *v = p[i].value;
        int rc = 0;
        if (!strcmp(k, "port")) {
            rc = number32(c, v, "port", UINT32_MAX - 1, &in->match.phys);
            if (!rc)
                rc = check_phys(c, v, s, in->match.phys);
        } else if (!strcmp(k, "vlan")) {
            if (v->type == YAML_SCALAR_NODE && !strcmp(scalar(v), "none"))
                in->match.vlan = SL_HV_NO_VLAN;
            else
                rc = number32(c, v, "vlan (or 'none' for untagged)", 4095, &in->match.vlan);
        } else if (!strcmp(k, "ethertype")) {
            rc = number32(c, v, "ethertype", 0xffff, &in->match.ethertype);
        } else if (!strcmp(k, "tunnel")) {
            rc = number32(c, v, "tunnel (VXLAN VNI or Sluice tunnel id)", 0xffffff, &in->match.tunnel);
        } else {
            rc = (in->vport = dup_text(c, v, "vport")) ? 0 : -1;
        }
        if (rc < 0)
            return -1;
    }
    if (in->match.phys == UINT32_MAX)
        return fail(c, n, "an 'in' entry needs a physical 'port'");
    if (!in->vport)
        return fail(c, n, "an 'in' entry needs a 'vport' (number or port name of the image)");
    return 0;
}

static int parse_out(Ctx *c, yaml_node_t *n, SlSetup *s, SlSetupOut *out)
{
    static const char *const keys[] = {"vport", "port", NULL};
    Pair p[4];
    int np;
    if (pairs(c, n, "an 'out' entry", keys, p, 4, &np) < 0)
        return -1;
    out->phys = UINT32_MAX;
    out->loc = loc(n);
    for (int i = 0; i < np; i++) {
        if (!strcmp(p[i].key, "port")) {
            if (number32(c, p[i].value, "port", UINT32_MAX - 1, &out->phys) < 0 ||
                check_phys(c, p[i].value, s, out->phys) < 0)
                return -1;
        } else if (!(out->vport = dup_text(c, p[i].value, "vport"))) {
            return -1;
        }
    }
    if (out->phys == UINT32_MAX || !out->vport)
        return fail(c, n, "an 'out' entry needs a 'vport' and a physical 'port'");
    return 0;
}

static int parse_quotas(Ctx *c, yaml_node_t *n, SlHvQuotas *q)
{
    static const char *const keys[] = {"slice", "packet_budget", "queue_depth", "weight", "vports",
                                       "penalty_after", "stop_after", NULL};
    Pair p[8];
    int np;
    if (pairs(c, n, "quotas", keys, p, 8, &np) < 0)
        return -1;
    for (int i = 0; i < np; i++) {
        const char *k = p[i].key;
        yaml_node_t *v = p[i].value;
        int rc;
        if (!strcmp(k, "slice"))
            rc = number(c, v, "slice", UINT64_MAX, &q->slice);
        else if (!strcmp(k, "packet_budget"))
            rc = number(c, v, "packet_budget", UINT64_MAX, &q->packet_budget);
        else if (!strcmp(k, "queue_depth"))
            rc = number32(c, v, "queue_depth", 65535, &q->queue_depth);
        else if (!strcmp(k, "weight"))
            rc = number32(c, v, "weight", 65536, &q->weight);
        else if (!strcmp(k, "vports"))
            rc = number32(c, v, "vports", SL_MAX_PORTS, &q->vports);
        else if (!strcmp(k, "penalty_after"))
            rc = number32(c, v, "penalty_after", UINT32_MAX, &q->penalty_after);
        else
            rc = number32(c, v, "stop_after", UINT32_MAX, &q->stop_after);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int parse_replace(Ctx *c, yaml_node_t *n, SlSetupVm *vm)
{
    static const char *const keys[] = {"at_packet", "image", "keep_state", NULL};
    Pair p[4];
    int np;
    if (pairs(c, n, "replace", keys, p, 4, &np) < 0)
        return -1;
    vm->replace_loc = loc(n);
    for (int i = 0; i < np; i++) {
        int rc;
        if (!strcmp(p[i].key, "at_packet"))
            rc = number(c, p[i].value, "at_packet", UINT64_MAX, &vm->replace_at);
        else if (!strcmp(p[i].key, "image"))
            rc = (vm->replace_path = path_of(c, p[i].value, "image", &vm->replace_image)) ? 0 : -1;
        else
            rc = boolean(c, p[i].value, "keep_state", &vm->replace_keep);
        if (rc < 0)
            return -1;
    }
    if (!vm->replace_at || !vm->replace_path)
        return fail(c, n, "replace needs 'at_packet' (1 or more) and 'image'");
    return 0;
}

static int parse_list(Ctx *c, yaml_node_t *n, const char *what, yaml_node_item_t **items, uint32_t *count)
{
    if (want(c, n, YAML_SEQUENCE_NODE, what) < 0)
        return -1;
    *items = n->data.sequence.items.start;
    *count = (uint32_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    return 0;
}

static int parse_vm(Ctx *c, yaml_node_t *n, SlSetup *s, SlSetupVm *vm)
{
    static const char *const keys[] = {"name", "image", "quotas", "in", "out", "replace", NULL};
    Pair p[8];
    int np;
    if (pairs(c, n, "a VM", keys, p, 8, &np) < 0)
        return -1;
    vm->loc = loc(n);
    for (int i = 0; i < np; i++) {
        const char *k = p[i].key;
        yaml_node_t *v = p[i].value;
        if (!strcmp(k, "name")) {
            if (!(vm->name = dup_text(c, v, "name")))
                return -1;
            for (uint32_t j = 0; j < s->nvms; j++)
                if (s->vms[j].name && !strcmp(s->vms[j].name, vm->name))
                    return fail(c, v, "a VM named '%s' is already defined", vm->name);
        } else if (!strcmp(k, "image")) {
            vm->image_loc = loc(v);
            if (!(vm->image_path = path_of(c, v, "image", &vm->image)))
                return -1;
        } else if (!strcmp(k, "quotas")) {
            if (parse_quotas(c, v, &vm->quotas) < 0)
                return -1;
        } else if (!strcmp(k, "replace")) {
            if (parse_replace(c, v, vm) < 0)
                return -1;
        } else {
            yaml_node_item_t *it;
            uint32_t cnt;
            int is_in = !strcmp(k, "in");
            if (parse_list(c, v, is_in ? "in" : "out", &it, &cnt) < 0)
                return -1;
            if (is_in && !(vm->in = calloc(cnt + 1, sizeof *vm->in)))
                return fail(c, v, "out of memory");
            if (!is_in && !(vm->out = calloc(cnt + 1, sizeof *vm->out)))
                return fail(c, v, "out of memory");
            for (uint32_t j = 0; j < cnt; j++) {
                yaml_node_t *e = yaml_document_get_node(c->doc, it[j]);
                if (is_in ? parse_in(c, e, s, &vm->in[vm->nin++]) < 0 : parse_out(c, e, s, &vm->out[vm->nout++]) < 0)
                    return -1;
            }
        }
    }
    if (!vm->name)
        return fail(c, n, "a VM needs a 'name'");
    if (!vm->image_path)
        return fail(c, n, "VM '%s' needs an 'image' (.slb or .sla)", vm->name);
    return 0;
}

static int parse_port(Ctx *c, yaml_node_t *n, SlSetup *s, uint32_t *seen)
{
    static const char *const keys[] = {"port", "in", "out", NULL};
    Pair p[4];
    int np;
    if (pairs(c, n, "a port", keys, p, 4, &np) < 0)
        return -1;
    uint32_t port = UINT32_MAX;
    for (int i = 0; i < np; i++)
        if (!strcmp(p[i].key, "port") &&
            (number32(c, p[i].value, "port", UINT32_MAX - 1, &port) < 0 || check_phys(c, p[i].value, s, port) < 0))
            return -1;
    if (port == UINT32_MAX)
        return fail(c, n, "a port entry needs a 'port' number");
    if (seen[port]++)
        return fail(c, n, "physical port %u is described twice", port);
    for (int i = 0; i < np; i++) {
        char **dst = !strcmp(p[i].key, "in") ? &s->ports[port].in : !strcmp(p[i].key, "out") ? &s->ports[port].out : NULL;
        if (dst && !(*dst = path_of(c, p[i].value, p[i].key, NULL)))
            return -1;
    }
    return 0;
}

static int parse_top(Ctx *c, yaml_node_t *root, SlSetup *s)
{
    static const char *const keys[] = {"ports", "seed", "quantum", "batch", "physical_ports", "vms", NULL};
    Pair p[8];
    int np;
    if (!root)
        return fail(c, NULL, "the file is empty");
    if (pairs(c, root, "the setup", keys, p, 8, &np) < 0)
        return -1;
    yaml_node_t *ports = NULL, *vms = NULL;
    s->batch = 64;
    for (int i = 0; i < np; i++) {
        const char *k = p[i].key;
        yaml_node_t *v = p[i].value;
        int rc = 0;
        if (!strcmp(k, "physical_ports"))
            rc = number32(c, v, "physical_ports", 256, &s->nports);
        else if (!strcmp(k, "seed"))
            rc = number(c, v, "seed", UINT64_MAX, &s->seed);
        else if (!strcmp(k, "quantum"))
            rc = number(c, v, "quantum", UINT64_MAX, &s->quantum);
        else if (!strcmp(k, "batch"))
            rc = number32(c, v, "batch", 1u << 20, &s->batch);
        else if (!strcmp(k, "ports"))
            ports = v;
        else
            vms = v;
        if (rc < 0)
            return -1;
    }
    if (!s->nports)
        return fail(c, root, "'physical_ports' (1..256) is required");
    if (!s->batch)
        s->batch = 1;
    if (!(s->ports = calloc(s->nports, sizeof *s->ports)))
        return fail(c, root, "out of memory");
    if (ports) {
        yaml_node_item_t *it;
        uint32_t cnt, seen[256] = {0};
        if (parse_list(c, ports, "ports", &it, &cnt) < 0)
            return -1;
        for (uint32_t j = 0; j < cnt; j++)
            if (parse_port(c, yaml_document_get_node(c->doc, it[j]), s, seen) < 0)
                return -1;
    }
    if (!vms)
        return fail(c, root, "'vms' (a list of VMs) is required");
    yaml_node_item_t *it;
    uint32_t cnt;
    if (parse_list(c, vms, "vms", &it, &cnt) < 0)
        return -1;
    if (!cnt)
        return fail(c, vms, "'vms' is empty");
    if (!(s->vms = calloc(cnt, sizeof *s->vms)))
        return fail(c, vms, "out of memory");
    for (uint32_t j = 0; j < cnt; j++) {
        s->nvms = j;
        if (parse_vm(c, yaml_document_get_node(c->doc, it[j]), s, &s->vms[j]) < 0) {
            s->nvms = j + 1; /* free what it holds */
            return -1;
        }
    }
    s->nvms = cnt;
    return 0;
}

int sl_setup_load(const char *path, SlSetup *s, char *err, size_t errcap)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "%s: error: %s", path, strerror(errno));
        return -1;
    }
    int rc = sl_setup_read(f, path, s, err, errcap);
    fclose(f);
    return rc;
}

int sl_setup_read(FILE *f, const char *path, SlSetup *s, char *err, size_t errcap)
{
    memset(s, 0, sizeof *s);
    Ctx c = {.path = path, .err = err, .errcap = errcap};
    s->path = strdup(path);
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path + 1) : 0;
    c.dir = malloc(dlen + 1);
    if (!s->path || !c.dir) {
        free(c.dir);
        snprintf(err, errcap, "%s: error: out of memory", path);
        return -1;
    }
    memcpy(c.dir, path, dlen);
    c.dir[dlen] = '\0';
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = -1;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errcap, "%s:%zu:%zu: error: %s%s%s", path, parser.problem_mark.line + 1,
                 parser.problem_mark.column + 1, parser.problem ? parser.problem : "bad YAML",
                 parser.context ? " " : "", parser.context ? parser.context : "");
    } else {
        c.doc = &doc;
        rc = parse_top(&c, yaml_document_get_root_node(&doc), s);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    free(c.dir);
    return rc;
}

void sl_setup_free(SlSetup *s)
{
    for (uint32_t i = 0; s->ports && i < s->nports; i++) {
        free(s->ports[i].in);
        free(s->ports[i].out);
    }
    for (uint32_t i = 0; i < s->nvms; i++) {
        SlSetupVm *v = &s->vms[i];
        for (uint32_t j = 0; j < v->nin; j++)
            free(v->in[j].vport);
        for (uint32_t j = 0; j < v->nout; j++)
            free(v->out[j].vport);
        free(v->in);
        free(v->out);
        free(v->name);
        free(v->image);
        free(v->image_path);
        free(v->replace_image);
        free(v->replace_path);
    }
    free(s->vms);
    free(s->ports);
    free(s->path);
    memset(s, 0, sizeof *s);
}
