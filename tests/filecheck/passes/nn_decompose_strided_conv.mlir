// RUN: vexa-opt %s --split-input-file -p 'nn-decompose-strided-conv' | filecheck %s

// A 1x1 convolution of stride 2 reads every other row and column: one phase, a stepped
// slice (DMA row gathers) and the same convolution at unit stride.
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

// A 3x3 kernel of stride 2 with pads: pad once (the padded extents rounded up to
// multiples of the stride, so each phase slice is one strided DMA), then one stepped
// slice per input phase
// (p, q), convolved at unit stride with that phase's taps w[:, :, p::2, q::2] (2x2, 2x1,
// 1x2, 1x1: new constants; the original weights go), the bias on the first, summed.
builtin.module {
  func.func @main(%x: tensor<1x2x5x5xf32>, %b: tensor<1xf32>) -> tensor<1x1x3x3xf32> {
    %w = nn.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], [[10.0, 11.0, 12.0], [13.0, 14.0, 15.0], [16.0, 17.0, 18.0]]]]> : tensor<1x2x3x3xf32>
    %y = nn.conv %x, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x2x5x5xf32>, tensor<1x2x3x3xf32>, tensor<1xf32>) -> tensor<1x1x3x3xf32>
    func.return %y : tensor<1x1x3x3xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-NOT:     nn.constant dense<
// CHECK:         %[[P:.*]] = nn.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 2, 2>, mode = "constant", constant_value = 0.000000e+00 : f32} : (tensor<1x2x5x5xf32>) -> tensor<1x2x8x8xf32>
// CHECK-NEXT:    %[[X0:.*]] = nn.slice %[[P]] {starts = array<i64: 0, 0>, ends = array<i64: 7, 7>, axes = array<i64: 2, 3>, steps = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:    %[[W0:.*]] = nn.constant dense_resource<conv_w_phase00> : tensor<1x2x2x2xf32>
// CHECK-NEXT:    %[[C0:.*]] = nn.conv %[[X0]], %[[W0]], %b {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>
// CHECK-NEXT:    %[[X1:.*]] = nn.slice %[[P]] {starts = array<i64: 0, 1>, ends = array<i64: 7, 6>, {{.*}} -> tensor<1x2x4x3xf32>
// CHECK-NEXT:    %[[W1:.*]] = nn.constant dense_resource<conv_w_phase01> : tensor<1x2x2x1xf32>
// CHECK-NEXT:    %[[C1:.*]] = nn.conv %[[X1]], %[[W1]] {kernel_shape = array<i64: 2, 1>
// CHECK-NEXT:    %[[S1:.*]] = nn.add %[[C0]], %[[C1]]
// CHECK:         nn.constant dense_resource<conv_w_phase10> : tensor<1x2x1x2xf32>
// CHECK:         nn.constant dense_resource<conv_w_phase11> : tensor<1x2x1x1xf32>
// CHECK:         %[[S3:.*]] = nn.add
// CHECK-NEXT:    func.return %[[S3]]

// -----

// Left alone: unit strides, dilations, and several phases of weights that are not
// constants (a 1x1 kernel of one phase needs no new weights, even with pads).
builtin.module {
  func.func @main(%x: tensor<1x8x8x8xf32>, %w1: tensor<8x8x1x1xf32>, %w3: tensor<8x8x3x3xf32>) -> (tensor<1x8x8x8xf32>, tensor<1x8x4x4xf32>, tensor<1x8x2x2xf32>, tensor<1x8x5x5xf32>) {
    %a = nn.conv %x, %w1 {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x8x8xf32>
    %b = nn.conv %x, %w3 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x4x4xf32>
    %c = nn.conv %x, %w3 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, group = 1 : i64} : (tensor<1x8x8x8xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x2x2xf32>
    %d = nn.conv %x, %w1 {kernel_shape = array<i64: 1, 1>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x8x8x8xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x5x5xf32>
    func.return %a, %b, %c, %d : tensor<1x8x8x8xf32>, tensor<1x8x4x4xf32>, tensor<1x8x2x2xf32>, tensor<1x8x5x5xf32>
  }
}

// CHECK-LABEL: func.func @main
// CHECK-NOT:     nn.slice
// CHECK-COUNT-3: nn.conv
// CHECK:         nn.pad %x
// CHECK-NEXT:    nn.slice
// CHECK-NEXT:    nn.conv {{.*}}, %w1 {{.*}}strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>
