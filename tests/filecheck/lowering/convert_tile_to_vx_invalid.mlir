// RUN: vexa-opt %s --split-input-file --verify-diagnostics -p convert-tile-to-vx | filecheck %s
// What convert-tile-to-vx cannot lower fails with a located error naming it, never with
// wrong code.

// The lowering assumes 4-byte f32 elements (convert-nn-to-tile's default
// element-types=f32 keeps other types away; element-types=all is for the tile engine).
builtin.module {
  func.func @main() {
    tile.kernel {
      %x = tile.alloc {offset = 0 : i64} : memref<8xi32, #tile.space<vtcm>>
    }
    func.return
  }
}
// CHECK: convert-tile-to-vx: expected f32 buffers, got i32 (tile.alloc)
