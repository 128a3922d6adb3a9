# Execution must not run off the end of the text.
# RUN: not vexa-run %s 2>&1 | filecheck %s
# CHECK: vexa-run: error: {{.*}}no_halt.s:7:5: expected the last packet to halt or jump (execution would run off the end), got 'addi'
.text
main:
    li r1, 4
    addi r1, r1, 1
