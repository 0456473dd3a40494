namespace FastVideo.Onnx.Export.Torch.Verification;

/// <summary>Reproducible random inputs: standard normal floats (Box-Muller) and uniform integers from one seeded generator.</summary>
internal sealed class SeededInputs
{
    readonly Random _random;

    public SeededInputs(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
    }

    public int Seed { get; }

    public GraphInput Normal(string name, params long[] shape)
    {
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++)
        {
            double u = 1.0 - _random.NextDouble(), v = _random.NextDouble();
            values[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v));
        }
        return new GraphInput(name, shape, Floats: values);
    }

    public GraphInput Integers(string name, long maxExclusive, params long[] shape)
    {
        var values = new long[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = _random.NextInt64(maxExclusive);
        return new GraphInput(name, shape, Int64s: values);
    }
}
