// RUN: vexa-opt %s --split-input-file -p 'convert-tile-to-vx' | filecheck %s

// A matmul with both transposes (a Gemm with transA = transB = 1; a is [K, M], b is
// [N, K]): loops over i and n, a k loop of two vldbc broadcasts (a steps by 4·M = 12
// bytes, b by 4) and a vfma, then one lane stored (vsetq 4, vldu/vsel/vstu); the i loop
// is a branch loop (the hardware loop stack is 2 deep).
builtin.module {
  func.func @main() {
    tile.kernel {
      %a = tile.alloc {offset = 0 : i64} : memref<4x3xf32, #tile.space<vtcm>>
      %b = tile.alloc {offset = 128 : i64} : memref<5x4xf32, #tile.space<vtcm>>
      %c = tile.alloc {offset = 256 : i64} : memref<3x5xf32, #tile.space<vtcm>>
      tile.matmul %a, %b, %c {transpose_a, transpose_b} : memref<4x3xf32, #tile.space<vtcm>>, memref<5x4xf32, #tile.space<vtcm>>, memref<3x5xf32, #tile.space<vtcm>>
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         %[[Q:.*]] = vx.vsetq
// CHECK:         vx.loop branch 3 iter_args(
// CHECK:           vx.loop 5 iter_args(
// CHECK:             vx.loop 4 iter_args(
// CHECK:               %[[VA:.*]] = vx.vldbc %{{.*}}, 0
// CHECK-NEXT:          %[[VB:.*]] = vx.vldbc %{{.*}}, 0
// CHECK-NEXT:          vx.vfma.f32 %{{.*}}, %[[VA]], %[[VB]]
// CHECK-DAG:           vx.addi %{{.*}}, 12
// CHECK-DAG:           vx.addi %{{.*}}, 4
// CHECK:             %[[OLD:.*]] = vx.vldu
// CHECK-NEXT:        %[[S:.*]] = vx.vsel %[[Q]], %{{.*}}, %[[OLD]]
// CHECK-NEXT:        vx.vstu %[[S]]

// -----

// A reduce over non-adjacent dims (MVN's [0, 2, 3] of NCHW, here 3x5x4x10): a loop over
// the 5 outputs (x steps by 4·4·10 = 160 bytes, y by 4), in it a loop over dim 0 (x steps
// by 5·160 = 800) around the vector loop over the 40 contiguous elements (one full vector
// and a predicated 8-lane tail), then the vror tree and one lane stored.
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<3x5x4x10xf32, #tile.space<vtcm>>
      %y = tile.alloc {offset = 2432 : i64} : memref<1x5x1x1xf32, #tile.space<vtcm>>
      tile.reduce %x, %y {kind = "add", dims = array<i64: 0, 2, 3>} : memref<3x5x4x10xf32, #tile.space<vtcm>>, memref<1x5x1x1xf32, #tile.space<vtcm>>
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         vx.vsplati 0 :
// CHECK:         %[[QT:.*]] = vx.vsetq
// CHECK:         %[[Q1:.*]] = vx.vsetq
// CHECK:         vx.loop 5 iter_args(
// CHECK:           vx.loop 3 iter_args(
// CHECK:             %[[V:.*]] = vx.vldu
// CHECK-NEXT:        %[[A:.*]] = vx.vadd.f32 %{{.*}}, %[[V]]
// CHECK:             vx.vsel %[[QT]]
// CHECK:             vx.vadd.f32
// CHECK:             vx.addi %{{.*}}, 800
// CHECK:             vx.yield
// CHECK:           vx.vror
// CHECK:           vx.vsel %[[Q1]]
// CHECK-NEXT:      vx.vstu
// CHECK:           vx.addi %{{.*}}, 160
// CHECK-NEXT:      vx.addi %{{.*}}, 4
// CHECK:           vx.yield

// -----

// Vectors along the last, kept dim (ReduceMax over [0, 2] of 3x5x4x37): per output row of
// 37, a loop over dim 0 and dim 2 (x steps 5·4·37·4 = 2960 and 148 bytes) of vmax.
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<3x5x4x37xf32, #tile.space<vtcm>>
      %y = tile.alloc {offset = 8960 : i64} : memref<1x5x1x37xf32, #tile.space<vtcm>>
      tile.reduce %x, %y {kind = "max", dims = array<i64: 0, 2>} : memref<3x5x4x37xf32, #tile.space<vtcm>>, memref<1x5x1x37xf32, #tile.space<vtcm>>
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         vx.vsplati -8388608 :
// CHECK:         vx.loop 3 iter_args(
// CHECK:           vx.loop 4 iter_args(
// CHECK:             vx.vmax.f32
// CHECK:             vx.addi %{{.*}}, 148
// CHECK:           vx.addi %{{.*}}, 2960
// CHECK:         vx.vst

// -----

// A product reduction (ReduceProd): vmul accumulation from 1.0, a vmul vror tree.
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<4x8xf32, #tile.space<vtcm>>
      %y = tile.alloc {offset = 128 : i64} : memref<4x1xf32, #tile.space<vtcm>>
      tile.reduce %x, %y {kind = "mul", dims = array<i64: 1>} : memref<4x8xf32, #tile.space<vtcm>>, memref<4x1xf32, #tile.space<vtcm>>
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         vx.vsplati 1065353216 :
// CHECK:         vx.loop 4 iter_args(
// CHECK:           vx.vsel
// CHECK-NEXT:      vx.vmul.f32
// CHECK:           vx.vror
// CHECK-NEXT:      vx.vmul.f32
// CHECK-NOT:       vx.vmax.f32
// CHECK:           vx.vstu

// -----

// A 1x1 conv's input-channel loop is software-pipelined: the loads its first FMAs need
// (the input vector and the first four weight broadcasts: those that loads at the body's
// start could not bring in time) are done before the loop and, for the next channel
// (x + 2·32·4 = 256 bytes, w + 4), after the body's FMAs, carried through the loop; the
// other four broadcasts load at the body's start.
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<1x8x2x32xf32, #tile.space<vtcm>>
      %w = tile.alloc {offset = 2048 : i64} : memref<8x8x1x1xf32, #tile.space<vtcm>>
      %y = tile.alloc {offset = 2304 : i64} : memref<1x8x2x32xf32, #tile.space<vtcm>>
      tile.conv %x, %w, %y {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : memref<1x8x2x32xf32, #tile.space<vtcm>>, memref<8x8x1x1xf32, #tile.space<vtcm>>, memref<1x8x2x32xf32, #tile.space<vtcm>>
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         %[[X0:.*]] = vx.vldu %{{.*}}, 0
// CHECK-NEXT:    %[[W0:.*]] = vx.vldbc %{{.*}}, 0
// CHECK-NEXT:    %[[W1:.*]] = vx.vldbc %{{.*}}, 32
// CHECK-NEXT:    %[[W2:.*]] = vx.vldbc %{{.*}}, 64
// CHECK-NEXT:    %[[W3:.*]] = vx.vldbc %{{.*}}, 96
// CHECK-NEXT:    vx.loop 8 iter_args(%[[PX:[0-9]+]] = %{{[0-9]+}}, %[[PW:[0-9]+]] = %{{[0-9]+}}, {{.*}}, %[[X:[0-9]+]] = %[[X0]], %[[A:[0-9]+]] = %[[W0]], %{{[0-9]+}} = %[[W1]], %{{[0-9]+}} = %[[W2]], %{{[0-9]+}} = %[[W3]])
// CHECK-NEXT:      %[[W4:.*]] = vx.vldbc %[[PW]], 128
// CHECK-NEXT:      vx.vldbc %[[PW]], 160
// CHECK-NEXT:      vx.vldbc %[[PW]], 192
// CHECK-NEXT:      vx.vldbc %[[PW]], 224
// CHECK-NEXT:      vx.vfma.f32 %{{.*}}, %[[A]], %[[X]]
// CHECK-COUNT-3:   vx.vfma.f32
// CHECK-NEXT:      vx.vfma.f32 %{{.*}}, %[[W4]], %[[X]]
// CHECK-COUNT-3:   vx.vfma.f32
// CHECK-NEXT:      %[[NX:.*]] = vx.vldu %[[PX]], 256
// CHECK-NEXT:      %[[NW0:.*]] = vx.vldbc %[[PW]], 4
// CHECK-NEXT:      %[[NW1:.*]] = vx.vldbc %[[PW]], 36
// CHECK-NEXT:      %[[NW2:.*]] = vx.vldbc %[[PW]], 68
// CHECK-NEXT:      %[[NW3:.*]] = vx.vldbc %[[PW]], 100
// CHECK-NEXT:      %[[NPX:.*]] = vx.addi %[[PX]], 256
// CHECK-NEXT:      %[[NPW:.*]] = vx.addi %[[PW]], 4
// CHECK-NEXT:      vx.yield %[[NPX]], %[[NPW]], {{.*}}, %[[NX]], %[[NW0]], %[[NW1]], %[[NW2]], %[[NW3]] :
