using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>The fuzzing suite's generator: a case is a function of (seed, index), every mutator changes its file, and the mix reaches every target and mutator.</summary>
[TestFixture, Category("Fuzz")]
public class MutationGeneratorTests
{
    const int Seed = MutationFuzzTests.DefaultSeed;

    [Test]
    public void TheSameSeedAndIndexGiveTheSameCase()
    {
        // Generated in a different order the second time: a case must not depend on the ones before it.
        var first = Enumerable.Range(0, 200).Select(i => MutationGenerator.Generate(Seed, i)).ToList();
        var again = Enumerable.Range(0, 200).Reverse().Select(i => MutationGenerator.Generate(Seed, i)).Reverse().ToList();
        for (int i = 0; i < first.Count; i++)
        {
            Assert.That(again[i].Target, Is.EqualTo(first[i].Target), $"case {i}");
            Assert.That(again[i].MutatorName, Is.EqualTo(first[i].MutatorName), $"case {i}");
            Assert.That(again[i].Mutation.Description, Is.EqualTo(first[i].Mutation.Description), $"case {i}");
            Assert.That(again[i].Mutation.Content.AsSpan().SequenceEqual(first[i].Mutation.Content), Is.True, $"case {i}: the same bytes");
        }
        var other = Enumerable.Range(0, 200).Select(i => MutationGenerator.Generate(Seed + 1, i)).ToList();
        Assert.That(other.Count(o => first[o.Index].Mutation.Description == o.Mutation.Description), Is.LessThan(100),
            "another seed gives other cases");
    }

    [Test]
    public void EveryMutatorChangesEveryFileItApplies()
    {
        foreach (var target in FuzzTarget.All)
        {
            var original = FuzzInputs.Original(target);
            foreach (var mutator in MutationGenerator.For(target))
                for (int trial = 0; trial < 4; trial++)
                {
                    var mutation = mutator.Apply(original, new Random(trial));
                    string what = $"{mutator.Name} on {target.Name}, trial {trial}: {mutation.Description}";
                    Assert.That(mutation.Content.AsSpan().SequenceEqual(original), Is.False, what);
                    Assert.That(mutation.Description, Is.Not.Empty.And.Not.Contain('\n'), what);
                }
            Assert.That(FuzzInputs.Original(target).AsSpan().SequenceEqual(File.ReadAllBytes(FuzzInputs.SourcePath(target.Input, target.File))), Is.True,
                $"the mutators left the original of {target.Name} intact");
        }
    }

    [Test]
    public void TheDefaultRunReachesEveryTargetAndMutator()
    {
        var cases = Enumerable.Range(0, MutationFuzzTests.DefaultCases).Select(i => MutationGenerator.Generate(Seed, i)).ToList();
        Assert.That(FuzzTarget.All.Where(t => cases.All(c => c.Target != t)).Select(t => t.Name), Is.Empty, "targets never picked");
        var used = cases.Select(c => c.MutatorName).ToHashSet();
        Assert.That(MutationGenerator.Mutators.Select(m => m.Name).Where(n => !used.Contains(n)), Is.Empty, "mutators never picked");
    }
}
