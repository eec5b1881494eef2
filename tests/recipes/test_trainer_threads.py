"""trainer.set_threads caps OpenBLAS's own thread pool, not only PyTorch's.

Without the cap, Debian's OpenBLAS (pthread build) keeps one pool thread per core, and with
a busy second core every small LSTM GEMM of a 1-thread training run waits on it (measured:
31 ms instead of 0.6 ms per matmul). Skips without python3-torch or without OpenBLAS."""
import os
import unittest

try:
    import torch
except ImportError:
    torch = None


@unittest.skipUnless(torch is not None, "python3-torch not installed")
class SetThreadsTest(unittest.TestCase):
    def test_openblas_pool_follows_threads(self):
        from models.recipes.common import trainer
        before = torch.get_num_threads()
        try:
            got = trainer.set_threads(1)
            if got is None:
                self.skipTest("the loaded BLAS is not OpenBLAS")
            self.assertEqual(got, 1)
            self.assertEqual(torch.get_num_threads(), 1)
            if (os.cpu_count() or 1) >= 2:
                self.assertEqual(trainer.set_blas_threads(2), 2)
            self.assertEqual(trainer.set_threads(1), 1)
        finally:
            torch.set_num_threads(before)


if __name__ == "__main__":
    unittest.main()
