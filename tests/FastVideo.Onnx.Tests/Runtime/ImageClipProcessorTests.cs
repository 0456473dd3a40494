using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>CLIPImageProcessor against transformers' pixel_values for the I2V reference image.</summary>
public class ImageClipProcessorTests
{
    static string ProcessorFolder => Path.Combine(Repo.TinyI2V, "image_processor");

    [Test]
    public void PixelValuesMatchTransformers()
    {
        // transformers 5's CLIPImageProcessor (torchvision backend) made the reference: 120x90 -> 42x32 bicubic
        // (antialiased, PyTorch's uint8 arithmetic) -> center crop 32x32 -> (x - 255 mean) / (255 std).
        var processor = ClipImageProcessor.FromFolder(ProcessorFolder);
        var pixels = processor.Preprocess(Repo.I2VImage);
        Compare.Close(pixels.Data, pixels.Shape, Reference.Get("i2v_clip_pixel_values"), 1e-6, "CLIP pixel_values (torchvision backend)");
    }

    [Test]
    public void PilBackendIsWithinOneLevelOfTheReference()
    {
        // transformers 4 / CLIPImageProcessorPil resize through Pillow, whose fixed-point rounding moves a few
        // pixels by one uint8 level: one level is 1 / (255 std) after normalisation.
        var processor = ClipImageProcessor.FromFolder(ProcessorFolder, TransformersImageBackend.Pil);
        var pixels = processor.Preprocess(Repo.I2VImage);
        var expected = Reference.Get("i2v_clip_pixel_values");
        double oneLevel = 1.0 / (255 * processor.Config.ImageStd.Min());
        double error = Compare.MaxAbs(pixels.Data, expected.Data);
        int differing = pixels.Data.Where((v, i) => Math.Abs(v - expected.Data[i]) > 1e-4).Count();
        TestContext.Out.WriteLine($"PIL backend: max abs error {error:E3} ({differing} of {pixels.Data.Length} values off by a level; one level = {oneLevel:E3})");
        Assert.That(pixels.Shape, Is.EqualTo(expected.Shape));
        Assert.That(error, Is.LessThanOrEqualTo(oneLevel * 1.0001));
        Assert.That(differing, Is.LessThan(pixels.Data.Length / 20), "only rounding-edge pixels may differ");
    }

    [Test]
    public void ConfigIsReadFromTheFolder()
    {
        var config = ClipImageProcessor.FromFolder(ProcessorFolder).Config;
        var expected = Reference.Get("i2v_clip_pixel_values");
        Assert.That((long)config.CropHeight, Is.EqualTo(expected.Shape[2]));
        Assert.That((long)config.CropWidth, Is.EqualTo(expected.Shape[3]));
        Assert.That(config.Resample, Is.EqualTo(3));
        Assert.That(config.ShortestEdge, Is.Not.Null);
    }

    [Test]
    public void ResizeKeepsAspectWithTheShortestEdgeAtTheTarget()
    {
        var processor = ClipImageProcessor.FromFolder(ProcessorFolder);
        int edge = processor.Config.ShortestEdge!.Value;
        foreach (var (h, w) in new[] { (90, 120), (120, 90), (500, 333), (64, 64), (31, 1000) })
        {
            var (rh, rw) = processor.ResizeTarget(h, w);
            Assert.That(Math.Min(rh, rw), Is.EqualTo(edge), $"{w}x{h}: shortest edge");
            double aspect = (double)Math.Max(h, w) / Math.Min(h, w);
            int longSide = Math.Max(rh, rw);
            Assert.That(longSide, Is.LessThanOrEqualTo(edge * aspect + 1e-9).And.GreaterThan(edge * aspect - 1), $"{w}x{h}: long side truncated from shortest * aspect");
            Assert.That(rh >= rw, Is.EqualTo(h >= w), $"{w}x{h}: orientation kept");
        }
    }

    [Test]
    public void SmallImageIsPaddedWithBlackToTheCrop()
    {
        // An exact resize to 20x20 under a 32x32 crop: torchvision pads 6 columns and rows of zeros on each side.
        using var dir = Repo.Temp();
        File.WriteAllText(dir["preprocessor_config.json"], """{"size": {"height": 20, "width": 20}, "crop_size": 32, "resample": 3}""");
        var processor = ClipImageProcessor.FromFolder(dir.Path);
        var pixels = processor.Preprocess(ImageLoader.Load(Repo.I2VImage));
        Assert.That(pixels.Shape, Is.EqualTo(new long[] { 1, 3, 32, 32 }));
        for (int c = 0; c < 3; c++)
        {
            float black = (0 - processor.Config.ImageMean[c] * 255f) / (processor.Config.ImageStd[c] * 255f);
            Assert.That(pixels.Data[c * 1024 + 0], Is.EqualTo(black), $"channel {c}: corner is padding");
            Assert.That(pixels.Data[c * 1024 + 5 * 32 + 5], Is.EqualTo(black), $"channel {c}: last padded pixel");
            Assert.That(pixels.Data[c * 1024 + 31 * 32 + 31], Is.EqualTo(black), $"channel {c}: far corner is padding");
        }
        var inside = Enumerable.Range(0, 3).SelectMany(c => Enumerable.Range(6, 20).SelectMany(y => Enumerable.Range(6, 20).Select(x => pixels.Data[c * 1024 + y * 32 + x])));
        Assert.That(inside.Distinct().Count(), Is.GreaterThan(10), "the image itself sits in the middle");
    }

    [Test]
    public void UnsupportedResampleIsAModelFormatError()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["preprocessor_config.json"], """{"size": {"shortest_edge": 32}, "crop_size": 32, "resample": 0}""");
        var e = Assert.Throws<ModelFormatException>(() => ClipImageProcessor.FromFolder(dir.Path))!;
        Assert.That(e.Message, Does.Contain(dir["preprocessor_config.json"]).And.Contain("resample"));
    }

    [Test]
    public void SizeWithoutAnEdgeIsAModelFormatError()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["preprocessor_config.json"], """{"size": {"width": 32}}""");
        var e = Assert.Throws<ModelFormatException>(() => ClipImageProcessor.FromFolder(dir.Path))!;
        Assert.That(e.Message, Does.Contain(dir["preprocessor_config.json"]).And.Contain("size"));
        Assert.That(e.Message, Does.Not.Contain('\n'));
    }
}
