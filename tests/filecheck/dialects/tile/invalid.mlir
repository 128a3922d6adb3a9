// RUN: vexa-opt %s --split-input-file --verify-diagnostics | filecheck %s
// One case per verifier rule of the tile dialect (the driver prints each message and
// exits 0, so filecheck matches them in order).

// buffers live in a tile memory space
// CHECK: {{^}}tile.alloc: expected result in a #tile.space memory space, got memref<4xf32>
func.func @no_space() {
  %a = tile.alloc : memref<4xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// tile shapes are static
// CHECK: {{^}}tile.alloc: expected result to have a static shape, got memref<?xf32, #tile.space<vtcm>>
func.func @dynamic() {
  %a = tile.alloc : memref<?xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// compute operands must be resident in the scratchpad
// CHECK: {{^}}tile.matmul: expected a in vtcm, got dram
func.func @matmul_dram(%a: memref<4x8xf32, #tile.space<dram>>, %b: memref<8x4xf32, #tile.space<vtcm>>, %c: memref<4x4xf32, #tile.space<vtcm>>) {
  tile.matmul %a, %b, %c : memref<4x8xf32, #tile.space<dram>>, memref<8x4xf32, #tile.space<vtcm>>, memref<4x4xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// CHECK: {{^}}tile.matmul: expected b with K = 8, got 6
func.func @matmul_k(%a: memref<4x8xf32, #tile.space<vtcm>>, %b: memref<6x4xf32, #tile.space<vtcm>>, %c: memref<4x4xf32, #tile.space<vtcm>>) {
  tile.matmul %a, %b, %c : memref<4x8xf32, #tile.space<vtcm>>, memref<6x4xf32, #tile.space<vtcm>>, memref<4x4xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// the (pre-padded) input tile must cover every output window
// CHECK: {{^}}tile.conv: expected input tile extent >= 10 in spatial dim 0, got 9
func.func @conv_window(%x: memref<1x8x9x10xf32, #tile.space<vtcm>>, %w: memref<4x8x3x3xf32, #tile.space<vtcm>>, %y: memref<1x4x8x8xf32, #tile.space<vtcm>>) {
  tile.conv %x, %w, %y {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : memref<1x8x9x10xf32, #tile.space<vtcm>>, memref<4x8x3x3xf32, #tile.space<vtcm>>, memref<1x4x8x8xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// CHECK: {{^}}tile.conv: expected w of shape 4x4xKhxKw, got 4x8x3x3
func.func @conv_groups(%x: memref<1x8x10x10xf32, #tile.space<vtcm>>, %w: memref<4x8x3x3xf32, #tile.space<vtcm>>, %y: memref<1x4x8x8xf32, #tile.space<vtcm>>) {
  tile.conv %x, %w, %y {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 2 : i64} : memref<1x8x10x10xf32, #tile.space<vtcm>>, memref<4x8x3x3xf32, #tile.space<vtcm>>, memref<1x4x8x8xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// CHECK: {{^}}tile.pool: expected kind max or sum, got min
func.func @pool_kind(%x: memref<1x4x8x8xf32, #tile.space<vtcm>>, %y: memref<1x4x4x4xf32, #tile.space<vtcm>>) {
  tile.pool %x, %y {kind = "min", window = array<i64: 1, 1, 2, 2>, strides = array<i64: 1, 1, 2, 2>, dilations = array<i64: 1, 1, 1, 1>} : memref<1x4x8x8xf32, #tile.space<vtcm>>, memref<1x4x4x4xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// reductions keep the reduced dims as size 1
// CHECK: {{^}}tile.reduce: expected result shape 4x1, got 4
func.func @reduce_shape(%x: memref<4x16xf32, #tile.space<vtcm>>, %y: memref<4xf32, #tile.space<vtcm>>) {
  tile.reduce %x, %y {kind = "add", dims = array<i64: 1>} : memref<4x16xf32, #tile.space<vtcm>>, memref<4xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// map inputs broadcast along size-1 dims only
// CHECK: {{^}}tile.map: expected input #1 broadcastable to 4x16, got 4x2
func.func @map_broadcast(%x: memref<4x16xf32, #tile.space<vtcm>>, %s: memref<4x2xf32, #tile.space<vtcm>>) {
  tile.map ins(%x, %s : memref<4x16xf32, #tile.space<vtcm>>, memref<4x2xf32, #tile.space<vtcm>>) outs(%x : memref<4x16xf32, #tile.space<vtcm>>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.addf %a, %b : f32
    tile.yield %r : f32
  }
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// CHECK: {{^}}tile.transpose: expected result shape 8x4, got 4x8
func.func @transpose_shape(%x: memref<4x8xf32, #tile.space<vtcm>>, %y: memref<4x8xf32, #tile.space<vtcm>>) {
  tile.transpose %x, %y {perm = array<i64: 1, 0>} : memref<4x8xf32, #tile.space<vtcm>>, memref<4x8xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// one index per dimension on both sides of a DMA
// CHECK: {{^}}tile.dma_start: expected 2 destination indices, got 1
func.func @dma_indices(%x: memref<64x64xf32, #tile.space<dram>>, %b: memref<8x64xf32, #tile.space<vtcm>>) {
  %c0 = arith.constant 0 : index
  %t = tile.dma_start %x[%c0, %c0], %b[%c0] sizes [8, 64] : memref<64x64xf32, #tile.space<dram>>, memref<8x64xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// CHECK: {{^}}tile.view: expected 4096 elements, got 4000
func.func @view_size(%x: memref<64x64xf32, #tile.space<dram>>) {
  %v = tile.view %x : memref<64x64xf32, #tile.space<dram>> to memref<4000xf32, #tile.space<dram>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// a slice view stays inside its source
// CHECK: {{^}}tile.view: expected at most 96 elements after element_offset 4000, got 128
func.func @view_slice(%x: memref<4096xf32, #tile.space<dram>>) {
  %v = tile.view %x {element_offset = 4000 : i64} : memref<4096xf32, #tile.space<dram>> to memref<128xf32, #tile.space<dram>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// CHECK: {{^}}tile.for: expected a positive step, got 0
func.func @for_step() {
  tile.for %i = 0 to 4 step 0 {
  }
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// a planned kernel never oversubscribes the target's scratchpad
// CHECK: {{^}}tile.kernel: expected at most 262144 bytes of vtcm, got 524288
builtin.module attributes {tile.vtcm_capacity = 262144 : i64} {
  func.func @too_big() {
    tile.kernel attributes {vtcm_bytes = 524288 : i64} {
      %a = tile.alloc {offset = 0 : i64} : memref<131072xf32, #tile.space<vtcm>>
    }
    func.return
  }
}

// -----
// CHECK: {{^}}//{{ }}-----

// CHECK: {{^}}tile.kernel: expected vtcm buffers within 1024 bytes, got one ending at 4096
func.func @past_footprint() {
  tile.kernel attributes {vtcm_bytes = 1024 : i64} {
    %a = tile.alloc {offset = 0 : i64} : memref<1024xf32, #tile.space<vtcm>>
  }
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// argmax writes i64 indices
// CHECK: {{^}}tile.reduce: expected y of element type i64, got f32
func.func @argmax_type(%x: memref<4x16xf32, #tile.space<vtcm>>, %y: memref<4x1xf32, #tile.space<vtcm>>) {
  tile.reduce %x, %y {kind = "argmax", dims = array<i64: 1>} : memref<4x16xf32, #tile.space<vtcm>>, memref<4x1xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// a map over unsigned buffers takes signless block arguments
// CHECK: {{^}}tile.map: expected block arguments ['i8'], got ['ui8']
func.func @map_unsigned(%u: memref<8xui8, #tile.space<vtcm>>) {
  tile.map ins(%u : memref<8xui8, #tile.space<vtcm>>) outs(%u : memref<8xui8, #tile.space<vtcm>>) {
  ^bb0(%v: ui8):
    tile.yield %v : ui8
  }
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// gather indices are integers
// CHECK: {{^}}tile.gather: expected integer indices, got f32
func.func @gather_index_type(%x: memref<4x16xf32, #tile.space<vtcm>>, %g: memref<1x3xf32, #tile.space<vtcm>>, %y: memref<4x3xf32, #tile.space<vtcm>>) {
  tile.gather %x, %g, %y {axis = 1 : i64} : memref<4x16xf32, #tile.space<vtcm>>, memref<1x3xf32, #tile.space<vtcm>>, memref<4x3xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// x and y agree off the axis
// CHECK: {{^}}tile.gather: expected x and y to agree on dim 0, got 4 and 2
func.func @gather_shape(%x: memref<4x16xf32, #tile.space<vtcm>>, %g: memref<1x3xi64, #tile.space<vtcm>>, %y: memref<2x3xf32, #tile.space<vtcm>>) {
  tile.gather %x, %g, %y {axis = 1 : i64} : memref<4x16xf32, #tile.space<vtcm>>, memref<1x3xi64, #tile.space<vtcm>>, memref<2x3xf32, #tile.space<vtcm>>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// top_k results have k along the axis
// CHECK: {{^}}tile.top_k: expected values of shape 4x3, got 4x2
func.func @top_k_shape(%x: memref<4x16xf32, #tile.space<vtcm>>, %v: memref<4x2xf32, #tile.space<vtcm>>, %i: memref<4x3xi64, #tile.space<vtcm>>) {
  tile.top_k %x, %v, %i {axis = 1 : i64, k = 3 : i64} : memref<4x16xf32, #tile.space<vtcm>>, memref<4x2xf32, #tile.space<vtcm>>, memref<4x3xi64, #tile.space<vtcm>>
  func.return
}
