using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// Diffusers' video_processor.preprocess(image, height, width) for the I2V VAE conditioning. The fixtures hold no
/// tensor for this step alone (it is inside i2v_final_latents), so these tests check its definition; the resize was
/// checked byte for byte against Pillow 9.4 outside the test suite.
/// </summary>
public class ImageVaePreprocessTests
{
    [Test]
    public void ReferenceImageBecomesOneByThreeBySixtyFourSquaredInMinusOneToOne()
    {
        var image = ImageLoader.Load(Repo.I2VImage);
        int height = 64, width = 64; // the I2V reference's settings (reference.json)
        var tensor = VaeImagePreprocessor.Preprocess(image, height, width);
        Assert.That(tensor.Shape, Is.EqualTo(new long[] { 1, 3, 64, 64 }));
        Assert.That(tensor.Data.Min(), Is.GreaterThanOrEqualTo(-1f));
        Assert.That(tensor.Data.Max(), Is.LessThanOrEqualTo(1f));
        // Every value is 2 u / 255 - 1 of a byte u.
        foreach (float v in tensor.Data)
        {
            double u = (v + 1) * 255 / 2;
            Assert.That(Math.Abs(u - Math.Round(u)), Is.LessThan(1e-3), $"{v} is not a rescaled byte");
        }
    }

    [Test]
    public void SameSizeIsTwoUOverTwoFiftyFiveMinusOneExactly()
    {
        var image = ImageLoader.Load(Repo.I2VImage).Crop(8, 5, 96, 80);
        var tensor = VaeImagePreprocessor.Preprocess(image, 80, 96);
        var unit = image.ToPlanarUnitFloats();
        Assert.That(tensor.Data, Is.EqualTo(unit.Select(u => 2f * u - 1f).ToArray()));
    }

    [Test]
    public void SizesRoundDownToTheVaeScaleFactor()
    {
        var image = ImageLoader.Load(Repo.I2VImage);
        var tensor = VaeImagePreprocessor.Preprocess(image, 70, 100);
        Assert.That(tensor.Shape, Is.EqualTo(new long[] { 1, 3, 64, 96 }));
        Assert.That(VaeImagePreprocessor.Preprocess(image, 70, 100, vaeScaleFactor: 16).Shape, Is.EqualTo(new long[] { 1, 3, 64, 96 }));
        Assert.That(VaeImagePreprocessor.Preprocess(image, 70, 100, vaeScaleFactor: 1).Shape, Is.EqualTo(new long[] { 1, 3, 70, 100 }));
    }

    [Test]
    public void LanczosResizeEqualsTheSeparableResamplerThenRescale()
    {
        var image = ImageLoader.Load(Repo.I2VImage);
        var tensor = VaeImagePreprocessor.Preprocess(image, 64, 64);
        var resized = SeparableResampler.Resize(image, 64, 64, ResampleFilter.Lanczos, ResampleArithmetic.Pillow);
        Assert.That(tensor.Data, Is.EqualTo(resized.ToPlanarUnitFloats().Select(u => 2f * u - 1f).ToArray()));
        Assert.That(VaeImagePreprocessor.DefaultFilter, Is.EqualTo(ResampleFilter.Lanczos), "VaeImageProcessor's default resample is lanczos");
    }

    [Test]
    public void SizeBelowTheScaleFactorIsRefused()
    {
        var image = ImageLoader.Load(Repo.I2VImage);
        var e = Assert.Throws<InvalidRequestException>(() => VaeImagePreprocessor.Preprocess(image, 5, 64))!;
        Assert.That(e.Field, Is.EqualTo("height"));
    }

    [Test]
    public void NonImageFileIsNamed()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["prompt.txt"], "A red fox");
        var e = Assert.Throws<InvalidRequestException>(() => VaeImagePreprocessor.Preprocess(dir["prompt.txt"], 64, 64))!;
        Assert.That(e.Message, Does.StartWith(dir["prompt.txt"]));
    }
}
