namespace FastVideo.Onnx.Tests.Support;

/// <summary>
/// The size budget of the tracked files. Everything that travels to the GPU machine in one call is 64 MiB at most and the
/// repository travels beside a ~26 MB part of ONNX Runtime's CUDA provider, so the tracked files must stay well under 30 MB.
/// </summary>
internal static class RepositorySize
{
    public const long LimitBytes = 30_000_000;

    /// <summary>Null when <paramref name="files"/> total at most <paramref name="limit"/> bytes; otherwise what to shrink: the total and the largest files.</summary>
    public static string? Check(IEnumerable<(string Path, long Bytes)> files, long limit, int show = 15)
    {
        var all = files.ToList();
        long total = all.Sum(f => f.Bytes);
        if (total <= limit) return null;
        var largest = all.OrderByDescending(f => f.Bytes).Take(show).Select(f => $"  {f.Bytes,12:N0}  {f.Path}");
        return $"the tracked files total {total:N0} bytes, over the {limit:N0}-byte limit; the largest:\n{string.Join('\n', largest)}\n" +
               "store a repeated blob once (tests/fixtures/shared/copies.txt) or shrink a fixture without weakening its checks";
    }
}
