// RUN: not vexa-opt %s --split-input-file -p vx-schedule 2>&1 | filecheck %s
// RUN: not vexa-opt %s -p 'vx-schedule{target=nope}' 2>&1 | filecheck %s --check-prefix=TARGET
// RUN: not vexa-opt %s -p 'vx-schedule{target=vx64}' 2>&1 | filecheck %s --check-prefix=MISMATCH

// A math pseudo-instruction has no resources or latency: expand it first.
// CHECK: vexa-opt: error: vx-schedule: loc("softmax"): expected machine instructions, got the pseudo-instruction vx.exp.f32 (run vx-expand-math first)
// TARGET: vexa-opt: error: vx-schedule: cannot load target 'nope': unknown target 'nope'
// MISMATCH: vexa-opt: error: vx-schedule: vx.func: expected @main to be for target 'vx64' (the target option), got vx.target 'vx128'
builtin.module attributes {vx.target = "vx128"} {
  vx.func @main {
    %x = vx.vsplati 1065353216 : !vx.vreg
    %y = vx.exp.f32 %x : (!vx.vreg) -> !vx.vreg loc("softmax")
    vx.halt
  }
}
