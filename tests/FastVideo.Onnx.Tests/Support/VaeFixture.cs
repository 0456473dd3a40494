using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Export.Wan;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>The tiny Wan VAE: its definition with checked weights, and conversions through the registered exporter.</summary>
internal static class VaeFixture
{
    public static string Folder => Path.Combine(Repo.TinyT2V, "vae");

    public static WanVaeModel Model() => new(WanVaeConfig.FromJson(JsonConfig.Load(Path.Combine(Folder, "config.json"))));

    /// <summary>The definition and its checkpoint, loaded strictly.</summary>
    public static (WanVaeModel Model, WeightArchive Weights) Load()
    {
        var model = Model();
        var archive = WeightArchive.Open(Folder);
        model.CheckWeights(archive);
        return (model, archive);
    }

    public static PreparedComponent Prepare(string modelFolder, DType precision)
    {
        var index = ModelIndex.Load(modelFolder);
        var source = new ComponentSource(index.Get("vae"), index.ComponentFolder("vae"), index, precision);
        return new WanVaeExporter().Prepare(source);
    }

    /// <summary>Converts the vae component of <paramref name="modelFolder"/> into <paramref name="outputFolder"/>.</summary>
    public static ComponentManifest Convert(string modelFolder, DType precision, string outputFolder)
    {
        using var prepared = Prepare(modelFolder, precision);
        Directory.CreateDirectory(outputFolder);
        return prepared.Write(outputFolder, new NoProgress(), CancellationToken.None);
    }

    sealed class NoProgress : IProgress<long>
    {
        public void Report(long value) { }
    }
}
