#!/usr/bin/env python3
"""PyTorch/Diffusers baseline for `fastvideo-onnx bench run --config-dir models/configs/ltx-video-0.9.5`: random weights
in the folder's configs, same sizes and JSON line format as torch_components.py.
  dit  LTXVideoTransformer3DModel forward on packed tokens [B, f*h*w, 128] (bf16, batch 1 and 2 = LTXPipeline's guided
       call), caption mask of ones, rope_interpolation_scale (8 / frame rate, 32, 32) as LTXPipeline passes it.
  vae  AutoencoderKLLTXVideo decode(z, temb) with the decode timestep, after the noise mix LTXPipeline does
       ((1 - s) * z + s * noise), bf16 and fp32, the video left on the GPU and copied to the host (video_on).
  t5   T5EncoderModel (T5 v1.1 XXL), 128 tokens, bf16.
  e2e  LTXPipeline text-to-video (bf16 throughout, as Diffusers' LTX example runs it), guidance 3, decode timestep
       0.03 and noise scale 0.025 (the project's LTX-Video-0.9.5 preset), after a 2-step warm-up.
usage: PYTHONPATH=<diffusers src> python3 torch_ltx.py CONFIG_DIR TOKENIZER_DIR [dit] [vae] [t5] [e2e]
         [--height 512 --width 768 --frames 161 --steps 50 --text-tokens 128 --vae-dtypes bf16,fp32]
TOKENIZER_DIR: any T5 tokenizer folder (ids only need to be valid): models/tiny/wan-t2v-tiny/tokenizer."""
import argparse, json, time
import torch
from diffusers import LTXPipeline, LTXVideoTransformer3DModel, AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler
from transformers import T5Config, T5EncoderModel, T5TokenizerFast
from bench_common import config, fresh_baseline, measure, measure_decode, measure_run, step_clock, start_cuda, PROMPT

p = argparse.ArgumentParser()
p.add_argument("config_dir"); p.add_argument("tokenizer_dir"); p.add_argument("parts", nargs="*", default=["dit", "vae", "t5", "e2e"])
p.add_argument("--height", type=int, default=512); p.add_argument("--width", type=int, default=768)
p.add_argument("--frames", type=int, default=161); p.add_argument("--steps", type=int, default=50)
p.add_argument("--text-tokens", type=int, default=128); p.add_argument("--vae-dtypes", default="bf16,fp32")
p.add_argument("--frame-rate", type=float, default=25); p.add_argument("--decode-timestep", type=float, default=0.03)
p.add_argument("--decode-noise-scale", type=float, default=0.025)
a = p.parse_args()
start_cuda()
bf16 = torch.bfloat16
DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
tcfg, vcfg = config(a.config_dir, "transformer"), config(a.config_dir, "vae")
tc, sc = vcfg["temporal_compression_ratio"], vcfg["spatial_compression_ratio"]
f, h, w = (a.frames - 1) // tc + 1, a.height // sc, a.width // sc
ps, pst = tcfg.get("patch_size", 1), tcfg.get("patch_size_t", 1)
tokens = (f // pst) * (h // ps) * (w // ps)
features = vcfg["latent_channels"] * ps * ps * pst
size = dict(height=a.height, width=a.width, frames=a.frames, latents=[f, h, w])

if "dit" in a.parts:
    base = fresh_baseline()
    with torch.device("cuda"):
        m = LTXVideoTransformer3DModel(**tcfg).to(bf16).eval()
    rope = (tc / a.frame_rate, sc, sc)
    for b in (1, 2):
        x = torch.randn(b, tokens, features, device="cuda", dtype=bf16)
        txt = torch.randn(b, a.text_tokens, tcfg["caption_channels"], device="cuda", dtype=bf16)
        mask = torch.ones(b, a.text_tokens, device="cuda", dtype=torch.long)
        t = torch.tensor(999.0, device="cuda").expand(b)
        measure(base, lambda: m(hidden_states=x, encoder_hidden_states=txt, timestep=t, encoder_attention_mask=mask,
                                num_frames=f // pst, height=h // ps, width=w // ps, rope_interpolation_scale=rope, return_dict=False),
                what="ltx_dit_forward", batch=b, dtype="bf16", tokens=tokens, text_tokens=a.text_tokens, **size)
        del x, txt, mask, t
    del m

if "vae" in a.parts:
    for d in a.vae_dtypes.split(","):
        base = fresh_baseline()
        with torch.device("cuda"):
            v = AutoencoderKLLTXVideo(**vcfg).to(DTYPES[d]).eval()
        z = torch.randn(1, vcfg["latent_channels"], f, h, w, device="cuda", dtype=DTYPES[d])
        noise = torch.randn_like(z)
        conditioned = vcfg.get("timestep_conditioning", False)
        temb = torch.tensor([a.decode_timestep], device="cuda", dtype=DTYPES[d]) if conditioned else None
        s = a.decode_noise_scale

        def decode():
            zz = (1 - s) * z + s * noise if conditioned else z
            return v.decode(zz, temb, return_dict=False)
        measure_decode(base, decode, reps=2, warm=1, what="ltx_vae_decode", dtype=d, timestep_conditioning=conditioned,
                       decode_timestep=a.decode_timestep if conditioned else None, **size)
        del v, z, noise

if "t5" in a.parts:
    base = fresh_baseline()
    with torch.device("cuda"):
        te = T5EncoderModel(T5Config(**config(a.config_dir, "text_encoder"))).to(bf16).eval()
    ids = torch.randint(0, 32000, (1, a.text_tokens), device="cuda"); am = torch.ones_like(ids)
    measure(base, lambda: te(input_ids=ids, attention_mask=am), what="t5xxl_encoder", text_tokens=a.text_tokens, dtype="bf16")
    del te

if "e2e" in a.parts:
    base = fresh_baseline()
    with torch.device("cuda"):
        transformer = LTXVideoTransformer3DModel(**tcfg).to(bf16).eval()
        vae = AutoencoderKLLTXVideo(**vcfg).to(bf16).eval()
        text_encoder = T5EncoderModel(T5Config(**config(a.config_dir, "text_encoder"))).to(bf16).eval()
    scheduler = FlowMatchEulerDiscreteScheduler.from_config(json.load(open(f"{a.config_dir}/scheduler/scheduler_config.json")))
    pipe = LTXPipeline(scheduler=scheduler, vae=vae, text_encoder=text_encoder,
                       tokenizer=T5TokenizerFast.from_pretrained(a.tokenizer_dir), transformer=transformer)
    on_step, step_times = step_clock()

    def call(steps, timed):
        return pipe(prompt=PROMPT, negative_prompt="worst quality, inconsistent motion, blurry, jittery, distorted",
                    height=a.height, width=a.width, num_frames=a.frames, frame_rate=a.frame_rate, num_inference_steps=steps,
                    guidance_scale=3.0, decode_timestep=a.decode_timestep, decode_noise_scale=a.decode_noise_scale,
                    generator=torch.Generator("cpu").manual_seed(0), max_sequence_length=a.text_tokens, output_type="np",
                    callback_on_step_end=on_step if timed else None)

    def run():
        step_times.clear(); t0 = time.perf_counter(); call(a.steps, True); torch.cuda.synchronize(); end = time.perf_counter()
        return dict(denoise_s=round(step_times[-1] - t0, 2), decode_s=round(end - step_times[-1], 2))

    measure_run(base, run, lambda: call(2, False), what="ltx_t2v_e2e", steps=a.steps, guidance=3.0, transformer="bf16",
                vae="bf16", text_encoder="bf16", **size)
