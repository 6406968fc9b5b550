/* The compiler's shared internal definitions: the compilation context (arena, diagnostics,
 * source files), types and the abstract syntax tree. Everything a compilation allocates lives
 * in its arena and goes away with it; there are no globals (STYLE.md #6).
 *
 * Sema annotates the tree in place (types, constant values, resolved names); lowering reads
 * those annotations and never looks a name up again. */
#ifndef SLUICE_AST_H
#define SLUICE_AST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "slc.h"

typedef __int128 i128;

/* ---- arena and growable text --------------------------------------------------------- */

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    ArenaBlock *head;
} Arena;

void *arena_alloc(Arena *a, size_t n); /* zeroed; aborts only if malloc fails */
char *arena_strndup(Arena *a, const char *s, size_t n);
void arena_free(Arena *a);

typedef struct Buf {
    char *p;
    size_t len, cap;
} Buf;

void buf_put(Buf *b, const char *s, size_t n);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap);

/* A growable array of pointers, in the arena. */
typedef struct Vec {
    void **items;
    uint32_t len, cap;
} Vec;
void vec_push(Arena *a, Vec *v, void *item);

/* ---- source locations and diagnostics ------------------------------------------------ */

typedef struct Loc {
    uint32_t file; /* index into Ctx.files */
    uint32_t line, col;
} Loc;

typedef struct SrcFile {
    const char *name; /* as given or as resolved for an import */
    const char *text;
    size_t len;
    uint32_t *lines; /* start offset of each line, built on the first diagnostic */
    uint32_t nlines;
} SrcFile;

typedef struct Type Type;
typedef struct Decl Decl;

typedef struct Ctx {
    Arena arena;
    const SlcOptions *opt;
    SrcFile *files;
    uint32_t nfiles, files_cap;
    Buf diags;
    Buf dump;
    unsigned errors, warnings, max_errors;
    int stop; /* too many errors: every pass winds down */
    /* types */
    Type *t_int[2][65]; /* [signed][bits] */
    Type *t_bool, *t_void, *t_untyped, *t_error, *t_packet;
    /* the program */
    Vec decls;   /* every top-level declaration of every file, imports first */
    Vec globals; /* hash table of names: see sema.c */
    Decl **gtab;
    uint32_t gtab_cap, gtab_count;
    /* filled by sema for lowering */
    Vec ports, tables, states, funcs, handlers; /* Decl* in declaration order */
    uint32_t state_size;      /* bytes of user state; compiler areas follow */
    uint8_t *state_init;      /* initial bytes of user state (state_size of them) */
    uint32_t state_init_len;  /* up to the last initialised byte */
} Ctx;

void diag_error(Ctx *c, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(Ctx *c, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(Ctx *c, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A message without a location ("slc: ..."), counted as an error. */
void diag_plain_error(Ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- types --------------------------------------------------------------------------- */

typedef enum TypeKind {
    TY_ERROR,   /* after a reported error: silences follow-on messages */
    TY_VOID,
    TY_BOOL,
    TY_INT,
    TY_UNTYPED, /* an integer constant that has not met a context yet */
    TY_ARRAY,
    TY_STRUCT,
    TY_HEADER,
    TY_PACKET,
    TY_OPT,     /* H? or V?: must be checked before use */
} TypeKind;

typedef struct Field {
    const char *name;
    Loc loc;
    Type *type;
    uint32_t off;  /* bytes (struct) or bits (header) from the start */
    struct TypeExpr *texpr;
} Field;

struct Type {
    TypeKind kind;
    int bits;        /* TY_INT: 1..64 */
    int is_signed;   /* TY_INT */
    uint32_t size;   /* bytes in memory (state, frames, table keys/values) */
    Type *elem;      /* TY_ARRAY element, TY_OPT inner */
    uint32_t n;      /* TY_ARRAY length */
    Decl *decl;      /* TY_STRUCT / TY_HEADER */
    Field *fields;   /* TY_STRUCT / TY_HEADER */
    uint32_t nfields;
    const char *name; /* struct/header name */
};

Type *type_int(Ctx *c, int is_signed, int bits);
int type_is_scalar(const Type *t); /* int, bool (and untyped) */
int type_is_aggregate(const Type *t);
/* Human name for messages: "u8", "[4]u16", "Nexthop", "ipv4?". */
const char *type_name(Ctx *c, const Type *t);
const Field *type_field(const Type *t, const char *name);

/* ---- the tree ------------------------------------------------------------------------ */

typedef enum TypeExprKind { TE_NAME, TE_ARRAY } TypeExprKind;
typedef struct TypeExpr {
    TypeExprKind kind;
    Loc loc;
    const char *name;      /* TE_NAME */
    struct Expr *len;      /* TE_ARRAY */
    struct TypeExpr *elem; /* TE_ARRAY */
} TypeExpr;

typedef enum ExprKind {
    E_ERROR,
    E_INT,     /* ival; lit_kind says how it was written */
    E_BOOL,    /* ival 0/1 */
    E_NAME,    /* name */
    E_UNARY,   /* op a */
    E_BINARY,  /* a op b */
    E_CAST,    /* a as texpr */
    E_CALL,    /* name(args) */
    E_METHOD,  /* a.name(args) */
    E_FIELD,   /* a.name */
    E_INDEX,   /* a[b] */
    E_STRUCT,  /* name { fnames: args } */
    E_ARRAY,   /* [args] */
} ExprKind;

/* Operators: token-like codes shared by the parser and sema. */
typedef enum Op {
    OP_NONE,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_AND, OP_OR, OP_XOR, OP_SHL, OP_SHR,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_LAND, OP_LOR,
    OP_NEG, OP_NOT, OP_BNOT,
} Op;
const char *op_text(Op op);

/* What a name or call resolved to (sema). */
typedef enum RefKind {
    REF_NONE,
    REF_LOCAL,   /* local variable or parameter: ref.local */
    REF_CONST,   /* constant (const, enum member, port): value in cval */
    REF_STATE,   /* state variable: ref.decl */
    REF_TABLE,   /* table: ref.decl */
    REF_FUNC,    /* user function: ref.decl */
    REF_BUILTIN, /* built-in function or method: builtin */
    REF_TYPE,    /* a type name used as a value (sizeof, extract) */
} RefKind;

typedef enum Builtin {
    B_NONE,
    /* free functions */
    B_SEND, B_CLONE, B_DROP, B_PUNT, B_TRAP, B_ASSERT, B_NOW, B_RAND, B_HASH, B_MIN, B_MAX, B_SIZEOF,
    /* packet methods */
    B_P_LEN, B_P_IN_PORT, B_P_TIMESTAMP, B_P_LOAD, B_P_STORE, B_P_EXTRACT, B_P_GROW_HEAD,
    B_P_SHRINK_HEAD, B_P_GROW_TAIL, B_P_SHRINK_TAIL, B_P_RESET, B_P_CSUM,
    /* header binding methods */
    B_H_OFFSET, B_H_SIZE,
    /* table methods */
    B_T_GET, B_T_PUT, B_T_DEL,
} Builtin;

typedef struct Local Local;

typedef struct Expr {
    ExprKind kind;
    Op op;
    Loc loc;
    uint16_t depth; /* nesting depth, limited so that recursive passes stay shallow */
    uint8_t lit_kind; /* E_INT: 0 number, 1 MAC, 2 IPv4 */
    uint64_t ival;
    const char *name;
    struct Expr *a, *b;
    Vec args;   /* Expr* */
    Vec fnames; /* E_STRUCT: field names (const char*), parallel to args */
    Vec floc;   /* E_STRUCT: Loc* of each field name */
    TypeExpr *texpr;
    /* sema */
    Type *type;
    int is_const;     /* value known at compile time: cval */
    i128 cval;
    RefKind ref;
    Builtin builtin;
    int width;        /* B_P_LOAD/B_P_STORE: bytes */
    Local *local;
    Decl *decl;
    Type *tyarg;      /* sizeof(T), extract(H, ..) */
    const Field *field; /* E_FIELD of a struct or header */
} Expr;

typedef enum StmtKind {
    S_LET,      /* let name[: texpr] [= init] [else els] */
    S_ASSIGN,   /* lhs op= rhs (op OP_NONE for '=') */
    S_EXPR,
    S_IF,       /* if cond then [else els]; if let name = init then [else els] */
    S_WHILE,
    S_FOR,      /* for name in init..hi body */
    S_BREAK,
    S_CONTINUE,
    S_RETURN,
    S_BLOCK,
} StmtKind;

typedef struct Stmt Stmt;
struct Stmt {
    StmtKind kind;
    Op op;
    Loc loc;
    uint16_t depth;
    int is_let;      /* S_IF: if let; S_LET: has else */
    const char *name;
    Loc name_loc;
    TypeExpr *texpr;
    Expr *init, *cond, *hi, *lhs, *rhs;
    Stmt *then, *els, *body;
    Vec stmts;       /* S_BLOCK */
    /* sema */
    Local *local;
    int completes;   /* control can reach the end */
};

struct Local {
    const char *name;
    Loc loc;
    Type *type;      /* declared type; TY_HEADER: a header binding; TY_OPT: unusable until checked */
    int is_param;
    int used;
    int assigned;    /* written after its declaration */
    int mutable_;    /* header bindings and for-loop counters are not assignable */
    /* lowering */
    int vreg;        /* scalar: its virtual register; header binding: offset register or -1 */
    int64_t hdr_off; /* header binding with a constant offset (vreg < 0) */
    uint32_t frame_off; /* aggregate: address in state memory */
    int id;          /* position in its function's local list */
    int assumed_bits; /* lowering: bound on the values it holds (fixpoint, see lower.c) */
    int seen_bits;    /* lowering: bound on the values stored in the current round */
    uint32_t stamp;   /* lowering round that seen_bits belongs to */
    int is_k;         /* lowering: holds the constant k for its whole life */
    int64_t k;
};

typedef enum DeclKind {
    D_IMPORT, D_CONST, D_TYPE, D_ENUM, D_STRUCT, D_HEADER, D_PORT, D_STATE, D_TABLE, D_FN, D_ON,
    D_ENUM_ITEM,
} DeclKind;

typedef struct Param {
    const char *name;
    Loc loc;
    TypeExpr *texpr;
    Local *local;
} Param;

typedef struct EnumItem {
    const char *name;
    Loc loc;
    Expr *value; /* NULL: previous + 1 */
    i128 cval;
} EnumItem;

struct Decl {
    DeclKind kind;
    Loc loc;
    const char *name;
    TypeExpr *texpr;      /* const/type/state/fn return/enum base/table key */
    TypeExpr *texpr2;     /* table value */
    Expr *init;           /* const/state value, table capacity, timer period */
    Vec fields;           /* struct/header: Field*; enum: EnumItem*; fn/on: Param* */
    Stmt *body;
    int table_lpm;
    int handler;          /* D_ON: SL_HANDLER_* */
    Decl *next_global;    /* hash chain */
    /* sema */
    int state;            /* 0 unresolved, 1 resolving, 2 done */
    Type *type;           /* const/state/type/enum/struct/header: the type; fn: return type */
    Type *ktype, *vtype;  /* table */
    i128 cval;            /* const / enum item / port index */
    int is_untyped;       /* const without a type */
    uint32_t addr;        /* state: address in state memory */
    uint32_t index;       /* port / table / function index */
    uint32_t capacity;    /* table */
    uint64_t period;      /* timer */
    Vec locals;           /* fn/on: Local* in declaration order */
    Vec callees;          /* fn/on: Decl* called (sema) */
    int reachable;        /* fn: called from some handler */
    int visit;            /* call graph walk */
    int depth;            /* frames below it, itself included */
    int nscalar;          /* fn: scalar parameters */
    uint32_t frame_size;  /* fn: bytes of aggregates */
    uint32_t frame_addr;  /* fn: where its frame starts */
    int inline_size;      /* fn: size estimate for inlining, 0 = not computed */
    Decl *enum_decl;      /* D_ENUM_ITEM: its enum */
    EnumItem *item;       /* D_ENUM_ITEM */
};

/* Constructors used by the parser's actions. Each takes the location of the construct. */
Expr *ast_new_expr(Ctx *c, ExprKind k, Loc loc);
Expr *ast_new_int(Ctx *c, Loc loc, uint64_t v, int lit_kind);
Expr *ast_new_bool(Ctx *c, Loc loc, int v);
Expr *ast_new_name(Ctx *c, Loc loc, const char *name);
Expr *ast_new_unary(Ctx *c, Loc loc, Op op, Expr *a);
Expr *ast_new_binary(Ctx *c, Loc loc, Op op, Expr *a, Expr *b);
Expr *ast_new_cast(Ctx *c, Loc loc, Expr *a, TypeExpr *t);
Expr *ast_new_call(Ctx *c, Loc loc, const char *name, Vec args);
Expr *ast_new_method(Ctx *c, Loc loc, Expr *recv, const char *name, Vec args);
Expr *ast_new_field(Ctx *c, Loc loc, Expr *a, const char *name);
Expr *ast_new_index(Ctx *c, Loc loc, Expr *a, Expr *i);
Expr *ast_new_array(Ctx *c, Loc loc, Vec elems);
Expr *ast_new_struct(Ctx *c, Loc loc, const char *name, Vec fnames, Vec flocs, Vec vals);
TypeExpr *ast_new_tname(Ctx *c, Loc loc, const char *name);
TypeExpr *ast_new_tarray(Ctx *c, Loc loc, Expr *len, TypeExpr *elem);
Stmt *ast_new_stmt(Ctx *c, StmtKind k, Loc loc);
Stmt *ast_new_block(Ctx *c, Loc loc, Vec stmts);
Stmt *ast_new_if(Ctx *c, Loc loc, Expr *cond, Stmt *then, Stmt *els);
Stmt *ast_new_iflet(Ctx *c, Loc loc, const char *name, Loc nloc, Expr *init, Stmt *then, Stmt *els);
Decl *ast_new_decl(Ctx *c, DeclKind k, Loc loc, const char *name);

enum { AST_MAX_DEPTH = 256 };

/* Semantic analysis of c->decls (sema.c): 0 when there were no errors. */
int sema_check(Ctx *c);
/* Value of an integer type wrapped to its width (sign- or zero-extended). */
i128 sema_wrap(i128 v, const Type *t);

/* Writes the tree as indented text (slc -d ast). */
void ast_dump(Ctx *c, Buf *out);

/* Parses one file's text into c->decls (appending). Diagnostics go to c. 0 or -1. */
int parse_file(Ctx *c, uint32_t file);

#endif
