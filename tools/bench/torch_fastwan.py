#!/usr/bin/env python3
"""Baselines for `fastvideo-onnx bench run --config-dir models/configs/fastwan2.1-t2v-1.3b`: random weights in the
folder's configs (Wan2.1-T2V-1.3B architecture), bf16, 512 text tokens, same JSON line format as torch_components.py.
Two transformers, said exactly in each line's "attention" field:
  dense  Diffusers' WanTransformer3DModel as is: dense self-attention (SDPA; cuDNN/flash on an H100/H200).
  vsa    the same model with each block's self-attention replaced by FastVideo's VSA as its Triton kernels compute it
         (fastvideo-kernel's block_sparse_attn_triton / fused_compress_topk / index, driven as
         ../shared/bench/bench_vsa_anchor.py drives them): tokens gathered into 4x4x4 tiles padded to 64 slots, tile
         means, coarse attention, top-k tiles, block-sparse fine attention, out = coarse * gate + fine, with a random
         to_gate_compress Linear per block (FastWan's VSA gate); the tile gather and scatter run in every call.
         Needs the three Triton files on PYTHONPATH; without them the vsa parts are skipped with a JSON note.
Parts:
  dit      forward, batch 1, at each --sizes entry (default 61x448x832 and 81x480x832), dense and VSA at --sparsity
  dmd      FastWan's 3-step DMD denoising at the first size (timesteps 1000, 757, 522; x0 = x - sigma * v, renoised
           with fresh noise between steps), VSA transformer (dense when the kernels are missing)
  vae      AutoencoderKLWan (Wan2.1) decode of the first size's latents, bf16 and fp32, the video left on the GPU and
           copied to the host as float32 (video_on)
  request  the whole request at the first size: tokenize + UMT5-XXL encode + 3-step DMD + VAE decode (--vae-dtype,
           default fp32 as Diffusers' Wan pipelines run it) + frames to the host
usage: PYTHONPATH=<diffusers src>:<triton files> python3 torch_fastwan.py CONFIG_DIR TOKENIZER_DIR [dit] [dmd] [vae] [request]
         [--sizes 61x448x832,81x480x832] [--sparsity 0.8] [--vae-dtype fp32]"""
import argparse, json, math, time
import torch
from diffusers import WanTransformer3DModel, AutoencoderKLWan
from diffusers.models.transformers.transformer_wan import _get_qkv_projections
from transformers import UMT5Config, UMT5EncoderModel, T5TokenizerFast
from bench_common import config, fresh_baseline, measure, measure_decode, start_cuda, PROMPT
from device_memory import DevicePeak

try:
    from block_sparse_attn_triton import triton_block_sparse_attn_forward
    from fused_compress_topk import fused_block_mean, fused_topk_mask
    from index import map_to_index
    VSA = True
except ImportError as e:
    VSA, VSA_ERROR = False, str(e)

p = argparse.ArgumentParser()
p.add_argument("config_dir"); p.add_argument("tokenizer_dir"); p.add_argument("parts", nargs="*", default=["dit", "dmd", "vae", "request"])
p.add_argument("--sizes", default="61x448x832,81x480x832"); p.add_argument("--sparsity", type=float, default=0.8)
p.add_argument("--text-tokens", type=int, default=512); p.add_argument("--vae-dtype", default="fp32")
a = p.parse_args()
start_cuda()
bf16 = torch.bfloat16
DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
tcfg, vcfg = config(a.config_dir, "transformer"), config(a.config_dir, "vae")
sizes = [tuple(int(v) for v in s.split("x")) for s in a.sizes.split(",")]
DMD_T, DMD_SIGMA = (1000, 757, 522), (1.0, 0.757, 0.522)
DENSE = "Diffusers WanTransformer3DModel, dense SDPA self-attention"
SPARSE = "Diffusers WanTransformer3DModel with FastVideo's Triton VSA kernels as self-attention (per-call tile gather/scatter)"
if not VSA:
    print(json.dumps({"what": "fastwan_vsa_skipped", "reason": f"FastVideo's Triton VSA kernels not importable: {VSA_ERROR}"}), flush=True)


def latent_grid(frames, height, width):
    return (frames - 1) // 4 + 1, height // 8, width // 8


class Tiles:
    """FastVideo's VSA layout of a DiT grid: 4x4x4 tiles in (t, h, w) order, each padded to 64 slots (vbs: real sizes)."""
    def __init__(self, grid):
        T, H, W = grid
        n = [math.ceil(g / 4) for g in grid]
        pos = torch.empty(T * H * W, dtype=torch.long)
        vbs, tile = [], 0
        for ta in range(n[0]):
            for hb in range(n[1]):
                for wc in range(n[2]):
                    t, h, w = (torch.arange(4 * i, min(4 * i + 4, g)) for i, g in zip((ta, hb, wc), grid))
                    tok = ((t[:, None, None] * H + h[None, :, None]) * W + w[None, None, :]).flatten()
                    pos[tok] = tile * 64 + torch.arange(tok.numel())
                    vbs.append(tok.numel()); tile += 1
        self.pos, self.vbs, self.tiles, self.padded = pos.cuda(), torch.tensor(vbs, dtype=torch.int32, device="cuda"), tile, tile * 64

    def gather(self, x):  # [B, S, heads, D] -> [B, heads, padded, D]
        out = x.new_zeros(x.shape[0], self.padded, x.shape[2], x.shape[3]); out[:, self.pos] = x
        return out.transpose(1, 2).contiguous()

    def scatter(self, y):  # [B, heads, padded, D] -> [B, S, heads, D]
        return y.transpose(1, 2)[:, self.pos]


def rotate(x, cos, sin):  # WanAttnProcessor's apply_rotary_emb
    x1, x2 = x.unflatten(-1, (-1, 2)).unbind(-1)
    out = torch.empty_like(x)
    out[..., 0::2] = x1 * cos[..., 0::2] - x2 * sin[..., 1::2]
    out[..., 1::2] = x1 * sin[..., 1::2] + x2 * cos[..., 0::2]
    return out.type_as(x)


class VsaProcessor:
    """Self-attention of a Wan block as FastVideo's VSA: coarse (tile means) + fine (top-k block-sparse) attention."""
    def __init__(self, tiles, sparsity):
        self.tiles, self.topk = tiles, max(1, min(math.ceil((1 - sparsity) * tiles.tiles), tiles.tiles))

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, rotary_emb=None, **kw):
        q, k, v = _get_qkv_projections(attn, hidden_states, None)
        q, k = attn.norm_q(q), attn.norm_k(k)
        q, k, v = (x.unflatten(2, (attn.heads, -1)) for x in (q, k, v))
        if rotary_emb is not None:
            q, k = rotate(q, *rotary_emb), rotate(k, *rotary_emb)
        g = attn.to_gate_compress(hidden_states).unflatten(2, (attn.heads, -1))
        t = self.tiles
        qt, kt, vt, gt = (t.gather(x) for x in (q, k, v, g))
        qc, kc, vc = (fused_block_mean(x, t.vbs, 64) for x in (qt, kt, vt))
        scores = (qc @ kc.transpose(-1, -2)) / math.sqrt(q.shape[-1])
        coarse = (scores.softmax(-1) @ vc).repeat_interleave(64, dim=2)
        idx, num = map_to_index(fused_topk_mask(scores, self.topk))
        fine = triton_block_sparse_attn_forward(qt, kt, vt, idx, num, t.vbs)[0]
        out = t.scatter(coarse * gt + fine).flatten(2, 3).type_as(q)
        return attn.to_out[1](attn.to_out[0](out))


def transformer(vsa):
    with torch.device("cuda"):
        m = WanTransformer3DModel(**tcfg).to(bf16).eval()
        if vsa:
            dim = tcfg["num_attention_heads"] * tcfg["attention_head_dim"]
            for block in m.blocks:
                block.attn1.to_gate_compress = torch.nn.Linear(dim, dim).to(bf16)
    return m


def use_vsa(m, grid, sparsity):
    tiles = Tiles((grid[0], grid[1] // 2, grid[2] // 2))
    for block in m.blocks:
        block.attn1.set_processor(VsaProcessor(tiles, sparsity))
    return tiles


def inputs(grid, b=1):
    x = torch.randn(b, tcfg["in_channels"], *grid, device="cuda", dtype=bf16)
    txt = torch.randn(b, a.text_tokens, tcfg.get("text_dim", 4096), device="cuda", dtype=bf16)
    return x, txt


def dmd(m, x, txt):
    """3 unguided DMD steps: flow prediction v, x0 = x - sigma * v, renoised to the next sigma with fresh noise."""
    for i, t in enumerate(DMD_T):
        v = m(hidden_states=x, timestep=torch.full((x.shape[0],), float(t), device="cuda"), encoder_hidden_states=txt, return_dict=False)[0]
        x0 = x - DMD_SIGMA[i] * v
        if i + 1 < len(DMD_T):
            x = (1 - DMD_SIGMA[i + 1]) * x0 + DMD_SIGMA[i + 1] * torch.randn_like(x0)
    return x0


first = latent_grid(*sizes[0])
if "dit" in a.parts:
    for vsa in ([False, True] if VSA else [False]):
        base = fresh_baseline()
        m = transformer(vsa)
        for size in sizes:
            grid = latent_grid(*size)
            tiles = use_vsa(m, grid, a.sparsity) if vsa else None
            x, txt = inputs(grid)
            t = torch.full((1,), 999.0, device="cuda")
            extra = dict(sparsity=a.sparsity, tiles=tiles.tiles, topk=math.ceil((1 - a.sparsity) * tiles.tiles)) if vsa else {}
            measure(base, lambda: m(hidden_states=x, timestep=t, encoder_hidden_states=txt, return_dict=False),
                    what=f"fastwan_dit_forward_{'vsa' if vsa else 'dense'}", attention=SPARSE if vsa else DENSE, batch=1, dtype="bf16",
                    frames=size[0], height=size[1], width=size[2], tokens=grid[0] * grid[1] * grid[2] // 4, **extra)
            del x, txt
        del m

if "dmd" in a.parts:
    base = fresh_baseline()
    m = transformer(VSA)
    if VSA: use_vsa(m, first, a.sparsity)
    x, txt = inputs(first)
    measure(base, lambda: dmd(m, x, txt), reps=5, warm=1, what="fastwan_dmd3_denoise", attention=SPARSE if VSA else DENSE,
            sparsity=a.sparsity if VSA else None, frames=sizes[0][0], height=sizes[0][1], width=sizes[0][2], steps=3, dtype="bf16")
    del m, x, txt

if "vae" in a.parts:
    for d in ("bf16", "fp32"):
        base = fresh_baseline()
        with torch.device("cuda"):
            vae = AutoencoderKLWan(**vcfg).to(DTYPES[d]).eval()
        z = torch.randn(1, vcfg.get("z_dim", 16), *first, device="cuda", dtype=DTYPES[d])
        measure_decode(base, lambda: vae.decode(z, return_dict=False), reps=3, warm=1, what="fastwan_vae_decode", dtype=d,
                       frames=sizes[0][0], height=sizes[0][1], width=sizes[0][2])
        del vae, z

if "request" in a.parts:
    base = fresh_baseline()
    m = transformer(VSA)
    if VSA: use_vsa(m, first, a.sparsity)
    vd = DTYPES[a.vae_dtype]
    with torch.device("cuda"):
        vae = AutoencoderKLWan(**vcfg).to(vd).eval()
        te = UMT5EncoderModel(UMT5Config(**config(a.config_dir, "text_encoder"))).to(bf16).eval()
    tok = T5TokenizerFast.from_pretrained(a.tokenizer_dir)
    mean = torch.tensor(vcfg["latents_mean"], device="cuda").view(1, -1, 1, 1, 1)
    std = torch.tensor(vcfg["latents_std"], device="cuda").view(1, -1, 1, 1, 1)
    stages = {}

    def request():
        clock = time.perf_counter()
        def mark(name):
            nonlocal clock
            torch.cuda.synchronize(); now = time.perf_counter(); stages[name] = round(now - clock, 3); clock = now
        ids = tok([PROMPT], padding="max_length", max_length=a.text_tokens, truncation=True, return_tensors="pt")
        txt = te(input_ids=ids.input_ids.cuda(), attention_mask=ids.attention_mask.cuda()).last_hidden_state
        mark("text_s")
        x = torch.randn(1, tcfg["in_channels"], *first, device="cuda", dtype=bf16)
        lat = dmd(m, x, txt.to(bf16))
        mark("denoise_s")
        video = vae.decode((lat.float() * std + mean).to(vd), return_dict=False)[0]
        frames = ((video.float().clamp(-1, 1) + 1) * 127.5).to(torch.uint8).cpu()
        mark("decode_s")
        return frames

    request()  # warm-up
    torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    peak = DevicePeak()
    start = time.perf_counter(); request(); torch.cuda.synchronize(); total = time.perf_counter() - start
    device_peak = peak.stop()
    from bench_common import emit
    emit(base, device_peak, what="fastwan_request", attention=SPARSE if VSA else DENSE, sparsity=a.sparsity if VSA else None,
         total_s=round(total, 2), **stages, vae=a.vae_dtype, transformer="bf16", text_encoder="bf16", steps=3,
         frames=sizes[0][0], height=sizes[0][1], width=sizes[0][2])
