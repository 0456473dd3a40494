using FastVideo.Onnx.Cli.Console;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Configuration;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Output;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Tensors;

namespace FastVideo.Onnx.Cli.Commands;

/// <summary><c>fastvideo-onnx generate --model DIR --prompt TEXT ... --output FILE</c></summary>
public static class GenerateCommand
{
    public const string Usage = """
        usage: fastvideo-onnx generate [--model DIR] --prompt TEXT [--negative-prompt TEXT] [--image FILE]
                 [--height N] [--width N] [--num-frames N] [--steps N] [--guidance-scale X] [--guidance-scale-2 X]
                 [--max-sequence-length N] [--seed N] [--latents FILE.safetensors] [--fps N] [--flow-shift X]
                 [--dmd-steps T1,T2,...] [--vsa-sparsity X]
                 [--frame-rate X] [--decode-timestep X] [--decode-noise-scale X] [--guidance-rescale X]
                 [--device cpu|cuda|tensorrt] [--device-id N] [--devices N,M [--parallel auto|cfg|experts|none]] [--parallel sequence]
                 [--allow-cpu-fallback] [--threads N] [--cuda-graph]
                 [--memory-limit MIB]
                 [--kernels auto|off|PATH]
                 [--preset NAME] [--config FILE.json] --output FILE

        Generates a video from a converted model folder (see fastvideo-onnx convert). Without --model it uses the
        tiny Wan model shipped with the tool (random weights, for trying the pipeline), converted on first use.

          --output X.mp4          H.264 through ffmpeg when it is on PATH, else Motion-JPEG X.avi (with a notice)
          --output X.safetensors  float32 'latents' [1,16,f,h,w] (before decoding) and 'video' [1,F,H,W,3] in [0,1]
          --output DIR/           PNG frames
          --latents FILE          initial noise: the tensor 'latents' [1,16,f,h,w] float32 (instead of --seed)
          --seed N                torch-compatible noise: the same seed gives Diffusers' initial latents
          --dmd-steps 1000,757,522  DMD models (FastWan): the few-step timesteps, strictly decreasing in [1, 1000]
          --vsa-sparsity X        VSA models (FastWan): the share of key tiles each query tile skips, in [0, 1)
          --guidance-scale-2 X    two-expert models (Wan2.2 A14B): guidance of the low-noise expert (default: the
                                  preset's, else --guidance-scale)
          --frame-rate X          LTX-Video: the frame rate the video is generated for (scales RoPE's time axis)
          --decode-timestep X     LTX-Video 0.9.1+: the timestep the VAE decoder is conditioned on
          --decode-noise-scale X  LTX-Video 0.9.1+: the weight of the noise mixed into the latents before decoding
          --guidance-rescale X    rescale the guided prediction towards the conditional one's std, in [0, 1]
          --kernels               fused CUDA kernels (native/fastvideo_kernels): auto uses libfastvideo_kernels.so
                                  beside the tool or $FASTVIDEO_KERNELS when present; off forces the portable graph
          --devices 0,1           two devices of this machine for one video (Runtime:DeviceIds): the first runs the
                                  pipeline, the second what --parallel gives it (on the CPU: two independent devices)
          --parallel MODE         cfg: the unconditional guidance pass on the second device, at the same time as the
                                  conditional one; experts (Wan2.2 A14B): transformer_2 resident on the second device;
                                  auto (default): experts for two-expert models, else cfg; none. See docs/MULTI_GPU.md.
                                  sequence (no --devices): the transformer's per-rank graph (convert
                                  --sequence-parallel N) as N ranks at once, each on 1/N of the latent frames (CPU;
                                  libfastvideo_collectives.so beside the tool or $FASTVIDEO_COLLECTIVES)
          --threads N             threads per operator on the CPU (0: ONNX Runtime's default, one per core)
          --memory-limit MIB      refuse a request whose estimated peak memory is above MIB (default: the memory
                                  available now, or the GPU's free memory; Runtime:MemoryLimitMiB)
          --preset NAME           sampling defaults of a published model (default: the one matching the model)
          --config FILE.json      settings layered over the preset: {"Sampling": {...}, "Runtime": {...}}
                                  (then FASTVIDEO_* environment variables, then these options)

        Defaults come from the model's preset: Wan2.1-T2V-1.3B is 480x832, 81 frames, 50 steps, guidance 3.0.
        """;

    public static readonly string[] ValueOptions =
    {
        "model", "prompt", "negative-prompt", "image", "height", "width", "num-frames", "steps", "guidance-scale", "guidance-scale-2",
        "max-sequence-length", "seed", "latents", "device", "device-id", "threads", "fps", "flow-shift", "preset", "config", "output", "kernels",
        "dmd-steps", "vsa-sparsity", "memory-limit", "frame-rate", "decode-timestep", "decode-noise-scale", "guidance-rescale",
        "devices", "parallel",
    };

    public static readonly string[] FlagOptions = { "help", "allow-cpu-fallback", "cuda-graph" };

    // Options that are configuration keys (the last configuration layer).
    static readonly (string Option, string Key)[] ConfigurationOptions =
    {
        ("height", "Sampling:Height"), ("width", "Sampling:Width"), ("num-frames", "Sampling:NumFrames"), ("steps", "Sampling:Steps"),
        ("guidance-scale", "Sampling:GuidanceScale"), ("max-sequence-length", "Sampling:MaxSequenceLength"), ("fps", "Sampling:Fps"),
        ("flow-shift", "Sampling:FlowShift"), ("device", "Runtime:Device"), ("device-id", "Runtime:DeviceId"), ("threads", "Runtime:IntraOpThreads"), ("kernels", "Runtime:KernelLibrary"),
        ("memory-limit", "Runtime:MemoryLimitMiB"), ("devices", "Runtime:DeviceIds"), ("parallel", "Runtime:Parallelism"),
    };

    public static int Run(CommandArgs args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        args.NoMorePositionals(0);
        string output = args.Required("output");
        string prompt = args.Required("prompt");
        VideoWriter.CheckWritable(output);
        foreach (var numeric in new[] { "height", "width", "num-frames", "steps", "max-sequence-length", "fps", "device-id", "threads" }) args.Int(numeric);
        args.Long("memory-limit");
        foreach (var numeric in new[] { "guidance-scale", "guidance-scale-2", "flow-shift", "vsa-sparsity", "frame-rate", "decode-timestep", "decode-noise-scale",
                     "guidance-rescale" })
            args.Double(numeric);
        if (args.Value("device") is string device) Runtime.Execution.ExecutionProviderNames.Parse(device);

        void Notice(string message) => stderr.WriteLine($"note: {OptionNames.Notice(message)}");
        string model = args.Value("model") ?? EmbeddedModel.Converted(Notice, cancel);

        var commandLine = ConfigurationOptions.Where(o => args.Has(o.Option)).ToDictionary(o => o.Key, o => (string?)args.Value(o.Option));
        if (args.Value("device") is string d) commandLine["Runtime:Device"] = Runtime.Execution.ExecutionProviderNames.Parse(d).ToString();
        if (args.Flag("allow-cpu-fallback")) commandLine["Runtime:AllowCpuFallback"] = "true";
        if (args.Flag("cuda-graph")) commandLine["Runtime:CudaGraph"] = "true";
        var preset = VideoGenerator.ResolvePreset(model, args.Value("preset"));
        var settings = GeneratorSettings.Build(preset, args.Value("config"), commandLine);
        settings.Runtime.Validate();

        var request = new GenerationRequest
        {
            Prompt = prompt,
            NegativePrompt = args.Value("negative-prompt"),
            Image = args.Value("image"),
            Seed = args.Long("seed"),
            Latents = args.Value("latents") is string latents ? LoadLatents(latents) : null,
            // Also set on the request (as well as in the settings) so a pipeline can tell what the user asked for: DMD notes that it ignores them.
            GuidanceScale = args.Double("guidance-scale"),
            GuidanceScale2 = args.Double("guidance-scale-2"),
            Steps = args.Int("steps"),
            DmdSteps = args.Value("dmd-steps") is string steps ? ParseSteps(steps) : null,
            VsaSparsity = args.Double("vsa-sparsity"),
            FrameRate = args.Double("frame-rate"),
            DecodeTimestep = args.Double("decode-timestep"),
            DecodeNoiseScale = args.Double("decode-noise-scale"),
            GuidanceRescale = args.Double("guidance-rescale"),
        };

        // Check the request against the model before it loads (minutes for a large model on a GPU): only its configs are
        // read. The pipeline's run checks it again once loaded, and gives the notices then.
        VideoGenerator.Validate(model, request, new GeneratorOptions { Sampling = settings.Sampling });

        // Refuse a request that cannot fit before loading anything (the generator checks again before each run).
        var memory = new MemoryGuard(model, ConvertedModel.Load(model), settings.Runtime with { DeviceId = settings.Runtime.DeviceIdList()[0] });
        if (VideoGenerator.ShapeOf(request, settings.Sampling, VideoGenerator.RulesOf(model)) is { } shape) memory.Check(shape, weightsLoaded: false);

        using var generator = VideoGenerator.FromPretrained(model, new GeneratorOptions
        {
            Runtime = settings.Runtime,
            Sampling = settings.Sampling,
            Notice = Notice,
        });
        stderr.WriteLine($"{generator.PipelineClass} on {generator.Provider.ToString().ToLowerInvariant()}" +
                         (settings.PresetName is null ? "" : $", preset {settings.PresetName}") + $" (loaded in {generator.LoadTime.TotalSeconds:F1} s)");

        var bar = ProgressBar.ForStderr(stderr);
        var progress = new Core.Progress.CallbackProgress<GenerationProgress>(p =>
        {
            // Denoising counts steps; decoding counts the VAE's chunks (latent frames for the causal video VAEs).
            if (p.Steps > 0) bar.Update((double)p.Step / p.Steps, p.Stage, $"{(p.Stage == "denoising" ? "step" : "chunk")} {p.Step}/{p.Steps}");
        });
        var result = generator.Generate(request, progress, cancel);
        bar.Done();
        foreach (var notice in result.Notices) Notice(notice);

        var written = VideoWriter.Write(output, result.Latents, result.Video, result.Fps, Notice, cancel);
        stdout.WriteLine($"wrote {string.Join(", ", written.Count > 3 ? new[] { written[0], "...", written[^1] } : written)}");
        foreach (var (component, elapsed) in generator.SessionCreationTimes) stdout.WriteLine($"  session {component,-22} {elapsed.TotalSeconds,8:F2} s");
        foreach (var t in result.Timings) stdout.WriteLine($"  {t.Stage,-30} {t.Elapsed.TotalSeconds,8:F2} s");
        stdout.WriteLine($"  {"total",-30} {result.Total.TotalSeconds,8:F2} s");
        if (generator.Provider == Runtime.Execution.ExecutionProvider.Cpu && Runtime.Execution.HostMemory.PeakResidentBytes() is > 0 and var peak
            && generator.EstimateMemory(request) is { } estimate)
            stdout.WriteLine($"  {"peak memory",-30} {MemoryEstimate.MiB(peak)} (estimated {MemoryEstimate.MiB(estimate.PeakBytes)})");
        return 0;
    }

    static int[] ParseSteps(string value) =>
        value.Split(',', StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int t)
                ? t : throw new InvalidRequestException("--dmd-steps", $"'{s}' is not an integer (expected a list like 1000,757,522)")).ToArray();

    static HostTensor LoadLatents(string path)
    {
        if (!File.Exists(path)) throw new InvalidRequestException("--latents", $"{path} does not exist");
        return HostTensor.Load(path, "latents");
    }
}
