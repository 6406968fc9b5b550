/* The assembler's scanner (asm_lex.h). Every read is guarded by the line's end pointer. */
#include "asm_lex.h"

#include <stdio.h>
#include <string.h>

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_ident(char c) { return is_alpha(c) || is_digit(c) || c == '.'; }

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void asm_lex_init(Lexer *lx, const char *line, size_t len)
{
    lx->line = line;
    lx->p = line;
    lx->end = line + len;
}

static void skip_space(Lexer *lx)
{
    while (lx->p < lx->end && is_space(*lx->p))
        lx->p++;
}

static void start(Lexer *lx, Tok *t)
{
    memset(t, 0, sizeof *t);
    skip_space(lx);
    t->p = lx->p;
    t->col = (uint32_t)(lx->p - lx->line) + 1;
}

static void finish(Lexer *lx, Tok *t, TokKind kind)
{
    t->kind = kind;
    t->len = (size_t)(lx->p - t->p);
}

static void bad(Lexer *lx, Tok *t, const char *msg)
{
    finish(lx, t, TOK_BAD);
    t->msg = msg;
}

static void number(Lexer *lx, Tok *t)
{
    unsigned base = 10;
    if (lx->p + 1 < lx->end && lx->p[0] == '0' && (lx->p[1] == 'x' || lx->p[1] == 'X')) {
        base = 16;
        lx->p += 2;
        t->hex = 1;
    }
    const char *digits = lx->p;
    while (lx->p < lx->end) {
        int d = base == 16 ? hex_value(*lx->p) : (is_digit(*lx->p) ? *lx->p - '0' : -1);
        if (d < 0)
            break;
        if (t->mag > (UINT64_MAX - (uint64_t)d) / base)
            t->big = 1;
        else
            t->mag = t->mag * base + (uint64_t)d;
        lx->p++;
    }
    if (lx->p == digits || (lx->p < lx->end && is_ident(*lx->p))) {
        while (lx->p < lx->end && is_ident(*lx->p))
            lx->p++;
        bad(lx, t, "invalid number");
        return;
    }
    finish(lx, t, TOK_NUM);
}

void asm_lex(Lexer *lx, Tok *t)
{
    start(lx, t);
    if (lx->p >= lx->end || *lx->p == ';' || *lx->p == '#') {
        finish(lx, t, TOK_END);
        return;
    }
    char c = *lx->p;
    if (is_alpha(c)) {
        while (lx->p < lx->end && is_ident(*lx->p))
            lx->p++;
        finish(lx, t, TOK_IDENT);
        return;
    }
    if (c == '.' && lx->p + 1 < lx->end && is_alpha(lx->p[1])) {
        lx->p++;
        while (lx->p < lx->end && is_ident(*lx->p))
            lx->p++;
        finish(lx, t, TOK_DIR);
        return;
    }
    if (is_digit(c)) {
        number(lx, t);
        return;
    }
    if (c == '"') {
        lx->p++;
        while (lx->p < lx->end && *lx->p != '"') {
            if (*lx->p == '\\' && lx->p + 1 < lx->end)
                lx->p++;
            lx->p++;
        }
        if (lx->p >= lx->end) {
            bad(lx, t, "unterminated string");
            return;
        }
        lx->p++;
        finish(lx, t, TOK_STR);
        return;
    }
    if (c && strchr(",[]+-:=@", c)) {
        lx->p++;
        finish(lx, t, TOK_PUNCT);
        return;
    }
    lx->p++;
    bad(lx, t, "unexpected character");
}

void asm_lex_word(Lexer *lx, Tok *t)
{
    start(lx, t);
    if (lx->p >= lx->end || *lx->p == ';' || *lx->p == '#') {
        finish(lx, t, TOK_END);
        return;
    }
    while (lx->p < lx->end && !is_space(*lx->p) && *lx->p != ';' && *lx->p != '#')
        lx->p++;
    finish(lx, t, TOK_WORD);
}

long asm_lex_string(const Tok *t, char *out, uint32_t *bad_col)
{
    long n = 0;
    const char *p = t->p + 1, *end = t->p + t->len - 1; /* inside the quotes */
    while (p < end) {
        if (*p != '\\') {
            out[n++] = *p++;
            continue;
        }
        const char *esc = p;
        p++;
        char c = p < end ? *p : 0;
        switch (c) {
        case '\\': out[n++] = '\\'; p++; break;
        case '"': out[n++] = '"'; p++; break;
        case 'n': out[n++] = '\n'; p++; break;
        case 't': out[n++] = '\t'; p++; break;
        case 'r': out[n++] = '\r'; p++; break;
        case '0': out[n++] = '\0'; p++; break;
        case 'x': {
            int hi = p + 1 < end ? hex_value(p[1]) : -1;
            int lo = p + 2 < end ? hex_value(p[2]) : -1;
            if (hi < 0 || lo < 0) {
                *bad_col = t->col + (uint32_t)(esc - t->p);
                return -1;
            }
            out[n++] = (char)(hi << 4 | lo);
            p += 3;
            break;
        }
        default: *bad_col = t->col + (uint32_t)(esc - t->p); return -1;
        }
    }
    return n;
}

void asm_lex_show(const char *s, size_t len, char *buf, size_t cap)
{
    size_t o = 0;
    const size_t max_shown = 40;
    if (cap == 0)
        return;
    for (size_t i = 0; i < len && i < max_shown; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[8];
        if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
            snprintf(tmp, sizeof tmp, "%c", c);
        else
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
        size_t tl = strlen(tmp);
        if (o + tl + 1 > cap)
            break;
        memcpy(buf + o, tmp, tl);
        o += tl;
    }
    if (len > max_shown && o + 4 <= cap) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
}
