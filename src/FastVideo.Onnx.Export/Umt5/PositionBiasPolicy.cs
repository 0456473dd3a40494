namespace FastVideo.Onnx.Export.Umt5;

/// <summary>
/// Which layers of a T5-family encoder own a relative position bias table. UMT5 gives every layer its own; T5 (v1.0
/// and v1.1) keeps one in the first layer and every later layer reuses the bias that layer computed (mask included).
/// The encoder stack is otherwise the same, so this is the only thing that tells the two apart.
/// </summary>
internal sealed class PositionBiasPolicy
{
    readonly Func<int, bool> _ownsBias;

    PositionBiasPolicy(string name, Func<int, bool> ownsBias)
    {
        Name = name;
        _ownsBias = ownsBias;
    }

    /// <summary>UMT5: <c>encoder.block.N.layer.0.SelfAttention.relative_attention_bias</c> in every block.</summary>
    public static PositionBiasPolicy EveryLayer { get; } = new("every layer", _ => true);

    /// <summary>T5: the table in block 0 only (<c>has_relative_attention_bias=bool(i == 0)</c>), its bias shared by all blocks.</summary>
    public static PositionBiasPolicy FirstLayerShared { get; } = new("first layer, shared", layer => layer == 0);

    public string Name { get; }

    /// <summary>Whether block <paramref name="layer"/> has its own table (and computes the bias the blocks after it reuse).</summary>
    public bool OwnsBias(int layer) => _ownsBias(layer);

    public override string ToString() => Name;
}
