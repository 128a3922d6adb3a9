// RUN: vexa-opt %s | vexa-opt | filecheck %s
// Every nn op parses, verifies, prints in its custom form and re-prints identically.
// (Generated from the ```mlir examples in the op docstrings, then checked by hand.)

// CHECK-LABEL: func.func @abs(
// CHECK-NEXT:    %r = nn.abs %x : tensor<2x3xf32>
func.func @abs(%x: tensor<2x3xf32>) {
  %r = nn.abs %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @acos(
// CHECK-NEXT:    %r = nn.acos %x : tensor<2x3xf32>
func.func @acos(%x: tensor<2x3xf32>) {
  %r = nn.acos %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @acosh(
// CHECK-NEXT:    %r = nn.acosh %x : tensor<2x3xf32>
func.func @acosh(%x: tensor<2x3xf32>) {
  %r = nn.acosh %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @add(
// CHECK-NEXT:    %r = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @add(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  %r = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @and(
// CHECK-NEXT:    %r = nn.and %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
func.func @and(%a: tensor<2x3xi1>, %b: tensor<3xi1>) {
  %r = nn.and %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  func.return
}

// CHECK-LABEL: func.func @arg_max(
// CHECK-NEXT:    %r = nn.arg_max %x {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 0 : i64} : (tensor<2x10xf32>) -> tensor<2xi64>
func.func @arg_max(%x: tensor<2x10xf32>) {
  %r = nn.arg_max %x {axis = 1 : i64, keepdims = 0 : i64, select_last_index = 0 : i64} : (tensor<2x10xf32>) -> tensor<2xi64>
  func.return
}

// CHECK-LABEL: func.func @arg_min(
// CHECK-NEXT:    %r = nn.arg_min %x {axis = 1 : i64, keepdims = 1 : i64, select_last_index = 0 : i64} : (tensor<2x10xf32>) -> tensor<2x1xi64>
func.func @arg_min(%x: tensor<2x10xf32>) {
  %r = nn.arg_min %x {axis = 1 : i64, keepdims = 1 : i64, select_last_index = 0 : i64} : (tensor<2x10xf32>) -> tensor<2x1xi64>
  func.return
}

// CHECK-LABEL: func.func @asin(
// CHECK-NEXT:    %r = nn.asin %x : tensor<2x3xf32>
func.func @asin(%x: tensor<2x3xf32>) {
  %r = nn.asin %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @asinh(
// CHECK-NEXT:    %r = nn.asinh %x : tensor<2x3xf32>
func.func @asinh(%x: tensor<2x3xf32>) {
  %r = nn.asinh %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @atan(
// CHECK-NEXT:    %r = nn.atan %x : tensor<2x3xf32>
func.func @atan(%x: tensor<2x3xf32>) {
  %r = nn.atan %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @atanh(
// CHECK-NEXT:    %r = nn.atanh %x : tensor<2x3xf32>
func.func @atanh(%x: tensor<2x3xf32>) {
  %r = nn.atanh %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @average_pool(
// CHECK-NEXT:    %r = nn.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64, count_include_pad = 0 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
func.func @average_pool(%x: tensor<1x8x4x4xf32>) {
  %r = nn.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64, count_include_pad = 0 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
  func.return
}

// CHECK-LABEL: func.func @batch_normalization(
// CHECK-NEXT:    %r = nn.batch_normalization %x, %scale, %b, %mean, %var {epsilon = 1.000000e-05 : f32} : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
func.func @batch_normalization(%x: tensor<1x64x56x56xf32>, %scale: tensor<64xf32>, %b: tensor<64xf32>, %mean: tensor<64xf32>, %var: tensor<64xf32>) {
  %r = nn.batch_normalization %x, %scale, %b, %mean, %var {epsilon = 9.99999974E-6 : f32} : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  func.return
}

// CHECK-LABEL: func.func @bit_shift(
// CHECK-NEXT:    %r = nn.bit_shift %a, %b {direction = "LEFT"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
func.func @bit_shift(%a: tensor<4xui8>, %b: tensor<4xui8>) {
  %r = nn.bit_shift %a, %b {direction = "LEFT"} : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  func.return
}

// CHECK-LABEL: func.func @bitwise_and(
// CHECK-NEXT:    %r = nn.bitwise_and %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
func.func @bitwise_and(%a: tensor<2x3xi32>, %b: tensor<3xi32>) {
  %r = nn.bitwise_and %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  func.return
}

// CHECK-LABEL: func.func @bitwise_not(
// CHECK-NEXT:    %r = nn.bitwise_not %x : tensor<2x3xi32>
func.func @bitwise_not(%x: tensor<2x3xi32>) {
  %r = nn.bitwise_not %x : tensor<2x3xi32>
  func.return
}

// CHECK-LABEL: func.func @bitwise_or(
// CHECK-NEXT:    %r = nn.bitwise_or %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
func.func @bitwise_or(%a: tensor<2x3xi32>, %b: tensor<3xi32>) {
  %r = nn.bitwise_or %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  func.return
}

// CHECK-LABEL: func.func @bitwise_xor(
// CHECK-NEXT:    %r = nn.bitwise_xor %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
func.func @bitwise_xor(%a: tensor<2x3xi32>, %b: tensor<3xi32>) {
  %r = nn.bitwise_xor %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  func.return
}

// CHECK-LABEL: func.func @cast(
// CHECK-NEXT:    %r = nn.cast %x {to = f16} : (tensor<2x3xf32>) -> tensor<2x3xf16>
func.func @cast(%x: tensor<2x3xf32>) {
  %r = nn.cast %x {to = f16} : (tensor<2x3xf32>) -> tensor<2x3xf16>
  func.return
}

// CHECK-LABEL: func.func @ceil(
// CHECK-NEXT:    %r = nn.ceil %x : tensor<2x3xf32>
func.func @ceil(%x: tensor<2x3xf32>) {
  %r = nn.ceil %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @celu(
// CHECK-NEXT:    %r = nn.celu %x {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
func.func @celu(%x: tensor<2x3xf32>) {
  %r = nn.celu %x {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @clip(
// CHECK-NEXT:    %r = nn.clip %x {min = 0.000000e+00 : f32, max = 6.000000e+00 : f32} : tensor<2x3xf32>
func.func @clip(%x: tensor<2x3xf32>) {
  %r = nn.clip %x {min = 0.000000e+00 : f32, max = 6.000000e+00 : f32} : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @concat(
// CHECK-NEXT:    %r = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x5x4xf32>
func.func @concat(%a: tensor<1x2x4xf32>, %b: tensor<1x3x4xf32>) {
  %r = nn.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x5x4xf32>
  func.return
}

// CHECK-LABEL: func.func @constant0(
// CHECK-NEXT:    %w = nn.constant dense_resource<conv1_w> : tensor<64x3x7x7xf32>
func.func @constant0() {
  %w = nn.constant dense_resource<conv1_w> : tensor<64x3x7x7xf32>
  func.return
}

// Splats of more than 16 elements print as splat<v>: xDSL's dense<v> parser would expand
// every element (the model zoo's 100M-element fills); dense<v> input is accepted too.
// CHECK-LABEL: func.func @constant_splat(
// CHECK-NEXT:    %a = nn.constant splat<2.000000e-02> : tensor<4096x25088xf32>
// CHECK-NEXT:    %b = nn.constant splat<-3> : tensor<40xi64>
// CHECK-NEXT:    %c = nn.constant splat<0x7FC00000> : tensor<20xf32>
// CHECK-NEXT:    %d = nn.constant splat<true> : tensor<30xi1>
// CHECK-NEXT:    %e = nn.constant splat<2.000000e+00> : tensor<17xf32>
func.func @constant_splat() {
  %a = nn.constant splat<2.000000e-02> : tensor<4096x25088xf32>
  %b = nn.constant dense<-3> : tensor<40xi64>
  %c = nn.constant splat<0x7FC00000> : tensor<20xf32>
  %d = nn.constant dense<true> : tensor<30xi1>
  %e = nn.constant splat<2> : tensor<17xf32>
  func.return
}

// CHECK-LABEL: func.func @constant1(
// CHECK-NEXT:    %s = nn.constant dense<1.000000e+00> : tensor<4xf32>
func.func @constant1() {
  %s = nn.constant dense<1.000000e+00> : tensor<4xf32>
  func.return
}

// CHECK-LABEL: func.func @conv(
// CHECK-NEXT:    %r = nn.conv %x, %w, %b {kernel_shape = array<i64: 7, 7>, strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
func.func @conv(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>, %b: tensor<64xf32>) {
  %r = nn.conv %x, %w, %b {kernel_shape = array<i64: 7, 7>, strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>, tensor<64xf32>) -> tensor<1x64x112x112xf32>
  func.return
}

// CHECK-LABEL: func.func @conv_transpose(
// CHECK-NEXT:    %r = nn.conv_transpose %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x8x8xf32>
func.func @conv_transpose(%x: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) {
  %r = nn.conv_transpose %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, output_padding = array<i64: 1, 1>} : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  func.return
}

// CHECK-LABEL: func.func @cos(
// CHECK-NEXT:    %r = nn.cos %x : tensor<2x3xf32>
func.func @cos(%x: tensor<2x3xf32>) {
  %r = nn.cos %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @cosh(
// CHECK-NEXT:    %r = nn.cosh %x : tensor<2x3xf32>
func.func @cosh(%x: tensor<2x3xf32>) {
  %r = nn.cosh %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @cum_sum(
// CHECK-NEXT:    %r = nn.cum_sum %x {axis = 0 : i64, exclusive = 0 : i64, reverse = 0 : i64} : tensor<5xf32>
func.func @cum_sum(%x: tensor<5xf32>) {
  %r = nn.cum_sum %x {axis = 0 : i64, exclusive = 0 : i64, reverse = 0 : i64} : tensor<5xf32>
  func.return
}

// CHECK-LABEL: func.func @depth_to_space(
// CHECK-NEXT:    %r = nn.depth_to_space %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
func.func @depth_to_space(%x: tensor<1x8x2x3xf32>) {
  %r = nn.depth_to_space %x {blocksize = 2 : i64, mode = "DCR"} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  func.return
}

// CHECK-LABEL: func.func @div(
// CHECK-NEXT:    %r = nn.div %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @div(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  %r = nn.div %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @dropout(
// CHECK-NEXT:    %r = nn.dropout %x : tensor<2x3xf32>
func.func @dropout(%x: tensor<2x3xf32>) {
  %r = nn.dropout %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @elu(
// CHECK-NEXT:    %r = nn.elu %x {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
func.func @elu(%x: tensor<2x3xf32>) {
  %r = nn.elu %x {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @equal(
// CHECK-NEXT:    %r = nn.equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
func.func @equal(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  %r = nn.equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  func.return
}

// CHECK-LABEL: func.func @erf(
// CHECK-NEXT:    %r = nn.erf %x : tensor<2x3xf32>
func.func @erf(%x: tensor<2x3xf32>) {
  %r = nn.erf %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @exp(
// CHECK-NEXT:    %r = nn.exp %x : tensor<2x3xf32>
func.func @exp(%x: tensor<2x3xf32>) {
  %r = nn.exp %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @expand(
// CHECK-NEXT:    %r = nn.expand %x {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
func.func @expand(%x: tensor<3x1xf32>) {
  %r = nn.expand %x {shape = array<i64: 2, 1, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  func.return
}

// CHECK-LABEL: func.func @flatten(
// CHECK-NEXT:    %r = nn.flatten %x {axis = 1 : i64} : (tensor<1x2048x1x1xf32>) -> tensor<1x2048xf32>
func.func @flatten(%x: tensor<1x2048x1x1xf32>) {
  %r = nn.flatten %x {axis = 1 : i64} : (tensor<1x2048x1x1xf32>) -> tensor<1x2048xf32>
  func.return
}

// CHECK-LABEL: func.func @floor(
// CHECK-NEXT:    %r = nn.floor %x : tensor<2x3xf32>
func.func @floor(%x: tensor<2x3xf32>) {
  %r = nn.floor %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @gather(
// CHECK-NEXT:    %r = nn.gather %data, %idx {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
func.func @gather(%data: tensor<5x4xf32>, %idx: tensor<2x3xi64>) {
  %r = nn.gather %data, %idx {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  func.return
}

// CHECK-LABEL: func.func @gather_elements(
// CHECK-NEXT:    %r = nn.gather_elements %data, %idx {axis = 1 : i64} : (tensor<3x3xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
func.func @gather_elements(%data: tensor<3x3xf32>, %idx: tensor<3x2xi64>) {
  %r = nn.gather_elements %data, %idx {axis = 1 : i64} : (tensor<3x3xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  func.return
}

// CHECK-LABEL: func.func @gelu(
// CHECK-NEXT:    %r = nn.gelu %x {approximate = "none"} : tensor<2x3xf32>
func.func @gelu(%x: tensor<2x3xf32>) {
  %r = nn.gelu %x {approximate = "none"} : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @gemm(
// CHECK-NEXT:    %r = nn.gemm %a, %b, %c {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = 0 : i64, trans_b = 1 : i64} : (tensor<1x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
func.func @gemm(%a: tensor<1x2048xf32>, %b: tensor<1000x2048xf32>, %c: tensor<1000xf32>) {
  %r = nn.gemm %a, %b, %c {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = 0 : i64, trans_b = 1 : i64} : (tensor<1x2048xf32>, tensor<1000x2048xf32>, tensor<1000xf32>) -> tensor<1x1000xf32>
  func.return
}

// CHECK-LABEL: func.func @global_average_pool(
// CHECK-NEXT:    %r = nn.global_average_pool %x : (tensor<1x2048x7x7xf32>) -> tensor<1x2048x1x1xf32>
func.func @global_average_pool(%x: tensor<1x2048x7x7xf32>) {
  %r = nn.global_average_pool %x : (tensor<1x2048x7x7xf32>) -> tensor<1x2048x1x1xf32>
  func.return
}

// CHECK-LABEL: func.func @global_max_pool(
// CHECK-NEXT:    %r = nn.global_max_pool %x : (tensor<1x2048x7x7xf32>) -> tensor<1x2048x1x1xf32>
func.func @global_max_pool(%x: tensor<1x2048x7x7xf32>) {
  %r = nn.global_max_pool %x : (tensor<1x2048x7x7xf32>) -> tensor<1x2048x1x1xf32>
  func.return
}

// CHECK-LABEL: func.func @greater(
// CHECK-NEXT:    %r = nn.greater %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
func.func @greater(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  %r = nn.greater %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  func.return
}

// CHECK-LABEL: func.func @greater_or_equal(
// CHECK-NEXT:    %r = nn.greater_or_equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
func.func @greater_or_equal(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  %r = nn.greater_or_equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  func.return
}

// CHECK-LABEL: func.func @hard_sigmoid(
// CHECK-NEXT:    %r = nn.hard_sigmoid %x {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<2x3xf32>
func.func @hard_sigmoid(%x: tensor<2x3xf32>) {
  %r = nn.hard_sigmoid %x {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32} : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @hard_swish(
// CHECK-NEXT:    %r = nn.hard_swish %x : tensor<2x3xf32>
func.func @hard_swish(%x: tensor<2x3xf32>) {
  %r = nn.hard_swish %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @hardmax(
// CHECK-NEXT:    %r = nn.hardmax %x {axis = 1 : i64} : tensor<2x10xf32>
func.func @hardmax(%x: tensor<2x10xf32>) {
  %r = nn.hardmax %x {axis = 1 : i64} : tensor<2x10xf32>
  func.return
}

// CHECK-LABEL: func.func @identity(
// CHECK-NEXT:    %r = nn.identity %x : tensor<2x3xf32>
func.func @identity(%x: tensor<2x3xf32>) {
  %r = nn.identity %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @instance_normalization(
// CHECK-NEXT:    %r = nn.instance_normalization %x, %scale, %b {epsilon = 1.000000e-05 : f32} : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
func.func @instance_normalization(%x: tensor<1x8x4x4xf32>, %scale: tensor<8xf32>, %b: tensor<8xf32>) {
  %r = nn.instance_normalization %x, %scale, %b {epsilon = 9.99999974E-6 : f32} : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  func.return
}

// CHECK-LABEL: func.func @is_inf(
// CHECK-NEXT:    %r = nn.is_inf %x {detect_negative = 1 : i64, detect_positive = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi1>
func.func @is_inf(%x: tensor<2x3xf32>) {
  %r = nn.is_inf %x {detect_negative = 1 : i64, detect_positive = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi1>
  func.return
}

// CHECK-LABEL: func.func @is_nan(
// CHECK-NEXT:    %r = nn.is_nan %x : (tensor<2x3xf32>) -> tensor<2x3xi1>
func.func @is_nan(%x: tensor<2x3xf32>) {
  %r = nn.is_nan %x : (tensor<2x3xf32>) -> tensor<2x3xi1>
  func.return
}

// CHECK-LABEL: func.func @layer_normalization(
// CHECK-NEXT:    %r = nn.layer_normalization %x, %scale, %b {axis = -1 : i64, epsilon = 1.000000e-05 : f32} : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
func.func @layer_normalization(%x: tensor<2x5x8xf32>, %scale: tensor<8xf32>, %b: tensor<8xf32>) {
  %r = nn.layer_normalization %x, %scale, %b {axis = -1 : i64, epsilon = 9.99999974E-6 : f32} : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  func.return
}

// CHECK-LABEL: func.func @leaky_relu(
// CHECK-NEXT:    %r = nn.leaky_relu %x {alpha = 1.000000e-01 : f32} : tensor<2x3xf32>
func.func @leaky_relu(%x: tensor<2x3xf32>) {
  %r = nn.leaky_relu %x {alpha = 1.000000e-01 : f32} : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @less(
// CHECK-NEXT:    %r = nn.less %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
func.func @less(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  %r = nn.less %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  func.return
}

// CHECK-LABEL: func.func @less_or_equal(
// CHECK-NEXT:    %r = nn.less_or_equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
func.func @less_or_equal(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  %r = nn.less_or_equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  func.return
}

// CHECK-LABEL: func.func @log(
// CHECK-NEXT:    %r = nn.log %x : tensor<2x3xf32>
func.func @log(%x: tensor<2x3xf32>) {
  %r = nn.log %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @log_softmax(
// CHECK-NEXT:    %r = nn.log_softmax %x {axis = 1 : i64} : tensor<2x10xf32>
func.func @log_softmax(%x: tensor<2x10xf32>) {
  %r = nn.log_softmax %x {axis = 1 : i64} : tensor<2x10xf32>
  func.return
}

// CHECK-LABEL: func.func @lp_pool(
// CHECK-NEXT:    %r = nn.lp_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64, p = 2 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
func.func @lp_pool(%x: tensor<1x8x4x4xf32>) {
  %r = nn.lp_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64, p = 2 : i64} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
  func.return
}

// CHECK-LABEL: func.func @lrn(
// CHECK-NEXT:    %r = nn.lrn %x {alpha = 1.000000e-04 : f32, beta = 7.500000e-01 : f32, bias = 1.000000e+00 : f32, size = 5 : i64} : tensor<1x64x56x56xf32>
func.func @lrn(%x: tensor<1x64x56x56xf32>) {
  %r = nn.lrn %x {alpha = 9.99999974E-5 : f32, beta = 7.500000e-01 : f32, bias = 1.000000e+00 : f32, size = 5 : i64} : tensor<1x64x56x56xf32>
  func.return
}

// CHECK-LABEL: func.func @mat_mul(
// CHECK-NEXT:    %r = nn.mat_mul %a, %b : (tensor<2x1x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32>
func.func @mat_mul(%a: tensor<2x1x4x8xf32>, %b: tensor<3x8x5xf32>) {
  %r = nn.mat_mul %a, %b : (tensor<2x1x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32>
  func.return
}

// CHECK-LABEL: func.func @max(
// CHECK-NEXT:    %r = nn.max %a, %b : (tensor<2x3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
func.func @max(%a: tensor<2x3xf32>, %b: tensor<1xf32>) {
  %r = nn.max %a, %b : (tensor<2x3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @max_pool(
// CHECK-NEXT:    %r = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
func.func @max_pool(%x: tensor<1x64x112x112xf32>) {
  %r = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  func.return
}

// CHECK-LABEL: func.func @mean(
// CHECK-NEXT:    %r = nn.mean %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @mean(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  %r = nn.mean %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @min(
// CHECK-NEXT:    %r = nn.min %a, %b : (tensor<2x3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
func.func @min(%a: tensor<2x3xf32>, %b: tensor<1xf32>) {
  %r = nn.min %a, %b : (tensor<2x3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @mish(
// CHECK-NEXT:    %r = nn.mish %x : tensor<2x3xf32>
func.func @mish(%x: tensor<2x3xf32>) {
  %r = nn.mish %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @mod(
// CHECK-NEXT:    %r = nn.mod %a, %b {fmod = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
func.func @mod(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  %r = nn.mod %a, %b {fmod = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @mul(
// CHECK-NEXT:    %r = nn.mul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @mul(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  %r = nn.mul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @neg(
// CHECK-NEXT:    %r = nn.neg %x : tensor<2x3xf32>
func.func @neg(%x: tensor<2x3xf32>) {
  %r = nn.neg %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @not(
// CHECK-NEXT:    %r = nn.not %x : tensor<2x3xi1>
func.func @not(%x: tensor<2x3xi1>) {
  %r = nn.not %x : tensor<2x3xi1>
  func.return
}

// CHECK-LABEL: func.func @one_hot(
// CHECK-NEXT:    %r = nn.one_hot %idx {axis = -1 : i64, depth = 4 : i64, values = array<f32: 0.000000e+00, 1.000000e+00>} : (tensor<3xi64>) -> tensor<3x4xf32>
func.func @one_hot(%idx: tensor<3xi64>) {
  %r = nn.one_hot %idx {axis = -1 : i64, depth = 4 : i64, values = array<f32: 0.000000e+00, 1.000000e+00>} : (tensor<3xi64>) -> tensor<3x4xf32>
  func.return
}

// CHECK-LABEL: func.func @or(
// CHECK-NEXT:    %r = nn.or %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
func.func @or(%a: tensor<2x3xi1>, %b: tensor<3xi1>) {
  %r = nn.or %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  func.return
}

// CHECK-LABEL: func.func @p_relu(
// CHECK-NEXT:    %r = nn.p_relu %x, %slope : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
func.func @p_relu(%x: tensor<1x8x4x4xf32>, %slope: tensor<8x1x1xf32>) {
  %r = nn.p_relu %x, %slope : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  func.return
}

// CHECK-LABEL: func.func @pad(
// CHECK-NEXT:    %r = nn.pad %x {pads = array<i64: 0, 1, 0, 1>, mode = "constant", constant_value = 0.000000e+00 : f32} : (tensor<2x3xf32>) -> tensor<2x5xf32>
func.func @pad(%x: tensor<2x3xf32>) {
  %r = nn.pad %x {pads = array<i64: 0, 1, 0, 1>, mode = "constant", constant_value = 0.000000e+00 : f32} : (tensor<2x3xf32>) -> tensor<2x5xf32>
  func.return
}

// CHECK-LABEL: func.func @pow(
// CHECK-NEXT:    %r = nn.pow %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
func.func @pow(%a: tensor<2x3xf32>, %b: tensor<f32>) {
  %r = nn.pow %a, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @reciprocal(
// CHECK-NEXT:    %r = nn.reciprocal %x : tensor<2x3xf32>
func.func @reciprocal(%x: tensor<2x3xf32>) {
  %r = nn.reciprocal %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @reduce_l1(
// CHECK-NEXT:    %r = nn.reduce_l1 %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
func.func @reduce_l1(%x: tensor<2x3xf32>) {
  %r = nn.reduce_l1 %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// CHECK-LABEL: func.func @reduce_l2(
// CHECK-NEXT:    %r = nn.reduce_l2 %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
func.func @reduce_l2(%x: tensor<2x3xf32>) {
  %r = nn.reduce_l2 %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// CHECK-LABEL: func.func @reduce_log_sum(
// CHECK-NEXT:    %r = nn.reduce_log_sum %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
func.func @reduce_log_sum(%x: tensor<2x3xf32>) {
  %r = nn.reduce_log_sum %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// CHECK-LABEL: func.func @reduce_log_sum_exp(
// CHECK-NEXT:    %r = nn.reduce_log_sum_exp %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
func.func @reduce_log_sum_exp(%x: tensor<2x3xf32>) {
  %r = nn.reduce_log_sum_exp %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// CHECK-LABEL: func.func @reduce_max(
// CHECK-NEXT:    %r = nn.reduce_max %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
func.func @reduce_max(%x: tensor<2x3xf32>) {
  %r = nn.reduce_max %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// CHECK-LABEL: func.func @reduce_mean(
// CHECK-NEXT:    %r = nn.reduce_mean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
func.func @reduce_mean(%x: tensor<2x3xf32>) {
  %r = nn.reduce_mean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// CHECK-LABEL: func.func @reduce_min(
// CHECK-NEXT:    %r = nn.reduce_min %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
func.func @reduce_min(%x: tensor<2x3xf32>) {
  %r = nn.reduce_min %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// CHECK-LABEL: func.func @reduce_prod(
// CHECK-NEXT:    %r = nn.reduce_prod %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
func.func @reduce_prod(%x: tensor<2x3xf32>) {
  %r = nn.reduce_prod %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// CHECK-LABEL: func.func @reduce_sum(
// CHECK-NEXT:    %r = nn.reduce_sum %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
func.func @reduce_sum(%x: tensor<2x3xf32>) {
  %r = nn.reduce_sum %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// CHECK-LABEL: func.func @reduce_sum_square(
// CHECK-NEXT:    %r = nn.reduce_sum_square %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
func.func @reduce_sum_square(%x: tensor<2x3xf32>) {
  %r = nn.reduce_sum_square %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  func.return
}

// CHECK-LABEL: func.func @relu(
// CHECK-NEXT:    %r = nn.relu %x : tensor<2x3xf32>
func.func @relu(%x: tensor<2x3xf32>) {
  %r = nn.relu %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @reshape(
// CHECK-NEXT:    %r = nn.reshape %x {shape = array<i64: 1, 2048>} : (tensor<1x2048x1x1xf32>) -> tensor<1x2048xf32>
func.func @reshape(%x: tensor<1x2048x1x1xf32>) {
  %r = nn.reshape %x {shape = array<i64: 1, 2048>} : (tensor<1x2048x1x1xf32>) -> tensor<1x2048xf32>
  func.return
}

// CHECK-LABEL: func.func @resize(
// CHECK-NEXT:    %r = nn.resize %x {mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.000000e+00 : f32, scales = array<f32: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>, sizes = array<i64>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
func.func @resize(%x: tensor<1x3x4x4xf32>) {
  %r = nn.resize %x {mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.000000e+00 : f32, scales = array<f32: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>, sizes = array<i64>} : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  func.return
}

// CHECK-LABEL: func.func @round(
// CHECK-NEXT:    %r = nn.round %x : tensor<2x3xf32>
func.func @round(%x: tensor<2x3xf32>) {
  %r = nn.round %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @selu(
// CHECK-NEXT:    %r = nn.selu %x {alpha = 1.673260e+00 : f32, gamma = 1.050700e+00 : f32} : tensor<2x3xf32>
func.func @selu(%x: tensor<2x3xf32>) {
  %r = nn.selu %x {alpha = 1.673260e+00 : f32, gamma = 1.050700e+00 : f32} : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @sigmoid(
// CHECK-NEXT:    %r = nn.sigmoid %x : tensor<2x3xf32>
func.func @sigmoid(%x: tensor<2x3xf32>) {
  %r = nn.sigmoid %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @sign(
// CHECK-NEXT:    %r = nn.sign %x : tensor<2x3xf32>
func.func @sign(%x: tensor<2x3xf32>) {
  %r = nn.sign %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @sin(
// CHECK-NEXT:    %r = nn.sin %x : tensor<2x3xf32>
func.func @sin(%x: tensor<2x3xf32>) {
  %r = nn.sin %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @sinh(
// CHECK-NEXT:    %r = nn.sinh %x : tensor<2x3xf32>
func.func @sinh(%x: tensor<2x3xf32>) {
  %r = nn.sinh %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @slice(
// CHECK-NEXT:    %r = nn.slice %x {starts = array<i64: 1>, ends = array<i64: 3>, axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<2x4xf32>) -> tensor<2x2xf32>
func.func @slice(%x: tensor<2x4xf32>) {
  %r = nn.slice %x {starts = array<i64: 1>, ends = array<i64: 3>, axes = array<i64: 1>, steps = array<i64: 1>} : (tensor<2x4xf32>) -> tensor<2x2xf32>
  func.return
}

// CHECK-LABEL: func.func @softmax(
// CHECK-NEXT:    %r = nn.softmax %x {axis = -1 : i64} : tensor<2x10xf32>
func.func @softmax(%x: tensor<2x10xf32>) {
  %r = nn.softmax %x {axis = -1 : i64} : tensor<2x10xf32>
  func.return
}

// CHECK-LABEL: func.func @softplus(
// CHECK-NEXT:    %r = nn.softplus %x : tensor<2x3xf32>
func.func @softplus(%x: tensor<2x3xf32>) {
  %r = nn.softplus %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @softsign(
// CHECK-NEXT:    %r = nn.softsign %x : tensor<2x3xf32>
func.func @softsign(%x: tensor<2x3xf32>) {
  %r = nn.softsign %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @space_to_depth(
// CHECK-NEXT:    %r = nn.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
func.func @space_to_depth(%x: tensor<1x2x4x6xf32>) {
  %r = nn.space_to_depth %x {blocksize = 2 : i64} : (tensor<1x2x4x6xf32>) -> tensor<1x8x2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @split(
// CHECK-NEXT:    %r, %r_1 = nn.split %x {axis = 1 : i64, split = array<i64: 2, 4>} : (tensor<1x6xf32>) -> (tensor<1x2xf32>, tensor<1x4xf32>)
func.func @split(%x: tensor<1x6xf32>) {
  %r:2 = nn.split %x {axis = 1 : i64, split = array<i64: 2, 4>} : (tensor<1x6xf32>) -> (tensor<1x2xf32>, tensor<1x4xf32>)
  func.return
}

// CHECK-LABEL: func.func @sqrt(
// CHECK-NEXT:    %r = nn.sqrt %x : tensor<2x3xf32>
func.func @sqrt(%x: tensor<2x3xf32>) {
  %r = nn.sqrt %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @squeeze(
// CHECK-NEXT:    %r = nn.squeeze %x {axes = array<i64: 2, 3>} : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
func.func @squeeze(%x: tensor<1x8x1x1xf32>) {
  %r = nn.squeeze %x {axes = array<i64: 2, 3>} : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  func.return
}

// CHECK-LABEL: func.func @sub(
// CHECK-NEXT:    %r = nn.sub %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @sub(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  %r = nn.sub %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @sum(
// CHECK-NEXT:    %r = nn.sum %a, %b, %c : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @sum(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %c: tensor<3xf32>) {
  %r = nn.sum %a, %b, %c : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @tan(
// CHECK-NEXT:    %r = nn.tan %x : tensor<2x3xf32>
func.func @tan(%x: tensor<2x3xf32>) {
  %r = nn.tan %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @tanh(
// CHECK-NEXT:    %r = nn.tanh %x : tensor<2x3xf32>
func.func @tanh(%x: tensor<2x3xf32>) {
  %r = nn.tanh %x : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @thresholded_relu(
// CHECK-NEXT:    %r = nn.thresholded_relu %x {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
func.func @thresholded_relu(%x: tensor<2x3xf32>) {
  %r = nn.thresholded_relu %x {alpha = 1.000000e+00 : f32} : tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @tile(
// CHECK-NEXT:    %r = nn.tile %x {repeats = array<i64: 2, 1>} : (tensor<2x3xf32>) -> tensor<4x3xf32>
func.func @tile(%x: tensor<2x3xf32>) {
  %r = nn.tile %x {repeats = array<i64: 2, 1>} : (tensor<2x3xf32>) -> tensor<4x3xf32>
  func.return
}

// CHECK-LABEL: func.func @top_k(
// CHECK-NEXT:    %v, %i = nn.top_k %x {axis = -1 : i64, k = 3 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
func.func @top_k(%x: tensor<2x10xf32>) {
  %v, %i = nn.top_k %x {axis = -1 : i64, k = 3 : i64, largest = 1 : i64, sorted = 1 : i64} : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
  func.return
}

// CHECK-LABEL: func.func @transpose(
// CHECK-NEXT:    %r = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x4x5xf32>) -> tensor<1x4x5x8xf32>
func.func @transpose(%x: tensor<1x8x4x5xf32>) {
  %r = nn.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x4x5xf32>) -> tensor<1x4x5x8xf32>
  func.return
}

// CHECK-LABEL: func.func @trilu(
// CHECK-NEXT:    %r = nn.trilu %x {upper = 1 : i64, k = 0 : i64} : tensor<4x4xf32>
func.func @trilu(%x: tensor<4x4xf32>) {
  %r = nn.trilu %x {upper = 1 : i64, k = 0 : i64} : tensor<4x4xf32>
  func.return
}

// CHECK-LABEL: func.func @unsqueeze(
// CHECK-NEXT:    %r = nn.unsqueeze %x {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<1x3xf32>
func.func @unsqueeze(%x: tensor<3xf32>) {
  %r = nn.unsqueeze %x {axes = array<i64: 0>} : (tensor<3xf32>) -> tensor<1x3xf32>
  func.return
}

// CHECK-LABEL: func.func @where(
// CHECK-NEXT:    %r = nn.where %c, %x, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
func.func @where(%c: tensor<2x3xi1>, %x: tensor<2x3xf32>, %y: tensor<f32>) {
  %r = nn.where %c, %x, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  func.return
}

// CHECK-LABEL: func.func @xor(
// CHECK-NEXT:    %r = nn.xor %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
func.func @xor(%a: tensor<2x3xi1>, %b: tensor<3xi1>) {
  %r = nn.xor %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  func.return
}

// Edge cases of the formats: a one-piece split, rank-0 tensors, i1/i64 literals, an
// unsigned cast target and infinite clip bounds (printed as f32 bit patterns).
// CHECK-LABEL: func.func @edge_cases(
// CHECK-NEXT:    %r = nn.split %x {axis = 1 : i64, split = array<i64: 6>} : (tensor<1x6xf32>) -> tensor<1x6xf32>
// CHECK-NEXT:    %a = nn.add %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
// CHECK-NEXT:    %n = nn.not %c : tensor<i1>
// CHECK-NEXT:    %k = nn.constant dense<[true, false]> : tensor<2xi1>
// CHECK-NEXT:    %i = nn.constant dense<[1, 2, 3]> : tensor<3xi64>
// CHECK-NEXT:    %q = nn.cast %x {to = ui8} : (tensor<1x6xf32>) -> tensor<1x6xui8>
// CHECK-NEXT:    %m = nn.clip %x {min = 0xff800000 : f32, max = 0x7f800000 : f32} : tensor<1x6xf32>
func.func @edge_cases(%x: tensor<1x6xf32>, %s: tensor<f32>, %c: tensor<i1>) {
  %r = nn.split %x {axis = 1 : i64, split = array<i64: 6>} : (tensor<1x6xf32>) -> tensor<1x6xf32>
  %a = nn.add %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %n = nn.not %c : tensor<i1>
  %k = nn.constant dense<[true, false]> : tensor<2xi1>
  %i = nn.constant dense<[1, 2, 3]> : tensor<3xi64>
  %q = nn.cast %x {to = ui8} : (tensor<1x6xf32>) -> tensor<1x6xui8>
  %m = nn.clip %x {min = 0xFF800000 : f32, max = 0x7F800000 : f32} : tensor<1x6xf32>
  func.return
}
