// RUN: vexa-translate --emit-asm %s | filecheck %s
// RUN: vexa-opt %s -t vx-asm | filecheck %s
// A complete program: I/O declarations, DRAM and VTCM data, a hardware loop with
// loop-carried registers, a packet, labels and branches, and `.loc` tags that change
// only when the source node changes.

builtin.module attributes {vx.target = "vx128"} {
  vx.data @A dram 1024
  vx.data @K dram = dense<[1.0, -3.5, 0.1]> : tensor<3xf32>
  vx.data @W dram = dense<[1, -3, 127]> : tensor<3xi8>
  vx.data @N dram = dense<[0x7F800000, 1]> : tensor<2xi32>
  vx.data @C dram 128
  vx.data @S dram = dense<2.5> : tensor<3xf32>
  vx.data @buf vtcm 65536
  vx.io input @A : tensor<16x16xf32>
  vx.io output @C : tensor<32xf32>
  vx.func @main {
    %p = vx.li @A + 0 : !vx.reg<r1> loc("conv1")
    %k = vx.li @K + 4 : !vx.reg<r2> loc("conv1")
    %z = vx.vsplati 0 : !vx.vreg<v4> loc("conv1")
    %r:2 = vx.loop 8 iter_args(%q = %p, %acc = %z) -> (!vx.reg<r1>, !vx.vreg<v4>) {
      %v, %n = vx.packet {
        %x = vx.vld %q, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
        %i = vx.addi %q, 128 : (!vx.reg<r1>) -> !vx.reg<r1>
        vx.yield %x, %i : !vx.vreg<v0>, !vx.reg<r1>
      } : !vx.vreg<v0>, !vx.reg<r1> loc("conv2")
      %a = vx.vfma.f32 %acc, %v, %v : (!vx.vreg<v4>, !vx.vreg<v0>, !vx.vreg<v0>) -> !vx.vreg<v4> loc("conv2")
      vx.yield %n, %a : !vx.reg<r1>, !vx.vreg<v4>
    } loc("conv2")
    vx.label "again"
    %c = vx.li @C + 0 : !vx.reg<r3> loc("relu")
    vx.vst %r#1, %c, 0 : !vx.vreg<v4>, !vx.reg<r3> loc("relu")
    vx.loop %k : !vx.reg<r2> {
      vx.dmawait 0 loc("relu")
    } loc("relu")
    vx.bne %p, %k, "again" : !vx.reg<r1>, !vx.reg<r2> loc("relu")
    vx.halt loc("relu")
  }
}

// CHECK:      .target vx128
// CHECK-NEXT: .input  A f32 16x16
// CHECK-NEXT: .output C f32 32
// CHECK-NEXT: .data
// CHECK-NEXT: A: .zero 1024
// CHECK-NEXT: K: .f32 1.0, -3.5, 0.10000000149011612
// CHECK-NEXT: W: .i8 1, -3, 127
// CHECK-NEXT: N: .i32 2139095040, 1
// CHECK-NEXT: C: .zero 128
// CHECK-NEXT: S: .f32 2.5, 2.5, 2.5
// CHECK-NEXT: .vtcm
// CHECK-NEXT: buf: .zero 65536
// CHECK-NEXT: .text
// CHECK-NEXT: main:
// CHECK-NEXT:     .loc "conv1"
// CHECK-NEXT:     li r1, A
// CHECK-NEXT:     li r2, K+4
// CHECK-NEXT:     vsplati v4, 0
// CHECK-NEXT:     .loc "conv2"
// CHECK-NEXT:     loopi 8, [[END:loop[0-9]+_end]]
// CHECK-NEXT:     { vld v0, r1, 0 ; addi r1, r1, 128 }
// CHECK-NEXT:     vfma.f32 v4, v0, v0
// CHECK-NEXT: [[END]]:
// CHECK-NEXT: again:
// CHECK-NEXT:     .loc "relu"
// CHECK-NEXT:     li r3, C
// CHECK-NEXT:     vst v4, r3, 0
// CHECK-NEXT:     loop r2, [[END2:loop[0-9]+_end]]
// CHECK-NEXT:     dmawait 0
// CHECK-NEXT: [[END2]]:
// CHECK-NEXT:     bne r1, r2, again
// CHECK-NEXT:     halt
