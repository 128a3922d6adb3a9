// RUN: not vexa-opt %s -p vx-allocate-registers 2>&1 | filecheck %s
// Predicates are never spilled: a fifth live predicate on a 4-q machine is a located error.

// CHECK: vexa-opt: error: loc("fifth"): error: vx-allocate-registers: expected at most 4 live predicate registers on vx128, got 5
vx.func @main {
  %a = vx.vsplati 0 : !vx.vreg
  %q0 = vx.vcmpgt.f32 %a, %a : (!vx.vreg, !vx.vreg) -> !vx.qreg
  %q1 = vx.vcmpgt.f32 %a, %a : (!vx.vreg, !vx.vreg) -> !vx.qreg
  %q2 = vx.vcmpgt.f32 %a, %a : (!vx.vreg, !vx.vreg) -> !vx.qreg
  %q3 = vx.vcmpgt.f32 %a, %a : (!vx.vreg, !vx.vreg) -> !vx.qreg
  %q4 = vx.vcmpgt.f32 %a, %a : (!vx.vreg, !vx.vreg) -> !vx.qreg loc("fifth")
  %x = vx.qand %q0, %q1 : (!vx.qreg, !vx.qreg) -> !vx.qreg
  %y = vx.qand %q2, %q3 : (!vx.qreg, !vx.qreg) -> !vx.qreg
  %z = vx.qand %x, %y : (!vx.qreg, !vx.qreg) -> !vx.qreg
  %w = vx.qand %z, %q4 : (!vx.qreg, !vx.qreg) -> !vx.qreg
  vx.halt
}
