#!/usr/bin/env python3
"""PyTorch/Diffusers baseline for `fastvideo-onnx bench run`, component by component, measured the way our benchmark
measures itself: besides CUDA-event times and torch's allocator peaks (allocated, reserved), the device-level peak
(used GPU memory sampled with cudaMemGetInfo every millisecond, minus the value before the component was created), which
also counts cuBLAS/cuDNN workspaces and the kernels CUDA loads on first use.

Same models and sizes as ../shared/bench/bench_torch.py: Wan2.1-T2V-1.3B transformer (bf16, batch 1 and 2, 21x60x104
latents, 512 text tokens), Wan VAE decode of 21x60x104 latents (fp32 and bf16), UMT5-XXL encoder at 512 tokens (bf16);
random weights. Prints one JSON line per measurement.

usage: PYTHONPATH=<diffusers src> python3 torch_components.py [dit] [vae] [t5]
"""
import sys
import torch
from diffusers import WanTransformer3DModel, AutoencoderKLWan
from transformers import UMT5Config, UMT5EncoderModel
from device_memory import DevicePeak
from bench_common import emit, fresh_baseline, timed

torch.set_grad_enabled(False)
which = sys.argv[1:] or ["dit", "vae", "t5"]


def measure(baseline, fn, reps=5, warm=2, **kw):
    """bench_common's measurement, with this script's JSON line (no run count: the earlier baselines' format)."""
    torch.cuda.reset_peak_memory_stats()
    peak = DevicePeak()
    mn, md = timed(fn, reps, warm)
    emit(baseline, peak.stop(), **kw, min_ms=round(mn, 2), median_ms=round(md, 2))


torch.zeros(1, device="cuda")  # the CUDA context exists before any baseline, as in our benchmark
dt = torch.bfloat16
if "dit" in which:
    base = fresh_baseline()
    with torch.device("cuda"):
        m = WanTransformer3DModel(num_attention_heads=12, attention_head_dim=128, ffn_dim=8960, num_layers=30,
                                  text_dim=4096, in_channels=16, out_channels=16).to(dt).eval()
    for b in (1, 2):
        x = torch.randn(b, 16, 21, 60, 104, device="cuda", dtype=dt)
        txt = torch.randn(b, 512, 4096, device="cuda", dtype=dt); t = torch.full((b,), 999, device="cuda")
        measure(base, lambda: m(hidden_states=x, timestep=t, encoder_hidden_states=txt, return_dict=False),
                what="wan1.3b_dit_forward", batch=b, dtype="bf16")
        del x, txt, t
    del m
if "vae" in which:
    for d in (torch.bfloat16, torch.float32):
        base = fresh_baseline()
        with torch.device("cuda"):
            v = AutoencoderKLWan().to(d).eval()
        z = torch.randn(1, 16, 21, 60, 104, device="cuda", dtype=d)
        measure(base, lambda: v.decode(z, return_dict=False), reps=2, warm=1,
                what="wan_vae_decode_81x480x832", dtype=str(d).split(".")[-1])
        del v, z
if "t5" in which:
    base = fresh_baseline()
    cfg = UMT5Config(vocab_size=256384, d_model=4096, d_kv=64, d_ff=10240, num_layers=24, num_heads=64,
                     relative_attention_num_buckets=32, relative_attention_max_distance=128,
                     feed_forward_proj="gated-gelu", tie_word_embeddings=False)
    with torch.device("cuda"):
        te = UMT5EncoderModel(cfg).to(dt).eval()
    ids = torch.randint(0, 256000, (1, 512), device="cuda"); mask = torch.ones_like(ids)
    measure(base, lambda: te(input_ids=ids, attention_mask=mask), what="umt5xxl_encoder_512", dtype="bf16")
