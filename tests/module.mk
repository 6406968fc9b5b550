# Each test area registers itself in its own module.mk.
include $(wildcard tests/*/module.mk tests/unit/*/module.mk)
