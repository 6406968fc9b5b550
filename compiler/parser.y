/* The Sluice grammar (bison 3.8): a pure parser with locations, one ast_new_*() call per
 * action. Expressions come twice: `expr` and `cexpr`, the latter without struct literals, for
 * the heads of if/while/for where `x {` starts the block (Rust's rule). Error productions
 * resynchronise at ';' and '}' so that one run reports several errors. Everything is allocated
 * in the compilation's arena, so discarded symbols need no destructor. */
%require "3.8"
%define api.pure full
%define api.prefix {slc_yy}
%define parse.error detailed
%locations
%expect 0

%code requires {
#include "ast.h"
}

%code {
#include <string.h>

int slc_yylex_raw(SLC_YYSTYPE *lval, SLC_YYLTYPE *lloc, void *scanner);
static int slc_yylex(SLC_YYSTYPE *lval, SLC_YYLTYPE *lloc, void *scanner, Ctx *c)
{
    if (c->stop)
        return 0;
    return slc_yylex_raw(lval, lloc, scanner);
}

static void slc_yyerror(SLC_YYLTYPE *l, void *scanner, Ctx *c, uint32_t file, const char *msg)
{
    (void)scanner;
    Loc loc = {file, (uint32_t)l->first_line, (uint32_t)l->first_column};
    if (strcmp(msg, "memory exhausted") == 0) {
        diag_error(c, loc, "program nested too deeply");
        c->stop = 1;
        return;
    }
    diag_error(c, loc, "%s", msg);
}

#define L(at) ((Loc){file, (uint32_t)(at).first_line, (uint32_t)(at).first_column})
#define YYMAXDEPTH 4000

static Vec vec1(Ctx *c, void *x)
{
    Vec v = {0};
    vec_push(&c->arena, &v, x);
    return v;
}
static Vec vec_add(Ctx *c, Vec v, void *x)
{
    vec_push(&c->arena, &v, x);
    return v;
}
static Loc *loc_box(Ctx *c, Loc l)
{
    Loc *p = arena_alloc(&c->arena, sizeof *p);
    *p = l;
    return p;
}
static Decl *decl_push(Ctx *c, Decl *d)
{
    if (d)
        vec_push(&c->arena, &c->decls, d);
    return d;
}
}

%lex-param {void *scanner} {Ctx *c}
%parse-param {void *scanner} {Ctx *c} {uint32_t file}

%union {
    uint64_t num;
    const char *str;
    Op op;
    Expr *expr;
    Stmt *stmt;
    TypeExpr *texpr;
    Decl *decl;
    Vec vec;
    struct { Vec names, locs, vals; } inits;
}

%token KW_IMPORT "'import'" KW_CONST "'const'" KW_TYPE "'type'" KW_ENUM "'enum'"
%token KW_STRUCT "'struct'" KW_HEADER "'header'" KW_PORT "'port'" KW_STATE "'state'"
%token KW_TABLE "'table'" KW_HASH "'hash'" KW_LPM "'lpm'" KW_FN "'fn'" KW_ON "'on'"
%token KW_PACKET "'packet'" KW_INIT "'init'" KW_TIMER "'timer'" KW_EVERY "'every'"
%token KW_LET "'let'" KW_IF "'if'" KW_ELSE "'else'" KW_WHILE "'while'" KW_FOR "'for'"
%token KW_IN "'in'" KW_BREAK "'break'" KW_CONTINUE "'continue'" KW_RETURN "'return'"
%token KW_TRUE "'true'" KW_FALSE "'false'" KW_AS "'as'"
%token <str> IDENT "identifier" STRING "string"
%token <num> NUMBER "number" MAC "MAC address" IPV4 "IPv4 address"
%token <op> ASSIGN_OP "compound assignment"
%token ARROW "'->'" DOTDOT "'..'" SHL "'<<'" SHR "'>>'" EQ "'=='" NE "'!='" LE "'<='" GE "'>='"
%token LAND "'&&'" LOR "'||'"

%left LOR
%left LAND
%nonassoc EQ NE '<' LE '>' GE
%left '|'
%left '^'
%left '&'
%left SHL SHR
%left '+' '-'
%left '*' '/' '%'
%precedence KW_AS
%precedence UNARY

%type <expr> expr cexpr primary literal period
%type <stmt> block stmt if_stmt else_part
%type <texpr> type
%type <str> name
%type <vec> stmts args args1 fields hfields items params params1 opt_params
%type <inits> inits inits1
%type <decl> decl

%%

program:
    %empty
  | program decl
  ;

decl:
    KW_IMPORT STRING ';'                     { $$ = decl_push(c, ast_new_decl(c, D_IMPORT, L(@2), $2)); }
  | KW_CONST name '=' expr ';'              { $$ = decl_push(c, ast_new_decl(c, D_CONST, L(@2), $2)); $$->init = $4; }
  | KW_CONST name ':' type '=' expr ';'     { $$ = decl_push(c, ast_new_decl(c, D_CONST, L(@2), $2)); $$->texpr = $4; $$->init = $6; }
  | KW_TYPE name '=' type ';'               { $$ = decl_push(c, ast_new_decl(c, D_TYPE, L(@2), $2)); $$->texpr = $4; }
  | KW_ENUM name ':' type '{' items '}'     { $$ = decl_push(c, ast_new_decl(c, D_ENUM, L(@2), $2)); $$->texpr = $4; $$->fields = $6; }
  | KW_STRUCT name '{' fields '}'           { $$ = decl_push(c, ast_new_decl(c, D_STRUCT, L(@2), $2)); $$->fields = $4; }
  | KW_HEADER name '{' hfields '}'          { $$ = decl_push(c, ast_new_decl(c, D_HEADER, L(@2), $2)); $$->fields = $4; }
  | KW_PORT ports ';'                        { $$ = NULL; }
  | KW_STATE name ':' type ';'              { $$ = decl_push(c, ast_new_decl(c, D_STATE, L(@2), $2)); $$->texpr = $4; }
  | KW_STATE name ':' type '=' expr ';'     { $$ = decl_push(c, ast_new_decl(c, D_STATE, L(@2), $2)); $$->texpr = $4; $$->init = $6; }
  | KW_TABLE name ':' KW_HASH '<' type ',' type '>' '[' expr ']' ';'
                                             { $$ = decl_push(c, ast_new_decl(c, D_TABLE, L(@2), $2)); $$->texpr = $6; $$->texpr2 = $8; $$->init = $11; }
  | KW_TABLE name ':' KW_LPM '<' type ',' type '>' '[' expr ']' ';'
                                             { $$ = decl_push(c, ast_new_decl(c, D_TABLE, L(@2), $2)); $$->texpr = $6; $$->texpr2 = $8; $$->init = $11; $$->table_lpm = 1; }
  | KW_FN name '(' params ')' block         { $$ = decl_push(c, ast_new_decl(c, D_FN, L(@2), $2)); $$->fields = $4; $$->body = $6; }
  | KW_FN name '(' params ')' ARROW type block
                                             { $$ = decl_push(c, ast_new_decl(c, D_FN, L(@2), $2)); $$->fields = $4; $$->texpr = $7; $$->body = $8; }
  | KW_ON KW_PACKET opt_params block         { $$ = decl_push(c, ast_new_decl(c, D_ON, L(@2), "packet")); $$->handler = 2; $$->fields = $3; $$->body = $4; }
  | KW_ON KW_INIT opt_params block           { $$ = decl_push(c, ast_new_decl(c, D_ON, L(@2), "init")); $$->handler = 1; $$->fields = $3; $$->body = $4; }
  | KW_ON KW_TIMER KW_EVERY period opt_params block
                                             { $$ = decl_push(c, ast_new_decl(c, D_ON, L(@2), "timer")); $$->handler = 3; $$->init = $4; $$->fields = $5; $$->body = $6; }
  | error ';'                                { $$ = NULL; }
  | error '}'                                { $$ = NULL; }
  ;

period:
    NUMBER                                   { $$ = ast_new_int(c, L(@1), $1, 0); }
  | IDENT                                    { $$ = ast_new_name(c, L(@1), $1); }
  ;

ports:
    name                                    { decl_push(c, ast_new_decl(c, D_PORT, L(@1), $1)); }
  | ports ',' name                          { decl_push(c, ast_new_decl(c, D_PORT, L(@3), $3)); }
  ;

items:
    name                                    { $$ = vec1(c, ast_new_decl(c, D_ENUM_ITEM, L(@1), $1)); }
  | name '=' expr                           { Decl *d = ast_new_decl(c, D_ENUM_ITEM, L(@1), $1); d->init = $3; $$ = vec1(c, d); }
  | items ',' name                          { $$ = vec_add(c, $1, ast_new_decl(c, D_ENUM_ITEM, L(@3), $3)); }
  | items ',' name '=' expr                 { Decl *d = ast_new_decl(c, D_ENUM_ITEM, L(@3), $3); d->init = $5; $$ = vec_add(c, $1, d); }
  | items ','                                { $$ = $1; }
  ;

fields:
    %empty                                   { $$ = (Vec){0}; }
  | name ':' type                           { Decl *d = ast_new_decl(c, D_STATE, L(@1), $1); d->texpr = $3; $$ = vec1(c, d); }
  | fields ',' name ':' type                { Decl *d = ast_new_decl(c, D_STATE, L(@3), $3); d->texpr = $5; $$ = vec_add(c, $1, d); }
  | fields ','                               { $$ = $1; }
  ;

hfields:
    %empty                                   { $$ = (Vec){0}; }
  | hfields name ':' type ';'               { Decl *d = ast_new_decl(c, D_STATE, L(@2), $2); d->texpr = $4; $$ = vec_add(c, $1, d); }
  ;

opt_params:
    %empty                                   { $$ = (Vec){0}; }
  | '(' params ')'                           { $$ = $2; }
  ;

params:
    %empty                                   { $$ = (Vec){0}; }
  | params1                                  { $$ = $1; }
  | params1 ','                              { $$ = $1; }
  ;

params1:
    name ':' type                           { Decl *d = ast_new_decl(c, D_STATE, L(@1), $1); d->texpr = $3; $$ = vec1(c, d); }
  | params1 ',' name ':' type               { Decl *d = ast_new_decl(c, D_STATE, L(@3), $3); d->texpr = $5; $$ = vec_add(c, $1, d); }
  ;

type:
    name                                    { $$ = ast_new_tname(c, L(@1), $1); }
  | '[' expr ']' type                        { $$ = ast_new_tarray(c, L(@1), $2, $4); }
  ;

block:
    '{' stmts '}'                            { $$ = ast_new_block(c, L(@1), $2); }
  | '{' stmts error '}'                      { $$ = ast_new_block(c, L(@1), $2); }
  ;

stmts:
    %empty                                   { $$ = (Vec){0}; }
  | stmts stmt                               { $$ = $2 ? vec_add(c, $1, $2) : $1; }
  ;

stmt:
    KW_LET name '=' expr ';'                { $$ = ast_new_stmt(c, S_LET, L(@1)); $$->name = $2; $$->name_loc = L(@2); $$->init = $4; }
  | KW_LET name ':' type '=' expr ';'       { $$ = ast_new_stmt(c, S_LET, L(@1)); $$->name = $2; $$->name_loc = L(@2); $$->texpr = $4; $$->init = $6; }
  | KW_LET name ':' type ';'                { $$ = ast_new_stmt(c, S_LET, L(@1)); $$->name = $2; $$->name_loc = L(@2); $$->texpr = $4; }
  | KW_LET name '=' expr KW_ELSE block      { $$ = ast_new_stmt(c, S_LET, L(@1)); $$->name = $2; $$->name_loc = L(@2); $$->init = $4; $$->els = $6; $$->is_let = 1; }
  | KW_LET name ':' type '=' expr KW_ELSE block
                                             { $$ = ast_new_stmt(c, S_LET, L(@1)); $$->name = $2; $$->name_loc = L(@2); $$->texpr = $4; $$->init = $6; $$->els = $8; $$->is_let = 1; }
  | expr '=' expr ';'                        { $$ = ast_new_stmt(c, S_ASSIGN, L(@2)); $$->lhs = $1; $$->rhs = $3; }
  | expr ASSIGN_OP expr ';'                  { $$ = ast_new_stmt(c, S_ASSIGN, L(@2)); $$->op = $2; $$->lhs = $1; $$->rhs = $3; }
  | expr ';'                                 { $$ = ast_new_stmt(c, S_EXPR, L(@1)); $$->init = $1; }
  | if_stmt                                  { $$ = $1; }
  | KW_WHILE cexpr block                     { $$ = ast_new_stmt(c, S_WHILE, L(@1)); $$->cond = $2; $$->body = $3; }
  | KW_FOR name KW_IN cexpr DOTDOT cexpr block
                                             { $$ = ast_new_stmt(c, S_FOR, L(@1)); $$->name = $2; $$->name_loc = L(@2); $$->init = $4; $$->hi = $6; $$->body = $7; }
  | KW_BREAK ';'                             { $$ = ast_new_stmt(c, S_BREAK, L(@1)); }
  | KW_CONTINUE ';'                          { $$ = ast_new_stmt(c, S_CONTINUE, L(@1)); }
  | KW_RETURN ';'                            { $$ = ast_new_stmt(c, S_RETURN, L(@1)); }
  | KW_RETURN expr ';'                       { $$ = ast_new_stmt(c, S_RETURN, L(@1)); $$->init = $2; }
  | block                                    { $$ = $1; }
  | ';'                                      { $$ = NULL; }
  | error ';'                                { $$ = NULL; }
  ;

if_stmt:
    KW_IF cexpr block else_part              { $$ = ast_new_if(c, L(@1), $2, $3, $4); }
  | KW_IF KW_LET name '=' cexpr block else_part
                                             { $$ = ast_new_iflet(c, L(@1), $3, L(@3), $5, $6, $7); }
  ;

else_part:
    %empty                                   { $$ = NULL; }
  | KW_ELSE block                            { $$ = $2; }
  | KW_ELSE if_stmt                          { $$ = $2; }
  ;

expr:
    primary                                  { $$ = $1; }
  | name '{' inits '}'                      { $$ = ast_new_struct(c, L(@1), $1, $3.names, $3.locs, $3.vals); }
  | '-' expr %prec UNARY                     { $$ = ast_new_unary(c, L(@1), OP_NEG, $2); }
  | '!' expr %prec UNARY                     { $$ = ast_new_unary(c, L(@1), OP_NOT, $2); }
  | '~' expr %prec UNARY                     { $$ = ast_new_unary(c, L(@1), OP_BNOT, $2); }
  | expr KW_AS type                          { $$ = ast_new_cast(c, L(@2), $1, $3); }
  | expr '*' expr                            { $$ = ast_new_binary(c, L(@2), OP_MUL, $1, $3); }
  | expr '/' expr                            { $$ = ast_new_binary(c, L(@2), OP_DIV, $1, $3); }
  | expr '%' expr                            { $$ = ast_new_binary(c, L(@2), OP_MOD, $1, $3); }
  | expr '+' expr                            { $$ = ast_new_binary(c, L(@2), OP_ADD, $1, $3); }
  | expr '-' expr                            { $$ = ast_new_binary(c, L(@2), OP_SUB, $1, $3); }
  | expr SHL expr                            { $$ = ast_new_binary(c, L(@2), OP_SHL, $1, $3); }
  | expr SHR expr                            { $$ = ast_new_binary(c, L(@2), OP_SHR, $1, $3); }
  | expr '&' expr                            { $$ = ast_new_binary(c, L(@2), OP_AND, $1, $3); }
  | expr '^' expr                            { $$ = ast_new_binary(c, L(@2), OP_XOR, $1, $3); }
  | expr '|' expr                            { $$ = ast_new_binary(c, L(@2), OP_OR, $1, $3); }
  | expr EQ expr                             { $$ = ast_new_binary(c, L(@2), OP_EQ, $1, $3); }
  | expr NE expr                             { $$ = ast_new_binary(c, L(@2), OP_NE, $1, $3); }
  | expr '<' expr                            { $$ = ast_new_binary(c, L(@2), OP_LT, $1, $3); }
  | expr LE expr                             { $$ = ast_new_binary(c, L(@2), OP_LE, $1, $3); }
  | expr '>' expr                            { $$ = ast_new_binary(c, L(@2), OP_GT, $1, $3); }
  | expr GE expr                             { $$ = ast_new_binary(c, L(@2), OP_GE, $1, $3); }
  | expr LAND expr                           { $$ = ast_new_binary(c, L(@2), OP_LAND, $1, $3); }
  | expr LOR expr                            { $$ = ast_new_binary(c, L(@2), OP_LOR, $1, $3); }
  ;

cexpr:
    primary                                  { $$ = $1; }
  | '-' cexpr %prec UNARY                    { $$ = ast_new_unary(c, L(@1), OP_NEG, $2); }
  | '!' cexpr %prec UNARY                    { $$ = ast_new_unary(c, L(@1), OP_NOT, $2); }
  | '~' cexpr %prec UNARY                    { $$ = ast_new_unary(c, L(@1), OP_BNOT, $2); }
  | cexpr KW_AS type                         { $$ = ast_new_cast(c, L(@2), $1, $3); }
  | cexpr '*' cexpr                          { $$ = ast_new_binary(c, L(@2), OP_MUL, $1, $3); }
  | cexpr '/' cexpr                          { $$ = ast_new_binary(c, L(@2), OP_DIV, $1, $3); }
  | cexpr '%' cexpr                          { $$ = ast_new_binary(c, L(@2), OP_MOD, $1, $3); }
  | cexpr '+' cexpr                          { $$ = ast_new_binary(c, L(@2), OP_ADD, $1, $3); }
  | cexpr '-' cexpr                          { $$ = ast_new_binary(c, L(@2), OP_SUB, $1, $3); }
  | cexpr SHL cexpr                          { $$ = ast_new_binary(c, L(@2), OP_SHL, $1, $3); }
  | cexpr SHR cexpr                          { $$ = ast_new_binary(c, L(@2), OP_SHR, $1, $3); }
  | cexpr '&' cexpr                          { $$ = ast_new_binary(c, L(@2), OP_AND, $1, $3); }
  | cexpr '^' cexpr                          { $$ = ast_new_binary(c, L(@2), OP_XOR, $1, $3); }
  | cexpr '|' cexpr                          { $$ = ast_new_binary(c, L(@2), OP_OR, $1, $3); }
  | cexpr EQ cexpr                           { $$ = ast_new_binary(c, L(@2), OP_EQ, $1, $3); }
  | cexpr NE cexpr                           { $$ = ast_new_binary(c, L(@2), OP_NE, $1, $3); }
  | cexpr '<' cexpr                          { $$ = ast_new_binary(c, L(@2), OP_LT, $1, $3); }
  | cexpr LE cexpr                           { $$ = ast_new_binary(c, L(@2), OP_LE, $1, $3); }
  | cexpr '>' cexpr                          { $$ = ast_new_binary(c, L(@2), OP_GT, $1, $3); }
  | cexpr GE cexpr                           { $$ = ast_new_binary(c, L(@2), OP_GE, $1, $3); }
  | cexpr LAND cexpr                         { $$ = ast_new_binary(c, L(@2), OP_LAND, $1, $3); }
  | cexpr LOR cexpr                          { $$ = ast_new_binary(c, L(@2), OP_LOR, $1, $3); }
  ;

primary:
    literal                                  { $$ = $1; }
  | name                                    { $$ = ast_new_name(c, L(@1), $1); }
  | name '(' args ')'                       { $$ = ast_new_call(c, L(@1), $1, $3); }
  | primary '.' name                        { $$ = ast_new_field(c, L(@3), $1, $3); }
  | primary '.' name '(' args ')'           { $$ = ast_new_method(c, L(@3), $1, $3, $5); }
  | primary '[' expr ']'                     { $$ = ast_new_index(c, L(@2), $1, $3); }
  | '(' expr ')'                             { $$ = $2; }
  | '[' args ']'                             { $$ = ast_new_array(c, L(@1), $2); }
  | '(' error ')'                            { $$ = ast_new_expr(c, E_ERROR, L(@1)); }
  ;

literal:
    NUMBER                                   { $$ = ast_new_int(c, L(@1), $1, 0); }
  | MAC                                      { $$ = ast_new_int(c, L(@1), $1, 1); }
  | IPV4                                     { $$ = ast_new_int(c, L(@1), $1, 2); }
  | KW_TRUE                                  { $$ = ast_new_bool(c, L(@1), 1); }
  | KW_FALSE                                 { $$ = ast_new_bool(c, L(@1), 0); }
  ;

args:
    %empty                                   { $$ = (Vec){0}; }
  | args1                                    { $$ = $1; }
  | args1 ','                                { $$ = $1; }
  ;

args1:
    expr                                     { $$ = vec1(c, $1); }
  | args1 ',' expr                           { $$ = vec_add(c, $1, $3); }
  ;

inits:
    %empty                                   { $$.names = (Vec){0}; $$.locs = (Vec){0}; $$.vals = (Vec){0}; }
  | inits1                                   { $$ = $1; }
  | inits1 ','                               { $$ = $1; }
  ;

inits1:
    name ':' expr                           { $$.names = vec1(c, (void *)$1); $$.locs = vec1(c, loc_box(c, L(@1))); $$.vals = vec1(c, $3); }
  | inits1 ',' name ':' expr                { $$ = $1; $$.names = vec_add(c, $$.names, (void *)$3); $$.locs = vec_add(c, $$.locs, loc_box(c, L(@3))); $$.vals = vec_add(c, $$.vals, $5); }
  ;

/* Words that are keywords only where a declaration or handler needs them. */
name:
    IDENT                                    { $$ = $1; }
  | KW_PORT                                  { $$ = "port"; }
  | KW_HASH                                  { $$ = "hash"; }
  | KW_LPM                                   { $$ = "lpm"; }
  | KW_PACKET                                { $$ = "packet"; }
  | KW_INIT                                  { $$ = "init"; }
  | KW_TIMER                                 { $$ = "timer"; }
  | KW_EVERY                                 { $$ = "every"; }
  ;

%%
