using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using FastVideo.Onnx.Core.Contracts;
using FastVideo.Onnx.Core.Contracts.Wan;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Execution;
using Microsoft.ML.OnnxRuntime;

namespace FastVideo.Onnx.Runtime.Components.Wan;

/// <summary>
/// The Wan transformer as N sequence-parallel ranks (Ulysses; <see cref="RuntimeOptions.Parallelism"/> "sequence"): the
/// converted per-rank graph <c>model.sp&lt;N&gt;.onnx</c> opened N times, one session per rank with the collective
/// library registered. A call splits the latents by latent frames (rank r takes the r-th 1/N), runs the ranks at once --
/// one thread each; their self-attention meets in the library's all-to-all -- and writes each rank's frames of the
/// prediction into the output. The result is the single graph's (the graphs are exact rewrites of each other).
/// <para>
/// CPU provider only: the ranks are sessions of this process in host memory. The GPU form (one device per rank, the
/// NCCL all-to-all of native/fastvideo_kernels) is not wired here yet; see docs/SEQUENCE_PARALLEL.md.
/// </para>
/// </summary>
internal sealed partial class WanSequenceParallelDenoiser : IDenoiser
{
    readonly ExecutionDevice _device;
    readonly WanTransformerContract _contract;
    readonly List<GraphSession> _ranks = new();
    readonly OrtValue[] _rankIndex;
    readonly long[] _groupId = new long[1];
    readonly OrtValue _group;
    readonly AbortGroup? _abort;
    static long s_nextGroup = Random.Shared.NextInt64(1L << 32, 1L << 48);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate void AbortGroup(long group, [MarshalAs(UnmanagedType.LPUTF8Str)] string reason);

    public int InChannels => _contract.InChannels;
    public int OutChannels => _contract.OutChannels;
    public bool UsesVsa { get; }

    /// <summary>The ranks (N of the per-rank graph).</summary>
    public int WorldSize => _ranks.Count;

    /// <summary>The per-rank graph in use.</summary>
    public string GraphFile { get; }

    WanSequenceParallelDenoiser(ExecutionDevice device, ComponentFolder folder, string graphFile, int worldSize, string library)
    {
        _device = device;
        GraphFile = graphFile;
        var entry = folder.GraphEntry(graphFile);
        _contract = WanTransformerContract.FromConfig(folder.Config(), WanTransformerContract.TimestepLayoutOf(entry));
        UsesVsa = WanTransformerContract.UsesVsa(entry);
        _rankIndex = new OrtValue[worldSize];
        _group = OrtValue.CreateTensorValueFromMemory(_groupId, new long[] { 1 });
        try
        {
            if (NativeLibrary.TryLoad(library, out var handle) && NativeLibrary.TryGetExport(handle, "FastVideoCollectivesAbort", out var abort))
                _abort = Marshal.GetDelegateForFunctionPointer<AbortGroup>(abort);
            var required = _contract.SequenceParallel(worldSize, UsesVsa).Inputs.Select(i => i.Name).ToArray();
            for (int r = 0; r < worldSize; r++)
            {
                _rankIndex[r] = OrtValue.CreateTensorValueFromMemory(new long[] { r }, new long[] { 1 });
                var session = folder.Open(device, graphFile, new SessionSpec { CustomOpLibrary = library });
                _ranks.Add(session);
                session.RequireInputs(required);
            }
            NewGroup();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"^model\.sp(\d+)\.onnx$")]
    private static partial Regex PerRankGraph();

    /// <summary>
    /// Opens the component's per-rank graph on <paramref name="request"/>'s device. Errors name
    /// <c>Runtime:Parallelism</c>: a GPU device, a folder converted without <c>--sequence-parallel</c>, a missing
    /// collective library.
    /// </summary>
    public static WanSequenceParallelDenoiser Open(ComponentRequest request)
    {
        const string field = RuntimeOptions.ParallelismField;
        var device = request.Device;
        if (device.IsGpu)
            throw new InvalidRequestException(field,
                $"sequence runs on the CPU provider only for now: on {device.Provider.Name()} the ranks would need a device each and the NCCL all-to-all (native/fastvideo_kernels, FASTVIDEO_NCCL), which is not built or run yet");
        var folder = ComponentFolder.Open(request.ModelFolder, request.Component);
        var graphs = folder.Manifest.Graphs.Select(g => (g.File, Match: PerRankGraph().Match(g.File))).Where(g => g.Match.Success).ToList();
        if (graphs.Count == 0)
            throw new InvalidRequestException(field,
                $"sequence needs the per-rank graph of {folder.Path} (model.sp<N>.onnx), which it does not have: convert the model with --sequence-parallel N");
        if (graphs.Count > 1)
            throw new InvalidRequestException(field, $"sequence: {folder.Path} has several per-rank graphs ({string.Join(", ", graphs.Select(g => g.File))}); keep one");
        int worldSize = int.Parse(graphs[0].Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        string library = CollectiveLibraryLocator.Find(field);
        return new WanSequenceParallelDenoiser(device, folder, graphs[0].File, worldSize, library);
    }

    /// <summary>A communicator no other call of this process uses (an aborted one cannot be used again).</summary>
    void NewGroup() => _groupId[0] = Interlocked.Increment(ref s_nextGroup);

    /// <summary>Each rank takes an equal share of the latent frames, in whole patches.</summary>
    public int LatentFrameMultiple => WorldSize * _contract.PatchSize[0];

    /// <inheritdoc/>
    /// <remarks>A per-token graph takes B·S timesteps, batch-major; each rank gets its tokens' ones.</remarks>
    public void Run(DeviceTensor hidden, float[] timesteps, DeviceTensor text, DeviceTensor? image, DeviceTensor output, double vsaSparsity = 0)
    {
        if (_ranks.Count == 0) throw new ObjectDisposedException(nameof(WanSequenceParallelDenoiser));
        int n = WorldSize;
        long batch = hidden.Shape[0], frames = hidden.Shape[2], height = hidden.Shape[3], width = hidden.Shape[4];
        int patchFrames = _contract.PatchSize[0];
        if (frames % ((long)n * patchFrames) != 0)
            throw new InvalidRequestException("NumFrames",
                $"{frames} latent frames cannot be split over the {n} sequence-parallel ranks (Runtime:Parallelism sequence): the latent frames{(patchFrames > 1 ? $" / {patchFrames} (the patch size in time)" : "")} must be a multiple of {n}");
        long tokens = _contract.Tokens(frames, height, width);
        long expected = _contract.PerTokenTimesteps ? batch * tokens : batch;
        if (timesteps.Length != expected)
            throw new ArgumentException($"the transformer takes {expected} timesteps for this call, not {timesteps.Length}", nameof(timesteps));
        long local = frames / n, localTokens = tokens / n;
        // Every tensor rented for this call goes back to the pool however the call ends.
        using var buffers = new DeviceBuffers(_device);
        var x = new DeviceTensor[n];
        var y = new DeviceTensor[n];
        var t = new DeviceTensor[n];
        DeviceTensor? sparsity = null;
        if (UsesVsa)
        {
            sparsity = buffers.Rent(1);
            sparsity.HostSpan[0] = (float)vsaSparsity;
        }
        for (int r = 0; r < n; r++)
        {
            x[r] = buffers.Rent(batch, InChannels, local, height, width);
            CopyFrames(hidden, x[r], r * local, toParts: true);
            y[r] = buffers.Rent(batch, OutChannels, local, height, width);
            if (_contract.PerTokenTimesteps)
            {
                t[r] = buffers.Rent(batch, localTokens);
                for (long b = 0; b < batch; b++)
                    timesteps.AsSpan((int)(b * tokens + r * localTokens), (int)localTokens).CopyTo(t[r].HostSpan.Slice((int)(b * localTokens), (int)localTokens));
            }
            else
            {
                t[r] = buffers.Rent(batch);
                timesteps.CopyTo(t[r].HostSpan);
            }
        }
        RunRanks(r =>
        {
            var inputs = new List<(string, OrtValue)>
            {
                (WanTransformerContract.HiddenStates, x[r].Value), (WanTransformerContract.Timestep, t[r].Value),
                (WanTransformerContract.EncoderHiddenStates, text.Value),
                (WanTransformerContract.SequenceRank, _rankIndex[r]), (WanTransformerContract.SequenceGroup, _group),
            };
            if (image is not null) inputs.Add((WanTransformerContract.EncoderHiddenStatesImage, image.Value));
            if (sparsity is not null) inputs.Add((WanTransformerContract.VsaSparsity, sparsity.Value));
            _ranks[r].Run(inputs, new[] { (WanTransformerContract.Sample, y[r].Value) });
        });
        for (int r = 0; r < n; r++) CopyFrames(output, y[r], r * local, toParts: false);
    }

    /// <summary>Runs every rank at once (rank 0 on this thread); when one fails, the group is aborted so the others stop waiting for it.</summary>
    void RunRanks(Action<int> rank)
    {
        var others = Enumerable.Range(1, WorldSize - 1).Select(r => Task.Factory.StartNew(() => Guarded(rank, r), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        var errors = new List<Exception>();
        try
        {
            Guarded(rank, 0);
        }
        catch (Exception e)
        {
            errors.Add(e);
        }
        foreach (var task in others)
        {
            try
            {
                task.Wait();
            }
            catch (AggregateException e)
            {
                errors.AddRange(e.InnerExceptions);
            }
        }
        if (errors.Count == 0) return;
        NewGroup();
        // the first failure is the cause; the others are usually "the group was aborted"
        ExceptionDispatchInfo.Capture(errors[0]).Throw();
    }

    void Guarded(Action<int> rank, int r)
    {
        try
        {
            rank(r);
        }
        catch (Exception e)
        {
            _abort?.Invoke(_groupId[0], $"rank {r} failed: {FastVideoException.FirstLine(e.Message)}");
            throw;
        }
    }

    /// <summary>Copies frames [start, start + f) of <paramref name="whole"/> [B, C, F, H, W] to or from <paramref name="part"/> [B, C, f, H, W].</summary>
    static void CopyFrames(DeviceTensor whole, DeviceTensor part, long start, bool toParts)
    {
        long bc = whole.Shape[0] * whole.Shape[1], frames = whole.Shape[2], plane = whole.Shape[3] * whole.Shape[4], local = part.Shape[2];
        var w = whole.HostSpan;
        var p = part.HostSpan;
        for (long i = 0; i < bc; i++)
        {
            var wholeRows = w.Slice((int)((i * frames + start) * plane), (int)(local * plane));
            var partRows = p.Slice((int)(i * local * plane), (int)(local * plane));
            if (toParts) wholeRows.CopyTo(partRows);
            else partRows.CopyTo(wholeRows);
        }
    }

    public void Dispose()
    {
        foreach (var s in _ranks) s.Dispose();
        _ranks.Clear();
        foreach (var v in _rankIndex) v?.Dispose();
        _group.Dispose();
    }
}
