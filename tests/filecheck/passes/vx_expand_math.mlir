// RUN: vexa-opt %s --split-input-file -p vx-expand-math | filecheck %s
// RUN: vexa-opt %s --split-input-file -p vx-expand-math --print-debuginfo | filecheck %s --check-prefix=LOC
// RUN: vexa-opt %s --split-input-file -p 'vx-expand-math{hoist-limit=0}' | filecheck %s --check-prefix=NOHOIST

// exp: clamp, n = round(x·log2e) by the 1.5·2^23 trick (n as i32 by vsub.i32), Cody-Waite
// r, polynomial, then 2^n built in the exponent field in two halves. Every op keeps the
// pseudo-op's location.
// CHECK-LABEL: vx.func @exp
// CHECK:       vx.vmax.f32
// CHECK:       vx.vmin.f32
// CHECK:       %[[T:.*]] = vx.vadd.f32
// CHECK:       vx.vsub.i32 %[[T]]
// CHECK:       vx.vsrai.i32 %{{.*}}, 1
// CHECK:       vx.vshli.i32 %{{.*}}, 23
// CHECK:       vx.vshli.i32 %{{.*}}, 23
// CHECK:       vx.vmul.f32
// CHECK-NEXT:  %[[Y:.*]] = vx.vmul.f32
// CHECK-NEXT:  vx.vabs.f32 %[[Y]]
// CHECK-NOT:   vx.exp.f32
// LOC-LABEL:   vx.func @exp
// LOC:         vx.vmax.f32 {{.*}} loc("softmax")
// LOC:         vx.vshli.i32 {{.*}} loc("softmax")
vx.func @exp {
  %x = vx.vsplati 1065353216 : !vx.vreg
  %y = vx.exp.f32 %x : (!vx.vreg) -> !vx.vreg loc("softmax")
  %z = vx.vabs.f32 %y : (!vx.vreg) -> !vx.vreg
  vx.halt
}

// -----

// log: subnormals scaled by 2^23 (select), exponent/mantissa split with integer ops,
// polynomial, then the special cases by compare + select.
// CHECK-LABEL: vx.func @log
// CHECK:       vx.vcmpgt.f32
// CHECK:       vx.vsel
// CHECK:       vx.vsrai.i32 %{{.*}}, 23
// CHECK:       vx.vshli.i32 %{{.*}}, 23
// CHECK:       vx.vcvt.f32.i32
// CHECK:       vx.vcmpeq.f32
// CHECK:       vx.vsel
// CHECK:       vx.vcmpgt.f32
// CHECK:       vx.vsel
// CHECK-NOT:   vx.log.f32
vx.func @log {
  %x = vx.vsplati 1065353216 : !vx.vreg
  %y = vx.log.f32 %x : (!vx.vreg) -> !vx.vreg
  vx.halt
}

// -----

// recip: large |x| scaled, estimate + two Newton steps, special lanes keep the estimate.
// CHECK-LABEL: vx.func @recip
// CHECK:       vx.vabs.f32
// CHECK:       vx.vcmpgt.f32
// CHECK:       %[[E:.*]] = vx.vrecip.f32
// CHECK-COUNT-2: vx.vsub.f32
// CHECK:       %[[Y:.*]] = vx.vadd.f32
// CHECK-NEXT:  %[[Q:.*]] = vx.vcmpeq.f32 %[[Y]], %[[Y]]
// CHECK-NEXT:  vx.vsel %[[Q]], %[[Y]], %[[E]]
// CHECK-NOT:   vx.recip.f32
vx.func @recip {
  %x = vx.vsplati 1065353216 : !vx.vreg
  %y = vx.recip.f32 %x : (!vx.vreg) -> !vx.vreg
  vx.halt
}

// -----

// div: operands scaled when the divisor is huge or subnormal, a·(1/b), one correction.
// CHECK-LABEL: vx.func @div
// CHECK:       vx.vrecip.f32
// CHECK:       vx.vsel
// CHECK:       %[[Q:.*]] = vx.vmul.f32
// CHECK:       vx.vmul.f32 %{{.*}}, %[[Q]]
// CHECK:       %[[Q1:.*]] = vx.vadd.f32 %[[Q]]
// CHECK:       vx.vsel %{{.*}}, %[[Q1]], %[[Q]]
// CHECK-NOT:   vx.div.f32
vx.func @div {
  %a = vx.vsplati 1065353216 : !vx.vreg
  %b = vx.vsplati 1073741824 : !vx.vreg
  %q = vx.div.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
  vx.halt
}

// -----

// rsqrt: estimate + two Newton steps; sqrt = x·rsqrt(x) with ±0 and +inf passed through.
// CHECK-LABEL: vx.func @roots
// CHECK:       vx.vrsqrt.f32
// CHECK-COUNT-2: vx.vsub.f32
// CHECK:       vx.vsel
// CHECK:       vx.vrsqrt.f32
// CHECK:       vx.vsel
// CHECK:       vx.vmul.f32
// CHECK:       vx.vcmpeq.f32
// CHECK:       vx.vsel
// CHECK:       vx.vcmpeq.f32
// CHECK:       vx.vsel
// CHECK-NOT:   vx.{{(rsqrt|sqrt)}}.f32
vx.func @roots {
  %x = vx.vsplati 1073741824 : !vx.vreg
  %r = vx.rsqrt.f32 %x : (!vx.vreg) -> !vx.vreg
  %s = vx.sqrt.f32 %x : (!vx.vreg) -> !vx.vreg
  vx.halt
}

// -----

// sigmoid: exp(-|x|) (vor of the sign bit), 1/(1+z) by Newton, z/(1+z) selected for x < 0.
// tanh: polynomial near 0, 1 - 2/(1+exp(2|x|)) else, sign or-ed back.
// erf: two polynomials selected at |x| = 1, clamped to 1, sign or-ed back.
// CHECK-LABEL: vx.func @activations
// CHECK:       vx.vor
// CHECK:       vx.vshli.i32
// CHECK:       vx.vrecip.f32
// CHECK:       vx.vcmpgt.f32
// CHECK:       vx.vsel
// CHECK:       vx.vand
// CHECK:       vx.vabs.f32
// CHECK:       vx.vshli.i32
// CHECK:       vx.vrecip.f32
// CHECK:       vx.vsel
// CHECK:       vx.vor
// CHECK:       vx.vand
// CHECK:       vx.vmin.f32
// CHECK:       vx.vcmpgt.f32
// CHECK:       vx.vsel
// CHECK:       vx.vor
// CHECK-NOT:   vx.{{(sigmoid|tanh|erf)}}.f32
vx.func @activations {
  %x = vx.vsplati 1065353216 : !vx.vreg
  %s = vx.sigmoid.f32 %x : (!vx.vreg) -> !vx.vreg
  %t = vx.tanh.f32 %x : (!vx.vreg) -> !vx.vreg
  %e = vx.erf.f32 %x : (!vx.vreg) -> !vx.vreg
  vx.halt
}

// -----

// Inside a hardware loop the constants are hoisted in front of the outermost loop (up to
// hoist-limit = 12 by default, shared between expansions); exp needs 14, so each exp keeps
// 2 inside.
// With hoist-limit=0 every constant is materialised in the loop body.
// CHECK-LABEL: vx.func @hoist
// CHECK-COUNT-12: vx.vsplati
// CHECK-NOT:   vx.vsplati
// CHECK:       vx.loop 4
// CHECK:       vx.loop 8
// CHECK:       vx.vld
// CHECK-COUNT-2: vx.vsplati
// CHECK-NOT:   vx.vsplati
// CHECK:       vx.vmax.f32
// CHECK-COUNT-2: vx.vsplati
// CHECK-NOT:   vx.vsplati
// CHECK:       vx.vst
// CHECK-NOT:   vx.exp.f32
// NOHOIST-LABEL: vx.func @hoist
// NOHOIST-NEXT:  vx.li
// NOHOIST-NEXT:  vx.loop 4
// NOHOIST-NEXT:  vx.loop 8
// NOHOIST-NEXT:  vx.vld
// NOHOIST-NEXT:  vx.vsplati
vx.data @A dram 4096
vx.func @hoist {
  %p0 = vx.li @A + 0 : !vx.reg
  vx.loop 4 {
    %p1 = vx.loop 8 iter_args(%p = %p0) -> (!vx.reg) {
      %v = vx.vld %p, 0 : (!vx.reg) -> !vx.vreg
      %y = vx.exp.f32 %v : (!vx.vreg) -> !vx.vreg
      %w = vx.exp.f32 %y : (!vx.vreg) -> !vx.vreg
      vx.vst %w, %p, 0 : !vx.vreg, !vx.reg
      %q = vx.addi %p, 128 : (!vx.reg) -> !vx.reg
      vx.yield %q : !vx.reg
    }
    vx.yield
  }
  vx.halt
}
