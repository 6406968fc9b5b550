/* Packet dissection for the debugger: Ethernet, 802.1Q/802.1ad tags, ARP, IPv4, IPv6, ICMP,
 * ICMPv6, UDP and TCP, the rest as raw bytes.
 *
 * One walk (dissect) finds the layers and lists their fields as (layer, name, byte offset, bit
 * offset, width); the `pkt` printout, the header fields of expressions (ip.ttl) and completion
 * all read that list, so a field printed by `pkt` is exactly what `print` and `break ... if`
 * take. Every read is bounds-checked against the packet's length: a layer cut short is shown
 * as far as it goes and its missing fields are absent, never read past the end. Checksums are
 * verified (IPv4 header; ICMP; UDP and TCP with their pseudo-headers, when the whole segment
 * is there). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "repl.h"

enum { ETH_VLAN = 0x8100, ETH_QINQ = 0x88a8, ETH_ARP = 0x0806, ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd };

/* Every field dissect can produce, for completion and to tell "absent" from "unknown". */
static const char *const field_names[] = {
    "eth.dst", "eth.src", "eth.type", "vlan.pcp", "vlan.dei", "vlan.id", "vlan.type", "arp.htype", "arp.ptype",
    "arp.hlen", "arp.plen", "arp.op", "arp.sha", "arp.spa", "arp.tha", "arp.tpa", "ip.version", "ip.ihl",
    "ip.tos", "ip.len", "ip.id", "ip.flags", "ip.frag", "ip.ttl", "ip.proto", "ip.checksum", "ip.src", "ip.dst",
    "ipv6.version", "ipv6.tc", "ipv6.flow", "ipv6.plen", "ipv6.nxt", "ipv6.hlim", "ipv6.src", "ipv6.dst",
    "icmp.type", "icmp.code", "icmp.checksum", "icmp.id", "icmp.seq", "icmpv6.type", "icmpv6.code",
    "icmpv6.checksum", "udp.sport", "udp.dport", "udp.len", "udp.checksum", "tcp.sport", "tcp.dport", "tcp.seq",
    "tcp.ack", "tcp.off", "tcp.flags", "tcp.window", "tcp.checksum", "tcp.urg", NULL,
};

const char *const *repl_field_names(void)
{
    return field_names;
}

static uint32_t be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }

uint16_t repl_csum(const uint8_t *p, uint32_t len, uint32_t init)
{
    uint64_t sum = init;
    uint32_t i = 0;
    for (; i + 1 < len; i += 2)
        sum += be16(p + i);
    if (i < len)
        sum += (uint32_t)p[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void add(ReplDissection *d, const char *layer, const char *name, uint32_t off, uint32_t bitoff, uint32_t bits,
                int hint, const char *label)
{
    if (d->nfields < sizeof d->fields / sizeof d->fields[0])
        d->fields[d->nfields++] = (ReplField){layer, name, off, bitoff, bits, hint, label, d->nlayers - 1};
}

static void layer(ReplDissection *d, const char *name, uint32_t off)
{
    if (d->nlayers < sizeof d->layers / sizeof d->layers[0]) {
        snprintf(d->layers[d->nlayers], sizeof d->layers[0], "%s", name);
        d->layer_off[d->nlayers++] = off;
    }
}

static void dissect_l4(const uint8_t *p, uint32_t len, uint32_t o, uint32_t proto, int v6, ReplDissection *d)
{
    if ((proto == 1 && !v6) || (proto == 58 && v6)) {
        const char *l = v6 ? "icmpv6" : "icmp";
        if (len < o + 4)
            return;
        layer(d, l, o);
        add(d, l, "type", o, 0, 8, 0, "Type");
        add(d, l, "code", o + 1, 0, 8, 0, "Code");
        add(d, l, "checksum", o + 2, 0, 16, 0, "Checksum");
        if (!v6 && len >= o + 8 && (p[o] == 0 || p[o] == 8)) {
            add(d, l, "id", o + 4, 0, 16, 0, "Identifier");
            add(d, l, "seq", o + 6, 0, 16, 0, "Sequence Number");
            d->payload_off = o + 8;
        } else {
            d->payload_off = o + 4;
        }
    } else if (proto == 17) {
        if (len < o + 8)
            return;
        layer(d, "udp", o);
        add(d, "udp", "sport", o, 0, 16, 0, "Source Port");
        add(d, "udp", "dport", o + 2, 0, 16, 0, "Destination Port");
        add(d, "udp", "len", o + 4, 0, 16, 0, "Length");
        add(d, "udp", "checksum", o + 6, 0, 16, 0, "Checksum");
        d->payload_off = o + 8;
    } else if (proto == 6) {
        if (len < o + 20)
            return;
        layer(d, "tcp", o);
        add(d, "tcp", "sport", o, 0, 16, 0, "Source Port");
        add(d, "tcp", "dport", o + 2, 0, 16, 0, "Destination Port");
        add(d, "tcp", "seq", o + 4, 0, 32, 0, "Sequence Number");
        add(d, "tcp", "ack", o + 8, 0, 32, 0, "Acknowledgment Number");
        add(d, "tcp", "off", o + 12, 0, 4, 0, "Header Length (words)");
        add(d, "tcp", "flags", o + 12, 4, 12, 0, "Flags");
        add(d, "tcp", "window", o + 14, 0, 16, 0, "Window");
        add(d, "tcp", "checksum", o + 16, 0, 16, 0, "Checksum");
        add(d, "tcp", "urg", o + 18, 0, 16, 0, "Urgent Pointer");
        uint32_t hl = (uint32_t)(p[o + 12] >> 4) * 4;
        d->payload_off = hl >= 20 && o + hl <= len ? o + hl : o + 20;
    }
}

void repl_dissect(const uint8_t *p, uint32_t len, ReplDissection *d)
{
    memset(d, 0, sizeof *d);
    d->payload_off = 0;
    if (len < 14)
        return;
    layer(d, "eth", 0);
    add(d, "eth", "dst", 0, 0, 48, HINT_MAC, "Destination");
    add(d, "eth", "src", 6, 0, 48, HINT_MAC, "Source");
    add(d, "eth", "type", 12, 0, 16, 0, "Type");
    uint32_t o = 14, type = be16(p + 12);
    d->payload_off = 14;
    int tags = 0;
    while ((type == ETH_VLAN || type == ETH_QINQ) && len >= o + 4 && tags < 2) {
        layer(d, "vlan", o - 2);
        add(d, "vlan", "pcp", o, 0, 3, 0, "Priority");
        add(d, "vlan", "dei", o, 3, 1, 0, "DEI");
        add(d, "vlan", "id", o, 4, 12, 0, "ID");
        add(d, "vlan", "type", o + 2, 0, 16, 0, "Type");
        type = be16(p + o + 2);
        o += 4;
        d->payload_off = o;
        tags++;
    }
    if (type == ETH_ARP && len >= o + 28 && be16(p + o) == 1 && be16(p + o + 2) == ETH_IPV4 && p[o + 4] == 6 &&
        p[o + 5] == 4) {
        layer(d, "arp", o);
        add(d, "arp", "htype", o, 0, 16, 0, "Hardware type");
        add(d, "arp", "ptype", o + 2, 0, 16, 0, "Protocol type");
        add(d, "arp", "hlen", o + 4, 0, 8, 0, "Hardware size");
        add(d, "arp", "plen", o + 5, 0, 8, 0, "Protocol size");
        add(d, "arp", "op", o + 6, 0, 16, 0, "Opcode");
        add(d, "arp", "sha", o + 8, 0, 48, HINT_MAC, "Sender MAC address");
        add(d, "arp", "spa", o + 14, 0, 32, HINT_IPV4, "Sender IP address");
        add(d, "arp", "tha", o + 18, 0, 48, HINT_MAC, "Target MAC address");
        add(d, "arp", "tpa", o + 24, 0, 32, HINT_IPV4, "Target IP address");
        d->payload_off = o + 28;
    } else if (type == ETH_IPV4 && len >= o + 20 && p[o] >> 4 == 4 && (p[o] & 15) >= 5) {
        uint32_t hl = (uint32_t)(p[o] & 15) * 4;
        layer(d, "ip", o);
        add(d, "ip", "version", o, 0, 4, 0, "Version");
        add(d, "ip", "ihl", o, 4, 4, 0, "Header Length (words)");
        add(d, "ip", "tos", o + 1, 0, 8, 0, "Differentiated Services");
        add(d, "ip", "len", o + 2, 0, 16, 0, "Total Length");
        add(d, "ip", "id", o + 4, 0, 16, 0, "Identification");
        add(d, "ip", "flags", o + 6, 0, 3, 0, "Flags");
        add(d, "ip", "frag", o + 6, 3, 13, 0, "Fragment Offset (8-byte units)");
        add(d, "ip", "ttl", o + 8, 0, 8, 0, "Time to Live");
        add(d, "ip", "proto", o + 9, 0, 8, 0, "Protocol");
        add(d, "ip", "checksum", o + 10, 0, 16, 0, "Header Checksum");
        add(d, "ip", "src", o + 12, 0, 32, HINT_IPV4, "Source Address");
        add(d, "ip", "dst", o + 16, 0, 32, HINT_IPV4, "Destination Address");
        d->payload_off = o + 20;
        int later_fragment = (be16(p + o + 6) & 0x1fff) != 0;
        if (len >= o + hl) {
            d->payload_off = o + hl;
            if (!later_fragment)
                dissect_l4(p, len, o + hl, p[o + 9], 0, d);
        }
    } else if (type == ETH_IPV6 && len >= o + 40 && p[o] >> 4 == 6) {
        layer(d, "ipv6", o);
        add(d, "ipv6", "version", o, 0, 4, 0, "Version");
        add(d, "ipv6", "tc", o, 4, 8, 0, "Traffic Class");
        add(d, "ipv6", "flow", o + 1, 4, 20, 0, "Flow Label");
        add(d, "ipv6", "plen", o + 4, 0, 16, 0, "Payload Length");
        add(d, "ipv6", "nxt", o + 6, 0, 8, 0, "Next Header");
        add(d, "ipv6", "hlim", o + 7, 0, 8, 0, "Hop Limit");
        add(d, "ipv6", "src", o + 8, 0, 128, HINT_IPV6, "Source Address");
        add(d, "ipv6", "dst", o + 24, 0, 128, HINT_IPV6, "Destination Address");
        d->payload_off = o + 40;
        dissect_l4(p, len, o + 40, p[o + 6], 1, d);
    }
}

static ReplValue field_value(const uint8_t *p, const ReplField *f)
{
    ReplValue v;
    memset(&v, 0, sizeof v);
    v.hint = f->hint;
    if (f->hint != HINT_NONE) { /* addresses: byte strings */
        v.is_bytes = 1;
        v.len = f->bits / 8;
        memcpy(v.bytes, p + f->off, v.len);
        for (uint32_t i = 0; i < v.len && v.len <= 8; i++)
            v.v = v.v << 8 | v.bytes[i];
        v.bits = f->bits;
        return v;
    }
    uint32_t nbytes = (f->bitoff + f->bits + 7) / 8;
    uint64_t x = 0;
    for (uint32_t i = 0; i < nbytes; i++)
        x = x << 8 | p[f->off + i];
    x >>= nbytes * 8 - f->bitoff - f->bits;
    if (f->bits < 64)
        x &= (1ull << f->bits) - 1;
    v.v = x;
    v.bits = f->bits;
    return v;
}

static const char *canonical_layer(const char *l, size_t n)
{
    static const struct {
        const char *alias, *name;
    } aliases[] = {{"eth", "eth"},   {"ether", "eth"},   {"vlan", "vlan"},     {"dot1q", "vlan"},
                   {"arp", "arp"},   {"ip", "ip"},       {"ipv4", "ip"},       {"ip4", "ip"},
                   {"ipv6", "ipv6"}, {"ip6", "ipv6"},    {"icmp", "icmp"},     {"icmpv6", "icmpv6"},
                   {"icmp6", "icmpv6"}, {"udp", "udp"},  {"tcp", "tcp"}};
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strlen(aliases[i].alias) == n && memcmp(aliases[i].alias, l, n) == 0)
            return aliases[i].name;
    return NULL;
}

static const char *canonical_field(const char *f)
{
    if (strcmp(f, "srcport") == 0)
        return "sport";
    if (strcmp(f, "dstport") == 0)
        return "dport";
    if (strcmp(f, "protocol") == 0)
        return "proto";
    if (strcmp(f, "hop_limit") == 0)
        return "hlim";
    return f;
}

int repl_field_get(const uint8_t *p, uint32_t len, const char *name, ReplValue *out)
{
    const char *dot = strchr(name, '.');
    if (!dot)
        return -1;
    const char *l = canonical_layer(name, (size_t)(dot - name));
    const char *f = canonical_field(dot + 1);
    if (!l)
        return -1;
    int known = 0;
    size_t ll = strlen(l);
    for (const char *const *n = field_names; *n; n++)
        if (strncmp(*n, l, ll) == 0 && (*n)[ll] == '.' && strcmp(*n + ll + 1, f) == 0)
            known = 1;
    if (!known)
        return -1;
    ReplDissection d;
    repl_dissect(p, len, &d);
    for (uint32_t i = 0; i < d.nfields; i++)
        if (strcmp(d.fields[i].layer, l) == 0 && strcmp(d.fields[i].name, f) == 0) {
            *out = field_value(p, &d.fields[i]);
            return 1;
        }
    return 0;
}

static const char *ethertype_name(uint32_t t)
{
    switch (t) {
    case ETH_IPV4: return "IPv4";
    case ETH_ARP: return "ARP";
    case ETH_VLAN: return "802.1Q Virtual LAN";
    case ETH_QINQ: return "802.1ad";
    case ETH_IPV6: return "IPv6";
    case 0x88b5: return "Local Experimental (Sluice tunnel)";
    case 0x88cc: return "LLDP";
    case 0x8847: return "MPLS";
    }
    return "unknown";
}

static const char *proto_name(uint32_t p)
{
    switch (p) {
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPv6";
    case 47: return "GRE";
    case 58: return "ICMPv6";
    case 0: return "IPv6 Hop-by-Hop";
    case 43: return "IPv6 Routing";
    case 44: return "IPv6 Fragment";
    case 59: return "No Next Header";
    }
    return "unknown";
}

static const char *icmp_name(uint32_t t, int v6)
{
    if (v6) {
        switch (t) {
        case 1: return "Destination Unreachable";
        case 2: return "Packet Too Big";
        case 3: return "Time Exceeded";
        case 128: return "Echo (ping) request";
        case 129: return "Echo (ping) reply";
        case 133: return "Router Solicitation";
        case 134: return "Router Advertisement";
        case 135: return "Neighbor Solicitation";
        case 136: return "Neighbor Advertisement";
        }
        return "unknown";
    }
    switch (t) {
    case 0: return "Echo (ping) reply";
    case 3: return "Destination unreachable";
    case 5: return "Redirect";
    case 8: return "Echo (ping) request";
    case 11: return "Time-to-live exceeded";
    }
    return "unknown";
}

static void tcp_flags(uint32_t f, char *buf, size_t cap)
{
    static const char *const names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 8; i >= 0; i--)
        if (f >> i & 1)
            k += (size_t)snprintf(buf + k, cap - k, "%s%s", k ? ", " : "", names[i]);
    if (!k)
        snprintf(buf, cap, "none");
}

/* The L4 checksum over the pseudo-header: 0 when correct. */
static uint16_t l4_check(const uint8_t *p, uint32_t l3, int v6, uint32_t o, uint32_t n, uint32_t proto)
{
    uint32_t sum = 0;
    if (v6) {
        for (int i = 0; i < 32; i += 2)
            sum += be16(p + l3 + 8 + i);
    } else {
        for (int i = 0; i < 8; i += 2)
            sum += be16(p + l3 + 12 + i);
    }
    sum += proto + n;
    return repl_csum(p + o, n, sum);
}

static void print_field(Repl *r, const uint8_t *p, uint32_t len, const ReplDissection *d, const ReplField *f,
                        int v6, uint32_t l3)
{
    ReplValue v = field_value(p, f);
    char val[160], extra[160] = "", full[64];
    repl_value_format(&v, f->hint ? 0 : 'd', val, sizeof val);
    snprintf(full, sizeof full, "%s.%s", f->layer, f->name);
    if (strcmp(full, "eth.type") == 0 || strcmp(full, "vlan.type") == 0)
        snprintf(val, sizeof val, "%s (0x%04" PRIx64 ")", ethertype_name((uint32_t)v.v), v.v);
    else if (strcmp(full, "ip.proto") == 0 || strcmp(full, "ipv6.nxt") == 0)
        snprintf(val, sizeof val, "%s (%" PRIu64 ")", proto_name((uint32_t)v.v), v.v);
    else if (strcmp(full, "arp.op") == 0)
        snprintf(val, sizeof val, "%s (%" PRIu64 ")", v.v == 1 ? "request" : v.v == 2 ? "reply" : "unknown", v.v);
    else if (strcmp(f->layer, "icmp") == 0 && strcmp(f->name, "type") == 0)
        snprintf(val, sizeof val, "%" PRIu64 " (%s)", v.v, icmp_name((uint32_t)v.v, 0));
    else if (strcmp(f->layer, "icmpv6") == 0 && strcmp(f->name, "type") == 0)
        snprintf(val, sizeof val, "%" PRIu64 " (%s)", v.v, icmp_name((uint32_t)v.v, 1));
    else if (strcmp(full, "tcp.flags") == 0) {
        char fl[96];
        tcp_flags((uint32_t)v.v, fl, sizeof fl);
        snprintf(val, sizeof val, "0x%03" PRIx64 " (%s)", v.v, fl);
    } else if (strcmp(full, "ip.flags") == 0)
        snprintf(val, sizeof val, "0x%" PRIx64 "%s%s", v.v, v.v & 2 ? ", Don't fragment" : "",
                 v.v & 1 ? ", More fragments" : "");
    else if (strcmp(f->name, "checksum") == 0 || strcmp(full, "ip.tos") == 0 || strcmp(full, "ipv6.flow") == 0 ||
             strcmp(full, "ipv6.tc") == 0 || strcmp(full, "arp.ptype") == 0)
        snprintf(val, sizeof val, "0x%0*" PRIx64, (int)((f->bits + 3) / 4), v.v);
    if (strcmp(full, "ip.checksum") == 0) {
        uint32_t hl = (uint32_t)(p[f->off - 10] & 15) * 4;
        if (f->off - 10 + hl <= len)
            snprintf(extra, sizeof extra, " [%s]", repl_csum(p + f->off - 10, hl, 0) == 0 ? "correct" : "incorrect");
    } else if (strcmp(f->name, "checksum") == 0) {
        /* L4: over what the IP header says is there, when all of it was captured */
        uint32_t o = f->off - (strcmp(f->layer, "udp") == 0 ? 6 : strcmp(f->layer, "tcp") == 0 ? 16 : 2);
        uint32_t total = v6 ? 40 + be16(p + l3 + 4) : be16(p + l3 + 2);
        uint32_t n = l3 + total > o ? l3 + total - o : 0;
        if (n && l3 + total <= len) {
            uint16_t c = strcmp(f->layer, "icmp") == 0 ? repl_csum(p + o, n, 0)
                                                       : l4_check(p, l3, v6, o, n, v6 ? p[l3 + 6] : p[l3 + 9]);
            if (strcmp(f->layer, "udp") == 0 && v.v == 0 && !v6)
                snprintf(extra, sizeof extra, " [none]");
            else
                snprintf(extra, sizeof extra, " [%s]", c == 0 ? "correct" : "incorrect");
        }
    }
    (void)d;
    repl_printf(r, "    %s: %s%s  [%s]\n", f->label, val, extra, full);
}

static const char *layer_title(const char *l)
{
    if (strcmp(l, "eth") == 0) return "Ethernet II";
    if (strcmp(l, "vlan") == 0) return "802.1Q Virtual LAN";
    if (strcmp(l, "arp") == 0) return "Address Resolution Protocol";
    if (strcmp(l, "ip") == 0) return "Internet Protocol Version 4";
    if (strcmp(l, "ipv6") == 0) return "Internet Protocol Version 6";
    if (strcmp(l, "icmp") == 0) return "Internet Control Message Protocol";
    if (strcmp(l, "icmpv6") == 0) return "Internet Control Message Protocol v6";
    if (strcmp(l, "udp") == 0) return "User Datagram Protocol";
    if (strcmp(l, "tcp") == 0) return "Transmission Control Protocol";
    return l;
}

void repl_print_packet(Repl *r, const uint8_t *p, uint32_t len)
{
    ReplDissection d;
    repl_dissect(p, len, &d);
    uint32_t l3 = 0;
    int v6 = 0;
    for (uint32_t k = 0; k < d.nlayers; k++) {
        const char *l = d.layers[k];
        char summary[160] = "";
        ReplValue a, b;
        char sa[64], sb[64];
        if (strcmp(l, "ip") == 0 || strcmp(l, "ipv6") == 0) {
            l3 = d.layer_off[k];
            v6 = l[2] == 'v';
        }
        char fa[32], fb[32];
        snprintf(fa, sizeof fa, "%s.src", l);
        snprintf(fb, sizeof fb, "%s.dst", l);
        if (strcmp(l, "udp") == 0 || strcmp(l, "tcp") == 0) {
            snprintf(fa, sizeof fa, "%s.sport", l);
            snprintf(fb, sizeof fb, "%s.dport", l);
        }
        if (repl_field_get(p, len, fa, &a) == 1 && repl_field_get(p, len, fb, &b) == 1) {
            repl_value_format(&a, a.hint ? 0 : 'd', sa, sizeof sa);
            repl_value_format(&b, b.hint ? 0 : 'd', sb, sizeof sb);
            snprintf(summary, sizeof summary, ", Src%s: %s, Dst%s: %s", a.hint ? "" : " Port", sa, b.hint ? "" : " Port", sb);
        }
        repl_printf(r, "%s%s\n", layer_title(l), summary);
        for (uint32_t i = 0; i < d.nfields; i++)
            if (d.fields[i].li == k)
                print_field(r, p, len, &d, &d.fields[i], v6, l3);
    }
    if (d.nlayers == 0) {
        repl_printf(r, "Not an Ethernet frame (%u bytes)\n", len);
        repl_hexdump(r, p, len, 0);
        return;
    }
    if (d.payload_off < len) {
        const char *last = d.layers[d.nlayers - 1];
        if (strcmp(last, "eth") == 0 || strcmp(last, "vlan") == 0) { /* an EtherType we do not decode */
            uint32_t type = be16(p + d.payload_off - 2);
            repl_printf(r, "Data (%u bytes, EtherType 0x%04x: %s)\n", len - d.payload_off, type, ethertype_name(type));
        } else {
            repl_printf(r, "Data (%u bytes)\n", len - d.payload_off);
        }
        repl_hexdump(r, p + d.payload_off, len - d.payload_off, d.payload_off);
    }
}

void repl_hexdump(Repl *r, const uint8_t *p, uint32_t len, uint32_t base)
{
    for (uint32_t o = 0; o < len; o += 16) {
        char line[128];
        size_t k = (size_t)snprintf(line, sizeof line, "    %04x ", base + o);
        for (uint32_t i = 0; i < 16; i++) {
            if (o + i < len)
                k += (size_t)snprintf(line + k, sizeof line - k, " %02x", p[o + i]);
            else
                k += (size_t)snprintf(line + k, sizeof line - k, "   ");
            if (i == 7)
                line[k++] = ' ';
        }
        k += (size_t)snprintf(line + k, sizeof line - k, "  ");
        for (uint32_t i = 0; i < 16 && o + i < len; i++)
            line[k++] = p[o + i] >= 0x20 && p[o + i] < 0x7f ? (char)p[o + i] : '.';
        line[k] = '\0';
        repl_printf(r, "%s\n", line);
    }
}
