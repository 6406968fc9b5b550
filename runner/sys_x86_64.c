/* x86-64 Linux: syscall numbers from arch/x86/entry/syscalls/syscall_64.tbl; arguments in rdi, rsi,
 * rdx, r10; the kernel clobbers rcx and r11. */
#include "sys.h"

enum { O_WRITE = 01 | 0100 | 01000 }; /* O_WRONLY|O_CREAT|O_TRUNC */

enum { NR_READ = 0, NR_WRITE = 1, NR_OPEN = 2, NR_CLOSE = 3, NR_EXIT_GROUP = 231 };

static long syscall3(long n, long a, long b, long c)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
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

/* rsp points at argc and is 16-byte aligned; the call pushes the return address as the ABI
 * expects at a function's entry. */
__asm__(".text\n"
        ".globl _start\n"
        ".type _start,@function\n"
        "_start:\n"
        "    xor %rbp, %rbp\n"
        "    mov %rsp, %rdi\n"
        "    and $-16, %rsp\n"
        "    call sl_rt_start\n"
        "    hlt\n");
