// RUN: not vexa-opt %s -p 'tile-plan-memory{target="%inputs/vx_256k.toml"}' 2>&1 | filecheck %s
// A kernel whose VTCM buffers exceed the target's scratchpad is a located error.

// CHECK: vexa-opt: error: loc("big"): error: kernel needs 524288 bytes of VTCM, expected at most 262144
func.func @main() {
  tile.kernel {
    %a = tile.alloc : memref<65536xf32, #tile.space<vtcm>> loc("big")
    %b = tile.alloc : memref<65536xf32, #tile.space<vtcm>> loc("big")
  } loc("big")
  func.return
}
