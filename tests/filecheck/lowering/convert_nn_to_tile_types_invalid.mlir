// RUN: not vexa-opt %s -p 'convert-nn-to-tile{element-types=all}' 2>&1 | filecheck %s
// RUN: not vexa-opt %s -p 'convert-nn-to-tile{element-types=f64}' 2>&1 | filecheck %s --check-prefix=OPTION
// With element-types=all an op still needs a lowering for its data type: one located
// line per op; a bad option value is one line too.

// CHECK:      vexa-opt: error: loc("r"): error: cannot lower nn.relu to tile: expected floating-point tensors, got i1
// CHECK-NEXT:   loc("s"): error: cannot lower nn.bitwise_and to tile: expected integer tensors, got f32
// OPTION:     vexa-opt: error: convert-nn-to-tile: expected element-types f32 or all, got 'f64'
func.func @main(%b: tensor<4xi1>, %x: tensor<4xf32>) -> (tensor<4xi1>, tensor<4xf32>) {
  %r = nn.relu %b : tensor<4xi1> loc("r")
  %s = nn.bitwise_and %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> loc("s")
  func.return %r, %s : tensor<4xi1>, tensor<4xf32>
}
