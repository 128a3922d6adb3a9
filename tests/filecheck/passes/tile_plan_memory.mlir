// RUN: vexa-opt %s -p tile-plan-memory | filecheck %s
// RUN: vexa-opt %s -p 'tile-plan-memory{target="%inputs/vx_256k.toml"}' | filecheck %s --check-prefix=SMALL
// DRAM: weights once at the bottom (128-byte aligned), then activations by liveness:
// %c reuses the input's bytes once %x is dead, %b and the output %y share theirs, so the
// plan meets the lower bound (the input and %a are live together: 8 KiB). VTCM: packed
// per kernel from 0, the footprint recorded on the kernel and checked against the target.

// CHECK:       builtin.module attributes {tile.target = "vx128", tile.dram_bytes = 8832 : i64, tile.weights_bytes = 640 : i64, tile.activation_bytes = 8192 : i64, tile.activation_lower_bound = 8192 : i64, tile.vtcm_bytes = 4608 : i64, tile.vtcm_capacity = 4194304 : i64}
// CHECK-NEXT:    func.func @main(%x: memref<1024xf32, #tile.space<dram>> {nn.name = "x", tile.offset = 640 : i64}, %y: memref<256xf32, #tile.space<dram>> {tile.output = "y", tile.offset = 640 : i64})
// CHECK-NEXT:      %w = tile.constant dense_resource<w> : tensor<100xf32> {offset = 0 : i64}
// CHECK-NEXT:      %v = tile.constant dense<1.000000e+00> : tensor<16xf32> {offset = 512 : i64}
// CHECK:           %a = tile.alloc {offset = 4736 : i64} : memref<1024xf32, #tile.space<dram>>
// CHECK-NEXT:      tile.kernel attributes {vtcm_bytes = 4096 : i64} {
// CHECK-NEXT:        %t = tile.alloc {offset = 0 : i64} : memref<1024xf32, #tile.space<vtcm>>
// CHECK:           %b = tile.alloc {offset = 640 : i64} : memref<512xf32, #tile.space<dram>>
// CHECK:           tile.kernel attributes {vtcm_bytes = 4608 : i64} {
// CHECK-NEXT:        %{{.*}} = tile.alloc {offset = 0 : i64} : memref<2x512xf32, #tile.space<vtcm>>
// CHECK-NEXT:        %u = tile.alloc {offset = 4096 : i64} : memref<100xf32, #tile.space<vtcm>>
// CHECK:           %c = tile.alloc {offset = 2688 : i64} : memref<1024xf32, #tile.space<dram>>
// CHECK-NEXT:      tile.kernel attributes {vtcm_bytes = 0 : i64} {
// SMALL:       tile.vtcm_capacity = 262144 : i64

builtin.module attributes {tile.target = "vx128"} {
  func.func @main(%x: memref<1024xf32, #tile.space<dram>> {nn.name = "x"}, %y: memref<256xf32, #tile.space<dram>> {tile.output = "y"}) {
    %w = tile.constant dense_resource<w> : tensor<100xf32> : memref<100xf32, #tile.space<dram>>
    %v = tile.constant dense<1.0> : tensor<16xf32> : memref<16xf32, #tile.space<dram>>
    %c0 = arith.constant 0 : index
    %a = tile.alloc : memref<1024xf32, #tile.space<dram>>
    tile.kernel {
      %t = tile.alloc : memref<1024xf32, #tile.space<vtcm>>
      %t1 = tile.dma_start %x[%c0], %t[%c0] sizes [1024] : memref<1024xf32, #tile.space<dram>>, memref<1024xf32, #tile.space<vtcm>>
      %t2 = tile.dma_start %t[%c0], %a[%c0] sizes [1024] : memref<1024xf32, #tile.space<vtcm>>, memref<1024xf32, #tile.space<dram>>
      tile.dma_wait %t1, %t2
    }
    %b = tile.alloc : memref<512xf32, #tile.space<dram>>
    %av = tile.view %a : memref<1024xf32, #tile.space<dram>> to memref<2x512xf32, #tile.space<dram>>
    tile.kernel {
      %t = tile.alloc : memref<2x512xf32, #tile.space<vtcm>>
      %u = tile.alloc : memref<100xf32, #tile.space<vtcm>>
      %t1 = tile.dma_start %av[%c0, %c0], %t[%c0, %c0] sizes [2, 512] : memref<2x512xf32, #tile.space<dram>>, memref<2x512xf32, #tile.space<vtcm>>
      %t3 = tile.dma_start %w[%c0], %u[%c0] sizes [100] : memref<100xf32, #tile.space<dram>>, memref<100xf32, #tile.space<vtcm>>
      %bv = tile.view %b : memref<512xf32, #tile.space<dram>> to memref<1x512xf32, #tile.space<dram>>
      %t2 = tile.dma_start %t[%c0, %c0], %bv[%c0, %c0] sizes [1, 512] : memref<2x512xf32, #tile.space<vtcm>>, memref<1x512xf32, #tile.space<dram>>
      tile.dma_wait %t1, %t2, %t3
    }
    %c = tile.alloc : memref<1024xf32, #tile.space<dram>>
    tile.kernel {
      %t1 = tile.dma_start %b[%c0], %c[%c0] sizes [512] : memref<512xf32, #tile.space<dram>>, memref<1024xf32, #tile.space<dram>>
      tile.dma_wait %t1
    }
    tile.kernel {
      %t1 = tile.dma_start %c[%c0], %y[%c0] sizes [256] : memref<1024xf32, #tile.space<dram>>, memref<256xf32, #tile.space<dram>>
      tile.dma_wait %t1
    }
    func.return
  }
}
