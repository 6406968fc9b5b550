/* Encoding and decoding of slrun's counters record and run log (report.h). */
#include "report.h"

#include "bytes.h"
#include "mem.h"

static const uint8_t MAGIC[4] = {'S', 'L', 'R', 'C'};
static const uint8_t LOG_MAGIC[4] = {'S', 'L', 'R', 'L'};

static const char *const TOTAL_NAMES[] = {
#define X(name, text) text,
    SL_REPORT_TOTALS_LIST(X)
#undef X
};

const char *sl_report_total_name(unsigned i) { return i < SL_REPORT_TOTALS ? TOTAL_NAMES[i] : "?"; }

size_t sl_report_size(const SlReport *r)
{
    return SL_REPORT_HEADER_SIZE + 8 * (size_t)SL_REPORT_TOTALS + 32 * (size_t)r->nports +
           8 * (size_t)SL_REPORT_FAULT_KINDS + r->state_size;
}

void sl_report_encode(const SlReport *r, uint8_t *out)
{
    for (int i = 0; i < 4; i++)
        out[i] = MAGIC[i];
    sl_put_le16(out + 4, SL_REPORT_VERSION);
    sl_put_le16(out + 6, r->mode);
    sl_put_le32(out + 8, r->nports);
    sl_put_le32(out + 12, SL_REPORT_FAULT_KINDS);
    sl_put_le32(out + 16, SL_REPORT_TOTALS);
    sl_put_le32(out + 20, r->state_size);
    uint8_t *p = out + SL_REPORT_HEADER_SIZE;
    for (unsigned i = 0; i < SL_REPORT_TOTALS; i++, p += 8)
        sl_put_le64(p, r->total[i]);
    for (uint32_t i = 0; i < r->nports; i++, p += 32) {
        sl_put_le64(p, r->ports[i].in);
        sl_put_le64(p + 8, r->ports[i].in_bytes);
        sl_put_le64(p + 16, r->ports[i].out);
        sl_put_le64(p + 24, r->ports[i].out_bytes);
    }
    for (unsigned k = 1; k < SL_FAULT_COUNT; k++, p += 8)
        sl_put_le64(p, r->fault[k]);
    if (r->state_size)
        memcpy(p, r->state, r->state_size);
}

int sl_report_decode(const uint8_t *buf, size_t size, SlReport *r, SlReportPort *ports,
                     uint32_t maxports)
{
    if (size < SL_REPORT_HEADER_SIZE)
        return -SL_ETRUNCATED;
    if (memcmp(buf, MAGIC, 4) != 0)
        return -SL_EMAGIC;
    if (sl_le16(buf + 4) != SL_REPORT_VERSION)
        return -SL_EVERSION;
    memset(r, 0, sizeof *r);
    r->mode = sl_le16(buf + 6);
    r->nports = sl_le32(buf + 8);
    r->state_size = sl_le32(buf + 20);
    if (sl_le32(buf + 12) != SL_REPORT_FAULT_KINDS || sl_le32(buf + 16) != SL_REPORT_TOTALS ||
        r->nports > maxports)
        return -SL_ELIMIT;
    r->ports = ports;
    if (sl_report_size(r) != size)
        return -SL_ETRUNCATED;
    const uint8_t *p = buf + SL_REPORT_HEADER_SIZE;
    for (unsigned i = 0; i < SL_REPORT_TOTALS; i++, p += 8)
        r->total[i] = sl_le64(p);
    for (uint32_t i = 0; i < r->nports; i++, p += 32) {
        ports[i].in = sl_le64(p);
        ports[i].in_bytes = sl_le64(p + 8);
        ports[i].out = sl_le64(p + 16);
        ports[i].out_bytes = sl_le64(p + 24);
    }
    for (unsigned k = 1; k < SL_FAULT_COUNT; k++, p += 8)
        r->fault[k] = sl_le64(p);
    r->state = p;
    return 0;
}

void sl_runlog_header(uint8_t out[SL_RUNLOG_HEADER_SIZE])
{
    for (int i = 0; i < 4; i++)
        out[i] = LOG_MAGIC[i];
    sl_put_le16(out + 4, SL_REPORT_VERSION);
    sl_put_le16(out + 6, 0);
}

void sl_runlog_record(uint8_t out[SL_RUNLOG_RECORD_SIZE], uint32_t frame, uint32_t handler,
                      const SlResult *res, uint32_t len)
{
    sl_put_le32(out, frame);
    sl_put_le32(out + 4, handler);
    out[8] = res->status;
    out[9] = res->verdict;
    sl_put_le16(out + 10, res->fault);
    sl_put_le32(out + 12, res->port);
    sl_put_le32(out + 16, res->pc);
    sl_put_le32(out + 20, (uint32_t)res->trap);
    sl_put_le64(out + 24, res->insns);
    sl_put_le32(out + 32, len);
}

uint32_t sl_runlog_len(const uint8_t *rec) { return sl_le32(rec + 32); }

void sl_runlog_decode(const uint8_t *rec, uint32_t *frame, uint32_t *handler, SlResult *res)
{
    *frame = sl_le32(rec);
    *handler = sl_le32(rec + 4);
    res->status = rec[8];
    res->verdict = rec[9];
    res->fault = sl_le16(rec + 10);
    res->port = sl_le32(rec + 12);
    res->pc = sl_le32(rec + 16);
    res->trap = (int32_t)sl_le32(rec + 20);
    res->insns = sl_le64(rec + 24);
}
