// RUN: vexa-opt %s -p tile-plan-memory | filecheck %s
// Buffer sizes follow the element type: i1 takes a byte per element, f16 two, i64 eight
// (vx128: 128-byte alignment). Weights: 100 x i1 = 100 -> 128; then 16 x f16 = 32 -> 128.
// Activations (never live together): %x 64 x f16 = 128, %y 64 x i1 = 64, %a 32 x i64 =
// 256 bytes, the peak. VTCM: 300 x i1 = 300 -> 384; 4 x i64 = 32 -> 128.

// CHECK:       builtin.module attributes {tile.target = "vx128", tile.dram_bytes = 512 : i64, tile.weights_bytes = 256 : i64, tile.activation_bytes = 256 : i64
// CHECK:         %m = tile.constant dense_resource<m> : tensor<100xi1> {offset = 0 : i64}
// CHECK-NEXT:    %h = tile.constant dense<1.000000e+00> : tensor<16xf16> {offset = 128 : i64}
// CHECK:         tile.kernel attributes {vtcm_bytes = 384 : i64} {
// CHECK-NEXT:      %t = tile.alloc {offset = 0 : i64} : memref<300xi1, #tile.space<vtcm>>
// CHECK:         tile.kernel attributes {vtcm_bytes = 128 : i64} {
builtin.module attributes {tile.target = "vx128"} {
  func.func @main(%x: memref<64xf16, #tile.space<dram>> {nn.name = "x"}, %y: memref<64xi1, #tile.space<dram>> {tile.output = "y"}) {
    %m = tile.constant dense_resource<m> : tensor<100xi1> : memref<100xi1, #tile.space<dram>>
    %h = tile.constant dense<1.0> : tensor<16xf16> : memref<16xf16, #tile.space<dram>>
    %a = tile.alloc : memref<32xi64, #tile.space<dram>>
    tile.kernel {
      %t = tile.alloc : memref<300xi1, #tile.space<vtcm>>
    }
    tile.kernel {
      %u = tile.alloc : memref<4xi64, #tile.space<vtcm>>
      %c0 = arith.constant 0 : index
      %tok = tile.dma_start %a[%c0], %u[%c0] sizes [4] : memref<32xi64, #tile.space<dram>>, memref<4xi64, #tile.space<vtcm>>
      tile.dma_wait %tok
    }
    func.return
  }
}
