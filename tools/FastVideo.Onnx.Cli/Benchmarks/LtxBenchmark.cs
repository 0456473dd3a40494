using FastVideo.Onnx.Core.Contracts.Ltx;
using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Ltx;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Noise;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Runtime.Pipelines.Ltx;
using FastVideo.Onnx.Runtime.Tensors;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// LTX-Video's parts: the transformer forward on packed tokens [B, f·h·w, C] with the caption mask, latent grid and
/// RoPE interpolation scale LTXPipeline passes (batch 2 is a guided step: negative and positive prompt in one call);
/// the VAE decode with the decode timestep and noise when the decoder is timestep-conditioned (0.9.1+); the T5 encoder.
/// </summary>
internal sealed class LtxBenchmark : FamilyBenchmark
{
    readonly int _captionChannels;

    public LtxBenchmark(BenchmarkOptions options, SamplingDefaults sampling, BenchmarkRecorder recorder) : base(options, sampling, recorder)
    {
        // As LtxFamily.Rules reads a converted folder: the VAE's latent layout, sizes a multiple of its compression times the patch.
        var vae = LtxVaeLayout.FromConfig(ConfigOf("vae"));
        var transformer = LtxTransformerLayout.FromConfig(ConfigOf("transformer"));
        Latents = LtxFamily.Latents(vae);
        SizeMultiple = vae.SpatialCompression * transformer.PatchSize;
        _captionChannels = transformer.CaptionChannels;
    }

    public override LatentLayout Latents { get; }
    public override int SizeMultiple { get; }

    public override void RunTransformer(string model, ExecutionDevice device, ExecutionDevice? profiled)
    {
        // Profiled: the runner's session writes its profile when it closes, summarised then.
        if (profiled?.Options.ProfilePrefix is string prefix) ProfileSummary.PrintNew(prefix, () => MeasureTransformer(model, device, profiled), Recorder.Log);
        else MeasureTransformer(model, device, device);
    }

    void MeasureTransformer(string model, ExecutionDevice device, ExecutionDevice on)
    {
        var (f, h, w) = Grid;
        var generator = new TorchGenerator(0);
        int captionChannels = _captionChannels;
        long baseline = Recorder.Baseline(device);
        using var transformer = Recorder.Open(BenchmarkOptions.Transformer, "transformer", Options.TransformerPrecision, baseline,
            () => LtxTransformerRunner.Open(new ComponentRequest(model, "transformer", on) { Notice = Recorder.Log.WriteLine }),
            _ => $"InferenceSession of {LtxTransformerContract.Graph} (weights on the GPU)");
        var (patch, patchT) = transformer.PatchSize;
        var grid = (f / patchT, h / patch, w / patch);
        long tokens = grid.Item1 * grid.Item2 * grid.Item3;
        int length = Sampling.MaxSequenceLength;
        // rope_interpolation_scale = (temporal compression / frame rate, spatial compression, spatial compression), as LTXPipeline passes it
        var ropeScale = new[] { (float)(Latents.TemporalCompression / Sampling.FrameRate), Latents.SpatialCompression, (float)Latents.SpatialCompression };
        foreach (int batch in Options.Batches)
        {
            var hidden = on.Upload(generator.Randn(batch, tokens, transformer.InChannels), new[] { (long)batch, tokens, transformer.InChannels });
            var text = on.Upload(generator.Randn(batch, length, captionChannels), new[] { (long)batch, length, captionChannels });
            var output = on.Pool.Rent(TensorElementType.Float, batch, tokens, transformer.OutChannels);
            try
            {
                // Every caption token attends (a prompt that fills max_sequence_length): the most work per call.
                var mask = Enumerable.Repeat(1L, batch * length).ToArray();
                var timesteps = Enumerable.Repeat(999f, batch).ToArray();
                Recorder.Measure(BenchmarkOptions.Transformer, $"transformer forward, batch {batch}", Options.TransformerPrecision, baseline, Options.Repeats, 2,
                    () => transformer.Run(hidden, timesteps, text, mask, grid, ropeScale, output),
                    $"{LtxTransformerContract.Graph}, {tokens} packed tokens ({VideoSize}, latents {f}x{h}x{w}), {length} text tokens");
            }
            finally
            {
                on.Pool.Return(hidden);
                on.Pool.Return(text);
                on.Pool.Return(output);
            }
        }
    }

    public override void RunVae(string model, ExecutionDevice device)
    {
        var (f, h, w) = Grid;
        var generator = new TorchGenerator(0);
        long[] shape = { 1, Latents.Channels, f, h, w };
        var latents = new HostTensor(generator.Randn(shape), shape);
        var noise = new HostTensor(generator.Randn(shape), shape);
        long baseline = Recorder.Baseline(device);
        using var vae = LtxVaeRunner.Open(new ComponentRequest(model, "vae", device) { Notice = Recorder.Log.WriteLine });
        float timestep = (float)(Sampling.DecodeTimestep ?? 0.05);
        float scale = (float)(Sampling.DecodeNoiseScale ?? timestep);
        string conditioning = vae.TimestepConditioned ? $"decode timestep {timestep:0.###}, noise scale {scale:0.###}" : "no timestep conditioning";
        Recorder.Measure(BenchmarkOptions.Vae, $"VAE decode {f}x{h}x{w}x{Latents.Channels} latents", Options.VaePrecision, baseline, Math.Max(2, Options.Repeats / 2), 1,
            () => vae.Decode(latents, timestep, noise, scale),
            $"{LtxVaeContract.DecoderGraph}, {Latents.SpatialCompression}x VAE, {Latents.RoundFrames(Sampling.NumFrames)} frames at {Sampling.Height}x{Sampling.Width}, {conditioning}, frames copied to host");
    }

    public override void RunText(string model, ExecutionDevice device)
    {
        long baseline = Recorder.Baseline(device);
        using var text = T5TextEncoderRunner.Open(new ComponentRequest(model, "text_encoder", device));
        Recorder.Measure(BenchmarkOptions.Text, $"T5 encoder, {Sampling.MaxSequenceLength} tokens", Options.TextPrecision, baseline, Options.Repeats, 2,
            () => text.EncodeWithMask(Prompt, Sampling.MaxSequenceLength), "batch 1, with the caption mask");
    }
}
