using System.Text.Json;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// <c>bench run</c> through the real CLI on the CPU with the tiny configurations (random weights, fp32, small sizes):
/// each family's parts are measured and written to the JSON, with the sizes, timesteps and conditioning the family's
/// pipeline uses; bad options fail before anything is converted.
/// </summary>
public class BenchRunTests
{
    sealed record Entry(string Part, string What, string Detail, int Runs, double MinMs);

    static List<Entry> Bench(TempDir dir, string config, params string[] extra)
    {
        string json = dir["results/bench.json"];
        var args = new[]
        {
            "bench", "run", "--config-dir", config, "--work", dir["work"], "--device", "cpu", "--dtype", "fp32", "--vae-dtype", "fp32",
            "--text-dtype", "fp32", "--repeats", "1", "--json", json,
        }.Concat(extra).ToArray();
        var r = Support.Cli.Run(args);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return doc.RootElement.EnumerateArray().Select(e => new Entry(e.GetProperty("part").GetString()!, e.GetProperty("what").GetString()!,
            e.GetProperty("detail").GetString()!, e.GetProperty("runs").GetInt32(), e.GetProperty("min_ms").GetDouble())).ToList();
    }

    static void AssertEveryPart(List<Entry> entries)
    {
        foreach (var part in new[] { "transformer", "vae", "text", "e2e" })
            Assert.That(entries.Where(e => e.Part == part && !e.What.StartsWith("session creation")), Is.Not.Empty, $"no {part} measurement");
        Assert.That(entries.All(e => e.MinMs >= 0 && e.Runs >= 1), Is.True);
    }

    [Test]
    public void Wan22Ti2vTakesPerTokenTimestepsAndDecodesWithThe16xVae()
    {
        using var dir = Repo.Temp();
        var entries = Bench(dir, Wan22Fixture.Ti2v, "--height", "64", "--width", "96", "--num-frames", "9", "--steps", "1", "--text-tokens", "16");
        AssertEveryPart(entries);
        // 9 frames at 64x96 through the 16x VAE: 3x4x6 latents of 48 channels, patch 1x2x2: 18 tokens, one timestep each.
        var forwards = entries.Where(e => e.What.StartsWith("transformer forward")).ToList();
        Assert.That(forwards.Select(e => e.What), Is.EqualTo(new[] { "transformer forward, batch 1", "transformer forward, batch 2" }));
        Assert.That(forwards.Select(e => e.Detail), Has.All.Contain("18 tokens (9x64x96), 16 text tokens, timesteps [B, S]"));
        Assert.That(entries.Single(e => e.Part == "vae").What, Is.EqualTo("VAE decode 3x4x6x48 latents"));
        Assert.That(entries.Single(e => e.Part == "vae").Detail, Does.Contain("16x VAE, 9 frames at 64x96"));
        Assert.That(entries.Single(e => e.Part == "text").What, Is.EqualTo("UMT5 encoder, 16 tokens"));
        Assert.That(entries.Select(e => e.What), Does.Contain("text-to-video 9x64x96, 1 steps, guidance 5"));
        Assert.That(entries.Select(e => e.What), Does.Contain("whole run, denoising stage").And.Contain("whole run, decoding stage"));
    }

    [Test]
    public void LtxRunsPackedTokensAndTheTimestepConditionedDecoder()
    {
        using var dir = Repo.Temp();
        var entries = Bench(dir, LtxFixture.Model, "--height", "64", "--width", "96", "--num-frames", "17", "--steps", "2", "--text-tokens", "16");
        AssertEveryPart(entries);
        // 17 frames at 64x96 through the 32x/8x VAE: 3x2x3 latents, patch 1: 18 packed tokens.
        Assert.That(entries.Where(e => e.What.StartsWith("transformer forward")).Select(e => e.Detail),
            Has.Exactly(2).Contain("18 packed tokens (17x64x96, latents 3x2x3), 16 text tokens"));
        var vae = entries.Single(e => e.Part == "vae");
        Assert.That(vae.What, Is.EqualTo("VAE decode 3x2x3x8 latents"));
        // The tiny preset's decode timestep and noise scale.
        Assert.That(vae.Detail, Does.Contain("32x VAE, 17 frames at 64x96, decode timestep 0.05, noise scale 0.025"));
        Assert.That(entries.Single(e => e.Part == "text").What, Is.EqualTo("T5 encoder, 16 tokens"));
        Assert.That(entries.Select(e => e.What), Does.Contain("text-to-video 17x64x96, 2 steps, guidance 3"));
    }

    /// <summary>--profile writes the LTX transformer's and VAE's ONNX Runtime profiles into its folder and summarises each.</summary>
    [Test]
    public void ProfileWritesAndSummarisesTheTransformerAndVaeProfiles()
    {
        using var dir = Repo.Temp();
        string profiles = dir["profiles"];
        var r = Support.Cli.Run("bench", "run", "--config-dir", LtxFixture.Model, "--work", dir["work"], "--device", "cpu", "--dtype", "fp32",
            "--vae-dtype", "fp32", "--repeats", "1", "--parts", "transformer,vae", "--height", "64", "--width", "96", "--num-frames", "9",
            "--text-tokens", "16", "--profile", profiles);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var files = Directory.GetFiles(profiles).Select(Path.GetFileName).ToList();
        Assert.That(files, Has.One.Match(@"^transformer_.*\.json$").And.One.Match(@"^vae_.*\.json$"));
        Assert.That(r.Err, Does.Contain("ONNX Runtime profile transformer_").And.Contain("ONNX Runtime profile vae_"));
        Assert.That(r.Err, Does.Match(@"(?m)^\| MultiHeadAttention \| [0-9.]+ \| \d+ \|$"), "the transformer's attention in its summary");
        Assert.That(r.Err, Does.Match(@"(?m)^\| Conv \| [0-9.]+ \| \d+ \|$"), "the decoder's convolutions in its summary");
    }

    [Test]
    public void FastWanTimesEachSparsityAndTheThreeDmdSteps()
    {
        using var dir = Repo.Temp();
        // The tiny preset's size (17x96x128) and text length; the forward at two sparsities, the whole run at the first.
        var entries = Bench(dir, FastWanFixture.Model, "--vsa-sparsity", "0.75,0");
        AssertEveryPart(entries);
        Assert.That(entries.Where(e => e.What.StartsWith("transformer forward")).Select(e => e.What), Is.EqualTo(new[]
        {
            "transformer forward, batch 1, VSA sparsity 0.75", "transformer forward, batch 1, VSA sparsity 0",
            "transformer forward, batch 2, VSA sparsity 0.75", "transformer forward, batch 2, VSA sparsity 0",
        }));
        const string run = "text-to-video 17x96x128, 3 DMD steps, unguided, VSA sparsity 0.75";
        Assert.That(entries.Select(e => e.What), Does.Contain(run));
        Assert.That(entries.Single(e => e.What == "whole run, denoising stage").Detail, Is.EqualTo(run));
    }

    [Test]
    public void OnlyTheComponentsOfTheRequestedPartsAreConverted()
    {
        using var dir = Repo.Temp();
        var entries = Bench(dir, Wan22Fixture.A14bT2v, "--parts", "transformer", "--height", "64", "--width", "64", "--num-frames", "5",
            "--text-tokens", "8");
        Assert.That(entries.Select(e => e.Part).Distinct(), Is.EqualTo(new[] { "transformer" }));
        Assert.That(Directory.GetDirectories(dir["work"]).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "source", "onnx-t-fp32-v-fp32-x-fp32-transformer" }));
    }

    [TestCase("--parts", "transformer,decoder", "error: --parts: unknown part 'decoder' (transformer, vae, text, e2e, or none to convert only)")]
    [TestCase("--height", "72", "error: --height: 72 must be a positive multiple of 32 for this model")]
    [TestCase("--num-frames", "10", "error: --num-frames: 10 must be 1 + a multiple of 4 for this model (e.g. 9)")]
    [TestCase("--vsa-sparsity", "1", "error: --vsa-sparsity: 1 must be at least 0 and below 1 (the share of key tiles skipped)")]
    [TestCase("--vsa-sparsity", "high", "error: --vsa-sparsity: 'high' is not a number (a comma-separated list such as 0.8,0)")]
    public void BadOptionsAreOneLineErrorsBeforeAnyConversion(string option, string value, string error)
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("bench", "run", "--config-dir", Wan22Fixture.Ti2v, "--work", dir["work"], "--device", "cpu", option, value);
        Assert.That(r.Code, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.Err.Trim(), Is.EqualTo(error));
        Assert.That(Directory.Exists(dir["work"]), Is.False, "nothing was converted");
    }

    [Test]
    public void AConfigWithoutABenchmarkedPipelineIsAnError()
    {
        using var dir = Repo.Temp();
        string config = ModelCopy.Of(FastWanFixture.Model, dir, "config");
        ModelCopy.EditText(Path.Combine(config, "model_index.json"), "WanDMDPipeline", "CogVideoXPipeline");
        var r = Support.Cli.Run("bench", "run", "--config-dir", config, "--work", dir["work"], "--device", "cpu");
        Assert.That(r.Code, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.Err.Trim(), Is.EqualTo($"error: --config-dir: {config}: pipeline 'CogVideoXPipeline' has no benchmark (Wan pipelines, LTXPipeline)"));
    }
}
