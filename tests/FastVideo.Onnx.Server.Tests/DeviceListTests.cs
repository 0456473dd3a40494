using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Execution;
using FastVideo.Onnx.Server.Workers;
using NUnit.Framework;

namespace FastVideo.Onnx.Server.Tests;

/// <summary>--devices into workers: one per device, or one per pair (DevicesPerWorker 2) spreading each request over both.</summary>
public class DeviceListTests
{
    [Test]
    public void OneWorkerPerDeviceByDefault()
    {
        var workers = DeviceList.Parse("cuda:0,cuda:1", threads: null);
        Assert.That(workers.Select(w => w.Name), Is.EqualTo(new[] { "cuda:0", "cuda:1" }));
        Assert.That(workers.Select(w => (w.Runtime.DeviceId, w.Runtime.DeviceIds)), Is.EqualTo(new[] { (0, (string?)null), (1, null) }));
    }

    [Test]
    public void PairsOfDevicesMakeOneWorkerEach()
    {
        var workers = DeviceList.Parse("cuda:0,cuda:1,cuda:2,cuda:3", threads: null, devicesPerWorker: 2, parallelism: "cfg");
        Assert.That(workers.Select(w => w.Name), Is.EqualTo(new[] { "cuda:0+1", "cuda:2+3" }));
        Assert.That(workers.Select(w => w.Runtime.DeviceIds), Is.EqualTo(new[] { "0,1", "2,3" }));
        Assert.That(workers.Select(w => w.Runtime.DeviceIdList()[0]), Is.EqualTo(new[] { 0, 2 }));
        Assert.That(workers.All(w => w.Runtime.Parallelism == "cfg" && w.Runtime.Device == ExecutionProvider.Cuda), Is.True);
        var cpu = DeviceList.Parse("cpu,cpu", threads: 1, devicesPerWorker: 2).Single();
        Assert.That((cpu.Name, cpu.Runtime.DeviceIds, cpu.Runtime.IntraOpThreads), Is.EqualTo(("cpu+1", "0,1", (int?)1)));
    }

    [TestCase("cuda:0,cuda:1,cuda:2", 2, "auto", "DevicesPerWorker", "3 devices in --devices do not make workers of 2")]
    [TestCase("cuda:0,tensorrt:1", 2, "auto", "DevicesPerWorker", "share a worker but not a provider")]
    [TestCase("cuda:0,cuda:1", 3, "auto", "DevicesPerWorker", "must be 1 or 2")]
    [TestCase("cuda:0", 1, "ring", "Parallelism", "'ring' is not one of auto, none, cfg, experts")]
    public void BadGroupingNamesTheSetting(string devices, int perWorker, string parallelism, string field, string message)
    {
        var e = Assert.Throws<InvalidRequestException>(() => DeviceList.Parse(devices, null, perWorker, parallelism))!;
        Assert.That(e.Field, Is.EqualTo(field));
        Assert.That(e.Message, Is.EqualTo($"{field}: {message}").Or.StartsWith($"{field}: ").And.Contains(message));
    }
}
