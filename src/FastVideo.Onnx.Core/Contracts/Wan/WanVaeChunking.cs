namespace FastVideo.Onnx.Core.Contracts.Wan;

/// <summary>
/// The calling protocol of a converted Wan VAE, 2.1 or 2.2 (component class <c>AutoencoderKLWan</c>): its four graphs, their
/// tensor names and the named dims; the compression factors are the config's (see <see cref="WanVaeContract"/>). Shared by the converter, which names the graphs' inputs and outputs with these, and
/// the runtime, which drives them. Details in docs/VAE.md.
/// <para>
/// Decoding (one latent frame per call, as Diffusers decodes): call <see cref="DecoderFirstGraph"/> with latent frame 0
/// (<see cref="LatentsName"/>, [B, z, 1, h, w] float32); it returns <see cref="VideoName"/> (1 video frame,
/// [B, 3, 1, s·h, s·w] float32 in [-1, 1], s the spatial compression: 8, or 16 for Wan2.2) and every cache as <c>next_cache_i</c>. For each further latent frame call
/// <see cref="DecoderGraph"/> with that frame and input <c>cache_i</c> = the previous call's output <c>next_cache_i</c>;
/// it returns t video frames (the temporal compression) and new caches. Concatenate the video frames along axis 2.
/// </para>
/// <para>
/// Encoding (image-to-video): <see cref="EncoderFirstGraph"/> takes video frame 0 alone, <see cref="EncoderGraph"/>
/// then takes the following frames t at a time with the caches, each call returning one latent frame of the posterior
/// mean (<see cref="LatentMeanName"/>, [B, z, 1, H/s, W/s] float32, not yet normalised: see <see cref="WanVaeNormalization"/>).
/// </para>
/// Caches are opaque state: the runtime sizes them from the graphs' named dims (<see cref="ResolveDim"/>), allocates them
/// on the device before the first call and hands each <c>next_cache_i</c> to the next call's <c>cache_i</c> (same shape
/// and type, the graph's compute type); it never reads them.
/// </summary>
public static class WanVaeChunking
{
    public const string DecoderFirstGraph = "decoder_first.onnx";
    public const string DecoderGraph = "decoder.onnx";
    public const string EncoderFirstGraph = "encoder_first.onnx";
    public const string EncoderGraph = "encoder.onnx";

    /// <summary>The four portable graphs, in the order above.</summary>
    public static IReadOnlyList<string> Graphs { get; } = new[] { DecoderFirstGraph, DecoderGraph, EncoderFirstGraph, EncoderGraph };

    // The fused-kernel variants: the same signature, weights and data file, with each channel RMS norm (and the SiLU after
    // it) as one node of the CUDA custom-operator library (domain com.fastvideo, native/fastvideo_kernels). They load
    // only with that library registered; the runtime falls back to the portable graphs elsewhere.
    public const string DecoderFirstFusedGraph = "decoder_first.fused.onnx";
    public const string DecoderFusedGraph = "decoder.fused.onnx";
    public const string EncoderFirstFusedGraph = "encoder_first.fused.onnx";
    public const string EncoderFusedGraph = "encoder.fused.onnx";

    /// <summary>The fused-kernel variant of one of the four portable graphs (<c>decoder.onnx</c> -> <c>decoder.fused.onnx</c>).</summary>
    public static string FusedGraph(string graph) => graph switch
    {
        DecoderFirstGraph => DecoderFirstFusedGraph,
        DecoderGraph => DecoderFusedGraph,
        EncoderFirstGraph => EncoderFirstFusedGraph,
        EncoderGraph => EncoderFusedGraph,
        _ => throw new ArgumentException($"not a portable VAE graph: {graph}", nameof(graph)),
    };

    /// <summary>Decoder input: one de-normalised latent frame.</summary>
    public const string LatentsName = "latents";
    /// <summary>Decoder output and encoder input: video frames in [-1, 1].</summary>
    public const string VideoName = "video";
    /// <summary>Encoder output: one latent frame of the posterior mean.</summary>
    public const string LatentMeanName = "latent_mean";

    /// <summary>Frames a causal 3x3x3 convolution keeps from the previous chunk (Diffusers' CACHE_T).</summary>
    public const int CacheFrames = 2;

    public const string CachePrefix = "cache_";
    public const string NextCachePrefix = "next_cache_";

    // Named dims of the graphs' signatures. Cache and output dims at another scale are written "latent_height*4" or
    // "video_width/2" (see ScaledDim); a caller resolves them with ResolveDim to allocate the caches before a call.
    public const string BatchDim = "batch";
    public const string LatentHeightDim = "latent_height";
    public const string LatentWidthDim = "latent_width";
    public const string VideoHeightDim = "video_height";
    public const string VideoWidthDim = "video_width";

    /// <summary>The name of <paramref name="dim"/> scaled by 2^<paramref name="level"/>: <c>latent_height*4</c>, <c>video_width/2</c> (floor).</summary>
    public static string ScaledDim(string dim, int level) => level switch
    {
        0 => dim,
        > 0 => $"{dim}*{1 << level}",
        _ => $"{dim}/{1 << -level}",
    };

    /// <summary>The size a dim named as <see cref="ScaledDim"/> writes it has, given the sizes of the plain dims.</summary>
    public static long ResolveDim(string name, IReadOnlyDictionary<string, long> dims)
    {
        int op = name.IndexOfAny(new[] { '*', '/' });
        string baseName = op < 0 ? name : name[..op];
        if (!dims.TryGetValue(baseName, out long size))
            throw new ArgumentException($"dim '{name}' names none of {string.Join(", ", dims.Keys)}");
        if (op < 0) return size;
        if (!long.TryParse(name[(op + 1)..], out long factor) || factor <= 0)
            throw new ArgumentException($"dim '{name}' has no positive integer factor");
        return name[op] == '*' ? size * factor : size / factor;
    }

    public static string CacheInput(int index) => CachePrefix + index;
    public static string CacheOutput(int index) => NextCachePrefix + index;
}
