namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>Seeding and picking helpers shared by the mutators: every choice goes through the case's own <see cref="Random"/>.</summary>
public static class FuzzRandom
{
    /// <summary>A case's random source: a function of (seed, index) alone, identical across processes and platforms.</summary>
    public static Random ForCase(int seed, int index)
    {
        // SplitMix64 over both numbers: neighbouring indexes get unrelated streams (HashCode is randomised per process).
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return new Random((int)(z & 0x7FFFFFFF));
    }

    public static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    /// <summary>An item chosen with probability proportional to its weight.</summary>
    public static T PickWeighted<T>(this Random rng, IReadOnlyList<T> items, Func<T, int> weight)
    {
        int total = items.Sum(weight);
        int r = rng.Next(total);
        foreach (var item in items)
        {
            r -= weight(item);
            if (r < 0) return item;
        }
        throw new InvalidOperationException("weights changed while picking");
    }

    /// <summary>Invalid UTF-8 sequences: a lone continuation byte, an overlong NUL, bytes never valid, a UTF-16 surrogate, a truncated sequence.</summary>
    public static readonly byte[][] InvalidUtf8 =
    {
        new byte[] { 0x80 }, new byte[] { 0xC0, 0x80 }, new byte[] { 0xFF }, new byte[] { 0xFE, 0xFF },
        new byte[] { 0xED, 0xA0, 0x80 }, new byte[] { 0xE2, 0x82 }, new byte[] { 0xF8, 0x88, 0x80, 0x80, 0x80 },
    };

    /// <summary>Names that must never become paths or reach a message unquoted: separators, traversal, control characters, sizes.</summary>
    public static readonly string[] HostileNames =
    {
        "a/b", "..", "../vae", "../../escape", "/tmp/absolute", "vae/..", ".", "", " ", "a\\b", "C:\\x", "a\u0000b",
        "line\nbreak", "tab\tname", "vae/", "./vae", new string('n', 5000), "\u00fcnicode-\u6f22", "CON", "-rf", "*", "~",
    };

    public static byte[] Insert(byte[] bytes, int at, byte[] insert) => [.. bytes.AsSpan(0, at), .. insert, .. bytes.AsSpan(at)];
}
