/* Packet crafting for `send`: a frame from hex bytes, or from layers joined by '/':
 *
 *   eth(dst=MAC,src=MAC,type=N) vlan(id=N,pcp=N,dei=N,type=N) arp(op=N,sha=,spa=,tha=,tpa=)
 *   ipv4(src=,dst=,ttl=,proto=,id=,tos=,df=,len=,checksum=) ipv6(src=,dst=,hlim=,nxt=,flow=,tc=,plen=)
 *   icmp(type=,code=,id=,seq=,checksum=) icmpv6(type=,code=,checksum=) udp(sport=,dport=,len=,checksum=)
 *   tcp(sport=,dport=,seq=,ack=,flags=,window=,checksum=) bytes(HEX) pad(N)
 *
 * Layers are written front to back with their defaults; a type or protocol not given is the
 * next layer's (0x88b5, the local experimental EtherType, before raw bytes; IP protocol 253,
 * "experimentation", before raw bytes); then lengths, then IPv4 header checksums, then the
 * ICMP/UDP/TCP checksums (with the enclosing IP header's pseudo-header) are filled in, back to
 * front, unless the user gave them. `pad(N)` appends zero bytes up to a frame of N bytes. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "repl.h"

enum { MAX_LAYERS = 16, MAX_PARAMS = 16 };

typedef struct Param {
    char key[16];
    char val[256];
} Param;

typedef struct Layer {
    char name[16];
    Param params[MAX_PARAMS];
    int nparams;
    uint32_t off;   /* where it was written */
    int set_len, set_csum, ip_layer; /* the user gave len / checksum; the enclosing IP layer */
} Layer;

typedef struct Craft {
    uint8_t *buf;
    uint32_t cap, len;
    char *err;
    size_t errcap;
} Craft;

static int cfail(Craft *c, const char *fmt, const char *a, const char *b)
{
    snprintf(c->err, c->errcap, fmt, a, b);
    return -1;
}

static const char *param(const Layer *l, const char *key)
{
    for (int i = 0; i < l->nparams; i++)
        if (strcmp(l->params[i].key, key) == 0)
            return l->params[i].val;
    return NULL;
}

static int num(Craft *c, const Layer *l, const char *key, uint64_t def, uint64_t max, uint64_t *out)
{
    const char *v = param(l, key);
    if (!v) {
        *out = def;
        return 0;
    }
    if (repl_parse_u64(v, out) < 0 || *out > max) {
        char k[48];
        snprintf(k, sizeof k, "%s.%s", l->name, key);
        return cfail(c, "%s=%s: not a number in range", k, v);
    }
    return 0;
}

static int mac(Craft *c, const Layer *l, const char *key, const char *def, uint8_t *out)
{
    const char *v = param(l, key);
    unsigned m[6];
    char tail;
    if (!v)
        v = def;
    if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &tail) != 6 ||
        strlen(v) != 17)
        return cfail(c, "%s: '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", key, v);
    for (int i = 0; i < 6; i++)
        out[i] = (uint8_t)m[i];
    return 0;
}

static int addr(Craft *c, const Layer *l, const char *key, const char *def, int v6, uint8_t *out)
{
    const char *v = param(l, key);
    if (!v)
        v = def;
    if (inet_pton(v6 ? AF_INET6 : AF_INET, v, out) != 1)
        return cfail(c, "%s: '%s' is not an address of this family", key, v);
    return 0;
}

static int room(Craft *c, uint32_t n)
{
    if (n > c->cap - c->len)
        return cfail(c, "the frame would exceed %s bytes%s", "16384", "");
    memset(c->buf + c->len, 0, n);
    return 0;
}

static void put16(uint8_t *p, uint64_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint64_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static uint64_t next_type(const Layer *ls, int n, int i, int ip)
{
    const char *nx = i + 1 < n ? ls[i + 1].name : "";
    if (!ip) {
        if (!strcmp(nx, "vlan")) return 0x8100;
        if (!strcmp(nx, "arp")) return 0x0806;
        if (!strcmp(nx, "ipv4") || !strcmp(nx, "ip")) return 0x0800;
        if (!strcmp(nx, "ipv6")) return 0x86dd;
        return 0x88b5;
    }
    if (!strcmp(nx, "icmp")) return 1;
    if (!strcmp(nx, "icmpv6")) return 58;
    if (!strcmp(nx, "udp")) return 17;
    if (!strcmp(nx, "tcp")) return 6;
    if (!strcmp(nx, "ipv6")) return 41;
    if (!strcmp(nx, "ipv4") || !strcmp(nx, "ip")) return 4;
    return ip == 6 && !*nx ? 59 : 253;
}

static int hex_into(Craft *c, const char *text)
{
    for (const char *p = text; *p;) {
        if (*p == ' ' || *p == ':' || *p == '-' || *p == ',' || *p == '\t') {
            p++;
            continue;
        }
        if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
            return cfail(c, "hex bytes expected at '%.8s'%s", p, "");
        if (room(c, 1) < 0)
            return -1;
        char h[3] = {p[0], p[1], 0};
        c->buf[c->len++] = (uint8_t)strtoul(h, NULL, 16);
        p += 2;
    }
    return 0;
}

static int parse_layers(Craft *c, const char *spec, Layer *ls, int *n)
{
    const char *p = spec;
    *n = 0;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*n == MAX_LAYERS)
            return cfail(c, "%s layers at most%s", "16", "");
        Layer *l = &ls[(*n)++];
        memset(l, 0, sizeof *l);
        size_t k = 0;
        while (isalnum((unsigned char)*p) && k + 1 < sizeof l->name)
            l->name[k++] = *p++;
        while (*p == ' ')
            p++;
        if (*p != '(')
            return cfail(c, "layer '%s': '(' expected%s", l->name, "");
        p++;
        const char *close = strchr(p, ')');
        if (!close)
            return cfail(c, "layer '%s': ')' missing%s", l->name, "");
        if (!strcmp(l->name, "bytes")) { /* raw: keep the text as one parameter */
            snprintf(l->params[0].key, sizeof l->params[0].key, "hex");
            if ((size_t)(close - p) >= sizeof l->params[0].val)
                return cfail(c, "bytes(...): at most %s characters%s", "255", "");
            memcpy(l->params[0].val, p, (size_t)(close - p));
            l->nparams = 1;
        } else if (!strcmp(l->name, "pad")) {
            snprintf(l->params[0].key, sizeof l->params[0].key, "n");
            snprintf(l->params[0].val, sizeof l->params[0].val, "%.*s", (int)(close - p), p);
            l->nparams = 1;
        } else {
            while (p < close) {
                while (*p == ' ' || *p == ',')
                    p++;
                if (p >= close)
                    break;
                const char *eq = memchr(p, '=', (size_t)(close - p));
                const char *comma = memchr(p, ',', (size_t)(close - p));
                const char *end = comma ? comma : close;
                if (!eq || eq > end)
                    return cfail(c, "layer '%s': key=value expected in '%.20s'", l->name, p);
                if (l->nparams == MAX_PARAMS)
                    return cfail(c, "layer '%s': too many fields%s", l->name, "");
                Param *pa = &l->params[l->nparams++];
                snprintf(pa->key, sizeof pa->key, "%.*s", (int)(eq - p), p);
                snprintf(pa->val, sizeof pa->val, "%.*s", (int)(end - eq - 1), eq + 1);
                for (char *s = pa->key + strlen(pa->key); s > pa->key && s[-1] == ' ';)
                    *--s = '\0';
                char *v = pa->val + strspn(pa->val, " ");
                memmove(pa->val, v, strlen(v) + 1);
                for (char *s = pa->val + strlen(pa->val); s > pa->val && s[-1] == ' ';)
                    *--s = '\0';
                p = end;
            }
        }
        p = close + 1;
        while (*p == ' ')
            p++;
        if (!*p)
            return 0;
        if (*p != '/')
            return cfail(c, "'/' expected between layers, at '%.10s'%s", p, "");
        p++;
    }
}

/* Checks that every key of l is one it knows. */
static int known_keys(Craft *c, const Layer *l, const char *const *keys)
{
    for (int i = 0; i < l->nparams; i++) {
        int ok = 0;
        for (const char *const *k = keys; *k && !ok; k++)
            ok = strcmp(*k, l->params[i].key) == 0;
        if (!ok)
            return cfail(c, "layer '%s' has no field '%s'", l->name, l->params[i].key);
    }
    return 0;
}

static int write_layer(Craft *c, Layer *ls, int n, int i)
{
    Layer *l = &ls[i];
    uint64_t a, b, d, e, f;
    uint8_t *p;
    l->off = c->len;
    l->set_len = param(l, "len") != NULL || param(l, "plen") != NULL;
    l->set_csum = param(l, "checksum") != NULL;
    l->ip_layer = -1;
    for (int k = i - 1; k >= 0; k--)
        if (!strcmp(ls[k].name, "ipv4") || !strcmp(ls[k].name, "ip") || !strcmp(ls[k].name, "ipv6")) {
            l->ip_layer = k;
            break;
        }
    if (!strcmp(l->name, "eth")) {
        static const char *const keys[] = {"dst", "src", "type", NULL};
        if (known_keys(c, l, keys) < 0 || room(c, 14) < 0)
            return -1;
        p = c->buf + c->len;
        if (mac(c, l, "dst", "ff:ff:ff:ff:ff:ff", p) < 0 || mac(c, l, "src", "02:00:00:00:00:01", p + 6) < 0 ||
            num(c, l, "type", next_type(ls, n, i, 0), 0xffff, &a) < 0)
            return -1;
        put16(p + 12, a);
        c->len += 14;
    } else if (!strcmp(l->name, "vlan")) {
        static const char *const keys[] = {"id", "pcp", "dei", "type", NULL};
        /* the tag after eth's EtherType (0x8100 by default): TCI, then the inner EtherType */
        if (known_keys(c, l, keys) < 0 || room(c, 4) < 0)
            return -1;
        if (c->len < 2)
            return cfail(c, "vlan(...) must follow eth(...)%s%s", "", "");
        if (num(c, l, "id", 0, 4095, &a) < 0 || num(c, l, "pcp", 0, 7, &b) < 0 || num(c, l, "dei", 0, 1, &d) < 0 ||
            num(c, l, "type", next_type(ls, n, i, 0), 0xffff, &e) < 0)
            return -1;
        p = c->buf + c->len;
        put16(p, b << 13 | d << 12 | a);
        put16(p + 2, e);
        c->len += 4;
    } else if (!strcmp(l->name, "arp")) {
        static const char *const keys[] = {"op", "sha", "spa", "tha", "tpa", NULL};
        if (known_keys(c, l, keys) < 0 || room(c, 28) < 0)
            return -1;
        p = c->buf + c->len;
        put16(p, 1);
        put16(p + 2, 0x0800);
        p[4] = 6;
        p[5] = 4;
        if (num(c, l, "op", 1, 0xffff, &a) < 0 || mac(c, l, "sha", "02:00:00:00:00:01", p + 8) < 0 ||
            addr(c, l, "spa", "0.0.0.0", 0, p + 14) < 0 || mac(c, l, "tha", "00:00:00:00:00:00", p + 18) < 0 ||
            addr(c, l, "tpa", "0.0.0.0", 0, p + 24) < 0)
            return -1;
        put16(p + 6, a);
        c->len += 28;
    } else if (!strcmp(l->name, "ipv4") || !strcmp(l->name, "ip")) {
        static const char *const keys[] = {"src", "dst", "ttl", "proto", "id", "tos", "df", "len", "checksum", NULL};
        if (known_keys(c, l, keys) < 0 || room(c, 20) < 0)
            return -1;
        p = c->buf + c->len;
        if (addr(c, l, "src", "10.0.0.1", 0, p + 12) < 0 || addr(c, l, "dst", "10.0.0.2", 0, p + 16) < 0 ||
            num(c, l, "ttl", 64, 255, &a) < 0 || num(c, l, "proto", next_type(ls, n, i, 4), 255, &b) < 0 ||
            num(c, l, "id", 0, 0xffff, &d) < 0 || num(c, l, "tos", 0, 255, &e) < 0 || num(c, l, "df", 0, 1, &f) < 0)
            return -1;
        p[0] = 0x45;
        p[1] = (uint8_t)e;
        put16(p + 4, d);
        put16(p + 6, f << 14);
        p[8] = (uint8_t)a;
        p[9] = (uint8_t)b;
        if (num(c, l, "len", 0, 0xffff, &a) < 0 || num(c, l, "checksum", 0, 0xffff, &b) < 0)
            return -1;
        put16(p + 2, a);
        put16(p + 10, b);
        c->len += 20;
    } else if (!strcmp(l->name, "ipv6")) {
        static const char *const keys[] = {"src", "dst", "hlim", "nxt", "flow", "tc", "plen", NULL};
        if (known_keys(c, l, keys) < 0 || room(c, 40) < 0)
            return -1;
        p = c->buf + c->len;
        if (addr(c, l, "src", "fd00::1", 1, p + 8) < 0 || addr(c, l, "dst", "fd00::2", 1, p + 24) < 0 ||
            num(c, l, "hlim", 64, 255, &a) < 0 || num(c, l, "nxt", next_type(ls, n, i, 6), 255, &b) < 0 ||
            num(c, l, "flow", 0, 0xfffff, &d) < 0 || num(c, l, "tc", 0, 255, &e) < 0 ||
            num(c, l, "plen", 0, 0xffff, &f) < 0)
            return -1;
        put32(p, 6u << 28 | e << 20 | d);
        put16(p + 4, f);
        p[6] = (uint8_t)b;
        p[7] = (uint8_t)a;
        c->len += 40;
    } else if (!strcmp(l->name, "icmp") || !strcmp(l->name, "icmpv6")) {
        static const char *const keys[] = {"type", "code", "id", "seq", "checksum", NULL};
        int v6 = l->name[4] == 'v';
        if (known_keys(c, l, keys) < 0 || room(c, 8) < 0)
            return -1;
        p = c->buf + c->len;
        if (num(c, l, "type", v6 ? 128 : 8, 255, &a) < 0 || num(c, l, "code", 0, 255, &b) < 0 ||
            num(c, l, "id", 0, 0xffff, &d) < 0 || num(c, l, "seq", 0, 0xffff, &e) < 0 ||
            num(c, l, "checksum", 0, 0xffff, &f) < 0)
            return -1;
        p[0] = (uint8_t)a;
        p[1] = (uint8_t)b;
        put16(p + 2, f);
        put16(p + 4, d);
        put16(p + 6, e);
        c->len += 8;
    } else if (!strcmp(l->name, "udp")) {
        static const char *const keys[] = {"sport", "dport", "len", "checksum", NULL};
        if (known_keys(c, l, keys) < 0 || room(c, 8) < 0)
            return -1;
        p = c->buf + c->len;
        if (num(c, l, "sport", 1024, 0xffff, &a) < 0 || num(c, l, "dport", 9, 0xffff, &b) < 0 ||
            num(c, l, "len", 0, 0xffff, &d) < 0 || num(c, l, "checksum", 0, 0xffff, &e) < 0)
            return -1;
        put16(p, a);
        put16(p + 2, b);
        put16(p + 4, d);
        put16(p + 6, e);
        c->len += 8;
    } else if (!strcmp(l->name, "tcp")) {
        static const char *const keys[] = {"sport", "dport", "seq", "ack", "flags", "window", "checksum", NULL};
        if (known_keys(c, l, keys) < 0 || room(c, 20) < 0)
            return -1;
        p = c->buf + c->len;
        if (num(c, l, "sport", 1024, 0xffff, &a) < 0 || num(c, l, "dport", 80, 0xffff, &b) < 0 ||
            num(c, l, "seq", 0, 0xffffffff, &d) < 0 || num(c, l, "ack", 0, 0xffffffff, &e) < 0)
            return -1;
        put16(p, a);
        put16(p + 2, b);
        put32(p + 4, d);
        put32(p + 8, e);
        if (num(c, l, "flags", 0x02, 0x1ff, &a) < 0 || num(c, l, "window", 65535, 0xffff, &b) < 0 ||
            num(c, l, "checksum", 0, 0xffff, &d) < 0)
            return -1;
        put16(p + 12, 5u << 12 | a);
        put16(p + 14, b);
        put16(p + 16, d);
        c->len += 20;
    } else if (!strcmp(l->name, "bytes")) {
        return hex_into(c, l->params[0].val);
    } else if (!strcmp(l->name, "pad")) {
        uint64_t want;
        if (repl_parse_u64(l->params[0].val, &want) < 0 || want > c->cap)
            return cfail(c, "pad(%s): a frame length up to 16384 expected%s", l->params[0].val, "");
        if (want > c->len) {
            if (room(c, (uint32_t)(want - c->len)) < 0)
                return -1;
            c->len = (uint32_t)want;
        }
    } else {
        return cfail(c, "unknown layer '%s' (eth, vlan, arp, ipv4, ipv6, icmp, icmpv6, udp, tcp, bytes, pad)%s",
                     l->name, "");
    }
    return 0;
}

/* Lengths and checksums, back to front. `end` is where the IP payload ends (before pad). */
static void finish(Craft *c, Layer *ls, int n)
{
    uint8_t *b = c->buf;
    uint32_t end = c->len;
    for (int i = n - 1; i >= 0; i--)
        if (!strcmp(ls[i].name, "pad")) /* padding is not payload */
            end = ls[i].off;
    for (int i = n - 1; i >= 0; i--) {
        Layer *l = &ls[i];
        uint8_t *p = b + l->off;
        if (!strcmp(l->name, "udp") && !l->set_len)
            put16(p + 4, end - l->off);
        else if ((!strcmp(l->name, "ipv4") || !strcmp(l->name, "ip")) && !l->set_len)
            put16(p + 2, end - l->off);
        else if (!strcmp(l->name, "ipv6") && !l->set_len)
            put16(p + 4, end - l->off - 40);
    }
    for (int i = n - 1; i >= 0; i--) {
        Layer *l = &ls[i];
        uint8_t *p = b + l->off;
        int ip4 = !strcmp(l->name, "ipv4") || !strcmp(l->name, "ip");
        if (ip4 && !l->set_csum)
            put16(p + 10, repl_csum(p, 20, 0));
        if (l->set_csum || ip4 || !(!strcmp(l->name, "udp") || !strcmp(l->name, "tcp") || !strcmp(l->name, "icmp") ||
                                     !strcmp(l->name, "icmpv6")))
            continue;
        uint32_t at = !strcmp(l->name, "udp") ? 6 : !strcmp(l->name, "tcp") ? 16 : 2;
        uint32_t len = end > l->off ? end - l->off : 0;
        put16(p + at, 0);
        uint32_t sum = 0;
        if (strcmp(l->name, "icmp") != 0 && l->ip_layer >= 0) {
            const uint8_t *ip = b + ls[l->ip_layer].off;
            int v6 = !strcmp(ls[l->ip_layer].name, "ipv6");
            for (int k = 0; k < (v6 ? 32 : 8); k += 2)
                sum += (uint32_t)ip[(v6 ? 8 : 12) + k] << 8 | ip[(v6 ? 8 : 12) + k + 1];
            sum += (uint32_t)(v6 ? ip[6] : ip[9]) + len;
        }
        uint16_t cs = repl_csum(p, len, sum);
        if (!strcmp(l->name, "udp") && cs == 0)
            cs = 0xffff; /* 0 means "no checksum" in UDP */
        put16(p + at, cs);
    }
}

int repl_craft(const char *spec, uint8_t *buf, uint32_t cap, char *err, size_t errcap)
{
    Craft c = {.buf = buf, .cap = cap, .len = 0, .err = err, .errcap = errcap};
    static Layer ls[MAX_LAYERS];
    int n;
    err[0] = '\0';
    if (!strchr(spec, '(')) {
        if (hex_into(&c, spec) < 0)
            return -1;
    } else {
        if (parse_layers(&c, spec, ls, &n) < 0)
            return -1;
        for (int i = 0; i < n; i++)
            if (write_layer(&c, ls, n, i) < 0)
                return -1;
        finish(&c, ls, n);
    }
    if (c.len == 0) {
        snprintf(err, errcap, "an empty frame");
        return -1;
    }
    return (int)c.len;
}

int cmd_send(Repl *r, int argc, char **argv)
{
    static uint8_t buf[SL_PKT_MAX];
    char spec[4096], err[256];
    uint64_t port;
    if (argc < 3 || repl_parse_u64(argv[1], &port) < 0 || port >= REPL_MAX_PORTS) {
        repl_error(r, "usage: send PORT HEX|LAYERS|pkt (see help send)");
        return -1;
    }
    repl_join(argc, argv, 2, spec, sizeof spec);
    int len;
    if (strcmp(spec, "pkt") == 0) { /* the current packet again */
        if (!r->run.have_packet || r->run.active) {
            repl_error(r, "send %s pkt: no finished packet to send again", argv[1]);
            return -1;
        }
        len = (int)r->run.pkt.len;
        memcpy(buf, r->run.pkt.buf + r->run.pkt.head, r->run.pkt.len > sizeof buf ? sizeof buf : r->run.pkt.len);
    } else {
        len = repl_craft(spec, buf, sizeof buf, err, sizeof err);
    }
    if (len < 0) {
        repl_error(r, "send: %s", err);
        return -1;
    }
    int have = 0;
    for (uint32_t i = 0; i < REPL_MAX_VMS; i++)
        have |= r->vms[i].used;
    if (!have) {
        repl_error(r, "no program loaded (load FILE)");
        return -1;
    }
    return repl_run_packet(r, (uint32_t)port, buf, (uint32_t)len, r->now, JOB_SEND, 1);
}
