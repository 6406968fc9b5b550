/* The runner's whole operating-system interface: five raw Linux system calls and the program
 * entry, one small file per target (sys_x86_64.c, sys_mips64.c, sys_aarch64.c). No libc: the
 * runner is built -ffreestanding -nostdlib -static so that it runs where glibc cannot (qemu's
 * Octeon68XX model has no FPU, and Debian's mips64 glibc is hard-float).
 *
 * Each sys_<arch>.c defines _start, which passes the initial stack pointer to sl_rt_start(); the
 * stack holds argc, then argv[0..argc-1], then NULL, then the environment (the ELF process
 * start-up layout on all three targets). sl_rt_start() never returns. */
#ifndef SLUICE_RUNNER_SYS_H
#define SLUICE_RUNNER_SYS_H

#include <stddef.h>
#include <stdint.h>

/* Return the kernel's value: >= 0 on success, -errno on failure. */
long sys_read(int fd, void *buf, size_t n);
long sys_write(int fd, const void *buf, size_t n);
/* for_write 0: O_RDONLY; 1: O_WRONLY|O_CREAT|O_TRUNC, mode 0644 (the flag bits differ by target). */
long sys_open(const char *path, int for_write);
long sys_close(int fd);
_Noreturn void sys_exit(int status);

/* Defined by the runner: argc/argv from the initial stack. */
_Noreturn void sl_rt_start(long *sp);

#endif
