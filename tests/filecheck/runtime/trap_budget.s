# A runaway loop stops at the instruction budget.
# RUN: not vexa-run %s --max-instructions 1000 2>&1 | filecheck %s
# CHECK: vexa-run: error: {{.*}}trap_budget.s:6: trap at pc 0 (packet 0): 'j spin': instruction budget exceeded: max_instructions=1000
.text
spin:
    j spin
    halt
