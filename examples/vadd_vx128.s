# f32 vector add C[1048576] = A + B on vx128: DRAM -> VTCM by double-buffered DMA
# 16 chunks of 262144 bytes, 8 vectors per loop iteration; moves 12582912 DRAM bytes
.target vx128
.input A f32 1048576
.input B f32 1048576
.output C f32 1048576
.data
A: .zero 4194304
B: .zero 4194304
C: .zero 4194304
.vtcm
a0: .zero 262144
b0: .zero 262144
c0: .zero 262144
a1: .zero 262144
b1: .zero 262144
c1: .zero 262144
.text
main:
    li r9, 262144
    li r1, A
    li r2, B
    li r3, C
    li r4, a0
    li r5, b0
    li r6, a1
    li r7, b1
    li r8, c0
    li r13, c1
    dma r4, r1, r9
    dma r5, r2, r9
    dmawait 0
    addi r1, r1, 262144
    addi r2, r2, 262144
    dma r6, r1, r9
    dma r7, r2, r9
    addi r1, r1, 262144
    addi r2, r2, 262144
    loopi 7, pair_end
    dmawait 3
    { li r10, a0 ; li r11, b0 }
    li r12, c0
    loopi 256, add_end0
    { vld v0, r10, 0 ; vld v1, r11, 0 }
    { vld v2, r10, 128 ; vld v3, r11, 128 }
    { vadd.f32 v0, v0, v1 ; vld v4, r10, 256 ; vld v5, r11, 256 }
    { vst v0, r12, 0 ; vadd.f32 v2, v2, v3 ; vld v6, r10, 384 ; vld v7, r11, 384 }
    { vst v2, r12, 128 ; vadd.f32 v4, v4, v5 ; vld v8, r10, 512 ; vld v9, r11, 512 }
    { vst v4, r12, 256 ; vadd.f32 v6, v6, v7 ; vld v10, r10, 640 ; vld v11, r11, 640 }
    { vst v6, r12, 384 ; vadd.f32 v8, v8, v9 ; vld v12, r10, 768 ; vld v13, r11, 768 }
    { vst v8, r12, 512 ; vadd.f32 v10, v10, v11 ; vld v14, r10, 896 ; vld v15, r11, 896 }
    { vst v10, r12, 640 ; vadd.f32 v12, v12, v13 ; addi r10, r10, 1024 ; addi r11, r11, 1024 }
    { vst v12, r12, 768 ; vadd.f32 v14, v14, v15 }
    { vst v14, r12, 896 ; addi r12, r12, 1024 }
add_end0:
    dma r3, r8, r9
    addi r3, r3, 262144
    dma r4, r1, r9
    dma r5, r2, r9
    addi r1, r1, 262144
    addi r2, r2, 262144
    dmawait 3
    { li r10, a1 ; li r11, b1 }
    li r12, c1
    loopi 256, add_end1
    { vld v0, r10, 0 ; vld v1, r11, 0 }
    { vld v2, r10, 128 ; vld v3, r11, 128 }
    { vadd.f32 v0, v0, v1 ; vld v4, r10, 256 ; vld v5, r11, 256 }
    { vst v0, r12, 0 ; vadd.f32 v2, v2, v3 ; vld v6, r10, 384 ; vld v7, r11, 384 }
    { vst v2, r12, 128 ; vadd.f32 v4, v4, v5 ; vld v8, r10, 512 ; vld v9, r11, 512 }
    { vst v4, r12, 256 ; vadd.f32 v6, v6, v7 ; vld v10, r10, 640 ; vld v11, r11, 640 }
    { vst v6, r12, 384 ; vadd.f32 v8, v8, v9 ; vld v12, r10, 768 ; vld v13, r11, 768 }
    { vst v8, r12, 512 ; vadd.f32 v10, v10, v11 ; vld v14, r10, 896 ; vld v15, r11, 896 }
    { vst v10, r12, 640 ; vadd.f32 v12, v12, v13 ; addi r10, r10, 1024 ; addi r11, r11, 1024 }
    { vst v12, r12, 768 ; vadd.f32 v14, v14, v15 }
    { vst v14, r12, 896 ; addi r12, r12, 1024 }
add_end1:
    dma r3, r13, r9
    addi r3, r3, 262144
    dma r6, r1, r9
    dma r7, r2, r9
    addi r1, r1, 262144
    addi r2, r2, 262144
pair_end:
    dmawait 3
    { li r10, a0 ; li r11, b0 }
    li r12, c0
    loopi 256, add_end2
    { vld v0, r10, 0 ; vld v1, r11, 0 }
    { vld v2, r10, 128 ; vld v3, r11, 128 }
    { vadd.f32 v0, v0, v1 ; vld v4, r10, 256 ; vld v5, r11, 256 }
    { vst v0, r12, 0 ; vadd.f32 v2, v2, v3 ; vld v6, r10, 384 ; vld v7, r11, 384 }
    { vst v2, r12, 128 ; vadd.f32 v4, v4, v5 ; vld v8, r10, 512 ; vld v9, r11, 512 }
    { vst v4, r12, 256 ; vadd.f32 v6, v6, v7 ; vld v10, r10, 640 ; vld v11, r11, 640 }
    { vst v6, r12, 384 ; vadd.f32 v8, v8, v9 ; vld v12, r10, 768 ; vld v13, r11, 768 }
    { vst v8, r12, 512 ; vadd.f32 v10, v10, v11 ; vld v14, r10, 896 ; vld v15, r11, 896 }
    { vst v10, r12, 640 ; vadd.f32 v12, v12, v13 ; addi r10, r10, 1024 ; addi r11, r11, 1024 }
    { vst v12, r12, 768 ; vadd.f32 v14, v14, v15 }
    { vst v14, r12, 896 ; addi r12, r12, 1024 }
add_end2:
    dma r3, r8, r9
    addi r3, r3, 262144
    dmawait 1
    { li r10, a1 ; li r11, b1 }
    li r12, c1
    loopi 256, add_end3
    { vld v0, r10, 0 ; vld v1, r11, 0 }
    { vld v2, r10, 128 ; vld v3, r11, 128 }
    { vadd.f32 v0, v0, v1 ; vld v4, r10, 256 ; vld v5, r11, 256 }
    { vst v0, r12, 0 ; vadd.f32 v2, v2, v3 ; vld v6, r10, 384 ; vld v7, r11, 384 }
    { vst v2, r12, 128 ; vadd.f32 v4, v4, v5 ; vld v8, r10, 512 ; vld v9, r11, 512 }
    { vst v4, r12, 256 ; vadd.f32 v6, v6, v7 ; vld v10, r10, 640 ; vld v11, r11, 640 }
    { vst v6, r12, 384 ; vadd.f32 v8, v8, v9 ; vld v12, r10, 768 ; vld v13, r11, 768 }
    { vst v8, r12, 512 ; vadd.f32 v10, v10, v11 ; vld v14, r10, 896 ; vld v15, r11, 896 }
    { vst v10, r12, 640 ; vadd.f32 v12, v12, v13 ; addi r10, r10, 1024 ; addi r11, r11, 1024 }
    { vst v12, r12, 768 ; vadd.f32 v14, v14, v15 }
    { vst v14, r12, 896 ; addi r12, r12, 1024 }
add_end3:
    dma r3, r13, r9
    dmawait 0
    halt
