using FastVideo.Onnx.Runtime.Imaging;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>Properties of the PIL / PyTorch separable resampler that hold whatever the reference.</summary>
internal class ImageResamplerTests
{
    static readonly ResampleFilter[] AllFilters = Enum.GetValues<ResampleFilter>();
    static readonly (int W, int H)[] Sizes = [(42, 32), (17, 9), (240, 180), (121, 91), (120, 30), (7, 200)];

    [Test]
    public void SameSizeCopiesThePixels()
    {
        var image = ImageLoader.Load(Repo.I2VImage);
        foreach (var filter in AllFilters)
        {
            var same = SeparableResampler.Resize(image, image.Width, image.Height, filter);
            Assert.That(same.Pixels, Is.EqualTo(image.Pixels), filter.ToString());
            Assert.That(same.Pixels, Is.Not.SameAs(image.Pixels));
        }
    }

    [Test]
    public void ConstantImageStaysConstant()
    {
        // Weights are normalised to sum 1 before going to fixed point; a flat image must come out flat and equal.
        var flat = new RgbImage(50, 40, Enumerable.Range(0, 50 * 40).SelectMany(_ => new byte[] { 200, 7, 255 }).ToArray());
        foreach (var arithmetic in Enum.GetValues<ResampleArithmetic>())
        foreach (var filter in arithmetic == ResampleArithmetic.Pillow ? AllFilters : [ResampleFilter.Bilinear, ResampleFilter.Bicubic])
        foreach (var (w, h) in Sizes)
        {
            var resized = SeparableResampler.Resize(flat, w, h, filter, arithmetic);
            Assert.That((resized.Width, resized.Height), Is.EqualTo((w, h)));
            for (int i = 0; i < resized.Pixels.Length; i += 3)
                Assert.That((resized.Pixels[i], resized.Pixels[i + 1], resized.Pixels[i + 2]), Is.EqualTo(((byte)200, (byte)7, (byte)255)), $"{filter} {arithmetic} {w}x{h}");
        }
    }

    [TestCase(ResampleFilter.Box)]
    [TestCase(ResampleFilter.Bilinear)]
    public void PositiveKernelsStayWithinTheInputRange(ResampleFilter filter)
    {
        // No negative lobes: every output is a convex combination of inputs, so within each channel's min..max.
        var image = ImageLoader.Load(Repo.I2VImage);
        foreach (var (w, h) in Sizes)
        {
            var resized = SeparableResampler.Resize(image, w, h, filter);
            for (int c = 0; c < 3; c++)
            {
                var input = image.Pixels.Where((_, i) => i % 3 == c).ToArray();
                var output = resized.Pixels.Where((_, i) => i % 3 == c).ToArray();
                Assert.That(output.Min(), Is.GreaterThanOrEqualTo(input.Min()));
                Assert.That(output.Max(), Is.LessThanOrEqualTo(input.Max()));
            }
        }
    }

    [Test]
    public void PillowAndTorchArithmeticDifferByAtMostOneLevel()
    {
        var image = ImageLoader.Load(Repo.I2VImage);
        int differing = 0, total = 0;
        foreach (var filter in new[] { ResampleFilter.Bilinear, ResampleFilter.Bicubic })
        foreach (var (w, h) in Sizes)
        {
            var pil = SeparableResampler.Resize(image, w, h, filter, ResampleArithmetic.Pillow);
            var torch = SeparableResampler.Resize(image, w, h, filter, ResampleArithmetic.TorchUint8);
            for (int i = 0; i < pil.Pixels.Length; i++)
            {
                int d = Math.Abs(pil.Pixels[i] - torch.Pixels[i]);
                Assert.That(d, Is.LessThanOrEqualTo(1), $"{filter} {w}x{h} byte {i}");
                differing += d;
                total++;
            }
        }
        TestContext.Out.WriteLine($"{differing} of {total} bytes differ by one level between Pillow's and PyTorch's fixed point");
        Assert.That(differing, Is.LessThan(total / 20));
    }

    [Test]
    public void TorchArithmeticRefusesFiltersPyTorchLacks()
    {
        var image = ImageLoader.Load(Repo.I2VImage);
        Assert.Throws<NotSupportedException>(() => SeparableResampler.Resize(image, 10, 10, ResampleFilter.Lanczos, ResampleArithmetic.TorchUint8));
    }
}
