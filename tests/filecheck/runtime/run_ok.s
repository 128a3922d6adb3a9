# A complete program: inputs at random, outputs and the cycle report.
# RUN: vexa-run %s --random-inputs | filecheck %s
# RUN: vexa-run %s --random-inputs --engine reference --report json | filecheck %s --check-prefix=JSON
# RUN: vexa-run %s --random-inputs --no-timing | filecheck %s --check-prefix=NOTIME

# CHECK: C: float32 4x32 [
# CHECK: cycles        826
# CHECK: by class      branch 1, loop 1, salu 10, valu 1, vld 4, vmpy 4, vst 4
# CHECK: cycles by tag:
# CHECK-NEXT: scale

# JSON: "cycles": 826,
# JSON: "cycles_by_tag": {
# JSON-NEXT: "scale": 826

# NOTIME: cycles        17  (timing off)

.target vx128
.input  A f32 4x32
.output C f32 4x32
.data
A:  .zero 512
C:  .zero 512
.text
main:
    .loc "scale"
    li r1, A
    li r2, C
    vsplati v1, 0x40000000      # 2.0f
    loopi 4, done
    { vld v0, r1, 0 ; addi r1, r1, 128 }
    vmul.f32 v4, v0, v1
    { vst v4, r2, 0 ; addi r2, r2, 128 }
done:
    halt
