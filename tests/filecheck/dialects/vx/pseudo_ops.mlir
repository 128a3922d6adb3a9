// RUN: vexa-opt %s | vexa-opt | filecheck %s
// RUN: vexa-opt %s --print-op-generic | vexa-opt | filecheck %s
// Every math pseudo-instruction parses, verifies and prints back in its custom form.

// CHECK-LABEL: vx.func @pseudo
vx.func @pseudo {
  %x = vx.vsplati 1065353216 : !vx.vreg
  // CHECK:      vx.exp.f32 %{{.*}} : (!vx.vreg) -> !vx.vreg
  %0 = vx.exp.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.log.f32
  %1 = vx.log.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.sin.f32 %{{.*}} : (!vx.vreg) -> !vx.vreg
  %2 = vx.sin.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.cos.f32
  %3 = vx.cos.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.tan.f32
  %4 = vx.tan.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.asin.f32
  %5 = vx.asin.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.acos.f32
  %6 = vx.acos.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.atan.f32
  %7 = vx.atan.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.sinh.f32
  %8 = vx.sinh.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.cosh.f32
  %9 = vx.cosh.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.asinh.f32
  %10 = vx.asinh.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.acosh.f32
  %11 = vx.acosh.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.atanh.f32
  %12 = vx.atanh.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.div.f32 %{{.*}}, %{{.*}} : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %13 = vx.div.f32 %x, %2 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.pow.f32 %{{.*}}, %{{.*}} : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %14 = vx.pow.f32 %x, %3 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  vx.halt
}
