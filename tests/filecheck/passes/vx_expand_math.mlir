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

// -----

// sin: q = round(|x|·2/π) by the 1.5·2^23 trick (q as i32 by vsub.i32), three-part
// Cody-Waite r, both polynomials, the odd quadrants pick cos r (vcmpeq.i32 on bit 0),
// bit 1 of q shifted to the sign bit and xor-ed with x's sign.
// cos: the same reduction, the sign from bit 1 of q + 1.
// CHECK-LABEL: vx.func @sincos
// CHECK:       vx.vand
// CHECK:       vx.vabs.f32
// CHECK:       %[[T:.*]] = vx.vadd.f32
// CHECK-NEXT:  %[[Q:.*]] = vx.vsub.i32 %[[T]]
// CHECK-COUNT-3: vx.vmul.f32
// CHECK:       vx.vcmpeq.i32
// CHECK-NEXT:  vx.vsel
// CHECK:       vx.vshli.i32 %{{.*}}, 30
// CHECK-NEXT:  vx.vxor
// CHECK-NEXT:  vx.vxor
// CHECK:       vx.vabs.f32
// CHECK:       vx.vsub.i32
// CHECK:       vx.vcmpeq.i32
// CHECK:       vx.vadd.i32
// CHECK:       vx.vshli.i32 %{{.*}}, 30
// CHECK-NEXT:  vx.vxor
// CHECK-NOT:   vx.{{(sin|cos)}}.f32
vx.func @sincos {
  %x = vx.vsplati 1065353216 : !vx.vreg
  %s = vx.sin.f32 %x : (!vx.vreg) -> !vx.vreg
  %c = vx.cos.f32 %x : (!vx.vreg) -> !vx.vreg
  vx.halt
}

// -----

// tan: the sin/cos reduction, then a division (vrecip + Newton); asin/acos: a square root
// (vrsqrt) for |x| > 1/2; atan: 1/|x| and (|x| − 1)/(|x| + 1), offsets selected.
// CHECK-LABEL: vx.func @inverse_trig
// CHECK:       vx.vneg.f32
// CHECK:       vx.vrecip.f32
// CHECK:       vx.vxor
// CHECK:       vx.vrsqrt.f32
// CHECK:       vx.vor
// CHECK:       vx.vrsqrt.f32
// CHECK:       vx.vrecip.f32
// CHECK:       vx.vrecip.f32
// CHECK:       vx.vcmpgt.f32
// CHECK-NEXT:  vx.vsel
// CHECK:       vx.vor
// CHECK-NOT:   vx.{{(tan|asin|acos|atan)}}.f32
vx.func @inverse_trig {
  %x = vx.vsplati 1056964608 : !vx.vreg
  %t = vx.tan.f32 %x : (!vx.vreg) -> !vx.vreg
  %s = vx.asin.f32 %x : (!vx.vreg) -> !vx.vreg
  %c = vx.acos.f32 %x : (!vx.vreg) -> !vx.vreg
  %a = vx.atan.f32 %x : (!vx.vreg) -> !vx.vreg
  vx.halt
}

// -----

// sinh/cosh: exp(|x|)/2 built with exponent bias 126 (vsplati 126), then ± 1/(4h);
// asinh/acosh/atanh: a log expansion (exponent split by vsrai 23) on the large branch.
// CHECK-LABEL: vx.func @hyperbolic
// CHECK:       vx.vsplati 126
// CHECK:       vx.vshli.i32 %{{.*}}, 23
// CHECK:       vx.vrecip.f32
// CHECK:       vx.vsub.f32
// CHECK:       vx.vsplati 126
// CHECK:       vx.vrecip.f32
// CHECK:       vx.vsrai.i32 %{{.*}}, 23
// CHECK:       vx.vsrai.i32 %{{.*}}, 23
// CHECK:       vx.vrecip.f32
// CHECK:       vx.vsrai.i32 %{{.*}}, 23
// CHECK-NOT:   vx.{{(sinh|cosh|asinh|acosh|atanh)}}.f32
vx.func @hyperbolic {
  %x = vx.vsplati 1056964608 : !vx.vreg
  %a = vx.sinh.f32 %x : (!vx.vreg) -> !vx.vreg
  %b = vx.cosh.f32 %x : (!vx.vreg) -> !vx.vreg
  %c = vx.asinh.f32 %x : (!vx.vreg) -> !vx.vreg
  %d = vx.acosh.f32 %x : (!vx.vreg) -> !vx.vreg
  %e = vx.atanh.f32 %x : (!vx.vreg) -> !vx.vreg
  vx.halt
}

// -----

// pow: exp(y·log|a|); y's integer-ness by vcvt.i32.f32 + vcvt.f32.i32, its low bit moved to
// the sign (vshli 31) and xor-ed in for a negative base; NaN for a negative base and a
// non-integer y; the special cases by selects, (−1) ** ±inf by a qand.
// CHECK-LABEL: vx.func @pow
// CHECK:       vx.vabs.f32
// CHECK:       vx.vsrai.i32 %{{.*}}, 23
// CHECK:       vx.vshli.i32 %{{.*}}, 23
// CHECK:       %[[I:.*]] = vx.vcvt.i32.f32
// CHECK-NEXT:  vx.vcvt.f32.i32 %[[I]]
// CHECK:       vx.vshli.i32 %{{.*}}, 31
// CHECK:       vx.vxor
// CHECK:       vx.qand
// CHECK:       vx.qand
// CHECK-NEXT:  vx.vsel
// CHECK-NOT:   vx.pow.f32
vx.func @pow {
  %a = vx.vsplati 1073741824 : !vx.vreg
  %y = vx.vsplati 1077936128 : !vx.vreg
  %p = vx.pow.f32 %a, %y : (!vx.vreg, !vx.vreg) -> !vx.vreg
  vx.halt
}
