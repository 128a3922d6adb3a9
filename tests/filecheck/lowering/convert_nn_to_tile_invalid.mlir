// RUN: not vexa-opt %s -p convert-nn-to-tile 2>&1 | filecheck %s
// Ops the pass cannot lower (with the default element-types=f32: what convert-tile-to-vx
// takes): one located line per op (all of them, not just the first), exit 1, and the
// module is left unconverted.

// CHECK:      vexa-opt: error: loc("rp"): error: cannot lower nn.hardmax to tile: needs tile.reduce argmax or tile.top_k, not lowered by convert-tile-to-vx (element-types=all lowers it)
// CHECK-NEXT:   loc("half"): error: cannot lower nn.relu to tile: expected f32 tensors, got tensor<2x3xf16>
func.func @main(%x: tensor<2x3xf32>, %h: tensor<2x3xf16>) -> (tensor<2x1xf32>, tensor<2x3xf16>) {
  %hm = nn.hardmax %x {axis = 1 : i64} : tensor<2x3xf32> loc("rp")
  %v = nn.reduce_prod %hm {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32> loc("prod")
  %r = nn.relu %v : tensor<2x1xf32> loc("relu")
  %s = nn.relu %h : tensor<2x3xf16> loc("half")
  func.return %r, %s : tensor<2x1xf32>, tensor<2x3xf16>
}
