/* slemu's setup files: several VMs on one hypervisor (vm/hv.h), read from YAML with libyaml.
 * The format is in emu/README.md ("Setup files"); an example is tests/hv/net.yaml.
 *
 * sl_setup_load() reads and checks a file into an SlSetup (every mistake reported as
 * "file:line:col: error: ..." in err, first one only); sl_setup_run() builds the hypervisor,
 * runs it over the captures and prints the summary. Hosted code: it prints, unlike vm/. */
#ifndef SLUICE_EMU_SETUP_H
#define SLUICE_EMU_SETUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hv.h"

typedef struct SlSetupLoc {
    uint32_t line, col; /* 1-based, of the node in the setup file */
} SlSetupLoc;

typedef struct SlSetupIn {
    SlHvMatch match;
    char *vport;        /* a number or a port name of the image */
    SlSetupLoc loc;
} SlSetupIn;

typedef struct SlSetupOut {
    char *vport;
    uint32_t phys;
    SlSetupLoc loc;
} SlSetupOut;

typedef struct SlSetupVm {
    char *name;
    char *image;        /* as written */
    char *image_path;   /* resolved against the setup file's directory */
    SlSetupLoc loc, image_loc;
    SlHvQuotas quotas;
    SlSetupIn *in;
    uint32_t nin;
    SlSetupOut *out;
    uint32_t nout;
    /* replace: {at_packet, image, keep_state} */
    uint64_t replace_at;   /* 0: none; else before the at_packet-th input frame (1-based) */
    char *replace_image;
    char *replace_path;
    SlSetupLoc replace_loc;
    int replace_keep;
} SlSetupVm;

typedef struct SlSetupPort {
    char *in, *out;     /* resolved paths, or NULL */
} SlSetupPort;

typedef struct SlSetup {
    char *path;
    uint32_t nports;
    uint64_t seed, quantum;
    uint32_t batch;     /* frames read between scheduler runs to idle */
    SlSetupPort *ports; /* nports */
    SlSetupVm *vms;
    uint32_t nvms;
} SlSetup;

/* 0, or -1 with "file:line:col: error: ..." (or "file: error: ...") in err. */
int sl_setup_load(const char *path, SlSetup *out, char *err, size_t errcap);
/* The same from an open stream; path names it in messages and anchors relative paths. */
int sl_setup_read(FILE *f, const char *path, SlSetup *out, char *err, size_t errcap);
void sl_setup_free(SlSetup *s);

typedef struct SlSetupOptions {
    int json, quiet;
    int aot;            /* --engine aot: every VM (and replacement) on JIT'd native code */
    /* -i PORT=FILE / -o PORT=FILE from the command line: override the file's captures */
    uint32_t nin, nout;
    uint32_t in_port[257], out_port[257];
    const char *in_path[257], *out_path[257];
} SlSetupOptions;

/* Runs the setup; returns slemu's exit status (0 done, 1 run-time failure). */
int sl_setup_run(SlSetup *s, const SlSetupOptions *o);

#endif
