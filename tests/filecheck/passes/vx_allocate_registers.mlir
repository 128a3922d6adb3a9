// RUN: vexa-opt %s -p vx-allocate-registers | filecheck %s
// RUN: vexa-opt %s -p vx-allocate-registers -t vx-asm | filecheck %s --check-prefix=ASM

// The spill areas of @spill and @loop_spill (below) follow the other data symbols.
// CHECK:      vx.data @A dram 2048
// CHECK-NEXT: vx.data @__spill_spill vtcm 128
// CHECK-NEXT: vx.data @__spill_loop_spill vtcm 256

builtin.module {
vx.data @A dram 2048

// Straight-line: a register is reused as soon as its value is read for the last time.
// CHECK-LABEL: vx.func @straight attributes {vx.spills = 0 : i32}
// CHECK:      %p = vx.li @A + 0 : !vx.reg<r0>
// CHECK-NEXT: %a = vx.vld %p, 0 : (!vx.reg<r0>) -> !vx.vreg<v0>
// CHECK-NEXT: %b = vx.vld %p, 128 : (!vx.reg<r0>) -> !vx.vreg<v1>
// CHECK-NEXT: %c = vx.vadd.f32 %a, %b : (!vx.vreg<v0>, !vx.vreg<v1>) -> !vx.vreg<v1>
// CHECK-NEXT: %d = vx.vmul.f32 %c, %a : (!vx.vreg<v1>, !vx.vreg<v0>) -> !vx.vreg<v0>
vx.func @straight {
  %p = vx.li @A + 0 : !vx.reg
  %a = vx.vld %p, 0 : (!vx.reg) -> !vx.vreg
  %b = vx.vld %p, 128 : (!vx.reg) -> !vx.vreg
  %c = vx.vadd.f32 %a, %b : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %d = vx.vmul.f32 %c, %a : (!vx.vreg, !vx.vreg) -> !vx.vreg
  vx.vst %d, %p, 256 : !vx.vreg, !vx.reg
  vx.halt
}

// A loop: the carried pointer and accumulator keep one register at entry, in the body, at
// the yield and after the loop (no copies: the inits die at the loop); the invariant %w
// is live over the whole body (the loop temporary %x does not take its register).
// CHECK-LABEL: vx.func @loop
// CHECK:      %p = vx.li @A + 0 : !vx.reg<[[P:r[0-9]+]]>
// CHECK-NEXT: %z = vx.vsplati 0 : !vx.vreg<[[ACC:v[0-9]+]]>
// CHECK-NEXT: %w = vx.vld %p, 512 : (!vx.reg<[[P]]>) -> !vx.vreg<[[W:v[0-9]+]]>
// CHECK-NEXT: vx.loop 4 iter_args(%q = %p, %acc = %z) -> (!vx.reg<[[P]]>, !vx.vreg<[[ACC]]>)
// CHECK-NEXT: %x = vx.vld %q, 0 : (!vx.reg<[[P]]>) -> !vx.vreg<[[X:v[0-9]+]]>
// CHECK-NEXT: %a = vx.vfma.f32 %acc, %x, %w : (!vx.vreg<[[ACC]]>, !vx.vreg<[[X]]>, !vx.vreg<[[W]]>) -> !vx.vreg<[[ACC]]>
// CHECK-NEXT: %i = vx.addi %q, 128 : (!vx.reg<[[P]]>) -> !vx.reg<[[P]]>
// CHECK-NEXT: vx.yield %i, %a : !vx.reg<[[P]]>, !vx.vreg<[[ACC]]>
// CHECK:      vx.vst %r_1, %r, 0 : !vx.vreg<[[ACC]]>, !vx.reg<[[P]]>
vx.func @loop {
  %p = vx.li @A + 0 : !vx.reg
  %z = vx.vsplati 0 : !vx.vreg
  %w = vx.vld %p, 512 : (!vx.reg) -> !vx.vreg
  %r:2 = vx.loop 4 iter_args(%q = %p, %acc = %z) -> (!vx.reg, !vx.vreg) {
    %x = vx.vld %q, 0 : (!vx.reg) -> !vx.vreg
    %a = vx.vfma.f32 %acc, %x, %w : (!vx.vreg, !vx.vreg, !vx.vreg) -> !vx.vreg
    %i = vx.addi %q, 128 : (!vx.reg) -> !vx.reg
    vx.yield %i, %a : !vx.reg, !vx.vreg
  }
  vx.vst %r#1, %r#0, 0 : !vx.vreg, !vx.reg
  vx.halt
}

// Inits still used after the loop are copied into the carried registers; a yielded value
// that overlaps the incoming one of its slot (a swap) is copied before the yield.
// CHECK-LABEL: vx.func @loop_copies
// CHECK:      %p = vx.li @A + 0 : !vx.reg<[[P:r[0-9]+]]>
// CHECK:      %z = vx.vsplati 0 : !vx.vreg<[[Z:v[0-9]+]]>
// CHECK:      %{{.*}} = vx.mov %p : (!vx.reg<[[P]]>) -> !vx.reg<[[Q:r[0-9]+]]>
// CHECK:      %{{.*}} = vx.vmov %z : (!vx.vreg<[[Z]]>) -> !vx.vreg<[[A0:v[0-9]+]]>
// CHECK:      %{{.*}} = vx.vmov %o : (!vx.vreg<{{v[0-9]+}}>) -> !vx.vreg<[[A1:v[0-9]+]]>
// CHECK:      vx.loop 3 iter_args({{.*}}) -> (!vx.reg<[[Q]]>, !vx.vreg<[[A0]]>, !vx.vreg<[[A1]]>)
// CHECK:      vx.vmov
// CHECK:      vx.yield %{{.*}} : !vx.reg<[[Q]]>, !vx.vreg<[[A0]]>, !vx.vreg<[[A1]]>
// CHECK:      vx.vadd.f32 %z, %r_1 : (!vx.vreg<[[Z]]>, !vx.vreg<[[A0]]>)
vx.func @loop_copies {
  %p = vx.li @A + 0 : !vx.reg
  %z = vx.vsplati 0 : !vx.vreg
  %o = vx.vsplati 1065353216 : !vx.vreg
  %r:3 = vx.loop 3 iter_args(%q = %p, %a0 = %z, %a1 = %o) -> (!vx.reg, !vx.vreg, !vx.vreg) {
    %x = vx.vld %q, 0 : (!vx.reg) -> !vx.vreg
    %s = vx.vadd.f32 %a0, %x : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %i = vx.addi %q, 128 : (!vx.reg) -> !vx.reg
    vx.yield %i, %a1, %s : !vx.reg, !vx.vreg, !vx.vreg
  }
  %b = vx.vadd.f32 %z, %r#1 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  vx.vst %b, %p, 0 : !vx.vreg, !vx.reg
  vx.vst %o, %p, 128 : !vx.vreg, !vx.reg
  vx.halt
}

// A swap of two carried values is a parallel copy: three moves through a temporary.
// CHECK-LABEL: vx.func @swap
// CHECK:      iter_args(%a0 = %z, %a1 = %o) -> (!vx.vreg<[[A0:v[0-9]+]]>, !vx.vreg<[[A1:v[0-9]+]]>)
// CHECK:      %[[T:.*]] = vx.vmov %a1 : (!vx.vreg<[[A1]]>) -> !vx.vreg<[[TR:v[0-9]+]]>
// CHECK-NEXT: %[[B:.*]] = vx.vmov %a0 : (!vx.vreg<[[A0]]>) -> !vx.vreg<[[A1]]>
// CHECK-NEXT: %[[A:.*]] = vx.vmov %[[T]] : (!vx.vreg<[[TR]]>) -> !vx.vreg<[[A0]]>
// CHECK-NEXT: vx.yield %[[A]], %[[B]] : !vx.vreg<[[A0]]>, !vx.vreg<[[A1]]>
vx.func @swap {
  %z = vx.vsplati 0 : !vx.vreg
  %o = vx.vsplati 1 : !vx.vreg
  %r:2 = vx.loop 3 iter_args(%a0 = %z, %a1 = %o) -> (!vx.vreg, !vx.vreg) {
    vx.dmawait 0
    vx.yield %a1, %a0 : !vx.vreg, !vx.vreg
  }
  vx.halt
}

// Tied accumulator: %acc is read again after the vfma, so the vfma works on a copy and
// writes the copy's register.
// CHECK-LABEL: vx.func @tied
// CHECK:      %acc = vx.vld %p, 0 : (!vx.reg<r0>) -> !vx.vreg<v0>
// CHECK:      %[[C:.*]] = vx.vmov %acc : (!vx.vreg<v0>) -> !vx.vreg<[[T:v[0-9]+]]>
// CHECK-NEXT: %y = vx.vfma.f32 %[[C]], %x, %x : (!vx.vreg<[[T]]>, !vx.vreg<v1>, !vx.vreg<v1>) -> !vx.vreg<[[T]]>
// CHECK-NEXT: %s = vx.vadd.f32 %y, %acc : (!vx.vreg<[[T]]>, !vx.vreg<v0>)
vx.func @tied {
  %p = vx.li @A + 0 : !vx.reg
  %acc = vx.vld %p, 0 : (!vx.reg) -> !vx.vreg
  %x = vx.vld %p, 128 : (!vx.reg) -> !vx.vreg
  %y = vx.vfma.f32 %acc, %x, %x : (!vx.vreg, !vx.vreg, !vx.vreg) -> !vx.vreg
  %s = vx.vadd.f32 %y, %acc : (!vx.vreg, !vx.vreg) -> !vx.vreg
  vx.vst %s, %p, 0 : !vx.vreg, !vx.reg
  vx.halt
}

// Pre-colored values keep their registers; virtual ones live at the same time avoid them.
// CHECK-LABEL: vx.func @precolored
// CHECK:      %p = vx.li @A + 0 : !vx.reg<r0>
// CHECK-NEXT: %a = vx.vld %p, 0 : (!vx.reg<r0>) -> !vx.vreg<v1>
// CHECK-NEXT: %b = vx.vld %p, 128 : (!vx.reg<r0>) -> !vx.vreg<v0>
// CHECK-NEXT: %c = vx.vadd.f32 %a, %b : (!vx.vreg<v1>, !vx.vreg<v0>) -> !vx.vreg<v0>
vx.func @precolored {
  %p = vx.li @A + 0 : !vx.reg<r0>
  %a = vx.vld %p, 0 : (!vx.reg<r0>) -> !vx.vreg
  %b = vx.vld %p, 128 : (!vx.reg<r0>) -> !vx.vreg<v0>
  %c = vx.vadd.f32 %a, %b : (!vx.vreg, !vx.vreg<v0>) -> !vx.vreg
  vx.vst %c, %p, 0 : !vx.vreg, !vx.reg<r0>
  vx.halt
}

// Packets: reads happen before writes, so %x may take %a's register; the dead %dead must
// not share a register with another write of the packet.
// CHECK-LABEL: vx.func @packet
// CHECK:      %x = vx.vadd.f32 %a, %a : (!vx.vreg<v0>, !vx.vreg<v0>) -> !vx.vreg<v0>
// CHECK-NEXT: %m = vx.addi %p, 128 : (!vx.reg<r0>) -> !vx.reg<r0>
// CHECK-NEXT: %dead = vx.vsplati 7 : !vx.vreg<v1>
// CHECK-NEXT: vx.yield %x, %m : !vx.vreg<v0>, !vx.reg<r0>
// CHECK-NEXT: } : !vx.vreg<v0>, !vx.reg<r0>
vx.func @packet {
  %p = vx.li @A + 0 : !vx.reg
  %a = vx.vld %p, 0 : (!vx.reg) -> !vx.vreg
  %b, %n = vx.packet {
    %x = vx.vadd.f32 %a, %a : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %m = vx.addi %p, 128 : (!vx.reg) -> !vx.reg
    %dead = vx.vsplati 7 : !vx.vreg
    vx.yield %x, %m : !vx.vreg, !vx.reg
  } : !vx.vreg, !vx.reg
  vx.vst %b, %n, 0 : !vx.vreg, !vx.reg
  vx.halt
}

// Branches: %p is read last inside the region between the label and the branch back to
// it, so it stays live to the branch: %k does not take its register r0.
// CHECK-LABEL: vx.func @branches
// CHECK:      %p = vx.li @A + 0 : !vx.reg<r0>
// CHECK:      %k = vx.li 1 : !vx.reg<r2>
vx.func @branches {
  %p = vx.li @A + 0 : !vx.reg
  %n = vx.li 4 : !vx.reg
  %i0 = vx.li 0 : !vx.reg<r9>
  vx.label "again"
  %t = vx.vld %p, 0 : (!vx.reg) -> !vx.vreg
  %u = vx.vadd.f32 %t, %t : (!vx.vreg, !vx.vreg) -> !vx.vreg
  vx.vst %u, %p, 128 : !vx.vreg, !vx.reg
  %i1 = vx.addi %i0, 1 : (!vx.reg<r9>) -> !vx.reg<r9>
  %k = vx.li 1 : !vx.reg
  vx.bne %i1, %n, "again" : !vx.reg<r9>, !vx.reg
  vx.halt
}

// vx64 has 16 vector registers: 17 live vectors spill one (the one read last) to the VTCM
// symbol @__spill_spill, through the spill base r31 set at entry.
// CHECK-LABEL: vx.func @spill attributes {vx.target = "vx64", vx.spill_base = "r31", vx.spills = 1 : i32}
// CHECK-NEXT: %[[BASE:.*]] = vx.li @__spill_spill + 0 : !vx.reg<r31>
// CHECK:      %v15 = vx.vld %p, 960 : (!vx.reg<r0>) -> !vx.vreg<[[S:v[0-9]+]]>
// CHECK-NEXT: vx.vst %v15, %[[BASE]], 0 : !vx.vreg<[[S]]>, !vx.reg<r31>
// CHECK-NEXT: %v16 = vx.vld %p, 1024 : (!vx.reg<r0>) -> !vx.vreg<[[S]]>
// CHECK:      %[[R:.*]] = vx.vld %[[BASE]], 0 : (!vx.reg<r31>) -> !vx.vreg<[[T:v[0-9]+]]>
// CHECK-NEXT: %s14 = vx.vadd.f32 %s13, %[[R]] : (!vx.vreg<{{v[0-9]+}}>, !vx.vreg<[[T]]>)
// CHECK-NOT:  vx.vst %{{.*}}, %[[BASE]]

// ASM: .vtcm
// ASM: __spill_spill: .zero 128
// ASM: li r31, __spill_spill
// ASM: vst v15, r31, 0
vx.func @spill attributes {vx.target = "vx64"} {
  %p = vx.li @A + 0 : !vx.reg
  %v0 = vx.vld %p, 0 : (!vx.reg) -> !vx.vreg
  %v1 = vx.vld %p, 64 : (!vx.reg) -> !vx.vreg
  %v2 = vx.vld %p, 128 : (!vx.reg) -> !vx.vreg
  %v3 = vx.vld %p, 192 : (!vx.reg) -> !vx.vreg
  %v4 = vx.vld %p, 256 : (!vx.reg) -> !vx.vreg
  %v5 = vx.vld %p, 320 : (!vx.reg) -> !vx.vreg
  %v6 = vx.vld %p, 384 : (!vx.reg) -> !vx.vreg
  %v7 = vx.vld %p, 448 : (!vx.reg) -> !vx.vreg
  %v8 = vx.vld %p, 512 : (!vx.reg) -> !vx.vreg
  %v9 = vx.vld %p, 576 : (!vx.reg) -> !vx.vreg
  %v10 = vx.vld %p, 640 : (!vx.reg) -> !vx.vreg
  %v11 = vx.vld %p, 704 : (!vx.reg) -> !vx.vreg
  %v12 = vx.vld %p, 768 : (!vx.reg) -> !vx.vreg
  %v13 = vx.vld %p, 832 : (!vx.reg) -> !vx.vreg
  %v14 = vx.vld %p, 896 : (!vx.reg) -> !vx.vreg
  %v15 = vx.vld %p, 960 : (!vx.reg) -> !vx.vreg
  %v16 = vx.vld %p, 1024 : (!vx.reg) -> !vx.vreg
  %s0 = vx.vadd.f32 %v0, %v1 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s1 = vx.vadd.f32 %s0, %v2 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s2 = vx.vadd.f32 %s1, %v3 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s3 = vx.vadd.f32 %s2, %v4 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s4 = vx.vadd.f32 %s3, %v5 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s5 = vx.vadd.f32 %s4, %v6 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s6 = vx.vadd.f32 %s5, %v7 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s7 = vx.vadd.f32 %s6, %v8 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s8 = vx.vadd.f32 %s7, %v9 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s9 = vx.vadd.f32 %s8, %v10 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s10 = vx.vadd.f32 %s9, %v11 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s11 = vx.vadd.f32 %s10, %v12 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s12 = vx.vadd.f32 %s11, %v13 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s13 = vx.vadd.f32 %s12, %v14 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s14 = vx.vadd.f32 %s13, %v15 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  %s15 = vx.vadd.f32 %s14, %v16 : (!vx.vreg, !vx.vreg) -> !vx.vreg
  vx.vst %s15, %p, 0 : !vx.vreg, !vx.reg
  vx.halt
}

// Invariants live over a loop on vx64: the ones spilled are reloaded inside the body (a
// fresh short value before each use); the carried accumulator keeps its register.
// CHECK-LABEL: vx.func @loop_spill
// CHECK:      %[[LB:.*]] = vx.li @__spill_loop_spill + 0 : !vx.reg<r31>
// CHECK:      vx.vst %w{{[0-9]+}}, %[[LB]], 0 : !vx.vreg<{{v[0-9]+}}>, !vx.reg<r31>
// CHECK:      vx.loop 2 iter_args(%acc = %z) -> (!vx.vreg<[[ACC:v[0-9]+]]>)
// CHECK:      %[[RL:.*]] = vx.vld %[[LB]], 0 : (!vx.reg<r31>) -> !vx.vreg<[[RR:v[0-9]+]]>
// CHECK-NEXT: vx.vadd.f32 %{{.*}}, %[[RL]] : (!vx.vreg<{{v[0-9]+}}>, !vx.vreg<[[RR]]>)
// CHECK:      vx.yield %s16 : !vx.vreg<[[ACC]]>
vx.func @loop_spill attributes {vx.target = "vx64"} {
  %p = vx.li @A + 0 : !vx.reg
  %w0 = vx.vld %p, 0 : (!vx.reg) -> !vx.vreg
  %w1 = vx.vld %p, 64 : (!vx.reg) -> !vx.vreg
  %w2 = vx.vld %p, 128 : (!vx.reg) -> !vx.vreg
  %w3 = vx.vld %p, 192 : (!vx.reg) -> !vx.vreg
  %w4 = vx.vld %p, 256 : (!vx.reg) -> !vx.vreg
  %w5 = vx.vld %p, 320 : (!vx.reg) -> !vx.vreg
  %w6 = vx.vld %p, 384 : (!vx.reg) -> !vx.vreg
  %w7 = vx.vld %p, 448 : (!vx.reg) -> !vx.vreg
  %w8 = vx.vld %p, 512 : (!vx.reg) -> !vx.vreg
  %w9 = vx.vld %p, 576 : (!vx.reg) -> !vx.vreg
  %w10 = vx.vld %p, 640 : (!vx.reg) -> !vx.vreg
  %w11 = vx.vld %p, 704 : (!vx.reg) -> !vx.vreg
  %w12 = vx.vld %p, 768 : (!vx.reg) -> !vx.vreg
  %w13 = vx.vld %p, 832 : (!vx.reg) -> !vx.vreg
  %w14 = vx.vld %p, 896 : (!vx.reg) -> !vx.vreg
  %w15 = vx.vld %p, 960 : (!vx.reg) -> !vx.vreg
  %w16 = vx.vld %p, 1024 : (!vx.reg) -> !vx.vreg
  %z = vx.vsplati 0 : !vx.vreg
  %r = vx.loop 2 iter_args(%acc = %z) -> (!vx.vreg) {
    %s0 = vx.vadd.f32 %acc, %w0 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s1 = vx.vadd.f32 %s0, %w1 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s2 = vx.vadd.f32 %s1, %w2 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s3 = vx.vadd.f32 %s2, %w3 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s4 = vx.vadd.f32 %s3, %w4 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s5 = vx.vadd.f32 %s4, %w5 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s6 = vx.vadd.f32 %s5, %w6 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s7 = vx.vadd.f32 %s6, %w7 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s8 = vx.vadd.f32 %s7, %w8 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s9 = vx.vadd.f32 %s8, %w9 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s10 = vx.vadd.f32 %s9, %w10 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s11 = vx.vadd.f32 %s10, %w11 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s12 = vx.vadd.f32 %s11, %w12 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s13 = vx.vadd.f32 %s12, %w13 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s14 = vx.vadd.f32 %s13, %w14 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s15 = vx.vadd.f32 %s14, %w15 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    %s16 = vx.vadd.f32 %s15, %w16 : (!vx.vreg, !vx.vreg) -> !vx.vreg
    vx.yield %s16 : !vx.vreg
  }
  vx.vst %r, %p, 0 : !vx.vreg, !vx.reg
  vx.halt
}
}
