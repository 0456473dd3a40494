using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Tests.Support;

/// <summary>Copies a component folder with its single safetensors file rewritten (keys renamed, tensors added), for loading tests.</summary>
public static class CheckpointCopy
{
    public static string Make(string sourceFolder, string targetFolder, Func<string, string>? rename = null,
        IEnumerable<(string Name, DType DType, long[] Shape, byte[] Data)>? extra = null)
    {
        Directory.CreateDirectory(targetFolder);
        foreach (var file in Directory.GetFiles(sourceFolder).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(targetFolder, Path.GetFileName(file)));
        string weights = Directory.GetFiles(sourceFolder, "*.safetensors").Single();
        var tensors = new List<(string, DType, long[], ReadOnlyMemory<byte>)>();
        using (var f = SafetensorsFile.Open(weights))
            foreach (var (name, info) in f.Tensors)
                tensors.Add(((rename ?? (n => n))(name), info.DType, info.Shape, f.ReadBytes(info)));
        foreach (var (name, type, shape, data) in extra ?? Array.Empty<(string, DType, long[], byte[])>())
            tensors.Add((name, type, shape, data));
        SafetensorsFile.Write(Path.Combine(targetFolder, Path.GetFileName(weights)), tensors);
        return targetFolder;
    }

    /// <summary>A float32 tensor's bytes.</summary>
    public static byte[] Float32Bytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }
}
