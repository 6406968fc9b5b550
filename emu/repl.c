/* The REPL's entry, its command table and dispatch, help, and the two input modes.
 *
 * A command line is split into words (whitespace; "double quotes" group), the first word picks
 * the command by its full name, an alias, or a unique prefix, and the command gets the words.
 * Commands that take free text (print, break ... if, send) join the words back. Every command
 * returns 0 or -1; -1 has printed its "error: ..." line and counts as a failed command. Nothing
 * a user types can crash the session: each command validates its words and the program's
 * faults are reported as stops.
 *
 * Interactive mode (a terminal): readline prompt "(slemu) ", history, completion; an empty line
 * repeats a stepping command. Script mode (-x FILE, or a standard input that is not a terminal):
 * the same commands, no prompt; with --echo each command is printed first, prefixed by the
 * prompt, so a script's output reads as a session transcript. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl.h"

typedef int (*CmdFn)(Repl *r, int argc, char **argv);

typedef struct Command {
    const char *name;
    const char *aliases; /* space separated, or "" */
    const char *args;
    const char *brief;
    const char *help;
    CmdFn fn;
    int repeat; /* an empty line repeats it */
} Command;

static int cmd_help(Repl *r, int argc, char **argv);
static int cmd_quit(Repl *r, int argc, char **argv);
static int cmd_echo(Repl *r, int argc, char **argv);

static const Command commands[] = {
    {"help", "h ?", "[COMMAND]", "list the commands, or explain one",
     "With no argument, lists every command. `help break` explains one.", cmd_help, 0},
    {"load", "", "FILE [NAME]", "load an image (.slb, .sla, .sl) or a setup file (.yaml)",
     "Loads FILE as a new VM and makes it current. An .sla is assembled and an .sl compiled\n"
     "(with debug info) first. A setup file (.yaml) replaces the session: its VMs, port maps\n"
     "and captures. Without a setup, packets go to the current VM, port i to its port i.",
     cmd_load, 0},
    {"unload", "", "[VM]", "remove a VM (the current one by default)",
     "Removes the VM and its breakpoints; a packet it was running is abandoned.", cmd_unload, 0},
    {"vms", "", "", "list the VMs", "Lists the VMs: id, name, image, handlers, state; `*` marks the current one.",
     cmd_vms, 0},
    {"vm", "", "VM", "make a VM current (by id or name)",
     "Commands that look at a program (print, break, table, disas...) use the current VM.", cmd_vm, 0},
    {"ports", "port", "[in|out PORT SPEC|none]", "list or bind ports",
     "`ports` lists the physical ports with their bindings and counters.\n"
     "`ports in 0 in.pcap` reads port 0's frames from a capture (pcap or pcapng);\n"
     "`ports out 1 out.pcap` writes what leaves port 1; SPEC may be a live interface\n"
     "(if:NAME); `none` unbinds (frames sent to a port with no output count as dropped).",
     cmd_ports, 0},
    {"run", "r", "[N]", "run the next N packets (all by default)",
     "Feeds packets from the bound inputs in timestamp order (ties: lower port first), with\n"
     "init at the first packet's time and timers before each packet, as slemu does. Stops at\n"
     "a breakpoint, a watchpoint, a fault (with `break fault`) or Ctrl-C. With N, prints one\n"
     "line per packet.", cmd_run, 0},
    {"continue", "c cont", "[N]", "resume a stopped packet (then go on with the inputs)",
     "Resumes the stopped run; when it ends, goes on with the inputs like `run`. With N,\n"
     "ignores the breakpoint that stopped it N-1 more times.", cmd_continue, 1},
    {"stop", "kill", "", "abandon the packet in flight",
     "The stopped run is abandoned: the packet is dropped (counted as dropped).", cmd_stop, 0},
    {"step", "s", "[N]", "step to the next source line (into calls)",
     "Runs until the source line changes; without a line table, one instruction.", cmd_step, 1},
    {"next", "n", "[N]", "step over calls to the next source line",
     "Like step, but calls run to their return; without a line table, one instruction\n"
     "stepping over calls.", cmd_next, 1},
    {"stepi", "si", "[N]", "run one instruction (N instructions)", "Runs exactly N instructions (1).",
     cmd_stepi, 1},
    {"nexti", "ni", "[N]", "one instruction, stepping over calls", "Like stepi, but a call runs to its return.",
     cmd_stepi, 1},
    {"finish", "fin", "", "run until the current function returns",
     "In the handler itself, runs to the end of the packet.", cmd_finish, 0},
    {"bt", "backtrace where", "", "show the call stack", "Lists the frames, innermost first.", cmd_bt, 0},
    {"break", "b", "LOCATION|fault|drop|send [PORT] [if COND]", "set a breakpoint",
     "LOCATION: file:line, line, a function, handler or label name, or *N (instruction N).\n"
     "`break fault` stops after a run faults, `break drop` before the instruction that drops\n"
     "the packet, `break send 1` before a send (or clone) to port 1 (any port without one).\n"
     "`if COND` makes it conditional: `break router.sl:42 if ip.ttl < 2`; a header field\n"
     "absent from the packet makes the condition false.", cmd_break, 0},
    {"watch", "", "STATE-VAR | mem[A:B] | TABLE[KEY]", "stop when state bytes or a table entry change",
     "`watch learned` stops after an instruction changes the state variable; `watch mem[16:24]`\n"
     "a byte range; `watch macs[02:00:00:00:00:0a]` an entry of a table (added, changed,\n"
     "deleted).", cmd_watch, 0},
    {"delete", "d", "[N...]", "delete breakpoints (all by default)", "Deletes breakpoints and watchpoints.",
     cmd_delete, 0},
    {"disable", "", "[N...]", "disable breakpoints (all by default)", "They stay listed but do not stop.",
     cmd_disable, 0},
    {"enable", "", "[N...]", "enable breakpoints (all by default)", "Undoes disable.", cmd_enable, 0},
    {"condition", "cond", "N [COND]", "set or remove a breakpoint's condition",
     "`condition 2 ip.ttl < 2`; with no COND the breakpoint becomes unconditional.", cmd_condition, 0},
    {"info", "i", "breakpoints|registers|locals|frame|symbols|handlers|tables|line", "describe the session",
     "info breakpoints (b), registers (r), locals, frame, symbols, handlers, tables, line.", cmd_info, 0},
    {"print", "p", "[/x|/d|/mac|/ip|/b] EXPR", "evaluate an expression",
     "EXPR: numbers (42, 0x2a), MAC (02:00:00:00:00:01) and IPv4 (10.0.0.1) literals,\n"
     "registers r0..r15, pc, len, port, variables (from debug info), state symbols,\n"
     "header fields (eth.src, ip.ttl, udp.dport...), the program's header variables\n"
     "(`print h` shows all its fields, h.field one), pkt[14] and pkt[14:16] (bytes,\n"
     "big-endian), mem[A:B] (state bytes), mem8/16/32/64[A] (state, little-endian as ldm\n"
     "reads it), with C operators (+ - * / % & | ^ ~ << >> == != < <= > >= && || !).\n"
     "Formats: /x hex, /d decimal, /mac, /ip, /b bytes.", cmd_print, 0},
    {"x", "", "[pkt|state|mem] [START [LEN]]", "hexdump the packet or state memory",
     "`x` dumps the packet; `x state 16 32` 32 bytes of state from 16; `x NAME` a state symbol.",
     cmd_x, 0},
    {"pkt", "packet", "[as TYPE [OFFSET]]", "decode the current packet layer by layer",
     "Ethernet, 802.1Q, ARP, IPv4, IPv6, ICMP, ICMPv6, UDP, TCP; unknown EtherTypes and\n"
     "payloads as raw bytes; then the program's header variables in scope at the stop\n"
     "(debug info: slc -g). Each field shows the name `print` and `break ... if` take.\n"
     "`pkt as TYPE [OFFSET]` decodes the bytes at OFFSET (an expression; by default where\n"
     "the standard layers end) as the program's header type TYPE.", cmd_pkt, 0},
    {"send", "inject", "PORT HEX|LAYERS", "craft a packet and run it",
     "Runs a crafted frame as if it arrived on physical PORT. The frame is hex bytes\n"
     "(`send 0 ffffffffffff 020000000001 0800 ...`) or layers joined by '/':\n"
     "  eth(dst=,src=,type=) vlan(id=,pcp=,type=) arp(op=,sha=,spa=,tha=,tpa=)\n"
     "  ipv4(src=,dst=,ttl=,proto=,id=,tos=,df=) ipv6(src=,dst=,hlim=,nxt=,flow=)\n"
     "  icmp(type=,code=,id=,seq=) icmpv6(type=,code=) udp(sport=,dport=)\n"
     "  tcp(sport=,dport=,seq=,ack=,flags=,window=) bytes(HEX) pad(N)\n"
     "Types, protocol numbers, lengths and checksums are filled in unless given, e.g.\n"
     "  send 0 eth(dst=02:00:00:00:00:01,type=0x88b5)/bytes(01 02 03)\n"
     "  send 0 eth()/ipv4(src=10.0.0.1,dst=10.0.0.2)/udp(sport=1000,dport=53)/bytes(68 69)",
     cmd_send, 0},
    {"table", "tables", "[dump|insert|delete|get] TABLE [KEY [VALUE]]", "the control plane by hand",
     "`table` lists the tables; `table dump macs` prints the entries (keys sorted);\n"
     "`table insert macs 02:00:00:00:00:0a 1` adds or replaces an entry; `table delete macs\n"
     "KEY`; `table get macs KEY`. Keys and values: MAC, IPv4 (LPM: 10.0.0.0/8), IPv6, hex\n"
     "bytes {01 02}, or integers (stored little-endian, as stm writes them).", cmd_table, 0},
    {"stats", "", "", "counters per VM and per port", "Packets, verdicts, faults and instructions.", cmd_stats, 0},
    {"disas", "disassemble", "[FUNCTION|*N [COUNT]]", "disassemble (with source lines when known)",
     "With no argument, the function around the stop (or the first handler's). `*N COUNT`\n"
     "from instruction N. `=>` marks the stop; source lines are interleaved from the line table.",
     cmd_disas, 0},
    {"list", "l", "[FILE:]LINE | FUNCTION", "show source lines",
     "Lists ten lines around a line, a function or the stop (needs a line table and the file).", cmd_list, 0},
    {"set", "", "var|reg|pkt|mem ...", "change registers, packet or state bytes",
     "`set r3 = 7`, `set pkt[22] = 1` (a byte), `set mem32[12] = 0` (state, little-endian).", cmd_set, 0},
    {"reset", "", "", "restart: initial state, inputs rewound, counters cleared",
     "Every VM's state and tables go back to the image's; inputs are reopened from the start;\n"
     "outputs keep what they have and go on (bind them again to start new files);\n"
     "breakpoints stay.", cmd_reset, 0},
    {"echo", "", "TEXT", "print TEXT (for scripts)", "Prints its arguments.", cmd_echo, 0},
    {"quit", "q exit", "[STATUS]", "leave", "Leaves the REPL (closing the outputs).", cmd_quit, 0},
};

enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

void repl_printf(Repl *r, const char *fmt, ...)
{
    va_list ap;
    if (r->silent)
        return;
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
}

void repl_error(Repl *r, const char *fmt, ...)
{
    va_list ap;
    fputs("error: ", r->out);
    va_start(ap, fmt);
    vfprintf(r->out, fmt, ap);
    va_end(ap);
    fputc('\n', r->out);
}

const char *const *repl_command_names(void)
{
    static const char *names[NCOMMANDS + 1];
    for (int i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    names[NCOMMANDS] = NULL;
    return names;
}

static int has_alias(const Command *c, const char *w)
{
    size_t n = strlen(w);
    for (const char *a = c->aliases; *a;) {
        const char *e = strchr(a, ' ');
        size_t len = e ? (size_t)(e - a) : strlen(a);
        if (len == n && memcmp(a, w, n) == 0)
            return 1;
        a += len + (e != NULL);
    }
    return 0;
}

/* Full name or alias first, then a unique prefix. */
static const Command *find_command(const char *w, int *ambiguous)
{
    const Command *hit = NULL;
    *ambiguous = 0;
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, w) == 0 || has_alias(&commands[i], w))
            return &commands[i];
    size_t n = strlen(w);
    for (int i = 0; i < NCOMMANDS; i++)
        if (strncmp(commands[i].name, w, n) == 0) {
            if (hit)
                *ambiguous = 1;
            hit = &commands[i];
        }
    return *ambiguous ? NULL : hit;
}

static int cmd_help(Repl *r, int argc, char **argv)
{
    if (argc < 2) {
        repl_printf(r, "Commands (`help COMMAND` for details; unique prefixes work):\n");
        for (int i = 0; i < NCOMMANDS; i++) {
            char head[64];
            snprintf(head, sizeof head, "%s%s%s", commands[i].name, commands[i].aliases[0] ? ", " : "",
                     commands[i].aliases);
            repl_printf(r, "  %-22s %s\n", head, commands[i].brief);
        }
        return 0;
    }
    int amb;
    const Command *c = find_command(argv[1], &amb);
    if (!c) {
        repl_error(r, "%s: %s command", argv[1], amb ? "ambiguous" : "no such");
        return -1;
    }
    repl_printf(r, "%s %s\n  %s.\n%s\n", c->name, c->args, c->brief, c->help);
    if (c->aliases[0])
        repl_printf(r, "Aliases: %s\n", c->aliases);
    return 0;
}

static int cmd_quit(Repl *r, int argc, char **argv)
{
    uint64_t st = 0;
    if (argc > 1 && (repl_parse_u64(argv[1], &st) < 0 || st > 255)) {
        repl_error(r, "quit: %s: expected an exit status 0..255", argv[1]);
        return -1;
    }
    r->quit = 1;
    r->exit_status = (int)st;
    return 0;
}

static int cmd_echo(Repl *r, int argc, char **argv)
{
    char buf[4096];
    repl_join(argc, argv, 1, buf, sizeof buf);
    repl_printf(r, "%s\n", buf);
    return 0;
}

void repl_join(int argc, char **argv, int from, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = from; i < argc && n + 1 < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i > from ? " " : "", argv[i]);
}

int repl_parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

/* Splits line into words in buf; "..." groups (no escapes). Returns the count, -1 on an
 * unterminated quote. */
static int split(const char *line, char *buf, size_t cap, char **argv)
{
    int argc = 0;
    size_t n = 0;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p || argc == REPL_MAX_ARGS)
            break;
        argv[argc++] = buf + n;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
            if (*p == '"') {
                p++;
                while (*p && *p != '"' && n + 2 < cap)
                    buf[n++] = *p++;
                if (*p != '"')
                    return -1;
                p++;
                continue;
            }
            if (n + 2 >= cap)
                break;
            buf[n++] = *p++;
        }
        buf[n++] = '\0';
    }
    return argc;
}

int repl_execute(Repl *r, const char *line)
{
    size_t len = strlen(line);
    char *buf = malloc(len + 2);
    char *argv[REPL_MAX_ARGS + 1];
    if (!buf) {
        repl_error(r, "out of memory");
        return -1;
    }
    int argc = split(line, buf, len + 2, argv);
    int rc = 0;
    if (argc < 0) {
        repl_error(r, "unterminated quote");
        rc = -1;
    } else if (argc > 0 && argv[0][0] != '#') {
        char fmt[16];
        char *slash = strchr(argv[0], '/');
        if (slash && slash != argv[0] && argc < REPL_MAX_ARGS) { /* print/x: the format as a word */
            snprintf(fmt, sizeof fmt, "%s", slash);
            *slash = '\0';
            memmove(argv + 2, argv + 1, (size_t)(argc - 1) * sizeof *argv);
            argv[1] = fmt;
            argc++;
        }
        int amb;
        const Command *c = find_command(argv[0], &amb);
        argv[argc] = NULL;
        if (!c) {
            repl_error(r, amb ? "%s: ambiguous command (try help)" : "%s: no such command (try help)", argv[0]);
            rc = -1;
        } else {
            rc = c->fn(r, argc, argv);
        }
    }
    free(buf);
    if (rc < 0)
        r->errors++;
    fflush(r->out);
    return rc;
}

/* An empty line at the prompt repeats the last command when it was a stepping one. */
static int repeats(const char *line)
{
    char word[32];
    int amb;
    if (sscanf(line, "%31s", word) != 1)
        return 0;
    const Command *c = find_command(word, &amb);
    return c && c->repeat;
}

static void repl_loop(Repl *r, FILE *script)
{
    char *last = NULL;
    if (!script)
        repl_line_init(r);
    while (!r->quit) {
        char *line;
        if (script) {
            size_t cap = 0;
            line = NULL;
            if (getline(&line, &cap, script) < 0) {
                free(line);
                break;
            }
            line[strcspn(line, "\r\n")] = '\0';
            if (r->echo)
                repl_printf(r, "(slemu) %s\n", line);
        } else {
            line = repl_line_read(r, "(slemu) ");
            if (!line) {
                repl_printf(r, "\n");
                break;
            }
            if (!line[strspn(line, " \t")] && last) {
                free(line);
                line = strdup(last);
                if (!line)
                    break;
            }
        }
        repl_execute(r, line);
        if (!script && repeats(line)) {
            free(last);
            last = line;
        } else {
            if (!script) {
                free(last);
                last = NULL;
            }
            free(line);
        }
    }
    free(last);
    if (!script)
        repl_line_done(r);
}

int sl_repl_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--repl") == 0)
            return 1;
    }
    return argc == 1 && isatty(0) && isatty(1);
}

static void usage(FILE *f)
{
    fputs("usage: slemu --repl [-x SCRIPT] [--echo] [-i PORT=FILE] [-o PORT=FILE] [--seed N]\n"
          "                    [--budget N] [IMAGE.slb|IMAGE.sla|PROGRAM.sl|SETUP.yaml]\n"
          "The interactive debugger: a prompt with history and completion on a terminal;\n"
          "commands from SCRIPT, or from standard input when it is not a terminal, otherwise.\n"
          "  -x SCRIPT   run the commands in SCRIPT, then leave\n"
          "  --echo      in script mode, print each command before its output\n"
          "  -i, -o      bind ports as slemu does (also: the `ports` command)\n"
          "Type `help` at the prompt. Details: docs/debugger.md.\n",
          f);
}

int sl_repl_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"repl", no_argument, 0, 'R'},      {"echo", no_argument, 0, 'E'},
        {"seed", required_argument, 0, 'S'}, {"budget", required_argument, 0, 'B'},
        {"help", no_argument, 0, 'h'},       {0, 0, 0, 0},
    };
    static Repl repl;
    Repl *r = &repl;
    const char *script = NULL;
    const char *in_spec[REPL_MAX_PORTS], *out_spec[REPL_MAX_PORTS];
    uint32_t in_port[REPL_MAX_PORTS], out_port[REPL_MAX_PORTS];
    int nin = 0, nout = 0, c;
    r->out = stdout;
    repl_session_init(r);
    while ((c = getopt_long(argc, argv, "x:i:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'R': break;
        case 'E': r->echo = 1; break;
        case 'x': script = optarg; break;
        case 'S':
        case 'B':
            if (repl_parse_u64(optarg, c == 'S' ? &r->cfg.seed : &r->cfg.packet_budget) < 0) {
                fprintf(stderr, "slemu: --%s %s: not a number\n", c == 'S' ? "seed" : "budget", optarg);
                return 2;
            }
            break;
        case 'i':
        case 'o': {
            const char *eq = strchr(optarg, '=');
            uint64_t port = 0;
            char num[16] = "0";
            if (eq && (size_t)(eq - optarg) < sizeof num) {
                memcpy(num, optarg, (size_t)(eq - optarg));
                num[eq - optarg] = '\0';
            }
            if ((eq && (size_t)(eq - optarg) >= sizeof num) || repl_parse_u64(num, &port) < 0 ||
                port >= REPL_MAX_PORTS || (c == 'i' ? nin : nout) == REPL_MAX_PORTS) {
                fprintf(stderr, "slemu: -%c %s: expected PORT=FILE with a port number\n", c, optarg);
                return 2;
            }
            if (c == 'i') {
                in_port[nin] = (uint32_t)port;
                in_spec[nin++] = eq ? eq + 1 : optarg;
            } else {
                out_port[nout] = (uint32_t)port;
                out_spec[nout++] = eq ? eq + 1 : optarg;
            }
            break;
        }
        case 'h': usage(stdout); return 0;
        default: fputs("Try 'slemu --repl --help'.\n", stderr); return 2;
        }
    }
    if (optind < argc - 1) {
        fprintf(stderr, "slemu: --repl takes one image or setup file\n");
        return 2;
    }
    FILE *in = NULL;
    if (script) {
        in = strcmp(script, "-") == 0 ? stdin : fopen(script, "r");
        if (!in) {
            fprintf(stderr, "slemu: %s: %s\n", script, strerror(errno));
            return 2;
        }
    } else if (!isatty(0)) {
        in = stdin;
    }
    r->interactive = in == NULL;
    if (optind < argc && repl_load(r, argv[optind], NULL) < 0)
        r->errors++;
    for (int i = 0; i < nin; i++)
        if (repl_bind(r, in_port[i], 0, in_spec[i]) < 0)
            r->errors++;
    for (int i = 0; i < nout; i++)
        if (repl_bind(r, out_port[i], 1, out_spec[i]) < 0)
            r->errors++;
    if (r->interactive)
        repl_printf(r, "Sluice debugger. Type `help` for the commands, `quit` to leave.\n");
    fflush(r->out);
    repl_loop(r, in);
    if (in && in != stdin)
        fclose(in);
    repl_session_free(r);
    fflush(r->out);
    if (r->quit)
        return r->exit_status;
    return r->interactive || !r->errors ? 0 : 1;
}
