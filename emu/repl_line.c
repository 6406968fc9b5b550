/* Line editing for the REPL: GNU readline, a history file and tab completion.
 *
 * History lives in $SLEMU_HISTORY, else ~/.slemu_history (the last 1000 lines); each line is
 * appended as it is entered, so a session that dies keeps what it had.
 *
 * Completion looks at the words before the cursor: the first word completes to command names;
 * after `load`, `ports in|out PORT` and `source`-like arguments to file names; after `info`,
 * `table` and `x` to their sub-commands and then to tables; anywhere else to what an
 * expression or a location can name: registers, state symbols, variables, functions, labels,
 * tables, header fields (eth.src, ip.ttl...), the program's header variables and their
 * fields (h, h.seq), and the breakpoint kinds; after `pkt as` to the program's header types.
 * Readline's completion callbacks take no user pointer, hence the one static session pointer
 * below (this is the tool, not a library: one session per process). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "repl.h"

static Repl *session; /* readline's callbacks have no user pointer */
static char history_path[4096];

typedef struct Candidates {
    char **words;
    size_t n, cap;
} Candidates;

static Candidates cands;
static size_t cand_next;

static void cand_clear(void)
{
    for (size_t i = 0; i < cands.n; i++)
        free(cands.words[i]);
    cands.n = 0;
}

static void cand_add(const char *w)
{
    if (cands.n == cands.cap) {
        size_t cap = cands.cap ? cands.cap * 2 : 64;
        char **nw = realloc(cands.words, cap * sizeof *nw);
        if (!nw)
            return;
        cands.words = nw;
        cands.cap = cap;
    }
    char *d = strdup(w);
    if (d)
        cands.words[cands.n++] = d;
}

static void cand_add_list(const char *const *list)
{
    for (; *list; list++)
        cand_add(*list);
}

static char *cand_generator(const char *text, int state)
{
    size_t n = strlen(text);
    if (!state)
        cand_next = 0;
    while (cand_next < cands.n) {
        const char *w = cands.words[cand_next++];
        if (strncmp(w, text, n) == 0)
            return strdup(w);
    }
    return NULL;
}

/* Symbols of the current VM: state and variables (short names), functions, labels, tables. */
static void add_symbols(Repl *r, int want_tables_only)
{
    ReplVm *v = repl_cur(r);
    if (!v)
        return;
    for (uint32_t i = 0; i < v->dbg.nsyms; i++) {
        const ReplSym *s = &v->dbg.syms[i];
        if (want_tables_only && s->kind != SL_SYM_TABLE)
            continue;
        if (s->kind == SL_SYM_VAR) {
            const char *dot = strchr(s->name, '.');
            cand_add(dot ? dot + 1 : s->name);
        }
        if (s->kind != SL_SYM_CONST)
            cand_add(s->name);
    }
    if (want_tables_only) {
        char t[24];
        for (uint32_t i = 0; i < v->img.table_count; i++) {
            snprintf(t, sizeof t, "t%u", i);
            cand_add(t);
        }
    }
}

static void add_expression_words(Repl *r)
{
    static const char *const words[] = {"pc", "len", "port", "pkt", "mem", "mem8", "mem16", "mem32", "mem64",
                                        NULL};
    char reg[16];
    for (int i = 0; i < SL_NREGS; i++) {
        snprintf(reg, sizeof reg, "r%d", i);
        cand_add(reg);
    }
    cand_add_list(words);
    cand_add_list(repl_field_names());
    add_symbols(r, 0);
    ReplVm *v = repl_cur(r);
    if (v)
        repl_hdr_names(v, cand_add);
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    char *line = strndup(rl_line_buffer, (size_t)start);
    char *words[8];
    int nw = 0;
    cand_clear();
    rl_attempted_completion_over = 1; /* no fallback to file names unless chosen below */
    if (line) {
        for (char *tok = strtok(line, " \t"); tok && nw < 8; tok = strtok(NULL, " \t"))
            words[nw++] = tok;
    }
    char **matches = NULL;
    const char *cmd = nw ? words[0] : NULL;
    if (!cmd) {
        cand_add_list(repl_command_names());
    } else if (strcmp(cmd, "load") == 0 || (strncmp(cmd, "port", 4) == 0 && nw >= 3)) {
        rl_attempted_completion_over = 0;
        free(line);
        return NULL; /* readline's file-name completion */
    } else if (strncmp(cmd, "port", 4) == 0 && nw == 1) {
        static const char *const sub[] = {"in", "out", NULL};
        cand_add_list(sub);
    } else if (strcmp(cmd, "info") == 0 || strcmp(cmd, "i") == 0) {
        static const char *const sub[] = {"breakpoints", "registers", "locals", "frame", "symbols",
                                          "handlers", "tables", "line", NULL};
        cand_add_list(sub);
    } else if (strncmp(cmd, "table", 5) == 0) {
        static const char *const sub[] = {"dump", "insert", "delete", "get", NULL};
        if (nw == 1)
            cand_add_list(sub);
        add_symbols(session, 1);
    } else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "h") == 0) {
        cand_add_list(repl_command_names());
    } else if ((strcmp(cmd, "pkt") == 0 || strcmp(cmd, "packet") == 0) && nw <= 2) {
        static const char *const sub[] = {"as", NULL};
        ReplVm *v = repl_cur(session);
        if (nw == 1)
            cand_add_list(sub);
        else if (strcmp(words[1], "as") == 0 && v)
            repl_type_names(v, cand_add);
    } else if (strcmp(cmd, "x") == 0) {
        static const char *const sub[] = {"pkt", "state", NULL};
        cand_add_list(sub);
        add_symbols(session, 0);
    } else {
        static const char *const kinds[] = {"fault", "drop", "send", "if", NULL};
        if (strcmp(cmd, "break") == 0 || strcmp(cmd, "b") == 0)
            cand_add_list(kinds);
        add_expression_words(session);
    }
    free(line);
    if (cands.n)
        matches = rl_completion_matches(text, cand_generator);
    return matches;
}

void repl_line_init(Repl *r)
{
    session = r;
    const char *h = getenv("SLEMU_HISTORY");
    const char *home = getenv("HOME");
    if (h && *h)
        snprintf(history_path, sizeof history_path, "%s", h);
    else if (home && *home)
        snprintf(history_path, sizeof history_path, "%s/.slemu_history", home);
    else
        history_path[0] = '\0';
    rl_readline_name = "slemu";
    rl_attempted_completion_function = complete;
    using_history();
    stifle_history(1000);
    if (history_path[0])
        read_history(history_path);
}

char *repl_line_read(Repl *r, const char *prompt)
{
    (void)r;
    char *line = readline(prompt);
    if (line && line[strspn(line, " \t")]) {
        HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
        if (!last || strcmp(last->line, line) != 0) {
            add_history(line);
            if (history_path[0]) {
                FILE *f = fopen(history_path, "a"); /* create it on first use */
                if (f)
                    fclose(f);
                append_history(1, history_path);
            }
        }
    }
    return line;
}

void repl_line_done(Repl *r)
{
    (void)r;
    if (history_path[0])
        history_truncate_file(history_path, 1000);
    cand_clear();
    free(cands.words);
    cands.words = NULL;
    cands.cap = 0;
    session = NULL;
}
