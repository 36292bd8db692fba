"""Image data for training and for zero-shot mini-batches (Fashion-MNIST, the CIFAR-10 subset, synthetic)."""
