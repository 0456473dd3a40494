using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace FastVideo.Onnx.Server.Cluster;

/// <summary>
/// Grain state as files in a folder (one per grain and state, written under a temporary name then renamed), for a
/// cluster of one machine or silos that share a folder; PostgreSQL is the provider for anything larger. The ETag is
/// a version counter kept in the file, so a stale activation's write is refused.
/// </summary>
internal sealed class FolderGrainStorage(string folder, Serializer serializer) : IGrainStorage
{
    readonly Lock _lock = new();

    string PathOf(string stateName, GrainId grainId)
    {
        string name = Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes($"{stateName}|{grainId}"));
        if (name.Length > 200) name = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)));
        return Path.Combine(folder, name + ".state");
    }

    (long Version, byte[] Body)? Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        return (BitConverter.ToInt64(bytes, 0), bytes[8..]);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_lock)
        {
            if (Read(PathOf(stateName, grainId)) is not { } stored)
            {
                grainState.State = Activator.CreateInstance<T>();
                grainState.ETag = null;
                grainState.RecordExists = false;
                return Task.CompletedTask;
            }
            grainState.State = serializer.Deserialize<T>(stored.Body);
            grainState.ETag = stored.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_lock)
        {
            string path = PathOf(stateName, grainId);
            long current = Read(path)?.Version ?? 0;
            string? expected = current == 0 ? null : current.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (expected != grainState.ETag && !(expected is null && grainState.ETag is null))
                throw new InconsistentStateException($"grain state {stateName} of {grainId} was written elsewhere", expected ?? "", grainState.ETag ?? "");
            Directory.CreateDirectory(folder);
            var body = serializer.SerializeToArray(grainState.State);
            string temp = path + $".{Environment.ProcessId}.tmp";
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                file.Write(BitConverter.GetBytes(current + 1));
                file.Write(body);
                file.Flush(true);
            }
            File.Move(temp, path, overwrite: true);
            grainState.ETag = (current + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        lock (_lock)
        {
            File.Delete(PathOf(stateName, grainId));
            grainState.ETag = null;
            grainState.RecordExists = false;
            grainState.State = Activator.CreateInstance<T>();
            return Task.CompletedTask;
        }
    }
}
