using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// A model converted at GPU precisions (bf16 transformer and text encoder, fp16 VAE) given to the CPU provider: refused
/// from the manifest before any session is created, with one line saying how to convert for the CPU; and a bf16 graph
/// opened on the CPU anyway gives one line naming the component instead of ONNX Runtime's kernel lookup error.
/// </summary>
public class GpuPrecisionOnCpuTests
{
    TempDir _dir = null!;
    string _model = null!;

    [OneTimeSetUp]
    public void ConvertForGpus()
    {
        _dir = Repo.Temp();
        _model = _dir["wan-gpu"];
        new ModelConverter().Convert(new ConversionRequest(Repo.TinyT2V, _model)
        {
            ComponentPrecision = new Dictionary<string, DType>
            {
                ["transformer"] = DType.BFloat16, ["vae"] = DType.Float16, ["text_encoder"] = DType.BFloat16,
            },
        });
    }

    [OneTimeTearDown]
    public void Remove() => _dir.Dispose();

    [Test]
    public void GenerateOnTheCpuIsRefusedBeforeLoading()
    {
        string output = Path.Combine(_dir.Path, "out.safetensors");
        var r = Support.Cli.Run("generate", "--model", _model, "--prompt", "a cat", "--device", "cpu", "--output", output);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        var lines = r.Err.TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(1), r.Err);
        Assert.That(lines[0], Does.StartWith("error: ").And.Contain("converted for GPUs")
            .And.Contain("transformer bf16").And.Contain("vae fp16").And.Contain("text_encoder bf16")
            .And.Contain("fastvideo-onnx convert SRC --output DIR --dtype fp32"));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void ABf16GraphOpenedOnTheCpuNamesTheComponent()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        string graph = Path.Combine(_model, "transformer", "model.onnx");
        FastVideoException? error = null;
        try
        {
            using var session = device.Open(graph, "transformer/model.onnx");
            // Some ONNX Runtime versions only find the missing kernel at the first run; then this test has nothing to show.
            Assert.Inconclusive("ONNX Runtime created a CPU session for the bf16 graph");
        }
        catch (FastVideoException e)
        {
            error = e;
        }
        Assert.That(error!.Message, Does.Contain("transformer/model.onnx").And.Contain("no kernel on this device")
            .And.Contain("--dtype fp32").And.Not.Contain("\n"));
    }

    [Test]
    public void TheGeneratorRefusesItToo()
    {
        var e = Assert.Throws<ModelFormatException>(() => VideoGenerator.FromPretrained(_model).Dispose());
        Assert.That(e!.Message, Does.Contain("converted for GPUs"));
    }
}
