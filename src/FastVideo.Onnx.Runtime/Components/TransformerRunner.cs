using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Execution;
using Microsoft.ML.OnnxRuntime;

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

    readonly GraphSession _session;

    /// <summary>The graph in use: the fused-kernel graph on a GPU with the kernel library, else the portable one.</summary>
    public string GraphFile { get; }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int TextDim { get; }
    public int? ImageDim { get; }
    public int[] PatchSize { get; }
    public string Precision { get; }
    public TimeSpan CreationTime => _session.CreationTime;
    public bool AcceptsImage => ImageDim is not null;

    TransformerRunner(GraphSession session, ComponentFolder folder, string graphFile)
    {
        _session = session;
        GraphFile = graphFile;
        var config = folder.Config();
        InChannels = config.GetInt("in_channels");
        OutChannels = config.GetIntOrNull("out_channels") ?? InChannels;
        TextDim = config.GetInt("text_dim");
        ImageDim = config.GetIntOrNull("image_dim");
        PatchSize = config.GetIntArray("patch_size", new[] { 1, 2, 2 });
        Precision = folder.Manifest.Precision;
        _session.RequireInputs("hidden_states", "timestep", "encoder_hidden_states");
        if (AcceptsImage) _session.RequireInputs("encoder_hidden_states_image");
    }

    public static TransformerRunner Open(string modelFolder, ExecutionDevice device, Action<string>? notice = null)
    {
        var folder = ComponentFolder.Open(modelFolder, ComponentName);
        if (device.KernelLibraryPath is not null && folder.HasGraph(FusedGraph))
        {
            try
            {
                return new TransformerRunner(folder.Open(device, FusedGraph, withKernels: true), folder, FusedGraph);
            }
            catch (FastVideoException e) when (!device.KernelLibraryRequired)
            {
                notice?.Invoke($"fused kernels unavailable, using the portable transformer graph: {e.Message}");
            }
        }
        return new TransformerRunner(folder.Open(device, PortableGraph), folder, PortableGraph);
    }

    /// <summary>
    /// One forward: <paramref name="hidden"/> [B, in_channels, f, h, w], <paramref name="timesteps"/> (B values, host),
    /// <paramref name="text"/> [B, L, text_dim], <paramref name="image"/> [B, N, image_dim] or null, result into
    /// <paramref name="output"/> [B, out_channels, f, h, w].
    /// </summary>
    public void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, DeviceTensor? image, DeviceTensor output)
    {
        using var t = OrtValue.CreateTensorValueFromMemory(timesteps, new long[] { timesteps.Length });
        var inputs = new List<(string, OrtValue)>
        {
            ("hidden_states", hidden.Value), ("timestep", t), ("encoder_hidden_states", text.Value),
        };
        if (image is not null) inputs.Add(("encoder_hidden_states_image", image.Value));
        _session.Run(inputs, new[] { ("sample", output.Value) });
    }

    /// <summary>Ends ONNX Runtime profiling (when enabled) and returns the profile's path.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose() => _session.Dispose();
}
