/* AArch64 Linux: the generic syscall table (include/uapi/asm-generic/unistd.h), number in x8,
 * arguments in x0..x5, result in x0. There is no open(2): openat(AT_FDCWD, ...). */
#include "sys.h"

enum { O_WRITE = 01 | 0100 | 01000 }; /* O_WRONLY|O_CREAT|O_TRUNC */

enum { NR_OPENAT = 56, NR_CLOSE = 57, NR_READ = 63, NR_WRITE = 64, NR_EXIT_GROUP = 94 };
enum { AT_FDCWD = -100 };

static long syscall4(long n, long a, long b, long c, long d)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory", "cc");
    return x0;
}

long sys_read(int fd, void *buf, size_t n) { return syscall4(NR_READ, fd, (long)buf, (long)n, 0); }
long sys_write(int fd, const void *buf, size_t n) { return syscall4(NR_WRITE, fd, (long)buf, (long)n, 0); }
long sys_open(const char *path, int for_write)
{
    return syscall4(NR_OPENAT, AT_FDCWD, (long)path, for_write ? O_WRITE : 0, for_write ? 0644 : 0);
}
long sys_close(int fd) { return syscall4(NR_CLOSE, fd, 0, 0, 0); }

_Noreturn void sys_exit(int status)
{
    for (;;)
        syscall4(NR_EXIT_GROUP, status, 0, 0, 0);
}

/* sp points at argc and is 16-byte aligned. */
__asm__(".text\n"
        ".globl _start\n"
        ".type _start,%function\n"
        "_start:\n"
        "    mov x29, #0\n"
        "    mov x30, #0\n"
        "    mov x0, sp\n"
        "    bl sl_rt_start\n"
        "    brk #0\n");
