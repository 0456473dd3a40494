using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Execution;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Components;

/// <summary>
/// The converted Wan transformer: one session, called with device tensors bound in place (latents and conditioning
/// in, noise prediction out) so nothing moves to the host between steps.
/// </summary>
public sealed class TransformerRunner : IDisposable
{
    public const string ComponentName = "transformer";
    const string PortableGraph = "model.onnx";
    const string FusedGraph = "model.fused.onnx";

    readonly ExecutionDevice _device;
    readonly ComponentFolder _folder;
    readonly bool _withKernels;
    GraphSession _session;
    TransformerShape? _shape;
    DeviceTensor? _timestep;
    // With CUDA graphs the session replays the addresses it captured: inputs and outputs go through buffers this runner
    // owns for the session's lifetime (a copy of a few MB per call), never through the caller's pooled tensors.
    readonly Dictionary<string, DeviceTensor> _graphBuffers = new(StringComparer.Ordinal);

    /// <summary>The graph in use: the fused-kernel graph on a GPU with the kernel library, else the portable one.</summary>
    public string GraphFile { get; }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int TextDim { get; }
    public int? ImageDim { get; }
    public int[] PatchSize { get; }
    public string Precision { get; }
    public bool AcceptsImage => ImageDim is not null;

    /// <summary>
    /// The graph takes one timestep per token, <c>timestep</c> [B, S] (Wan2.2 TI2V, <c>expand_timesteps</c>), as its
    /// manifest declares; otherwise [B].
    /// </summary>
    public bool PerTokenTimesteps { get; }

    /// <summary>The component this runner serves (<c>transformer</c>, or A14B's low-noise expert <c>transformer_2</c>).</summary>
    public string Component => _folder.Name;

    /// <summary>The graph's self-attention is Video Sparse Attention (a FastWan transformer): it takes <c>vsa_sparsity</c>.</summary>
    public bool UsesVsa { get; }

    public const string VsaSparsityInput = "vsa_sparsity";
    DeviceTensor? _sparsity;

    /// <summary>The text length TensorRT profiles are built for (Wan's max_sequence_length).</summary>
    public const long TensorRtTextTokens = 512;

    /// <summary>The image tokens TensorRT profiles are built for (image-to-video: the image encoder's token count).</summary>
    public long? TensorRtImageTokens { get; }

    /// <summary>Time spent creating sessions so far (one per shape when sessions are specialised).</summary>
    public TimeSpan CreationTime { get; private set; }

    TransformerRunner(ExecutionDevice device, ComponentFolder folder, string graphFile, bool withKernels, TransformerShape? shape,
        long? imageTokens)
    {
        _device = device;
        _folder = folder;
        _withKernels = withKernels;
        GraphFile = graphFile;
        var config = folder.Config();
        InChannels = config.GetInt("in_channels");
        OutChannels = config.GetIntOrNull("out_channels") ?? InChannels;
        TextDim = config.GetInt("text_dim");
        ImageDim = config.GetIntOrNull("image_dim");
        PatchSize = config.GetIntArray("patch_size", new[] { 1, 2, 2 });
        Precision = folder.Manifest.Precision;
        TensorRtImageTokens = AcceptsImage ? imageTokens : null;
        PerTokenTimesteps = folder.Manifest.Graph(graphFile, folder.Path).Inputs.First(i => i.Name == "timestep").Shape.Count == 2;
        _session = CreateSession(device.SpecializeShapes ? shape : null);
        _session.RequireInputs("hidden_states", "timestep", "encoder_hidden_states");
        if (AcceptsImage) _session.RequireInputs("encoder_hidden_states_image");
        UsesVsa = _session.InputNames.Contains(VsaSparsityInput);
    }

    /// <summary>
    /// The TensorRT profiles of a session for <paramref name="shape"/>: the request's shape, the text length as
    /// published (512 tokens) and, for image-to-video, the image encoder's tokens.
    /// </summary>
    public IReadOnlyList<ShapeProfile> TensorRtProfilesFor(TransformerShape shape) =>
        TensorRtProfiles.Transformer(shape, InChannels, TensorRtTextTokens, TextDim, TensorRtImageTokens, ImageDim,
            PerTokenTimesteps ? shape.Frames / PatchSize[0] * (shape.Height / PatchSize[1]) * (shape.Width / PatchSize[2]) : null);

    GraphSession CreateSession(TransformerShape? shape)
    {
        // TensorRT builds engines for the shapes it is told.
        var profiles = _device.Provider == ExecutionProvider.TensorRT && shape is not null ? TensorRtProfilesFor(shape) : null;
        var session = _folder.Open(_device, GraphFile, profiles, _withKernels, shape?.Dims, _device.Options.CudaGraph);
        _shape = shape;
        CreationTime += session.CreationTime;
        return session;
    }

    /// <summary>
    /// Opens the transformer; <paramref name="expected"/> is the shape of the calls to come (specialised sessions are
    /// created for it now, and again whenever a call has another shape); <paramref name="imageTokens"/> is the image
    /// encoder's token count for an image-to-video transformer (its TensorRT profile).
    /// </summary>
    /// <param name="component">The component folder: <c>transformer</c>, or <c>transformer_2</c> (A14B's second expert).</param>
    public static TransformerRunner Open(string modelFolder, ExecutionDevice device, Action<string>? notice = null, TransformerShape? expected = null,
        long? imageTokens = null, string component = ComponentName)
    {
        var folder = ComponentFolder.Open(modelFolder, component);
        if (device.KernelLibraryPath is not null && folder.HasGraph(FusedGraph))
        {
            try
            {
                return new TransformerRunner(device, folder, FusedGraph, true, expected, imageTokens);
            }
            catch (FastVideoException e) when (!device.KernelLibraryRequired)
            {
                notice?.Invoke($"fused kernels unavailable, using the portable transformer graph: {e.Message}");
            }
        }
        return new TransformerRunner(device, folder, PortableGraph, false, expected, imageTokens);
    }

    /// <summary>
    /// One forward: <paramref name="hidden"/> [B, in_channels, f, h, w], <paramref name="timesteps"/> (B values, host; B·S
    /// values, batch-major, for a <see cref="PerTokenTimesteps"/> graph),
    /// <paramref name="text"/> [B, L, text_dim], <paramref name="image"/> [B, N, image_dim] or null, result into
    /// <paramref name="output"/> [B, out_channels, f, h, w]; <paramref name="vsaSparsity"/> is the share of key tiles a VSA
    /// transformer skips (unused by a dense one).
    /// </summary>
    public void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, DeviceTensor? image, DeviceTensor output, double vsaSparsity = 0)
    {
        if (UsesVsa)
        {
            _sparsity ??= _device.Pool.Rent(TensorElementType.Float, 1);
            _device.Math.Upload(new[] { (float)vsaSparsity }, _sparsity);
        }
        if (_device.SpecializeShapes)
        {
            var shape = new TransformerShape(hidden.Shape[0], hidden.Shape[2], hidden.Shape[3], hidden.Shape[4]);
            if (shape != _shape)
            {
                // One specialised session at a time: the previous one's weights are released first.
                _session.Dispose();
                ReleaseGraphBuffers();
                _session = CreateSession(shape);
            }
        }
        if (_device.Options.CudaGraph)
        {
            // A captured graph holds its buffers' sizes too: a new context length (or image) means a new session.
            if (Mismatch("encoder_hidden_states", text.Shape) || Mismatch("encoder_hidden_states_image", image?.Shape))
            {
                _session.Dispose();
                ReleaseGraphBuffers();
                _session = CreateSession(_shape);
            }
            var math = _device.Math;
            var x = GraphBuffer("hidden_states", hidden.Shape);
            var t = GraphBuffer("encoder_hidden_states", text.Shape);
            var i = image is null ? null : GraphBuffer("encoder_hidden_states_image", image.Shape);
            var y = GraphBuffer("sample", output.Shape);
            math.Copy(hidden, x);
            math.Copy(text, t);
            if (image is not null) math.Copy(image, i!);
            Execute(x, timesteps, t, i, y);
            math.Copy(y, output);
            return;
        }
        Execute(hidden, timesteps, text, image, output);
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
            _timestep = PerTokenTimesteps
                ? _device.Pool.Rent(TensorElementType.Float, hidden.Shape[0], timesteps.Length / hidden.Shape[0])
                : _device.Pool.Rent(TensorElementType.Float, timesteps.Length);
        }
        _device.Math.Upload(timesteps, _timestep);
        var inputs = new List<(string, OrtValue)>
        {
            ("hidden_states", hidden.Value), ("timestep", _timestep.Value), ("encoder_hidden_states", text.Value),
        };
        if (image is not null) inputs.Add(("encoder_hidden_states_image", image.Value));
        if (_sparsity is not null) inputs.Add((VsaSparsityInput, _sparsity.Value));
        _session.Run(inputs, new[] { ("sample", output.Value) });
    }

    /// <summary>Ends ONNX Runtime profiling (when enabled) and returns the profile's path.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose()
    {
        ReleaseGraphBuffers();
        if (_timestep is not null) _device.Pool.Return(_timestep);
        if (_sparsity is not null) _device.Pool.Return(_sparsity);
        _session.Dispose();
    }
}
