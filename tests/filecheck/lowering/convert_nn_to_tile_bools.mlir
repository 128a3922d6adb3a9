// The last case is an error, so the driver exits 1 after printing the others.
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

// The where's other operand is an exp chain that would take the where first; the
// comparison's chain is planned first, so the bool stays in the where's map and the exp
// is a buffer the map reads.
// CHECK-LABEL: func.func @main
// CHECK:         tile.map
// CHECK:           math.exp
// CHECK:         tile.map
// CHECK:           %[[C:.*]] = arith.cmpf olt
// CHECK-NEXT:      arith.select %[[C]]
// CHECK-NOT:     xi1
// CHECK:         func.return
func.func @main(%x: tensor<3x40xf32>, %y: tensor<3x40xf32>) -> tensor<3x40xf32> {
  %e = nn.exp %x : tensor<3x40xf32> loc("e")
  %l = nn.less %x, %y : (tensor<3x40xf32>, tensor<3x40xf32>) -> tensor<3x40xi1> loc("lt2")
  %w = nn.where %l, %e, %y : (tensor<3x40xi1>, tensor<3x40xf32>, tensor<3x40xf32>) -> tensor<3x40xf32> loc("w2")
  func.return %w : tensor<3x40xf32>
}

// -----

// LpNormalization's where(n == 0, 0, x / n), n = reduce_l2(x): rewritten as
// x / where(n == 0, 1, n), so the bool stays in the map on n's shape.
// CHECK-LABEL: func.func @main
// CHECK:         tile.reduce
// CHECK:         tile.map
// CHECK:           %[[C:.*]] = arith.cmpf oeq
// CHECK-NEXT:      %[[S:.*]] = arith.select %[[C]]
// CHECK:         tile.map
// CHECK:           arith.divf
// CHECK-NOT:     xi1
// CHECK:         func.return
func.func @main(%x: tensor<3x40xf32>) -> tensor<3x40xf32> {
  %z = nn.constant dense<0.000000e+00> : tensor<f32>
  %n = nn.reduce_l2 %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<3x40xf32>) -> tensor<3x1xf32> loc("n")
  %e = nn.equal %n, %z : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xi1> loc("eq0")
  %d = nn.div %x, %n : (tensor<3x40xf32>, tensor<3x1xf32>) -> tensor<3x40xf32> loc("d")
  %w = nn.where %e, %z, %d : (tensor<3x1xi1>, tensor<f32>, tensor<3x40xf32>) -> tensor<3x40xf32> loc("w0")
  func.return %w : tensor<3x40xf32>
}

// -----

// Hardmax with element-types=f32 (no tile.reduce argmax on the machine): a max reduce,
// e = where(x == max, 1, 0), the cum_sum of e along the axis, where(cum == 1, e, 0).
// CHECK-LABEL: func.func @main
// CHECK:         tile.reduce {{.*}}kind = "max"
// CHECK:         tile.map
// CHECK:           arith.cmpf oeq
// CHECK-NEXT:      arith.select
// CHECK:         tile.map
// CHECK:           arith.cmpf oeq
// CHECK-NEXT:      arith.select
// CHECK-NOT:     argmax
// CHECK:         func.return
func.func @main(%x: tensor<3x40xf32>) -> tensor<3x40xf32> {
  %h = nn.hardmax %x {axis = 1 : i64} : tensor<3x40xf32> loc("hm")
  func.return %h : tensor<3x40xf32>
}

// -----

// A bool read with broadcasting by one where is computed in that where's map
// (convert_nn_to_tile_bool_inline.mlir); read by two, it would be stored, so it is rejected.
// CHECK: error: loc("eq"): error: cannot lower nn.equal to tile: expected f32 tensors, got tensor<3x1xi1>
// CHECK-NEXT: loc("w3"): error: cannot lower nn.where to tile: expected f32 tensors, got tensor<3x1xi1>
// CHECK-NEXT: loc("w4"): error: cannot lower nn.where to tile: expected f32 tensors, got tensor<3x1xi1>
func.func @main(%x: tensor<3x40xf32>, %n: tensor<3x1xf32>, %z: tensor<f32>) -> (tensor<3x40xf32>, tensor<3x40xf32>) {
  %l = nn.equal %n, %z : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xi1> loc("eq")
  %w = nn.where %l, %z, %x : (tensor<3x1xi1>, tensor<f32>, tensor<3x40xf32>) -> tensor<3x40xf32> loc("w3")
  %v = nn.where %l, %x, %z : (tensor<3x1xi1>, tensor<3x40xf32>, tensor<f32>) -> tensor<3x40xf32> loc("w4")
  func.return %w, %v : tensor<3x40xf32>, tensor<3x40xf32>
}
