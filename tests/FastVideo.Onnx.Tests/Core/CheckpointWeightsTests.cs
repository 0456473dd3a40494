using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Core;

/// <summary>Weights stream through a finiteness check: a NaN or infinite value is refused naming the tensor, the file and the element.</summary>
public class CheckpointWeightsTests
{
    static byte[] Floats(float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    static (WeightArchive Archive, string File) Archive(TempDir dir, DType type, byte[] data, long elements)
    {
        string folder = dir["transformer"];
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, "diffusion_pytorch_model.safetensors");
        SafetensorsFile.Write(file, new[] { ("blocks.0.weight", type, new[] { elements }, (ReadOnlyMemory<byte>)data) });
        return (WeightArchive.Open(folder), file);
    }

    [Test]
    public void FiniteWeightsStreamUnchanged()
    {
        using var dir = Repo.Temp();
        var values = Enumerable.Range(0, 1000).Select(i => i * 0.5f - 100f).Append(float.MaxValue).Append(-float.Epsilon).ToArray();
        var (archive, _) = Archive(dir, DType.Float32, Floats(values), values.Length);
        using (archive)
        {
            var read = new float[values.Length - 10];
            new CheckpointWeights(archive).ReadSingle("blocks.0.weight", 10, read);
            Assert.That(read, Is.EqualTo(values[10..]));
        }
    }

    [TestCase(float.NaN, 0, "NaN", TestName = "NaNInTheFirstElement")]
    [TestCase(float.PositiveInfinity, 77_777, "+infinity", TestName = "InfinityPastTheFirstStreamingBlock")]
    [TestCase(float.NegativeInfinity, 99_999, "-infinity", TestName = "NegativeInfinityInTheLastElement")]
    public void NonFiniteFloat32IsRefused(float bad, int at, string described)
    {
        using var dir = Repo.Temp();
        var values = new float[100_000];
        values[at] = bad;
        var (archive, file) = Archive(dir, DType.Float32, Floats(values), values.Length);
        using (archive)
        {
            var e = Assert.Throws<ModelFormatException>(() => new CheckpointWeights(archive).ReadSingle("blocks.0.weight", 0, new float[values.Length]))!;
            Assert.That(e.Message, Is.EqualTo($"{file}: tensor 'blocks.0.weight' holds {described} at element {at}: the checkpoint is corrupt"));
        }
    }

    [Test]
    public void AllNaNBFloat16IsRefused()
    {
        // bf16 NaN is 0x7FC0: every element of the tensor is NaN, as in a checkpoint saved after a diverged step.
        using var dir = Repo.Temp();
        var data = Enumerable.Repeat(new byte[] { 0xC0, 0x7F }, 64).SelectMany(b => b).ToArray();
        var (archive, file) = Archive(dir, DType.BFloat16, data, 64);
        using (archive)
        {
            var e = Assert.Throws<ModelFormatException>(() => new CheckpointWeights(archive).ReadSingle("blocks.0.weight", 32, new float[32]))!;
            Assert.That(e.Message, Does.StartWith(file).And.Contain("'blocks.0.weight' holds NaN at element 32"));
        }
    }

    [Test]
    public void Float16InfinityIsRefused()
    {
        using var dir = Repo.Temp();
        var data = new byte[] { 0x00, 0x3C, 0x00, 0x7C }; // 1.0, +inf
        var (archive, _) = Archive(dir, DType.Float16, data, 2);
        using (archive)
        {
            var e = Assert.Throws<ModelFormatException>(() => new CheckpointWeights(archive).ReadSingle("blocks.0.weight", 0, new float[2]))!;
            Assert.That(e.Message, Does.Contain("+infinity at element 1"));
        }
    }
}
