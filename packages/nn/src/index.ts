// @slope/nn: modules, layers, initializers, losses and weights, with PyTorch's names and defaults.
