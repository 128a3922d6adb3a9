// A pass that creates the first weights of a module whose text had none (linear Resize
// makes its tap weights): vexa-opt prints them (it once failed with an internal
// AssertionError in the printer) and, with -o, writes their bytes beside the output.
// RUN: vexa-opt %s -p 'convert-nn-to-tile{element-types=all}' | filecheck %s
// RUN: rm -f %t.npz
// RUN: vexa-opt %s -p 'convert-nn-to-tile{element-types=all}' -o %t.mlir
// RUN: test -f %t.npz

// CHECK: tile.constant dense_resource<nn_resize_ax1_w0> : tensor<1x8xf32>
func.func @resize_linear(%x: tensor<1x4xf32>) -> tensor<1x8xf32> {
  %r = nn.resize %x {mode = "linear", coordinate_transformation_mode = "half_pixel", nearest_mode = "floor", cubic_coeff_a = -7.500000e-01 : f32, exclude_outside = 0 : i64, extrapolation_value = 0.000000e+00 : f32, scales = array<f32: 1.000000e+00, 2.000000e+00>, sizes = array<i64>} : (tensor<1x4xf32>) -> tensor<1x8xf32>
  func.return %r : tensor<1x8xf32>
}
