// The last case is an error, so the driver exits 1 after printing the first.
// RUN: not vexa-opt %s --split-input-file -p convert-nn-to-tile 2>&1 | filecheck %s
// With the default element-types=f32, i1 tensors are allowed where they never reach
// memory: a comparison (or logic op) used once, by the next op of its fused elementwise
// chain, is a predicate inside the one tile.map; a bool a kernel would have to store is
// still a located error naming the op.

// CHECK-LABEL: func.func @main
// CHECK:         tile.map
// CHECK:           %[[C:.*]] = arith.cmpf olt
// CHECK-NEXT:      %[[T:.*]] = arith.constant true
// CHECK-NEXT:      %[[N:.*]] = arith.xori %[[C]], %[[T]] : i1
// CHECK-NEXT:      %[[S:.*]] = arith.select %[[N]]
// CHECK-NEXT:      tile.yield %[[S]] : f32
// CHECK-NOT:     xi1
// CHECK:         func.return
func.func @main(%x: tensor<3x40xf32>, %y: tensor<3x40xf32>) -> tensor<3x40xf32> {
  %l = nn.less %x, %y : (tensor<3x40xf32>, tensor<3x40xf32>) -> tensor<3x40xi1> loc("lt")
  %n = nn.not %l : tensor<3x40xi1> loc("not")
  %w = nn.where %n, %x, %y : (tensor<3x40xi1>, tensor<3x40xf32>, tensor<3x40xf32>) -> tensor<3x40xf32> loc("w")
  func.return %w : tensor<3x40xf32>
}

// -----

// The where joins the exp's chain, so the comparison would be stored: rejected.
// CHECK: error: loc("lt2"): error: cannot lower nn.less to tile: expected f32 tensors, got tensor<3x40xi1>
// CHECK-NEXT: loc("w2"): error: cannot lower nn.where to tile: expected f32 tensors, got tensor<3x40xi1>
func.func @main(%x: tensor<3x40xf32>, %y: tensor<3x40xf32>) -> tensor<3x40xf32> {
  %e = nn.exp %x : tensor<3x40xf32> loc("e")
  %l = nn.less %x, %y : (tensor<3x40xf32>, tensor<3x40xf32>) -> tensor<3x40xi1> loc("lt2")
  %w = nn.where %l, %e, %y : (tensor<3x40xi1>, tensor<3x40xf32>, tensor<3x40xf32>) -> tensor<3x40xf32> loc("w2")
  func.return %w : tensor<3x40xf32>
}
