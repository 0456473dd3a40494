#!/usr/bin/env python3
"""PyTorch/Diffusers baseline for `fastvideo-onnx bench run --config-dir models/configs/wan2.2-ti2v-5b` (also takes the
wan2.2-t2v-a14b folder): random weights in the folder's configs, same sizes and JSON line format as torch_components.py.
  dit  WanTransformer3DModel forward (bf16, batch 1 and 2, 512 text tokens); for an expand_timesteps model (TI2V-5B)
       the timestep is [B, S], one value per latent token, built as WanPipeline builds it (mask[0][0][:, ::2, ::2] * t).
  vae  AutoencoderKLWan decode of the video's latents (the Wan2.2 VAE: 16x spatial, z 48), bf16 and fp32; bf16 also
       with the video copied to the host as float32 (video_on).
  e2e  WanPipeline text-to-video (expand_timesteps and boundary_ratio from model_index.json; A14B's transformer_2),
       fp32 VAE as Diffusers runs it, guidance 5, after a 2-step warm-up; total, denoising and decoding seconds.
usage: PYTHONPATH=<diffusers src> python3 torch_wan22.py CONFIG_DIR TOKENIZER_DIR [dit] [vae] [e2e]
         [--height 704 --width 1280 --frames 121 --steps 50 --text-tokens 512 --vae-dtypes bf16,fp32]
TOKENIZER_DIR: any T5 tokenizer folder (ids only need to be valid): models/tiny/wan-t2v-tiny/tokenizer."""
import argparse, json, time
import torch
from diffusers import WanPipeline, WanTransformer3DModel, AutoencoderKLWan, UniPCMultistepScheduler
from transformers import UMT5Config, UMT5EncoderModel, T5TokenizerFast
from bench_common import config, fresh_baseline, measure, measure_decode, measure_run, step_clock, start_cuda, PROMPT

p = argparse.ArgumentParser()
p.add_argument("config_dir"); p.add_argument("tokenizer_dir"); p.add_argument("parts", nargs="*", default=["dit", "vae", "e2e"])
p.add_argument("--height", type=int, default=704); p.add_argument("--width", type=int, default=1280)
p.add_argument("--frames", type=int, default=121); p.add_argument("--steps", type=int, default=50)
p.add_argument("--text-tokens", type=int, default=512); p.add_argument("--vae-dtypes", default="bf16,fp32")
a = p.parse_args()
start_cuda()
bf16 = torch.bfloat16
DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
index = json.load(open(f"{a.config_dir}/model_index.json"))
tcfg, vcfg = config(a.config_dir, "transformer"), config(a.config_dir, "vae")
per_token = bool(index.get("expand_timesteps"))
st, ss = vcfg.get("scale_factor_temporal", 4), vcfg.get("scale_factor_spatial", 8)
f, h, w = (a.frames - 1) // st + 1, a.height // ss, a.width // ss
pt, ph, pw = tcfg.get("patch_size", [1, 2, 2])
tokens = f // pt * (h // ph) * (w // pw)
name = a.config_dir.rstrip("/").split("/")[-1]
size = dict(height=a.height, width=a.width, frames=a.frames, latents=[f, h, w])

if "dit" in a.parts:
    base = fresh_baseline()
    with torch.device("cuda"):
        m = WanTransformer3DModel(**tcfg).to(bf16).eval()
    for b in (1, 2):
        x = torch.randn(b, tcfg["in_channels"], f, h, w, device="cuda", dtype=bf16)
        txt = torch.randn(b, a.text_tokens, tcfg.get("text_dim", 4096), device="cuda", dtype=bf16)
        t = torch.tensor(999.0, device="cuda")
        if per_token:  # WanPipeline: temp_ts = (mask[0][0][:, ::2, ::2] * t).flatten(); timestep = temp_ts.unsqueeze(0).expand(B, -1)
            mask = torch.ones(1, tcfg["in_channels"], f, h, w, device="cuda", dtype=torch.float32)
            ts = (mask[0][0][:, ::2, ::2] * t).flatten().unsqueeze(0).expand(b, -1)
        else:
            ts = t.expand(b)
        measure(base, lambda: m(hidden_states=x, timestep=ts, encoder_hidden_states=txt, return_dict=False),
                what=f"{name}_dit_forward", batch=b, dtype="bf16", tokens=tokens, text_tokens=a.text_tokens,
                timestep_shape=list(ts.shape), **size)
        del x, txt, ts
    del m

if "vae" in a.parts:
    for d in a.vae_dtypes.split(","):
        base = fresh_baseline()
        with torch.device("cuda"):
            v = AutoencoderKLWan(**vcfg).to(DTYPES[d]).eval()
        z = torch.randn(1, vcfg["z_dim"], f, h, w, device="cuda", dtype=DTYPES[d])
        # fp32 decodes of 121 frames at 704x1280 take long: one timed run after one warm-up
        # and fp32 with the video on the GPU only
        measure_decode(base, lambda: v.decode(z, return_dict=False), reps=2 if d != "fp32" else 1, warm=1,
                       places=("gpu",) if d == "fp32" else ("gpu", "host"), what=f"{name}_vae_decode", dtype=d, **size)
        del v, z

if "e2e" in a.parts:
    base = fresh_baseline()
    ecfg = config(a.config_dir, "text_encoder")
    with torch.device("cuda"):
        transformer = WanTransformer3DModel(**tcfg).to(bf16).eval()
        transformer_2 = (WanTransformer3DModel(**config(a.config_dir, "transformer_2")).to(bf16).eval()
                         if (index.get("transformer_2") or [None])[0] else None)
        vae = AutoencoderKLWan(**vcfg).to(torch.float32).eval()
        text_encoder = UMT5EncoderModel(UMT5Config(**ecfg)).to(bf16).eval()
    scheduler = UniPCMultistepScheduler.from_config(json.load(open(f"{a.config_dir}/scheduler/scheduler_config.json")))
    pipe = WanPipeline(tokenizer=T5TokenizerFast.from_pretrained(a.tokenizer_dir), text_encoder=text_encoder, vae=vae,
                       scheduler=scheduler, transformer=transformer, transformer_2=transformer_2,
                       boundary_ratio=index.get("boundary_ratio"), expand_timesteps=per_token)
    on_step, step_times = step_clock()

    def call(steps, timed):
        return pipe(prompt=PROMPT, negative_prompt="", height=a.height, width=a.width, num_frames=a.frames,
                    num_inference_steps=steps, guidance_scale=5.0, generator=torch.Generator("cpu").manual_seed(0),
                    max_sequence_length=a.text_tokens, output_type="np", callback_on_step_end=on_step if timed else None)

    def run():
        step_times.clear(); t0 = time.perf_counter(); call(a.steps, True); torch.cuda.synchronize(); end = time.perf_counter()
        return dict(denoise_s=round(step_times[-1] - t0, 2), decode_s=round(end - step_times[-1], 2))

    measure_run(base, run, lambda: call(2, False), what=f"{name}_t2v_e2e", steps=a.steps, guidance=5.0, transformer="bf16",
                vae="fp32", text_encoder="bf16", expand_timesteps=per_token, two_experts=transformer_2 is not None, **size)
