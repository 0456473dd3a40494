namespace FastVideo.Onnx.Server.Jobs;

/// <summary>Where a job's files live under the data folder, and their removal.</summary>
public static class JobFiles
{
    public const string VideosFolder = "videos";
    public const string UploadsFolder = "uploads";

    /// <summary>The full path of a stored relative path; null when it would leave the data folder.</summary>
    public static string? Resolve(string dataFolder, string? relative)
    {
        if (relative is null) return null;
        string root = Path.GetFullPath(dataFolder) + Path.DirectorySeparatorChar;
        string full = Path.GetFullPath(Path.Combine(root, relative));
        return full.StartsWith(root, StringComparison.Ordinal) ? full : null;
    }

    public static void Delete(string dataFolder, params string?[] relatives)
    {
        foreach (var relative in relatives)
        {
            if (Resolve(dataFolder, relative) is not string path) continue;
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Still open for a download on another platform; the expiry sweep does not retry, but the row is gone.
            }
        }
    }

    public static void DeleteAll(string dataFolder, VideoJob job) => Delete(dataFolder, job.Output, job.Thumbnail, job.Spec.Image);
}
