using System.Text.Json;

namespace FastVideo.Onnx.Server.Tests.Support;

/// <summary>Reads a Server-Sent Events response to its end (bounded by the caller's token).</summary>
public static class Sse
{
    public sealed record Event(string Kind, JsonElement Data)
    {
        public override string ToString() => $"{Kind} {Data}";
    }

    public static async Task<List<Event>> ReadAllAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        var events = new List<Event>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel));
        string kind = "message", data = "";
        while (await reader.ReadLineAsync(cancel) is string line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) kind = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data += line[6..];
            else if (line.Length == 0 && data.Length > 0)
            {
                events.Add(new Event(kind, JsonDocument.Parse(data).RootElement.Clone()));
                kind = "message";
                data = "";
            }
        }
        return events;
    }
}
