namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>Light damage to files read as opaque bytes (the tokenizer's SentencePiece model): flips, truncation, appended or zeroed bytes.</summary>
public static class ByteMutators
{
    public static IReadOnlyList<Mutator> All { get; } = new Mutator[]
    {
        new("bytes-flip", FileKind.Bytes, 4, Flip),
        new("bytes-truncate", FileKind.Bytes, 3, Truncate),
        new("bytes-append", FileKind.Bytes, 1, Append),
        new("bytes-zero", FileKind.Bytes, 2, Zero),
    };

    static Mutation Flip(byte[] file, Random rng)
    {
        var bytes = (byte[])file.Clone();
        int count = rng.Next(1, 9);
        for (int i = 0; i < count; i++) bytes[rng.Next(bytes.Length)] ^= (byte)rng.Next(1, 256);
        if (bytes.AsSpan().SequenceEqual(file)) bytes[0] ^= 1;
        return new($"{count} byte(s) flipped", bytes);
    }

    static Mutation Truncate(byte[] file, Random rng)
    {
        int length = rng.Next(2) == 0 ? rng.Next(Math.Min(64, file.Length)) : rng.Next(file.Length);
        return new($"truncated to {length} of {file.Length} bytes", file[..length]);
    }

    static Mutation Append(byte[] file, Random rng)
    {
        var extra = new byte[rng.Next(1, 257)];
        rng.NextBytes(extra);
        return new($"{extra.Length} random bytes appended", [.. file, .. extra]);
    }

    static Mutation Zero(byte[] file, Random rng)
    {
        var bytes = (byte[])file.Clone();
        int start = rng.Next(bytes.Length);
        int length = Math.Min(bytes.Length - start, rng.Next(1, 4097));
        if (bytes.AsSpan(start, length).IndexOfAnyExcept((byte)0) < 0) bytes[start] = 0xFF;
        else bytes.AsSpan(start, length).Clear();
        return new($"{length} bytes zeroed at {start}", bytes);
    }
}
