func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %r = nn.relu %y : tensor<2xf32>
  func.return %r : tensor<2xf32>
}
