// RUN: vexa-opt %s --split-input-file -p 'nn-fold-constants' | filecheck %s

// A where on a splat false condition is its third operand (the condition goes).
builtin.module {
  func.func @main(%x: tensor<1xf32>, %y: tensor<2x4x1xf32>) -> tensor<2x4x1xf32> {
    %c = nn.constant dense<false> : tensor<4x1xi1>
    %r = nn.where %c, %x, %y : (tensor<4x1xi1>, tensor<1xf32>, tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
    func.return %r : tensor<2x4x1xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    func.return %y : tensor<2x4x1xf32>

// -----

// A splat true condition picks the second operand, broadcast to the result shape.
builtin.module {
  func.func @main(%x: tensor<1xf32>, %y: tensor<2x4x1xf32>) -> tensor<2x4x1xf32> {
    %c = nn.constant dense<true> : tensor<4x1xi1>
    %r = nn.where %c, %x, %y : (tensor<4x1xi1>, tensor<1xf32>, tensor<2x4x1xf32>) -> tensor<2x4x1xf32>
    func.return %r : tensor<2x4x1xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %[[E:.*]] = nn.expand %x {shape = array<i64: 2, 4, 1>} : (tensor<1xf32>) -> tensor<2x4x1xf32>
// CHECK-NEXT:    func.return %[[E]]

// -----

// Left alone: a condition that is not a splat, or not a constant; a constant condition
// that something else still uses stays.
builtin.module {
  func.func @main(%x: tensor<2xf32>, %y: tensor<2xf32>, %b: tensor<2xi1>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi1>) {
    %m = nn.constant dense<[true, false]> : tensor<2xi1>
    %a = nn.where %m, %x, %y : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %n = nn.where %b, %x, %y : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    %t = nn.constant dense<true> : tensor<2xi1>
    %k = nn.where %t, %x, %y : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    func.return %a, %n, %k, %t : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi1>
  }
}

// CHECK-LABEL: func.func @main
// CHECK:         %[[A:.*]] = nn.where %m, %x, %y
// CHECK-NEXT:    %[[N:.*]] = nn.where %b, %x, %y
// CHECK-NEXT:    %[[T:.*]] = nn.constant dense<true> : tensor<2xi1>
// CHECK-NEXT:    func.return %[[A]], %[[N]], %x, %[[T]]
