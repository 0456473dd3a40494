using System.Globalization;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>
/// The peak memory of one request, estimated before anything is loaded or allocated from the converted folder's
/// manifests and configs (Diffusers' field names: the transformer's heads, head dim, FFN width and patch size, the VAE's
/// base width and compression) and the request's shape. The peak is the resident weights plus the largest of the
/// stages' working sets, each over what stays allocated for the whole run (latents and their scheduler history, the
/// decoded video). Per stage:
/// <list type="bullet">
/// <item>transformer: per token the hidden states (a few copies of the inner width) and the FFN's hidden layer for
/// the batch (2 with guidance); on the CPU provider attention also holds its B x heads x S x S score matrix (ONNX Runtime's
/// CPU MultiHeadAttention materialises it; GPU attention kernels do not);</item>
/// <item>VAE decode: one latent frame at a time gives 4 video frames, whose full-resolution activations at the decoder's
/// widest full-resolution width dominate (the causal cache adds 2 frames at each layer), in the VAE's precision and at
/// the resolution its last stages run at (a decoder that unpacks 2x2 pixel patches from channels runs them at half size);</item>
/// <item>output: the float video and its 8-bit frames.</item>
/// </list>
/// The coefficients (how many tensors of each kind are alive at once) were measured against the tiny model's peak
/// resident memory at several sizes; see the tests for the factor it is held to.
/// </summary>
internal sealed record MemoryEstimate(long WeightBytes, long BaseBytes, long PersistentBytes, long TransformerBytes, long VaeBytes, long OutputBytes)
{
    /// <summary>Resident memory of the runtime itself (the .NET runtime, ONNX Runtime's libraries and thread pools) on the CPU.</summary>
    public const long CpuBaseBytes = 128L << 20;

    // Tensors of a token's inner width alive at once in a transformer block (input, norm, q, k, v, attention output,
    // residual sum), and float tensors of the working frame size alive at once in the VAE decoder's full-resolution
    // layers: about 12 with ONNX Runtime's convolution workspace and its arena's rounding on the CPU (measured on the
    // tiny model from 256x256 to 768x768).
    const double HiddenCopies = 8;
    const double VaeCopies = 12;

    public long PeakBytes => BaseBytes + WeightBytes + PersistentBytes + Math.Max(TransformerBytes, VaeBytes + OutputBytes);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{MiB(PeakBytes)} (weights {MiB(WeightBytes)}, transformer {MiB(TransformerBytes)}, VAE decode {MiB(VaeBytes)}, frames {MiB(OutputBytes)})");

    public static string MiB(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(bytes / 1048576.0):N0} MiB");

    /// <summary>The model's part of the estimate, read once per folder: weights and the shape constants.</summary>
    public sealed record ModelFacts(long WeightBytes, int Heads, int HeadDim, int FfnDim, int[] Patch, int LatentChannels, int VaeFullResChannels,
        int TemporalScale, int SpatialScale)
    {
        /// <summary>Pixels per side the VAE decoder's last layer unpacks from channels (<see cref="Components.VaeFootprint.OutputPatch"/>).</summary>
        public int VaeOutputPatch { get; init; } = 1;

        /// <summary>Bytes per element of the VAE's activations: 4 for an fp32 VAE, 2 for fp16 and bf16.</summary>
        public int VaeElementBytes { get; init; } = sizeof(float);

        /// <summary>The transformer's share of <see cref="WeightBytes"/>.</summary>
        public long TransformerBytes { get; init; }

        /// <summary>The second expert's (transformer_2) share of <see cref="WeightBytes"/>, 0 without one.</summary>
        public long SecondExpertBytes { get; init; }

        public static ModelFacts Read(string modelFolder, ConvertedModel model)
        {
            long weights = 0;
            string? vaePrecision = null;
            var byComponent = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (name, component) in model.Components)
            {
                if (component.Kind != ConvertedComponent.Exported) continue;
                // Opened as the pipelines open it, so a missing component gives the same error (and how to convert it).
                var manifest = Components.ComponentFolder.Open(modelFolder, name).Manifest;
                // The external data once, and the largest graph (a component loads one graph of each pair, plain or fused).
                long bytes = manifest.DataBytes + (manifest.Graphs.Count == 0 ? 0 : manifest.Graphs.Max(g => g.Bytes));
                byComponent[name] = bytes;
                if (name == "vae") vaePrecision = manifest.Precision;
                weights += bytes;
            }
            // The family's runners know their config fields: the estimate only combines what they state.
            var runners = Components.ComponentRunnerRegistry.Default;
            var denoiser = runners.DenoiserFootprint(modelFolder, "transformer");
            var vae = runners.VaeFootprint(modelFolder, "vae");
            return new ModelFacts(weights, denoiser.Heads, denoiser.HeadDim, denoiser.FfnDim, denoiser.Patch, denoiser.InChannels,
                vae.FullResolutionChannels, vae.TemporalScale, vae.SpatialScale)
            {
                TransformerBytes = byComponent.GetValueOrDefault("transformer"),
                SecondExpertBytes = byComponent.GetValueOrDefault("transformer_2"),
                VaeOutputPatch = vae.OutputPatch,
                // The manifest's precision was checked when the model was loaded (fp32, fp16 or bf16).
                VaeElementBytes = vaePrecision is null ? sizeof(float) : DTypeInfo.ParseFloat(vaePrecision, "vae precision").Size(),
            };
        }
    }

    public static MemoryEstimate For(ModelFacts m, RequestShape r, bool gpu, MemoryPlacement? placement = null)
    {
        placement ??= MemoryPlacement.Single;
        long f = (r.NumFrames - 1) / m.TemporalScale + 1, h = r.Height / m.SpatialScale, w = r.Width / m.SpatialScale;
        long batch = r.Guidance ? 2 : 1;
        long latent = (long)m.LatentChannels * f * h * w * sizeof(float);
        // Latents, the (batched) prediction and model input, and the multistep scheduler's history.
        long persistent = latent * (4 + 2 * batch);

        long tokens = f / m.Patch[0] * (h / m.Patch[1]) * (w / m.Patch[2]);
        long inner = (long)m.Heads * m.HeadDim;
        // CFG-parallel: this device runs the transformer on its half of the guided batch (the input stays batch 2).
        long transformerBatch = placement.GuidanceSplit ? 1 : batch;
        double hidden = transformerBatch * tokens * (HiddenCopies * inner + m.FfnDim) * sizeof(float);
        double scores = gpu ? 0 : (double)transformerBatch * m.Heads * tokens * tokens * sizeof(float) * 2; // scores and their softmax
        double text = transformerBatch * (tokens + r.TextLength) * (double)m.Heads * r.TextLength * sizeof(float);
        long transformer = Saturate(hidden + scores + text);

        // One chunk: 4 video frames (1 for the first) plus the 2 cached frames of each causal convolution.
        double chunkFrames = Math.Min(m.TemporalScale, r.NumFrames) + 2;
        double widestPixels = (double)(r.Height / m.VaeOutputPatch) * (r.Width / m.VaeOutputPatch);
        long vae = Saturate(VaeCopies * chunkFrames * widestPixels * m.VaeFullResChannels * m.VaeElementBytes);
        // The float video (batch 1, RGB) as decoded and as handed to the writer, and its 8-bit frames.
        long output = Saturate((double)r.NumFrames * r.Height * r.Width * 3 * (2 * sizeof(float) + 1));
        return new MemoryEstimate(ResidentWeights(m, placement), gpu ? 0 : CpuBaseBytes, persistent, transformer, vae, output);
    }

    /// <summary>The weights resident in the memory the estimate is about, as <paramref name="placement"/> spreads them.</summary>
    public static long ResidentWeights(ModelFacts m, MemoryPlacement placement) =>
        m.WeightBytes + (placement.TransformerCopies - 1) * m.TransformerBytes - (placement.SecondExpertElsewhere ? m.SecondExpertBytes : 0);

    static long Saturate(double bytes) => bytes >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)bytes;
}
