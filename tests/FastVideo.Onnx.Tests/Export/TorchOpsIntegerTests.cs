using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Torch;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using TorchSharp;

namespace FastVideo.Onnx.Tests.Export;

/// <summary>Shape arithmetic of the eager backend keeps ONNX's integer semantics.</summary>
public class TorchOpsIntegerTests
{
    [Test]
    public void IntegerDivisionTruncatesAndStaysInt64()
    {
        using var archive = FastVideo.Onnx.Core.Safetensors.WeightArchive.Open(FastWanFixture.Transformer);
        using var scope = torch.NewDisposeScope();
        var ops = TorchReference.Ops(archive, DType.Float32, out var weights);
        using (weights)
        {
            var q = ops.Div(ops.Constant(new long[] { 7, -7, 8, 3 }, new long[] { 4 }), ops.Constant(new long[] { 4, 4, 4, 4 }, new long[] { 4 }));
            Assert.That(ops.TypeOf(q), Is.EqualTo(DType.Int64));
            Assert.That(q.data<long>().ToArray(), Is.EqualTo(new long[] { 1, -1, 2, 0 }));
        }
    }
}
