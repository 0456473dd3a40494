using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Pipelines;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>A pipeline whose constructor fails after opening components leaves none of them open.</summary>
public class PipelineConstructionFailureTests
{
    sealed class Component : IDisposable
    {
        public static readonly List<Component> All = new();
        public bool Disposed { get; private set; }

        public Component() => All.Add(this);

        public void Dispose() => Disposed = true;
    }

    [PipelineEntry("ConstructionFailureTestPipeline")]
    sealed class FailingPipeline : VideoPipeline
    {
        public FailingPipeline(PipelineContext context) : base(context)
        {
            Open("text_encoder", () => new Component());
            Open("transformer", () => new Component());
            throw new InvalidOperationException("the vae cannot be opened");
        }

        protected override IReadOnlyList<PipelineStage> Stages => Array.Empty<PipelineStage>();
    }

    [Test]
    public void ComponentsOpenedBeforeTheFailureAreDisposed()
    {
        Component.All.Clear();
        string folder = ConvertedModels.TextToVideo;
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        var context = new PipelineContext(folder, ConvertedModel.Load(folder), device, new SamplingDefaults());
        var registry = new PipelineRegistry(typeof(FailingPipeline).Assembly);

        var e = Assert.Throws<InvalidOperationException>(() => registry.Create("ConstructionFailureTestPipeline", context, folder));
        Assert.That(e!.Message, Is.EqualTo("the vae cannot be opened"), "the constructor's own error comes through");
        Assert.That(Component.All, Has.Count.EqualTo(2));
        Assert.That(Component.All.Select(c => c.Disposed), Is.All.True, "both opened components are disposed");
        Assert.That(context.Opened, Is.Empty);
    }
}
