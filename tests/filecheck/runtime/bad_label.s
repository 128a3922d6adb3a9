# RUN: not vexa-run %s 2>&1 | filecheck %s
# CHECK: vexa-run: error: {{.*}}bad_label.s:6:17: bne: undefined label 'loop_top'
.text
main:
    li r1, 4
    bne r1, r0, loop_top
    halt
