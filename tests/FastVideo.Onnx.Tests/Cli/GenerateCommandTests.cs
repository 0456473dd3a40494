using FastVideo.Onnx.Cli;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Core.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using SkiaSharp;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary>
/// fastvideo-onnx generate, called the way other tools call it: results against the Diffusers fixtures (fp32, CPU
/// execution provider), each output form, and bad input giving one line on stderr, exit 1 (2 for usage errors) and
/// nothing written.
/// </summary>
public class GenerateCommandTests
{
    TempDir _shared = null!;
    string _latents = null!;

    [OneTimeSetUp]
    public void WriteFixtureLatents()
    {
        _shared = Repo.Temp();
        _latents = _shared["latents_init.safetensors"];
        var init = Reference.Get("latents_init");
        WriteTensor(_latents, "latents", init.Data, init.Shape);
    }

    [OneTimeTearDown]
    public void RemoveFixtureLatents() => _shared.Dispose();

    static void WriteTensor(string path, string name, float[] data, long[] shape)
    {
        var bytes = new byte[data.Length * sizeof(float)];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        SafetensorsFile.Write(path, new[] { (name, DType.Float32, shape, (ReadOnlyMemory<byte>)bytes) });
    }

    /// <summary>The fixture's settings (reference.json) as generate options.</summary>
    static List<string> Args(string model, string output, params string[] extra)
    {
        var args = new List<string>
        {
            "generate", "--model", model, "--prompt", FixtureSettings.Prompt, "--negative-prompt", FixtureSettings.NegativePrompt,
            "--height", FixtureSettings.Height.ToString(), "--width", FixtureSettings.Width.ToString(),
            "--num-frames", FixtureSettings.NumFrames.ToString(), "--steps", FixtureSettings.Steps.ToString(),
            "--guidance-scale", FixtureSettings.GuidanceScale.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--max-sequence-length", FixtureSettings.MaxSequenceLength.ToString(), "--device", "cpu", "--output", output,
        };
        args.AddRange(extra);
        return args;
    }

    static Support.Cli.Result Run(IEnumerable<string> args) => Support.Cli.Run(args.ToArray());

    static (float[] Data, long[] Shape) ReadTensor(string path, string name)
    {
        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Tensors.ContainsKey(name), Is.True, $"{path} has '{name}' (it has {string.Join(", ", file.Tensors.Keys)})");
        var info = file.Tensors[name];
        Assert.That(info.DType, Is.EqualTo(DType.Float32), name);
        return (file.ReadSingle(info), info.Shape);
    }

    // What generate prints on stderr once the model is loaded, before the run.
    const string LoadedLine = @"^\w+Pipeline on cpu, preset [\w.-]+ \(loaded in [\d.]+ s\)$";

    /// <summary>
    /// Exit 1 (or <paramref name="code"/>), the error as the only line on stderr, containing each part, and an empty
    /// output folder: bad options and files are found before the model loads.
    /// </summary>
    static void AssertFailedCleanly(Support.Cli.Result r, string outputFolder, int code, params string[] messageParts) =>
        AssertFailed(r, outputFolder, code, afterLoad: false, messageParts);

    /// <summary>
    /// As <see cref="AssertFailedCleanly"/> for what only the loaded pipeline can tell (whether the model takes an image,
    /// the latents' shape): the model-loaded status line, then the error.
    /// </summary>
    static void AssertFailedAfterLoad(Support.Cli.Result r, string outputFolder, params string[] messageParts) =>
        AssertFailed(r, outputFolder, 1, afterLoad: true, messageParts);

    static void AssertFailed(Support.Cli.Result r, string outputFolder, int code, bool afterLoad, string[] messageParts)
    {
        Assert.That(r.Code, Is.EqualTo(code), r.ToString());
        var lines = r.Err.TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(afterLoad ? 2 : 1), "stderr:\n" + r.Err);
        if (afterLoad) Assert.That(lines[0], Does.Match(LoadedLine));
        string error = lines[^1];
        Assert.That(error, Does.StartWith(code == 2 ? "fastvideo-onnx generate: " : "error: "));
        Assert.That(r.Err, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace");
        foreach (var part in messageParts) Assert.That(error, Does.Contain(part));
        if (Directory.Exists(outputFolder))
            Assert.That(Directory.GetFileSystemEntries(outputFolder), Is.Empty, "no output, temporary or probe file left behind");
    }

    static string OutFolder(TempDir dir)
    {
        string folder = dir["out"];
        Directory.CreateDirectory(folder);
        return folder;
    }

    // ---- results against the fixtures ----

    [Test]
    public void TextToVideoWithFixtureLatentsMatchesDiffusers()
    {
        using var dir = Repo.Temp();
        string output = Path.Combine(OutFolder(dir), "t2v.safetensors");
        var r = Run(Args(ConvertedModels.TextToVideo, output, "--latents", _latents));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Out, Does.Contain($"wrote {output}"));
        var latents = ReadTensor(output, "latents");
        var video = ReadTensor(output, "video");
        Compare.Close(latents.Data, latents.Shape, Reference.Get("pipeline_final_latents"), 1e-3, "cli t2v final latents");
        Compare.Close(video.Data, video.Shape, Reference.Get("pipeline_video"), 2e-3, "cli t2v video");
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(output)!), Is.EqualTo(new[] { output }), "only the output, no temporary file");
    }

    [Test]
    public void ImageToVideoWithFixtureLatentsMatchesDiffusers()
    {
        using var dir = Repo.Temp();
        string output = Path.Combine(OutFolder(dir), "i2v.safetensors");
        var r = Run(Args(ConvertedModels.ImageToVideo, output, "--latents", _latents, "--image", Repo.I2VImage));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var latents = ReadTensor(output, "latents");
        Compare.Close(latents.Data, latents.Shape, Reference.Get("i2v_final_latents"), 1e-3, "cli i2v final latents");
        var video = ReadTensor(output, "video");
        Assert.That(video.Shape, Is.EqualTo(new long[] { 1, FixtureSettings.NumFrames, FixtureSettings.Height, FixtureSettings.Width, 3 }));
        Assert.That(video.Data.All(v => v is >= 0 and <= 1), Is.True, "video values in [0, 1]");
    }

    [Test]
    public void SeedReproducesDiffusersNoise()
    {
        // Diffusers drew latents_init from torch.Generator("cpu").manual_seed(noise_seed): the same seed must give the same run.
        using var dir = Repo.Temp();
        string output = Path.Combine(OutFolder(dir), "seeded.safetensors");
        var r = Run(Args(ConvertedModels.TextToVideo, output, "--seed", FixtureSettings.Seed.ToString()));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var latents = ReadTensor(output, "latents");
        Compare.Close(latents.Data, latents.Shape, Reference.Get("pipeline_final_latents"), 1e-3, "cli t2v final latents from --seed");
    }

    [Test]
    public void FolderOutputWritesPngFrames()
    {
        using var dir = Repo.Temp();
        string frames = Path.Combine(dir.Path, "frames") + Path.DirectorySeparatorChar;
        var r = Run(Args(ConvertedModels.TextToVideo, frames, "--latents", _latents));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var files = Directory.GetFiles(frames).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.That(files, Has.Length.EqualTo(FixtureSettings.NumFrames));
        Assert.That(files.All(f => f.EndsWith(".png", StringComparison.Ordinal)), Is.True, string.Join(", ", files));
        Assert.That(Directory.GetDirectories(dir.Path).Where(d => d.Contains(".partial-")), Is.Empty, "temporary frame folder removed");

        // Each frame is the reference video frame in 8-bit RGB (the run is within 2e-3 of it, so within one level after rounding).
        var video = Reference.Get("pipeline_video");
        int w = FixtureSettings.Width, h = FixtureSettings.Height;
        for (int i = 0; i < files.Length; i++)
        {
            using var bitmap = SKBitmap.Decode(files[i]);
            Assert.That(bitmap, Is.Not.Null, files[i]);
            Assert.That((bitmap.Width, bitmap.Height), Is.EqualTo((w, h)), files[i]);
            int worst = 0;
            for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var pixel = bitmap.GetPixel(x, y);
                long at = (((long)i * h + y) * w + x) * 3;
                worst = Math.Max(worst, Level(pixel.Red, video.Data[at]));
                worst = Math.Max(worst, Level(pixel.Green, video.Data[at + 1]));
                worst = Math.Max(worst, Level(pixel.Blue, video.Data[at + 2]));
            }
            Assert.That(worst, Is.LessThanOrEqualTo(1), $"frame {i}: a channel is {worst} levels from the reference");
        }
    }

    [Test]
    public void FolderOutputReplacesTheFramesOfAnEarlierLongerRun()
    {
        using var dir = Repo.Temp();
        string frames = Path.Combine(dir.Path, "frames") + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(frames);
        var old = Enumerable.Range(0, FixtureSettings.NumFrames + 8).Select(i => Path.Combine(frames, $"frame_{i:D4}.png")).ToList();
        foreach (var f in old) File.WriteAllBytes(f, new byte[] { 1, 2, 3 });
        var r = Run(Args(ConvertedModels.TextToVideo, frames, "--latents", _latents));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var files = Directory.GetFiles(frames).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.That(files, Is.EqualTo(Enumerable.Range(0, FixtureSettings.NumFrames).Select(i => $"frame_{i:D4}.png").ToArray()), "exactly this run's frames");
        Assert.That(files.All(f => SKBitmap.Decode(Path.Combine(frames, f!)) is not null), Is.True, "every frame is a new PNG");
        Assert.That(Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "frames" }), "no temporary folder or lock left");
    }

    [Test]
    public void FolderOutputWithOtherFilesKeepsThemAndDropsSurplusFrames()
    {
        using var dir = Repo.Temp();
        string frames = Path.Combine(dir.Path, "frames") + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(frames);
        File.WriteAllText(Path.Combine(frames, "notes.txt"), "mine");
        File.WriteAllBytes(Path.Combine(frames, $"frame_{FixtureSettings.NumFrames + 3:D4}.png"), new byte[] { 1 });
        var r = Run(Args(ConvertedModels.TextToVideo, frames, "--latents", _latents));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(File.ReadAllText(Path.Combine(frames, "notes.txt")), Is.EqualTo("mine"));
        Assert.That(Directory.GetFiles(frames, "frame_*.png"), Has.Length.EqualTo(FixtureSettings.NumFrames));
    }

    [Test]
    public void StalePartialsOfTheSameOutputAreRemovedButNotLiveOnesOrOtherNames()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string output = Path.Combine(outFolder, "clip.safetensors");
        string stale = Path.Combine(outFolder, ".clip.safetensors.partial-0badc0ffee00");
        string staleLock = Path.Combine(outFolder, ".clip.safetensors.partial-1badc0ffee00.lock");
        string live = Path.Combine(outFolder, ".clip.safetensors.partial-2badc0ffee00");
        string other = Path.Combine(outFolder, ".other.safetensors.partial-3badc0ffee00");
        foreach (var f in new[] { stale, staleLock, live, other }) File.WriteAllText(f, "left behind");
        // A writer still at work holds its partial's lock.
        using (new FileStream(live + ".lock", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
        {
            var r = Run(Args(ConvertedModels.TextToVideo, output, "--latents", _latents));
            Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        }
        var left = Directory.GetFiles(outFolder).Select(Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.That(left, Is.EqualTo(new[] { Path.GetFileName(live), Path.GetFileName(live) + ".lock", Path.GetFileName(other), "clip.safetensors" }
            .OrderBy(f => f, StringComparer.Ordinal).ToArray()));
    }

    static int Level(byte actual, float reference) => Math.Abs(actual - (int)Math.Clamp(MathF.Round(reference * 255f), 0, 255));

    [Test]
    public void Mp4WithoutFfmpegWritesMotionJpegAvi()
    {
        // CI has no ffmpeg; hide any installed one by pointing PATH at an empty folder for this in-process run.
        using var dir = Repo.Temp();
        string emptyPath = dir["empty-path"];
        Directory.CreateDirectory(emptyPath);
        string output = Path.Combine(OutFolder(dir), "clip.mp4");
        string? path = Environment.GetEnvironmentVariable("PATH");
        Support.Cli.Result r;
        try
        {
            Environment.SetEnvironmentVariable("PATH", emptyPath);
            r = Run(Args(ConvertedModels.TextToVideo, output, "--latents", _latents));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        string avi = Path.ChangeExtension(output, ".avi");
        Assert.That(File.Exists(output), Is.False, "no .mp4 without ffmpeg");
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(output)!), Is.EqualTo(new[] { avi }), "the .avi only, no temporary file");
        var notices = r.Err.Split('\n').Where(l => l.Contains("ffmpeg")).ToList();
        Assert.That(notices, Has.Count.EqualTo(1), r.Err);
        Assert.That(notices[0], Does.Contain("not found").And.Contain(avi));
        Assert.That(r.Out, Does.Contain($"wrote {avi}"));

        var file = AviFile.Read(avi);
        int frames = FixtureSettings.NumFrames;
        Assert.That(file.Handler, Is.EqualTo("MJPG"));
        Assert.That((file.Width, file.Height), Is.EqualTo((FixtureSettings.Width, FixtureSettings.Height)));
        Assert.That(file.HeaderFrames, Is.EqualTo(frames), "avih total frames");
        Assert.That(file.StreamFrames, Is.EqualTo(frames), "strh length");
        Assert.That(file.Frames, Has.Count.EqualTo(frames), "'00dc' chunks in 'movi'");
        Assert.That(file.IndexEntries, Is.EqualTo(frames), "idx1 entries");
        foreach (var jpeg in file.Frames)
        {
            using var bitmap = SKBitmap.Decode(jpeg);
            Assert.That(bitmap, Is.Not.Null, "each frame is a JPEG image");
            Assert.That((bitmap.Width, bitmap.Height), Is.EqualTo((FixtureSettings.Width, FixtureSettings.Height)));
        }
    }

    [Test]
    public void FrameCountIsRoundedAsDiffusersDoesWithANotice()
    {
        using var dir = Repo.Temp();
        string output = Path.Combine(OutFolder(dir), "rounded.safetensors");
        var args = Args(ConvertedModels.TextToVideo, output, "--latents", _latents);
        args[args.IndexOf("--num-frames") + 1] = "10";          // not 4k+1: Diffusers uses 10 // 4 * 4 + 1 = 9
        var r = Run(args);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        var notice = r.Err.Split('\n').Single(l => l.Contains("--num-frames"));
        Assert.That(notice, Does.Contain("10").And.Contain("using 9"));
        var video = ReadTensor(output, "video");
        Assert.That(video.Shape[1], Is.EqualTo(9), "frames written");
        // Same latents and frame count as the fixture run, so the same result.
        Compare.Close(video.Data, video.Shape, Reference.Get("pipeline_video"), 2e-3, "cli t2v video, --num-frames 10");
    }

    /// <summary>--devices 0,1 --parallel cfg: two CPU devices, the fixture's video, the placement in a notice.</summary>
    [Test]
    public void TwoDevicesWithCfgParallel()
    {
        using var dir = Repo.Temp();
        string output = Path.Combine(OutFolder(dir), "two.safetensors");
        var r = Run(Args(ConvertedModels.TextToVideo, output, "--latents", _latents, "--devices", "0,1", "--parallel", "cfg"));
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Err, Does.Contain("--parallel cfg: the conditional pass runs on device 0, the unconditional on device 1"));
        var video = ReadTensor(output, "video");
        Compare.Close(video.Data, video.Shape, Reference.Get("pipeline_video"), 2e-3, "cli t2v video on two devices");
    }

    // ---- bad input: one line, exit 1, nothing written ----

    static IEnumerable<TestCaseData> BadOptionValues()
    {
        yield return new TestCaseData("--height", "56", new[] { "--height", "56", "multiple of 16" }).SetName("HeightNotMultipleOf16");
        yield return new TestCaseData("--width", "100", new[] { "--width", "100", "multiple of 16" }).SetName("WidthNotMultipleOf16");
        yield return new TestCaseData("--steps", "0", new[] { "--steps", "at least 1" }).SetName("ZeroSteps");
        yield return new TestCaseData("--guidance-scale", "-1", new[] { "--guidance-scale", "-1", "zero or positive" }).SetName("NegativeGuidance");
        yield return new TestCaseData("--prompt", "", new[] { "--prompt", "empty" }).SetName("EmptyPrompt");
        yield return new TestCaseData("--prompt", "   ", new[] { "--prompt", "empty" }).SetName("BlankPrompt");
        yield return new TestCaseData("--device", "npu", new[] { "--device", "'npu'", "cpu, cuda or tensorrt" }).SetName("UnknownDevice");
        yield return new TestCaseData("--steps", "four", new[] { "--steps", "'four'", "integer" }).SetName("StepsNotANumber");
        yield return new TestCaseData("--flow-shift", "-2", new[] { "--flow-shift", "-2", "positive" }).SetName("NegativeFlowShift");
        yield return new TestCaseData("--fps", "0", new[] { "--fps", "at least 1" }).SetName("ZeroFps");
        yield return new TestCaseData("--threads", "-2", new[] { "--threads", "-2", "at least 1", "0 for ONNX Runtime's default" }).SetName("NegativeThreads");
        yield return new TestCaseData("--device-id", "-1", new[] { "--device-id", "-1", "zero or positive" }).SetName("NegativeDeviceId");
        yield return new TestCaseData("--parallel", "ring", new[] { "--parallel", "'ring'", "auto, none, cfg, experts" }).SetName("UnknownParallelMode");
        yield return new TestCaseData("--devices", "0,0", new[] { "--devices", "'0,0'", "device 0 twice" }).SetName("DeviceListedTwice");
        yield return new TestCaseData("--memory-limit", "0", new[] { "--memory-limit", "at least 1" }).SetName("ZeroMemoryLimit");
        yield return new TestCaseData("--max-sequence-length", "0", new[] { "--max-sequence-length", "between 1 and 4096" }).SetName("ZeroSequenceLength");
        yield return new TestCaseData("--num-frames", "-3", new[] { "--num-frames", "-3", "at least 1" }).SetName("NegativeFrames");
    }

    [TestCaseSource(nameof(BadOptionValues))]
    public void BadOptionValue(string option, string value, string[] message)
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        var args = Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents);
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange(new[] { option, value });
        AssertFailedCleanly(Run(args), outFolder, 1, message);
    }

    [Test]
    public void ConfigFileThatIsNotJson()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string config = dir["settings.json"];
        File.WriteAllText(config, "{ \"Sampling\": { \"Steps\": 4, } ");
        var r = Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents, "--config", config));
        AssertFailedCleanly(r, outFolder, 1, "--config", config, "LineNumber");
    }

    [Test]
    public void ConfigValueOfTheWrongType()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string config = dir["settings.json"];
        File.WriteAllText(config, "{ \"Sampling\": { \"Fps\": \"fast\" } }");
        var r = Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents, "--config", config));
        AssertFailedCleanly(r, outFolder, 1, "'fast'", "Sampling:Fps");
    }

    [Test]
    public void RuntimeSettingOutOfRangeInTheConfigFile()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string config = dir["settings.json"];
        File.WriteAllText(config, "{ \"Runtime\": { \"LogSeverity\": 7 } }");
        var r = Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents, "--config", config));
        AssertFailedCleanly(r, outFolder, 1, "Runtime:LogSeverity", "7", "between 0");
    }

    [Test]
    public void ARequestTooLargeForTheMachineIsRefusedBeforeLoading()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        var args = Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--seed", "1");
        foreach (var (option, value) in new[] { ("--height", "4096"), ("--width", "4096"), ("--num-frames", "81") }) args[args.IndexOf(option) + 1] = value;
        AssertFailedCleanly(Run(args), outFolder, 1, "4096x4096, 81 frames", "needs about", "MiB", "above the limit", "available memory", "fit");
    }

    [Test]
    public void AMemoryLimitSuggestsARequestThatFits()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        var args = Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--seed", "1", "--memory-limit", "400");
        foreach (var (option, value) in new[] { ("--height", "256"), ("--width", "256"), ("--num-frames", "33"), ("--steps", "1") }) args[args.IndexOf(option) + 1] = value;
        var refused = Run(args);
        AssertFailedCleanly(refused, outFolder, 1, "256x256, 33 frames", "above the limit of 400 MiB", "Runtime:MemoryLimitMiB");
        var suggested = System.Text.RegularExpressions.Regex.Match(refused.Err, @"33 frames fit at up to (\d+)x(\d+)");
        Assert.That(suggested.Success, Is.True, refused.Err);
        // The suggestion is a request the same limit accepts.
        args[args.IndexOf("--width") + 1] = suggested.Groups[1].Value;
        args[args.IndexOf("--height") + 1] = suggested.Groups[2].Value;
        var accepted = Run(args);
        Assert.That(accepted.Code, Is.EqualTo(0), accepted.ToString());
    }

    [Test]
    public void ImageToVideoWithoutImage()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        var r = Run(Args(ConvertedModels.ImageToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents));
        // The model's configs say it needs an image: refused before it loads.
        AssertFailedCleanly(r, outFolder, 1, "--image", "image-to-video");
    }

    [Test]
    public void ImageGivenToATextToVideoModel()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        var r = Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents, "--image", Repo.I2VImage));
        // The model's configs say it takes no image: refused before it loads.
        AssertFailedCleanly(r, outFolder, 1, "--image", "text-to-video");
    }

    [Test]
    public void ImageThatIsNotAnImage()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string image = dir["not-an-image.png"];
        File.WriteAllText(image, "this is text, not a PNG\n");
        var r = Run(Args(ConvertedModels.ImageToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents, "--image", image));
        AssertFailedCleanly(r, outFolder, 1, image, "not an image");
    }

    [Test]
    public void ImageThatDoesNotExist()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string image = dir["missing.png"];
        var r = Run(Args(ConvertedModels.ImageToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents, "--image", image));
        AssertFailedCleanly(r, outFolder, 1, "--image", image, "does not exist");
    }

    [Test]
    public void ConvertedModelMissingAComponent()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string model = ModelCopy.Of(ConvertedModels.TextToVideo, dir);
        Directory.Delete(Path.Combine(model, "vae"), true);
        var r = Run(Args(model, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents));
        AssertFailedCleanly(r, outFolder, 1, Path.Combine(model, "vae"), "'vae' is missing", "fastvideo-onnx convert");
    }

    [Test]
    public void DiffusersFolderThatWasNeverConverted()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        var r = Run(Args(Repo.TinyT2V, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents));
        AssertFailedCleanly(r, outFolder, 1, Repo.TinyT2V, "never converted", $"fastvideo-onnx convert {Repo.TinyT2V} --output");
    }

    [Test]
    public void ModelFolderThatDoesNotExist()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        var r = Run(Args(dir["no-such-model"], Path.Combine(outFolder, "video.safetensors"), "--latents", _latents));
        AssertFailedCleanly(r, outFolder, 1, dir["no-such-model"], "not found");
    }

    [Test]
    public void OutputFolderThatDoesNotExist()
    {
        using var dir = Repo.Temp();
        string output = Path.Combine(dir["missing"], "video.safetensors");
        var r = Run(Args(ConvertedModels.TextToVideo, output, "--latents", _latents));
        AssertFailedCleanly(r, dir["missing"], 1, "--output", dir["missing"], "does not exist");
        Assert.That(Directory.Exists(dir["missing"]), Is.False, "the missing folder is not created");
    }

    [Test]
    public void FrameFolderWhoseParentDoesNotExist()
    {
        using var dir = Repo.Temp();
        string frames = Path.Combine(dir["missing"], "frames") + Path.DirectorySeparatorChar;
        var r = Run(Args(ConvertedModels.TextToVideo, frames, "--latents", _latents));
        AssertFailedCleanly(r, dir["missing"], 1, "--output", dir["missing"], "does not exist");
        Assert.That(Directory.Exists(dir["missing"]), Is.False);
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]   // Unix permissions
    public void OutputFolderThatIsReadOnly()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        File.SetUnixFileMode(outFolder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            if (CanWriteInto(outFolder))
                Assert.Ignore("this process can write into a read-only folder (it runs as root): the permission check cannot be exercised here");
            var r = Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents));
            AssertFailedCleanly(r, outFolder, 1, "--output", "cannot write", outFolder);
        }
        finally
        {
            File.SetUnixFileMode(outFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    static bool CanWriteInto(string folder)
    {
        string probe = Path.Combine(folder, "probe");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [Test]
    public void OutputWithAnUnknownExtension()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        var r = Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.gif"), "--latents", _latents));
        AssertFailedCleanly(r, outFolder, 1, "--output", "video.gif", ".mp4");
    }

    [Test]
    public void LatentsWithTheWrongShape()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string latents = dir["small.safetensors"];
        WriteTensor(latents, "latents", new float[16 * 2 * 8 * 8], new long[] { 1, 16, 2, 8, 8 });
        var r = Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", latents));
        // The latents' shape is checked against the model's configs before it loads.
        AssertFailedCleanly(r, outFolder, 1, "--latents", "[1, 16, 2, 8, 8]", "[1, 16, 3, 8, 8]");
    }

    [Test]
    public void LatentsFileWithoutLatentsTensor()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string latents = dir["noise.safetensors"];
        var init = Reference.Get("latents_init");
        WriteTensor(latents, "noise", init.Data, init.Shape);
        var r = Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", latents));
        AssertFailedCleanly(r, outFolder, 1, latents, "no tensor 'latents'", "noise");
    }

    [Test]
    public void LatentsFileThatIsNotSafetensors()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        string latents = dir["latents.safetensors"];
        File.WriteAllText(latents, "not a safetensors file");
        var r = Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", latents));
        AssertFailedCleanly(r, outFolder, 1, latents, "header");
    }

    [Test]
    public void MissingPromptIsAUsageError()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        var r = Support.Cli.Run("generate", "--model", ConvertedModels.TextToVideo, "--output", Path.Combine(outFolder, "video.safetensors"));
        AssertFailedCleanly(r, outFolder, 2, "--prompt", "required", "--help");
    }

    [Test]
    public void UnknownOptionIsAUsageError()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        var r = Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--frames", "9"));
        AssertFailedCleanly(r, outFolder, 2, "--frames", "--num-frames");
    }

    // ---- cancellation ----

    /// <summary>Stderr that requests cancellation when the progress display reports a given text (after the first step).</summary>
    sealed class CancelOnText(CancellationTokenSource cancel, string trigger) : StringWriter
    {
        public override void Write(string? value)
        {
            base.Write(value);
            if (value?.Contains(trigger) == true) cancel.Cancel();
        }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(trigger) == true) cancel.Cancel();
        }
    }

    [Test]
    public void CancelledAfterTheFirstStepExits130AndWritesNothing()
    {
        using var dir = Repo.Temp();
        string outFolder = OutFolder(dir);
        using var cancel = new CancellationTokenSource();
        var stdout = new StringWriter();
        var stderr = new CancelOnText(cancel, $"step 1/{FixtureSettings.Steps}");
        int code = CliApp.Run(Args(ConvertedModels.TextToVideo, Path.Combine(outFolder, "video.safetensors"), "--latents", _latents).ToArray(),
            stdout, stderr, cancel.Token);
        string err = stderr.ToString();
        Assert.That(code, Is.EqualTo(130), $"stdout:\n{stdout}\nstderr:\n{err}");
        Assert.That(cancel.IsCancellationRequested, Is.True, "the trigger fired: the run was inside the denoising loop");
        Assert.That(err, Does.Not.Contain($"step 2/{FixtureSettings.Steps}"), "stopped before the next step");
        Assert.That(err.TrimEnd().Split('\n')[^1], Does.Contain("cancelled"));
        Assert.That(Directory.GetFileSystemEntries(outFolder), Is.Empty, "no output and no .partial- file");
    }
}
