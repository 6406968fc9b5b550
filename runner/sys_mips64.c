/* MIPS64 n64 Linux (big-endian Octeon): syscall numbers are 5000 + the n64 table index
 * (arch/mips/kernel/syscalls/syscall_n64.tbl). Number in $2 (v0), arguments in $4..$7; on return
 * $7 (a3) is non-zero on failure, $2 then holding the positive errno. The kernel may clobber $1,
 * $3, $8..$15, $24, $25, hi and lo.
 *
 * Built -mno-abicalls -fno-pic -G0: absolute addressing and no small-data section, so _start
 * need not set up $gp. */
#include "sys.h"

enum { O_WRITE = 0x1 | 0x100 | 0x200 }; /* O_WRONLY|O_CREAT|O_TRUNC */

enum { NR_READ = 5000, NR_WRITE = 5001, NR_OPEN = 5002, NR_CLOSE = 5003, NR_EXIT_GROUP = 5205 };

static long syscall3(long n, long a, long b, long c)
{
    register long r2 __asm__("$2") = n;
    register long r4 __asm__("$4") = a;
    register long r5 __asm__("$5") = b;
    register long r6 __asm__("$6") = c;
    register long r7 __asm__("$7");
    __asm__ volatile("syscall"
                     : "+r"(r2), "=r"(r7)
                     : "r"(r4), "r"(r5), "r"(r6)
                     : "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24", "$25",
                       "hi", "lo", "memory");
    return r7 ? -r2 : r2;
}

long sys_read(int fd, void *buf, size_t n) { return syscall3(NR_READ, fd, (long)buf, (long)n); }
long sys_write(int fd, const void *buf, size_t n) { return syscall3(NR_WRITE, fd, (long)buf, (long)n); }
long sys_open(const char *path, int for_write)
{
    return syscall3(NR_OPEN, (long)path, for_write ? O_WRITE : 0, for_write ? 0644 : 0);
}
long sys_close(int fd) { return syscall3(NR_CLOSE, fd, 0, 0); }

_Noreturn void sys_exit(int status)
{
    for (;;)
        syscall3(NR_EXIT_GROUP, status, 0, 0);
}

/* $sp points at argc and is 16-byte aligned. n64 has no argument save area, so the callee may
 * use the stack as it is; jal's delay slot is filled with a nop. */
__asm__(".text\n"
        ".globl _start\n"
        ".globl __start\n" /* the MIPS linkers' default entry name */
        ".type _start,@function\n"
        ".set push\n"
        ".set noreorder\n"
        "_start:\n"
        "__start:\n"
        "    move $4, $sp\n"
        "    jal sl_rt_start\n"
        "    nop\n"
        "    break\n"
        ".set pop\n");
