namespace FastVideo.Onnx.Runtime.Noise;

/// <summary>
/// A stand-in for <c>torch.Generator("cpu")</c>: the same seeding, the same 32-bit stream, and
/// <see cref="Randn"/> draws what <c>torch.randn(shape, generator=g, dtype=torch.float32)</c> returns, so a seed
/// gives the initial latents a Diffusers run on CPU would start from. Consecutive draws continue the stream.
/// Not thread-safe (torch locks its generators; give each request its own).
/// </summary>
public sealed class TorchGenerator
{
    /// <summary>The seed of a fresh <c>torch.Generator()</c> (c10's <c>default_rng_seed_val</c>).</summary>
    public const ulong DefaultSeed = 67280421310721;

    // torch's float normal kernel transforms blocks of 16 uniforms: 8 radii and 8 angles.
    const int Block = 16;
    const int HalfBlock = Block / 2;

    Mt19937 _engine;
    double? _nextDoubleNormal;

    public TorchGenerator(ulong seed = DefaultSeed)
    {
        InitialSeed = seed;
        _engine = new Mt19937(seed);
    }

    public ulong InitialSeed { get; private set; }

    /// <summary>Restarts the stream as <c>Generator.manual_seed(seed)</c> does (also dropping a cached normal).</summary>
    public TorchGenerator ManualSeed(ulong seed)
    {
        InitialSeed = seed;
        _engine = new Mt19937(seed);
        _nextDoubleNormal = null;
        return this;
    }

    public uint NextUInt32() => _engine.NextUInt32();

    /// <summary>Two draws, the first in the high half (torch's <c>random64</c>).</summary>
    public ulong NextUInt64()
    {
        ulong high = _engine.NextUInt32();
        ulong low = _engine.NextUInt32();
        return (high << 32) | low;
    }

    /// <summary>A float in [0, 1) from the low 24 bits of one draw (torch's <c>uniform_real_distribution&lt;float&gt;</c>).</summary>
    public float NextUniformSingle() => (NextUInt32() & 0xFFFFFF) * (1f / (1 << 24));

    /// <summary>A double in [0, 1) from the low 53 bits of a 64-bit draw.</summary>
    public double NextUniformDouble() => (NextUInt64() & ((1UL << 53) - 1)) * (1.0 / (1UL << 53));

    /// <summary><c>torch.randn(shape, generator=this, dtype=torch.float32)</c>, contiguous (row-major).</summary>
    public float[] Randn(params long[] shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), $"negative dimension {d} in [{string.Join(", ", shape)}]");
            count = checked(count * d);
        }
        if (count > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(shape), $"[{string.Join(", ", shape)}] is too large for one array");
        var result = new float[count];
        Fill(result, result);
        return result;
    }

    /// <summary>Fills <paramref name="destination"/> as <c>torch.randn</c> fills a contiguous float32 tensor of that many elements.</summary>
    public void Randn(Span<float> destination) => Fill(destination, null);

    // Blocks per parallel chunk: below this a tensor is transformed on the calling thread.
    const int ParallelChunkBlocks = 4096;

    /// <param name="array">The array behind <paramref name="destination"/> when there is one: its blocks are then
    /// transformed in parallel (the uniforms come from the one sequential stream first; each block's transform depends
    /// only on its own 16 values, so the result is the same bit for bit).</param>
    void Fill(Span<float> destination, float[]? array)
    {
        int size = destination.Length;
        if (size < Block)
        {
            // Small tensors take torch's scalar path: double Box-Muller, one value per element, the sine cached.
            for (int i = 0; i < size; i++) destination[i] = (float)NextNormalDouble();
            return;
        }
        for (int i = 0; i < size; i++) destination[i] = NextUniformSingle();
        int blocks = size / Block;
        if (array is not null && blocks >= 2 * ParallelChunkBlocks)
        {
            int chunks = (blocks + ParallelChunkBlocks - 1) / ParallelChunkBlocks;
            Parallel.For(0, chunks, c =>
            {
                int end = Math.Min(blocks, (c + 1) * ParallelChunkBlocks);
                for (int b = c * ParallelChunkBlocks; b < end; b++) BoxMuller16(array.AsSpan(b * Block, Block));
            });
        }
        else
            for (int i = 0; i + Block <= size; i += Block) BoxMuller16(destination.Slice(i, Block));
        if (size % Block != 0)
        {
            // torch redraws the last 16 values rather than transforming a partial block.
            var tail = destination[^Block..];
            for (int i = 0; i < Block; i++) tail[i] = NextUniformSingle();
            BoxMuller16(tail);
        }
    }

    /// <summary>
    /// Box-Muller on 16 uniforms in place: element j and j + 8 get r·cos θ and r·sin θ with r = √(−2 ln(1 − u_j)) and
    /// θ = 2π·u_{j+8}, in float32 with the approximations of torch's AVX2 kernel, which produced the reference noise
    /// bit for bit. torch picks the kernel by CPU capability; its generic kernel (libm, θ rounded from double) gives
    /// values up to ~1.5e-6 away from these, so torch itself is only reproducible to that level across CPUs.
    /// </summary>
    static void BoxMuller16(Span<float> data)
    {
        const float TwoPi = (float)(2 * Math.PI);
        for (int j = 0; j < HalfBlock; j++)
        {
            float radius = MathF.Sqrt(-2f * TorchAvx2Math.Log(1f - data[j]));
            var (sin, cos) = TorchAvx2Math.SinCos(TwoPi * data[j + HalfBlock]);
            data[j] = radius * cos;
            data[j + HalfBlock] = radius * sin;
        }
    }

    /// <summary>torch's <c>normal_distribution&lt;double&gt;</c>: Box-Muller that caches the second value.</summary>
    double NextNormalDouble()
    {
        if (_nextDoubleNormal is { } cached)
        {
            _nextDoubleNormal = null;
            return cached;
        }
        double u1 = NextUniformDouble();
        double u2 = NextUniformDouble();
        double radius = Math.Sqrt(-2.0 * Log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        _nextDoubleNormal = radius * Math.Sin(theta);
        return radius * Math.Cos(theta);
    }

    /// <summary>log(1 + x) accurate near 0 (.NET's <c>double.LogP1</c> is log(1 + x) as written).</summary>
    static double Log1p(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }
}
