# f32 GEMM C[256x256] = A[256x256] . B[256x256] on vx128, operands in VTCM
# block 8 rows x 2 vectors (64 columns): 16 accumulators, A broadcasts x1, B vectors x2 (28 of 32 vregs)
# 8 packets per k step, 2 vfma.f32 per packet; estimated 265728 cycles = 98.7% of the f32 roof
.target vx128
.input A f32 256x256
.input B f32 256x256
.output C f32 256x256
.vtcm
A: .zero 262144
B: .zero 262144
C: .zero 262144
.text
main:
    { li r3, A ; li r5, C ; vsplati v0, 0 ; vsplati v1, 0 }
    { li r6, A+262144 ; vsplati v2, 0 ; vsplati v3, 0 }
    { vsplati v4, 0 ; vsplati v5, 0 }
    { vsplati v6, 0 ; vsplati v7, 0 }
    { vsplati v8, 0 ; vsplati v9, 0 }
    { vsplati v10, 0 ; vsplati v11, 0 }
    { vsplati v12, 0 ; vsplati v13, 0 }
    { vsplati v14, 0 ; vsplati v15, 0 }
row:
    li r4, B
    loopi 4, col_end
    { mov r1, r3 ; mov r2, r4 ; vld v24, r4, 0 ; vld v25, r4, 128 }
    { vldbc v16, r3, 0 ; vldbc v17, r3, 1024 }
    { vldbc v18, r3, 2048 ; vldbc v19, r3, 3072 }
    { vldbc v20, r3, 4096 ; vldbc v21, r3, 5120 }
    { vldbc v22, r3, 6144 ; vldbc v23, r3, 7168 }
    loopi 127, k_end
    { vfma.f32 v0, v16, v24 ; vfma.f32 v1, v16, v25 ; vldbc v16, r1, 4 ; vld v26, r2, 1024 }
    { vfma.f32 v2, v17, v24 ; vfma.f32 v3, v17, v25 ; vld v27, r2, 1152 ; vldbc v17, r1, 1028 }
    { vfma.f32 v4, v18, v24 ; vfma.f32 v5, v18, v25 ; vldbc v18, r1, 2052 }
    { vfma.f32 v6, v19, v24 ; vfma.f32 v7, v19, v25 ; vldbc v19, r1, 3076 }
    { vfma.f32 v8, v20, v24 ; vfma.f32 v9, v20, v25 ; vldbc v20, r1, 4100 }
    { vfma.f32 v10, v21, v24 ; vfma.f32 v11, v21, v25 ; vldbc v21, r1, 5124 }
    { vfma.f32 v12, v22, v24 ; vfma.f32 v13, v22, v25 ; vldbc v22, r1, 6148 }
    { vfma.f32 v14, v23, v24 ; vfma.f32 v15, v23, v25 ; vldbc v23, r1, 7172 ; vld v24, r2, 2048 }
    { vfma.f32 v0, v16, v26 ; vfma.f32 v1, v16, v27 ; vld v25, r2, 2176 ; vldbc v16, r1, 8 }
    { vfma.f32 v2, v17, v26 ; vfma.f32 v3, v17, v27 ; vldbc v17, r1, 1032 }
    { vfma.f32 v4, v18, v26 ; vfma.f32 v5, v18, v27 ; vldbc v18, r1, 2056 }
    { vfma.f32 v6, v19, v26 ; vfma.f32 v7, v19, v27 ; vldbc v19, r1, 3080 }
    { vfma.f32 v8, v20, v26 ; vfma.f32 v9, v20, v27 ; vldbc v20, r1, 4104 }
    { vfma.f32 v10, v21, v26 ; vfma.f32 v11, v21, v27 ; vldbc v21, r1, 5128 }
    { vfma.f32 v12, v22, v26 ; vfma.f32 v13, v22, v27 ; vldbc v22, r1, 6152 ; addi r2, r2, 2048 }
    { vfma.f32 v14, v23, v26 ; vfma.f32 v15, v23, v27 ; vldbc v23, r1, 7176 ; addi r1, r1, 8 }
k_end:
    { vfma.f32 v0, v16, v24 ; vfma.f32 v1, v16, v25 ; vldbc v16, r1, 4 ; vld v26, r2, 1024 }
    { vfma.f32 v2, v17, v24 ; vfma.f32 v3, v17, v25 ; vld v27, r2, 1152 ; vldbc v17, r1, 1028 }
    { vfma.f32 v4, v18, v24 ; vfma.f32 v5, v18, v25 ; vldbc v18, r1, 2052 ; addi r4, r4, 256 }
    { vfma.f32 v6, v19, v24 ; vfma.f32 v7, v19, v25 ; vldbc v19, r1, 3076 }
    { vfma.f32 v8, v20, v24 ; vfma.f32 v9, v20, v25 ; vldbc v20, r1, 4100 }
    { vfma.f32 v10, v21, v24 ; vfma.f32 v11, v21, v25 ; vldbc v21, r1, 5124 }
    { vfma.f32 v12, v22, v24 ; vfma.f32 v13, v22, v25 ; vldbc v22, r1, 6148 }
    { vfma.f32 v14, v23, v24 ; vfma.f32 v15, v23, v25 ; vldbc v23, r1, 7172 }
    { vfma.f32 v0, v16, v26 ; vfma.f32 v1, v16, v27 }
    { vfma.f32 v2, v17, v26 ; vfma.f32 v3, v17, v27 }
    { vfma.f32 v4, v18, v26 ; vfma.f32 v5, v18, v27 ; vst v0, r5, 0 ; vsplati v0, 0 }
    { vfma.f32 v6, v19, v26 ; vfma.f32 v7, v19, v27 ; vst v1, r5, 128 ; vsplati v1, 0 }
    { vfma.f32 v8, v20, v26 ; vfma.f32 v9, v20, v27 ; vst v2, r5, 1024 ; vsplati v2, 0 }
    { vfma.f32 v10, v21, v26 ; vfma.f32 v11, v21, v27 ; vst v3, r5, 1152 ; vsplati v3, 0 }
    { vfma.f32 v12, v22, v26 ; vfma.f32 v13, v22, v27 ; vst v4, r5, 2048 ; vsplati v4, 0 }
    { vfma.f32 v14, v23, v26 ; vfma.f32 v15, v23, v27 ; vst v5, r5, 2176 ; vsplati v5, 0 }
    { vst v6, r5, 3072 ; vsplati v6, 0 }
    { vst v7, r5, 3200 ; vsplati v7, 0 }
    { vst v8, r5, 4096 ; vsplati v8, 0 }
    { vst v9, r5, 4224 ; vsplati v9, 0 }
    { vst v10, r5, 5120 ; vsplati v10, 0 }
    { vst v11, r5, 5248 ; vsplati v11, 0 }
    { vst v12, r5, 6144 ; vsplati v12, 0 }
    { vst v13, r5, 6272 ; vsplati v13, 0 }
    { vst v14, r5, 7168 ; vsplati v14, 0 }
    { vst v15, r5, 7296 ; vsplati v15, 0 ; addi r5, r5, 256 }
col_end:
    { addi r3, r3, 8192 ; addi r5, r5, 7168 }
    blt r3, r6, row
    halt
