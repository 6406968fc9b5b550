/* Deterministic random REPL scripts for tests/repl/fuzz.sh: `fuzzgen SEED N` prints N commands.
 *
 * Commands are drawn from templates of every command, filled with values that are sometimes
 * right (registers, symbols, fields, ports and keys the l2learn sample has, header variables and
 * types of the custom sample's decap.sl) and sometimes
 * wrong (huge numbers, unknown names, broken syntax, random bytes), so that both the normal
 * paths and the error paths run many times. The same seed gives the same script. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state;

static uint64_t next(void)
{
    state += 0x9e3779b97f4a7c15ull; /* SplitMix64 */
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const char *pick(const char *const *list, size_t n)
{
    return list[next() % n];
}

#define PICK(list) pick(list, sizeof list / sizeof list[0])

static const char *const names[] = {
    "r0", "r1", "r6", "r15", "r16", "pc", "len", "port", "learned", "rx", "tx", "key", "val", "macs", "t0",
    "eth.dst", "eth.src", "eth.type", "ip.ttl", "ip.src", "ipv6.dst", "udp.dport", "tcp.flags", "arp.op",
    "vlan.id", "icmp.type", "pkt[0]", "pkt[12:14]", "pkt[0:64]", "pkt[100:90]", "mem[0:6]", "mem64[16]",
    "mem32[78]", "mem8[4096]", "switch", "bump", "mac_key", "flood", "nosuch", "ip.nosuch", "02:00:00:00:00:0a",
    "10.0.0.1", "fe80::1", "0x7fffffffffffffff", "18446744073709551615", "99999999999999999999", "-1", "((1)",
    "1+", "!0", "~0", "1/0", "7%0", "\x01\x7f", "",
    /* header variables and fields of the custom sample (decap.sl, compiled with -g) */
    "t", "t.seq", "t.magic", "t.nosuch", "ip", "ip.total_len", "eth.ethertype", "out.dst", "on_packet.t",
    "on_packet.t.channel",
};

static const char *const ops[] = {"+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||",
                                  "&", "|", "^", "<<", ">>", " ", "(", ")", "[", "]", ":"};

static void expr(char *buf, size_t cap)
{
    size_t k = 0;
    int n = 1 + (int)(next() % 4);
    buf[0] = '\0';
    for (int i = 0; i < n && k + 64 < cap; i++) {
        if (i)
            k += (size_t)snprintf(buf + k, cap - k, " %s ", PICK(ops));
        k += (size_t)snprintf(buf + k, cap - k, "%s", PICK(names));
    }
}

static const char *const locs[] = {"switch", "bump", "mac_key", "flood", "learn_new", "*0", "*72", "*73",
                                   "*-1", "l2learn.sla:10", "10", "nosuch", "fault", "drop", "send", "send 1",
                                   "send 9", "send p2", "*", "45", "64", "decap.sl:80", ""};
static const char *const fmts[] = {"", "/x", "/d", "/mac", "/ip", "/b", "/q"};
static const char *const sends[] = {
    "eth()/bytes(00)", "eth(dst=02:00:00:00:00:0b,src=02:00:00:00:00:0a)/ipv4(src=10.0.0.10,dst=10.0.0.11)/udp(sport=1,dport=9)/bytes(01 02)",
    "eth()/vlan(id=10)/ipv6()/icmpv6()", "eth()/ipv4()/tcp(flags=2)/pad(60)", "eth()/arp(op=1)", "eth()/ipv4()/icmp()",
    "ffffffffffff020000000001", "00", "eth(", "eth()/nosuch()", "eth(dst=zz)", "eth()/ipv4(ttl=999)",
    "eth()/bytes(0)", "eth()/pad(20000)", "eth(type=0x88b5)/bytes(de ad be ef)", "pkt", "eth()/ipv4()/ipv4()/udp()",
};
static const char *const types[] = {"sltun", "ipv4", "ethernet", "vlan", "nosuch", "", "sltun 14",
                                    "ipv4 26", "sltun 4294967295", "ipv4 len - 4", "sltun (", "ethernet t.seq"};
static const char *const keys[] = {"02:00:00:00:00:0a", "02:00:00:00:00:99", "{01 02 03 04 05 06}", "{01 02}",
                                   "10.0.0.1", "10.0.0.0/8", "7", "0x1000000000000", "nonsense", "{zz}"};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fuzzgen SEED N\n");
        return 2;
    }
    state = strtoull(argv[1], NULL, 0);
    long n = strtol(argv[2], NULL, 0);
    char e[512];
    for (long i = 0; i < n; i++) {
        uint64_t k = next() % 41;
        expr(e, sizeof e);
        switch (k) {
        case 0: printf("run %s\n", next() % 3 ? "1" : next() % 2 ? "" : "5"); break;
        case 1: printf("continue%s\n", next() % 4 ? "" : " 2"); break;
        case 2: printf("step\n"); break;
        case 3: printf("next\n"); break;
        case 4: printf("stepi %s\n", next() % 2 ? "" : "7"); break;
        case 5: printf("nexti\n"); break;
        case 6: printf("finish\n"); break;
        case 7: printf("bt\n"); break;
        case 8: printf("break %s%s%s\n", PICK(locs), next() % 3 ? "" : " if ", next() % 3 ? "" : e); break;
        case 9: printf("watch %s\n", next() % 2 ? PICK(names) : "macs[02:00:00:00:00:0a]"); break;
        case 10: printf("delete %s\n", next() % 2 ? "" : "1"); break;
        case 11: printf("disable %u\n", (unsigned)(next() % 5)); break;
        case 12: printf("enable\n"); break;
        case 13: printf("condition %u %s\n", (unsigned)(next() % 5), e); break;
        case 14: printf("info %s\n", next() % 2 ? "breakpoints" : next() % 2 ? "registers" : next() % 2 ? "locals" : "frame"); break;
        case 15:
        case 16:
        case 17: printf("print%s %s\n", PICK(fmts), e); break;
        case 18: printf("x %s\n", next() % 2 ? "" : next() % 2 ? "state 8 40" : "pkt 100 5"); break;
        case 19: printf("pkt\n"); break;
        case 20:
        case 21: printf("send %u %s\n", (unsigned)(next() % 6), PICK(sends)); break;
        case 22: printf("table %s\n", next() % 2 ? "" : "dump macs"); break;
        case 23: printf("table insert macs %s %s\n", PICK(keys), PICK(keys)); break;
        case 24: printf("table delete %s %s\n", next() % 2 ? "macs" : "t9", PICK(keys)); break;
        case 25: printf("table get macs %s\n", PICK(keys)); break;
        case 26: printf("stats\n"); break;
        case 27: printf("disas %s\n", next() % 2 ? "" : PICK(locs)); break;
        case 28: printf("list %s\n", next() % 2 ? "" : "5"); break;
        case 29: printf("set %s = %s\n", next() % 2 ? "r3" : next() % 2 ? "pkt[13]" : "mem32[12]", PICK(names)); break;
        case 30: if (next() % 8 == 0) printf("reset\n"); else printf("vms\n"); break;
        case 31: printf("ports%s\n", next() % 3 ? "" : " in 9 none"); break;
        case 32: printf("stop\n"); break;
        case 33: printf("help %s\n", next() % 2 ? "" : "break"); break;
        case 34: printf("vm %s\n", next() % 2 ? "0" : "7"); break;
        case 35: printf("%s\n", PICK(names)); break;
        case 36: { /* raw junk, starting with a character no command starts with, so that a
                    * prefix never turns it into `unload` or `quit` and ends the coverage early */
            int len = (int)(next() % 40);
            putchar('~');
            for (int j = 0; j < len; j++) {
                int c = (int)(next() % 95) + 32;
                putchar(c);
            }
            putchar('\n');
            break;
        }
        case 37: printf("b %s\n", PICK(locs)); break;
        case 38: printf("p %s\n", e); break;
        case 39: printf("pkt as %s\n", PICK(types)); break;
        default: printf("echo %ld\n", i); break;
        }
    }
    return 0;
}
