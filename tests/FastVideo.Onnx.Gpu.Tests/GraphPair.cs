using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Export.Onnx;

namespace FastVideo.Onnx.Gpu.Tests;

/// <summary>A kernel's graph and its reference written to a temporary folder for one comparison, removed after it.</summary>
internal static class GraphPair
{
    public static T Run<T>(OnnxGraphBuilder fused, OnnxGraphBuilder reference, IWeightSource? weights, Func<string, string, T> compare)
    {
        string dir = Path.Combine(Path.GetTempPath(), "fvo-gpu-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            var writer = new OnnxModelWriter();
            string fusedPath = Path.Combine(dir, "fused.onnx"), referencePath = Path.Combine(dir, "reference.onnx");
            writer.Write(fused, weights, fusedPath, "fused");
            writer.Write(reference, weights, referencePath, "reference");
            return compare(fusedPath, referencePath);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
