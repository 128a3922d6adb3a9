// The last case is an error, so the driver exits 1 after printing the others.
// RUN: not vexa-opt %s --split-input-file -p 'convert-tile-to-vx' | filecheck %s
// RUN: not vexa-opt %s --split-input-file -p 'convert-tile-to-vx' 2>&1 >/dev/null | filecheck %s --check-prefix=ERR
// RUN: not vexa-opt %s --split-input-file -p 'convert-tile-to-vx{target=vx64}' | filecheck %s --check-prefix=V64

// A matmul tile becomes a register-blocked micro-kernel: the k loop is a hardware loop
// carrying the A/B address registers and the accumulators; A is broadcast (vldbc), B rows
// are vector loads (aligned here: N * 4 = 256 bytes), accumulation by vfma.
builtin.module {
  func.func @main() {
    tile.kernel {
      %a = tile.alloc {offset = 0 : i64} : memref<4x8xf32, #tile.space<vtcm>>
      %b = tile.alloc {offset = 128 : i64} : memref<8x64xf32, #tile.space<vtcm>>
      %c = tile.alloc {offset = 2176 : i64} : memref<4x64xf32, #tile.space<vtcm>>
      tile.matmul %a, %b, %c : memref<4x8xf32, #tile.space<vtcm>>, memref<8x64xf32, #tile.space<vtcm>>, memref<4x64xf32, #tile.space<vtcm>>
    }
    func.return
  }
}

// CHECK:       vx.data @vtcm_arena vtcm 3328
// CHECK-LABEL: vx.func @main
// CHECK:         %{{.*}} = vx.loop 8 iter_args(
// CHECK:           vx.vld %{{.*}}, 0
// CHECK:           vx.vld %{{.*}}, 128
// CHECK:           vx.vldbc %{{.*}}, 0
// CHECK:           vx.vfma.f32
// CHECK:           vx.addi %{{.*}}, 4
// CHECK:           vx.addi %{{.*}}, 256
// CHECK:           vx.yield
// CHECK:         vx.vst
// CHECK:         vx.halt
// V64-LABEL:   vx.func @main
// V64:           vx.loop 8 iter_args(
// V64-COUNT-4:     vx.vld %{{.*}}, {{[0-9]+}} :
// V64:             vx.vldbc

// -----

// An elementwise map of 33 elements on 32 lanes: one full vector, then a tail of one lane
// stored under a vsetq predicate (4 bytes) with vstq.
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<33xf32, #tile.space<vtcm>>
      %y = tile.alloc {offset = 256 : i64} : memref<33xf32, #tile.space<vtcm>>
      tile.map ins(%x : memref<33xf32, #tile.space<vtcm>>) outs(%y : memref<33xf32, #tile.space<vtcm>>) {
      ^bb0(%v: f32):
        %z = arith.constant 0.000000e+00 : f32
        %r = arith.maximumf %v, %z : f32
        %e = math.exp %r : f32
        tile.yield %e : f32
      }
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         vx.vsplati 0 :
// CHECK:         vx.vld
// CHECK-NEXT:    vx.vmax.f32
// CHECK-NEXT:    vx.exp.f32
// CHECK-NEXT:    vx.vst
// CHECK:         vx.vld
// CHECK:         vx.exp.f32
// CHECK:         %[[N:.*]] = vx.li 4 : !vx.reg
// CHECK-NEXT:    %[[Q:.*]] = vx.vsetq %[[N]]
// CHECK-NEXT:    vx.vstq %{{.*}}, %{{.*}}, 0, %[[Q]]

// -----

// 31 elements: no full vector, only the predicated tail (31 lanes = 124 bytes).
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<31xf32, #tile.space<vtcm>>
      tile.map ins(%x, %x : memref<31xf32, #tile.space<vtcm>>, memref<31xf32, #tile.space<vtcm>>) outs(%x : memref<31xf32, #tile.space<vtcm>>) {
      ^bb0(%a: f32, %b: f32):
        %r = arith.divf %a, %b : f32
        tile.yield %r : f32
      }
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK-NOT:     vx.loop
// CHECK:         vx.div.f32
// CHECK:         vx.li 124
// CHECK:         vx.vstq

// -----

// 1 element, and a 2-D map whose rows (132 bytes) are not vector aligned: tails store by
// read-modify-write (vldu, vsel under the predicate, vstu); a hardware loop over rows.
builtin.module {
  func.func @main() {
    tile.kernel {
      %s = tile.alloc {offset = 0 : i64} : memref<1xf32, #tile.space<vtcm>>
      %x = tile.alloc {offset = 128 : i64} : memref<5x33xf32, #tile.space<vtcm>>
      %b = tile.alloc {offset = 1024 : i64} : memref<1x33xf32, #tile.space<vtcm>>
      tile.fill %s, 1.0 : memref<1xf32, #tile.space<vtcm>>
      tile.map ins(%x, %b : memref<5x33xf32, #tile.space<vtcm>>, memref<1x33xf32, #tile.space<vtcm>>) outs(%x : memref<5x33xf32, #tile.space<vtcm>>) {
      ^bb0(%a: f32, %c: f32):
        %r = arith.addf %a, %c : f32
        tile.yield %r : f32
      }
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         vx.vsplati 1065353216
// CHECK:         vx.li 4 :
// CHECK:         vx.vstq
// CHECK:         vx.loop 5 iter_args(
// CHECK:           vx.vldu
// CHECK:           vx.vadd.f32
// CHECK:           vx.vstu
// CHECK:           vx.vsetq
// CHECK:           vx.vsel
// CHECK:           vx.vstu

// -----

// A row reduction (softmax's max): vector accumulation with the tail lanes replaced by
// the identity (vsel), then a vror tree of log2(32) = 5 steps, lane 0 stored.
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<4x40xf32, #tile.space<vtcm>>
      %y = tile.alloc {offset = 1024 : i64} : memref<4x1xf32, #tile.space<vtcm>>
      tile.reduce %x, %y {kind = "max", dims = array<i64: 1>} : memref<4x40xf32, #tile.space<vtcm>>, memref<4x1xf32, #tile.space<vtcm>>
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         vx.loop 4 iter_args(
// CHECK:           vx.vmax.f32
// CHECK:           vx.vsel
// CHECK-COUNT-5:   vx.vror
// CHECK:           vx.vstu
// V64-LABEL:   vx.func @main
// V64-COUNT-4:     vx.vror

// -----

// DMA: a contiguous box is one `dma`; a box with strided rows is dmacfg + dma2; the
// wait of the first token counts the one transfer issued after it.
builtin.module {
  func.func @main(%in: memref<8x64xf32, #tile.space<dram>> {nn.name = "x", tile.offset = 0 : i64}, %out: memref<8x64xf32, #tile.space<dram>> {tile.output = "y", tile.offset = 2048 : i64}) {
    tile.kernel {
      %a = tile.alloc {offset = 0 : i64} : memref<8x64xf32, #tile.space<vtcm>>
      %b = tile.alloc {offset = 2048 : i64} : memref<8x16xf32, #tile.space<vtcm>>
      %c0 = arith.constant 0 : index
      %c16 = arith.constant 16 : index
      %t0 = tile.dma_start %in[%c0, %c0], %a[%c0, %c0] sizes [8, 64] : memref<8x64xf32, #tile.space<dram>>, memref<8x64xf32, #tile.space<vtcm>>
      %t1 = tile.dma_start %in[%c0, %c16], %b[%c0, %c0] sizes [8, 16] : memref<8x64xf32, #tile.space<dram>>, memref<8x16xf32, #tile.space<vtcm>>
      tile.dma_wait %t0
      %t2 = tile.dma_start %a[%c0, %c0], %out[%c0, %c0] sizes [8, 64] : memref<8x64xf32, #tile.space<vtcm>>, memref<8x64xf32, #tile.space<dram>>
      tile.dma_wait %t1, %t2
    }
    func.return
  }
}

// CHECK:       vx.data @x dram 2048
// CHECK:       vx.data @y dram 2048
// CHECK:       vx.io input @x : tensor<8x64xf32>
// CHECK:       vx.io output @y : tensor<8x64xf32>
// CHECK-LABEL: vx.func @main
// CHECK:         %[[SRC:.*]] = vx.li @x + 0
// CHECK:         %[[DST:.*]] = vx.li @vtcm_arena + 0
// CHECK:         %[[N:.*]] = vx.li 2048
// CHECK:         vx.dma %[[DST]], %[[SRC]], %[[N]]
// CHECK:         vx.li @x + 64
// CHECK:         vx.dmacfg
// CHECK:         vx.dma2
// CHECK:         vx.dmawait 1
// CHECK:         vx.dma
// CHECK:         vx.dmawait 0

// -----

// A tile.for whose iterations differ only by address strides becomes one hardware loop
// carrying the addresses (immediate trip count): code size does not grow with the count.
builtin.module {
  func.func @main(%in: memref<64x32xf32, #tile.space<dram>> {nn.name = "x", tile.offset = 0 : i64}) {
    tile.kernel {
      %a = tile.alloc {offset = 0 : i64} : memref<1x32xf32, #tile.space<vtcm>>
      %c0 = arith.constant 0 : index
      tile.for %t = 0 to 64 step 1 {
        %tok = tile.dma_start %in[%t, %c0], %a[%c0, %c0] sizes [1, 32] : memref<64x32xf32, #tile.space<dram>>, memref<1x32xf32, #tile.space<vtcm>>
        tile.dma_wait %tok
        tile.fill %a, 0.0 : memref<1x32xf32, #tile.space<vtcm>>
      }
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         %[[P:.*]] = vx.li @x + 0
// CHECK:         vx.loop 64 iter_args(%[[Q:.*]] = %[[P]]
// CHECK:           vx.dma
// CHECK:           vx.dmawait 0
// CHECK:           vx.vst
// CHECK:           vx.addi %[[Q]], 128
// CHECK-NOT:     vx.dma

// -----

// A double-buffered pipeline (prefetch the next tile under an scf.if, wait, compute,
// write back, wait for the previous write-back) is ONE loop over all four tiles: the last
// tile's prefetch guard is false, so its transfer runs with zero bytes (size * flag, the
// flag `g < 0` of a counter g = t - 3), and the first tile, which has no earlier
// write-back to wait for, shares the body's smallest wait counts. No prologue or
// epilogue copies of the body.
builtin.module {
  func.func @main(%in: memref<4x32xf32, #tile.space<dram>> {nn.name = "x", tile.offset = 0 : i64}, %out: memref<4x32xf32, #tile.space<dram>> {tile.output = "y", tile.offset = 512 : i64}) {
    tile.kernel {
      %a0 = tile.alloc {offset = 0 : i64} : memref<1x32xf32, #tile.space<vtcm>>
      %a1 = tile.alloc {offset = 128 : i64} : memref<1x32xf32, #tile.space<vtcm>>
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      %c4 = arith.constant 4 : index
      %p = tile.dma_start %in[%c0, %c0], %a0[%c0, %c0] sizes [1, 32] : memref<4x32xf32, #tile.space<dram>>, memref<1x32xf32, #tile.space<vtcm>>
      %r = tile.ready
      %t1, %t2 = tile.for %t = 0 to 4 step 1 iter_args(%cur = %p, %prev = %r) -> (!tile.token, !tile.token) {
        %n = arith.addi %t, %c1 : index
        %more = arith.cmpi ult, %n, %c4 : index
        %par = arith.remui %t, %c2 : index
        %even = arith.cmpi eq, %par, %c0 : index
        %nx = scf.if %more -> (!tile.token) {
          %np = arith.remui %n, %c2 : index
          %ne = arith.cmpi eq, %np, %c0 : index
          %buf = arith.select %ne, %a0, %a1 : memref<1x32xf32, #tile.space<vtcm>>
          %tk = tile.dma_start %in[%n, %c0], %buf[%c0, %c0] sizes [1, 32] : memref<4x32xf32, #tile.space<dram>>, memref<1x32xf32, #tile.space<vtcm>>
          scf.yield %tk : !tile.token
        } else {
          scf.yield %cur : !tile.token
        }
        tile.dma_wait %cur
        %b = arith.select %even, %a0, %a1 : memref<1x32xf32, #tile.space<vtcm>>
        tile.map ins(%b : memref<1x32xf32, #tile.space<vtcm>>) outs(%b : memref<1x32xf32, #tile.space<vtcm>>) {
        ^bb0(%v: f32):
          %s = arith.addf %v, %v : f32
          tile.yield %s : f32
        }
        %o = tile.dma_start %b[%c0, %c0], %out[%t, %c0] sizes [1, 32] : memref<1x32xf32, #tile.space<vtcm>>, memref<4x32xf32, #tile.space<dram>>
        tile.dma_wait %prev
        tile.yield %nx, %o : !tile.token, !tile.token
      }
      tile.dma_wait %t2
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         vx.dma
// CHECK:         %[[G0:.*]] = vx.li -3
// CHECK:         vx.loop 4 iter_args({{.*}}%[[G:[a-z0-9_]+]] = %[[G0]])
// CHECK:           %[[F:.*]] = vx.slti %[[G]], 0
// CHECK:           %[[N:.*]] = vx.li 128
// CHECK-NEXT:      %[[S:.*]] = vx.mul %[[N]], %[[F]]
// CHECK-NEXT:      vx.dma %{{.*}}, %{{.*}}, %[[S]]
// CHECK-NEXT:      vx.dmawait 1
// CHECK:           vx.vadd.f32
// CHECK:           vx.dma
// CHECK-NEXT:      vx.dmawait 2
// CHECK:           vx.addi %[[G]], 1
// CHECK:           vx.yield
// CHECK-NOT:     vx.vadd.f32
// CHECK:         vx.dmawait 0
// CHECK-NEXT:    vx.halt

// -----

// An op the lowering does not handle leaves the pass with a located error naming it.
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<8xf32, #tile.space<vtcm>>
      tile.map ins(%x : memref<8xf32, #tile.space<vtcm>>) outs(%x : memref<8xf32, #tile.space<vtcm>>) {
      ^bb0(%v: f32):
        %s = math.cbrt %v : f32
        tile.yield %s : f32
      } loc("cbrt1")
    }
    func.return
  }
}

// ERR: loc("cbrt1"): error: convert-tile-to-vx: cannot lower 'math.cbrt' in tile.map
