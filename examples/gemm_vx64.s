# f32 GEMM C[128x128] = A[128x128] . B[128x128] on vx64, operands in VTCM
# block 4 rows x 2 vectors (32 columns): 8 accumulators, A broadcasts x1, B vectors x2 (16 of 16 vregs)
# 8 packets per k step, 1 vfma.f32 per packet; estimated 133376 cycles = 98.3% of the f32 roof
.target vx64
.input A f32 128x128
.input B f32 128x128
.output C f32 128x128
.vtcm
A: .zero 65536
B: .zero 65536
C: .zero 65536
.text
main:
    { li r3, A ; vsplati v0, 0 }
    { li r5, C ; vsplati v1, 0 }
    { li r6, A+65536 ; vsplati v2, 0 }
    vsplati v3, 0
    vsplati v4, 0
    vsplati v5, 0
    vsplati v6, 0
    vsplati v7, 0
row:
    li r4, B
    loopi 4, col_end
    { mov r1, r3 ; vld v12, r4, 0 }
    { mov r2, r4 ; vld v13, r4, 64 }
    { vldbc v8, r3, 0 ; vldbc v9, r3, 512 }
    { vldbc v10, r3, 1024 ; vldbc v11, r3, 1536 }
    loopi 63, k_end
    { vfma.f32 v0, v8, v12 ; vld v14, r2, 512 }
    { vfma.f32 v1, v8, v13 ; vldbc v8, r1, 4 }
    { vfma.f32 v2, v9, v12 ; vld v15, r2, 576 }
    { vfma.f32 v3, v9, v13 ; vldbc v9, r1, 516 }
    vfma.f32 v4, v10, v12
    { vfma.f32 v5, v10, v13 ; vldbc v10, r1, 1028 }
    { vfma.f32 v6, v11, v12 ; vld v12, r2, 1024 }
    { vfma.f32 v7, v11, v13 ; vldbc v11, r1, 1540 }
    { vfma.f32 v0, v8, v14 ; vld v13, r2, 1088 }
    { vfma.f32 v1, v8, v15 ; vldbc v8, r1, 8 }
    vfma.f32 v2, v9, v14
    { vfma.f32 v3, v9, v15 ; vldbc v9, r1, 520 }
    { vfma.f32 v4, v10, v14 ; addi r2, r2, 1024 }
    { vfma.f32 v5, v10, v15 ; vldbc v10, r1, 1032 }
    { vfma.f32 v6, v11, v14 ; addi r1, r1, 8 }
    { vfma.f32 v7, v11, v15 ; vldbc v11, r1, 1536 }
k_end:
    { vfma.f32 v0, v8, v12 ; vld v14, r2, 512 }
    { vfma.f32 v1, v8, v13 ; vldbc v8, r1, 4 }
    { vfma.f32 v2, v9, v12 ; vld v15, r2, 576 }
    { vfma.f32 v3, v9, v13 ; vldbc v9, r1, 516 }
    { vfma.f32 v4, v10, v12 ; addi r4, r4, 128 }
    { vfma.f32 v5, v10, v13 ; vldbc v10, r1, 1028 }
    vfma.f32 v6, v11, v12
    { vfma.f32 v7, v11, v13 ; vldbc v11, r1, 1540 }
    vfma.f32 v0, v8, v14
    vfma.f32 v1, v8, v15
    { vfma.f32 v2, v9, v14 ; vst v0, r5, 0 }
    { vfma.f32 v3, v9, v15 ; vsplati v0, 0 }
    { vfma.f32 v4, v10, v14 ; vst v1, r5, 64 }
    { vfma.f32 v5, v10, v15 ; vsplati v1, 0 }
    { vfma.f32 v6, v11, v14 ; vst v2, r5, 512 }
    { vfma.f32 v7, v11, v15 ; vsplati v2, 0 }
    { vst v3, r5, 576 ; vsplati v3, 0 }
    { vst v4, r5, 1024 ; vsplati v4, 0 }
    { vst v5, r5, 1088 ; vsplati v5, 0 }
    { vst v6, r5, 1536 ; vsplati v6, 0 }
    { vst v7, r5, 1600 ; vsplati v7, 0 }
    addi r5, r5, 128
col_end:
    addi r3, r3, 2048
    addi r5, r5, 1536
    blt r3, r6, row
    halt
