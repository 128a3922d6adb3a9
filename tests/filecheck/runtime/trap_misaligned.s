# A trap names the location, pc, source tag, instruction and reason; exit 1.
# RUN: not vexa-run %s 2>&1 | filecheck %s
# RUN: not vexa-run %s --engine reference 2>&1 | filecheck %s
# CHECK: vexa-run: error: {{.*}}trap_misaligned.s:11: trap at pc 1 (packet 1) [conv1]: 'vld v0, r1, 64': misaligned access at 0x00000040: expected 128-byte alignment
.data
A: .zero 256
.text
main:
    .loc "conv1"
    li r1, A
    vld v0, r1, 64
    halt
