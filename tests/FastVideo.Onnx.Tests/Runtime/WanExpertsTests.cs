using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>Which expert runs a timestep, and what stays loaded under each residency policy.</summary>
public class WanExpertsTests
{
    static (WanExperts Experts, List<string> Opened) Open(ExecutionDevice device, double? boundary)
    {
        var opened = new List<string>();
        var experts = new WanExperts(component =>
        {
            opened.Add(component);
            return WanTransformerRunner.Open(new ComponentRequest(Wan22Fixture.A14bT2vConverted, component, device));
        }, boundary, device);
        return (experts, opened);
    }

    static string Component(IDenoiser denoiser) => ((WanTransformerRunner)denoiser).Component;

    [Test]
    public void TimestepsAtOrAboveTheBoundaryGoToTheFirstExpert()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        var (experts, _) = Open(device, 875);
        using (experts)
        {
            Assert.That(new[] { 999.0, 875.0, 874.9, 707.0 }.Select(experts.IndexFor), Is.EqualTo(new[] { 0, 0, 1, 1 }));
            Assert.That(Component(experts.For(999)), Is.EqualTo("transformer"));
            Assert.That(Component(experts.For(707)), Is.EqualTo("transformer_2"));
        }
    }

    [Test]
    public void BothExpertsStayLoadedOnTheCpu()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        var (experts, opened) = Open(device, 875);
        using (experts)
        {
            Assert.That(experts.BothResident, Is.True);
            foreach (var t in new[] { 999.0, 700, 999, 700 }) experts.For(t);
            Assert.That(opened, Is.EqualTo(new[] { "transformer", "transformer_2" }), "each opened once, at load");
        }
    }

    [Test]
    public void OneAtATimeReleasesTheOtherAtEachSwitch()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions { KeepBothExperts = false });
        var (experts, opened) = Open(device, 875);
        using (experts)
        {
            Assert.That(experts.BothResident, Is.False);
            var high = experts.For(999);
            Assert.That(experts.For(990), Is.SameAs(high), "no switch within an expert's steps");
            var low = experts.For(700);
            Assert.That(Component(low), Is.EqualTo("transformer_2"));
            experts.For(999);
            Assert.That(opened, Is.EqualTo(new[] { "transformer", "transformer_2", "transformer" }));
        }
    }

    [Test]
    public void OneTransformerIgnoresTheTimestep()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions());
        var (experts, opened) = Open(device, null);
        using (experts)
        {
            Assert.That(experts.Count, Is.EqualTo(1));
            Assert.That(Component(experts.For(10)), Is.EqualTo("transformer"));
            Assert.That(opened, Is.EqualTo(new[] { "transformer" }));
        }
    }
}
