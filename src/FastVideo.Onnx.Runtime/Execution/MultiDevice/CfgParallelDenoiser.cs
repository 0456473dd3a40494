using System.Runtime.ExceptionServices;
using FastVideo.Onnx.Runtime.Components;

namespace FastVideo.Onnx.Runtime.Execution.MultiDevice;

/// <summary>
/// Classifier-free guidance over two devices: a batch-2 call (item 0 conditional, item 1 unconditional, as the
/// denoising stages lay them out) runs item 0 on the main device's denoiser and item 1 on the second device's, at the
/// same time, each writing its half of the output; the guidance combination then runs on the main device as before.
/// A batch-1 call (a request without guidance) runs on the main device alone.
/// <para>
/// Timesteps are split like the batch: B values, or B·S per token (Wan2.2 TI2V, batch-major), half to each.
/// </para>
/// </summary>
internal sealed class CfgParallelDenoiser : IDenoiser
{
    readonly IDenoiser _main;
    readonly IDenoiser _second;

    /// <param name="main">The denoiser on the main device (owned).</param>
    /// <param name="second">The denoiser for the second half, called with main-device tensors (a <see cref="RemoteDenoiser"/>; owned).</param>
    public CfgParallelDenoiser(IDenoiser main, IDenoiser second)
    {
        ArgumentNullException.ThrowIfNull(main);
        ArgumentNullException.ThrowIfNull(second);
        if (main.InChannels != second.InChannels || main.OutChannels != second.OutChannels || main.UsesVsa != second.UsesVsa)
            throw new ArgumentException("the two devices' denoisers differ (channels or attention)");
        _main = main;
        _second = second;
    }

    public int InChannels => _main.InChannels;
    public int OutChannels => _main.OutChannels;
    public bool UsesVsa => _main.UsesVsa;

    /// <summary>Calls that were split over both devices (batch 2).</summary>
    internal int SplitCalls { get; private set; }

    public void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, DeviceTensor? image, DeviceTensor output, double vsaSparsity = 0)
    {
        if (hidden.Shape[0] != 2)
        {
            _main.Run(hidden, timesteps, text, image, output, vsaSparsity);
            return;
        }
        if (timesteps.Length % 2 != 0) throw new ArgumentException($"a batch-2 call takes an even number of timesteps, not {timesteps.Length}", nameof(timesteps));
        int half = timesteps.Length / 2;
        var views = new List<DeviceTensor>();
        DeviceTensor Item(DeviceTensor t, int i)
        {
            var v = t.Batch(i);
            views.Add(v);
            return v;
        }
        try
        {
            var (h0, h1) = (Item(hidden, 0), Item(hidden, 1));
            var (t0, t1) = (Item(text, 0), Item(text, 1));
            var (i0, i1) = image is null ? (null, null) : (Item(image, 0), Item(image, 1));
            var (o0, o1) = (Item(output, 0), Item(output, 1));
            float[] first = timesteps[..half], second = timesteps[half..];
            // The second half on a thread of its own (a step blocks for its whole forward), the first on this one.
            var other = Task.Factory.StartNew(() => _second.Run(h1, second, t1, i1, o1, vsaSparsity), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Exception? mainError = null;
            try
            {
                _main.Run(h0, first, t0, i0, o0, vsaSparsity);
            }
            catch (Exception e)
            {
                mainError = e;
            }
            // The views stay alive until both halves have finished with them, whichever failed.
            try
            {
                other.Wait();
            }
            catch (AggregateException e) when (mainError is null && e.InnerExceptions.Count == 1)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            catch (AggregateException) when (mainError is not null)
            {
            }
            if (mainError is not null) ExceptionDispatchInfo.Capture(mainError).Throw();
            SplitCalls++;
        }
        finally
        {
            foreach (var v in views) v.Dispose();
        }
    }

    public void Dispose()
    {
        _second.Dispose();
        _main.Dispose();
    }
}
