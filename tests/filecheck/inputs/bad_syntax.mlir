func.func @f() {
  %0 = nn.relu 3 : tensor<2xf32>
}
