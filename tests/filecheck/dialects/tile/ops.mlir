// RUN: vexa-opt %s | vexa-opt | filecheck %s
// Every tile op parses, verifies, prints in its custom form and re-prints identically.

#D = #tile.space<dram>
#V = #tile.space<vtcm>

// CHECK-LABEL: func.func @buffers(
// CHECK-NEXT:    %a = tile.alloc {offset = 256 : i64} : memref<1x64x56x56xf32, #tile.space<dram>>
// CHECK-NEXT:    %w = tile.constant dense_resource<conv1_w> : tensor<64x3x7x7xf32> : memref<64x3x7x7xf32, #tile.space<dram>>
// CHECK-NEXT:    %s = tile.constant dense<1.000000e+00> : tensor<4xf32> {offset = 0 : i64} : memref<4xf32, #tile.space<dram>>
// CHECK-NEXT:    %v = tile.view %a : memref<1x64x56x56xf32, #tile.space<dram>> to memref<64x3136xf32, #tile.space<dram>>
// CHECK-NEXT:    %slice = tile.view %a {element_offset = 3136 : i64} : memref<1x64x56x56xf32, #tile.space<dram>> to memref<1x2x56x56xf32, #tile.space<dram>>
func.func @buffers() {
  %a = tile.alloc {offset = 256 : i64} : memref<1x64x56x56xf32, #D>
  %w = tile.constant dense_resource<conv1_w> : tensor<64x3x7x7xf32> : memref<64x3x7x7xf32, #D>
  %s = tile.constant dense<1.0> : tensor<4xf32> {offset = 0 : i64} : memref<4xf32, #D>
  %v = tile.view %a : memref<1x64x56x56xf32, #D> to memref<64x3136xf32, #D>
  %slice = tile.view %a {element_offset = 3136 : i64} : memref<1x64x56x56xf32, #D> to memref<1x2x56x56xf32, #D>
  func.return
}

// A double-buffered loop: tokens carried by tile.for, the prefetch guarded by scf.if.
// CHECK-LABEL: func.func @pipeline(
// CHECK:         tile.kernel attributes {vtcm_bytes = 65536 : i64} {
// CHECK-NEXT:      %b0 = tile.alloc {offset = 0 : i64} : memref<64x64xf32, #tile.space<vtcm>>
// CHECK-NEXT:      %b1 = tile.alloc {offset = 16384 : i64} : memref<64x64xf32, #tile.space<vtcm>>
// CHECK:           %t0 = tile.dma_start %x[%c0, %c0], %b0[%c0, %c0] sizes [64, 64] : memref<1024x64xf32, #tile.space<dram>>, memref<64x64xf32, #tile.space<vtcm>>
// CHECK-NEXT:      %none = tile.ready
// CHECK-NEXT:      %r = tile.for %t = 0 to 16 step 1 iter_args(%tok = %t0) -> (!tile.token) {
// CHECK:             %next = scf.if %more -> (!tile.token) {
// CHECK:             tile.dma_wait %tok
// CHECK:             tile.yield %next : !tile.token
// CHECK-NEXT:      }
// CHECK-NEXT:      tile.dma_wait %r
// CHECK-NEXT:      tile.for %i = 0 to 4 step 2 {
// CHECK-NEXT:        tile.fill %b0, 0.000000e+00 : memref<64x64xf32, #tile.space<vtcm>>
// CHECK-NEXT:      }
func.func @pipeline(%x: memref<1024x64xf32, #D>) {
  tile.kernel attributes {vtcm_bytes = 65536 : i64} {
    %b0 = tile.alloc {offset = 0 : i64} : memref<64x64xf32, #V>
    %b1 = tile.alloc {offset = 16384 : i64} : memref<64x64xf32, #V>
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %t0 = tile.dma_start %x[%c0, %c0], %b0[%c0, %c0] sizes [64, 64] : memref<1024x64xf32, #D>, memref<64x64xf32, #V>
    %none = tile.ready
    %r = tile.for %t = 0 to 16 step 1 iter_args(%tok = %t0) -> (!tile.token) {
      %n = arith.addi %t, %c1 : index
      %more = arith.cmpi ult, %n, %c16 : index
      %next = scf.if %more -> (!tile.token) {
        %row = arith.muli %n, %c64 : index
        %p = arith.remui %n, %c2 : index
        %even = arith.cmpi eq, %p, %c0 : index
        %slot = arith.select %even, %b0, %b1 : memref<64x64xf32, #V>
        %tk = tile.dma_start %x[%row, %c0], %slot[%c0, %c0] sizes [64, 64] : memref<1024x64xf32, #D>, memref<64x64xf32, #V>
        scf.yield %tk : !tile.token
      } else {
        scf.yield %none : !tile.token
      }
      tile.dma_wait %tok
      tile.yield %next : !tile.token
    }
    tile.dma_wait %r
    tile.for %i = 0 to 4 step 2 {
      tile.fill %b0, 0.0 : memref<64x64xf32, #V>
    }
  }
  func.return
}

// CHECK-LABEL: func.func @compute(
// CHECK-NEXT:    tile.matmul %a, %b, %c {accumulate} : memref<32x64xf32, #tile.space<vtcm>>, memref<64x128xf32, #tile.space<vtcm>>, memref<32x128xf32, #tile.space<vtcm>>
// CHECK-NEXT:    tile.matmul %at, %bt, %c {transpose_a, transpose_b} : memref<64x32xf32, #tile.space<vtcm>>, memref<128x64xf32, #tile.space<vtcm>>, memref<32x128xf32, #tile.space<vtcm>>
// CHECK-NEXT:    tile.conv %x, %w, %y {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : memref<1x64x10x58xf32, #tile.space<vtcm>>, memref<16x64x3x3xf32, #tile.space<vtcm>>, memref<1x16x8x56xf32, #tile.space<vtcm>>
// CHECK-NEXT:    tile.conv %x, %dw, %y2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 64 : i64, accumulate} : memref<1x64x10x58xf32, #tile.space<vtcm>>, memref<64x1x3x3xf32, #tile.space<vtcm>>, memref<1x64x8x56xf32, #tile.space<vtcm>>
// CHECK-NEXT:    tile.pool %x, %p {kind = "max", window = array<i64: 1, 1, 3, 3>, strides = array<i64: 1, 1, 2, 2>, dilations = array<i64: 1, 1, 1, 1>} : memref<1x64x10x58xf32, #tile.space<vtcm>>, memref<1x64x4x28xf32, #tile.space<vtcm>>
// CHECK-NEXT:    tile.reduce %c, %r {kind = "max", dims = array<i64: 1>} : memref<32x128xf32, #tile.space<vtcm>>, memref<32x1xf32, #tile.space<vtcm>>
// CHECK-NEXT:    tile.transpose %a, %at {perm = array<i64: 1, 0>} : memref<32x64xf32, #tile.space<vtcm>>, memref<64x32xf32, #tile.space<vtcm>>
// CHECK-NEXT:    tile.map ins(%c, %r : memref<32x128xf32, #tile.space<vtcm>>, memref<32x1xf32, #tile.space<vtcm>>) outs(%c : memref<32x128xf32, #tile.space<vtcm>>) {
// CHECK-NEXT:    ^bb0(%e: f32, %m: f32):
// CHECK-NEXT:      %d = arith.subf %e, %m : f32
// CHECK-NEXT:      %ex = math.exp %d : f32
// CHECK-NEXT:      tile.yield %ex : f32
// CHECK-NEXT:    }
func.func @compute(%a: memref<32x64xf32, #V>, %b: memref<64x128xf32, #V>, %c: memref<32x128xf32, #V>,
                   %at: memref<64x32xf32, #V>, %bt: memref<128x64xf32, #V>,
                   %x: memref<1x64x10x58xf32, #V>, %w: memref<16x64x3x3xf32, #V>, %y: memref<1x16x8x56xf32, #V>,
                   %dw: memref<64x1x3x3xf32, #V>, %y2: memref<1x64x8x56xf32, #V>,
                   %p: memref<1x64x4x28xf32, #V>, %r: memref<32x1xf32, #V>) {
  tile.matmul %a, %b, %c {accumulate} : memref<32x64xf32, #V>, memref<64x128xf32, #V>, memref<32x128xf32, #V>
  tile.matmul %at, %bt, %c {transpose_a, transpose_b} : memref<64x32xf32, #V>, memref<128x64xf32, #V>, memref<32x128xf32, #V>
  tile.conv %x, %w, %y {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : memref<1x64x10x58xf32, #V>, memref<16x64x3x3xf32, #V>, memref<1x16x8x56xf32, #V>
  tile.conv %x, %dw, %y2 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 64 : i64, accumulate} : memref<1x64x10x58xf32, #V>, memref<64x1x3x3xf32, #V>, memref<1x64x8x56xf32, #V>
  tile.pool %x, %p {kind = "max", window = array<i64: 1, 1, 3, 3>, strides = array<i64: 1, 1, 2, 2>, dilations = array<i64: 1, 1, 1, 1>} : memref<1x64x10x58xf32, #V>, memref<1x64x4x28xf32, #V>
  tile.reduce %c, %r {kind = "max", dims = array<i64: 1>} : memref<32x128xf32, #V>, memref<32x1xf32, #V>
  tile.transpose %a, %at {perm = array<i64: 1, 0>} : memref<32x64xf32, #V>, memref<64x32xf32, #V>
  tile.map ins(%c, %r : memref<32x128xf32, #V>, memref<32x1xf32, #V>) outs(%c : memref<32x128xf32, #V>) {
  ^bb0(%e: f32, %m: f32):
    %d = arith.subf %e, %m : f32
    %ex = math.exp %d : f32
    tile.yield %ex : f32
  }
  func.return
}

// Other element types: an unsigned map computes in signless i8; argmax writes i64
// indices; a product reduction; a gather by runtime indices.
// CHECK-LABEL: func.func @typed(
// CHECK:         tile.map ins(%u : memref<8xui8, #tile.space<vtcm>>) outs(%u : memref<8xui8, #tile.space<vtcm>>) {
// CHECK-NEXT:    ^bb0(%v: i8):
// CHECK-NEXT:      %m = arith.maxui %v, %v : i8
// CHECK-NEXT:      tile.yield %m : i8
// CHECK-NEXT:    }
// CHECK-NEXT:    tile.reduce %x, %i {kind = "argmax", dims = array<i64: 1>, select_last_index} : memref<4x16xf16, #tile.space<vtcm>>, memref<4x1xi64, #tile.space<vtcm>>
// CHECK-NEXT:    tile.reduce %x, %p {kind = "mul", dims = array<i64: 1>} : memref<4x16xf16, #tile.space<vtcm>>, memref<4x1xf16, #tile.space<vtcm>>
// CHECK-NEXT:    tile.gather %x, %g, %y {axis = 1 : i64} : memref<4x16xf16, #tile.space<vtcm>>, memref<1x3xi32, #tile.space<vtcm>>, memref<4x3xf16, #tile.space<vtcm>>
// CHECK-NEXT:    tile.top_k %x, %y, %k {axis = 1 : i64, k = 3 : i64, largest} : memref<4x16xf16, #tile.space<vtcm>>, memref<4x3xf16, #tile.space<vtcm>>, memref<4x3xi64, #tile.space<vtcm>>
func.func @typed(%u: memref<8xui8, #V>, %x: memref<4x16xf16, #V>, %i: memref<4x1xi64, #V>,
                 %p: memref<4x1xf16, #V>, %g: memref<1x3xi32, #V>, %y: memref<4x3xf16, #V>,
                 %k: memref<4x3xi64, #V>) {
  tile.map ins(%u : memref<8xui8, #V>) outs(%u : memref<8xui8, #V>) {
  ^bb0(%v: i8):
    %m = arith.maxui %v, %v : i8
    tile.yield %m : i8
  }
  tile.reduce %x, %i {kind = "argmax", dims = array<i64: 1>, select_last_index} : memref<4x16xf16, #V>, memref<4x1xi64, #V>
  tile.reduce %x, %p {kind = "mul", dims = array<i64: 1>} : memref<4x16xf16, #V>, memref<4x1xf16, #V>
  tile.gather %x, %g, %y {axis = 1 : i64} : memref<4x16xf16, #V>, memref<1x3xi32, #V>, memref<4x3xf16, #V>
  tile.top_k %x, %y, %k {axis = 1 : i64, k = 3 : i64, largest} : memref<4x16xf16, #V>, memref<4x3xf16, #V>, memref<4x3xi64, #V>
  func.return
}
