#!/usr/bin/env python3
"""PyTorch/Diffusers baseline for `fastvideo-onnx bench run`: the whole guided text-to-video run of Wan2.1-T2V-1.3B
(random weights in the real configurations, UMT5-XXL text encoder, fp32 VAE as Diffusers runs it) at 480x832, 81 frames,
50 steps, guidance 5.0, on one GPU. Prints one JSON line: wall time, the denoising loop's time and the peak GPU memory
(torch's allocator, allocated and reserved; and device-level, sampled with cudaMemGetInfo above the value before the
models were created, as our benchmark measures itself).

usage: PYTHONPATH=<diffusers src> python3 torch_wan_t2v.py CONFIG_DIR TOKENIZER_DIR [--steps 50]
CONFIG_DIR: models/configs/wan2.1-t2v-1.3b of this repository; TOKENIZER_DIR: any T5 tokenizer folder (ids only need
to be valid; the tiny model's is used so nothing is downloaded).
"""
import json, sys, time, argparse
import torch
from diffusers import WanPipeline, WanTransformer3DModel, AutoencoderKLWan, UniPCMultistepScheduler
from transformers import UMT5Config, UMT5EncoderModel, T5TokenizerFast
from device_memory import DevicePeak, used

p = argparse.ArgumentParser()
p.add_argument("config_dir"); p.add_argument("tokenizer_dir"); p.add_argument("--steps", type=int, default=50)
a = p.parse_args()
torch.set_grad_enabled(False)
load = lambda c: json.load(open(f"{a.config_dir}/{c}/config.json"))
tcfg = {k: v for k, v in load("transformer").items() if not k.startswith("_")}
vcfg = {k: v for k, v in load("vae").items() if not k.startswith("_")}
ecfg = {k: v for k, v in load("text_encoder").items() if k not in ("architectures",)}
torch.zeros(1, device="cuda")
baseline = used()
with torch.device("cuda"):
    transformer = WanTransformer3DModel(**tcfg).to(torch.bfloat16).eval()
    vae = AutoencoderKLWan(**vcfg).to(torch.float32).eval()
    text_encoder = UMT5EncoderModel(UMT5Config(**ecfg)).to(torch.bfloat16).eval()
scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0,
                                    num_train_timesteps=1000, solver_order=2, predict_x0=True, solver_type="bh2",
                                    lower_order_final=True, final_sigmas_type="zero")
tokenizer = T5TokenizerFast.from_pretrained(a.tokenizer_dir)
pipe = WanPipeline(tokenizer=tokenizer, text_encoder=text_encoder, transformer=transformer, vae=vae, scheduler=scheduler)
prompt = "A red fox runs through fresh snow at sunrise, cinematic lighting."
step_times = []
def on_step(p, i, t, kw):
    step_times.append(time.perf_counter()); return kw
def run(steps, timed):
    torch.cuda.synchronize(); start = time.perf_counter()
    pipe(prompt=prompt, negative_prompt="", height=480, width=832, num_frames=81, num_inference_steps=steps, guidance_scale=5.0,
         generator=torch.Generator("cpu").manual_seed(0), output_type="np", callback_on_step_end=on_step if timed else None)
    torch.cuda.synchronize(); return time.perf_counter() - start
run(2, False)   # warm-up: kernels, cuDNN/cuBLAS handles
torch.cuda.reset_peak_memory_stats()
step_times.clear()
device_peak = DevicePeak()
t0 = time.perf_counter()
total = run(a.steps, True)
device_peak.stop()
print(json.dumps({"what": "wan1.3b_t2v_e2e", "height": 480, "width": 832, "frames": 81, "steps": a.steps, "guidance": 5.0,
                  "transformer": "bf16", "vae": "fp32", "text_encoder": "bf16", "total_s": round(total, 2),
                  "denoise_s": round(step_times[-1] - t0, 2) if step_times else None,
                  "peak_allocated_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2),
                  "peak_reserved_gib": round(torch.cuda.max_memory_reserved() / 2**30, 2),
                  "peak_device_gib": round((device_peak.peak - baseline) / 2**30, 2),
                  "gpu": torch.cuda.get_device_name(), "torch": torch.__version__}), flush=True)
