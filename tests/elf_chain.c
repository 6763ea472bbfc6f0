/* elf_chain.c - a call chain for test_elf's live unwind, built without frame pointers (see
 * elf_cfi.cmake): elf_chain_a calls b calls c; each records the address it returns to, and c
 * records its registers and then calls the test's hook while the whole chain is on the stack.
 * SPDX-License-Identifier: MIT */
#include <stdint.h>

/* The registers c captured: rip (just after the capture), rsp, then the callee-saved ones. */
struct elf_chain_regs {
    uint64_t rip, rsp, rbp, rbx, r12, r13, r14, r15;
};

extern struct elf_chain_regs elf_chain_ctx;
extern uint64_t elf_chain_ret[3];
int elf_chain_a(int (*hook)(void *), void *arg);
int elf_chain_b(int (*hook)(void *), void *arg);
int elf_chain_c(int (*hook)(void *), void *arg);

struct elf_chain_regs elf_chain_ctx;
uint64_t elf_chain_ret[3]; /* where c, b and a return to */

/* Each frame keeps a volatile array so the compiler must give it a stack frame, and uses the
 * callee's result so that no call becomes a tail call. */
__attribute__((noinline)) int elf_chain_c(int (*hook)(void *), void *arg)
{
    volatile int pad[9] = {3};
    elf_chain_ret[0] = (uint64_t)(uintptr_t)__builtin_return_address(0);
#if defined(__x86_64__)
    __asm__ volatile("leaq 0(%%rip), %%rax\n\t"
                     "movq %%rax, 0(%0)\n\t"
                     "movq %%rsp, 8(%0)\n\t"
                     "movq %%rbp, 16(%0)\n\t"
                     "movq %%rbx, 24(%0)\n\t"
                     "movq %%r12, 32(%0)\n\t"
                     "movq %%r13, 40(%0)\n\t"
                     "movq %%r14, 48(%0)\n\t"
                     "movq %%r15, 56(%0)\n\t"
                     :
                     : "r"(&elf_chain_ctx)
                     : "rax", "memory");
#endif
    return hook(arg) + pad[0] + pad[8];
}

__attribute__((noinline)) int elf_chain_b(int (*hook)(void *), void *arg)
{
    volatile int pad[20] = {2};
    elf_chain_ret[1] = (uint64_t)(uintptr_t)__builtin_return_address(0);
    return elf_chain_c(hook, arg) * 3 + pad[0] + pad[19];
}

__attribute__((noinline)) int elf_chain_a(int (*hook)(void *), void *arg)
{
    volatile int pad[40] = {1};
    elf_chain_ret[2] = (uint64_t)(uintptr_t)__builtin_return_address(0);
    return elf_chain_b(hook, arg) * 5 + pad[0] + pad[39];
}
