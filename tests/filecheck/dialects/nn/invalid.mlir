// RUN: vexa-opt %s --split-input-file --verify-diagnostics | filecheck %s
// One case per verifier message of the nn dialect (the driver prints each message and
// exits 0, so filecheck matches them in order).

// the result type is recomputed from pads/strides: 8x8 input, 3x3 kernel, no pads -> 6x6
// CHECK: {{^}}expected tensor<1x4x6x6xf32>, got tensor<1x4x8x8xf32>
func.func @case0(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %r = nn.conv %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// input channels must equal w dim 1 times group
// CHECK: {{^}}expected 3 input channels (w dim 1 times group 1), got 4
func.func @case1(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %r = nn.conv %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// group must divide the output channels
// CHECK: {{^}}expected group 2 to divide 5 output channels
func.func @case2(%x: tensor<1x4x8x8xf32>, %w: tensor<5x2x3x3xf32>) {
  %r = nn.conv %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<5x2x3x3xf32>) -> tensor<1x5x6x6xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// kernel_shape must match the weight's spatial dims
// CHECK: {{^}}expected kernel_shape [3, 3], got [5, 5]
func.func @case3(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %r = nn.conv %x, %w {kernel_shape = array<i64: 5, 5>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// one stride per spatial dim
// CHECK: {{^}}expected 2 values in strides, got 1
func.func @case4(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %r = nn.conv %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// two pads (begin, end) per spatial dim
// CHECK: {{^}}expected 4 values in pads, got 2
func.func @case5(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %r = nn.conv %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// the bias has one value per output channel
// CHECK: {{^}}expected bias of shape [4], got tensor<3xf32>
func.func @case6(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  %r = nn.conv %x, %w, %b {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// x and w share an element type
// CHECK: {{^}}expected operand element types to agree, got f32 and f16
func.func @case7(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  %r = nn.conv %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// conv_transpose needs one output_padding per spatial dim
// CHECK: {{^}}expected 2 values in output_padding, got 1
func.func @case8(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) {
  %r = nn.conv_transpose %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1>} : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// multidirectional broadcasting: 3 vs 4 is an error
// CHECK: {{^}}expected broadcastable shapes, got [2, 3] and [4]
func.func @case9(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  %r = nn.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// binary operands share an element type
// CHECK: {{^}}expected operand element types to agree, got f32 and f16
func.func @case10(%a: tensor<2x3xf32>, %b: tensor<3xf16>) {
  %r = nn.mul %a, %b : (tensor<2x3xf32>, tensor<3xf16>) -> tensor<2x3xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// comparisons produce i1
// CHECK: {{^}}expected tensor<2xi1>, got tensor<2xf32>
func.func @case11(%a: tensor<2xf32>, %b: tensor<2xf32>) {
  %r = nn.less %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// the slope of p_relu broadcasts to x, not the other way
// CHECK: {{^}}expected slope broadcastable to tensor<3xf32>, got tensor<2x3xf32>
func.func @case12(%x: tensor<3xf32>, %s: tensor<2x3xf32>) {
  %r = nn.p_relu %x, %s : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// bit_shift direction is LEFT or RIGHT
// CHECK: {{^}}expected direction "LEFT" or "RIGHT", got "UP"
func.func @case13(%a: tensor<4xui8>, %b: tensor<4xui8>) {
  %r = nn.bit_shift %a, %b {direction = "UP"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// variadic ops need at least one operand
// CHECK: {{^}}expected at least 1 operand, got 0
func.func @case14() {
  %r = "nn.sum"() : () -> tensor<2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// where's condition is i1
// CHECK: {{^}}expected condition element type i1, got f32
func.func @case15(%c: tensor<2xf32>, %x: tensor<2xf32>, %y: tensor<2xf32>) {
  %r = nn.where %c, %x, %y : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// cast produces the element type `to`
// CHECK: {{^}}expected tensor<2xf16>, got tensor<2xf32>
func.func @case16(%x: tensor<2xf32>) {
  %r = nn.cast %x {to = f16} : (tensor<2xf32>) -> tensor<2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// gelu approximate is "none" or "tanh"
// CHECK: {{^}}expected approximate "none" or "tanh", got "fast"
func.func @case17(%x: tensor<2xf32>) {
  %r = nn.gelu %x {approximate = "fast"} : tensor<2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// softmax axis is in [-rank, rank)
// CHECK: {{^}}expected axis in [-2, 1], got 2
func.func @case18(%x: tensor<2x10xf32>) {
  %r = nn.softmax %x {axis = 2 : i64} : tensor<2x10xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// only static shapes
// CHECK: {{^}}expected a static shape, got tensor<?x10xf32>
func.func @case19(%x: tensor<?x10xf32>) {
  %r = nn.relu %x : tensor<?x10xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// mat_mul contraction dims agree
// CHECK: {{^}}expected contraction dims to agree, got 3 (tensor<2x3xf32>) and 4 (tensor<4x5xf32>)
func.func @case20(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  %r = nn.mat_mul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// mat_mul 1-D promotion removes the unit dims again
// CHECK: {{^}}expected tensor<5xf32>, got tensor<1x5xf32>
func.func @case21(%a: tensor<3xf32>, %b: tensor<3x5xf32>) {
  %r = nn.mat_mul %a, %b : (tensor<3xf32>, tensor<3x5xf32>) -> tensor<1x5xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// gemm transposes b with trans_b = 1
// CHECK: {{^}}expected contraction dims to agree, got 8 and 10
func.func @case22(%a: tensor<1x8xf32>, %b: tensor<8x10xf32>) {
  %r = nn.gemm %a, %b {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = 0 : i64, trans_b = 1 : i64} : (tensor<1x8xf32>, tensor<8x10xf32>) -> tensor<1x10xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// gemm c broadcasts to [M, N]
// CHECK: {{^}}expected c broadcastable to [1, 10], got tensor<5xf32>
func.func @case23(%a: tensor<1x8xf32>, %b: tensor<10x8xf32>, %c: tensor<5xf32>) {
  %r = nn.gemm %a, %b, %c {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = 0 : i64, trans_b = 1 : i64} : (tensor<1x8xf32>, tensor<10x8xf32>, tensor<5xf32>) -> tensor<1x10xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// batch_normalization parameters have one value per channel
// CHECK: {{^}}expected scale of shape [4], got tensor<3xf32>
func.func @case24(%x: tensor<1x4x2x2xf32>, %s: tensor<3xf32>, %b: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) {
  %r = nn.batch_normalization %x, %s, %b, %m, %v {epsilon = 1.000000e-05 : f32} : (tensor<1x4x2x2xf32>, tensor<3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// layer_normalization scale covers dims [axis, rank)
// CHECK: {{^}}expected scale broadcastable to [8], got tensor<5xf32>
func.func @case25(%x: tensor<2x5x8xf32>, %s: tensor<5xf32>) {
  %r = nn.layer_normalization %x, %s {axis = -1 : i64, epsilon = 1.000000e-05 : f32} : (tensor<2x5x8xf32>, tensor<5xf32>) -> tensor<2x5x8xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// lrn size is positive
// CHECK: {{^}}expected positive size, got 0
func.func @case26(%x: tensor<1x4x2x2xf32>) {
  %r = nn.lrn %x {alpha = 1.000000e-04 : f32, beta = 7.500000e-01 : f32, bias = 1.000000e+00 : f32, size = 0 : i64} : tensor<1x4x2x2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// with ceil_mode the window count rounds up: 112 with k=3, s=2, p=1 gives 57, not 56
// CHECK: {{^}}expected tensor<1x1x57x57xf32>, got tensor<1x1x56x56xf32>
func.func @case27(%x: tensor<1x1x112x112xf32>) {
  %r = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = 1 : i64} : (tensor<1x1x112x112xf32>) -> tensor<1x1x56x56xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// pool pads are smaller than the kernel
// CHECK: {{^}}expected pads smaller than kernel_shape [2, 2], got [2, 2, 2, 2]
func.func @case28(%x: tensor<1x1x8x8xf32>) {
  %r = nn.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64, count_include_pad = 0 : i64} : (tensor<1x1x8x8xf32>) -> tensor<1x1x11x11xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// global pooling keeps unit spatial dims
// CHECK: {{^}}expected tensor<1x8x1x1xf32>, got tensor<1x8xf32>
func.func @case29(%x: tensor<1x8x7x7xf32>) {
  %r = nn.global_average_pool %x : (tensor<1x8x7x7xf32>) -> tensor<1x8xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// reduction axes are normalised (non-negative)
// CHECK: {{^}}expected axes in [0, 1], got [-1]
func.func @case30(%x: tensor<2x3xf32>) {
  %r = nn.reduce_mean %x {axes = array<i64: -1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// reduction axes are sorted and unique
// CHECK: {{^}}expected sorted unique axes, got [2, 0]
func.func @case31(%x: tensor<2x3x4xf32>) {
  %r = nn.reduce_sum %x {axes = array<i64: 2, 0>, keepdims = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// arg_max produces i64
// CHECK: {{^}}expected tensor<2xi64>, got tensor<2xi32>
func.func @case32(%x: tensor<2x10xf32>) {
  %r = nn.arg_max %x {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 0 : i64} : (tensor<2x10xf32>) -> tensor<2xi32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// reshape keeps the element count
// CHECK: {{^}}expected a shape with 6 elements, got [4, 2]
func.func @case33(%x: tensor<2x3xf32>) {
  %r = nn.reshape %x {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// reshape shapes are fully resolved (no -1)
// CHECK: {{^}}expected non-negative dims in shape, got [-1]
func.func @case34(%x: tensor<2x3xf32>) {
  %r = nn.reshape %x {shape = array<i64: -1>} : (tensor<2x3xf32>) -> tensor<6xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// flatten axis is in [-rank, rank]
// CHECK: {{^}}expected axis in [-2, 2], got 3
func.func @case35(%x: tensor<2x3xf32>) {
  %r = nn.flatten %x {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// squeeze only removes unit dims
// CHECK: {{^}}expected dim 1 to be 1, got 3
func.func @case36(%x: tensor<1x3xf32>) {
  %r = nn.squeeze %x {axes = array<i64: 1>} : (tensor<1x3xf32>) -> tensor<1xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// unsqueeze axes index the result
// CHECK: {{^}}expected axes in [0, 1], got [2]
func.func @case37(%x: tensor<3xf32>) {
  %r = nn.unsqueeze %x {axes = array<i64: 2>} : (tensor<3xf32>) -> tensor<3x1xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// transpose perm is a permutation of the dims
// CHECK: {{^}}expected perm to be a permutation of [0, 2), got [0, 0]
func.func @case38(%x: tensor<2x3xf32>) {
  %r = nn.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// concat operands agree off the axis
// CHECK: {{^}}expected operands to agree except on axis 1, got tensor<1x2x4xf32> and tensor<1x3x5xf32>
func.func @case39(%a: tensor<1x2x4xf32>, %b: tensor<1x3x5xf32>) {
  %r = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x5xf32>) -> tensor<1x5x4xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// split sizes cover the axis
// CHECK: {{^}}expected split sizes summing to 6, got [2, 3]
func.func @case40(%x: tensor<1x6xf32>) {
  %r:2 = nn.split %x {axis = 1 : i64, split = array<i64: 2, 3>} : (tensor<1x6xf32>) -> (tensor<1x2xf32>, tensor<1x3xf32>)
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// split has one result per size
// CHECK: {{^}}expected 3 results, got 2
func.func @case41(%x: tensor<1x6xf32>) {
  %r:2 = nn.split %x {axis = 1 : i64, split = array<i64: 2, 2, 2>} : (tensor<1x6xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>)
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// slice properties have equal lengths
// CHECK: {{^}}expected starts, ends, axes and steps of equal length, got 1, 2, 1 and 1
func.func @case42(%x: tensor<2x4xf32>) {
  %r = nn.slice %x {starts = array<i64: 1>, ends = array<i64: 3, 4>, axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<2x4xf32>) -> tensor<2x2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// slice bounds are clamped by the importer
// CHECK: {{^}}expected starts/ends clamped into dim 1 of size 4, got 0 and 9
func.func @case43(%x: tensor<2x4xf32>) {
  %r = nn.slice %x {starts = array<i64: 0>, ends = array<i64: 9>, axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// a negative slice step counts down
// CHECK: {{^}}expected tensor<2x2xf32>, got tensor<2x4xf32>
func.func @case44(%x: tensor<2x4xf32>) {
  %r = nn.slice %x {starts = array<i64: 3>, ends = array<i64: -1>, axes = array<i64: 1>, steps = array<i64: -2>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// pad mode is one of four
// CHECK: {{^}}expected mode "constant", "reflect", "edge" or "wrap", got "mirror"
func.func @case45(%x: tensor<2x3xf32>) {
  %r = nn.pad %x {pads = array<i64: 0, 1, 0, 1>, mode = "mirror", constant_value = 0.000000e+00 : f32} : (tensor<2x3xf32>) -> tensor<2x5xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// pads has begin and end per dim
// CHECK: {{^}}expected 4 values in pads, got 2
func.func @case46(%x: tensor<2x3xf32>) {
  %r = nn.pad %x {pads = array<i64: 1, 1>, mode = "constant", constant_value = 0.000000e+00 : f32} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// gather indices are i32 or i64
// CHECK: {{^}}expected i32 or i64 indices, got f32
func.func @case47(%d: tensor<5x4xf32>, %i: tensor<2xf32>) {
  %r = nn.gather %d, %i {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// gather_elements indices have the rank of data
// CHECK: {{^}}expected indices of rank 2, got tensor<3xi64>
func.func @case48(%d: tensor<3x3xf32>, %i: tensor<3xi64>) {
  %r = nn.gather_elements %d, %i {axis = 0 : i64} : (tensor<3x3xf32>, tensor<3xi64>) -> tensor<3xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// expand broadcasts
// CHECK: {{^}}expected broadcastable shapes, got [3, 2] and [3, 4]
func.func @case49(%x: tensor<3x2xf32>) {
  %r = nn.expand %x {shape = array<i64: 3, 4>} : (tensor<3x2xf32>) -> tensor<3x4xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// tile has one repeat per dim
// CHECK: {{^}}expected 2 non-negative values in repeats, got [2]
func.func @case50(%x: tensor<2x3xf32>) {
  %r = nn.tile %x {repeats = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// depth_to_space blocksize^2 divides the channels
// CHECK: {{^}}expected blocksize^2 to divide 6 channels, got 2
func.func @case51(%x: tensor<1x6x2x2xf32>) {
  %r = nn.depth_to_space %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x6x2x2xf32>) -> tensor<1x1x4x4xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// space_to_depth blocksize divides the spatial dims
// CHECK: {{^}}expected blocksize to divide spatial dims 3x4, got 2
func.func @case52(%x: tensor<1x2x3x4xf32>) {
  %r = nn.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x2x3x4xf32>) -> tensor<1x8x1x2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// resize sizes has one value per dim
// CHECK: {{^}}expected 4 values in sizes, got 2
func.func @case53(%x: tensor<1x3x4x4xf32>) {
  %r = nn.resize %x {mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.000000e+00 : f32, scales = array<f32>, sizes = array<i64: 8, 8>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// one_hot values are [off, on]
// CHECK: {{^}}expected 2 values (off, on), got 1
func.func @case54(%i: tensor<3xi64>) {
  %r = nn.one_hot %i {axis = -1 : i64, depth = 4 : i64, values = array<f32: 1.000000e+00>} : (tensor<3xi64>) -> tensor<3x4xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// top_k k is at most the axis size
// CHECK: {{^}}expected k in [0, 10], got 11
func.func @case55(%x: tensor<2x10xf32>) {
  %v, %i = nn.top_k %x {axis = -1 : i64, k = 11 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<2x10xf32>) -> (tensor<2x11xf32>, tensor<2x11xi64>)
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// top_k indices are i64
// CHECK: {{^}}expected tensor<2x3xi64>, got tensor<2x3xi32>
func.func @case56(%x: tensor<2x10xf32>) {
  %v, %i = nn.top_k %x {axis = -1 : i64, k = 3 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi32>)
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// cum_sum axis is in range
// CHECK: {{^}}expected axis in [-1, 0], got 1
func.func @case57(%x: tensor<5xf32>) {
  %r = nn.cum_sum %x {axis = 1 : i64, exclusive = 0 : i64, reverse = 0 : i64} : tensor<5xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// trilu works on matrices
// CHECK: {{^}}expected rank >= 2, got tensor<5xf32>
func.func @case58(%x: tensor<5xf32>) {
  %r = nn.trilu %x {upper = 1 : i64, k = 0 : i64} : tensor<5xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// logical ops take i1
// CHECK: {{^}}expected i1 operands, got f32
func.func @case59(%a: tensor<2xf32>, %b: tensor<2xf32>) {
  %r = nn.and %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return
}

// -----
// CHECK: {{^}}//{{ }}-----

// not takes i1
// CHECK: {{^}}expected an i1 operand, got f32
func.func @case60(%x: tensor<2xf32>) {
  %r = nn.not %x : tensor<2xf32>
  func.return
}
