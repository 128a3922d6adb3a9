// RUN: not vexa-translate --emit-asm %s 2>&1 | filecheck %s
// Emission needs physical registers: a virtual one is a located error, not a traceback.

vx.func @main {
  %a = vx.li 1 : !vx.reg<r1>
  %b = vx.addi %a, 1 : (!vx.reg<r1>) -> !vx.reg
  vx.halt
}

// CHECK: vexa-translate: error: {{.*}}emit_asm_unallocated.mlir:6:3: vx.addi: expected allocated registers (run vx-allocate-registers), got !vx.reg
// CHECK-NOT: Traceback
