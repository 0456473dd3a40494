using System.Diagnostics.CodeAnalysis;
using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Execution;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Components.Wan;

/// <summary>
/// The converted Wan transformer as the denoiser: one session, called with device tensors bound in place (latents and
/// conditioning in, noise prediction out) so nothing moves to the host between steps. Names and sizes come from
/// <see cref="WanTransformerContract"/> and the component's config.
/// </summary>
[ComponentRunner(WanTransformerContract.ComponentClass)]
internal sealed class WanTransformerRunner : IDenoiser, IComponentRunner<WanTransformerRunner>, IDenoiserFootprintReader
{
    readonly ExecutionDevice _device;
    readonly ComponentFolder _folder;
    readonly bool _withKernels;
    readonly WanTransformerContract _contract;
    GraphSession? _session;
    TransformerShape? _shape;
    long _textTokens;
    // Rented from the device's pool, which owns and disposes them: Dispose returns them.
    [SuppressMessage("Reliability", "CA2213", Justification = "pooled: returned to the device's pool, which disposes it")]
    DeviceTensor? _timestep;
    [SuppressMessage("Reliability", "CA2213", Justification = "pooled: returned to the device's pool, which disposes it")]
    DeviceTensor? _sparsity;
    // With CUDA graphs the session replays the addresses it captured: inputs and outputs go through buffers this runner
    // owns for the session's lifetime (a copy of a few MB per call), never through the caller's pooled tensors.
    readonly Dictionary<string, DeviceTensor> _graphBuffers = new(StringComparer.Ordinal);

    /// <summary>The graph in use: the fused-kernel graph on a GPU with the kernel library, else the portable one.</summary>
    public string GraphFile { get; }

    public int InChannels => _contract.InChannels;
    public int OutChannels => _contract.OutChannels;
    public int TextDim => _contract.TextDim;
    public int? ImageDim => _contract.ImageDim;
    public int[] PatchSize => _contract.PatchSize;
    public string Precision { get; }
    public bool AcceptsImage => _contract.TakesImage;

    /// <summary>
    /// The graph takes one timestep per latent token, <c>timestep</c> [B, S] (Wan2.2 TI2V, <c>expand_timesteps</c>), as
    /// its manifest declares; otherwise [B].
    /// </summary>
    public TimestepLayout TimestepLayout => _contract.TimestepLayout;

    /// <summary>The component this runner serves (<c>transformer</c>, or A14B's low-noise expert <c>transformer_2</c>).</summary>
    public string Component => _folder.Name;

    /// <summary>The graph's self-attention is Video Sparse Attention (a FastWan transformer): it takes <c>vsa_sparsity</c>.</summary>
    public bool UsesVsa { get; }

    /// <summary>The image tokens TensorRT profiles are built for (image-to-video: the image encoder's token count).</summary>
    public long? TensorRtImageTokens { get; }

    /// <summary>Time spent creating sessions so far (one per shape when sessions are specialised).</summary>
    public TimeSpan CreationTime { get; private set; }

    GraphSession Session => _session ?? throw new ObjectDisposedException(nameof(WanTransformerRunner));

    WanTransformerRunner(ExecutionDevice device, ComponentFolder folder, string graphFile, bool withKernels, ComponentRequest request)
    {
        _device = device;
        _folder = folder;
        _withKernels = withKernels;
        GraphFile = graphFile;
        var entry = folder.GraphEntry(graphFile);
        // The graph declares its timestep layout ([batch] or, for an expand_timesteps model, [batch, tokens]): bind what it takes.
        _contract = WanTransformerContract.FromConfig(folder.Config(), WanTransformerContract.TimestepLayoutOf(entry));
        UsesVsa = WanTransformerContract.UsesVsa(entry);
        Precision = folder.Manifest.Precision;
        TensorRtImageTokens = AcceptsImage ? request.ImageTokens : null;
        // The text length TensorRT profiles are built for: the calls' (the pipeline's max_sequence_length).
        _textTokens = request.ExpectedTextTokens ?? 0;
        _session = CreateSession(device.SpecializeShapes ? request.ExpectedShape : null);
        try
        {
            var required = _contract.Graph(graphFile, UsesVsa).Inputs.Select(i => i.Name).ToArray();
            _session.RequireInputs(required);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The TensorRT profiles of a session for <paramref name="shape"/>: the request's shape (the timestep [batch] or, per
    /// token, [batch, tokens] as the contract declares), the calls' text length and, for image-to-video, the image
    /// encoder's tokens, each fixed (minimum = optimum = maximum).
    /// </summary>
    public IReadOnlyList<ShapeProfile> TensorRtProfilesFor(TransformerShape shape)
    {
        var profiles = new List<ShapeProfile>
        {
            TensorRtProfiles.Fixed(WanTransformerContract.HiddenStates, shape.Batch, InChannels, shape.Frames, shape.Height, shape.Width),
            _contract.PerTokenTimesteps
                ? TensorRtProfiles.Fixed(WanTransformerContract.Timestep, shape.Batch, _contract.Tokens(shape.Frames, shape.Height, shape.Width))
                : TensorRtProfiles.Fixed(WanTransformerContract.Timestep, shape.Batch),
            TensorRtProfiles.Fixed(WanTransformerContract.EncoderHiddenStates, shape.Batch, _textTokens, TextDim),
        };
        if (TensorRtImageTokens is long n && ImageDim is int d) profiles.Add(TensorRtProfiles.Fixed(WanTransformerContract.EncoderHiddenStatesImage, shape.Batch, n, d));
        return profiles;
    }

    GraphSession CreateSession(TransformerShape? shape)
    {
        // TensorRT builds engines for the shapes it is told.
        var profiles = _device.Provider == ExecutionProvider.TensorRT && shape is not null && _textTokens > 0 ? TensorRtProfilesFor(shape) : null;
        var spec = new SessionSpec
        {
            TensorRtProfiles = profiles,
            WithKernels = _withKernels,
            FixedDims = shape is null ? null : WanTransformerContract.FixedDims(shape.Batch, shape.Frames, shape.Height, shape.Width),
            CudaGraph = _device.Options.CudaGraph,
        };
        var session = _folder.Open(_device, GraphFile, spec);
        _shape = shape;
        CreationTime += session.CreationTime;
        return session;
    }

    public static DenoiserFootprint Footprint(Core.Json.JsonConfig config) => new(config.GetInt("num_attention_heads"),
        config.GetInt("attention_head_dim"), config.GetIntOrNull("ffn_dim") ?? 4 * config.GetInt("num_attention_heads") * config.GetInt("attention_head_dim"),
        config.GetIntArray("patch_size", new[] { 1, 2, 2 }), config.GetInt("in_channels"));

    /// <summary>
    /// Opens the transformer: its fused-kernel graph when the device has the kernel library and the conversion wrote it,
    /// else (or when it does not load and the library is not required, with a notice) the portable one.
    /// </summary>
    public static WanTransformerRunner Open(ComponentRequest request)
    {
        var device = request.Device;
        var folder = ComponentFolder.Open(request.ModelFolder, request.Component);
        if (device.KernelLibrary is not null && folder.HasGraph(WanTransformerContract.FusedGraph))
        {
            try
            {
                return new WanTransformerRunner(device, folder, WanTransformerContract.FusedGraph, true, request);
            }
            catch (FastVideoException e) when (!device.KernelLibraryRequired)
            {
                request.Notice?.Invoke($"fused kernels unavailable, using the portable transformer graph: {e.Message}");
            }
        }
        return new WanTransformerRunner(device, folder, WanTransformerContract.PortableGraph, false, request);
    }

    /// <inheritdoc/>
    /// <remarks>A per-token graph (<see cref="TimestepLayout"/>) takes B·S timesteps, batch-major, S the latent tokens of <paramref name="hidden"/>.</remarks>
    public void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, DeviceTensor? image, DeviceTensor output, double vsaSparsity = 0)
    {
        long batch = hidden.Shape[0];
        long expected = _contract.PerTokenTimesteps ? batch * _contract.Tokens(hidden.Shape[2], hidden.Shape[3], hidden.Shape[4]) : batch;
        if (timesteps.Length != expected)
            throw new ArgumentException($"{_folder.Name} takes {expected} timesteps for this call ({(_contract.PerTokenTimesteps ? "one per latent token" : "one per batch entry")}), not {timesteps.Length}", nameof(timesteps));
        if (UsesVsa)
        {
            _sparsity ??= _device.Pool.Rent(TensorElementType.Float, 1);
            _device.Math.Upload(new[] { (float)vsaSparsity }, _sparsity);
        }
        bool tensorRtText = _device.Provider == ExecutionProvider.TensorRT && text.Shape[1] != _textTokens;
        if (tensorRtText) _textTokens = text.Shape[1];
        if (_device.SpecializeShapes)
        {
            var shape = new TransformerShape(hidden.Shape[0], hidden.Shape[2], hidden.Shape[3], hidden.Shape[4]);
            if (shape != _shape || tensorRtText) Reopen(shape);
        }
        if (_device.Options.CudaGraph)
        {
            // A captured graph holds its buffers' sizes too: a new context length (or image) means a new session.
            if (Mismatch(WanTransformerContract.EncoderHiddenStates, text.Shape) || Mismatch(WanTransformerContract.EncoderHiddenStatesImage, image?.Shape))
                Reopen(_shape);
            var math = _device.Math;
            var x = GraphBuffer(WanTransformerContract.HiddenStates, hidden.Shape);
            var t = GraphBuffer(WanTransformerContract.EncoderHiddenStates, text.Shape);
            var i = image is null ? null : GraphBuffer(WanTransformerContract.EncoderHiddenStatesImage, image.Shape);
            var y = GraphBuffer(WanTransformerContract.Sample, output.Shape);
            math.Copy(hidden, x);
            math.Copy(text, t);
            if (image is not null) math.Copy(image, i!);
            Execute(x, timesteps, t, i, y);
            math.Copy(y, output);
            return;
        }
        Execute(hidden, timesteps, text, image, output);
    }

    /// <summary>One specialised session at a time: the previous one's weights are released before the next is created.</summary>
    void Reopen(TransformerShape? shape)
    {
        _session?.Dispose();
        _session = null;
        ReleaseGraphBuffers();
        _session = CreateSession(shape);
    }

    bool Mismatch(string name, long[]? shape) =>
        _graphBuffers.TryGetValue(name, out var t) ? shape is null || !t.Shape.SequenceEqual(shape) : shape is not null && _graphBuffers.Count > 0;

    DeviceTensor GraphBuffer(string name, long[] shape) =>
        _graphBuffers.TryGetValue(name, out var t) ? t : _graphBuffers[name] = _device.Pool.Rent(TensorElementType.Float, shape);

    void ReleaseGraphBuffers()
    {
        foreach (var t in _graphBuffers.Values) _device.Pool.Return(t);
        _graphBuffers.Clear();
    }

    void Execute(DeviceTensor hidden, float[] timesteps, DeviceTensor text, DeviceTensor? image, DeviceTensor output)
    {
        // The timestep lives in device memory at a fixed address, like every other input: the call can then be captured
        // in a CUDA graph, and nothing is bound from host memory.
        if (_timestep is null || _timestep.ElementCount != timesteps.Length)
        {
            if (_timestep is not null) _device.Pool.Return(_timestep);
            _timestep = _contract.PerTokenTimesteps
                ? _device.Pool.Rent(TensorElementType.Float, hidden.Shape[0], timesteps.Length / hidden.Shape[0])
                : _device.Pool.Rent(TensorElementType.Float, timesteps.Length);
        }
        _device.Math.Upload(timesteps, _timestep);
        var inputs = new List<(string, Microsoft.ML.OnnxRuntime.OrtValue)>
        {
            (WanTransformerContract.HiddenStates, hidden.Value), (WanTransformerContract.Timestep, _timestep.Value),
            (WanTransformerContract.EncoderHiddenStates, text.Value),
        };
        if (image is not null) inputs.Add((WanTransformerContract.EncoderHiddenStatesImage, image.Value));
        if (_sparsity is not null) inputs.Add((WanTransformerContract.VsaSparsity, _sparsity.Value));
        Session.Run(inputs, new[] { (WanTransformerContract.Sample, output.Value) });
    }

    /// <summary>Ends ONNX Runtime profiling (when enabled) and returns the profile's path.</summary>
    public string EndProfiling() => Session.EndProfiling();

    public void Dispose()
    {
        ReleaseGraphBuffers();
        // Pooled tensors go back to the device's pool, which owns (and disposes) them.
        if (_timestep is not null) _device.Pool.Return(_timestep);
        if (_sparsity is not null) _device.Pool.Return(_sparsity);
        _timestep = _sparsity = null;
        _session?.Dispose();
        _session = null;
    }
}
