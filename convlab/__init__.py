"""convlab: autograded convolution labs (reference kernels, sandbox, grading service)."""
