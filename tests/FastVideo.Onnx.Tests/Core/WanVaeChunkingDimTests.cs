using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Models;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Core;

/// <summary>The named dims of the VAE chunk graphs, which the runtime resolves to allocate the caches before a call.</summary>
public class WanVaeChunkingDimTests
{
    static readonly Dictionary<string, long> Sizes = new()
    {
        [WanVaeChunking.BatchDim] = 2,
        [WanVaeChunking.LatentHeightDim] = 60,
        [WanVaeChunking.VideoWidthDim] = 830,
    };

    [TestCase(WanVaeChunking.LatentHeightDim, 0, "latent_height", 60)]
    [TestCase(WanVaeChunking.LatentHeightDim, 3, "latent_height*8", 480)]
    [TestCase(WanVaeChunking.VideoWidthDim, -1, "video_width/2", 415)]
    [TestCase(WanVaeChunking.VideoWidthDim, -2, "video_width/4", 207)]
    [TestCase(WanVaeChunking.BatchDim, 0, "batch", 2)]
    public void ScaledNamesResolveToTheScaledSize(string dim, int level, string name, long size)
    {
        Assert.That(WanVaeChunking.ScaledDim(dim, level), Is.EqualTo(name));
        Assert.That(WanVaeChunking.ResolveDim(name, Sizes), Is.EqualTo(size));
    }

    [TestCase("latent_width")]
    [TestCase("latent_height*x")]
    [TestCase("latent_height/0")]
    public void UnknownOrMalformedNamesAreRefused(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => WanVaeChunking.ResolveDim(name, Sizes));
        Assert.That(e!.Message, Does.Contain(name));
    }
}
