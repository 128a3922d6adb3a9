// Import of small ONNX models (written by scripts/make_test_models.py) into nn IR.

// Conv + BatchNormalization + Relu + MaxPool: auto_pad SAME_UPPER becomes explicit pads,
// every default is a property, the 216-float weight is a dense_resource named after the
// initializer, the 8-float bias is an inline dense, node names are locations.
// RUN: vexa-translate --import-onnx %inputs/conv_bn_relu.onnx --debuginfo | filecheck %s --check-prefix=CONV
// CONV:      func.func @main(%{{.*}}: tensor<1x3x16x16xf32> {nn.name = "x"}{{.*}}) -> tensor<1x8x4x4xf32> attributes {nn.output_names = ["y"]}
// CONV-NEXT:   %[[W:.*]] = nn.constant dense_resource<conv1.weight> : tensor<8x3x3x3xf32> loc("conv1.weight")
// CONV-NEXT:   %[[B:.*]] = nn.constant dense<[{{.*}}]> : tensor<8xf32> loc("conv1.bias")
// CONV-NEXT:   %[[C:.*]] = nn.conv %{{.*}}, %[[W]], %[[B]] {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32> loc("conv1")
// CONV:        %[[BN:.*]] = nn.batch_normalization %[[C]], {{.*}} {epsilon = 1.000000e-03 : f32} {{.*}} loc("bn1")
// CONV-NEXT:   %[[R:.*]] = nn.relu %[[BN]] : tensor<1x8x8x8xf32> loc("relu1")
// CONV-NEXT:   %[[P:.*]] = nn.max_pool %[[R]] {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = 0 : i64} : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32> loc("pool1")
// CONV-NEXT:   func.return %[[P]] : tensor<1x8x4x4xf32>

// Gemm at opset 11: transA/transB become trans_a/trans_b, the optional C is absent in
// the second Gemm; unnamed nodes are located as <op_type>_<index>.
// RUN: vexa-translate --import-onnx %inputs/gemm.onnx --debuginfo | filecheck %s --check-prefix=GEMM
// GEMM:      %[[F:.*]] = nn.flatten %{{.*}} {axis = 1 : i64} : (tensor<2x3x4x4xf32>) -> tensor<2x48xf32> loc("Flatten_0")
// GEMM:      %[[H:.*]] = nn.gemm %[[F]], %{{.*}}, %{{.*}} {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = 0 : i64, trans_b = 1 : i64} : (tensor<2x48xf32>, tensor<32x48xf32>, tensor<32xf32>) -> tensor<2x32xf32> loc("Gemm_1")
// GEMM-NEXT: %[[HR:.*]] = nn.relu %[[H]] : tensor<2x32xf32> loc("Relu_2")
// GEMM-NEXT: %[[W2:.*]] = nn.constant dense_resource<fc2_w> : tensor<32x10xf32>
// GEMM-NEXT: %{{.*}} = nn.gemm %[[HR]], %[[W2]] {alpha = 5.000000e-01 : f32, beta = 1.000000e+00 : f32, trans_a = 0 : i64, trans_b = 0 : i64} : (tensor<2x32xf32>, tensor<32x10xf32>) -> tensor<2x10xf32> loc("Gemm_3")

// A Shape -> Gather -> Unsqueeze -> Concat subgraph folds into Reshape's explicit shape;
// Reshape 0 (copy) and -1 (infer) are resolved: no shape op is left.
// RUN: vexa-translate --import-onnx %inputs/reshape_shape.onnx | filecheck %s --check-prefix=RESHAPE
// RESHAPE:      func.func @main(%[[X:.*]]: tensor<2x3x4xf32> {nn.name = "x"}) -> (tensor<2x12xf32>, tensor<2x6x2xf32>) attributes {nn.output_names = ["flat", "pairs"]} {
// RESHAPE-NEXT:   %[[A:.*]] = nn.reshape %[[X]] {shape = array<i64: 2, 12>} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
// RESHAPE-NEXT:   %[[B:.*]] = nn.reshape %[[X]] {shape = array<i64: 2, 6, 2>} : (tensor<2x3x4xf32>) -> tensor<2x6x2xf32>
// RESHAPE-NEXT:   func.return %[[A]], %[[B]]
// RESHAPE-NOT:  nn.constant

// Softmax(axis = 1) on a rank-3 input: at opset 11 it normalises over the coerced 2-D
// rows (flatten, softmax, reshape back); at opset 13 over dim 1 only.
// RUN: vexa-translate --import-onnx %inputs/softmax_opset11.onnx | filecheck %s --check-prefix=SM11
// SM11:      %[[F:.*]] = nn.flatten %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
// SM11-NEXT: %[[S:.*]] = nn.softmax %[[F]] {axis = 1 : i64} : tensor<2x12xf32>
// SM11-NEXT: %[[R:.*]] = nn.reshape %[[S]] {shape = array<i64: 2, 3, 4>} : (tensor<2x12xf32>) -> tensor<2x3x4xf32>
// SM11-NEXT: func.return %[[R]]
// RUN: vexa-translate --import-onnx %inputs/softmax_opset13.onnx | filecheck %s --check-prefix=SM13
// SM13:      %[[S:.*]] = nn.softmax %{{.*}} {axis = 1 : i64} : tensor<2x3x4xf32>
// SM13-NEXT: func.return %[[S]]

// Constants: a 32-float initializer is a dense_resource, an 8-float Constant node an
// inline dense, ConstantOfShape a splat; the graph input 'bias_in' that is also an
// initializer is a constant, not a function argument.
// RUN: vexa-translate --import-onnx %inputs/constants.onnx --debuginfo | filecheck %s --check-prefix=CST
// CST:      func.func @main(%[[X:[^:]*]]: tensor<4x8xf32> {nn.name = "x"}{{[^,]*}}) -> tensor<4x8xf32>
// CST-NEXT:   %[[BIG:.*]] = nn.constant dense_resource<big> : tensor<4x8xf32> loc("big")
// CST-NEXT:   %[[M:.*]] = nn.mul %[[X]], %[[BIG]] {{.*}} loc("scale")
// CST-NEXT:   %[[SMALL:.*]] = nn.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]> : tensor<8xf32> loc("small_const")
// CST-NEXT:   %{{.*}} = nn.add %[[M]], %[[SMALL]]
// CST-NEXT:   %[[ONES:.*]] = nn.constant splat<1.000000e+00> : tensor<4x8xf32> loc("ones")
// CST-NEXT:   %{{.*}} = nn.add %{{.*}}, %[[ONES]]
// CST-NEXT:   %[[BIAS:.*]] = nn.constant dense<5.000000e-01> : tensor<8xf32> loc("bias_in")
// CST-NEXT:   %{{.*}} = nn.add %{{.*}}, %[[BIAS]] {{.*}} loc("bias")

// A dynamic dimension pinned on the command line.
// RUN: vexa-translate --import-onnx %inputs/bad_dynamic.onnx --input-shape x=2x3x8 | filecheck %s --check-prefix=PIN
// PIN: func.func @main(%{{.*}}: tensor<2x3x8xf32> {nn.name = "x"}) -> tensor<2x3x8xf32>

// The imported IR re-prints identically through vexa-opt (weights stay out of the text).
// RUN: vexa-translate --import-onnx %inputs/conv_bn_relu.onnx > %t.mlir
// RUN: vexa-opt %t.mlir | diff - %t.mlir
// RUN: vexa-translate --import-onnx %inputs/constants.onnx --debuginfo > %t.dbg.mlir
// RUN: vexa-opt --print-debuginfo %t.dbg.mlir | diff - %t.dbg.mlir

// -o writes the IR and the weights side file, which vexa-run picks up beside the IR.
// RUN: rm -f %t.out.npz && vexa-translate --import-onnx %inputs/gemm.onnx -o %t.out.mlir
// RUN: %python -c "import numpy as np, sys; d = np.load(sys.argv[1]); print(sorted(d.files), d['fc1_w'].shape)" %t.out.npz | filecheck %s --check-prefix=NPZ
// NPZ: ['fc1_b', 'fc1_w', 'fc2_w'] (32, 48)
// RUN: vexa-run %t.out.mlir --random-inputs | filecheck %s --check-prefix=OUT
// OUT: y: tensor<2x10xf32> [{{.*}}]  min {{.*}} max {{.*}} mean

// vexa-opt attaches the side file to the parsed module and, with -o, writes it beside
// its output, so the result stays runnable.
// RUN: rm -f %t.opt.npz && vexa-opt %t.out.mlir -o %t.opt.mlir
// RUN: vexa-run %t.opt.mlir --random-inputs | filecheck %s --check-prefix=OUT
