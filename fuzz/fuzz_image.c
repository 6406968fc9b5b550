/* fuzz_image: an arbitrary byte string as an image, through everything a loader does with one.
 *
 * sl_image_parse() must reject bad bytes with an error, never crash. When it accepts, every
 * accessor must stay inside the bytes (ASan watches an exactly-sized copy), the hosted parser of
 * the DBG_TYPES section (asm/dbg_types.c) must accept or reject its view, stripping must give
 * an image that parses again, and the VM must either refuse the image or run every handler on a
 * fixed packet to an end. Each image runs on two fresh VMs: once in a single slice and once in
 * small slices resumed until done. The contract says a yield changes nothing, so the two must
 * agree on every result, packet byte, clone and state byte; a difference aborts (a finding).
 *
 * Limits keep each input fast: images whose VM needs more than MAX_FOOTPRINT bytes are only
 * parsed, and each handler run has a budget of BUDGET instructions. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbg_types.h"
#include "fuzz.h"
#include "image_hash.h"
#include "vm.h"

enum {
    MAX_FOOTPRINT = 8 << 20,
    BUDGET = 20000,       /* packet_budget: instructions per handler run */
    MAX_HANDLERS_RUN = 6, /* handlers run per VM */
    PKT_CAP = SL_PKT_HEADROOM + SL_PKT_MAX,
};

/* Ethernet + IPv4 + UDP, 64 bytes: something for packet programs to look at. */
static const uint8_t packet[64] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, /* ethernet */
    0x45, 0x00, 0x00, 0x32, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,             /* ipv4 */
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
    0x30, 0x39, 0x00, 0x35, 0x00, 0x1e, 0x00, 0x00,                                     /* udp */
    's', 'l', 'u', 'i', 'c', 'e', ' ', 'f', 'u', 'z', 'z', ' ', 'p', 'a', 'c', 'k', 'e', 't', '.', '.',
    0xde, 0xad,
};

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static uint32_t read32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef struct Clones {
    uint64_t count, hash;
} Clones;

static void on_clone(void *user, uint32_t port, const uint8_t *data, uint32_t len)
{
    Clones *c = user;
    uint8_t hdr[8] = {(uint8_t)port, (uint8_t)(port >> 8), (uint8_t)(port >> 16), (uint8_t)(port >> 24),
                      (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24)};
    c->count++;
    c->hash = fnv(fnv(c->hash, hdr, sizeof hdr), data, len); /* reads every byte: ASan checks the view */
}

/* What one VM did with the image: compared between the two slicings. */
typedef struct Outcome {
    int create_rc;
    uint32_t runs;
    SlResult res[MAX_HANDLERS_RUN];
    uint32_t head[MAX_HANDLERS_RUN], len[MAX_HANDLERS_RUN];
    uint64_t pkt_hash[MAX_HANDLERS_RUN], state_hash[MAX_HANDLERS_RUN];
    Clones clones;
} Outcome;

/* The handler order: init first (as a loader does), then the others in image order. */
static uint32_t handler_at(const SlImage *img, uint32_t k)
{
    int init = sl_image_find_handler(img, SL_HANDLER_INIT, 0);
    if (init < 0)
        return k;
    if (k == 0)
        return (uint32_t)init;
    return k <= (uint32_t)init ? k - 1 : k;
}

/* Runs every handler (up to MAX_HANDLERS_RUN) on a fresh VM, slice instructions at a time. */
static void run_vm(const SlImage *img, size_t footprint, uint64_t slice, uint64_t seed, Outcome *o)
{
    char err[256];
    memset(o, 0, sizeof *o);
    void *mem = malloc(footprint);
    uint8_t *buf = malloc(PKT_CAP);
    CHECK(mem && buf);
    SlVmConfig cfg = {.seed = seed, .packet_budget = BUDGET};
    SlVm *vm = NULL;
    o->create_rc = sl_vm_create(mem, footprint, img, &cfg, &vm, err, sizeof err);
    CHECK(memchr(err, 0, sizeof err));
    if (o->create_rc < 0) {
        CHECK(err[0] != '\0'); /* a rejection says why */
        goto out;
    }
    CHECK(o->create_rc == 0 && vm);

    /* The verified code must print (the disassembler and the debugger do this). */
    uint32_t ncode = 0;
    const SlInsn *code = sl_vm_code(vm, &ncode);
    CHECK(ncode == img->code_count);
    for (uint32_t i = 0; i < ncode && i < 512; i++) {
        char line[128];
        size_t n = sl_insn_format(line, sizeof line, &code[i], i);
        CHECK(n < sizeof line && strlen(line) == n);
    }

    SlEnv env = {.user = &o->clones, .clone = on_clone, .now_ns = 1700000000000000000ull};
    uint32_t nrun = img->handler_count < MAX_HANDLERS_RUN ? img->handler_count : MAX_HANDLERS_RUN;
    for (uint32_t k = 0; k < nrun; k++) {
        uint32_t h = handler_at(img, k);
        SlPacket pkt = {.buf = buf, .cap = PKT_CAP, .head = SL_PKT_HEADROOM, .len = sizeof packet,
                        .in_port = k, .tstamp_ns = 1700000000000000000ull + k};
        memset(buf, 0xa5, PKT_CAP);
        memcpy(buf + pkt.head, packet, sizeof packet);
        SlResult *r = &o->res[k];
        int rc = sl_vm_run(vm, h, &pkt, &env, slice, r);
        CHECK(rc == 0);
        /* Every slice runs at least `slice` instructions, so this bounds the resumes. */
        for (uint32_t n = 0; r->status == SL_RUN_YIELD; n++) {
            CHECK(n < BUDGET + 1);
            CHECK(sl_vm_busy(vm));
            const uint64_t *regs = sl_vm_regs(vm);
            CHECK(regs != NULL);
            uint64_t before = r->insns;
            rc = sl_vm_resume(vm, &pkt, &env, slice, r);
            CHECK(rc == 0);
            CHECK(r->insns > before);
        }
        CHECK(!sl_vm_busy(vm));
        CHECK(r->status == SL_RUN_DONE || r->status == SL_RUN_FAULT);
        CHECK(r->insns <= BUDGET + ncode); /* the budget plus one straight-line path at most */
        if (r->status == SL_RUN_DONE) {
            CHECK(r->verdict <= SL_VERDICT_PUNT);
            if (r->verdict == SL_VERDICT_SEND)
                CHECK(r->port < img->port_count);
        } else {
            CHECK(r->fault > SL_FAULT_NONE && r->fault < SL_FAULT_COUNT);
            CHECK(r->pc < ncode);
        }
        /* The packet stays inside its window. */
        CHECK(pkt.head <= PKT_CAP && pkt.len <= PKT_CAP - pkt.head);
        o->head[k] = pkt.head;
        o->len[k] = pkt.len;
        o->pkt_hash[k] = fnv(0xcbf29ce484222325ull, buf + pkt.head, pkt.len);
        uint32_t ssize = 0;
        uint8_t *state = sl_vm_state(vm, &ssize);
        CHECK(ssize == img->state_size);
        o->state_hash[k] = fnv(0xcbf29ce484222325ull, state, ssize);
        o->runs++;
    }

    /* The tables as the control plane sees them, then a reset back to the image's contents. */
    for (uint32_t t = 0; t < img->table_count; t++)
        CHECK(sl_vm_table_count(vm, t) <= sl_image_table(img, t).capacity);
    sl_vm_reset(vm);
    uint32_t ssize = 0;
    uint8_t *state = sl_vm_state(vm, &ssize);
    CHECK(ssize >= img->state_init_len);
    CHECK(img->state_init_len == 0 || memcmp(state, img->state_init, img->state_init_len) == 0);
    for (uint32_t i = img->state_init_len; i < ssize; i++)
        CHECK(state[i] == 0);
    for (uint32_t t = 0; t < img->table_count; t++)
        CHECK(sl_vm_table_count(vm, t) == 0);
out:
    free(buf);
    free(mem);
}

static int same_outcome(const Outcome *a, const Outcome *b)
{
    if (a->create_rc != b->create_rc || a->runs != b->runs || a->clones.count != b->clones.count ||
        a->clones.hash != b->clones.hash)
        return 0;
    for (uint32_t k = 0; k < a->runs; k++) {
        const SlResult *x = &a->res[k], *y = &b->res[k];
        if (x->status != y->status || x->verdict != y->verdict || x->fault != y->fault || x->port != y->port ||
            x->pc != y->pc || x->trap != y->trap || x->insns != y->insns || a->head[k] != b->head[k] ||
            a->len[k] != b->len[k] || a->pkt_hash[k] != b->pkt_hash[k] || a->state_hash[k] != b->state_hash[k])
            return 0;
    }
    return 1;
}

/* Every accessor on every entry the parser accepted: none may leave the image's bytes. */
static void walk_image(const SlImage *img)
{
    uint64_t sink = 0;
    for (uint32_t i = 0; i < img->table_count; i++)
        sink += sl_image_table(img, i).capacity;
    for (uint32_t i = 0; i < img->func_count; i++)
        sink += sl_image_func(img, i).entry;
    for (uint32_t i = 0; i < img->handler_count; i++)
        sink += sl_image_handler(img, i).func;
    for (uint32_t i = 0; i < img->const_count; i++)
        sink += sl_image_const(img, i);
    for (uint32_t i = 0; i < img->port_count; i++) {
        uint32_t len = 0;
        const char *name = sl_image_port_name(img, i, &len);
        sink = fnv(sink, (const uint8_t *)name, len);
    }
    for (uint32_t i = 0; i < img->dbg_file_count; i++) {
        uint32_t len = 0;
        const char *name = sl_image_dbg_file(img, i, &len);
        sink = fnv(sink, (const uint8_t *)name, len);
    }
    for (uint32_t i = 0; i < img->dbg_line_count; i++)
        sink += sl_image_dbg_line(img, i).line;
    for (uint32_t i = 0; i < img->dbg_sym_count; i++) {
        SlSym s = sl_image_dbg_sym(img, i);
        sink = fnv(sink, (const uint8_t *)s.name, s.name_len);
    }
    /* DBG_TYPES: the reader keeps a view inside the image; the hosted parser must accept or
     * reject it without reading outside it, and what it accepts must hold together. */
    if (img->dbg_types) {
        CHECK(img->dbg_types >= img->bytes && img->dbg_types_len <= img->size &&
              (size_t)(img->dbg_types - img->bytes) <= img->size - img->dbg_types_len);
        SlDbgTypes t;
        char terr[160];
        int trc = sl_dbg_types_parse(img->dbg_types, img->dbg_types_len, &t, terr, sizeof terr);
        CHECK(memchr(terr, 0, sizeof terr));
        if (trc < 0) {
            CHECK((trc == -SL_ESECTION || trc == -SL_ENOMEM) && terr[0] != '\0' && t.ntypes == 0 && !t.types);
        } else {
            uint32_t nf = 0;
            for (uint32_t i = 0; i < t.ntypes; i++) {
                const SlDbgType *ty = &t.types[i];
                sink = fnv(sink, (const uint8_t *)ty->name, ty->name_len);
                CHECK(ty->fields == t.fields + nf);
                nf += ty->nfields;
                CHECK(nf <= t.nfields);
                for (uint32_t k = 0; k < ty->nfields; k++) {
                    const SlDbgField *f = &ty->fields[k];
                    CHECK(f->bits >= 1 && f->bits <= 64 && (uint64_t)f->bit_off + f->bits <= (uint64_t)ty->size * 8);
                    sink = fnv(sink, (const uint8_t *)f->name, f->name_len);
                }
            }
            CHECK(nf == t.nfields);
            for (uint32_t i = 0; i < t.nhdrs; i++) {
                const SlDbgHdr *h = &t.hdrs[i];
                CHECK(h->type < t.ntypes && h->start <= h->end && sl_dbg_loc_valid(h->loc));
                sink = fnv(sink, (const uint8_t *)h->name, h->name_len);
            }
            sl_dbg_types_free(&t);
        }
    }
    for (uint32_t i = 0; i < img->code_count && i < 256; i++) {
        SlLine l;
        if (sl_image_line_for(img, i, &l))
            CHECK(l.insn <= i);
    }
    if (img->state_init_len)
        sink = fnv(sink, img->state_init, img->state_init_len);
    if (img->code_count)
        sink = fnv(sink, img->code, (size_t)img->code_count * SL_INSN_SIZE);
    (void)sl_image_find_handler(img, SL_HANDLER_TIMER, 1);
    /* Keep the reads from being optimised away. */
    volatile uint64_t v = sink;
    (void)v;
}

/* Stripping keeps every non-debug section byte for byte and gives an image that parses. */
static void check_strip(const SlImage *img)
{
    char err[256];
    size_t need = sl_image_strip(img, NULL, 0);
    CHECK(need >= SL_IMAGE_HEADER_SIZE && need <= img->size);
    uint8_t *out = malloc(need);
    CHECK(out);
    CHECK(sl_image_strip(img, out, need) == need);
    SlImage s;
    CHECK(sl_image_parse(out, need, &s, err, sizeof err) == 0);
    CHECK(!s.has_debug && s.dbg_line_count == 0 && s.dbg_sym_count == 0 && s.dbg_file_count == 0 &&
          !s.dbg_types);
    CHECK(s.code_count == img->code_count && s.func_count == img->func_count &&
          s.handler_count == img->handler_count && s.table_count == img->table_count &&
          s.const_count == img->const_count && s.port_count == img->port_count &&
          s.state_size == img->state_size && s.state_init_len == img->state_init_len);
    CHECK(memcmp(s.hash, img->hash, SL_IMAGE_HASH_SIZE) == 0);
    CHECK(memcmp(s.code, img->code, (size_t)img->code_count * SL_INSN_SIZE) == 0);
    /* has_debug tells of the debug sections the reader knows; unknown ones (skipped) count too
     * for stripping. */
    int any_debug = 0;
    for (size_t p = SL_IMAGE_HEADER_SIZE; p < img->size; p += 8 + read32(img->bytes + p + 4))
        any_debug |= img->bytes[p] >= SL_SEC_DEBUG_FIRST;
    CHECK(!img->has_debug || any_debug);
    CHECK(any_debug == (need < img->size));
    if (!any_debug)
        CHECK(need == img->size && memcmp(out, img->bytes, need) == 0);
    /* The hash covers no debug section: full and stripped images hash the same, and the stored
     * hash checks out exactly when it equals the computed one. */
    uint8_t h1[SL_IMAGE_HASH_SIZE], h2[SL_IMAGE_HASH_SIZE];
    CHECK(sl_image_hash_compute(img->bytes, img->size, h1) == 0);
    CHECK(sl_image_hash_compute(out, need, h2) == 0);
    CHECK(memcmp(h1, h2, sizeof h1) == 0);
    int ok = memcmp(h1, img->hash, sizeof h1) == 0;
    CHECK((sl_image_hash_check(img) == 0) == ok);
    CHECK(ok || sl_image_hash_check(img) == -SL_EHASH);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    /* An exact-size copy: any read past the end is caught. */
    uint8_t *bytes = malloc(size ? size : 1);
    CHECK(bytes);
    if (size)
        memcpy(bytes, data, size);
    SlImage img;
    int rc = sl_image_parse(bytes, size, &img, err, sizeof err);
    CHECK(memchr(err, 0, sizeof err));
    if (rc < 0) {
        CHECK(rc > -SL_E_COUNT && err[0] != '\0');
        free(bytes);
        return 0;
    }
    CHECK(rc == 0);
    walk_image(&img);
    check_strip(&img);

    size_t footprint = sl_vm_footprint(&img);
    if (footprint > 0 && footprint <= MAX_FOOTPRINT) {
        /* The slice varies with the input so yields land everywhere, one instruction included. */
        uint64_t h = fnv(0xcbf29ce484222325ull, data, size);
        uint64_t slice = 1 + h % 61;
        static Outcome whole, sliced; /* large: keep them off the stack */
        run_vm(&img, footprint, UINT64_MAX, h, &whole);
        run_vm(&img, footprint, slice, h, &sliced);
        CHECK(same_outcome(&whole, &sliced));
        for (uint32_t k = 0; k < whole.runs; k++)
            CHECK(whole.res[k].status != SL_RUN_YIELD);
    }
    free(bytes);
    return 0;
}
