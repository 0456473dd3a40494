"""Device-level GPU memory for the PyTorch baselines, measured the way `fastvideo-onnx bench run` measures itself: the
device's used memory (cudaMemGetInfo), sampled on a thread every millisecond, so torch's cached blocks, cuBLAS/cuDNN
workspaces and the kernels CUDA loads on first use all count."""
import threading, time
import torch


def used():
    free, total = torch.cuda.mem_get_info()
    return total - free


class DevicePeak:
    """Samples the device's used memory on a thread from construction to `stop()`, which returns the largest value seen."""
    def __init__(self):
        self.peak = used(); self._stop = False
        self._thread = threading.Thread(target=self._sample, daemon=True); self._thread.start()

    def _sample(self):
        while not self._stop:
            self.peak = max(self.peak, used()); time.sleep(0.001)

    def stop(self):
        self._stop = True; self._thread.join(); self.peak = max(self.peak, used()); return self.peak
