// RUN: vexa-opt %s -p 'convert-tile-to-vx' | filecheck %s

// A max reduction starts from -inf (bits 0xff800000 = -8388608), not from f32's lowest
// finite value: a row of -inf (an attention row whose mask is all -inf) reduces to -inf,
// which the expanded Attention's where(reduce_max(mask) == -inf, 0, p) tests for. The 6
// elements of a row fill part of a vector; the other lanes hold the identity.
// CHECK-LABEL: vx.func @main
// CHECK:         vx.vsplati -8388608 : !vx.vreg
// CHECK-NOT:     vx.vsplati -8388609
// CHECK:         vx.halt
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<4x6xf32, #tile.space<vtcm>>
      %y = tile.alloc {offset = 128 : i64} : memref<4x1xf32, #tile.space<vtcm>>
      tile.reduce %x, %y {kind = "max", dims = array<i64: 1>} : memref<4x6xf32, #tile.space<vtcm>>, memref<4x1xf32, #tile.space<vtcm>>
    }
    func.return
  }
}
