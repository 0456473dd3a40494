using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace FastVideo.Onnx.Export.Torch;

/// <summary>
/// Weights of a component as TorchSharp tensors, read from its checkpoint on first use and converted to the storage
/// type (the compute type, or float32 for parameters Diffusers keeps in float32). Holds the whole component in
/// memory: meant for the eager reference on small models, not for conversion.
/// </summary>
internal sealed class TorchWeights : IDisposable
{
    readonly WeightArchive _archive;
    readonly Dictionary<string, Tensor> _cache = new(StringComparer.Ordinal);

    public TorchWeights(WeightArchive archive) => _archive = archive;

    public Tensor Get(Parameter p, DType storage)
    {
        string key = p.Name + "|" + storage;
        if (_cache.TryGetValue(key, out var cached)) return cached;
        var info = _archive.Find(p.Name) ?? throw new KeyNotFoundException($"weight '{p.Name}' is not in the checkpoint");
        var values = new float[info.ElementCount];
        FloatConversion.ToSingle(info.File.ReadBytes(info), info.DType, values);
        Tensor t;
        using (var f32 = torch.tensor(values, info.Shape, ScalarType.Float32))
        {
            // Round through the checkpoint's own type first, so a bf16 checkpoint read as fp16 is rounded as torch would.
            t = f32.to_type(TorchOps.ToScalarType(info.DType)).to_type(TorchOps.ToScalarType(storage)).DetachFromDisposeScope();
        }
        _cache[key] = t;
        return t;
    }

    public void Dispose()
    {
        foreach (var t in _cache.Values) t.Dispose();
        _cache.Clear();
    }
}
