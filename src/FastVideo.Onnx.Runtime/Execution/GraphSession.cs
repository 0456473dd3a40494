using System.Diagnostics;
using FastVideo.Onnx.Core.Errors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FastVideo.Onnx.Runtime.Execution;

/// <summary>An output of a run: written into <see cref="Value"/>, or allocated by ONNX Runtime in <see cref="Memory"/>.</summary>
public sealed record OutputBinding(string Name, OrtValue? Value, OrtMemoryInfo? Memory)
{
    public static OutputBinding Into(string name, OrtValue value) => new(name, value, null);
    public static OutputBinding Allocate(string name, OrtMemoryInfo memory) => new(name, null, memory);
}

/// <summary>
/// One ONNX Runtime session with its IO binding: inputs and outputs are bound to device tensors (or to memory for ONNX
/// Runtime to allocate), so data moves only where the caller says.
/// </summary>
public sealed class GraphSession : IDisposable
{
    readonly InferenceSession _session;
    readonly OrtIoBinding _binding;
    readonly RunOptions _run = new();
    RunTerminator? _terminator;

    public string Label { get; }
    public IReadOnlyList<string> InputNames { get; }
    public IReadOnlyList<string> OutputNames { get; }
    public TimeSpan CreationTime { get; }
    internal InferenceSession Session => _session;

    GraphSession(InferenceSession session, string label, TimeSpan creation)
    {
        _session = session;
        _binding = session.CreateIoBinding();
        Label = label;
        InputNames = session.InputNames.ToList();
        OutputNames = session.OutputNames.ToList();
        CreationTime = creation;
    }

    /// <summary>Opens <paramref name="path"/> (an .onnx file or the bytes of a utility graph) with <paramref name="options"/>.</summary>
    public static GraphSession Open(string path, SessionOptions options, string label)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "graph file not found");
        var clock = Stopwatch.StartNew();
        try
        {
            return new GraphSession(new InferenceSession(path, options), label, clock.Elapsed);
        }
        catch (OnnxRuntimeException e) when (e.Message.Contains("Could not find an implementation", StringComparison.Ordinal))
        {
            // ONNX Runtime's message names a node and an opset, not the component, nor what to do about it.
            throw new ModelFormatException(path,
                $"{label}: ONNX Runtime has no kernel on this device for an operator of the graph ({FastVideoException.FirstLine(e.Message)}); " +
                "a bf16/fp16 graph is meant for GPUs: use --device cuda, or convert for the CPU: fastvideo-onnx convert SRC --output DIR --dtype fp32", e);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelFormatException(path, $"ONNX Runtime could not load the graph: {FastVideoException.FirstLine(e.Message)}", e);
        }
    }

    public static GraphSession Open(byte[] model, SessionOptions options, string label)
    {
        var clock = Stopwatch.StartNew();
        return new GraphSession(new InferenceSession(model, options), label, clock.Elapsed);
    }

    /// <summary>
    /// Element type and shape of output <paramref name="name"/>, its named dims sized by <paramref name="resolve"/>
    /// (for outputs the caller allocates before a run).
    /// </summary>
    public (TensorElementType Type, long[] Shape) OutputSignature(string name, Func<string, long> resolve)
    {
        if (!_session.OutputMetadata.TryGetValue(name, out var meta)) throw new FastVideoException($"{Label}: graph has no output '{name}'");
        try
        {
            var shape = meta.Dimensions.Select((d, i) => d >= 0 ? d : resolve(meta.SymbolicDimensions[i])).ToArray();
            return (meta.ElementDataType, shape);
        }
        catch (ArgumentException e)
        {
            throw new FastVideoException($"{Label}: output '{name}' has a shape this runtime cannot size ({FastVideoException.FirstLine(e.Message)})", e);
        }
    }

    /// <summary>
    /// The allocator this session's runs draw <paramref name="memory"/> from (its arena, or the device's shared arena),
    /// for tensors that should sit with the session's own allocations. The caller disposes it after what it allocated.
    /// </summary>
    public OrtAllocator CreateAllocator(OrtMemoryInfo memory) => new(_session, memory);

    public void RequireInputs(params string[] names)
    {
        foreach (var n in names)
            if (!InputNames.Contains(n))
                throw new FastVideoException($"{Label}: graph has no input '{n}' (inputs: {string.Join(", ", InputNames)})");
    }

    /// <summary>Runs with every input and output bound to the given values (outputs are written in place).</summary>
    public void Run(IEnumerable<(string Name, OrtValue Value)> inputs, IEnumerable<(string Name, OrtValue Value)> outputs)
    {
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        foreach (var (name, value) in inputs) _binding.BindInput(name, value);
        foreach (var (name, value) in outputs) _binding.BindOutput(name, value);
        Execute();
        _binding.SynchronizeBoundOutputs();
    }

    /// <summary>Runs and lets ONNX Runtime allocate the outputs in <paramref name="memory"/>; the caller disposes them.</summary>
    public IDisposableReadOnlyCollection<OrtValue> RunAllocating(IEnumerable<(string Name, OrtValue Value)> inputs, IReadOnlyList<string> outputs, OrtMemoryInfo memory)
    {
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        foreach (var (name, value) in inputs) _binding.BindInput(name, value);
        foreach (var name in outputs) _binding.BindOutputToDevice(name, memory);
        Execute();
        _binding.SynchronizeBoundOutputs();
        return _binding.GetOutputValues();
    }

    /// <summary>
    /// Runs with each output either written into a given value or allocated by ONNX Runtime in a given memory
    /// (device caches that feed the next call, host results). Returns every output in binding order; the caller
    /// disposes the collection (which disposes the values ONNX Runtime allocated).
    /// </summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(IEnumerable<(string Name, OrtValue Value)> inputs, IEnumerable<OutputBinding> outputs)
    {
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        foreach (var (name, value) in inputs) _binding.BindInput(name, value);
        foreach (var o in outputs)
        {
            if (o.Value is not null) _binding.BindOutput(o.Name, o.Value);
            else _binding.BindOutputToDevice(o.Name, o.Memory!);
        }
        Execute();
        _binding.SynchronizeBoundOutputs();
        return _binding.GetOutputValues();
    }

    void Execute()
    {
        try
        {
            _session.RunWithBinding(_run, _binding);
        }
        catch (OnnxRuntimeException e) when (_run.Terminate)
        {
            throw new OperationCanceledException($"{Label}: the run was stopped (cancelled)", e);
        }
        catch (OnnxRuntimeException e)
        {
            throw new FastVideoException($"{Label}: ONNX Runtime failed: {FastVideoException.FirstLine(e.Message)}", e);
        }
    }

    /// <summary>Lets <paramref name="terminator"/> stop this session's running calls until the session is disposed.</summary>
    internal void StopWith(RunTerminator terminator)
    {
        _terminator = terminator;
        terminator.Join(this);
    }

    internal void SetTerminate(bool value) => _run.Terminate = value;

    /// <summary>Sets an ONNX Runtime run configuration entry for every later run of this session.</summary>
    public void SetRunConfig(string key, string value) => _run.AddRunConfigEntry(key, value);

    /// <summary>Ends profiling (when enabled) and returns the profile file's path.</summary>
    public string EndProfiling() => _session.EndProfiling();

    public void Dispose()
    {
        _terminator?.Leave(this);
        _terminator = null;
        _binding.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
