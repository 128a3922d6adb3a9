// RUN: vexa-opt %s --split-input-file -p convert-nn-to-tile | filecheck %s
// RUN: vexa-opt %s --split-input-file -p 'convert-nn-to-tile{element-types=all}' | filecheck %s --check-prefix=ALL
// With element-types=f32 no bool reaches memory. A bool group (a comparison, and the
// logic ops chained on it) used once by an elementwise op of a bigger shape is computed
// inside that op's map from its own inputs, read through the broadcast (the chain fusion
// follows equal shapes only); a bool constant is stored as f32 0/1 words and compared
// with 0 in the map; OneHot of f32 indices runs in f32 (no i64 iota). element-types=all
// plans the same maps (the tile interpreter checks them against the nn interpreter).

// The expanded Attention's where(reduce_max(mask) == -inf, 0, p): the 3x1 equal is in
// the 3x40 where's map, not a kernel of its own with an i1 buffer.
// CHECK-LABEL: func.func @main
// CHECK-NOT:     xi1
// CHECK:         tile.kernel
// CHECK:           tile.map ins(%{{.*}} : memref<3x1xf32, #tile.space<vtcm>>, memref<1x1xf32, #tile.space<vtcm>>, memref<1x1xf32, #tile.space<vtcm>>, memref<3x40xf32, #tile.space<vtcm>>)
// CHECK-NEXT:      ^bb0(%[[N:.*]]: f32, %[[Z:.*]]: f32, %[[ZERO:.*]]: f32, %[[X:.*]]: f32):
// CHECK-NEXT:        %[[C:.*]] = arith.cmpf oeq, %[[N]], %[[Z]] : f32
// CHECK-NEXT:        %[[S:.*]] = arith.select %[[C]], %[[ZERO]], %[[X]] : f32
// CHECK-NEXT:        tile.yield %[[S]] : f32
// CHECK-NOT:     tile.kernel
// CHECK-NOT:     xi1
// CHECK:         func.return
// ALL-LABEL: func.func @main
// ALL-NOT:     xi1
// ALL:         arith.cmpf oeq
// ALL-NEXT:    arith.select
// ALL-NOT:     xi1
// ALL:         func.return
func.func @main(%x: tensor<3x40xf32>, %n: tensor<3x1xf32>, %z: tensor<f32>) -> tensor<3x40xf32> {
  %l = nn.equal %n, %z : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xi1> loc("eq")
  %w = nn.where %l, %z, %x : (tensor<3x1xi1>, tensor<f32>, tensor<3x40xf32>) -> tensor<3x40xf32> loc("w")
  func.return %w : tensor<3x40xf32>
}

// -----

// Inlined groups nest: not(a == 0) (3x1, a chain of two bool ops) and b < 0 (40) are both
// computed inside the and's map, which the where joins by the ordinary chain fusion.
// CHECK-LABEL: func.func @main
// CHECK-NOT:     xi1
// CHECK:           tile.map ins(%{{.*}} : memref<3x1xf32, #tile.space<vtcm>>, memref<1x1xf32, #tile.space<vtcm>>, memref<1x40xf32, #tile.space<vtcm>>, memref<1x1xf32, #tile.space<vtcm>>, memref<3x40xf32, #tile.space<vtcm>>, memref<1x1xf32, #tile.space<vtcm>>)
// CHECK-NEXT:      ^bb0(%[[A:.*]]: f32, %[[Z0:.*]]: f32, %[[B:.*]]: f32, %[[Z1:.*]]: f32, %[[X:.*]]: f32, %[[Z2:.*]]: f32):
// CHECK-NEXT:        %[[E:.*]] = arith.cmpf oeq, %[[A]], %[[Z0]] : f32
// CHECK-NEXT:        %[[T:.*]] = arith.constant true
// CHECK-NEXT:        %[[N:.*]] = arith.xori %[[E]], %[[T]] : i1
// CHECK-NEXT:        %[[L:.*]] = arith.cmpf olt, %[[B]], %[[Z1]] : f32
// CHECK-NEXT:        %[[C:.*]] = arith.andi %[[N]], %[[L]] : i1
// CHECK-NEXT:        %[[S:.*]] = arith.select %[[C]], %[[X]], %[[Z2]] : f32
// CHECK-NEXT:        tile.yield %[[S]] : f32
// CHECK-NOT:     tile.kernel
// CHECK-NOT:     xi1
// CHECK:         func.return
// ALL-LABEL: func.func @main
// ALL-NOT:     xi1
// ALL:         arith.andi
// ALL-NEXT:    arith.select
// ALL-NOT:     xi1
// ALL:         func.return
func.func @main(%x: tensor<3x40xf32>, %a: tensor<3x1xf32>, %b: tensor<40xf32>) -> tensor<3x40xf32> {
  %z = nn.constant dense<0.000000e+00> : tensor<f32>
  %e = nn.equal %a, %z : (tensor<3x1xf32>, tensor<f32>) -> tensor<3x1xi1> loc("eq")
  %n = nn.not %e : tensor<3x1xi1> loc("not")
  %l = nn.less %b, %z : (tensor<40xf32>, tensor<f32>) -> tensor<40xi1> loc("lt")
  %c = nn.and %n, %l : (tensor<3x1xi1>, tensor<40xi1>) -> tensor<3x40xi1> loc("and")
  %w = nn.where %c, %x, %z : (tensor<3x40xi1>, tensor<3x40xf32>, tensor<f32>) -> tensor<3x40xf32> loc("w")
  func.return %w : tensor<3x40xf32>
}

// -----

// The inlined comparison joins a producer's epilogue too: softmax, then where(m == 0, 0, p)
// with the 4x1 test, all in the softmax kernel.
// CHECK-LABEL: func.func @main
// CHECK-NOT:     xi1
// CHECK:         tile.kernel
// CHECK:           tile.reduce
// CHECK:           tile.map
// CHECK:             arith.cmpf oeq
// CHECK-NEXT:        arith.select
// CHECK-NEXT:        tile.yield
// CHECK-NOT:     tile.kernel
// CHECK:         func.return
func.func @main(%x: tensor<2x4x6xf32>, %m: tensor<4x1xf32>) -> tensor<2x4x6xf32> {
  %z = nn.constant dense<0.000000e+00> : tensor<1xf32>
  %p = nn.softmax %x {axis = 2 : i64} : tensor<2x4x6xf32> loc("sm")
  %e = nn.equal %m, %z : (tensor<4x1xf32>, tensor<1xf32>) -> tensor<4x1xi1> loc("eq")
  %w = nn.where %e, %z, %p : (tensor<4x1xi1>, tensor<1xf32>, tensor<2x4x6xf32>) -> tensor<2x4x6xf32> loc("w")
  func.return %w : tensor<2x4x6xf32>
}

// -----

// A causal mask folded to a bool constant (the expanded FlexAttention): stored as f32 0/1,
// turned back into a predicate in the map.
// CHECK-LABEL: func.func @main
// CHECK:         %[[M:.*]] = tile.constant dense_resource<{{.*}}> : tensor<1x1x4x4xf32> : memref<1x1x4x4xf32, #tile.space<dram>>
// CHECK-NOT:     xi1
// CHECK:           tile.map
// CHECK-NEXT:      ^bb0(%[[W:.*]]: f32, %[[X:.*]]: f32, %[[F:.*]]: f32):
// CHECK-NEXT:        %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:        %[[C:.*]] = arith.cmpf one, %[[W]], %[[Z]] : f32
// CHECK-NEXT:        %[[S:.*]] = arith.select %[[C]], %[[X]], %[[F]] : f32
// CHECK-NOT:     xi1
// CHECK:         func.return
// ALL-LABEL: func.func @main
// ALL:         tile.constant dense_resource<{{.*}}> : tensor<1x1x4x4xf32>
// ALL:         arith.cmpf one
// ALL:         func.return
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %m = nn.constant dense<[[[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]]]> : tensor<1x1x4x4xi1> loc("mask")
  %f = nn.constant dense<-1.0e+30> : tensor<f32>
  %w = nn.where %m, %x, %f : (tensor<1x1x4x4xi1>, tensor<1x2x4x4xf32>, tensor<f32>) -> tensor<1x2x4x4xf32> loc("causal")
  func.return %w : tensor<1x2x4x4xf32>
}

// -----

// OneHot of f32 indices on a middle axis: truncate, wrap the negative ones, compare with
// an f32 iota, all in f32.
// CHECK-LABEL: func.func @main
// CHECK:         tile.constant dense_resource<{{.*}}> : tensor<1x5x1xf32> : memref<1x5x1xf32, #tile.space<dram>>
// CHECK-NOT:     {{xi64|: i64}}
// CHECK:           tile.map
// CHECK-NEXT:      ^bb0(%[[I:.*]]: f32, %[[IOTA:.*]]: f32):
// CHECK-NEXT:        %[[T:.*]] = math.trunc %[[I]] : f32
// CHECK-NEXT:        %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:        %[[NEG:.*]] = arith.cmpf olt, %[[T]], %[[Z]] : f32
// CHECK-NEXT:        %[[D:.*]] = arith.constant 5.000000e+00 : f32
// CHECK-NEXT:        %[[WR:.*]] = arith.addf %[[T]], %[[D]] : f32
// CHECK-NEXT:        %[[J:.*]] = arith.select %[[NEG]], %[[WR]], %[[T]] : f32
// CHECK-NEXT:        %[[HOT:.*]] = arith.cmpf oeq, %[[J]], %[[IOTA]] : f32
// CHECK-NOT:     {{xi64|: i64}}
// CHECK:         func.return
func.func @main(%i: tensor<2x3xf32>) -> tensor<2x5x3xf32> {
  %r = nn.one_hot %i {axis = 1 : i64, depth = 5 : i64, values = array<f32: 0.000000e+00, 1.000000e+00>} : (tensor<2x3xf32>) -> tensor<2x5x3xf32> loc("oh")
  func.return %r : tensor<2x5x3xf32>
}
