// RUN: vexa-opt %s | vexa-opt | filecheck %s
// RUN: vexa-opt %s --print-op-generic | vexa-opt | filecheck %s
// Every vx op parses, verifies and prints back in its custom form.

// CHECK-LABEL: @instructions
func.func @instructions(%a: !vx.reg, %b: !vx.reg<r2>, %x: !vx.vreg, %y: !vx.vreg<v31>, %p: !vx.qreg, %pp: !vx.qreg<q3>) {
  // CHECK: %{{.*}} = vx.li 42 : !vx.reg
  %0 = vx.li 42 : !vx.reg
  // CHECK-NEXT: vx.li -1 : !vx.reg<r5>
  %1 = vx.li 4294967295 : !vx.reg<r5>
  // CHECK-NEXT: vx.mov %a : (!vx.reg) -> !vx.reg
  %2 = vx.mov %a : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.add %a, %b : (!vx.reg, !vx.reg<r2>) -> !vx.reg<r3>
  %3 = vx.add %a, %b : (!vx.reg, !vx.reg<r2>) -> !vx.reg<r3>
  // CHECK-NEXT: vx.sub
  %4 = vx.sub %a, %b : (!vx.reg, !vx.reg<r2>) -> !vx.reg
  // CHECK-NEXT: vx.mul
  %5 = vx.mul %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.and
  %6 = vx.and %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.or
  %7 = vx.or %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.xor
  %8 = vx.xor %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.shl
  %9 = vx.shl %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.shr
  %10 = vx.shr %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.sra
  %11 = vx.sra %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.slt
  %12 = vx.slt %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.sltu
  %13 = vx.sltu %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.min
  %14 = vx.min %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.max
  %15 = vx.max %a, %a : (!vx.reg, !vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.addi %a, -128 : (!vx.reg) -> !vx.reg
  %16 = vx.addi %a, -128 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.muli %a, 3
  %17 = vx.muli %a, 3 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.andi %a, 255
  %18 = vx.andi %a, 255 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.ori %a, 1
  %19 = vx.ori %a, 1 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.xori %a, -1
  %20 = vx.xori %a, -1 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.shli %a, 31
  %21 = vx.shli %a, 31 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.shri %a, 0
  %22 = vx.shri %a, 0 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.srai %a, 2
  %23 = vx.srai %a, 2 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.slti %a, 10
  %24 = vx.slti %a, 10 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.ld %a, 8 : (!vx.reg) -> !vx.reg
  %25 = vx.ld %a, 8 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.ldf %a, 0
  %26 = vx.ldf %a, 0 : (!vx.reg) -> !vx.reg
  // CHECK-NEXT: vx.st %a, %b, 4 : !vx.reg, !vx.reg<r2>
  vx.st %a, %b, 4 : !vx.reg, !vx.reg<r2>
  // CHECK-NEXT: vx.stf %a, %a, -4 : !vx.reg, !vx.reg
  vx.stf %a, %a, -4 : !vx.reg, !vx.reg
  // CHECK-NEXT: vx.j "somewhere"
  vx.j "somewhere"
  // CHECK-NEXT: vx.beq %a, %b, "done" : !vx.reg, !vx.reg<r2>
  vx.beq %a, %b, "done" : !vx.reg, !vx.reg<r2>
  // CHECK-NEXT: vx.bne
  vx.bne %a, %a, "done" : !vx.reg, !vx.reg
  // CHECK-NEXT: vx.blt
  vx.blt %a, %a, "done" : !vx.reg, !vx.reg
  // CHECK-NEXT: vx.bge
  vx.bge %a, %a, "done" : !vx.reg, !vx.reg
  // CHECK-NEXT: vx.halt
  vx.halt
  // CHECK-NEXT: vx.vld %a, 0 : (!vx.reg) -> !vx.vreg
  %30 = vx.vld %a, 0 : (!vx.reg) -> !vx.vreg
  // CHECK-NEXT: vx.vldu %a, 4
  %31 = vx.vldu %a, 4 : (!vx.reg) -> !vx.vreg
  // CHECK-NEXT: vx.vldbc %a, 12
  %32 = vx.vldbc %a, 12 : (!vx.reg) -> !vx.vreg
  // CHECK-NEXT: vx.vst %x, %a, 0 : !vx.vreg, !vx.reg
  vx.vst %x, %a, 0 : !vx.vreg, !vx.reg
  // CHECK-NEXT: vx.vstu %y, %a, 4 : !vx.vreg<v31>, !vx.reg
  vx.vstu %y, %a, 4 : !vx.vreg<v31>, !vx.reg
  // CHECK-NEXT: vx.vstq %x, %a, 0, %p : !vx.vreg, !vx.reg, !vx.qreg
  vx.vstq %x, %a, 0, %p : !vx.vreg, !vx.reg, !vx.qreg
  // CHECK-NEXT: vx.vadd.f32 %x, %y : (!vx.vreg, !vx.vreg<v31>) -> !vx.vreg
  %40 = vx.vadd.f32 %x, %y : (!vx.vreg, !vx.vreg<v31>) -> !vx.vreg
  // CHECK-NEXT: vx.vsub.f32
  %41 = vx.vsub.f32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vmax.f32
  %42 = vx.vmax.f32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vmin.f32
  %43 = vx.vmin.f32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vadd.i32
  %44 = vx.vadd.i32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vsub.i32
  %45 = vx.vsub.i32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vmax.i32
  %46 = vx.vmax.i32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vmin.i32
  %47 = vx.vmin.i32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vand
  %48 = vx.vand %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vor
  %49 = vx.vor %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vxor
  %50 = vx.vxor %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vshli.i32 %x, 23 : (!vx.vreg) -> !vx.vreg
  %51 = vx.vshli.i32 %x, 23 : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vshri.i32
  %52 = vx.vshri.i32 %x, 23 : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vsrai.i32
  %53 = vx.vsrai.i32 %x, 1 : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vmov %x : (!vx.vreg) -> !vx.vreg
  %54 = vx.vmov %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vsplat %a : (!vx.reg) -> !vx.vreg
  %55 = vx.vsplat %a : (!vx.reg) -> !vx.vreg
  // CHECK-NEXT: vx.vsplati 1065353216 : !vx.vreg
  %56 = vx.vsplati 1065353216 : !vx.vreg
  // CHECK-NEXT: vx.vcvt.f32.i32
  %57 = vx.vcvt.f32.i32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vcvt.i32.f32
  %58 = vx.vcvt.i32.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vabs.f32
  %59 = vx.vabs.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vneg.f32
  %60 = vx.vneg.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vsel %p, %x, %y : (!vx.qreg, !vx.vreg, !vx.vreg<v31>) -> !vx.vreg
  %61 = vx.vsel %p, %x, %y : (!vx.qreg, !vx.vreg, !vx.vreg<v31>) -> !vx.vreg
  // CHECK-NEXT: vx.vror %x, %a : (!vx.vreg, !vx.reg) -> !vx.vreg
  %62 = vx.vror %x, %a : (!vx.vreg, !vx.reg) -> !vx.vreg
  // CHECK-NEXT: vx.vextr %x, 3 : (!vx.vreg) -> !vx.reg
  %63 = vx.vextr %x, 3 : (!vx.vreg) -> !vx.reg
  // CHECK-NEXT: vx.vmul.f32
  %64 = vx.vmul.f32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vfma.f32 %y, %x, %x : (!vx.vreg<v31>, !vx.vreg, !vx.vreg) -> !vx.vreg<v31>
  %65 = vx.vfma.f32 %y, %x, %x : (!vx.vreg<v31>, !vx.vreg, !vx.vreg) -> !vx.vreg<v31>
  // CHECK-NEXT: vx.vmul.i32
  %66 = vx.vmul.i32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vdmpy.i8 %x, %x, %y : (!vx.vreg, !vx.vreg, !vx.vreg<v31>) -> !vx.vreg
  %67 = vx.vdmpy.i8 %x, %x, %y : (!vx.vreg, !vx.vreg, !vx.vreg<v31>) -> !vx.vreg
  // CHECK-NEXT: vx.vrecip.f32
  %68 = vx.vrecip.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vrsqrt.f32
  %69 = vx.vrsqrt.f32 %x : (!vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vpack.i32.i8
  %70 = vx.vpack.i32.i8 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
  // CHECK-NEXT: vx.vcmpgt.f32 %x, %y : (!vx.vreg, !vx.vreg<v31>) -> !vx.qreg
  %71 = vx.vcmpgt.f32 %x, %y : (!vx.vreg, !vx.vreg<v31>) -> !vx.qreg
  // CHECK-NEXT: vx.vcmpge.f32
  %72 = vx.vcmpge.f32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.qreg
  // CHECK-NEXT: vx.vcmpeq.f32
  %73 = vx.vcmpeq.f32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.qreg
  // CHECK-NEXT: vx.vcmpgt.i32
  %74 = vx.vcmpgt.i32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.qreg
  // CHECK-NEXT: vx.vcmpeq.i32
  %75 = vx.vcmpeq.i32 %x, %x : (!vx.vreg, !vx.vreg) -> !vx.qreg<q0>
  // CHECK-NEXT: vx.vsetq %a : (!vx.reg) -> !vx.qreg
  %76 = vx.vsetq %a : (!vx.reg) -> !vx.qreg
  // CHECK-NEXT: vx.qand %p, %pp : (!vx.qreg, !vx.qreg<q3>) -> !vx.qreg
  %77 = vx.qand %p, %pp : (!vx.qreg, !vx.qreg<q3>) -> !vx.qreg
  // CHECK-NEXT: vx.qor
  %78 = vx.qor %p, %p : (!vx.qreg, !vx.qreg) -> !vx.qreg
  // CHECK-NEXT: vx.qnot %p : (!vx.qreg) -> !vx.qreg
  %79 = vx.qnot %p : (!vx.qreg) -> !vx.qreg
  // CHECK-NEXT: vx.dma %a, %b, %a : !vx.reg, !vx.reg<r2>, !vx.reg
  vx.dma %a, %b, %a : !vx.reg, !vx.reg<r2>, !vx.reg
  // CHECK-NEXT: vx.dmacfg %a, %a, %a : !vx.reg, !vx.reg, !vx.reg
  vx.dmacfg %a, %a, %a : !vx.reg, !vx.reg, !vx.reg
  // CHECK-NEXT: vx.dma2 %a, %a, %a : !vx.reg, !vx.reg, !vx.reg
  vx.dma2 %a, %a, %a : !vx.reg, !vx.reg, !vx.reg
  // CHECK-NEXT: vx.dmawait 0
  vx.dmawait 0
  func.return
}

// Structure: data, io, functions, labels, packets and hardware loops.

// CHECK: builtin.module attributes {vx.target = "vx128"}
builtin.module attributes {vx.target = "vx128"} {
  // CHECK-NEXT: vx.data @A dram 1024
  vx.data @A dram 1024
  // CHECK-NEXT: vx.data @K dram = dense<[1.000000e+00, -3.500000e+00]> : tensor<2xf32>
  vx.data @K dram = dense<[1.0, -3.5]> : tensor<2xf32>
  // CHECK-NEXT: vx.data @buf vtcm 65536
  vx.data @buf vtcm 65536
  // CHECK-NEXT: vx.io input @A : tensor<16x16xf32>
  vx.io input @A : tensor<16x16xf32>
  // CHECK-NEXT: vx.io output @K : tensor<2xf32>
  vx.io output @K : tensor<2xf32>
  // CHECK-NEXT: vx.func @main {
  vx.func @main {
    // CHECK-NEXT: %{{.*}} = vx.li @A + 0 : !vx.reg<r1>
    %p = vx.li @A + 0 : !vx.reg<r1>
    // CHECK-NEXT: vx.li @K + 4 : !vx.reg<r2>
    %k = vx.li @K + 4 : !vx.reg<r2>
    %z = vx.vsplati 0 : !vx.vreg<v4>
    // CHECK: vx.label "again"
    vx.label "again"
    // CHECK-NEXT: %{{.*}}, %{{.*}} = vx.loop 8 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (!vx.reg<r1>, !vx.vreg<v4>) {
    %r:2 = vx.loop 8 iter_args(%q = %p, %acc = %z) -> (!vx.reg<r1>, !vx.vreg<v4>) {
      // CHECK-NEXT: %{{.*}}, %{{.*}} = vx.packet {
      %v, %n = vx.packet {
        %x = vx.vld %q, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
        %i = vx.addi %q, 128 : (!vx.reg<r1>) -> !vx.reg<r1>
        // CHECK: vx.yield %{{.*}}, %{{.*}} : !vx.vreg<v0>, !vx.reg<r1>
        vx.yield %x, %i : !vx.vreg<v0>, !vx.reg<r1>
      // CHECK-NEXT: } : !vx.vreg<v0>, !vx.reg<r1>
      } : !vx.vreg<v0>, !vx.reg<r1>
      %a = vx.vfma.f32 %acc, %v, %v : (!vx.vreg<v4>, !vx.vreg<v0>, !vx.vreg<v0>) -> !vx.vreg<v4>
      // CHECK: vx.yield %{{.*}}, %{{.*}} : !vx.reg<r1>, !vx.vreg<v4>
      vx.yield %n, %a : !vx.reg<r1>, !vx.vreg<v4>
    }
    // CHECK: vx.loop %{{.*}} : !vx.reg<r2> {
    vx.loop %k : !vx.reg<r2> {
      // CHECK-NEXT: vx.packet {
      vx.packet {
        vx.dmawait 0
        vx.vst %z, %p, 0 : !vx.vreg<v4>, !vx.reg<r1>
      // CHECK: }
      }
    // CHECK-NEXT: }
    }
    vx.bne %p, %k, "again" : !vx.reg<r1>, !vx.reg<r2>
    // A branch loop takes no hardware loop level: it may enclose two hardware loops.
    // CHECK: %{{.*}}, %{{.*}} = vx.loop branch 3 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (!vx.reg<r5>, !vx.reg<r6>) {
    %c0 = vx.li 3 : !vx.reg<r5>
    %z0 = vx.li 0 : !vx.reg<r6>
    %bl:2 = vx.loop branch 3 iter_args(%c = %c0, %zz = %z0) -> (!vx.reg<r5>, !vx.reg<r6>) {
      vx.loop 2 {
        vx.loop 2 {
          vx.dmawait 0
        }
      }
      // CHECK: vx.addi %{{.*}}, -1
      %d = vx.addi %c, -1 : (!vx.reg<r5>) -> !vx.reg<r5>
      vx.yield %d, %zz : !vx.reg<r5>, !vx.reg<r6>
    }
    vx.halt
  }
}
