// RUN: vexa-opt %s -p 'convert-nn-to-tile{target=vx128}' | filecheck %s --check-prefixes=CHECK,V128
// RUN: vexa-opt %s -p 'convert-nn-to-tile{target="%inputs/vx_256k.toml"}' | filecheck %s --check-prefixes=CHECK,V256
// RUN: vexa-opt %s -p 'convert-nn-to-tile{target=vx128 tile-co=32 tile-h=7 tile-ci=16 tile-c=4 tile-m=64 tile-n=128 tile-k=512 double-buffer=false}' | filecheck %s --check-prefix=FORCED
// The tile sizes the cost model picks on a 4 MiB-VTCM target (vx128) and on a 256 KiB one,
// and the same ops with every tile size forced by pass options (no double buffering).

// ResNet-50 layer2 3x3 conv with bias; relu fused into the epilogue. The whole structure
// once (vx128): weights and bias stationary, input rows double-buffered with a guarded
// prefetch, padding by fill + clipped DMA, epilogue map, deferred write-back wait.
// CHECK-LABEL: func.func @conv(
// CHECK-SAME:    %x: memref<1x64x56x56xf32, #tile.space<dram>>, %r: memref<1x64x56x56xf32, #tile.space<dram>> {tile.output = "output0"})
// V128:        tile.kernel attributes {tile_sizes = array<i64: 1, 64, 2, 56>, reduction_tile_sizes = array<i64: 64>} {
// V128:          %[[W:.*]] = tile.dma_start %w[%c0, %c0, %c0, %c0], %in1[%c0, %c0, %c0, %c0] sizes [64, 64, 3, 3]
// V128:          tile.fill %in0, 0.000000e+00
// V128:          %[[T0:.*]] = tile.dma_start %x[%c0, %c0, %{{.*}}, %cm1], %in0[%c0, %c0, %c0, %c0] sizes [1, 64, 4, 58]
// V128:          %{{.*}}, %[[OUT:.*]] = tile.for %t = 0 to 28 step 1 iter_args(%[[IN:.*]] = %[[T0]], %[[PREV:.*]] = %{{.*}}) -> (!tile.token, !tile.token) {
// V128:            %[[NEXT:.*]] = scf.if %{{.*}} -> (!tile.token) {
// V128:              tile.dma_start %x
// V128:            tile.dma_wait %[[IN]]
// V128:            tile.conv %{{.*}}, %in1, %[[ACC:.*]] {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : memref<1x64x4x58xf32, #tile.space<vtcm>>, memref<64x64x3x3xf32, #tile.space<vtcm>>, memref<1x64x2x56xf32, #tile.space<vtcm>>
// V128-NEXT:       tile.map ins(%[[ACC]], %in2 : {{.*}}) outs(%[[ACC]] : {{.*}}) {
// V128:              arith.addf
// V128:              arith.maximumf
// V128:            %[[WB:.*]] = tile.dma_start %[[ACC]][%c0, %c0, %c0, %c0], %r[%c0, %c0, %{{.*}}, %c0] sizes [1, 64, 2, 56]
// V128-NEXT:       tile.dma_wait %[[PREV]]
// V128-NEXT:       tile.yield %[[NEXT]], %[[WB]] : !tile.token, !tile.token
// V128:          tile.dma_wait %[[OUT]]
// On 256 KiB the weights no longer fit whole: 32 output channels at a time, and their
// window (with the bias) is prefetched only when it changes, every 56 row steps.
// V256:        tile.kernel attributes {tile_sizes = array<i64: 1, 32, 1, 56>, reduction_tile_sizes = array<i64: 64>} {
// V256:          tile.for %t = 0 to 112 step 1
// V256:            %[[GO:.*]] = arith.andi %{{.*}}, %{{.*}} : i1
// V256-NEXT:       %{{.*}}, %{{.*}} = scf.if %[[GO]] -> (!tile.token, !tile.token) {
// V256:              tile.dma_start %w[%{{.*}}, %c0, %c0, %c0], %{{.*}}[%c0, %c0, %c0, %c0] sizes [32, 64, 3, 3]
// V256:            tile.conv {{.*}} : memref<1x64x3x58xf32, #tile.space<vtcm>>, memref<32x64x3x3xf32, #tile.space<vtcm>>, memref<1x32x1x56xf32, #tile.space<vtcm>>
// FORCED-LABEL: func.func @conv(
// FORCED:       tile.kernel attributes {tile_sizes = array<i64: 1, 32, 7, 56>, reduction_tile_sizes = array<i64: 16>} {
// FORCED:         tile.for %t = 0 to 64 step 1 iter_args(%{{.*}}) -> (!tile.token) {
// FORCED-NOT:       scf.if %{{.*}} -> (!tile.token)
// FORCED:           scf.if %{{.*}} {
// FORCED-NEXT:        tile.fill %acc0, 0.000000e+00
// FORCED:           tile.conv %in0, %in1, %acc0 {{{.*}}accumulate} : memref<1x16x9x58xf32, #tile.space<vtcm>>, memref<32x16x3x3xf32, #tile.space<vtcm>>, memref<1x32x7x56xf32, #tile.space<vtcm>>
func.func @conv(%x: tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32> {
  %w = nn.constant dense_resource<w> : tensor<64x64x3x3xf32>
  %b = nn.constant dense_resource<b> : tensor<64xf32>
  %c = nn.conv %x, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32> loc("conv")
  %r = nn.relu %c : tensor<1x64x56x56xf32> loc("relu")
  func.return %r : tensor<1x64x56x56xf32>
}



// Depthwise: whole groups per tile (16 channels = 16 groups), no reduction loop.
// CHECK-LABEL: func.func @depthwise(
// V128:        tile.kernel attributes {tile_sizes = array<i64: 1, 16, 28, 28>} {
// V128:          tile.conv {{.*}} {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 16 : i64} : memref<1x16x30x30xf32, #tile.space<vtcm>>, memref<16x1x3x3xf32, #tile.space<vtcm>>, memref<1x16x28x28xf32, #tile.space<vtcm>>
// V256:        tile.kernel attributes {tile_sizes = array<i64: 1, 16, 28, 28>} {
// FORCED:      tile.kernel attributes {tile_sizes = array<i64: 1, 32, 7, 28>} {
// FORCED:        tile.conv {{.*}} groups = 32 : i64} : memref<1x32x9x30xf32, #tile.space<vtcm>>, memref<32x1x3x3xf32, #tile.space<vtcm>>, memref<1x32x7x28xf32, #tile.space<vtcm>>
func.func @depthwise(%x: tensor<1x128x28x28xf32>) -> tensor<1x128x28x28xf32> {
  %w = nn.constant dense_resource<dw> : tensor<128x1x3x3xf32>
  %c = nn.conv %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 128 : i64} : (tensor<1x128x28x28xf32>, tensor<128x1x3x3xf32>) -> tensor<1x128x28x28xf32> loc("dwconv")
  func.return %c : tensor<1x128x28x28xf32>
}



// Max pooling: the padded window is filled with the lowest f32 first.
// CHECK-LABEL: func.func @maxpool(
// V128:        tile.kernel attributes {tile_sizes = array<i64: 1, 4, 56, 56>} {
// V128:          tile.fill %{{.*}}, -3.40282347e+38
// V128:          tile.pool {{.*}} {kind = "max", window = array<i64: 1, 1, 3, 3>, strides = array<i64: 1, 1, 2, 2>, dilations = array<i64: 1, 1, 1, 1>} : memref<1x4x113x113xf32, #tile.space<vtcm>>, memref<1x4x56x56xf32, #tile.space<vtcm>>
// V256:        tile.kernel attributes {tile_sizes = array<i64: 1, 2, 56, 56>} {
// FORCED:      tile.kernel attributes {tile_sizes = array<i64: 1, 4, 7, 56>} {
func.func @maxpool(%x: tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32> {
  %p = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32> loc("pool")
  func.return %p : tensor<1x64x56x56xf32>
}



// Matmul: the 2 MiB B stays resident on vx128; on 256 KiB the K loop accumulates.
// CHECK-LABEL: func.func @matmul(
// V128:        tile.kernel attributes {tile_sizes = array<i64: 8, 512>, reduction_tile_sizes = array<i64: 1024>} {
// V128:          tile.matmul %{{.*}}, %in1, %{{.*}} : memref<8x1024xf32, #tile.space<vtcm>>, memref<1024x512xf32, #tile.space<vtcm>>, memref<8x512xf32, #tile.space<vtcm>>
// V256:        tile.kernel attributes {tile_sizes = array<i64: 32, 64>, reduction_tile_sizes = array<i64: 256>} {
// V256:          tile.matmul {{.*}} {accumulate} : memref<32x256xf32, #tile.space<vtcm>>, memref<256x64xf32, #tile.space<vtcm>>, memref<32x64xf32, #tile.space<vtcm>>
// FORCED:      tile.kernel attributes {tile_sizes = array<i64: 64, 128>, reduction_tile_sizes = array<i64: 512>} {
func.func @matmul(%a: tensor<256x1024xf32>, %b: tensor<1024x512xf32>) -> tensor<256x512xf32> {
  %m = nn.mat_mul %a, %b : (tensor<256x1024xf32>, tensor<1024x512xf32>) -> tensor<256x512xf32> loc("matmul")
  func.return %m : tensor<256x512xf32>
}



// Softmax: whole rows per tile; max, exp(x - max), sum, divide.
// CHECK-LABEL: func.func @softmax(
// V128:        tile.kernel attributes {tile_sizes = array<i64: 8, 1000>} {
// V128:          tile.reduce %{{.*}}, %tmp0 {kind = "max", dims = array<i64: 1>} : memref<8x1000xf32, #tile.space<vtcm>>, memref<8x1xf32, #tile.space<vtcm>>
// V128:          math.exp
// V128:          tile.reduce %{{.*}}, %tmp1 {kind = "add", dims = array<i64: 1>}
// V128:          arith.divf
// V256:        tile.kernel attributes {tile_sizes = array<i64: 8, 1000>} {
// FORCED:      tile.kernel attributes {tile_sizes = array<i64: 64, 1000>} {
func.func @softmax(%x: tensor<64x1000xf32>) -> tensor<64x1000xf32> {
  %s = nn.softmax %x {axis = -1 : i64} : tensor<64x1000xf32> loc("softmax")
  func.return %s : tensor<64x1000xf32>
}



// Layer norm: whole normalized rows; scale and bias loaded once before the loop.
// CHECK-LABEL: func.func @layernorm(
// V128:        tile.kernel attributes {tile_sizes = array<i64: 1, 32, 768>} {
// V128:          tile.dma_start %{{.*}}, %in1[%c0, %c0, %c0] sizes [1, 1, 768]
// V128:          tile.for %t = 0 to 16 step 1
// V128:            tile.reduce {{.*}} {kind = "add", dims = array<i64: 2>} : memref<1x32x768xf32, #tile.space<vtcm>>, memref<1x32x1xf32, #tile.space<vtcm>>
// V128:            math.rsqrt
// V256:        tile.kernel attributes {tile_sizes = array<i64: 1, 16, 768>} {
// FORCED:      tile.kernel attributes {tile_sizes = array<i64: 4, 128, 768>} {
func.func @layernorm(%x: tensor<4x128x768xf32>) -> tensor<4x128x768xf32> {
  %s = nn.constant dense_resource<s> : tensor<768xf32>
  %b = nn.constant dense_resource<b> : tensor<768xf32>
  %n = nn.layer_normalization %x, %s, %b {axis = -1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<4x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<4x128x768xf32> loc("layernorm")
  func.return %n : tensor<4x128x768xf32>
}



// Unary activations without a math op of their own become map bodies: elu selects
// between x and alpha·(exp(x) - 1); pow is math.powf with its broadcast exponent.
// CHECK-LABEL: func.func @activations(
// CHECK:         tile.map ins(%{{.*}}, %{{.*}} : memref<{{.*}}>, memref<{{.*}}>) outs(
// CHECK:           arith.cmpf ogt
// CHECK:           math.exp
// CHECK:           arith.select
// CHECK:           math.powf
// CHECK:           tile.yield
func.func @activations(%x: tensor<4x256xf32>, %e: tensor<256xf32>) -> tensor<4x256xf32> {
  %a = nn.elu %x {alpha = 1.000000e+00 : f32} : tensor<4x256xf32> loc("elu")
  %p = nn.pow %a, %e : (tensor<4x256xf32>, tensor<256xf32>) -> tensor<4x256xf32> loc("pow")
  func.return %p : tensor<4x256xf32>
}



// Reductions: the whole reduced extent per tile; a rank-dropping result is written through
// its keepdims view. reduce_l2 squares into a VTCM temporary, adds, takes the root.
// CHECK-LABEL: func.func @reduce_l2(
// CHECK:         tile.view %{{.*}} : memref<8x64xf32, #tile.space<dram>> to memref<8x1x64xf32, #tile.space<dram>>
// CHECK:         tile.kernel
// CHECK:           tile.dma_start %x{{.*}} sizes [{{[0-9]+}}, 32, {{[0-9]+}}]
// CHECK:           arith.mulf
// CHECK:           tile.reduce %tmp0, %{{.*}} {kind = "add", dims = array<i64: 1>}
// CHECK:           math.sqrt
func.func @reduce_l2(%x: tensor<8x32x64xf32>) -> tensor<8x64xf32> {
  %r = nn.reduce_l2 %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<8x32x64xf32>) -> tensor<8x64xf32> loc("l2")
  func.return %r : tensor<8x64xf32>
}

// reduce_min is -max(-x): negate, reduce max, negate in the epilogue.
// CHECK-LABEL: func.func @reduce_min(
// CHECK:           arith.negf
// CHECK:           tile.reduce %tmp0, %{{.*}} {kind = "max", dims = array<i64: 0, 2>}
// CHECK:           arith.negf
func.func @reduce_min(%x: tensor<8x32x64xf32>) -> tensor<1x32x1xf32> {
  %r = nn.reduce_min %x {axes = array<i64: 0, 2>, keepdims = 1 : i64} : (tensor<8x32x64xf32>) -> tensor<1x32x1xf32> loc("min")
  func.return %r : tensor<1x32x1xf32>
}



// Softmax and log-softmax on a leading axis: whole columns along axis 0 per tile.
// CHECK-LABEL: func.func @log_softmax_axis0(
// CHECK:         tile.reduce %{{.*}}, %tmp0 {kind = "max", dims = array<i64: 0>}
// CHECK:         math.exp
// CHECK:         tile.reduce %{{.*}}, %tmp1 {kind = "add", dims = array<i64: 0>}
// CHECK:         math.log
// CHECK:         arith.subf
func.func @log_softmax_axis0(%x: tensor<10x64xf32>) -> tensor<10x64xf32> {
  %s = nn.log_softmax %x {axis = 0 : i64} : tensor<10x64xf32> loc("logsoftmax")
  func.return %s : tensor<10x64xf32>
}



// Expand: a map that reads its input through a broadcast view (size 1 along dim 0, 2).
// CHECK-LABEL: func.func @expand(
// CHECK:         tile.view %x : memref<3x1xf32, #tile.space<dram>> to memref<1x3x1xf32, #tile.space<dram>>
// CHECK:         tile.kernel
// CHECK:           tile.map ins(%{{.*}} : memref<1x{{[0-9]+}}x1xf32, #tile.space<vtcm>>) outs(%{{.*}} : memref<{{[0-9]+}}x{{[0-9]+}}x{{[0-9]+}}xf32, #tile.space<vtcm>>)
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %r = nn.expand %x {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32> loc("expand")
  func.return %r : tensor<2x3x4xf32>
}



// Split: one DRAM-to-DRAM DMA per result, from its offset along the axis (no VTCM).
// CHECK-LABEL: func.func @split(
// CHECK:         tile.kernel {
// CHECK-NEXT:      %[[C0:.*]] = arith.constant 0 : index
// CHECK:           tile.dma_start %x[%[[C0]], %[[C0]]], %a[%[[C0]], %[[C0]]] sizes [4, 2]
// CHECK:           tile.dma_start %x[%[[C0]], %{{.*}}], %b[%[[C0]], %[[C0]]] sizes [4, 6]
// CHECK:           tile.dma_wait
func.func @split(%x: tensor<4x8xf32>) -> (tensor<4x2xf32>, tensor<4x6xf32>) {
  %a, %b = nn.split %x {axis = 1 : i64, split = array<i64: 2, 6>} : (tensor<4x8xf32>) -> (tensor<4x2xf32>, tensor<4x6xf32>) loc("split")
  func.return %a, %b : tensor<4x2xf32>, tensor<4x6xf32>
}



// A 1-D conv (NCL) runs as the 2-D conv on N,C,1,L views: kernel 1x3, pads [0, 1, 0, 1].
// CHECK-LABEL: func.func @conv1d(
// CHECK:         tile.view %x : memref<1x8x32xf32, #tile.space<dram>> to memref<1x8x1x32xf32, #tile.space<dram>>
// CHECK:         tile.conv
// CHECK-SAME:      memref<16x8x1x3xf32, #tile.space<vtcm>>
func.func @conv1d(%x: tensor<1x8x32xf32>, %w: tensor<16x8x3xf32>) -> tensor<1x16x32xf32> {
  %c = nn.conv %x, %w {kernel_shape = array<i64: 3>, strides = array<i64: 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1>, group = 1 : i64} : (tensor<1x8x32xf32>, tensor<16x8x3xf32>) -> tensor<1x16x32xf32> loc("conv1d")
  func.return %c : tensor<1x16x32xf32>
}



// Tile: one DRAM-to-DRAM DMA of the whole input per repeat, at its offset in the result.
// CHECK-LABEL: func.func @tile_repeats(
// CHECK:         tile.kernel {
// CHECK-COUNT-4:   tile.dma_start %x[%{{.*}}, %{{.*}}], %r[%{{.*}}, %{{.*}}] sizes [2, 3]
// CHECK:           tile.dma_wait
func.func @tile_repeats(%x: tensor<2x3xf32>) -> tensor<4x6xf32> {
  %r = nn.tile %x {repeats = array<i64: 2, 2>} : (tensor<2x3xf32>) -> tensor<4x6xf32> loc("tile")
  func.return %r : tensor<4x6xf32>
}



// DepthToSpace (DCR) is ONNX's reshape, transpose, reshape: two views around a transpose.
// CHECK-LABEL: func.func @depth_to_space(
// CHECK:         tile.view %x : memref<1x8x2x3xf32, #tile.space<dram>> to memref<1x2x2x2x2x3xf32, #tile.space<dram>>
// CHECK:         tile.transpose %{{.*}}, %{{.*}} {perm = array<i64: 0, 3, 4, 1, 5, 2>}
func.func @depth_to_space(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %r = nn.depth_to_space %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> loc("d2s")
  func.return %r : tensor<1x2x4x6xf32>
}



// A stepped slice along an axis its step divides is one strided DMA per axis: views split
// the axis into [extent / step, step] (source) and [rows, 1] (destination); the box takes
// phase 1 of every pair. Elsewhere (7 rows, step 2) one DMA per source row.
// CHECK-LABEL: func.func @stepped_slice(
// CHECK:         tile.view %{{.*}} : memref<1x2x4x8xf32, #tile.space<dram>> to memref<1x2x4x4x2xf32, #tile.space<dram>>
// CHECK:         tile.view %{{.*}} : memref<1x2x4x4xf32, #tile.space<dram>> to memref<1x2x4x4x1xf32, #tile.space<dram>>
// CHECK:         tile.kernel {
// CHECK-NEXT:      %[[Z:.*]] = arith.constant 0 : index
// CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT:      tile.dma_start %{{.*}}[%[[Z]], %[[Z]], %[[Z]], %[[Z]], %[[ONE]]], %{{.*}}[%[[Z]], %[[Z]], %[[Z]], %[[Z]], %[[Z]]] sizes [1, 2, 4, 4, 1]
// CHECK-NEXT:      tile.dma_wait
// CHECK-LABEL: func.func @stepped_slice_odd(
// CHECK:         tile.kernel {
// CHECK-COUNT-4:   tile.dma_start
// CHECK-NEXT:      tile.dma_wait
func.func @stepped_slice(%x: tensor<1x2x4x8xf32>) -> tensor<1x2x4x4xf32> {
  %r = nn.slice %x {starts = array<i64: 1>, ends = array<i64: 8>, axes = array<i64: 3>, steps = array<i64: 2>} : (tensor<1x2x4x8xf32>) -> tensor<1x2x4x4xf32> loc("slice")
  func.return %r : tensor<1x2x4x4xf32>
}
func.func @stepped_slice_odd(%x: tensor<1x2x7x3xf32>) -> tensor<1x2x4x3xf32> {
  %r = nn.slice %x {starts = array<i64: 0>, ends = array<i64: 7>, axes = array<i64: 2>, steps = array<i64: 2>} : (tensor<1x2x7x3xf32>) -> tensor<1x2x4x3xf32> loc("slice_odd")
  func.return %r : tensor<1x2x4x3xf32>
}
