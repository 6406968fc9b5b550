/* Frame and capture writers for the samples' input generators (samples/<name>/gen.c): each
 * generator is a script of frames built with these, written as nanosecond pcap files, so that
 * the committed inputs can be rebuilt byte for byte. Frames get correct lengths and checksums
 * (IPv4 header, UDP, TCP, ICMP) unless a generator breaks them on purpose afterwards. */
#ifndef SLUICE_SAMPLES_GENLIB_H
#define SLUICE_SAMPLES_GENLIB_H

#include <stdint.h>
#include <stdio.h>

enum { GEN_MAX_FRAME = 2048 };

/* A frame being built: bytes [0, len). */
typedef struct GenFrame {
    uint8_t b[GEN_MAX_FRAME];
    unsigned len;
} GenFrame;

/* Time base of every sample capture: 1700000000 s; gen_ms(ms) is that plus ms milliseconds. */
uint64_t gen_ms(uint64_t ms);

/* An IPv4 address a.b.c.d as its network-order value. */
uint32_t gen_ip(unsigned a, unsigned b, unsigned c, unsigned d);

/* Starts a frame: Ethernet destination, source (48-bit values, first byte most significant)
 * and EtherType. */
void gen_eth(GenFrame *f, uint64_t dst, uint64_t src, uint16_t type);
/* Inserts an 802.1Q tag (VLAN vid, priority 0) after the MAC addresses of a started frame. */
void gen_vlan(GenFrame *f, uint16_t vid);
/* Appends n bytes. */
void gen_bytes(GenFrame *f, const void *p, unsigned n);
/* Appends n bytes of a repeating text pattern (payloads tshark shows readably). */
void gen_pattern(GenFrame *f, unsigned n);
/* Pads the frame with zero bytes to the 60-byte Ethernet minimum. */
void gen_pad(GenFrame *f);

/* ARP for IPv4 over Ethernet, appended (28 bytes). */
void gen_arp(GenFrame *f, uint16_t op, uint64_t sha, uint32_t spa, uint64_t tha, uint32_t tpa);

/* Appends a 20-byte IPv4 header (DF set); returns its offset, to pass to gen_ipv4_end once the
 * payload is appended. */
unsigned gen_ipv4(GenFrame *f, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, uint16_t id);
/* Sets the total length (from the frame's end) and the header checksum. */
void gen_ipv4_end(GenFrame *f, unsigned ip);

/* Transport headers appended after the IPv4 header at ip, with n pattern bytes of payload;
 * they close the IPv4 header too (length, checksum) and compute their own checksum. */
void gen_udp(GenFrame *f, unsigned ip, uint16_t sport, uint16_t dport, unsigned n);
/* The same with the given payload bytes. */
void gen_udp_data(GenFrame *f, unsigned ip, uint16_t sport, uint16_t dport, const void *data, unsigned n);
void gen_tcp(GenFrame *f, unsigned ip, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
             uint8_t flags, unsigned n);
void gen_icmp_echo(GenFrame *f, unsigned ip, uint8_t type, uint16_t id, uint16_t seq, unsigned n);

enum { GEN_FIN = 1, GEN_SYN = 2, GEN_RST = 4, GEN_PSH = 8, GEN_ACK = 16 };

/* The Internet checksum of n bytes with acc added (already inverted, ready to store). */
uint16_t gen_csum(const uint8_t *p, unsigned n, uint32_t acc);

/* A nanosecond pcap file (Ethernet). gen_pcap_open prints why it failed and returns NULL;
 * gen_pcap_close returns 0, or -1 after printing a write error. */
FILE *gen_pcap_open(const char *dir, const char *name);
void gen_pcap_put(FILE *out, uint64_t ns, const GenFrame *f);
int gen_pcap_close(FILE *out);

#endif
