using System.Text.RegularExpressions;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// <c>bench precision</c> on the CPU at fp32, where every comparison must pass (the GPU runs fp16/bf16 the same way):
/// the FastWan comparisons use the right references, and a wrong reference fails them.
/// </summary>
public class BenchPrecisionTests
{
    static readonly string[] FastWanLines =
    {
        "FastWan VSA t=1000 s=0 (model.onnx)", "FastWan VSA t=757 s=0.75 (model.onnx)", "FastWan DMD step 0 x0", "FastWan DMD step 1 x0",
        "FastWan DMD step 2 x0", "FastWan DMD final latents", "FastWan DMD video",
    };

    /// <summary>A copy of a fixtures folder (its model folder <paramref name="model"/> included) whose references <paramref name="a"/> and <paramref name="b"/> trade places.</summary>
    static string Swapped(string source, string model, string a, string b, TempDir dir)
    {
        string fixtures = dir[$"swapped-{model}"];
        Directory.CreateDirectory(fixtures);
        File.Copy(Path.Combine(source, "reference.json"), Path.Combine(fixtures, "reference.json"));
        ModelCopy.Of(Path.Combine(source, model), dir, $"swapped-{model}/{model}");
        var swap = new Dictionary<string, string> { [a] = b, [b] = a };
        var tensors = new List<(string, DType, long[], ReadOnlyMemory<byte>)>();
        using (var file = SafetensorsFile.Open(Path.Combine(source, "reference.safetensors")))
            foreach (var (name, info) in file.Tensors)
                tensors.Add((swap.GetValueOrDefault(name, name), info.DType, info.Shape, file.ReadBytes(info)));
        SafetensorsFile.Write(Path.Combine(fixtures, "reference.safetensors"), tensors);
        return fixtures;
    }

    [Test]
    public void WanAndFastWanPassAtFloat32OnTheCpu()
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("bench", "precision", "--device", "cpu", "--dtypes", "fp32", "--fixtures", Repo.Fixtures,
            "--fastwan-fixtures", FastWanFixture.Folder, "--ltx-fixtures", "none", "--wan22-fixtures", "none", "--work", dir["work"]);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        foreach (var line in FastWanLines.Append("pipeline final latents"))
            Assert.That(r.Out, Does.Match($@"(?m)^fp32\s+{Regex.Escape(line)}\s+cosine \S+\s+max abs \S+\s+ok$"), line);
        Assert.That(r.Out, Does.Contain("all 13 comparisons pass"), r.ToString());
    }

    [Test]
    public void FastWanComparisonsFailAgainstTheWrongReference()
    {
        using var dir = Repo.Temp();
        // The two VSA references swapped: each call is then compared with the other timestep and sparsity's output.
        string fixtures = Swapped(FastWanFixture.Folder, "fastwan-tiny", "vsa_out_t1000_s0", "vsa_out_t757_s75", dir);

        var r = Support.Cli.Run("bench", "precision", "--device", "cpu", "--dtypes", "fp32", "--fixtures", "none",
            "--fastwan-fixtures", fixtures, "--ltx-fixtures", "none", "--wan22-fixtures", "none", "--work", dir["work"]);
        Assert.That(r.Code, Is.EqualTo(1), r.ToString());
        Assert.That(r.Out, Does.Match(@"(?m)^fp32\s+FastWan VSA t=1000 s=0 .*FAIL$"), r.ToString());
        Assert.That(r.Out, Does.Match(@"(?m)^fp32\s+FastWan VSA t=757 s=0\.75 .*FAIL$"), r.ToString());
        Assert.That(r.Out, Does.Match(@"(?m)^fp32\s+FastWan DMD final latents .* ok$"), r.ToString());
        Assert.That(r.Out, Does.Contain("2 of 7 comparisons FAILED"), r.ToString());
    }

    [Test]
    public void MissingFastWanFixturesIsAnErrorNamingTheOption()
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("bench", "precision", "--device", "cpu", "--dtypes", "fp32", "--fixtures", Repo.Fixtures,
            "--fastwan-fixtures", dir["nowhere"], "--ltx-fixtures", "none", "--wan22-fixtures", "none", "--work", dir["work"]);
        Assert.That(r.Code, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.Err.Trim(), Does.StartWith("error: --fastwan-fixtures: ").And.Contain("fastwan-tiny/ model folder"));
        Assert.That(Directory.Exists(dir["work"]), Is.False, "nothing was converted");
    }

    [Test]
    public void NothingToCheckIsAnError()
    {
        var r = Support.Cli.Run("bench", "precision", "--device", "cpu", "--fixtures", "none", "--fastwan-fixtures", "none", "--ltx-fixtures", "none",
            "--wan22-fixtures", "none");
        Assert.That(r.Code, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.Err.Trim(), Is.EqualTo("error: --fixtures: none, and --fastwan-fixtures, --ltx-fixtures and --wan22-fixtures none: nothing to check"));
    }

    /// <summary>Wan2.2 TI2V's text-to-video final latents (per-token timesteps, the 16x VAE's 48 channels) at fp32.</summary>
    [Test]
    public void Wan22PassesAtFloat32OnTheCpu()
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("bench", "precision", "--device", "cpu", "--dtypes", "fp32", "--fixtures", "none", "--fastwan-fixtures", "none",
            "--ltx-fixtures", "none", "--wan22-fixtures", Wan22Fixture.Folder, "--work", dir["work"]);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Out, Does.Match(@"(?m)^fp32\s+Wan2\.2 TI2V final latents\s+cosine \S+\s+max abs \S+\s+ok$"), r.ToString());
        Assert.That(r.Out, Does.Contain("all 1 comparisons pass"), r.ToString());
    }

    /// <summary>The LTX pipeline's steps, final latents and video, and a swapped pair of step references failing.</summary>
    [Test]
    public void LtxPassesAtFloat32OnTheCpuAndFailsAgainstTheWrongReference()
    {
        using var dir = Repo.Temp();
        var r = Support.Cli.Run("bench", "precision", "--device", "cpu", "--dtypes", "fp32", "--fixtures", "none", "--fastwan-fixtures", "none",
            "--ltx-fixtures", LtxFixture.Folder, "--wan22-fixtures", "none", "--work", dir["work"]);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        foreach (var line in new[] { "LTX step 0 latents", "LTX step 3 latents", "LTX final latents", "LTX video" })
            Assert.That(r.Out, Does.Match($@"(?m)^fp32\s+{Regex.Escape(line)}\s+cosine \S+\s+max abs \S+\s+ok$"), line);
        Assert.That(r.Out, Does.Contain("all 6 comparisons pass"), r.ToString());

        string fixtures = Swapped(LtxFixture.Folder, "ltx-tiny", "step0_latents", "step1_latents", dir);
        var wrong = Support.Cli.Run("bench", "precision", "--device", "cpu", "--dtypes", "fp32", "--fixtures", "none", "--fastwan-fixtures", "none",
            "--ltx-fixtures", fixtures, "--wan22-fixtures", "none", "--work", dir["work2"]);
        Assert.That(wrong.Code, Is.EqualTo(1), wrong.ToString());
        Assert.That(wrong.Out, Does.Match(@"(?m)^fp32\s+LTX step 0 latents .*FAIL$"), wrong.ToString());
        Assert.That(wrong.Out, Does.Match(@"(?m)^fp32\s+LTX final latents .* ok$"), wrong.ToString());
    }
}
