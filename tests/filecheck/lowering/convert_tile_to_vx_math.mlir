// RUN: vexa-opt %s --split-input-file -p 'convert-tile-to-vx' | filecheck %s

// The trigonometric and hyperbolic math ops of a tile.map become one vx pseudo-op each
// (vx-expand-math expands them later).
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<32xf32, #tile.space<vtcm>>
      tile.map ins(%x : memref<32xf32, #tile.space<vtcm>>) outs(%x : memref<32xf32, #tile.space<vtcm>>) {
      ^bb0(%v: f32):
        %a = math.sin %v : f32
        %b = math.cos %a : f32
        %c = math.tan %b : f32
        %d = math.asin %c : f32
        %e = math.acos %d : f32
        %f = math.atan %e : f32
        %g = math.sinh %f : f32
        %h = math.cosh %g : f32
        %i = math.asinh %h : f32
        %j = math.acosh %i : f32
        %k = math.atanh %j : f32
        tile.yield %k : f32
      }
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         %[[X:.*]] = vx.vld
// CHECK-NEXT:    %[[A:.*]] = vx.sin.f32 %[[X]]
// CHECK-NEXT:    %[[B:.*]] = vx.cos.f32 %[[A]]
// CHECK-NEXT:    %[[C:.*]] = vx.tan.f32 %[[B]]
// CHECK-NEXT:    %[[D:.*]] = vx.asin.f32 %[[C]]
// CHECK-NEXT:    %[[E:.*]] = vx.acos.f32 %[[D]]
// CHECK-NEXT:    %[[F:.*]] = vx.atan.f32 %[[E]]
// CHECK-NEXT:    %[[G:.*]] = vx.sinh.f32 %[[F]]
// CHECK-NEXT:    %[[H:.*]] = vx.cosh.f32 %[[G]]
// CHECK-NEXT:    %[[I:.*]] = vx.asinh.f32 %[[H]]
// CHECK-NEXT:    %[[J:.*]] = vx.acosh.f32 %[[I]]
// CHECK-NEXT:    %[[K:.*]] = vx.atanh.f32 %[[J]]
// CHECK-NEXT:    vx.vst %[[K]]

// -----

// math.powf by a computed exponent (a second map input) is vx.pow.f32; by a constant
// it stays the repeated-squaring / sqrt / exp-log special cases.
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<32xf32, #tile.space<vtcm>>
      %e = tile.alloc {offset = 128 : i64} : memref<32xf32, #tile.space<vtcm>>
      tile.map ins(%x, %e : memref<32xf32, #tile.space<vtcm>>, memref<32xf32, #tile.space<vtcm>>) outs(%x : memref<32xf32, #tile.space<vtcm>>) {
      ^bb0(%a: f32, %b: f32):
        %two = arith.constant 2.000000e+00 : f32
        %p = math.powf %a, %b : f32
        %q = math.powf %p, %two : f32
        tile.yield %q : f32
      }
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         %[[A:.*]] = vx.vld
// CHECK-NEXT:    %[[B:.*]] = vx.vld
// CHECK-NEXT:    %[[P:.*]] = vx.pow.f32 %[[A]], %[[B]]
// CHECK-NEXT:    %[[Q:.*]] = vx.vmul.f32 %[[P]], %[[P]]
// CHECK-NEXT:    vx.vst %[[Q]]

// -----

// Predicates (i1) in a map: cmpf one is (a > b) | (b > a) (false for NaN); andi/ori are
// qand/qor, xori is (a | b) & !(a & b) — Python's % of floats (Mod with fmod = 0) needs
// them.
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<32xf32, #tile.space<vtcm>>
      tile.map ins(%x, %x : memref<32xf32, #tile.space<vtcm>>, memref<32xf32, #tile.space<vtcm>>) outs(%x : memref<32xf32, #tile.space<vtcm>>) {
      ^bb0(%a: f32, %b: f32):
        %one = arith.cmpf one, %a, %b : f32
        %lt = arith.cmpf olt, %a, %b : f32
        %x1 = arith.xori %one, %lt : i1
        %x2 = arith.andi %x1, %lt : i1
        %x3 = arith.ori %x2, %one : i1
        %r = arith.select %x3, %a, %b : f32
        tile.yield %r : f32
      }
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         %[[A:.*]] = vx.vld
// CHECK-NEXT:    %[[B:.*]] = vx.vld
// CHECK-NEXT:    %[[G1:.*]] = vx.vcmpgt.f32 %[[A]], %[[B]]
// CHECK-NEXT:    %[[G2:.*]] = vx.vcmpgt.f32 %[[B]], %[[A]]
// CHECK-NEXT:    %[[ONE:.*]] = vx.qor %[[G1]], %[[G2]]
// CHECK-NEXT:    %[[LT:.*]] = vx.vcmpgt.f32 %[[B]], %[[A]]
// CHECK-NEXT:    %[[OR:.*]] = vx.qor %[[ONE]], %[[LT]]
// CHECK-NEXT:    %[[AND:.*]] = vx.qand %[[ONE]], %[[LT]]
// CHECK-NEXT:    %[[NAND:.*]] = vx.qnot %[[AND]]
// CHECK-NEXT:    %[[X1:.*]] = vx.qand %[[OR]], %[[NAND]]
// CHECK-NEXT:    %[[X2:.*]] = vx.qand %[[X1]], %[[LT]]
// CHECK-NEXT:    %[[X3:.*]] = vx.qor %[[X2]], %[[ONE]]
// CHECK-NEXT:    vx.vsel %[[X3]], %[[A]], %[[B]]

// -----

// An i1 constant in a map is a predicate of all lanes (true) or none (false): vsetq of
// the vector length resp. 0 (nn.not is xori with true).
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<32xf32, #tile.space<vtcm>>
      tile.map ins(%x, %x : memref<32xf32, #tile.space<vtcm>>, memref<32xf32, #tile.space<vtcm>>) outs(%x : memref<32xf32, #tile.space<vtcm>>) {
      ^bb0(%a: f32, %b: f32):
        %lt = arith.cmpf olt, %a, %b : f32
        %t = arith.constant true
        %f = arith.constant false
        %n = arith.xori %lt, %t : i1
        %m = arith.ori %n, %f : i1
        %r = arith.select %m, %a, %b : f32
        tile.yield %r : f32
      }
    }
    func.return
  }
}

// CHECK-LABEL: vx.func @main
// CHECK:         %[[L1:.*]] = vx.li 128 : !vx.reg
// CHECK-NEXT:    %[[T:.*]] = vx.vsetq %[[L1]]
// CHECK-NEXT:    %[[L0:.*]] = vx.li 0 : !vx.reg
// CHECK-NEXT:    %[[F:.*]] = vx.vsetq %[[L0]]
// CHECK:         %[[LT:.*]] = vx.vcmpgt.f32
// CHECK-NEXT:    %[[OR:.*]] = vx.qor %[[LT]], %[[T]]
// CHECK-NEXT:    %[[AND:.*]] = vx.qand %[[LT]], %[[T]]
// CHECK-NEXT:    %[[NAND:.*]] = vx.qnot %[[AND]]
// CHECK-NEXT:    %[[N:.*]] = vx.qand %[[OR]], %[[NAND]]
// CHECK-NEXT:    %[[M:.*]] = vx.qor %[[N]], %[[F]]
// CHECK-NEXT:    vx.vsel %[[M]]
