using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Cli.Benchmarks;

/// <summary>
/// What <c>bench run</c> measures and how. Sizes, steps, text length and VSA sparsity left null come from the preset
/// that matches the configuration (the published model's own defaults), else Diffusers' defaults.
/// </summary>
internal sealed record BenchmarkOptions
{
    public const string Transformer = "transformer", Vae = "vae", Text = "text", EndToEnd = "e2e";

    /// <summary>The parts <c>--parts</c> accepts besides <c>none</c> (convert only).</summary>
    public static readonly string[] AllParts = { Transformer, Vae, Text, EndToEnd };

    public required string ConfigFolder { get; init; }
    public required string WorkFolder { get; init; }
    public DType TransformerPrecision { get; init; } = DType.BFloat16;
    public DType VaePrecision { get; init; } = DType.Float16;
    public DType TextPrecision { get; init; } = DType.BFloat16;
    public RuntimeOptions Runtime { get; init; } = new() { Device = ExecutionProvider.Cuda };
    public IReadOnlySet<string> Parts { get; init; } = new HashSet<string>(AllParts);
    public int? Height { get; init; }
    public int? Width { get; init; }
    public int? Frames { get; init; }

    /// <summary>Denoising steps of the whole run (a DMD pipeline runs its own few steps and ignores this).</summary>
    public int? Steps { get; init; }
    public int? TextTokens { get; init; }

    /// <summary>VSA transformers: the sparsities the forward is timed at (the whole run uses the first).</summary>
    public IReadOnlyList<double>? VsaSparsities { get; init; }

    /// <summary>The batch sizes the transformer forward is timed at (2 is a guided step's batch).</summary>
    public IReadOnlyList<int> Batches { get; init; } = new[] { 1, 2 };
    public int Repeats { get; init; } = 5;

    /// <summary>Also measure the portable graphs (standard and ONNX Runtime operators only) when the kernel library is in use.</summary>
    public bool WithPortable { get; init; } = true;

    /// <summary>Write ONNX Runtime's per-node profile of the transformer runs here and summarise it by operator.</summary>
    public string? ProfileFolder { get; init; }
}
