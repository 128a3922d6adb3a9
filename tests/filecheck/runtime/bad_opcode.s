# RUN: not vexa-run %s 2>&1 | filecheck %s
# CHECK: vexa-run: error: {{.*}}bad_opcode.s:6:5: unknown instruction 'vfmaa.f32'
.text
main:
    li r1, 0
    vfmaa.f32 v1, v2, v3
    halt
