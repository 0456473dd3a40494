namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>
/// Turns (seed, index) into a case: a target picked by weight, then one of the mutators for its kind of file, both
/// from a random source that depends on (seed, index) alone, so any case can be regenerated without the others.
/// </summary>
public static class MutationGenerator
{
    public static IReadOnlyList<Mutator> Mutators { get; } =
        SafetensorsMutators.All.Concat(LatentsMutators.All).Concat(JsonMutators.All).Concat(IndexMutators.All).Concat(ByteMutators.All).ToList();

    public static IReadOnlyList<Mutator> For(FuzzTarget target) => Mutators.Where(m => target.Kinds.Contains(m.Kind)).ToList();

    public static FuzzCase Generate(int seed, int index)
    {
        var rng = FuzzRandom.ForCase(seed, index);
        var target = rng.PickWeighted(FuzzTarget.All, t => t.Weight);
        var mutators = For(target);
        var original = FuzzInputs.Original(target);
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var mutator = rng.PickWeighted(mutators, m => m.Weight);
            var mutation = mutator.Apply(original, rng);
            if (!mutation.Content.AsSpan().SequenceEqual(original)) return new FuzzCase(seed, index, target, mutator.Name, mutation);
        }
        throw new InvalidOperationException($"seed {seed} case {index}: no mutator changed {target.File}");
    }
}
