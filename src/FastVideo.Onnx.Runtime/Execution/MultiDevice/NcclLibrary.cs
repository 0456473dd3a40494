using System.Runtime.InteropServices;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Execution.MultiDevice;

/// <summary>
/// A thin binding of NCCL (libnccl, found when it is first needed, not linked): version, communicators for several
/// GPUs of one process (ncclCommInitAll), point-to-point send and receive, all-gather and group calls. Every failing
/// call throws a one-line <see cref="FastVideoException"/> with NCCL's own error text. The library is looked for at the
/// path given, else <see cref="PathVariable"/>, else libnccl.so.2 and libnccl.so on the loader path.
/// </summary>
internal sealed class NcclLibrary
{
    /// <summary>The environment variable that names the NCCL library's file.</summary>
    public const string PathVariable = "FASTVIDEO_NCCL";

    static readonly string[] Names = { "libnccl.so.2", "libnccl.so" };

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int GetVersionFn(out int version);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int CommInitAllFn([Out] IntPtr[] comms, int count, [In] int[] devices);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int CommFn(IntPtr comm);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate IntPtr ErrorStringFn(int result);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int GroupFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int SendFn(IntPtr buffer, nuint count, int type, int peer, IntPtr comm, IntPtr stream);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    delegate int AllGatherFn(IntPtr send, IntPtr receive, nuint sendCount, int type, IntPtr comm, IntPtr stream);

    readonly GetVersionFn _getVersion;
    readonly CommInitAllFn _commInitAll;
    readonly CommFn _commDestroy;
    readonly ErrorStringFn _errorString;
    readonly GroupFn _groupStart;
    readonly GroupFn _groupEnd;
    readonly SendFn _send;
    readonly SendFn _receive;
    readonly AllGatherFn _allGather;

    /// <summary>The file that was loaded.</summary>
    public string Path { get; }

    NcclLibrary(IntPtr handle, string path)
    {
        Path = path;
        _getVersion = Export<GetVersionFn>(handle, "ncclGetVersion");
        _commInitAll = Export<CommInitAllFn>(handle, "ncclCommInitAll");
        _commDestroy = Export<CommFn>(handle, "ncclCommDestroy");
        _errorString = Export<ErrorStringFn>(handle, "ncclGetErrorString");
        _groupStart = Export<GroupFn>(handle, "ncclGroupStart");
        _groupEnd = Export<GroupFn>(handle, "ncclGroupEnd");
        _send = Export<SendFn>(handle, "ncclSend");
        _receive = Export<SendFn>(handle, "ncclRecv");
        _allGather = Export<AllGatherFn>(handle, "ncclAllGather");
    }

    /// <summary>
    /// Loads NCCL from <paramref name="path"/> (null: <see cref="PathVariable"/>, else the loader path); a library that is
    /// missing or lacks a function is a one-line error saying what was tried.
    /// </summary>
    public static NcclLibrary Load(string? path = null)
    {
        path ??= Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        var candidates = path is null ? Names : new[] { path };
        foreach (string candidate in candidates)
        {
            if (!NativeLibrary.TryLoad(candidate, typeof(NcclLibrary).Assembly, null, out var handle)) continue;
            try
            {
                return new NcclLibrary(handle, candidate);
            }
            catch (EntryPointNotFoundException e)
            {
                NativeLibrary.Free(handle);
                throw new FastVideoException($"NCCL: {candidate} is not a usable NCCL 2 library ({FastVideoException.FirstLine(e.Message)})", e);
            }
        }
        throw new FastVideoException(path is null
            ? $"NCCL: the library could not be loaded (tried {string.Join(", ", Names)} on the loader path); install NCCL 2 or set {PathVariable} to its file"
            : $"NCCL: {path} could not be loaded (missing, or not a shared library for this machine)");
    }

    static T Export<T>(IntPtr library, string name) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(library, name));

    /// <summary>NCCL's version as a number (major · 10000 + minor · 100 + patch for NCCL 2.9 and later).</summary>
    public int Version
    {
        get
        {
            Check(_getVersion(out int version), "ncclGetVersion");
            return version;
        }
    }

    /// <summary>One communicator per GPU of <paramref name="devices"/>, all in this process (rank i on devices[i]).</summary>
    public IReadOnlyList<NcclCommunicator> InitAll(IReadOnlyList<int> devices)
    {
        if (devices.Count == 0) throw new ArgumentException("no device given", nameof(devices));
        var handles = new IntPtr[devices.Count];
        KeepMulticastOff();
        Check(_commInitAll(handles, devices.Count, devices.ToArray()), "ncclCommInitAll");
        return handles.Select((h, rank) => new NcclCommunicator(this, h, rank, devices[rank])).ToArray();
    }

    /// <summary>The variable that turns NCCL's NVLink SHARP (multicast) collectives on or off.</summary>
    public const string MulticastVariable = "NCCL_NVLS_ENABLE";

    /// <summary>
    /// Sets NCCL_NVLS_ENABLE=0 in the native environment NCCL reads at initialisation, unless it is set already: NVLink
    /// multicast objects can take a shared host's GPUs out of service, and these collectives are small enough not to
    /// need them. (.NET keeps its own copy of the environment on Unix, so this goes through libc.)
    /// </summary>
    internal static void KeepMulticastOff()
    {
        if (OperatingSystem.IsWindows()) return;
        if (NativeEnvironment.SetEnv(MulticastVariable, "0", overwrite: 0) != 0)
            throw new InvalidOperationException($"{MulticastVariable} could not be set in the process environment");
    }

    /// <summary>Starts a group: the calls until <see cref="GroupEnd"/> are issued together (needed when one thread drives several GPUs).</summary>
    public void GroupStart() => Check(_groupStart(), "ncclGroupStart");

    public void GroupEnd() => Check(_groupEnd(), "ncclGroupEnd");

    /// <summary>Sends <paramref name="count"/> elements at <paramref name="buffer"/> (device memory) to rank <paramref name="peer"/>, queued on <paramref name="stream"/>.</summary>
    public void Send(IntPtr buffer, long count, NcclDataType type, int peer, NcclCommunicator comm, IntPtr stream) =>
        Check(_send(buffer, (nuint)count, (int)type, peer, comm.Handle, stream), "ncclSend");

    /// <summary>Receives <paramref name="count"/> elements from rank <paramref name="peer"/> into <paramref name="buffer"/>, queued on <paramref name="stream"/>.</summary>
    public void Receive(IntPtr buffer, long count, NcclDataType type, int peer, NcclCommunicator comm, IntPtr stream) =>
        Check(_receive(buffer, (nuint)count, (int)type, peer, comm.Handle, stream), "ncclRecv");

    /// <summary>Every rank's <paramref name="sendCount"/> elements, in rank order, into each rank's <paramref name="receive"/>.</summary>
    public void AllGather(IntPtr send, IntPtr receive, long sendCount, NcclDataType type, NcclCommunicator comm, IntPtr stream) =>
        Check(_allGather(send, receive, (nuint)sendCount, (int)type, comm.Handle, stream), "ncclAllGather");

    internal int Destroy(IntPtr comm) => _commDestroy(comm);

    /// <summary>Throws a one-line error with NCCL's text for a result other than ncclSuccess.</summary>
    internal void Check(int result, string call)
    {
        if (result == 0) return;
        string text = Marshal.PtrToStringAnsi(_errorString(result)) ?? "unknown error";
        throw new FastVideoException($"NCCL: {call} failed with result {result} ({text})");
    }
}
