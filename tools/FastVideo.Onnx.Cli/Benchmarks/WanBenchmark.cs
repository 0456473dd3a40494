using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Umt5;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Noise;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Pipelines.Wan;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// The Wan family's parts (Wan2.1, Wan2.2 TI2V-5B and A14B, FastWan): the transformer forward with the timesteps its
/// graph takes (one per batch entry, or one per latent token for an <c>expand_timesteps</c> model such as TI2V-5B) and,
/// for a VSA transformer (FastWan), at each requested sparsity; the VAE decode (Wan2.1's or Wan2.2's 16x VAE, as the
/// config says); the UMT5 encoder. A14B's forward is its high-noise expert's (both experts have one architecture).
/// </summary>
internal sealed class WanBenchmark : FamilyBenchmark
{
    public WanBenchmark(BenchmarkOptions options, SamplingDefaults sampling, BenchmarkRecorder recorder) : base(options, sampling, recorder)
    {
        // As WanFamily.Rules reads a converted folder: the VAE's latent layout, sizes a multiple of its compression times the patch.
        var vae = WanVaeContract.FromConfig(ConfigOf("vae"));
        var patch = WanTransformerContract.FromConfig(ConfigOf("transformer")).PatchSize;
        Latents = WanFamily.Latents(vae);
        SizeMultiple = vae.SpatialCompression * Math.Max(patch[1], patch[2]);
    }

    public override LatentLayout Latents { get; }
    public override int SizeMultiple { get; }

    /// <summary>The sparsities a VSA forward is timed at: the command line's, else the preset's.</summary>
    IReadOnlyList<double> Sparsities => Options.VsaSparsities ?? new[] { Sampling.VsaSparsity };

    public override void RunTransformer(string model, ExecutionDevice device, ExecutionDevice? profiled)
    {
        var (f, h, w) = Grid;
        var generator = new TorchGenerator(0);
        // The graph the runtime would pick (fused kernels when the library is there), and the portable graph beside it.
        var variants = new List<(string Label, ExecutionDevice Device)> { ("", profiled ?? device) };
        using var portableDevice = PortableDevice(device);
        if (portableDevice is not null) variants.Add((" (portable graph)", portableDevice));
        foreach (var (label, variantDevice) in variants)
        {
            long baseline = Recorder.Baseline(device);
            using var transformer = Recorder.Open(BenchmarkOptions.Transformer, "transformer" + label, Options.TransformerPrecision, baseline,
                () => WanTransformerRunner.Open(new ComponentRequest(model, "transformer", variantDevice)
                {
                    Notice = Recorder.Log.WriteLine, ExpectedShape = new TransformerShape(Options.Batches[0], f, h, w), ExpectedTextTokens = Sampling.MaxSequenceLength,
                }), t => $"InferenceSession of {t.GraphFile} (weights on the GPU)");
            var p = transformer.PatchSize;
            long tokens = f / p[0] * (h / p[1]) * (w / p[2]);
            bool perToken = transformer.TimestepLayout == Core.Contracts.TimestepLayout.PerToken;
            var sparsities = transformer.UsesVsa ? Sparsities : new[] { 0.0 };
            foreach (int batch in Options.Batches)
            {
                var hidden = variantDevice.Upload(generator.Randn(batch, transformer.InChannels, f, h, w), new[] { (long)batch, transformer.InChannels, f, h, w });
                var text = variantDevice.Upload(generator.Randn(batch, Sampling.MaxSequenceLength, transformer.TextDim),
                    new[] { (long)batch, Sampling.MaxSequenceLength, transformer.TextDim });
                var output = variantDevice.Pool.Rent(TensorElementType.Float, batch, transformer.OutChannels, f, h, w);
                try
                {
                    // A t2v step of an expand_timesteps model: every token at the step's timestep (as WanPipeline builds them).
                    var timesteps = Enumerable.Repeat(999f, perToken ? (int)(batch * tokens) : batch).ToArray();
                    foreach (double sparsity in sparsities)
                    {
                        string vsa = transformer.UsesVsa ? $", VSA sparsity {sparsity:0.##}" : "";
                        Recorder.Measure(BenchmarkOptions.Transformer, $"transformer forward, batch {batch}{vsa}{label}", Options.TransformerPrecision, baseline,
                            Options.Repeats, 2, () => transformer.Run(hidden, timesteps, text, null, output, sparsity),
                            $"{transformer.GraphFile}, {tokens} tokens ({VideoSize}), {Sampling.MaxSequenceLength} text tokens, timesteps {(perToken ? "[B, S]" : "[B]")}");
                    }
                }
                finally
                {
                    variantDevice.Pool.Return(hidden);
                    variantDevice.Pool.Return(text);
                    variantDevice.Pool.Return(output);
                }
            }
            if (profiled is not null && ReferenceEquals(variantDevice, profiled)) ProfileSummary.Print(transformer.EndProfiling(), Recorder.Log);
        }
    }

    public override void RunVae(string model, ExecutionDevice device)
    {
        var (f, h, w) = Grid;
        var latents = new HostTensor(new TorchGenerator(0).Randn(1, Latents.Channels, f, h, w), new[] { 1L, Latents.Channels, f, h, w });
        // The graphs the runtime would pick (fused kernels when the library is there), and the portable graphs beside them.
        var variants = new List<(string Label, ExecutionDevice Device)> { ("", device) };
        using var portableDevice = PortableDevice(device);
        if (portableDevice is not null) variants.Add((" (portable graphs)", portableDevice));
        foreach (var (label, variantDevice) in variants)
        {
            long baseline = Recorder.Baseline(device);
            using var vae = WanVaeRunner.Open(new ComponentRequest(model, "vae", variantDevice) { Notice = Recorder.Log.WriteLine });
            Recorder.Measure(BenchmarkOptions.Vae, $"VAE decode {f}x{h}x{w}x{Latents.Channels} latents{label}", Options.VaePrecision, baseline,
                Math.Max(2, Options.Repeats / 2), 1, () => vae.Decode(latents),
                $"{string.Join(" + ", vae.GraphFiles)}, {Latents.SpatialCompression}x VAE, {Latents.RoundFrames(Sampling.NumFrames)} frames at {Sampling.Height}x{Sampling.Width}, frames copied to host");
        }
    }

    public override void RunText(string model, ExecutionDevice device)
    {
        long baseline = Recorder.Baseline(device);
        using var text = Umt5TextEncoderRunner.Open(new ComponentRequest(model, "text_encoder", device));
        Recorder.Measure(BenchmarkOptions.Text, $"UMT5 encoder, {Sampling.MaxSequenceLength} tokens", Options.TextPrecision, baseline, Options.Repeats, 2,
            () => text.Encode(Prompt, Sampling.MaxSequenceLength), "batch 1");
    }
}
