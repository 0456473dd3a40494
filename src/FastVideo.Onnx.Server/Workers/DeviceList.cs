using System.Globalization;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Execution;

namespace FastVideo.Onnx.Server.Workers;

/// <summary>Parses <c>--devices</c>: <c>cpu</c>, <c>cuda:0,cuda:1</c>, <c>tensorrt:0</c> (a device without an id is device 0).</summary>
public static class DeviceList
{
    public static IReadOnlyList<(string Name, RuntimeOptions Runtime)> Parse(string text, int? threads)
    {
        var devices = new List<(string, RuntimeOptions)>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] pieces = part.Split(':');
            var provider = ExecutionProviderNames.Parse(pieces[0], "--devices");
            int id = 0;
            if (pieces.Length > 2 || (pieces.Length == 2 && (!int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out id) || id > 63)))
                throw new InvalidRequestException("--devices", $"'{part}' is not DEVICE or DEVICE:ID (for example cuda:0)");
            string name = provider == ExecutionProvider.Cpu ? (devices.Count == 0 ? "cpu" : $"cpu{devices.Count}") : $"{provider.Name()}:{id}";
            if (devices.Any(d => d.Item1 == name)) throw new InvalidRequestException("--devices", $"'{part}' is listed twice");
            devices.Add((name, new RuntimeOptions { Device = provider, DeviceId = id, IntraOpThreads = threads }));
        }
        if (devices.Count == 0) throw new InvalidRequestException("--devices", "no device given (for example cpu or cuda:0,cuda:1)");
        return devices;
    }
}
