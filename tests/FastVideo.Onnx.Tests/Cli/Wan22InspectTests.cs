using System.Text.Json;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Cli;

/// <summary><c>inspect</c> describes Wan2.2 folders: their pipeline fields, the 16x VAE, the per-token transformer and the second expert.</summary>
public class Wan22InspectTests
{
    [Test]
    public void DiffusersTi2vFolderShowsItsWan22Fields()
    {
        var r = Support.Cli.Run("inspect", Wan22Fixture.Ti2v);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Out, Does.Contain("expand_timesteps true"));
        Assert.That(r.Out, Does.Contain("is_residual true").And.Contain("scale_factor_spatial 16").And.Contain("decoder_base_dim 12"));
        Assert.That(r.Out, Does.Contain("convertible yes"));

        var json = JsonDocument.Parse(Support.Cli.Run("inspect", Wan22Fixture.A14bT2v, "--json").Out).RootElement;
        Assert.That(json.GetProperty("pipeline_config").GetProperty("boundary_ratio").GetDouble(), Is.EqualTo(0.875));
        Assert.That(json.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("name").GetString()), Does.Contain("transformer_2"));
    }

    [Test]
    public void ConvertedTi2vFolderShowsThePerTokenTimestep()
    {
        var r = Support.Cli.Run("inspect", Wan22Fixture.Ti2vConverted);
        Assert.That(r.Code, Is.EqualTo(0), r.ToString());
        Assert.That(r.Out, Does.Contain("expand_timesteps true"));
        Assert.That(r.Out, Does.Contain("in   timestep  float32 [batch, tokens]"), r.Out);
        Assert.That(r.Out, Does.Contain("per-token timesteps"));
    }
}
