using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Core.Contracts.Wan;

/// <summary>
/// The converted <c>WanTransformer3DModel</c>: its graph files and their signature, with the sizes read from the
/// component's config.json. Inputs: <c>hidden_states</c> [B, in_channels, F, H, W], <c>timestep</c> ([B], or [B, S] per
/// token), <c>encoder_hidden_states</c> [B, L, text_dim], for image-to-video <c>encoder_hidden_states_image</c>
/// [B, N, image_dim], and for a VSA transformer (FastWan) <c>vsa_sparsity</c> [1]; output <c>sample</c>
/// [B, out_channels, F, H, W]. All float32 at the boundary whatever the compute precision. The timestep is per token
/// (<see cref="Contracts.TimestepLayout.PerToken"/>) for the models of a pipeline that sets <c>expand_timesteps</c>
/// (Wan2.2 TI2V: the conditioning frame's tokens get timestep 0); its fused-kernel graph then hands the kernels one
/// modulation vector per token.
/// </summary>
internal sealed record WanTransformerContract(int InChannels, int OutChannels, int TextDim, int? ImageDim, int[] PatchSize,
    TimestepLayout TimestepLayout = TimestepLayout.PerSample)
{
    public const string ComponentClass = "WanTransformer3DModel";

    /// <summary>Standard ONNX and ONNX Runtime contrib operators.</summary>
    public const string PortableGraph = "model.onnx";

    /// <summary>The same network with its compound operators as kernels of the CUDA library (native/fastvideo_kernels).</summary>
    public const string FusedGraph = "model.fused.onnx";

    /// <summary>
    /// The per-rank graph of a sequence-parallel (Ulysses) forward over <paramref name="worldSize"/> ranks: portable
    /// operators plus <c>com.fastvideo.AllToAll</c> around self-attention; it shares the other graphs' external data.
    /// </summary>
    public static string SequenceParallelGraph(int worldSize) => $"model.sp{worldSize}.onnx";

    /// <summary>A per-rank graph's rank index (int64 [1]): which 1/N of the latent frames its <c>hidden_states</c> hold.</summary>
    public const string SequenceRank = "sp_rank";

    /// <summary>A per-rank graph's communicator (int64 [1]): the ranks of one forward share it, and its collectives meet there.</summary>
    public const string SequenceGroup = "sp_group";

    public const string HiddenStates = "hidden_states";
    public const string Timestep = "timestep";
    public const string EncoderHiddenStates = "encoder_hidden_states";
    public const string EncoderHiddenStatesImage = "encoder_hidden_states_image";
    public const string VsaSparsity = "vsa_sparsity";
    public const string Sample = "sample";

    // The dynamic axes, named as the graphs name them (and as sessions are specialised by name).
    public const string BatchDim = "batch";
    public const string FramesDim = "frames";
    public const string HeightDim = "height";
    public const string WidthDim = "width";
    public const string TextTokensDim = "text_tokens";
    public const string ImageTokensDim = "image_tokens";
    public const string TokensDim = "tokens";

    public bool TakesImage => ImageDim is not null;

    /// <summary>The model_index.json field that makes the transformers' timestep per token.</summary>
    public const string ExpandTimestepsField = "expand_timesteps";

    /// <param name="config">The transformer's config.json.</param>
    /// <param name="timestep">The layout the pipeline feeds: <see cref="TimestepLayoutOf(JsonConfig)"/> of model_index.json at
    /// conversion, <see cref="TimestepLayoutOf(GraphManifest)"/> of a converted graph.</param>
    public static WanTransformerContract FromConfig(JsonConfig config, TimestepLayout timestep = TimestepLayout.PerSample)
    {
        int inChannels = config.GetInt("in_channels", 16);
        return new WanTransformerContract(inChannels, config.GetIntOrNull("out_channels") ?? inChannels, config.GetInt("text_dim", 4096),
            config.GetIntOrNull("image_dim"), config.GetIntArray("patch_size", new[] { 1, 2, 2 }), timestep);
    }

    /// <summary>The timestep layout a pipeline's model_index.json asks of its transformers (<see cref="ExpandTimestepsField"/>).</summary>
    public static TimestepLayout TimestepLayoutOf(JsonConfig modelIndex) =>
        modelIndex.GetBool(ExpandTimestepsField, false) ? TimestepLayout.PerToken : TimestepLayout.PerSample;

    public bool PerTokenTimesteps => TimestepLayout == TimestepLayout.PerToken;

    /// <summary>The graph files of a converted transformer: the portable one and its fused twin.</summary>
    public IReadOnlyList<string> GraphFiles => new[] { PortableGraph, FusedGraph };

    /// <summary>Latent tokens of a latent grid: the per-token timestep's length S.</summary>
    public long Tokens(long frames, long height, long width) => frames / PatchSize[0] * (height / PatchSize[1]) * (width / PatchSize[2]);

    /// <summary>The timestep layout a converted graph declares: [B] or [B, S] (its manifest entry's rank).</summary>
    public static TimestepLayout TimestepLayoutOf(GraphManifest graph) =>
        graph.Inputs.FirstOrDefault(i => i.Name == Timestep)?.Shape.Count == 2 ? TimestepLayout.PerToken : TimestepLayout.PerSample;

    /// <summary>Whether a converted graph takes <see cref="VsaSparsity"/> (its self-attention is Video Sparse Attention).</summary>
    public static bool UsesVsa(GraphManifest graph) => graph.Inputs.Any(i => i.Name == VsaSparsity);

    /// <summary>
    /// The signature of <paramref name="file"/>: with <c>vsa_sparsity</c> when <paramref name="vsa"/>, the timestep laid
    /// out as <paramref name="timestep"/> (by default this model's <see cref="TimestepLayout"/>).
    /// </summary>
    public GraphContract Graph(string file, bool vsa, TimestepLayout? timestep = null)
    {
        timestep ??= TimestepLayout;
        var inputs = new List<TensorContract>
        {
            new(HiddenStates, DType.Float32, BatchDim, InChannels, FramesDim, HeightDim, WidthDim),
            timestep == TimestepLayout.PerToken ? new(Timestep, DType.Float32, BatchDim, TokensDim) : new(Timestep, DType.Float32, BatchDim),
            new(EncoderHiddenStates, DType.Float32, BatchDim, TextTokensDim, TextDim),
        };
        if (ImageDim is int imageDim) inputs.Add(new(EncoderHiddenStatesImage, DType.Float32, BatchDim, ImageTokensDim, imageDim));
        if (vsa) inputs.Add(new(VsaSparsity, DType.Float32, 1));
        return new GraphContract(file, inputs, new[] { new TensorContract(Sample, DType.Float32, BatchDim, OutChannels, FramesDim, HeightDim, WidthDim) });
    }

    /// <summary>
    /// The signature of the per-rank graph for <paramref name="worldSize"/> ranks: <see cref="Graph"/>'s, with
    /// <c>hidden_states</c>, a per-token <c>timestep</c> and <c>sample</c> holding the rank's frames (and tokens), plus
    /// <see cref="SequenceRank"/> and <see cref="SequenceGroup"/>.
    /// </summary>
    public GraphContract SequenceParallel(int worldSize, bool vsa)
    {
        var single = Graph(SequenceParallelGraph(worldSize), vsa);
        var inputs = single.Inputs.Concat(new TensorContract[] { new(SequenceRank, DType.Int64, 1), new(SequenceGroup, DType.Int64, 1) }).ToList();
        return new GraphContract(single.File, inputs, single.Outputs);
    }

    /// <summary>The named dims of a session specialised to one call's shape (batch and latent grid).</summary>
    public static IReadOnlyDictionary<string, long> FixedDims(long batch, long frames, long height, long width) =>
        new Dictionary<string, long> { [BatchDim] = batch, [FramesDim] = frames, [HeightDim] = height, [WidthDim] = width };
}
