using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Repository;

/// <summary>References the fixtures do not store but derive from a stored tensor, as Diffusers derives them.</summary>
public class DerivedReferenceTests
{
    [Test]
    public void PostProcessIsDiffusersVideoProcessorChannelsLast()
    {
        // [1, 3, F=2, H=1, W=2]: channel c, frame t, column x holds the value below; 1.5 and -3 fall outside [-1, 1].
        float[] decoded =
        {
            -1f, 0f, /* t1 */ 1f, 1.5f,      // red
            0.5f, -0.5f, /* t1 */ -3f, 0.25f, // green
            0f, 0f, /* t1 */ 0f, -1f,         // blue
        };
        var video = Wan22Fixture.PostProcess(new RefTensor(decoded, new long[] { 1, 3, 2, 1, 2 }));
        Assert.That(video.Shape, Is.EqualTo(new long[] { 1, 2, 1, 2, 3 }));
        Assert.That(video.Data, Is.EqualTo(new float[]
        {
            0f, 0.75f, 0.5f,   0.5f, 0.25f, 0.5f,    // frame 0: pixels (r, g, b)
            1f, 0f, 0.5f,      1f, 0.625f, 0f,       // frame 1, clamped to [0, 1]
        }));
    }

    [Test]
    public void PostProcessRefusesATensorThatIsNotADecodedVideo()
    {
        var ex = Assert.Throws<ArgumentException>(() => Wan22Fixture.PostProcess(new RefTensor(new float[12], new long[] { 1, 4, 1, 1, 3 })));
        Assert.That(ex!.Message, Does.Contain("[1, 3, F, H, W], got [1, 4, 1, 1, 3]"));
    }

    [Test]
    public void TheTi2vVideoIsDerivedFromTheStoredDecode()
    {
        var decoded = Wan22Fixture.Get("vae22_decode_out");
        var video = Wan22Fixture.Ti2vT2vVideo();
        Assert.That(video.Shape, Is.EqualTo(new long[] { 1, decoded.Shape[2], decoded.Shape[3], decoded.Shape[4], 3 }));
        Assert.That(video.Data.Min(), Is.GreaterThanOrEqualTo(0f));
        Assert.That(video.Data.Max(), Is.LessThanOrEqualTo(1f));
        Assert.That(video.Data.Distinct().Count(), Is.GreaterThan(1000), "a real video, not a constant");
    }
}
