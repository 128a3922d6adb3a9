// RUN: vexa-opt %s --split-input-file -p vx-schedule -t vx-asm | filecheck %s --check-prefixes=CHECK,V128
// RUN: vexa-opt %s --split-input-file -p 'vx-schedule{target=vx64}' -t vx-asm | filecheck %s --check-prefixes=CHECK,V64
// RUN: vexa-opt %s --split-input-file -p vx-schedule | filecheck %s --check-prefix=IR
// RUN: vexa-opt %s --split-input-file -p vx-schedule --print-debuginfo | filecheck %s --check-prefix=LOC
// RUN: vexa-opt %s --split-input-file -p vx-schedule,vx-schedule -t vx-asm | filecheck %s --check-prefixes=CHECK,V128

// Six independent instructions: vx128 (4 slots, 2 scalar, 2 alu units) bundles them into
// two packets, vx64 (2 slots, 1 scalar, 1 alu) into four. halt joins the last packet.
// CHECK-LABEL: bundle:
// V128-NEXT:   { li r1, 1 ; li r2, 2 ; vsplati v0, 3 ; vsplati v1, 4 }
// V128-NEXT:   { vsplati v2, 5 ; vsplati v3, 6 ; halt }
// V64-NEXT:    { li r1, 1 ; vsplati v0, 3 }
// V64-NEXT:    { li r2, 2 ; vsplati v1, 4 }
// V64-NEXT:    { vsplati v2, 5 }
// V64-NEXT:    { vsplati v3, 6 ; halt }
vx.func @bundle {
  %a = vx.li 1 : !vx.reg<r1>
  %b = vx.li 2 : !vx.reg<r2>
  %c = vx.vsplati 3 : !vx.vreg<v0>
  %d = vx.vsplati 4 : !vx.vreg<v1>
  %e = vx.vsplati 5 : !vx.vreg<v2>
  %f = vx.vsplati 6 : !vx.vreg<v3>
  vx.halt
}

// -----
// A dependence chain: each instruction reads the previous one's result, so each sits in
// its own packet (reads happen before writes inside a packet).
// CHECK-LABEL: chain:
// CHECK-NEXT:  { li r1, 1 }
// CHECK-NEXT:  { addi r2, r1, 1 }
// CHECK-NEXT:  { addi r3, r2, 1 }
// CHECK-NEXT:  { vsplat v0, r3 ; halt }
vx.func @chain {
  %a = vx.li 1 : !vx.reg<r1>
  %b = vx.addi %a, 1 : (!vx.reg<r1>) -> !vx.reg<r2>
  %c = vx.addi %b, 1 : (!vx.reg<r2>) -> !vx.reg<r3>
  %d = vx.vsplat %c : (!vx.reg<r3>) -> !vx.vreg<v0>
  vx.halt
}

// -----
// Four loads but two load units per packet: never more than two vld together. The loads
// (latency 2, with users) go first; the splats fill the free slots on vx128. The vfma
// waits for its operands' loads, the two vadds for theirs.
// CHECK-LABEL: loads:
// V128-NEXT:   { li r1, 0 ; vsplati v6, 7 ; vsplati v7, 8 }
// V128-NEXT:   { vld v0, r1, 0 ; vld v1, r1, 128 }
// V128-NEXT:   { vld v2, r1, 256 ; vld v3, r1, 384 }
// V128-NEXT:   { vfma.f32 v7, v0, v1 }
// V128-NEXT:   { vadd.f32 v4, v2, v3 ; halt }
// V64-NEXT:    { li r1, 0 ; vsplati v7, 8 }
// V64-NEXT:    { vld v0, r1, 0 ; vld v1, r1, 128 }
// V64-NEXT:    { vld v2, r1, 256 ; vld v3, r1, 384 }
// V64-NEXT:    { vsplati v6, 7 ; vfma.f32 v7, v0, v1 }
// V64-NEXT:    { vadd.f32 v4, v2, v3 ; halt }
vx.func @loads {
  %p = vx.li 0 : !vx.reg<r1>
  %a = vx.vld %p, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
  %b = vx.vld %p, 128 : (!vx.reg<r1>) -> !vx.vreg<v1>
  %c = vx.vld %p, 256 : (!vx.reg<r1>) -> !vx.vreg<v2>
  %d = vx.vld %p, 384 : (!vx.reg<r1>) -> !vx.vreg<v3>
  %s = vx.vsplati 7 : !vx.vreg<v6>
  %t = vx.vsplati 8 : !vx.vreg<v7>
  %f = vx.vfma.f32 %t, %a, %b : (!vx.vreg<v7>, !vx.vreg<v0>, !vx.vreg<v1>) -> !vx.vreg<v7>
  %g = vx.vadd.f32 %c, %d : (!vx.vreg<v2>, !vx.vreg<v3>) -> !vx.vreg<v4>
  vx.halt
}

// -----
// WAR: the vld reads r1 and the addi overwrites it; they may share a packet (the read
// happens first) but the addi never moves above the vld. The second vld reads the new r1
// (RAW): a later packet. WAW: the two writes of v0 stay in order, in different packets.
// CHECK-LABEL: war:
// CHECK-NEXT:  { li r1, 0 }
// CHECK-NEXT:  { vld v0, r1, 0 ; addi r1, r1, 128 }
// CHECK-NEXT:  { vld v1, r1, 0 }
// CHECK-NEXT:  { vsplati v0, 1 }
// CHECK-NEXT:  { vst v0, r1, 0 ; halt }
vx.func @war {
  %p = vx.li 0 : !vx.reg<r1>
  %a = vx.vld %p, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
  %q = vx.addi %p, 128 : (!vx.reg<r1>) -> !vx.reg<r1>
  %b = vx.vld %q, 0 : (!vx.reg<r1>) -> !vx.vreg<v1>
  %c = vx.vsplati 1 : !vx.vreg<v0>
  vx.vst %c, %q, 0 : !vx.vreg<v0>, !vx.reg<r1>
  vx.halt
}

// -----
// Memory: a load may share a packet with a later store (loads run first), a store and a
// later load of possibly the same address may not.
// CHECK-LABEL: memory:
// CHECK-NEXT:  { li r1, 0 ; vsplati v0, 1 }
// CHECK-NEXT:  { vld v1, r1, 0 ; vst v0, r1, 0 }
// CHECK-NEXT:  { vld v2, r1, 0 ; halt }
vx.func @memory {
  %p = vx.li 0 : !vx.reg<r1>
  %v = vx.vsplati 1 : !vx.vreg<v0>
  %a = vx.vld %p, 0 : (!vx.reg<r1>) -> !vx.vreg<v1>
  vx.vst %v, %p, 0 : !vx.vreg<v0>, !vx.reg<r1>
  %b = vx.vld %p, 0 : (!vx.reg<r1>) -> !vx.vreg<v2>
  vx.halt
}

// -----
// A hardware loop body is scheduled inside its region: nothing crosses the loop
// boundary, the loop-carried values keep their registers, the body's yield stays last.
// CHECK-LABEL: loop:
// CHECK-NEXT:  { li r1, 0 ; vsplati v4, 0 }
// CHECK-NEXT:  loopi 8, [[END:loop[0-9]+_end]]
// CHECK-NEXT:  { vld v0, r1, 0 ; addi r1, r1, 128 }
// CHECK-NEXT:  { vfma.f32 v4, v0, v0 }
// CHECK-NEXT:  [[END]]:
// CHECK-NEXT:  { vst v4, r1, 0 ; halt }
// IR-LABEL:    vx.func @loop
// IR:          vx.loop 8 iter_args(%{{.*}} = %{{.*}}, %[[ACC:.*]] = %{{.*}}) -> (!vx.reg<r1>, !vx.vreg<v4>) {
// IR-NEXT:       %[[V:.*]], %[[I:.*]] = vx.packet {
// IR-NEXT:         vx.vld
// IR-NEXT:         vx.addi
// IR-NEXT:         vx.yield
// IR-NEXT:       } : !vx.vreg<v0>, !vx.reg<r1>
// IR-NEXT:       %[[A:.*]] = vx.packet {
// IR-NEXT:         vx.vfma.f32 %[[ACC]], %[[V]], %[[V]]
// IR-NEXT:         vx.yield
// IR-NEXT:       } : !vx.vreg<v4>
// IR-NEXT:       vx.yield %[[I]], %[[A]] : !vx.reg<r1>, !vx.vreg<v4>
// IR-NEXT:     }
vx.func @loop {
  %p = vx.li 0 : !vx.reg<r1>
  %z = vx.vsplati 0 : !vx.vreg<v4>
  %r:2 = vx.loop 8 iter_args(%q = %p, %acc = %z) -> (!vx.reg<r1>, !vx.vreg<v4>) {
    %v = vx.vld %q, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
    %i = vx.addi %q, 128 : (!vx.reg<r1>) -> !vx.reg<r1>
    %a = vx.vfma.f32 %acc, %v, %v : (!vx.vreg<v4>, !vx.vreg<v0>, !vx.vreg<v0>) -> !vx.vreg<v4>
    vx.yield %i, %a : !vx.reg<r1>, !vx.vreg<v4>
  }
  vx.vst %r#1, %r#0, 0 : !vx.vreg<v4>, !vx.reg<r1>
  vx.halt
}

// -----
// Branches end their basic block and come last in their packet; labels start one.
// Nothing moves across a label or a branch, even when independent (the vsplati of v3).
// CHECK-LABEL: branch:
// V128-NEXT:   { li r1, 4 ; li r2, 0 }
// V64-NEXT:    { li r1, 4 }
// V64-NEXT:    { li r2, 0 }
// CHECK-NEXT:  again:
// CHECK-NEXT:  { addi r1, r1, -1 ; vsplati v0, 1 }
// CHECK-NEXT:  { bne r1, r2, again }
// CHECK-NEXT:  { vsplati v3, 3 ; halt }
vx.func @branch {
  %n = vx.li 4 : !vx.reg<r1>
  %z = vx.li 0 : !vx.reg<r2>
  vx.label "again"
  %m = vx.addi %n, -1 : (!vx.reg<r1>) -> !vx.reg<r1>
  %v = vx.vsplati 1 : !vx.vreg<v0>
  vx.bne %m, %z, "again" : !vx.reg<r1>, !vx.reg<r2>
  %w = vx.vsplati 3 : !vx.vreg<v3>
  vx.halt
}

// -----
// DMA instructions are barriers: work written between a dma and its dmawait stays there
// (it overlaps the transfer; it may share the dma's or the dmawait's packet), loads after
// the wait stay after it.
// CHECK-LABEL: dma:
// V128-NEXT:   { li r1, 0 ; li r2, 1024 }
// V128-NEXT:   { li r3, 128 }
// V128-NEXT:   { dma r2, r1, r3 ; vsplati v0, 1 ; vsplati v1, 2 }
// V128-NEXT:   { dmawait 0 }
// V64-NEXT:    { li r1, 0 }
// V64-NEXT:    { li r2, 1024 }
// V64-NEXT:    { li r3, 128 }
// V64-NEXT:    { dma r2, r1, r3 ; vsplati v0, 1 }
// V64-NEXT:    { vsplati v1, 2 ; dmawait 0 }
// CHECK-NEXT:  { vld v2, r2, 0 ; halt }
vx.func @dma {
  %src = vx.li 0 : !vx.reg<r1>
  %dst = vx.li 1024 : !vx.reg<r2>
  %n = vx.li 128 : !vx.reg<r3>
  vx.dma %dst, %src, %n : !vx.reg<r2>, !vx.reg<r1>, !vx.reg<r3>
  %a = vx.vsplati 1 : !vx.vreg<v0>
  %b = vx.vsplati 2 : !vx.vreg<v1>
  vx.dmawait 0
  %c = vx.vld %dst, 0 : (!vx.reg<r2>) -> !vx.vreg<v2>
  vx.halt
}

// -----
// Locations: instructions keep theirs; a packet takes its first instruction's (cycles are
// charged per packet to that source node).
// V128-LABEL:  locations:
// V128-NEXT:   .loc "conv1"
// V128-NEXT:   { li r1, 1 ; li r2, 2 ; vsplati v0, 1 }
// V128-NEXT:   next:
// V128-NEXT:   .loc "relu"
// V128-NEXT:   { halt }
// LOC-LABEL:   vx.func @locations
// LOC:         vx.li 1 : !vx.reg<r1> loc("conv1")
// LOC-NEXT:    vx.li 2 : !vx.reg<r2> loc("relu")
// LOC-NEXT:    vx.vsplati 1 : !vx.vreg<v0> loc("relu")
// LOC-NEXT:    } loc("conv1")
vx.func @locations {
  %a = vx.li 1 : !vx.reg<r1> loc("conv1")
  %b = vx.li 2 : !vx.reg<r2> loc("relu")
  %c = vx.vsplati 1 : !vx.vreg<v0> loc("relu")
  vx.label "next"
  vx.halt loc("relu")
}

// -----
// A pointer step does not order the loads addressed off it. On vx128 the step joins the
// first packet, and the third load, written before it at offset 256, ends up after it (offset
// 256 - 512 = -256 off the stepped pointer).
// CHECK-LABEL: steps:
// V128:        { vld v0, r1, 0 ; vld v1, r1, 128 ; addi r1, r1, 512 }
// V128-NEXT:   { vld v2, r1, -256 ; vld v3, r1, -128 }
// On vx64 the step comes last and the fourth load, written after it at offset -128, now
// reads the pointer before it: offset -128 + 512 = 384.
// V64:         { vld v0, r1, 0 ; vld v1, r1, 128 }
// V64-NEXT:    { vld v2, r1, 256 ; vld v3, r1, 384 }
// V64-NEXT:    { addi r1, r1, 512 ; vadd.f32 v4, v0, v1 }
// CHECK:       vadd.f32 v5, v2, v3
vx.func @steps {
  %p = vx.li 0 : !vx.reg<r1>
  %r = vx.loop 8 iter_args(%q = %p) -> (!vx.reg<r1>) {
    %a = vx.vld %q, 0 : (!vx.reg<r1>) -> !vx.vreg<v0>
    %b = vx.vld %q, 128 : (!vx.reg<r1>) -> !vx.vreg<v1>
    %c = vx.vld %q, 256 : (!vx.reg<r1>) -> !vx.vreg<v2>
    %n = vx.addi %q, 512 : (!vx.reg<r1>) -> !vx.reg<r1>
    %d = vx.vld %n, -128 : (!vx.reg<r1>) -> !vx.vreg<v3>
    %s = vx.vadd.f32 %a, %b : (!vx.vreg<v0>, !vx.vreg<v1>) -> !vx.vreg<v4>
    %t = vx.vadd.f32 %c, %d : (!vx.vreg<v2>, !vx.vreg<v3>) -> !vx.vreg<v5>
    vx.yield %n : !vx.reg<r1>
  }
  vx.halt
}
