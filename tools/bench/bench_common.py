"""Shared pieces of the PyTorch/Diffusers baselines (torch_wan22.py, torch_ltx.py, torch_fastwan.py): models built
from this repository's config folders with random weights, CUDA-event timing, and the JSON line each measurement
prints (the format of torch_components.py: min/median ms, torch's allocator peaks and the device-level peak above the
value before the part's models were created)."""
import json, time
import torch
from device_memory import DevicePeak, used

GiB = 2 ** 30
PROMPT = "A red fox runs through fresh snow at sunrise, cinematic lighting."


def config(folder, component, drop=("architectures",)):
    """A component's config.json as constructor arguments (metadata keys starting with '_' left out)."""
    c = json.load(open(f"{folder}/{component}/config.json"))
    return {k: v for k, v in c.items() if not k.startswith("_") and k not in drop}


def fresh_baseline():
    torch.cuda.empty_cache(); torch.cuda.synchronize()
    return used()


def timed(fn, reps, warm):
    for _ in range(warm): fn()
    torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    ts = []
    for _ in range(reps):
        s.record(); fn(); e.record(); torch.cuda.synchronize(); ts.append(s.elapsed_time(e))
    ts.sort()
    return ts[0], ts[len(ts) // 2]


def emit(baseline, device_peak, **kw):
    kw.update(peak_allocated_gib=round(torch.cuda.max_memory_allocated() / GiB, 2),
              peak_reserved_gib=round(torch.cuda.max_memory_reserved() / GiB, 2),
              peak_device_gib=round((device_peak - baseline) / GiB, 2),
              gpu=torch.cuda.get_device_name(), torch=torch.__version__)
    print(json.dumps(kw), flush=True)


def measure(baseline, fn, reps=5, warm=2, **kw):
    """Times fn (CUDA events, min and median of reps after warm runs) and prints one JSON line."""
    torch.cuda.reset_peak_memory_stats()
    peak = DevicePeak()
    mn, md = timed(fn, reps, warm)
    emit(baseline, peak.stop(), min_ms=round(mn, 2), median_ms=round(md, 2), runs=reps, **kw)


def measure_decode(baseline, decode, reps, warm, places=("gpu", "host"), **kw):
    """A VAE decode (decode() returns Diffusers' (video,) tuple) timed with its video left on the GPU ("gpu") and copied to
    the host as float32 ("host", what `bench run` times for ours), one JSON line each with video_on."""
    for on in places:
        fn = decode if on == "gpu" else (lambda: decode()[0].float().cpu())
        measure(baseline, fn, reps=reps, warm=warm, video_on=on, **kw)


def measure_run(baseline, run, warmup, **kw):
    """A whole pipeline call: warmup() once, then run() once timed by wall clock; run returns extra fields (stage times)."""
    warmup()
    torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
    peak = DevicePeak()
    start = time.perf_counter()
    extra = run() or {}
    torch.cuda.synchronize()
    total = time.perf_counter() - start
    emit(baseline, peak.stop(), total_s=round(total, 2), **extra, **kw)


def step_clock():
    """A callback_on_step_end that records when each step ended, and the list it fills."""
    times = []
    def on_step(pipe, i, t, kw):
        torch.cuda.synchronize(); times.append(time.perf_counter()); return kw
    return on_step, times


def start_cuda():
    """The CUDA context exists before any baseline, as in `bench run`."""
    torch.set_grad_enabled(False)
    torch.zeros(1, device="cuda")
