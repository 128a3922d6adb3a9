// RUN: vexa-opt %s --split-input-file --verify-diagnostics | filecheck %s
// Verifier errors of the vx dialect, one case per chunk.

// A packet holds at most `slots` instructions (4 on vx128).
vx.func @f {
  %a = vx.li 1 : !vx.reg<r1>
  %v = vx.vsplati 0 : !vx.vreg<v0>
  vx.packet {
    %b = vx.addi %a, 1 : (!vx.reg<r1>) -> !vx.reg<r2>
    %c = vx.vadd.f32 %v, %v : (!vx.vreg<v0>, !vx.vreg<v0>) -> !vx.vreg<v1>
    %d = vx.vmul.f32 %v, %v : (!vx.vreg<v0>, !vx.vreg<v0>) -> !vx.vreg<v2>
    %e = vx.vld %a, 0 : (!vx.reg<r1>) -> !vx.vreg<v3>
    vx.vst %v, %a, 0 : !vx.vreg<v0>, !vx.reg<r1>
  }
  vx.halt
}
// CHECK: vx.packet: expected at most 4 instructions on vx128, got 5

// -----

// Three vector loads do not fit the two load resources of vx128.
vx.func @f {
  %a = vx.li 1 : !vx.reg<r1>
  vx.packet {
    %x = vx.vld %a, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
    %y = vx.vld %a, 128 : (!vx.reg<r1>) -> !vx.vreg<v1>
    %z = vx.vld %a, 256 : (!vx.reg<r1>) -> !vx.vreg<v2>
  }
  vx.halt
}
// CHECK: vx.packet: expected at most 2 '{{.*}}' resources on vx128, got 3 (vld, vld, vld)

// -----

// An unaligned load takes two load resources: with another load it overflows.
vx.func @f {
  %a = vx.li 1 : !vx.reg<r1>
  vx.packet {
    %x = vx.vldu %a, 4 : (!vx.reg<r1>) -> !vx.vreg<v0>
    %y = vx.vld %a, 128 : (!vx.reg<r1>) -> !vx.vreg<v1>
  }
  vx.halt
}
// CHECK: vx.packet: expected at most 2 '{{.*}}' resources on vx128, got 3 (vldu, vld)

// -----

// The target is read from the enclosing module: three instructions fit vx128, not vx64.
builtin.module attributes {vx.target = "vx64"} {
  vx.func @f {
    %a = vx.li 1 : !vx.reg<r1>
    vx.packet {
      %x = vx.vld %a, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
      %b = vx.addi %a, 64 : (!vx.reg<r1>) -> !vx.reg<r2>
      vx.dmawait 0
    }
    vx.halt
  }
}
// CHECK: vx.packet: expected at most 2 instructions on vx64, got 3

// -----

// A vx.target attribute naming no target.
builtin.module attributes {vx.target = "nosuch"} {
  vx.func @f {
    vx.halt
  }
}
// CHECK: cannot load target 'nosuch'

// -----

// Two instructions of one packet may not write the same register.
vx.func @f {
  %a = vx.li 1 : !vx.reg<r1>
  vx.packet {
    %b = vx.addi %a, 1 : (!vx.reg<r1>) -> !vx.reg<r2>
    %c = vx.addi %a, 2 : (!vx.reg<r1>) -> !vx.reg<r2>
  }
  vx.halt
}
// CHECK: vx.packet: register r2 written twice in one packet (vx.addi and vx.addi)

// -----

// Register indices are checked against the target's register file (32 vregs on vx128).
vx.func @f {
  %v = vx.vsplati 0 : !vx.vreg<v40>
  vx.halt
}
// CHECK: vx.vsplati: expected v0..v31 on vx128, got v40

// -----

// Predicate registers: 4 on vx128.
vx.func @f {
  %a = vx.li 1 : !vx.reg<r1>
  %q = vx.vsetq %a : (!vx.reg<r1>) -> !vx.qreg<q4>
  vx.halt
}
// CHECK: vx.vsetq: expected q0..q3 on vx128, got q4

// -----

// A register spelling that is not a register of that file.
func.func @f(%a: !vx.vreg<r3>) {
  func.return
}
// CHECK: Invalid register name r3 for register type vx.vreg

// -----

// The accumulator and the result of vfma must share a register once allocated.
func.func @f(%acc: !vx.vreg<v1>, %a: !vx.vreg<v2>) {
  %r = vx.vfma.f32 %acc, %a, %a : (!vx.vreg<v1>, !vx.vreg<v2>, !vx.vreg<v2>) -> !vx.vreg<v3>
  func.return
}
// CHECK: vx.vfma.f32: expected the result in the accumulator's register v1, got v3

// -----

// Shift amounts are 0..31.
func.func @f(%a: !vx.reg) {
  %r = vx.shli %a, 32 : (!vx.reg) -> !vx.reg
  func.return
}
// CHECK: vx.shli: expected shift amount in [0, 31], got 32

// -----

// vextr reads one of vlen_bytes/4 lanes (32 on vx128).
vx.func @f {
  %v = vx.vsplati 0 : !vx.vreg<v0>
  %r = vx.vextr %v, 32 : (!vx.vreg<v0>) -> !vx.reg<r1>
  vx.halt
}
// CHECK: vx.vextr: expected a lane in [0, 32) on vx128, got 32

// -----

// Branches name labels of the same function.
vx.func @f {
  vx.j "nowhere"
}
// CHECK: vx.j: expected a label of @f, got 'nowhere'

// -----

// A loop-carried value keeps its register: the yield must match iter_args.
vx.func @f {
  %a = vx.li 0 : !vx.reg<r1>
  %r = vx.loop 4 iter_args(%x = %a) -> (!vx.reg<r1>) {
    %y = vx.addi %x, 1 : (!vx.reg<r1>) -> !vx.reg<r2>
    vx.yield %y : !vx.reg<r2>
  }
  vx.halt
}
// CHECK: vx.loop: expected loop-carried value 0 to stay in !vx.reg<r1>, got !vx.reg<r2>

// -----

// Hardware loops nest at most loop_depth (2) deep.
vx.func @f {
  vx.loop 2 {
    vx.loop 2 {
      vx.loop 2 {
        vx.dmawait 0
      }
    }
  }
  vx.halt
}
// CHECK: vx.loop: expected hardware loops nested at most 2 deep on vx128, got 3

// -----

// An empty hardware loop body has no packet for its end label to follow.
vx.func @f {
  vx.loop 2 {
  }
  vx.halt
}
// CHECK: vx.loop: expected a non-empty body

// -----

// A label names one position.
vx.func @f {
  vx.label "top"
  vx.label "top"
  vx.halt
}
// CHECK: vx.label: expected unique labels, got 'top' twice

// -----

// One change of the program counter per packet.
vx.func @f {
  vx.label "top"
  vx.packet {
    vx.j "top"
    vx.halt
  }
}
// CHECK: vx.packet: expected at most one branch or halt, got 2 (j, halt)

// -----

// Only instructions go in packets.
vx.func @f {
  vx.packet {
    vx.label "x"
  }
  vx.halt
}
// CHECK: vx.packet: expected only instructions, got vx.label

// -----

// VTCM is zeroed at load: its symbols take no initialiser.
vx.data @b vtcm = dense<[1.0]> : tensor<1xf32>
// CHECK: vx.data: expected no initialiser for a vtcm symbol

// -----

// I/O declarations name a data symbol large enough for the tensor.
vx.data @A dram 64
vx.io input @A : tensor<32xf32>
// CHECK: vx.io: expected @A to hold 128 bytes, got 64

// -----

// li of an unknown symbol.
vx.func @f {
  %a = vx.li @nope + 0 : !vx.reg<r1>
  vx.halt
}
// CHECK: vx.li: expected a vx.data symbol, got undefined @nope

// -----

// A branch loop needs its counter and zero registers as the first carried values.
vx.func @f {
  %a = vx.li 0 : !vx.reg<r1>
  %r = vx.loop branch 4 iter_args(%x = %a) -> (!vx.reg<r1>) {
    vx.yield %x : !vx.reg<r1>
  }
  vx.halt
}
// CHECK: vx.loop branch: expected a counter and a zero register as its first two loop-carried values

// -----

// The zero register must come back unchanged, else the closing bne compares garbage.
vx.func @f {
  %c = vx.li 4 : !vx.reg<r1>
  %z = vx.li 0 : !vx.reg<r2>
  %r:2 = vx.loop branch 4 iter_args(%x = %c, %y = %z) -> (!vx.reg<r1>, !vx.reg<r2>) {
    %d = vx.addi %x, -1 : (!vx.reg<r1>) -> !vx.reg<r1>
    %e = vx.addi %y, 0 : (!vx.reg<r2>) -> !vx.reg<r2>
    vx.yield %d, %e : !vx.reg<r1>, !vx.reg<r2>
  }
  vx.halt
}
// CHECK: vx.loop branch: expected the zero register (carried value 1) to be yielded unchanged

// -----

// A branch loop has a static trip count.
vx.func @f {
  %c = vx.li 4 : !vx.reg<r1>
  %z = vx.li 0 : !vx.reg<r2>
  %r:2 = vx.loop branch 0 iter_args(%x = %c, %y = %z) -> (!vx.reg<r1>, !vx.reg<r2>) {
    %d = vx.addi %x, -1 : (!vx.reg<r1>) -> !vx.reg<r1>
    vx.yield %d, %y : !vx.reg<r1>, !vx.reg<r2>
  }
  vx.halt
}
// CHECK: vx.loop branch: expected a trip count immediate >= 1
