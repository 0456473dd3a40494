using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>A reference tensor from the fixtures: what the real Diffusers/transformers code computed.</summary>
public sealed record RefTensor(float[] Data, long[] Shape)
{
    public long[] AsInt64 => Data.Select(v => (long)v).ToArray();

    /// <summary>Every tensor of a fixture's reference.safetensors in <paramref name="folder"/> (int64 ones as floats).</summary>
    public static Dictionary<string, RefTensor> ReadAll(string folder)
    {
        using var file = SafetensorsFile.Open(Path.Combine(folder, "reference.safetensors"));
        var result = new Dictionary<string, RefTensor>();
        foreach (var (name, info) in file.Tensors)
        {
            float[] data;
            if (info.DType == DType.Int64)
            {
                var bytes = file.ReadBytes(info);
                data = Enumerable.Range(0, (int)info.ElementCount).Select(i => (float)BitConverter.ToInt64(bytes, i * 8)).ToArray();
            }
            else data = file.ReadSingle(info);
            result[name] = new RefTensor(data, info.Shape);
        }
        return result;
    }
}

/// <summary>tests/fixtures/wan-tiny/reference.safetensors, read once.</summary>
public static class Reference
{
    static readonly Lazy<Dictionary<string, RefTensor>> All = new(() => RefTensor.ReadAll(Repo.Fixtures));

    public static RefTensor Get(string name) => All.Value[name];
    public static long[] Int64(string name) => Get(name).AsInt64;
}
