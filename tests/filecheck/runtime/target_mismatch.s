# RUN: not vexa-run %s --target vx128 2>&1 | filecheck %s
# CHECK: vexa-run: error: {{.*}}target_mismatch.s:3:9: program is for target 'vx64', got target 'vx128'
.target vx64
.text
main:
    halt
