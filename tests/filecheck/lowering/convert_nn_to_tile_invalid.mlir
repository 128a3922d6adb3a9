// RUN: not vexa-opt %s -p convert-nn-to-tile 2>&1 | filecheck %s
// Ops the pass cannot lower: one located line per op (all of them, not just the first),
// exit 1, and the module is left unconverted.

// CHECK:      vexa-opt: error: loc("cs"): error: cannot lower nn.cum_sum to tile: no tile lowering for this op
// CHECK-NEXT:   loc("half"): error: cannot lower nn.relu to tile: expected f32 tensors, got tensor<2x3xf16>
func.func @main(%x: tensor<2x3xf32>, %h: tensor<2x3xf16>) -> (tensor<2x3xf32>, tensor<2x3xf16>) {
  %y = nn.cum_sum %x {axis = 0 : i64, exclusive = 0 : i64, reverse = 0 : i64} : tensor<2x3xf32> loc("cs")
  %r = nn.relu %y : tensor<2x3xf32> loc("relu")
  %s = nn.relu %h : tensor<2x3xf16> loc("half")
  func.return %r, %s : tensor<2x3xf32>, tensor<2x3xf16>
}
