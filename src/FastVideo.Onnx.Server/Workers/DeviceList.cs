using System.Globalization;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Server.Workers;

/// <summary>
/// Parses <c>--devices</c>: <c>cpu</c>, <c>cuda:0,cuda:1</c>, <c>tensorrt:0</c> (a device without an id is device 0),
/// into one worker per device, or per <c>DevicesPerWorker</c> consecutive devices of one provider (a worker whose
/// generators spread each request over its devices as <c>Parallelism</c> says: <c>cuda:0+1</c>).
/// </summary>
internal static class DeviceList
{
    public const string DevicesPerWorkerField = "DevicesPerWorker";
    public const string ParallelismField = "Parallelism";

    public static IReadOnlyList<(string Name, RuntimeOptions Runtime)> Parse(string text, int? threads, int devicesPerWorker = 1, string parallelism = "auto")
    {
        if (devicesPerWorker is < 1 or > 2)
            throw new InvalidRequestException(DevicesPerWorkerField, $"{devicesPerWorker} must be 1 or 2 (a generator spreads one request over at most two devices)");
        try
        {
            Runtime.Execution.MultiDevice.DeviceParallelismNames.Parse(parallelism);
        }
        catch (InvalidRequestException e)
        {
            throw new InvalidRequestException(ParallelismField, e.Message[(e.Field.Length + 2)..]);
        }
        var devices = new List<(string Name, ExecutionProvider Provider, int Id)>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] pieces = part.Split(':');
            var provider = ExecutionProviderNames.Parse(pieces[0], "--devices");
            int id = 0;
            if (pieces.Length > 2 || (pieces.Length == 2 && (!int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out id) || id > 63)))
                throw new InvalidRequestException("--devices", $"'{part}' is not DEVICE or DEVICE:ID (for example cuda:0)");
            // CPU entries are independent devices numbered by their position (each its own sessions and pool).
            if (provider == ExecutionProvider.Cpu) id = devices.Count(d => d.Provider == ExecutionProvider.Cpu);
            string name = provider == ExecutionProvider.Cpu ? (id == 0 ? "cpu" : $"cpu{id}") : $"{provider.Name()}:{id}";
            if (devices.Any(d => d.Name == name)) throw new InvalidRequestException("--devices", $"'{part}' is listed twice");
            devices.Add((name, provider, id));
        }
        if (devices.Count == 0) throw new InvalidRequestException("--devices", "no device given (for example cpu or cuda:0,cuda:1)");
        if (devices.Count % devicesPerWorker != 0)
            throw new InvalidRequestException(DevicesPerWorkerField, $"{devices.Count} devices in --devices do not make workers of {devicesPerWorker}");
        var workers = new List<(string, RuntimeOptions)>();
        for (int start = 0; start < devices.Count; start += devicesPerWorker)
        {
            var group = devices.GetRange(start, devicesPerWorker);
            if (group.Any(d => d.Provider != group[0].Provider))
                throw new InvalidRequestException(DevicesPerWorkerField, $"{string.Join(" and ", group.Select(d => d.Name))} share a worker but not a provider");
            var runtime = new RuntimeOptions { Device = group[0].Provider, DeviceId = group[0].Id, IntraOpThreads = threads };
            if (group.Count > 1)
                runtime = runtime with { DeviceIds = string.Join(",", group.Select(d => d.Id)), Parallelism = parallelism };
            try
            {
                runtime.Validate();
            }
            catch (InvalidRequestException e) when (e.Field == "Runtime:Parallelism")
            {
                // The server's own setting names it.
                throw new InvalidRequestException(ParallelismField, e.Message[(e.Field.Length + 2)..]);
            }
            string name = group.Count == 1 ? group[0].Name : group[0].Name + "+" + string.Join("+", group.Skip(1).Select(d => d.Id));
            workers.Add((name, runtime));
        }
        return workers;
    }
}
