using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Models;
using FastVideo.Onnx.Export.Conversion;
using FastVideo.Onnx.Runtime;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// Whole tiny text-to-video generations with <c>Runtime:Parallelism</c> "sequence": the transformer's per-rank graph as
/// 2 simulated ranks (CPU sessions of this process meeting in the collective library) against the single-device run.
/// </summary>
public class SequenceParallelPipelineTests
{
    static GeneratorOptions Sequence => new() { Runtime = new RuntimeOptions { Parallelism = "sequence" } };

    // 5 frames: 2 latent frames, one per rank (the fixtures' 9 frames give 3 latent frames, which 2 ranks cannot share)
    static FastVideo.Onnx.Runtime.Pipelines.GenerationRequest Request => FixtureSettings.Request() with { Latents = null, Seed = 7, NumFrames = 5 };

    [Test]
    public void TheConverterWritesThePerRankGraphIntoTheSharedData()
    {
        string folder = Path.Combine(ConvertedModels.TextToVideoSequenceParallel, "transformer");
        var manifest = ComponentManifest.Load(folder);
        string file = WanTransformerContract.SequenceParallelGraph(2);
        var perRank = manifest.Graphs.Single(g => g.File == file);
        var portable = manifest.Graphs.Single(g => g.File == WanTransformerContract.PortableGraph);
        Assert.That(perRank.DataFile, Is.EqualTo(portable.DataFile), "one external data file for every graph");
        Assert.That(perRank.Inputs.Select(i => i.Name), Does.Contain(WanTransformerContract.SequenceRank).And.Contain(WanTransformerContract.SequenceGroup));
        long plainData = new FileInfo(Path.Combine(ConvertedModels.TextToVideo, "transformer", portable.DataFile!)).Length;
        Assert.That(new FileInfo(Path.Combine(folder, perRank.DataFile!)).Length, Is.EqualTo(plainData), "the per-rank graph adds no weights");
    }

    [Test]
    public void TwoRanksGiveTheSingleDeviceVideo()
    {
        string model = ConvertedModels.TextToVideoSequenceParallel;
        using var single = VideoGenerator.FromPretrained(model);
        using var ranks = VideoGenerator.FromPretrained(model, Sequence);
        var expected = single.Generate(Request);
        var result = ranks.Generate(Request);
        Assert.That(result.Latents.Shape, Is.EqualTo(expected.Latents.Shape));
        Assert.That(result.Latents.Shape[2], Is.EqualTo(2));
        double latents = result.Latents.Data.Zip(expected.Latents.Data, (a, b) => Math.Abs(a - b)).Max();
        double video = result.Video!.Tensor.Data.Zip(expected.Video!.Tensor.Data, (a, b) => Math.Abs(a - b)).Max();
        TestContext.Out.WriteLine($"2 ranks vs one device: final latents max abs diff {latents:E2}, video {video:E2}");
        Assert.That(latents, Is.LessThanOrEqualTo(1e-5));
        Assert.That(video, Is.LessThanOrEqualTo(1e-5));
        // the ranks really ran: a second request on the same generator (new shapes, same group machinery) agrees too
        var again = ranks.Generate(Request with { Steps = 1, LatentsOnly = true });
        var againSingle = single.Generate(Request with { Steps = 1, LatentsOnly = true });
        Assert.That(again.Latents.Data.Zip(againSingle.Latents.Data, (a, b) => Math.Abs(a - b)).Max(), Is.LessThanOrEqualTo(1e-5));
    }

    [Test]
    public void FramesTheRanksCannotShareAreRefusedBeforeAnyStageRuns()
    {
        using var ranks = VideoGenerator.FromPretrained(ConvertedModels.TextToVideoSequenceParallel, Sequence);
        var stages = new List<string>();
        var progress = new FastVideo.Onnx.Core.Progress.CallbackProgress<FastVideo.Onnx.Runtime.Pipelines.GenerationProgress>(p => stages.Add(p.Stage));
        var e = Assert.Throws<InvalidRequestException>(() => ranks.Generate(FixtureSettings.Request() with { Steps = 1, LatentsOnly = true }, progress))!;
        Assert.That(e.Field, Is.EqualTo("NumFrames"));
        Assert.That(e.Message, Does.Contain("9 frames are 3 latent frames").And.Contain("multiples of 2").And.Contain("use 5 or 13").And.Not.Contain("\n"));
        Assert.That(stages.Distinct(), Is.EqualTo(new[] { "input validation" }).Or.Empty, "refused by the request's validation, before the text is encoded");
    }

    [Test]
    public void AFolderWithoutThePerRankGraphIsRefused()
    {
        var e = Assert.Throws<InvalidRequestException>(() => VideoGenerator.FromPretrained(ConvertedModels.TextToVideo, Sequence).Dispose())!;
        Assert.That(e.Field, Is.EqualTo(RuntimeOptions.ParallelismField));
        Assert.That(e.Message, Does.Contain("--sequence-parallel").And.Not.Contain("\n"));
    }

    [Test]
    public void AMissingCollectiveLibraryIsAClearError()
    {
        string? before = Environment.GetEnvironmentVariable(CollectiveLibraryLocator.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(CollectiveLibraryLocator.EnvironmentVariable, "/nonexistent/libfastvideo_collectives.so");
            var e = Assert.Throws<InvalidRequestException>(() => VideoGenerator.FromPretrained(ConvertedModels.TextToVideoSequenceParallel, Sequence).Dispose())!;
            Assert.That(e.Field, Is.EqualTo(CollectiveLibraryLocator.EnvironmentVariable));
            Assert.That(e.Message, Does.Contain("does not exist"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(CollectiveLibraryLocator.EnvironmentVariable, before);
        }
    }

    [Test]
    public void AnUnknownParallelismIsRefused()
    {
        var e = Assert.Throws<InvalidRequestException>(() => new RuntimeOptions { Parallelism = "ulysses" }.Validate())!;
        Assert.That(e.Message, Is.EqualTo("Runtime:Parallelism: 'ulysses' is not one of auto, none, cfg, experts, sequence"));
    }

    [Test]
    public void HeadsTheRanksCannotShareAreRefusedAtConversion()
    {
        using var dir = Repo.Temp();
        var e = Assert.Throws<InvalidRequestException>(() => new ModelConverter().Convert(
            new ConversionRequest(Repo.TinyT2V, dir["out"]) { SequenceParallel = 3, Components = new[] { "transformer" } }))!;
        Assert.That(e.Field, Is.EqualTo("SequenceParallel"));
        Assert.That(e.Message, Does.Contain("3 ranks cannot share the 2 attention heads").And.Contain("num_attention_heads").And.Not.Contain("\n"));
        Assert.That(Directory.Exists(dir["out"]), Is.False);
    }
}
