using System.Globalization;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary><c>fastvideo-onnx generate</c> reproduces the Wan2.2 references: TI2V-5B text-to-video (latents and video) and A14B with --guidance-scale-2.</summary>
public class Wan22GenerateCommandTests
{
    static string WriteLatents(TempDir dir, string name)
    {
        var t = Wan22Fixture.Get(name);
        var bytes = new byte[t.Data.Length * sizeof(float)];
        Buffer.BlockCopy(t.Data, 0, bytes, 0, bytes.Length);
        string path = dir[name + ".safetensors"];
        SafetensorsFile.Write(path, new[] { ("latents", DType.Float32, t.Shape, (ReadOnlyMemory<byte>)bytes) });
        return path;
    }

    static string[] Args(string model, string latents, int steps, double guidance, string output, params string[] extra) =>
        new[]
        {
            "generate", "--model", model, "--prompt", Wan22Fixture.Setting("prompt").GetString()!,
            "--negative-prompt", Wan22Fixture.Setting("negative_prompt").GetString()!,
            "--height", Wan22Fixture.Setting("height").GetInt32().ToString(CultureInfo.InvariantCulture),
            "--width", Wan22Fixture.Setting("width").GetInt32().ToString(CultureInfo.InvariantCulture),
            "--num-frames", Wan22Fixture.Setting("num_frames").GetInt32().ToString(CultureInfo.InvariantCulture),
            "--steps", steps.ToString(CultureInfo.InvariantCulture), "--guidance-scale", guidance.ToString(CultureInfo.InvariantCulture),
            "--max-sequence-length", Wan22Fixture.Setting("max_sequence_length").GetInt32().ToString(CultureInfo.InvariantCulture),
            "--latents", latents, "--device", "cpu", "--output", output,
        }.Concat(extra).ToArray();

    static RefTensor Read(string path, string name)
    {
        using var file = SafetensorsFile.Open(path);
        return new RefTensor(file.ReadSingle(file.Tensors[name]), file.Tensors[name].Shape);
    }

    [Test]
    public void Ti2vTextToVideoThroughTheCli()
    {
        using var dir = Repo.Temp();
        string output = dir["video.safetensors"];
        var r = Support.Cli.Run(Args(Wan22Fixture.Ti2vConverted, WriteLatents(dir, "ti2v_latents_init"), Wan22Fixture.Setting("steps").GetInt32(),
            Wan22Fixture.Setting("ti2v_guidance_scale").GetDouble(), output));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var latents = Read(output, "latents");
        Compare.Close(latents.Data, latents.Shape, Wan22Fixture.Get("ti2v_t2v_final_latents"), 1e-3, "cli ti2v t2v final latents");
        var video = Read(output, "video");
        Compare.Close(video.Data, video.Shape, Wan22Fixture.Ti2vT2vVideo(), 2e-3 - Wan22Fixture.Ti2vT2vVideoDerivationError, "cli ti2v t2v video");
    }

    [Test]
    public void A14bTextToVideoThroughTheCli()
    {
        using var dir = Repo.Temp();
        string output = dir["video.safetensors"];
        var r = Support.Cli.Run(Args(Wan22Fixture.A14bT2vConverted, WriteLatents(dir, "a14b_latents_init"), Wan22Fixture.Setting("a14b_steps").GetInt32(),
            Wan22Fixture.Setting("guidance_scale").GetDouble(), output,
            "--guidance-scale-2", Wan22Fixture.Setting("guidance_scale_2").GetDouble().ToString(CultureInfo.InvariantCulture)));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var latents = Read(output, "latents");
        Compare.Close(latents.Data, latents.Shape, Wan22Fixture.Get("a14b_t2v_final_latents"), 1e-3, "cli a14b t2v final latents");
    }
}
