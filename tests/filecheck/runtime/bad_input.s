# Inputs are checked against the .input declaration.
# RUN: %python -c "import numpy as np; np.save('%t.npy', np.zeros(3, np.float32))"
# RUN: not vexa-run %s --input A=%t.npy 2>&1 | filecheck %s
# RUN: not vexa-run %s --input B=%t.npy 2>&1 | filecheck %s --check-prefix=NAME
# RUN: not vexa-run %s 2>&1 | filecheck %s --check-prefix=MISSING
# CHECK: vexa-run: error: --input A: expected shape [4], got [3]
# NAME: vexa-run: error: --input B: unknown input, expected one of ['A']
# MISSING: vexa-run: error: missing input 'A': give --input A=FILE.npy or --random-inputs
.input A f32 4
.data
A: .zero 16
.text
main:
    halt
