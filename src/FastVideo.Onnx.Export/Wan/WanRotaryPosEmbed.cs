using FastVideo.Onnx.Export.Modeling;
using FastVideo.Onnx.Core.Tensors;

namespace FastVideo.Onnx.Export.Wan;

/// <summary>
/// Wan's 3-D rotary embedding: the head dimension is split into time, height and width parts
/// (d - 4(d/6), 2(d/6), 2(d/6)); each part rotates by its own position. Per-axis angle tables are computed once in
/// float64 and rounded to float32 as Diffusers does; the forward gathers the rows for the actual grid
/// (F', H', W') and returns cos and sin tables of shape [F'·H'·W', d/2] for interleaved rotation.
/// </summary>
internal sealed class WanRotaryPosEmbed : Module
{
    readonly int[] _splits;
    readonly float[][] _cos;
    readonly float[][] _sin;
    readonly int _maxSeqLen;

    public WanRotaryPosEmbed(int headDim, int maxSeqLen, double theta = 10000.0)
    {
        int hw = 2 * (headDim / 6);
        int t = headDim - 2 * hw;
        _splits = new[] { t, hw, hw };
        _maxSeqLen = maxSeqLen;
        _cos = new float[3][];
        _sin = new float[3][];
        for (int axis = 0; axis < 3; axis++)
        {
            int dim = _splits[axis], half = dim / 2;
            _cos[axis] = new float[maxSeqLen * half];
            _sin[axis] = new float[maxSeqLen * half];
            for (int pos = 0; pos < maxSeqLen; pos++)
            for (int i = 0; i < half; i++)
            {
                double freq = 1.0 / Math.Pow(theta, 2.0 * i / dim);
                double angle = pos * freq;
                _cos[axis][pos * half + i] = (float)Math.Cos(angle);
                _sin[axis][pos * half + i] = (float)Math.Sin(angle);
            }
        }
    }

    /// <summary>cos and sin tables [S, headDim/2] for a grid of <paramref name="frames"/> x <paramref name="height"/> x <paramref name="width"/> (int64 [1] each).</summary>
    /// <param name="firstFrame">The time position of the grid's first frame (int64 [1]): a sequence-parallel rank's frames
    /// start where the previous ranks' end. Default: 0.</param>
    public (T Cos, T Sin) Forward<T>(ITensorOps<T> ops, T frames, T height, T width, T? firstFrame = default)
    {
        using var _ = Enter(ops);
        return (Table(ops, _cos, frames, height, width, firstFrame), Table(ops, _sin, frames, height, width, firstFrame));
    }

    T Table<T>(ITensorOps<T> ops, float[][] tables, T frames, T height, T width, T? firstFrame)
    {
        var sizes = new[] { frames, height, width };
        var zero = ops.Int64s(0);
        var one = ops.Int64s(1);
        var parts = new T[3];
        for (int axis = 0; axis < 3; axis++)
        {
            int half = _splits[axis] / 2;
            var table = ops.Constant(tables[axis], new long[] { _maxSeqLen, half }, DType.Float32);
            var rows = axis == 0 && firstFrame is not null
                ? ops.Slice(table, 0, firstFrame, ops.Add(firstFrame, frames))                 // this rank's frames
                : ops.Slice(table, 0, zero, sizes[axis]);                                      // [n_axis, half]
            var view = new T[4];
            for (int i = 0; i < 3; i++) view[i] = i == axis ? sizes[axis] : one;
            view[3] = ops.Int64s(half);
            var placed = ops.Reshape(rows, ops.Concat(0, view));                              // [F',1,1,half] etc.
            var grid = ops.Concat(0, frames, height, width, view[3]);
            parts[axis] = ops.Expand(placed, grid);                                            // [F',H',W',half]
        }
        var all = ops.Concat(-1, parts);                                                       // [F',H',W',d/2]
        return ops.Reshape(all, -1, _splits.Sum() / 2);
    }
}
