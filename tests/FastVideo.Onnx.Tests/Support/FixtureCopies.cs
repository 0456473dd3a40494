namespace FastVideo.Onnx.Tests.Support;

/// <summary>One line of tests/fixtures/shared/copies.txt: <see cref="Copy"/> is laid out as a copy of the tracked <see cref="Source"/>.</summary>
internal sealed record FixtureCopy(string Copy, string Source);

/// <summary>
/// tests/fixtures/shared/copies.txt, the fixture files stored once: build/FixtureCopies.targets (and
/// build/fixture-copies.sh) lay each copy out; the tests here read the same list to check the layout and the repository.
/// </summary>
internal static class FixtureCopies
{
    public static string Manifest => Path.Combine(Repo.Root, "tests", "fixtures", "shared", "copies.txt");

    public static IReadOnlyList<FixtureCopy> Load() => Parse(File.ReadAllLines(Manifest), Manifest);

    /// <summary>"COPY &lt;- SOURCE" per line; blank lines and lines starting with '#' are skipped.</summary>
    public static IReadOnlyList<FixtureCopy> Parse(IEnumerable<string> lines, string file)
    {
        var copies = new List<FixtureCopy>();
        int number = 0;
        foreach (string raw in lines)
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || parts[1] != "<-")
                throw new FormatException($"{file}:{number}: '{line}' is not 'COPY <- SOURCE'");
            copies.Add(new FixtureCopy(parts[0], parts[2]));
        }
        return copies;
    }
}
