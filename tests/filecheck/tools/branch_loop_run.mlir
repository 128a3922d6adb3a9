// A branch loop (`vx.loop branch`) around a hardware loop, from virtual registers to a
// run on the simulator: 3 * (5 + 4 + 3 + 2 + 1) = 45.
// RUN: vexa-opt %s -p 'vx-allocate-registers,vx-schedule' -t vx-asm > %t.s
// RUN: filecheck %s --check-prefix=ASM < %t.s
// RUN: vexa-run %t.s | filecheck %s --check-prefix=SIM

// ASM:      [[HEAD:loop[0-9]+_head]]:
// ASM-NEXT:     loopi 3, [[END:loop[0-9]+_end]]
// ASM-NEXT:     { add [[ACC:r[0-9]+]], [[ACC]], [[C:r[0-9]+]] }
// ASM-NEXT: [[END]]:
// ASM-NEXT:     { addi [[C]], [[C]], -1 }
// ASM-NEXT:     bne [[C]], [[Z:r[0-9]+]], [[HEAD]]

// SIM: out: int32 4 [45, 0, 0, 0]
// SIM: by class      branch 6, loop 5, salu 24, sst 1

builtin.module attributes {vx.target = "vx128"} {
  vx.data @out dram 128
  vx.io output @out : tensor<4xi32>
  vx.func @main {
    %acc0 = vx.li 0 : !vx.reg
    %p = vx.li @out + 0 : !vx.reg
    %c0 = vx.li 5 : !vx.reg
    %z0 = vx.li 0 : !vx.reg
    %r:3 = vx.loop branch 5 iter_args(%c = %c0, %z = %z0, %acc = %acc0) -> (!vx.reg, !vx.reg, !vx.reg) {
      %in:1 = vx.loop 3 iter_args(%a = %acc) -> (!vx.reg) {
        %a2 = vx.add %a, %c : (!vx.reg, !vx.reg) -> !vx.reg
        vx.yield %a2 : !vx.reg
      }
      %d = vx.addi %c, -1 : (!vx.reg) -> !vx.reg
      vx.yield %d, %z, %in#0 : !vx.reg, !vx.reg, !vx.reg
    }
    vx.st %r#2, %p, 0 : !vx.reg, !vx.reg
    vx.halt
  }
}
