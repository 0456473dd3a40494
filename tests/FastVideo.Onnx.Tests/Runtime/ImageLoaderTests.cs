using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;
using SkiaSharp;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>Image decoding through SkiaSharp (its native library must load here) and the one-line errors for files that are not images.</summary>
public class ImageLoaderTests
{
    [Test]
    public void ReferenceImageLoadsWithItsSize()
    {
        var image = ImageLoader.Load(Repo.I2VImage);
        Assert.That((image.Width, image.Height), Is.EqualTo((120, 90)), "gen_fixtures.py draws a 120x90 image");
        Assert.That(image.Pixels, Has.Length.EqualTo(120 * 90 * 3));
        Assert.That(image.Pixels.Distinct().Count(), Is.GreaterThan(100), "decoded content, not a blank buffer");
    }

    [Test]
    public void PngRoundTripIsExact()
    {
        // Encode known pixels with Skia's PNG encoder (lossless), read them back through the loader.
        var random = new Random(7);
        int width = 37, height = 23;
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var expected = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            byte r = (byte)random.Next(256), g = (byte)random.Next(256), b = (byte)random.Next(256);
            bitmap.SetPixel(x, y, new SKColor(r, g, b, 255));
            expected[(y * width + x) * 3] = r;
            expected[(y * width + x) * 3 + 1] = g;
            expected[(y * width + x) * 3 + 2] = b;
        }
        using var dir = Repo.Temp();
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
            File.WriteAllBytes(dir["known.png"], data.ToArray());
        var image = ImageLoader.Load(dir["known.png"]);
        Assert.That((image.Width, image.Height), Is.EqualTo((width, height)));
        Assert.That(image.Pixels, Is.EqualTo(expected));
    }

    [Test]
    public void ToPlanarUnitFloatsIsChannelsFirstOverTwoFiftyFive()
    {
        var image = ImageLoader.Load(Repo.I2VImage);
        var planar = image.ToPlanarUnitFloats();
        int plane = image.Width * image.Height;
        Assert.That(planar, Has.Length.EqualTo(3 * plane));
        foreach (var (x, y) in new[] { (0, 0), (119, 0), (50, 40), (119, 89) })
            for (int c = 0; c < 3; c++)
                Assert.That(planar[c * plane + y * image.Width + x], Is.EqualTo(image[x, y, c] / 255f));
    }

    static void AssertOneLineNaming(FastVideoException e, string path)
    {
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e.Message, Does.StartWith(path));
        Assert.That(e.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public void TextFileIsNotAnImage()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["notes.png"], "this is a text file with a .png name\n");
        var e = Assert.Throws<InvalidRequestException>(() => ImageLoader.Load(dir["notes.png"]))!;
        AssertOneLineNaming(e, dir["notes.png"]);
        Assert.That(e.Message, Does.Contain("not an image"));
    }

    [Test]
    public void ModelFileIsNotAnImage()
    {
        string spiece = Path.Combine(Repo.TinyT2V, "tokenizer", "spiece.model");
        var e = Assert.Throws<InvalidRequestException>(() => ImageLoader.Load(spiece))!;
        AssertOneLineNaming(e, spiece);
    }

    [Test]
    public void TruncatedPngIsReported()
    {
        using var dir = Repo.Temp();
        var bytes = File.ReadAllBytes(Repo.I2VImage);
        File.WriteAllBytes(dir["cut.png"], bytes[..(bytes.Length / 3)]);
        var e = Assert.Throws<InvalidRequestException>(() => ImageLoader.Load(dir["cut.png"]))!;
        AssertOneLineNaming(e, dir["cut.png"]);
    }

    [Test]
    public void EmptyAndMissingFilesAreReported()
    {
        using var dir = Repo.Temp();
        File.WriteAllBytes(dir["empty.jpg"], []);
        AssertOneLineNaming(Assert.Throws<InvalidRequestException>(() => ImageLoader.Load(dir["empty.jpg"]))!, dir["empty.jpg"]);
        AssertOneLineNaming(Assert.Throws<InvalidRequestException>(() => ImageLoader.Load(dir["missing.png"]))!, dir["missing.png"]);
    }

    [Test]
    public void ExifOrientationsComposeLikeRotationsAndMirrors()
    {
        var image = ImageLoader.Load(Repo.I2VImage);
        RgbImage Apply(RgbImage i, SKEncodedOrigin o) => ImageLoader.Orient(i, o);

        var clockwise = Apply(image, SKEncodedOrigin.RightTop);
        Assert.That((clockwise.Width, clockwise.Height), Is.EqualTo((image.Height, image.Width)));
        // Rotating clockwise puts the bottom-left pixel at the top-left.
        for (int c = 0; c < 3; c++) Assert.That(clockwise[0, 0, c], Is.EqualTo(image[0, image.Height - 1, c]));
        Assert.That(Apply(clockwise, SKEncodedOrigin.LeftBottom).Pixels, Is.EqualTo(image.Pixels), "clockwise then counter-clockwise");
        var fourTimes = Enumerable.Range(0, 4).Aggregate(image, (i, _) => Apply(i, SKEncodedOrigin.RightTop));
        Assert.That(fourTimes.Pixels, Is.EqualTo(image.Pixels), "four quarter turns");
        foreach (var involution in new[] { SKEncodedOrigin.TopRight, SKEncodedOrigin.BottomRight, SKEncodedOrigin.BottomLeft, SKEncodedOrigin.LeftTop, SKEncodedOrigin.RightBottom })
            Assert.That(Apply(Apply(image, involution), involution).Pixels, Is.EqualTo(image.Pixels), $"{involution} twice");
        Assert.That(Apply(Apply(image, SKEncodedOrigin.TopRight), SKEncodedOrigin.BottomLeft).Pixels,
            Is.EqualTo(Apply(image, SKEncodedOrigin.BottomRight).Pixels), "both mirrors = half turn");
        Assert.That(Apply(image, SKEncodedOrigin.TopLeft), Is.SameAs(image));
    }
}
