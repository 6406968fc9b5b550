# The freestanding core.
VM_SRCS += vm/isa.c vm/fmt.c vm/errors.c vm/image.c vm/verify.c vm/table.c vm/vm.c vm/interp.c vm/hv.c
