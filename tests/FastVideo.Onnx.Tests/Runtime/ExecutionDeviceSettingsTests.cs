using FastVideo.Onnx.Runtime.Components;
using FastVideo.Onnx.Runtime.Components.Wan;
using FastVideo.Onnx.Runtime.Configuration;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime;

/// <summary>
/// The GPU memory and layout settings: what they give the CUDA provider, how configuration binds them, and what they
/// resolve to on the CPU provider (where none of them applies). Their effect on a GPU is measured by `bench run`
/// (docs/PERFORMANCE.md).
/// </summary>
public class ExecutionDeviceSettingsTests
{
    [Test]
    public void CudaProviderOptionsByDefault()
    {
        var options = ExecutionDevice.CudaProviderOptions(new RuntimeOptions { Device = ExecutionProvider.Cuda });
        Assert.That(options, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["device_id"] = "0",
            ["cudnn_conv_algo_search"] = "EXHAUSTIVE",
            ["cudnn_conv_use_max_workspace"] = "1",
            ["do_copy_in_default_stream"] = "1",
            ["arena_extend_strategy"] = "kSameAsRequested",
        }));
    }

    [Test]
    public void CudaProviderOptionsFollowTheSettings()
    {
        var options = ExecutionDevice.CudaProviderOptions(new RuntimeOptions
        {
            Device = ExecutionProvider.Cuda, DeviceId = 1, PreferNhwc = true, CudnnFuseConvBias = true, CudaGraph = true,
            CudnnConvAlgoSearch = "HEURISTIC", CudnnConvMaxWorkspace = false,
        });
        Assert.That(options["device_id"], Is.EqualTo("1"));
        Assert.That(options["prefer_nhwc"], Is.EqualTo("1"));
        Assert.That(options["fuse_conv_bias"], Is.EqualTo("1"));
        Assert.That(options["enable_cuda_graph"], Is.EqualTo("1"));
        Assert.That(options["cudnn_conv_algo_search"], Is.EqualTo("HEURISTIC"));
        Assert.That(options["cudnn_conv_use_max_workspace"], Is.EqualTo("0"));
    }

    [Test]
    public void ConfigurationBindsTheMemorySettings()
    {
        var runtime = GeneratorSettings.Build(null, null, new Dictionary<string, string?>
        {
            ["Runtime:SharedArena"] = "false",
            ["Runtime:ArenaMaxDeadMiB"] = "16",
            ["Runtime:MemoryPattern"] = "true",
            ["Runtime:VaeChannelsLast"] = "false",
            ["Runtime:ReleaseMemoryAfterRun"] = "true",
            ["Runtime:CudnnFuseConvBias"] = "true",
        }, includeEnvironment: false).Runtime;
        Assert.That((runtime.SharedArena, runtime.ArenaMaxDeadMiB, runtime.MemoryPattern), Is.EqualTo((false, 16, true)));
        Assert.That((runtime.VaeChannelsLast, runtime.ReleaseMemoryAfterRun, runtime.CudnnFuseConvBias), Is.EqualTo((false, true, true)));

        var defaults = GeneratorSettings.Build(null, null, null, includeEnvironment: false).Runtime;
        Assert.That((defaults.SharedArena, defaults.MemoryPattern, defaults.VaeChannelsLast), Is.EqualTo((null as bool?, null as bool?, null as bool?)),
            "unset: the device decides");
        Assert.That(defaults.ArenaMaxDeadMiB, Is.EqualTo(2));
    }

    [Test]
    public void CpuDeviceKeepsOnnxRuntimeDefaults()
    {
        using (var cpu = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu, SharedArena = true, VaeChannelsLast = true }))
        {
            Assert.That(cpu.SharedArena, Is.False, "the shared arena is a GPU arena");
            Assert.That(cpu.VaeChannelsLast, Is.False, "channels-last convolutions are a CUDA provider setting");
            Assert.That(cpu.MemoryPattern, Is.True);
            Assert.DoesNotThrow(cpu.ReleaseCachedMemory);
        }
        using var withoutPattern = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu, MemoryPattern = false });
        Assert.That(withoutPattern.MemoryPattern, Is.False);
    }

    [TestCase(-1)]
    [TestCase(2048)]
    public void ArenaSplitThresholdOutOfRangeIsAnError(int mib)
    {
        var e = Assert.Throws<FastVideo.Onnx.Core.Errors.InvalidRequestException>(() =>
            ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu, ArenaMaxDeadMiB = mib }).Dispose());
        Assert.That(e!.Message, Does.Contain("Runtime:ArenaMaxDeadMiB").And.Contain(mib.ToString()));
    }

    /// <summary>
    /// Later decoder calls rewrite the causal caches of the first call in place; a second decode with the same runner
    /// starts from fresh caches and gives the same video (the pipeline parity tests check the values themselves).
    /// </summary>
    [Test]
    public void RepeatedDecodesGiveTheSameVideo()
    {
        using var device = ExecutionDevice.Create(new RuntimeOptions { Device = ExecutionProvider.Cpu });
        using var vae = WanVaeRunner.Open(new ComponentRequest(ConvertedModels.TextToVideo, "vae", device));
        var shape = new long[] { 1, vae.LatentChannels, 3, 4, 6 };
        var latents = new HostTensor(Patterns.Wave(shape, 1f), shape);
        var first = vae.Decode(latents);
        var second = vae.Decode(latents);
        Assert.That(first.Shape, Is.EqualTo(new long[] { 1, 3, 9, 32, 48 }));
        Assert.That(second.Data, Is.EqualTo(first.Data));
        Assert.That(first.Data.Any(v => v != 0) && first.Data.All(float.IsFinite), Is.True);
    }
}
