using System.Text;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Core;

public class SafetensorsTests
{
    static string Write(TempDir dir, string name = "w.safetensors")
    {
        string path = dir[name];
        SafetensorsFile.Write(path, new[]
        {
            ("a", DType.Float32, new long[] { 2 }, (ReadOnlyMemory<byte>)BitConverter.GetBytes(1f).Concat(BitConverter.GetBytes(2f)).ToArray()),
            ("b", DType.Float32, new long[] { 2 }, (ReadOnlyMemory<byte>)BitConverter.GetBytes(3f).Concat(BitConverter.GetBytes(4f)).ToArray()),
        });
        return path;
    }

    static void EditHeader(string path, string from, string to)
    {
        var bytes = File.ReadAllBytes(path);
        string text = Encoding.Latin1.GetString(bytes);
        Assert.That(text, Does.Contain(from));
        Assert.That(to.Length, Is.EqualTo(from.Length), "header edits keep the length");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(text.Replace(from, to)));
    }

    static ModelFormatException Fails(string path) => Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(path).Dispose())!;

    [Test]
    public void ReadsWhatItWrites()
    {
        using var dir = Repo.Temp();
        using var file = SafetensorsFile.Open(Write(dir));
        Assert.That(file.ReadSingle(file.Tensors["b"]), Is.EqualTo(new[] { 3f, 4f }));
        Assert.That(file.Tensors["a"].Shape, Is.EqualTo(new long[] { 2 }));
    }

    [Test]
    public void ReadsTheFixtureCheckpointHeaders()
    {
        using var archive = WeightArchive.Open(Path.Combine(Repo.TinyT2V, "transformer"));
        Assert.That(archive.Tensors["patch_embedding.weight"].Shape, Is.EqualTo(new long[] { 48, 16, 1, 2, 2 }));
        Assert.That(archive.Tensors["patch_embedding.weight"].DType, Is.EqualTo(DType.Float32));
    }

    [Test]
    public void HeaderLengthPastEndOfFile()
    {
        using var dir = Repo.Temp();
        string path = Write(dir);
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes((ulong)bytes.Length).CopyTo(bytes, 0);
        File.WriteAllBytes(path, bytes);
        var e = Fails(path);
        Assert.That(e.Message, Does.StartWith(path).And.Contain("runs past the end of the file"));
    }

    [Test]
    public void ShorterThanTheLengthPrefix()
    {
        using var dir = Repo.Temp();
        string path = dir["short.safetensors"];
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        Assert.That(Fails(path).Message, Does.Contain("truncated"));
    }

    [Test]
    public void TruncatedDataIsOutOfRange()
    {
        using var dir = Repo.Temp();
        string path = Write(dir);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);
        var e = Fails(path);
        Assert.That(e.Message, Does.Contain("tensor 'b'").And.Contain("out of range"));
    }

    [Test]
    public void OverlappingTensors()
    {
        using var dir = Repo.Temp();
        string path = Write(dir);
        EditHeader(path, "[8,16]", "[4,12]");
        Assert.That(Fails(path).Message, Does.Contain("overlap").And.Contain("'a'").And.Contain("'b'"));
    }

    [Test]
    public void ShapeDisagreesWithByteCount()
    {
        using var dir = Repo.Temp();
        string path = Write(dir);
        EditHeader(path, "\"shape\":[2],\"data_offsets\":[8", "\"shape\":[3],\"data_offsets\":[8");
        Assert.That(Fails(path).Message, Does.Contain("tensor 'b'").And.Contain("needs 12 bytes"));
    }

    [Test]
    public void UnknownDtype()
    {
        using var dir = Repo.Temp();
        string path = Write(dir);
        EditHeader(path, "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8", "\"dtype\":\"X32\",\"shape\":[2],\"data_offsets\":[8");
        Assert.That(Fails(path).Message, Does.Contain("unsupported dtype 'X32'"));
    }

    [Test]
    public void NotJson()
    {
        using var dir = Repo.Temp();
        string path = Write(dir);
        EditHeader(path, "{\"a\"", "[\"a\"");
        Assert.That(Fails(path).Message, Does.Contain("not valid JSON").Or.Contain("not a JSON object"));
    }

    [Test]
    public void ShardedCheckpointThroughItsIndex()
    {
        using var dir = Repo.Temp();
        string folder = dir["sharded"];
        Directory.CreateDirectory(folder);
        Write(dir, "sharded/model-00001-of-00002.safetensors");
        SafetensorsFile.Write(Path.Combine(folder, "model-00002-of-00002.safetensors"),
            new[] { ("c", DType.BFloat16, new long[] { 1 }, (ReadOnlyMemory<byte>)new byte[] { 0x80, 0x3f }) });
        File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"),
            """{"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}}""");
        using var archive = WeightArchive.Open(folder);
        Assert.That(archive.Tensors.Keys, Is.EquivalentTo(new[] { "a", "b", "c" }));
        var c = archive.Tensors["c"];
        Assert.That(c.File.ReadSingle(c), Is.EqualTo(new[] { 1f }));
    }

    [Test]
    public void ShardMissingFromIndex()
    {
        using var dir = Repo.Temp();
        string folder = dir["sharded"];
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"), """{"weight_map": {"a": "model-00001-of-00002.safetensors"}}""");
        var e = Assert.Throws<ModelFormatException>(() => WeightArchive.Open(folder).Dispose())!;
        Assert.That(e.Message, Does.Contain("model-00001-of-00002.safetensors").And.Contain("missing"));
    }

    [Test]
    public void FloatConversionsRoundToNearestEven()
    {
        // 1 + 2^-8 is halfway between two bf16 values: ties go to the even mantissa (down); 1 + 3*2^-9 rounds up.
        Assert.That(FloatConversion.BFloat16ToSingle(FloatConversion.SingleToBFloat16(1f + 1f / 256)), Is.EqualTo(1f));
        Assert.That(FloatConversion.BFloat16ToSingle(FloatConversion.SingleToBFloat16(1f + 3f / 512)), Is.EqualTo(1f + 1f / 128));
        Assert.That(FloatConversion.HalfToSingle(FloatConversion.SingleToHalf(65504f)), Is.EqualTo(65504f));
        Assert.That(float.IsNaN(FloatConversion.BFloat16ToSingle(FloatConversion.SingleToBFloat16(float.NaN))), Is.True);
    }
}
