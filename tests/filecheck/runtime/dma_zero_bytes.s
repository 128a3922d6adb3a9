# A zero-byte transfer copies nothing and checks no address (here one past all memory),
# yet it is a transfer: it joins the FIFO and `dmawait` counts it (the lowering issues the
# last tile's prefetch this way). Both simulators agree.
# RUN: vexa-run %s --random-inputs | filecheck %s
# RUN: vexa-run %s --random-inputs --engine reference | filecheck %s

# CHECK: C: float32 1x32 [
# CHECK: dma 2 transfers, 128 bytes

.target vx128
.input  A f32 1x32
.output C f32 1x32
.data
A:  .zero 128
C:  .zero 128
.text
main:
    li r1, A
    li r2, C
    li r3, 128
    li r4, 0
    li r5, -64
    dma r5, r5, r4
    dma r2, r1, r3
    dmawait 0
    halt
