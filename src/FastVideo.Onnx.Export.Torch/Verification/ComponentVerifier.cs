using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Registries;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using TorchSharp;
using static TorchSharp.torch;

namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>
/// <c>fastvideo-onnx convert --verify</c>: after a conversion, runs each converted component's portable graph on ONNX
/// Runtime (CPU) and the TorchSharp eager forward of the same model definition on the real weights, at the exported
/// precision, with seeded random inputs, and reports the largest absolute difference and the cosine similarity per graph.
/// A graph outside <see cref="VerificationTolerance"/> fails the command with a one-line error naming the component.
/// Holds each component's weights in memory while it runs (the eager reference is not streamed).
/// </summary>
internal static class ComponentVerifier
{
    public const int Seed = 42;

    static readonly EntryRegistry<ComponentCheckAttribute, IComponentCheck> Checks = new("component check", typeof(ComponentVerifier).Assembly);

    /// <summary>
    /// Verifies every converted component of <paramref name="result"/>, writing one line per graph (a graph the CPU
    /// provider has no kernels for at its precision is reported as not verified); after reporting all, throws for the
    /// first graph outside tolerance.
    /// </summary>
    public static IReadOnlyList<GraphVerification> Verify(string sourceFolder, ConversionResult result, TextWriter report, CancellationToken cancel = default)
    {
        if (UnavailableReason() is string reason)
            throw new FastVideoException($"--verify is unavailable, {result.Output} was written but not verified: {reason}");
        var index = ModelIndex.Load(sourceFolder);
        var converter = new ModelConverter();
        var outcomes = new List<GraphVerification>();
        report.WriteLine($"Verifying against the TorchSharp reference (seed {Seed}):");
        foreach (var component in result.Components)
        {
            cancel.ThrowIfCancellationRequested();
            if (component.Kind == ConvertedComponent.Copied || component.Precision is not { } precision) continue;
            if (!Checks.Contains(component.ClassName))
            {
                report.WriteLine($"  {component.Name}: no reference check for {component.ClassName}");
                continue;
            }
            var entry = index.Find(component.Name) ?? throw new FastVideoException($"{sourceFolder}: model_index.json no longer lists '{component.Name}'");
            var source = new ComponentSource(entry, Path.Combine(index.Folder, entry.Name), index, precision);
            var exporterType = converter.ExporterFor(component.ClassName)!;
            var definition = ((IDefinitionProvider)Activator.CreateInstance(exporterType)!).Define(source);
            var cases = Checks.Create(component.ClassName, component.Name).Cases(definition, new SeededInputs(Seed));
            using var archive = WeightArchive.Open(source.Folder);
            using var weights = new TorchWeights(archive);
            var ops = new TorchOps(weights, precision);
            foreach (var graphCase in cases)
            {
                var outcome = Run(component.Name, precision, Path.Combine(result.Output, component.Name), graphCase, ops, out string? missingKernel);
                if (outcome is null)
                {
                    report.WriteLine($"  {component.Name} ({graphCase.GraphFile}, {precision.ShortName()}): not verified, ONNX Runtime's CPU provider cannot run it " +
                                     $"({missingKernel}); convert it at fp32 to verify the definition");
                    continue;
                }
                report.WriteLine("  " + outcome.Summary);
                outcomes.Add(outcome);
            }
        }
        var failed = outcomes.FirstOrDefault(o => !o.Passed);
        if (failed is not null)
            throw new FastVideoException($"--verify: {failed.Component} ({failed.GraphFile}) differs from the TorchSharp reference: max abs error " +
                                         $"{failed.MaxAbsError:0.###e0}, cosine {failed.Cosine:0.000000}, outside the {failed.Precision.ShortName()} tolerance " +
                                         $"({VerificationTolerance.Describe(failed.Precision)})");
        return outcomes;
    }

    static GraphVerification? Run(string component, DType precision, string folder, GraphCase graphCase, TorchOps ops, out string? missingKernel)
    {
        var actual = OrtGraphRunner.Run(Path.Combine(folder, graphCase.GraphFile), graphCase.Inputs, graphCase.OutputName, out missingKernel);
        if (actual is null) return null;
        using var scope = torch.NewDisposeScope();
        var inputs = graphCase.Inputs.ToDictionary(i => i.Name,
            i => i.Floats is not null ? torch.tensor(i.Floats, i.Shape, ScalarType.Float32) : torch.tensor(i.Int64s!, i.Shape, ScalarType.Int64));
        Tensor output;
        using (torch.no_grad()) output = graphCase.Eager(ops, inputs);
        var reference = output.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        return GraphVerification.Measure(component, graphCase.GraphFile, precision, actual, reference);
    }

    /// <summary>Why the eager reference cannot run here (libtorch's native library does not load), or null when it can.</summary>
    public static string? UnavailableReason()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "TorchSharp could not load libtorch (a deployment published with -p:LeanDeploy=true leaves it out): " +
                   FastVideoException.FirstLine(e.GetBaseException().Message);
        }
    }
}
