# Register numbers are checked against the target: vx64 has 16 vector registers.
# RUN: not vexa-run %s --target vx64 2>&1 | filecheck %s
# RUN: vexa-run %s --target vx128 | filecheck %s --check-prefix=OK
# CHECK: vexa-run: error: {{.*}}bad_register.s:8:14: vmov: register v20 out of range: vx64 has 16 vector registers
# OK: cycles
.text
main:
    vmov v1, v20
    halt
