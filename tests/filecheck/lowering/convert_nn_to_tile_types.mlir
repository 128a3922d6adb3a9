// RUN: vexa-opt %s --split-input-file -p 'convert-nn-to-tile{element-types=all}' | filecheck %s
// element-types=all: buffers keep the tensors' element types (f16, i1, i32, i64, ui8, ...);
// map bodies compute in the signless type with the signedness in the ops; the ops added
// for the conformance suite (comparisons, where, cast, mod, shifts, resize, arg reduces,
// gather, cumsum, reflect pad, trilu, empty tensors). An unused dense_resource weight is
// in the cases that create constants, so that vexa-opt prints their resource table.

// Integer add with broadcasting: i32 buffers, arith.addi.
// CHECK-LABEL: func.func @add_i32(
// CHECK-SAME:    %a: memref<2x3xi32, #tile.space<dram>>, %b: memref<3xi32, #tile.space<dram>>, %r: memref<2x3xi32, #tile.space<dram>> {tile.output = "output0"})
// CHECK:         tile.view %b : memref<3xi32, #tile.space<dram>> to memref<1x3xi32, #tile.space<dram>>
// CHECK:         %acc0 = tile.alloc : memref<2x3xi32, #tile.space<vtcm>>
// CHECK:         ^bb0(%[[A:.*]]: i32, %[[B:.*]]: i32):
// CHECK-NEXT:      %[[S:.*]] = arith.addi %[[A]], %[[B]] : i32
// CHECK-NEXT:      tile.yield %[[S]] : i32
func.func @add_i32(%a: tensor<2x3xi32>, %b: tensor<3xi32>) -> tensor<2x3xi32> {
  %r = nn.add %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  func.return %r : tensor<2x3xi32>
}

// -----
// Unsigned buffers are read as signless i8 in the map; the op is the unsigned max.
// CHECK-LABEL: func.func @max_ui8(
// CHECK:         tile.map ins(%in0, %in1 : memref<2x3xui8, #tile.space<vtcm>>, memref<2x3xui8, #tile.space<vtcm>>) outs(%acc0 : memref<2x3xui8, #tile.space<vtcm>>) {
// CHECK-NEXT:    ^bb0(%[[A:.*]]: i8, %[[B:.*]]: i8):
// CHECK-NEXT:      arith.maxui %[[A]], %[[B]] : i8
func.func @max_ui8(%a: tensor<2x3xui8>, %b: tensor<2x3xui8>) -> tensor<2x3xui8> {
  %r = nn.max %a, %b : (tensor<2x3xui8>, tensor<2x3xui8>) -> tensor<2x3xui8>
  func.return %r : tensor<2x3xui8>
}

// -----
// Equal, Not and Where fuse into one map: ordered compare, xor with true, select.
// CHECK-LABEL: func.func @equal_where(
// CHECK:         %[[C:.*]] = arith.cmpf oeq, %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:    %[[T:.*]] = arith.constant true
// CHECK-NEXT:    %[[N:.*]] = arith.xori %[[C]], %[[T]] : i1
// CHECK-NEXT:    %[[R:.*]] = arith.select %[[N]], %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:    tile.yield %[[R]] : f32
func.func @equal_where(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %c = nn.equal %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %n = nn.not %c : tensor<2x3xi1>
  %r = nn.where %n, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %r : tensor<2x3xf32>
}

// -----
// Cast: float to integer truncates (fptosi), integer to float (sitofp), to bool is != 0
// with NaN true (cmpf une); the bool result is an i1 buffer.
// CHECK-LABEL: func.func @casts(
// CHECK:         arith.fptosi %{{.*}} : f32 to i64
// CHECK:         arith.sitofp %{{.*}} : i64 to f16
// CHECK:         %acc0_2 = tile.alloc : memref<4xi1, #tile.space<vtcm>>
// CHECK:         arith.cmpf une, %{{.*}}, %{{.*}} : f32
func.func @casts(%x: tensor<4xf32>, %i: tensor<4xi64>) -> (tensor<4xi64>, tensor<4xf16>, tensor<4xi1>) {
  %a = nn.cast %x {to = i64} : (tensor<4xf32>) -> tensor<4xi64>
  %b = nn.cast %i {to = f16} : (tensor<4xi64>) -> tensor<4xf16>
  %c = nn.cast %x {to = i1} : (tensor<4xf32>) -> tensor<4xi1>
  func.return %a, %b, %c : tensor<4xi64>, tensor<4xf16>, tensor<4xi1>
}

// -----
// Integer Mod with fmod = 0: the truncating remainder, moved to the divisor's sign.
// CHECK-LABEL: func.func @mod_i32(
// CHECK:         %[[R:.*]] = arith.remsi %[[A:.*]], %[[B:.*]] : i32
// CHECK:         %[[F:.*]] = arith.addi %[[R]], %[[B]] : i32
// CHECK:         arith.select %{{.*}}, %[[F]], %[[R]] : i32
func.func @mod_i32(%a: tensor<6xi32>, %b: tensor<6xi32>) -> tensor<6xi32> {
  %r = nn.mod %a, %b {fmod = 0 : i64} : (tensor<6xi32>, tensor<6xi32>) -> tensor<6xi32>
  func.return %r : tensor<6xi32>
}

// -----
// A right shift of unsigned bytes is logical.
// CHECK-LABEL: func.func @shift(
// CHECK:         arith.shrui %{{.*}}, %{{.*}} : i8
func.func @shift(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %r = nn.bit_shift %a, %b {direction = "RIGHT"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  func.return %r : tensor<4xui8>
}

// -----
// Nearest resize: per axis, a row gather by DMA (one per run of consecutive source rows)
// into a DRAM scratch buffer, then the next axis into the result.
// CHECK-LABEL: func.func @resize(
// CHECK:         %[[H:.*]] = tile.alloc : memref<1x1x4x2xf32, #tile.space<dram>>
// CHECK-NEXT:    tile.kernel {
// CHECK:           tile.dma_start %x[%c0, %c0, %c0, %c0], %[[H]][%c0, %c0, %c0, %c0] sizes [1, 1, 1, 2]
// CHECK-NEXT:      tile.dma_start %x[%c0, %c0, %c0, %c0], %[[H]][%c0, %c0, %c1, %c0] sizes [1, 1, 2, 2]
// CHECK-NEXT:      tile.dma_start %x[%c0, %c0, %c1, %c0], %[[H]][%c0, %c0, %c3, %c0] sizes [1, 1, 1, 2]
// CHECK:         tile.kernel {
// CHECK:           tile.dma_start %[[H]][{{.*}}], %r[{{.*}}] sizes [1, 1, 4, 1]
func.func @resize(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %r = nn.resize %x {mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.000000e+00 : f32, scales = array<f32: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>, sizes = array<i64>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  func.return %r : tensor<1x1x4x4xf32>
}

// -----
// Linear resize: two gathered taps and their weights (compile-time vectors along the
// axis) summed in a tiled map kernel.
// CHECK-LABEL: func.func @resize_linear(
// CHECK:         %[[T0:.*]] = tile.alloc : memref<1x8xf32, #tile.space<dram>>
// CHECK:         %[[W0:.*]] = tile.constant dense_resource<nn_resize_ax1_w0> : tensor<1x8xf32>
// CHECK:         %[[T1:.*]] = tile.alloc : memref<1x8xf32, #tile.space<dram>>
// CHECK:         %[[W1:.*]] = tile.constant dense_resource<nn_resize_ax1_w1> : tensor<1x8xf32>
// CHECK:         tile.kernel attributes {tile_sizes = array<i64: 1, 8>} {
// CHECK:           tile.map ins(%in0, %in1, %in2, %in3 : {{.*}}) outs(%acc0 : memref<1x8xf32, #tile.space<vtcm>>) {
// CHECK:             arith.mulf
// CHECK-NEXT:        arith.mulf
// CHECK-NEXT:        arith.addf
func.func @resize_linear(%x: tensor<1x4xf32>) -> tensor<1x8xf32> {
  %u = nn.constant dense_resource<u> : tensor<1xf32>
  %r = nn.resize %x {mode = "linear", coordinate_transformation_mode = "half_pixel", nearest_mode = "floor", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.000000e+00 : f32, scales = array<f32: 1.000000e+00, 2.000000e+00>, sizes = array<i64>} : (tensor<1x4xf32>) -> tensor<1x8xf32>
  func.return %r : tensor<1x8xf32>
}

// -----
// ArgMax into i64 indices (through the keepdims view of the result).
// CHECK-LABEL: func.func @argmax(
// CHECK:         %[[V:.*]] = tile.view %r : memref<2xi64, #tile.space<dram>> to memref<2x1xi64, #tile.space<dram>>
// CHECK:         tile.reduce %in0, %acc0 {kind = "argmax", dims = array<i64: 1>, select_last_index} : memref<2x10xf32, #tile.space<vtcm>>, memref<2x1xi64, #tile.space<vtcm>>
func.func @argmax(%x: tensor<2x10xf32>) -> tensor<2xi64> {
  %r = nn.arg_max %x {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 1 : i64} : (tensor<2x10xf32>) -> tensor<2xi64>
  func.return %r : tensor<2xi64>
}

// -----
// Gather with runtime indices: data [P, A, Q], indices [1, I, 1], result [P, I, Q].
// CHECK-LABEL: func.func @gather(
// CHECK:         tile.view %d : memref<5x4xf32, #tile.space<dram>> to memref<1x5x4xf32, #tile.space<dram>>
// CHECK:         tile.view %i : memref<2x3xi64, #tile.space<dram>> to memref<1x6x1xi64, #tile.space<dram>>
// CHECK:         tile.gather %in0, %in1, %acc0 {axis = 1 : i64} : memref<1x5x4xf32, #tile.space<vtcm>>, memref<1x6x1xi64, #tile.space<vtcm>>, memref<1x6x4xf32, #tile.space<vtcm>>
func.func @gather(%d: tensor<5x4xf32>, %i: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  %r = nn.gather %d, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  func.return %r : tensor<2x3x4xf32>
}

// -----
// Exclusive CumSum: a sum window of the axis length over the input shifted right by
// that length (zero fill stands for the missing terms).
// CHECK-LABEL: func.func @cumsum(
// CHECK:         tile.fill %in0, 0.000000e+00 : memref<9xi32, #tile.space<vtcm>>
// CHECK-NEXT:    tile.dma_start %x[%cm5], %in0[%c0] sizes [9]
// CHECK:         tile.pool %in0, %acc0 {kind = "sum", window = array<i64: 5>, strides = array<i64: 1>, dilations = array<i64: 1>} : memref<9xi32, #tile.space<vtcm>>, memref<5xi32, #tile.space<vtcm>>
func.func @cumsum(%x: tensor<5xi32>) -> tensor<5xi32> {
  %r = nn.cum_sum %x {axis = 0 : i64, exclusive = 1 : i64, reverse = 0 : i64} : tensor<5xi32>
  func.return %r : tensor<5xi32>
}

// -----
// Reflect padding: source columns 2 1 [0 1 2] 1 0, one DMA per run.
// CHECK-LABEL: func.func @pad_reflect(
// CHECK:         tile.dma_start %x[%c0, %c2], %r[%c0, %c0] sizes [2, 1]
// CHECK-NEXT:    tile.dma_start %x[%c0, %c1], %r[%c0, %c1] sizes [2, 1]
// CHECK-NEXT:    tile.dma_start %x[%c0, %c0], %r[%c0, %c2] sizes [2, 3]
// CHECK-NEXT:    tile.dma_start %x[%c0, %c1], %r[%c0, %c5] sizes [2, 1]
// CHECK-NEXT:    tile.dma_start %x[%c0, %c0], %r[%c0, %c6] sizes [2, 1]
func.func @pad_reflect(%x: tensor<2x3xf32>) -> tensor<2x7xf32> {
  %r = nn.pad %x {pads = array<i64: 0, 2, 0, 2>, mode = "reflect", constant_value = 0.000000e+00 : f32} : (tensor<2x3xf32>) -> tensor<2x7xf32>
  func.return %r : tensor<2x7xf32>
}

// -----
// Trilu: select against a compile-time f32 0/1 mask.
// CHECK-LABEL: func.func @trilu(
// CHECK:         tile.constant dense_resource<nn_trilu_mask> : tensor<3x4xf32> : memref<3x4xf32, #tile.space<dram>>
// CHECK:         ^bb0(%[[X:.*]]: i64, %[[M:.*]]: f32):
// CHECK:           %[[K:.*]] = arith.cmpf one, %[[M]], %{{.*}} : f32
// CHECK:           arith.select %[[K]], %[[X]], %{{.*}} : i64
func.func @trilu(%x: tensor<3x4xi64>) -> tensor<3x4xi64> {
  %u = nn.constant dense_resource<u> : tensor<1xf32>
  %r = nn.trilu %x {upper = 0 : i64, k = 1 : i64} : tensor<3x4xi64>
  func.return %r : tensor<3x4xi64>
}

// -----
// Empty tensors: no kernel for the empty relu; the sum over an empty axis fills 0.
// CHECK-LABEL: func.func @empty(
// CHECK-NEXT:    tile.kernel attributes {tile_sizes = array<i64: 1, 3>} {
// CHECK-NOT:       tile.dma_start %x
// CHECK:           tile.fill %acc0, 0.000000e+00 : memref<1x3xf32, #tile.space<vtcm>>
// CHECK:         func.return
func.func @empty(%x: tensor<0x3xf32>) -> (tensor<0x3xf32>, tensor<1x3xf32>) {
  %a = nn.relu %x : tensor<0x3xf32>
  %s = nn.reduce_sum %x {axes = array<i64: 0>, keepdims = 1 : i64} : (tensor<0x3xf32>) -> tensor<1x3xf32>
  func.return %a, %s : tensor<0x3xf32>, tensor<1x3xf32>
}

// -----
// TopK: two kernels, one writing the values (indices in a VTCM temporary), one the indices.
// CHECK-LABEL: func.func @top_k(
// CHECK:         %acc0 = tile.alloc : memref<4x3xf32, #tile.space<vtcm>>
// CHECK-NEXT:    %tmp0 = tile.alloc : memref<4x3xi64, #tile.space<vtcm>>
// CHECK:         tile.top_k %in0, %acc0, %tmp0 {axis = 1 : i64, k = 3 : i64} : memref<4x10xf32, #tile.space<vtcm>>, memref<4x3xf32, #tile.space<vtcm>>, memref<4x3xi64, #tile.space<vtcm>>
// CHECK:         %acc0_1 = tile.alloc : memref<4x3xi64, #tile.space<vtcm>>
// CHECK:         tile.top_k %in0_1, %tmp0_1, %acc0_1 {axis = 1 : i64, k = 3 : i64}
func.func @top_k(%x: tensor<4x10xf32>) -> (tensor<4x3xf32>, tensor<4x3xi64>) {
  %v, %i = nn.top_k %x {axis = -1 : i64, k = 3 : i64, largest = 0 : i64, sorted = 1 : i64} : (tensor<4x10xf32>) -> (tensor<4x3xf32>, tensor<4x3xi64>)
  func.return %v, %i : tensor<4x3xf32>, tensor<4x3xi64>
}
