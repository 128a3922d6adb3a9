# An output with a zero dimension (ONNX graphs have them, e.g. an empty state) is declared
# like any other and reads back as an empty array; a negative dimension is an error.
# RUN: vexa-run %s --random-inputs | filecheck %s
# RUN: sed 's/E f32 2x0/E f32 2x-1/' %s > %t.s && not vexa-run %t.s 2>&1 | filecheck %s --check-prefix=BAD

# CHECK: E: float32 2x0
# CHECK: C: float32 1x32 [
# BAD: error: {{.*}}empty_output.s.tmp.s:12:9: expected dimensions >= 0, got '2x-1'

.target vx128
.input  A f32 1x32
.output E f32 2x0
.output C f32 1x32
.data
A:  .zero 128
E:  .zero 0
C:  .zero 128
.text
main:
    li r1, A
    li r2, C
    vld v0, r1, 0
    vst v0, r2, 0
    halt
