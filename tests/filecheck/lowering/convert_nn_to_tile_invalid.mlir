// RUN: not vexa-opt %s -p convert-nn-to-tile 2>&1 | filecheck %s
// Ops the pass cannot lower (with the default element-types=f32: what convert-tile-to-vx
// takes): one located line per op (all of them, not just the first), exit 1, and the
// module is left unconverted.

// CHECK:      vexa-opt: error: loc("rp"): error: cannot lower nn.top_k to tile: expected f32 tensors, got tensor<2x1xi64>
// CHECK-NEXT:   loc("half"): error: cannot lower nn.relu to tile: expected f32 tensors, got tensor<2x3xf16>
func.func @main(%x: tensor<2x3xf32>, %h: tensor<2x3xf16>) -> (tensor<2x1xf32>, tensor<2x3xf16>) {
  %v, %k = nn.top_k %x {axis = 1 : i64, k = 1 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x1xi64>) loc("rp")
  %r = nn.relu %v : tensor<2x1xf32> loc("relu")
  %s = nn.relu %h : tensor<2x3xf16> loc("half")
  func.return %r, %s : tensor<2x1xf32>, tensor<2x3xf16>
}
