// RUN: vexa-opt %s --split-input-file --verify-diagnostics | filecheck %s
// Verifier errors of the math pseudo-instructions, one case per chunk.

// A pseudo-instruction is expanded before register allocation: virtual registers only.
vx.func @f {
  %x = vx.vsplati 0 : !vx.vreg<v0>
  %y = vx.sin.f32 %x : (!vx.vreg<v0>) -> !vx.vreg<v1>
  vx.halt
}
// CHECK: vx.sin.f32: expected virtual registers (a pseudo-instruction is expanded by vx-expand-math before allocation), got !vx.vreg<v0>

// -----

vx.func @f {
  %x = vx.vsplati 0 : !vx.vreg
  %e = vx.vsplati 0 : !vx.vreg<v2>
  %y = vx.pow.f32 %x, %e : (!vx.vreg, !vx.vreg<v2>) -> !vx.vreg
  vx.halt
}
// CHECK: vx.pow.f32: expected virtual registers (a pseudo-instruction is expanded by vx-expand-math before allocation), got !vx.vreg<v2>

// -----

// Operands are vector registers.
vx.func @f {
  %r = vx.li 0 : !vx.reg
  %y = vx.atanh.f32 %r : (!vx.reg) -> !vx.vreg
  vx.halt
}
// CHECK: !vx.reg should be of base attribute vx.vreg
