// RUN: vexa-opt %s --split-input-file -p 'nn-decompose-strided-conv' | filecheck %s

// A 1x1 convolution of stride 2 reads every other row and column: a stepped slice (DMA
// row gathers) and a unit-stride convolution. The slice keeps the conv's location.
builtin.module {
  func.func @main(%x: tensor<1x8x7x7xf32>, %w: tensor<16x8x1x1xf32>, %b: tensor<16xf32>) -> tensor<1x16x4x4xf32> {
    %y = nn.conv %x, %w, %b {kernel_shape = array<i64: 1, 1>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x7x7xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>) -> tensor<1x16x4x4xf32> loc("proj")
    func.return %y : tensor<1x16x4x4xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %[[S:.*]] = nn.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 7, 7>, axes = array<i64: 2, 3>, steps = array<i64: 2, 2>} : (tensor<1x8x7x7xf32>) -> tensor<1x8x4x4xf32>
// CHECK-NEXT:    %[[Y:.*]] = nn.conv %[[S]], %w, %b {{.*}}strides = array<i64: 1, 1>{{.*}} : (tensor<1x8x4x4xf32>, tensor<16x8x1x1xf32>, tensor<16xf32>) -> tensor<1x16x4x4xf32>
// CHECK-NEXT:    func.return %[[Y]]

// -----

// Unequal strides, no bias, grouped: the slice's ends stop after the last read position.
builtin.module {
  func.func @main(%x: tensor<2x4x9x10xf32>, %w: tensor<4x2x1x1xf32>) -> tensor<2x4x3x5xf32> {
    %y = nn.conv %x, %w {kernel_shape = array<i64: 1, 1>, strides = array<i64: 3, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<2x4x9x10xf32>, tensor<4x2x1x1xf32>) -> tensor<2x4x3x5xf32>
    func.return %y : tensor<2x4x3x5xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-NEXT:    %[[S:.*]] = nn.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 7, 9>, axes = array<i64: 2, 3>, steps = array<i64: 3, 2>} : (tensor<2x4x9x10xf32>) -> tensor<2x4x3x5xf32>
// CHECK-NEXT:    nn.conv %[[S]], %w {{.*}}strides = array<i64: 1, 1>{{.*}}group = 2 : i64

// -----

// Left alone: unit strides, a 3x3 kernel, and pads (the slice would have to pad).
builtin.module {
  func.func @main(%x: tensor<1x8x8x8xf32>, %w1: tensor<8x8x1x1xf32>, %w3: tensor<8x8x3x3xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x4x4xf32>, tensor<1x8x5x5xf32>) {
    %a = nn.conv %x, %w1 {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x8x8xf32>
    %b = nn.conv %x, %w3 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x4x4xf32>
    %c = nn.conv %x, %w1 {kernel_shape = array<i64: 1, 1>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x5x5xf32>
    func.return %a, %b, %c : tensor<1x8x8x8xf32>, tensor<1x8x4x4xf32>, tensor<1x8x5x5xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-NOT:     nn.slice
// CHECK-COUNT-3: nn.conv
// CHECK-NOT:     nn.slice
