/* Texts of library status codes and run-time faults, from errors.def and faults.def. */
#include "vm.h"

static const char *const error_texts[] = {
#define X(name, text) text,
#include "errors.def"
#undef X
};

static const char *const fault_names[] = {
    "NONE",
#define X(name, text) #name,
#include "faults.def"
#undef X
};

static const char *const fault_texts[] = {
    "no fault",
#define X(name, text) text,
#include "faults.def"
#undef X
};

const char *sl_error_text(int code)
{
    unsigned c = code < 0 ? (unsigned)-code : (unsigned)code;
    return c < SL_E_COUNT ? error_texts[c] : "unknown error";
}

const char *sl_fault_name(unsigned fault)
{
    return fault < SL_FAULT_COUNT ? fault_names[fault] : "UNKNOWN";
}

const char *sl_fault_text(unsigned fault)
{
    return fault < SL_FAULT_COUNT ? fault_texts[fault] : "unknown fault";
}
